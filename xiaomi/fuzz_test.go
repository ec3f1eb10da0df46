package xiaomi

import (
	"testing"

	"github.com/offlinepush/push/internal/fuzzkit"
)

// FuzzDecode: any answer decodes to one outcome per regId, in order, each
// accepted or of exactly one error class.
func FuzzDecode(f *testing.F) {
	two := "regid-a\nregid-b"
	for _, s := range []struct {
		status int
		body   string
		tokens string
	}{
		{200, `{"result":"ok","trace_id":"Xlm12b34488763708227kX","code":0,"data":{"id":"alm12b34488763708232Vy"},"description":"成功","info":"Received push messages for 1 ALIAS"}`, two},
		{200, `{"result":"ok","code":0,"data":{"id":"slm1","bad_regids":"regid-b"},"description":"成功"}`, two},
		{200, `{"result":"ok","code":0,"data":{"id":"slm1","bad_regids":" regid-a ,,regid-b,"}}`, "regid-a\nregid-b\nregid-c"},
		{200, `{"result":"error","reason":"No valid targets!","trace_id":"Xcm07b77488763663927bm","code":20301,"description":"发送消息失败"}`, two},
		{200, `{"result":"error","code":21301,"description":"认证失败","reason":"Invalid application secret."}`, two},
		{200, `{"result":"error","code":200001,"reason":"exceed quota, quota: 1, have acked: 1"}`, two},
		{200, `{"result":"error","code":10027,"reason":"calls too often"}`, two},
		{200, `{"result":"error","code":10002,"reason":"busy"}`, two},
		{200, `{"result":"error","code":65009,"reason":"too long"}`, two},
		{200, `{"result":"error","code":"20301"}`, two},
		{200, `{"code":1e400}`, two},
		{200, `{"code":0,"data":null}`, two},
		{200, `{"code":0,"data":{"bad_regids":5}}`, two},
		{200, `{"code":0,"data":{"id":"slm1","bad_regids":["regid-b"]}}`, two},
		{200, `{"code":"0","result":"ok","data":{"id":12345}}`, two},
		{200, `{"code":0,"result":"error","data":{"id":"slm1"}}`, two},
		{200, `{"code":{},"data":{"id":"slm1"}}`, two},
		{200, `null`, two},
		{200, `{}`, two},
		{200, `{"code":0,"data":{"id":"slm1","bad_regids":{"x":1}}}`, two},
		{200, `not json`, two},
		{200, ``, "a"},
		{400, `{"result":"error","code":10017,"reason":"bad"}`, two},
		{401, ``, two},
		{429, `{}`, two},
		{502, `<html>bad gateway</html>`, "a\nb\nc\nd\ne"},
		{301, ``, two},
	} {
		f.Add(s.status, "", []byte(s.body), s.tokens)
	}
	f.Add(503, "120", []byte(`{"code":10001}`), two)
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff\n\xfe")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, toks string) {
		tokens := fuzzkit.Tokens(toks)
		for _, keyed := range []bool{true, false} {
			fuzzkit.RequireOutcomes(t, tokens, decode(fuzzkit.Response(status, retryAfter, body), tokens, keyed))
		}
	})
}

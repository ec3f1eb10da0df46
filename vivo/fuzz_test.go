package vivo

import (
	"testing"

	"github.com/offlinepush/push/internal/fuzzkit"
)

// FuzzDecode: any answer, read by decode and mapped onto the regIds by
// outcomes (as sendOne and sendList do), gives one outcome per regId, in
// order, each accepted or of exactly one error class.
func FuzzDecode(f *testing.F) {
	two := "a\nb"
	for _, s := range []struct {
		status int
		body   string
		tokens string
	}{
		{200, `{"result":0,"desc":"请求成功","taskId":"1234567890"}`, "a"},
		{200, `{"result":0,"desc":"请求成功","taskId":"1234567890","invalidUsers":[]}`, two},
		{200, `{"result":10302,"desc":"regId不合法"}`, "a"},
		{200, `{"result":10302,"desc":"regId不合法","invalidUser":{"status":1,"userid":"a"}}`, "a"},
		{200, `{"result":10302,"desc":"regId不合法","invalidUsers":[{"status":2,"userid":"b"}]}`, two},
		{200, `{"result":0,"desc":"ok","invalidUsers":[{"status":3,"userid":"a"}]}`, two},
		{200, `{"result":0,"desc":"ok","invalidUsers":[{"status":4,"userid":"a"},{"status":9,"userid":"b"}]}`, two},
		{200, `{"result":0,"desc":"ok","invalidUser":{"status":1,"userid":"b"},"invalidUsers":[{"status":1,"userid":"a"}]}`, "a\nb\nc"},
		{200, `{"result":`, "a"},
		{200, `{"result":10103,"desc":"敏感词"}`, "a"},
		{200, `{"result":19999,"desc":"?"}`, "a"},
		{200, `{"result":10045,"desc":"审核中"}`, "a"},
		{200, `{"result":0,"desc":"ok"}`, two},
		{200, `{"result":10000,"desc":"权限认证失败"}`, "a"},
		{200, `{"result":10070,"desc":"quota"}`, two},
		{200, `{"result":10071,"desc":"night"}`, "a"},
		{200, `{"result":10072,"desc":"too fast"}`, two},
		{200, `{"result":10155,"desc":"task expired"}`, two},
		{200, `{"result":10252,"desc":"list quota"}`, two},
		{200, `{"result":"0","userid":5}`, "a"},
		{200, `{"result":"10302","invalidUser":{"status":"2","userid":15638535410301000000001}}`, "15638535410301000000001"},
		{200, `{"result":0,"taskId":342982232646905856,"invalidUsers":[{"status":4,"userid":1},{"userid":"b"}]}`, "1\nb"},
		{200, `{"result":10311,"desc":"cannot receive"}`, two},
		{200, `{"result":10311,"desc":"cannot receive"}`, "a"},
		{200, `{"result":null}`, "a"},
		{200, `null`, two},
		{200, `{}`, "a"},
		{200, `{"result":1e3,"invalidUsers":[{"status":true}]}`, two},
		{500, `Internet server error!`, "a"},
		{401, ``, two},
		{429, `{"result":10072}`, two},
	} {
		f.Add(s.status, "", []byte(s.body), s.tokens)
	}
	f.Add(503, "7", []byte(`{"result":0}`), "regid-alice-phone")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff\n\xfe\na\nb\nc\nd")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, toks string) {
		tokens := fuzzkit.Tokens(toks)
		ans, err := decode(fuzzkit.Response(status, retryAfter, body))
		taskID := ""
		if ans != nil {
			taskID = ans.TaskID
		}
		fuzzkit.RequireOutcomes(t, tokens, outcomes(tokens, taskID, ans, err))
	})
}

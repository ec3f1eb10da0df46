package oppo

import (
	"testing"

	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/fuzzkit"
)

// FuzzDecode: any answer decodes to one outcome per regId, in order, each
// accepted or of exactly one error class; or to one error for the whole
// request, of exactly one class (send gives it to every regId).
func FuzzDecode(f *testing.F) {
	three := "a\nb\nc"
	for _, s := range []struct {
		status int
		body   string
		tokens string
	}{
		{200, `{"code":0,"message":"","data":{"messageId":"AppID-1-1-x"}}`, "a"},
		{200, `{"code":10000,"message":"registration_id格式不正确"}`, "a"},
		{200, `{"code":0,"data":[{"messageId":"m1","registrationId":"a"},{"registrationId":"b","errorCode":10000,"errorMessage":"bad"},{"registrationId":"c","errorCode":33,"errorMessage":"quota"}]}`, three},
		{200, `{"code":0,"data":[{"messageId":"m3","registrationId":"c"},{"messageId":"m1","registrationId":"a"},{"messageId":"m2","registrationId":"b"}]}`, three},
		{200, `{"code":0,"data":[{"messageId":"m1","registrationId":"a"},{"messageId":"m3","registrationId":"c"}]}`, three},
		{200, `{"code":0,"data":[{"messageId":"m1"},{"errorCode":10000},{"messageId":"m3"}]}`, three},
		{200, `{"code":0,"data":[{"registrationId":"a","errorCode":11},{"registrationId":"b","errorCode":-2},{"registrationId":"c","errorCode":99999}]}`, three},
		{200, `{"code":10000,"message":"x"}`, three},
		{200, `{"code":11,"message":"Invalid AuthToken"}`, "a"},
		{200, `{"code":33,"message":"limit"}`, three},
		{200, `{"code":-2,"message":"flow control"}`, three},
		{200, `{"code":41,"message":"Invalid Arguments"}`, "a"},
		{200, `{"code":0,"data":{"messageId":"x"}}`, three},
		{200, `{"code":0,"data":[]}`, three},
		{200, `{"code":0,"data":null}`, "a"},
		{200, `{"code":0,"data":"str"}`, "a"},
		{401, `{"code":27,"message":"Access Denied"}`, "a"},
		{502, `<html>bad gateway</html>`, three},
		{200, `not json`, "a"},
		{200, ``, three},
		{200, `{"code":"0","data":[{"messageId":1,"registrationId":"a"},{"registrationId":"b","errorCode":"10000"},{"registrationId":"c","errorCode":"10001"}]}`, three},
		{200, `{"code":"10000","message":"x"}`, "a"},
		{200, `{}`, "a"},
		{200, `null`, three},
		{200, `{"code":null,"data":[]}`, three},
		{200, `{"code":{"x":1}}`, "a"},
	} {
		f.Add(s.status, "", []byte(s.body), s.tokens)
	}
	f.Add(503, "7", []byte(`{"code":-1}`), "CN_regid-alice-phone")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff\n\xfe\na\nb\nc\nd")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, toks string) {
		tokens := fuzzkit.Tokens(toks)
		out, err := decode(fuzzkit.Response(status, retryAfter, body), tokens, len(tokens) > 1)
		if err != nil {
			if out != nil {
				t.Fatalf("decode returned %d outcomes and %v", len(out), err)
			}
			out = batch.All(tokens, "", err) // what send makes of it
		}
		fuzzkit.RequireOutcomes(t, tokens, out)
	})
}

package honor

import (
	"errors"
	"testing"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/fuzzkit"
)

// FuzzDecode: any answer decodes to one outcome per token, in order, each
// accepted or of exactly one error class; or, for a refused access token,
// an ErrAuth wrapping auth.ErrExpired (auth.Do then refreshes and resends).
func FuzzDecode(f *testing.F) {
	three := "a\nb\nc"
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"code":200,"message":"success","data":{"sendResult":true,"requestId":"r1"}}`},
		{200, `{"code":"0","message":"ok","data":{"sendResult":true,"requestId":"r1"}}`},
		{200, `{"code":12345,"data":{"sendResult":true,"requestId":"r1"}}`},
		{200, `{"code":200,"message":"success"}`},
		{200, `{"code":"80000000","msg":"Success","requestId":"r9"}`},
		{200, `{"code":80100000,"data":{"sendResult":false,"requestId":"r2","expireTokens":["b"],"failTokens":["c"]}}`},
		{200, `{"code":1,"data":{"sendResult":true,"expireTokens":["a"],"failTokens":["a"]}}`},
		{200, `{"code":1,"data":{"sendResult":true,"expireTokens":["zz",7,null,{"t":"a"}]}}`},
		{200, `{"code":80300007,"message":"all invalid","data":{"sendResult":false,"expireTokens":["a","b","c"]}}`},
		{200, `{"code":80300007,"message":"all invalid","data":{"sendResult":false,"requestId":"r3"}}`},
		{200, `{"code":200,"data":{"sendResult":false}}`},
		{200, `{"code":80100016,"message":"sensitive"}`},
		{200, `{"code":200,"message":"success","data":""}`},
		{200, `{"code":500,"message":42}`},
		{200, `{"code":{"nested":[1,2]},"message":["x"]}`},
		{401, `{"code":80200003,"message":"Oauth Token expired"}`},
		{200, `{"code":"80200003","message":"Oauth Token expired"}`},
		{200, `{"code":80200001,"message":"Oauth authentication error"}`},
		{403, `{"code":80300002}`},
		{400, `{"code":80100001,"message":"bad"}`},
		{200, `{"code":81000001,"message":"busy","data":{"sendResult":false}}`},
		{502, `<html>bad gateway</html>`},
		{204, ``},
		{200, `not json`},
		{200, `{"code":"\u0000"}`},
		{200, `{"code":12345,"data":{"sendResult":false,"failTokens":["c"]}}`},
		{200, `{"code":"200","data":{"sendResult":"true","requestId":123,"expireTokens":[7,null,"b"]}}`},
		{200, `{"code":200,"data":{"sendResult":true,"failTokens":"a"}}`},
		{200, `{"code":1,"data":{"sendResult":true,"expireTokens":[{"t":"a"},true]}}`},
		{200, `{}`},
		{200, `null`},
	} {
		f.Add(s.status, "", []byte(s.body), three)
	}
	f.Add(503, "7", []byte(`{"code":81000001}`), "honor-token-alice-phone")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff\n\xfe\na\nb\nc\nd")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, toks string) {
		tokens := fuzzkit.Tokens(toks)
		out, err := decode(fuzzkit.Response(status, retryAfter, body), tokens)
		if err != nil {
			if out != nil || !errors.Is(err, push.ErrAuth) || !errors.Is(err, auth.ErrExpired) {
				t.Fatalf("decode returned %d outcomes and %v; an error must be a refused access token alone", len(out), err)
			}
			out = batch.All(tokens, "", err) // what Push makes of it once the resend fails too
		}
		fuzzkit.RequireOutcomes(t, tokens, out)
	})
}

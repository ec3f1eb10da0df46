package huawei

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
	three := "A\nB\nC"
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"code":"80000000","msg":"Success","requestId":"r1"}`},
		{200, `{"code":80000000,"msg":"Success","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":"{\"success\":1,\"failure\":2,\"illegal_tokens\":[\"A\",\"C\"]}","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":"{\"illegal_tokens\":[\"Z\",\"B\"]}","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":"{\"success\":1,\"failure\":2,\"illegalTokens\":{\"tokenFormatError\":[\"B\"],\"noPushTypeRight\":[\"C\"],\"countryNotSupport\":[\"A\"]}}","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":"{\"illegal_tokens\":[\"A\"],\"illegalTokens\":{\"differentImgVerifyPolicy\":[\"A\"]}}"}`},
		{200, `{"code":"80100000","msg":"Check Parameter Partial Success.","requestId":"r1"}`},
		{200, `{"code":"80300007","msg":"All the tokens are invalid","requestId":"r1"}`},
		{200, `{"code":"80300007","msg":"{\"illegal_tokens\":[\"B\"]}","requestId":"r1"}`},
		{200, `{"code":"80300007","msg":"All the tokens are invalid. noRight","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":{"success":"1","failure":"2","illegal_tokens":["A","C"]},"requestId":17}`},
		{200, `{"code":"80300011","msg":"no right"}`},
		{400, `{"code":"80300007","msg":"{\"illegalTokens\":{\"noRight\":[\"A\"],\"appinfoError\":[\"B\"]}}","requestId":"r1"}`},
		{401, `{"code":"80200003","msg":"Oauth Token expired","requestId":"r1"}`},
		{200, `{"code":"80200001","msg":"Oauth authentication error","requestId":"r1"}`},
		{401, ``},
		{400, `{"code":"80100001","msg":"Parameter error"}`},
		{200, `{"code":"80300008","msg":"too long"}`},
		{200, `{"code":"81000001","msg":"Inner Error"}`},
		{503, `{"code":"80600003","msg":"oauth unavailable"}`},
		{429, `{"code":"80100017","msg":"too many"}`},
		{403, `{"code":"80300002","msg":"no permission fuzz-secret"}`},
		{200, `{"code":"80999999","msg":"?"}`},
		{400, `{"code":"80999999","msg":"?"}`},
		{503, `<html>busy</html>`},
		{429, ``},
		{200, `not json`},
		{200, `{}`},
		{200, `{"code":null}`},
		{200, `{"code":{"x":1},"msg":5}`},
		{302, ``},
	} {
		f.Add(s.status, "", []byte(s.body), three)
	}
	f.Add(503, "7", []byte(`{"code":"81000001"}`), "IQAAAACy0alice-phone")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff\n\xfe\nA\nB\nC\nD")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, toks string) {
		tokens := fuzzkit.Tokens(toks)
		out, err := decode(fuzzkit.Response(status, retryAfter, body), tokens)
		if err != nil {
			if out != nil || !errors.Is(err, push.ErrAuth) || !errors.Is(err, auth.ErrExpired) {
				t.Fatalf("decode returned %d outcomes and %v; an error must be a refused access token alone", len(out), err)
			}
			out = batch.All(tokens, "", err) // what send makes of it once the resend fails too
		}
		fuzzkit.RequireOutcomes(t, tokens, out)
	})
}

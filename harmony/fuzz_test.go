package harmony

import (
	"errors"
	"testing"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/fuzzkit"
)

// FuzzDecode: any answer decodes to one outcome per token, in order, each
// accepted or of exactly one error class; or, for an expired JWT, an ErrAuth
// wrapping auth.ErrExpired (auth.Do then signs a new one and resends).
func FuzzDecode(f *testing.F) {
	three := "A\nB\nC"
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"code":"80000000","msg":"Success","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":"{\"success\":1,\"failure\":2,\"illegalTokens\":{\"tokenFormatError\":[\"A\"],\"noRight\":[\"C\"]}}","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":"{\"illegalTokens\":{\"noPushTypeRight\":[\"A\"],\"differentImgVerifyPolicy\":[\"B\"],\"countryNotSupport\":[\"C\"]}}","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":"{\"illegalTokens\":{\"somethingNew\":[\"B\"]}}","requestId":"r1"}`},
		{200, `{"code":"80100000","msg":"Check Parameter Partial Success.","requestId":"r1"}`},
		{200, `{"code":"80300007","msg":"{\"success\":0,\"failure\":3,\"illegalTokens\":{\"tokenFormatError\":[\"A\",\"B\",\"C\"]}}","requestId":"r1"}`},
		{200, `{"code":"80300007","msg":"{\"illegalTokens\":{\"noPushTypeRight\":[\"A\",\"B\",\"C\"]}}","requestId":"r1"}`},
		{400, `{"code":"80300007","msg":"All the tokens are invalid.","requestId":"r1"}`},
		{200, `{"code":"80300007","msg":"{\"illegalTokens\":{\"tokenFormatError\":[\"B\"],\"countryNotSupport\":[\"C\"]}}","requestId":"r1"}`},
		{200, `{"code":"80300007","msg":"{\"illegalTokens\":{\"noRight\":[\"A\",\"B\",\"C\"]}}","requestId":"r1"}`},
		{200, `{"code":"80300007","msg":{"illegalTokens":{"tokenFormatError":["A"]},"success":"x"},"requestId":1}`},
		{401, `{"code":"80200005","msg":"Jwt token expired."}`},
		{401, `{"code":"80200001","msg":"Authentication Error."}`},
		{400, `{"code":"80300036","msg":"JWT expire period over threshold."}`},
		{400, `{"code":"80100022","msg":"Anti-Spam: image not verify."}`},
		{200, `{"code":"80300029","msg":"exceed limit"}`},
		{500, `{"code":"81000001","msg":"Inner Error."}`},
		{200, `{"code":"89999999","msg":"?"}`},
		{400, `{"code":"89999999","msg":"?"}`},
		{401, ``},
		{503, ``},
		{502, `<html>bad gateway</html>`},
		{200, `not json`},
		{200, `{}`},
		{200, `{"code":80000000}`},
		{200, `{"code":"80100000","msg":"{\"illegalTokens\":{\"tokenFormatError\":null,\"noRight\":[1,\"A\"]}}"}`},
	} {
		f.Add(s.status, "", []byte(s.body), three)
	}
	f.Add(503, "7", []byte(`{"code":"81000001"}`), "MAMzLg-alice-phone")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff\n\xfe\nA\nB\nC\nD")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, toks string) {
		tokens := fuzzkit.Tokens(toks)
		out, err := decode(fuzzkit.Response(status, retryAfter, body), tokens)
		if err != nil {
			if out != nil || !errors.Is(err, push.ErrAuth) || !errors.Is(err, auth.ErrExpired) {
				t.Fatalf("decode returned %d outcomes and %v; an error must be an expired JWT alone", len(out), err)
			}
			out = batch.All(tokens, "", err) // what send makes of it once the resend fails too
		}
		fuzzkit.RequireOutcomes(t, tokens, out)
	})
}

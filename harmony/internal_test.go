package harmony

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/pushtest"
)

var (
	keyOnce sync.Once
	keyJSON []byte
)

func testCreds(t *testing.T, subAccount string) []byte {
	keyOnce.Do(func() { keyJSON = pushtest.HarmonyCredentials() })
	var m map[string]string
	require.NoError(t, json.Unmarshal(keyJSON, &m))
	m["key_id"] = "d3f1c4b2a1"
	m["sub_account"] = subAccount
	b, _ := json.Marshal(m)
	return b
}

// TestJWTVector signs at the instant of the reference's example (iat
// 1581407064, exp 1581410664) and checks the header and claims byte for
// byte against the documented shape, then the PS256 signature.
func TestJWTVector(t *testing.T) {
	c, err := New(Config{CredentialsJSON: testCreds(t, "10086000")})
	require.NoError(t, err)
	jwt, err := c.sign(time.Unix(1581407064, 0))
	require.NoError(t, err)
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3)
	dec := base64.RawURLEncoding
	h, err := dec.DecodeString(parts[0])
	require.NoError(t, err)
	p, err := dec.DecodeString(parts[1])
	require.NoError(t, err)
	assert.Equal(t, `{"kid":"d3f1c4b2a1","typ":"JWT","alg":"PS256"}`, string(h))
	assert.Equal(t, `{"aud":"https://oauth-login.cloud.huawei.com/oauth2/v3/token","iss":"10086000","exp":1581410664,"iat":1581407064}`, string(p))
	// the header and claims segments are deterministic
	assert.Equal(t, "eyJraWQiOiJkM2YxYzRiMmExIiwidHlwIjoiSldUIiwiYWxnIjoiUFMyNTYifQ", parts[0])

	sig, err := dec.DecodeString(parts[2])
	require.NoError(t, err)
	assert.Len(t, sig, c.key.Size())
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	require.NoError(t, rsa.VerifyPSS(&c.key.PublicKey, crypto.SHA256, sum[:], sig, opts))
	// PSS is randomised: a second signature differs but verifies too
	jwt2, err := c.sign(time.Unix(1581407064, 0))
	require.NoError(t, err)
	assert.NotEqual(t, jwt, jwt2)
	assert.Equal(t, parts[0]+"."+parts[1], jwt2[:strings.LastIndex(jwt2, ".")])
}

// TestJWTResignedBeforeExpiry: a JWT is reused for 55 minutes, then a new
// one is signed.
func TestJWTResignedBeforeExpiry(t *testing.T) {
	c, err := New(Config{CredentialsJSON: testCreds(t, "10086000")})
	require.NoError(t, err)
	now := time.Unix(1700000000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c.now = clock
	c.tokens.SetClock(clock)

	ctx := context.Background()
	t1, err := c.tokens.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, clock().Add(time.Hour), t1.Expiry)
	advance(54 * time.Minute)
	t2, err := c.tokens.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, t1.AccessToken, t2.AccessToken, "reused within the hour")
	advance(2 * time.Minute) // 56 min: within RefreshEarly of exp
	t3, err := c.tokens.Token(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, t1.AccessToken, t3.AccessToken, "re-signed before expiry")
	assert.Equal(t, int64(2), c.tokens.Fetches())

	var claims jwtClaims
	p, _ := base64.RawURLEncoding.DecodeString(strings.Split(t3.AccessToken, ".")[1])
	require.NoError(t, json.Unmarshal(p, &claims))
	assert.Equal(t, clock().Unix(), claims.Iat)
	assert.Equal(t, clock().Unix()+3600, claims.Exp)
}

func TestIntentDataURI(t *testing.T) {
	tests := map[string]string{
		"intent://chat/open?id=1#Intent;scheme=myapp;end":                     "myapp://chat/open?id=1",
		"intent://host#Intent;launchFlags=0x4000000;scheme=pushscheme;end":    "pushscheme://host",
		"intent:#Intent;component=com.example/.Chat;end":                      "",
		"intent://chat/1#Intent;component=com.example/.Chat;end":              "", // no scheme
		"myapp://chat/1#Intent;component=com.example/.Chat;end":               "myapp://chat/1",
		"https://example.com/x#Intent;end":                                    "https://example.com/x",
		"no intent here":                                                      "",
		"intent:#Intent;scheme=x;end":                                         "",
		"intent:///#Intent;scheme=myapp;S.ext=%7B%7D;end":                     "myapp:///",
		"intent://chat/open#Intent;scheme=myapp;component=com.example/.C;end": "myapp://chat/open",
	}
	for in, want := range tests {
		assert.Equal(t, want, intentDataURI(in), in)
	}
}

// TestDecode maps answers to per-token outcomes.
func TestDecode(t *testing.T) {
	ok := error(nil)
	tokens := []string{"A", "B", "C"}
	inv, au, msg, un := push.ErrInvalidToken, push.ErrAuth, push.ErrInvalidMessage, push.ErrUnavailable
	tests := []struct {
		name    string
		status  int
		body    string
		want    []error
		code    string
		expired bool
	}{
		{"success", 200, `{"code":"80000000","msg":"Success","requestId":"r1"}`, []error{ok, ok, ok}, "", false},
		{"partial by reason", 200, `{"code":"80100000","msg":"{\"success\":1,\"failure\":2,\"illegalTokens\":{\"tokenFormatError\":[\"A\"],\"noRight\":[\"C\"]}}","requestId":"r1"}`,
			[]error{inv, ok, inv}, "80100000", false},
		{"partial, app-level reasons keep the tokens", 200, `{"code":"80100000","msg":"{\"illegalTokens\":{\"noPushTypeRight\":[\"A\"],\"differentImgVerifyPolicy\":[\"B\"],\"countryNotSupport\":[\"C\"]}}","requestId":"r1"}`,
			[]error{au, msg, un}, "80100000", false},
		{"partial, unknown reason", 200, `{"code":"80100000","msg":"{\"illegalTokens\":{\"somethingNew\":[\"B\"]}}","requestId":"r1"}`,
			[]error{ok, un, ok}, "80100000", false},
		{"partial, unreadable msg", 200, `{"code":"80100000","msg":"Check Parameter Partial Success.","requestId":"r1"}`,
			[]error{ok, ok, ok}, "", false},
		{"all invalid", 200, `{"code":"80300007","msg":"{\"success\":0,\"failure\":3,\"illegalTokens\":{\"tokenFormatError\":[\"A\",\"B\",\"C\"]}}","requestId":"r1"}`,
			[]error{inv, inv, inv}, "80300007", false},
		{"all invalid, no entitlement: not deleted", 200, `{"code":"80300007","msg":"{\"illegalTokens\":{\"noPushTypeRight\":[\"A\",\"B\",\"C\"]}}","requestId":"r1"}`,
			[]error{au, au, au}, "80300007", false},
		{"all invalid, plain msg", 400, `{"code":"80300007","msg":"All the tokens are invalid.","requestId":"r1"}`,
			[]error{inv, inv, inv}, "80300007", false},
		{"all invalid, noRight: the project, not the tokens", 200, `{"code":"80300007","msg":"{\"illegalTokens\":{\"noRight\":[\"A\",\"B\",\"C\"]}}","requestId":"r1"}`,
			[]error{au, au, au}, "80300007", false},
		{"all invalid, app-level reason in plain text", 200, `{"code":"80300007","msg":"All the tokens are invalid: appinfoError","requestId":"r1"}`,
			[]error{au, au, au}, "80300007", false},
		{"all invalid, penalty in plain text", 200, `{"code":"80300007","msg":"disable send because of penalty","requestId":"r1"}`,
			[]error{au, au, au}, "80300007", false},
		{"all invalid, play voice as alert", 200, `{"code":"80300007","msg":"{\"illegalTokens\":{\"notSupportPlayVoice\":[\"A\",\"B\",\"C\"]}}","requestId":"r1"}`,
			[]error{msg, msg, msg}, "80300007", false},
		{"all invalid naming one: the others not judged", 200, `{"code":"80300007","msg":"{\"illegalTokens\":{\"tokenFormatError\":[\"B\"]}}","requestId":"r1"}`,
			[]error{un, inv, un}, "80300007", false},
		{"partial, msg an object, counts as strings", 200, `{"code":"80100000","msg":{"success":"2","failure":"1","illegalTokens":{"tokenFormatError":["C"]}},"requestId":"r1"}`,
			[]error{ok, ok, inv}, "80100000", false},
		{"jwt expired", 401, `{"code":"80200005","msg":"Jwt token expired."}`, nil, "80200005", true},
		{"bare 401", 401, ``, nil, "", true},
		{"auth error", 401, `{"code":"80200001","msg":"Authentication Error."}`, []error{au, au, au}, "80200001", false},
		{"jwt too long", 400, `{"code":"80300036","msg":"JWT expire period over threshold."}`, []error{au, au, au}, "80300036", false},
		{"image not verified", 400, `{"code":"80100022","msg":"Anti-Spam: image not verify."}`, []error{msg, msg, msg}, "80100022", false},
		{"test limit", 200, `{"code":"80300029","msg":"exceed limit"}`, []error{push.ErrRateLimited, push.ErrRateLimited, push.ErrRateLimited}, "80300029", false},
		{"inner error", 500, `{"code":"81000001","msg":"Inner Error."}`, []error{un, un, un}, "81000001", false},
		{"flow control", 503, ``, []error{push.ErrRateLimited, push.ErrRateLimited, push.ErrRateLimited}, "", false},
		{"connection error", 502, `<html/>`, []error{un, un, un}, "", false},
		{"not found", 404, `{"error":"no"}`, []error{msg, msg, msg}, "", false},
		{"unknown code", 200, `{"code":"89999999","msg":"?"}`, []error{un, un, un}, "89999999", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &transport.Response{Status: tt.status, Header: http.Header{"Retry-After": {"3"}}, Body: []byte(tt.body)}
			out, err := decode(resp, tokens)
			if tt.expired {
				require.ErrorIs(t, err, auth.ErrExpired)
				require.ErrorIs(t, err, push.ErrAuth)
				var ve *push.VendorError
				require.True(t, errors.As(err, &ve))
				assert.Equal(t, tt.code, ve.Code)
				return
			}
			require.NoError(t, err)
			require.Len(t, out, 3)
			for i, o := range out {
				assert.Equal(t, tokens[i], o.Token)
				if tt.want[i] == nil {
					assert.NoError(t, o.Err)
					continue
				}
				assert.ErrorIs(t, o.Err, tt.want[i], o.Token)
				var ve *push.VendorError
				require.True(t, errors.As(o.Err, &ve))
				assert.Equal(t, push.Harmony, ve.Vendor)
				assert.Equal(t, tt.status, ve.HTTPStatus)
				assert.Equal(t, tt.code, ve.Code)
				if tt.status >= 500 {
					assert.Equal(t, 3*time.Second, ve.RetryAfter)
				}
			}
		})
	}
}

func TestBusy(t *testing.T) {
	assert.True(t, busyBody(`{"code":"81000001"}`))
	assert.False(t, busyBody(`{"code":"80000000"}`))
	assert.False(t, busyBody(`{`))
}

// BenchmarkSignJWT measures one PS256 signature (made once an hour per
// client; the key of the fake is 2048-bit, Huawei's are 4096-bit).
func BenchmarkSignJWT(b *testing.B) {
	keyOnce.Do(func() { keyJSON = pushtest.HarmonyCredentials() })
	c, err := New(Config{CredentialsJSON: keyJSON})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.sign(now); err != nil {
			b.Fatal(err)
		}
	}
}

// busyBody runs the busy check a request carries on an answer body.
func busyBody(body string) bool {
	b, _ := checkBusy([]byte(body))
	return b
}

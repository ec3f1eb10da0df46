package pushtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	hmOnce  sync.Once
	hmCreds []byte
)

type hmKeyFile struct {
	ProjectID  string `json:"project_id"`
	KeyID      string `json:"key_id"`
	PrivateKey string `json:"private_key"`
	SubAccount string `json:"sub_account"`
	TokenURI   string `json:"token_uri"`
}

func hmSetup(t *testing.T) (*Harmony, hmKeyFile, *rsa.PrivateKey) {
	t.Helper()
	hmOnce.Do(func() { hmCreds = HarmonyCredentials() })
	h, err := NewHarmony(hmCreds)
	require.NoError(t, err)
	t.Cleanup(h.Close)
	var kf hmKeyFile
	require.NoError(t, json.Unmarshal(hmCreds, &kf))
	block, _ := pem.Decode([]byte(kf.PrivateKey))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	return h, kf, k.(*rsa.PrivateKey)
}

// hmJWT signs header and claims as given (tests vary them).
func hmJWT(t *testing.T, key *rsa.PrivateKey, header, claims map[string]any, salt int) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	in := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: salt})
	require.NoError(t, err)
	return in + "." + enc.EncodeToString(sig)
}

func hmSend(t *testing.T, h *Harmony, auth, path, pushType, body string) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest("POST", h.URL()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if pushType != "-" {
		req.Header.Set("push-type", pushType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

const hmGood = `{"payload":{"notification":{"category":"IM","title":"T","body":"B","clickAction":{"actionType":0,"data":{"ext":"x"}},"notifyId":5}},"target":{"token":["A","B"]},"pushOptions":{"ttl":86400}}`

func TestHarmonyCredentials(t *testing.T) {
	var kf hmKeyFile
	require.NoError(t, json.Unmarshal(HarmonyCredentials(), &kf))
	assert.NotEmpty(t, kf.ProjectID)
	assert.NotEmpty(t, kf.KeyID)
	assert.NotEmpty(t, kf.SubAccount)
	assert.Equal(t, HarmonyAudience, kf.TokenURI)
	assert.True(t, strings.HasPrefix(kf.PrivateKey, "-----BEGIN PRIVATE KEY-----\n"))
	_, err := NewHarmony([]byte(`{"project_id":"1"}`))
	assert.Error(t, err)
	_, err = NewHarmony([]byte(`nope`))
	assert.Error(t, err)
}

func TestHarmonyJWTChecks(t *testing.T) {
	h, kf, key := hmSetup(t)
	path := "/v3/" + kf.ProjectID + "/messages:send"
	now := time.Now().Unix()
	hdr := func() map[string]any { return map[string]any{"kid": kf.KeyID, "typ": "JWT", "alg": "PS256"} }
	cl := func() map[string]any {
		return map[string]any{"aud": HarmonyAudience, "iss": kf.SubAccount, "iat": now, "exp": now + 3600}
	}
	good := hmJWT(t, key, hdr(), cl(), rsa.PSSSaltLengthEqualsHash)
	status, out := hmSend(t, h, "Bearer "+good, path, "0", hmGood)
	require.Equal(t, 200, status, out["msg"])
	assert.Equal(t, "80000000", out["code"])

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	with := func(k string, v any, m map[string]any) map[string]any { m[k] = v; return m }
	tests := []struct {
		name, auth, code string
	}{
		{"no auth", "", "80200001"},
		{"not bearer", good, "80200001"},
		{"two parts", "Bearer " + good[:strings.LastIndex(good, ".")], "80200001"},
		{"other key", "Bearer " + hmJWT(t, other, hdr(), cl(), rsa.PSSSaltLengthEqualsHash), "80200001"},
		{"tampered claims", "Bearer " + strings.Split(good, ".")[0] + "." +
			base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"`+HarmonyAudience+`","iss":"someone-else","iat":1,"exp":9999999999}`)) + "." +
			strings.Split(good, ".")[2], "80200001"},
		{"salt not hash length", "Bearer " + hmJWT(t, key, hdr(), cl(), 20), "80200001"},
		{"alg RS256", "Bearer " + hmJWT(t, key, with("alg", "RS256", hdr()), cl(), rsa.PSSSaltLengthEqualsHash), "80200001"},
		{"kid", "Bearer " + hmJWT(t, key, with("kid", "other", hdr()), cl(), rsa.PSSSaltLengthEqualsHash), "80200001"},
		{"typ", "Bearer " + hmJWT(t, key, with("typ", "JWS", hdr()), cl(), rsa.PSSSaltLengthEqualsHash), "80200001"},
		{"iss", "Bearer " + hmJWT(t, key, hdr(), with("iss", "x", cl()), rsa.PSSSaltLengthEqualsHash), "80200001"},
		{"aud", "Bearer " + hmJWT(t, key, hdr(), with("aud", "https://push-api.cloud.huawei.com", cl()), rsa.PSSSaltLengthEqualsHash), "80200001"},
		{"iat as string", "Bearer " + hmJWT(t, key, hdr(), with("iat", "1", cl()), rsa.PSSSaltLengthEqualsHash), "80200001"},
		{"expired", "Bearer " + hmJWT(t, key, hdr(), with("exp", now-1, with("iat", now-3601, cl())), rsa.PSSSaltLengthEqualsHash), "80200005"},
		{"over a day", "Bearer " + hmJWT(t, key, hdr(), with("exp", now+86401, cl()), rsa.PSSSaltLengthEqualsHash), "80300036"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out := hmSend(t, h, tt.auth, path, "0", hmGood)
			assert.Equal(t, tt.code, out["code"], out["msg"])
		})
	}
	assert.Equal(t, map[string]int{"A": 1, "B": 1}, h.Delivered(), "only the good JWT delivered")

	// ExpireTokens expires every JWT seen so far, and only those
	h.ExpireTokens()
	_, out = hmSend(t, h, "Bearer "+good, path, "0", hmGood)
	assert.Equal(t, "80200005", out["code"])
	fresh := hmJWT(t, key, hdr(), cl(), rsa.PSSSaltLengthEqualsHash)
	_, out = hmSend(t, h, "Bearer "+fresh, path, "0", hmGood)
	assert.Equal(t, "80000000", out["code"])
}

func TestHarmonySendChecks(t *testing.T) {
	h, kf, key := hmSetup(t)
	path := "/v3/" + kf.ProjectID + "/messages:send"
	now := time.Now().Unix()
	auth := "Bearer " + hmJWT(t, key, map[string]any{"kid": kf.KeyID, "typ": "JWT", "alg": "PS256"},
		map[string]any{"aud": HarmonyAudience, "iss": kf.SubAccount, "iat": now, "exp": now + 3600}, rsa.PSSSaltLengthEqualsHash)
	mod := func(old, new string) string {
		require.Contains(t, hmGood, old)
		return strings.Replace(hmGood, old, new, 1)
	}
	tokens := make([]string, 1001)
	for i := range tokens {
		tokens[i] = "T"
	}
	many, _ := json.Marshal(tokens)
	tests := []struct {
		name, path, pushType, body, code string
	}{
		{"other project", "/v3/1/messages:send", "0", hmGood, "80200001"},
		{"no push-type", path, "-", hmGood, "80100001"},
		{"push-type 7", path, "7", hmGood, "80100001"},
		{"unknown field", path, "0", mod(`"notifyId"`, `"notify_id":1,"notifyId"`), "80100003"},
		{"no category", path, "0", mod(`"category":"IM",`, ``), "80100001"},
		{"no title", path, "0", mod(`"title":"T",`, ``), "80100001"},
		{"empty body", path, "0", mod(`"body":"B"`, `"body":""`), "80100001"},
		{"no click", path, "0", mod(`"clickAction":{"actionType":0,"data":{"ext":"x"}},`, ``), "80100001"},
		{"page without target", path, "0", mod(`"actionType":0`, `"actionType":1`), "80100001"},
		{"action type 2", path, "0", mod(`"actionType":0`, `"actionType":2`), "80100001"},
		{"ttl as string", path, "0", mod(`"ttl":86400`, `"ttl":"86400s"`), "80100003"},
		{"ttl too long", path, "0", mod(`"ttl":86400`, `"ttl":1296001`), "80100001"},
		{"badge", path, "0", mod(`"notifyId":5`, `"notifyId":5,"badge":{"addNum":0}`), "80100001"},
		{"extraData with push-type 0", path, "0", mod(`"notifyId":5}`, `"notifyId":5},"extraData":"x"`), "80100003"},
		{"no tokens", path, "0", mod(`["A","B"]`, `[]`), "80300010"},
		{"1001 tokens", path, "0", mod(`["A","B"]`, string(many)), "80300010"},
		{"too large", path, "0", mod(`"body":"B"`, `"body":"`+strings.Repeat("b", 4000)+`"`), "80300008"},
		{"play voice as alert", path, "0", mod(`"IM"`, `"PLAY_VOICE"`), "80300007"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out := hmSend(t, h, auth, tt.path, tt.pushType, tt.body)
			assert.Equal(t, tt.code, out["code"], out["msg"])
		})
	}
	_, out := hmSend(t, h, auth, path, "2", mod(`"notifyId":5}`, `"notifyId":5},"extraData":"x"`))
	assert.Equal(t, "80000000", out["code"], out["msg"])

	h.Invalidate("B")
	_, out = hmSend(t, h, auth, path, "0", hmGood)
	assert.Equal(t, "80100000", out["code"])
	var msg struct {
		Success, Failure int
		Illegal          map[string][]string `json:"illegalTokens"`
	}
	require.NoError(t, json.Unmarshal([]byte(out["msg"]), &msg))
	assert.Equal(t, map[string][]string{"tokenFormatError": {"B"}}, msg.Illegal)
	assert.Equal(t, 1, msg.Success)
	h.Invalidate("A")
	_, out = hmSend(t, h, auth, path, "0", hmGood)
	assert.Equal(t, "80300007", out["code"])
	assert.Equal(t, map[string]int{"A": 2, "B": 1}, h.Delivered())
}

// TestHarmonyMisconfigured: a misconfigured project gets the v3 80300007
// with its plain message for live tokens, and nothing is delivered; the JWT
// and body checks still come first.
func TestHarmonyMisconfigured(t *testing.T) {
	h, kf, key := hmSetup(t)
	path := "/v3/" + kf.ProjectID + "/messages:send"
	now := time.Now().Unix()
	auth := "Bearer " + hmJWT(t, key, map[string]any{"kid": kf.KeyID, "typ": "JWT", "alg": "PS256"},
		map[string]any{"aud": HarmonyAudience, "iss": kf.SubAccount, "iat": now, "exp": now + 3600}, rsa.PSSSaltLengthEqualsHash)
	h.SetMisconfigured(true)
	status, out := hmSend(t, h, auth, path, "0", hmGood)
	assert.Equal(t, 200, status)
	assert.Equal(t, map[string]string{"code": "80300007", "msg": "All the tokens are invalid.", "requestId": out["requestId"]}, out)
	assert.Empty(t, h.Delivered())

	status, out = hmSend(t, h, "Bearer x.y.z", path, "0", hmGood)
	assert.Equal(t, 401, status, "the JWT is checked first")
	assert.Equal(t, "80200001", out["code"])
	_, out = hmSend(t, h, auth, path, "0", strings.Replace(hmGood, `"title":"T",`, "", 1))
	assert.Equal(t, "80100001", out["code"], "the body is checked first")

	h.SetMisconfigured(false)
	_, out = hmSend(t, h, auth, path, "0", hmGood)
	assert.Equal(t, "80000000", out["code"])
}

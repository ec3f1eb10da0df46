package pushtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hwToken(t *testing.T, h *Huawei) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {h.AppID}, "client_secret": {h.AppSecret}}
	resp, err := http.Post(h.URL()+"/oauth2/v3/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Equal(t, 3600, tok.ExpiresIn)
	return tok.AccessToken
}

func hwSend(t *testing.T, h *Huawei, bearer, path, body string) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest("POST", h.URL()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func TestHuaweiTokenEndpoint(t *testing.T) {
	h := NewHuawei("123", "s+e/c=r&t")
	defer h.Close()
	assert.NotEmpty(t, hwToken(t, h))

	tests := []struct {
		name, ctype, body string
		status            int
	}{
		{"wrong secret", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=123&client_secret=nope", 401},
		{"secret not form-encoded", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=123&client_secret=s+e/c=r&t", 401},
		{"wrong client id", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=124&client_secret=s%2Be%2Fc%3Dr%26t", 401},
		{"grant type", "application/x-www-form-urlencoded", "grant_type=password&client_id=123&client_secret=s%2Be%2Fc%3Dr%26t", 400},
		{"json body", "application/json", `{"grant_type":"client_credentials"}`, 400},
		{"missing secret", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=123", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(h.URL()+"/oauth2/v3/token", tt.ctype, strings.NewReader(tt.body))
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
			var e map[string]any
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
			assert.NotEmpty(t, e["error_description"])
			assert.Nil(t, e["access_token"])
		})
	}
	assert.Equal(t, 7, h.TokenRequests())
	for _, r := range h.Records() {
		assert.NotContains(t, r.Dump(), "s%2Be%2Fc%3Dr%26t")
	}
}

const hwGood = `{"validate_only":false,"message":{"data":"{\"ext\":\"x\"}","android":{"category":"IM","ttl":"86400s","notification":{"title":"T","body":"B","click_action":{"type":3},"importance":"NORMAL","notify_id":5,"default_sound":true}},"token":["A","B"]}}`

func TestHuaweiSendChecks(t *testing.T) {
	h := NewHuawei("123", "secret")
	defer h.Close()
	at := hwToken(t, h)
	path := "/v1/123/messages:send"

	status, out := hwSend(t, h, at, path, hwGood)
	require.Equal(t, 200, status)
	assert.Equal(t, "80000000", out["code"])
	assert.NotEmpty(t, out["requestId"])

	mod := func(old, new string) string {
		require.Contains(t, hwGood, old)
		return strings.Replace(hwGood, old, new, 1)
	}
	tokens := make([]string, 1001)
	for i := range tokens {
		tokens[i] = "T"
	}
	many, _ := json.Marshal(tokens)
	tests := []struct {
		name, bearer, path, body, code string
	}{
		{"no bearer", "", path, hwGood, "80200001"},
		{"unknown bearer", "forged", path, hwGood, "80200001"},
		{"other app", at, "/v1/999/messages:send", hwGood, "80200001"},
		{"unknown field", at, path, mod(`"ttl"`, `"time_to_live":1,"ttl"`), "80100003"},
		{"code as number type", at, path, mod(`"type":3`, `"type":"3"`), "80100003"},
		{"no click action", at, path, mod(`"click_action":{"type":3},`, ``), "80100001"},
		{"http url", at, path, mod(`{"type":3}`, `{"type":2,"url":"http://example.com"}`), "80100001"},
		{"intent missing", at, path, mod(`{"type":3}`, `{"type":1}`), "80100001"},
		{"bad type", at, path, mod(`{"type":3}`, `{"type":7}`), "80100001"},
		{"data not json", at, path, mod(`"{\"ext\":\"x\"}"`, `"ext=x"`), "80100001"},
		{"category", at, path, mod(`"IM"`, `"CHAT"`), "80100001"},
		{"importance", at, path, mod(`"NORMAL"`, `"URGENT"`), "80100001"},
		{"ttl format", at, path, mod(`"86400s"`, `"1d"`), "80100001"},
		{"ttl too long", at, path, mod(`"86400s"`, `"1296001s"`), "80100001"},
		{"badge", at, path, mod(`"default_sound":true`, `"default_sound":true,"badge":{"add_num":100}`), "80100001"},
		{"no tokens", at, path, mod(`"token":["A","B"]`, `"token":[]`), "80300010"},
		{"1001 tokens", at, path, mod(`["A","B"]`, string(many)), "80300010"},
		{"token and topic", at, path, mod(`"token":["A","B"]`, `"token":["A"],"topic":"news"`), "80100001"},
		{"too large", at, path, mod(`"title":"T"`, `"title":"`+strings.Repeat("t", 4000)+`"`), "80300008"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out := hwSend(t, h, tt.bearer, tt.path, tt.body)
			assert.Equal(t, tt.code, out["code"], out["msg"])
		})
	}
	// 1000 tokens of any length do not count against the 4096 bytes
	big := make([]string, 1000)
	for i := range big {
		big[i] = strings.Repeat("k", 100)
	}
	b, _ := json.Marshal(big)
	_, out = hwSend(t, h, at, path, mod(`["A","B"]`, string(b)))
	assert.Equal(t, "80000000", out["code"])
}

func TestHuaweiPartialAndExpiry(t *testing.T) {
	h := NewHuawei("123", "secret")
	defer h.Close()
	at := hwToken(t, h)
	path := "/v1/123/messages:send"
	h.Invalidate("B")
	_, out := hwSend(t, h, at, path, hwGood)
	assert.Equal(t, "80100000", out["code"])
	var msg struct {
		Success, Failure int
		Illegal          []string `json:"illegal_tokens"`
	}
	require.NoError(t, json.Unmarshal([]byte(out["msg"]), &msg))
	assert.Equal(t, []string{"B"}, msg.Illegal)
	assert.Equal(t, 1, msg.Success)
	assert.Equal(t, 1, msg.Failure)

	h.Invalidate("A")
	_, out = hwSend(t, h, at, path, hwGood)
	assert.Equal(t, "80300007", out["code"])

	h.ExpireTokens()
	status, out := hwSend(t, h, at, path, hwGood)
	assert.Equal(t, 401, status)
	assert.Equal(t, "80200003", out["code"])
	at2 := hwToken(t, h)
	_, out = hwSend(t, h, at2, path, hwGood)
	assert.Equal(t, "80300007", out["code"], "a new token works")
	assert.Equal(t, map[string]int{"A": 1}, h.Delivered())
}

func TestHuaweiFaultShape(t *testing.T) {
	h := NewHuawei("123", "secret")
	defer h.Close()
	at := hwToken(t, h)
	h.Inject(Fault{Code: "80200003"}, Fault{Code: "81000001"})
	status, out := hwSend(t, h, at, "/v1/123/messages:send", hwGood)
	assert.Equal(t, 401, status)
	assert.Equal(t, "80200003", out["code"])
	status, out = hwSend(t, h, at, "/v1/123/messages:send", hwGood)
	assert.Equal(t, 200, status)
	assert.Equal(t, "81000001", out["code"])
	assert.NotEmpty(t, out["requestId"])
}

// TestHuaweiMisconfigured: a misconfigured app gets Huawei's 80300007 for
// live tokens, naming none, and nothing is delivered; the auth and body
// checks still come first.
func TestHuaweiMisconfigured(t *testing.T) {
	h := NewHuawei("123", "secret")
	defer h.Close()
	at := hwToken(t, h)
	h.SetMisconfigured(true)
	status, out := hwSend(t, h, at, "/v1/123/messages:send", hwGood)
	assert.Equal(t, 200, status)
	assert.Equal(t, map[string]string{"code": "80300007", "msg": "All the tokens are invalid", "requestId": out["requestId"]}, out)
	assert.Empty(t, h.Delivered())

	status, out = hwSend(t, h, "", "/v1/123/messages:send", hwGood)
	assert.Equal(t, 401, status, "auth is checked first")
	assert.Equal(t, "80200001", out["code"])
	_, out = hwSend(t, h, at, "/v1/123/messages:send", strings.Replace(hwGood, `"click_action":{"type":3},`, "", 1))
	assert.Equal(t, "80100001", out["code"], "the body is checked first")

	h.SetMisconfigured(false)
	_, out = hwSend(t, h, at, "/v1/123/messages:send", hwGood)
	assert.Equal(t, "80000000", out["code"])
}

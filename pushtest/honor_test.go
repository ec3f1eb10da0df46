package pushtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	honorTestApp    = "104412345"
	honorTestID     = "cid"
	honorTestSecret = "c-secret&="
)

type honorReply struct {
	Status  int
	Code    json.Number `json:"code"`
	Message string      `json:"message"`
	Data    struct {
		SendResult   bool     `json:"sendResult"`
		RequestID    string   `json:"requestId"`
		FailTokens   []string `json:"failTokens"`
		ExpireTokens []string `json:"expireTokens"`
	} `json:"data"`
	// token endpoint
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	TokenType   string `json:"token_type"`
	Error       string `json:"error"`
}

func honorDo(t *testing.T, req *http.Request) honorReply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r honorReply
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&r), string(b))
	r.Status = resp.StatusCode
	return r
}

func honorTokenReq(t *testing.T, h *Honor, path string, form url.Values) honorReply {
	t.Helper()
	req, _ := http.NewRequest("POST", h.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return honorDo(t, req)
}

func honorGoodForm() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {honorTestID}, "client_secret": {honorTestSecret}}
}

func honorAccessToken(t *testing.T, h *Honor) string {
	t.Helper()
	r := honorTokenReq(t, h, HonorTokenPath, honorGoodForm())
	require.Equal(t, 200, r.Status)
	return r.AccessToken
}

type honorSend struct {
	path, auth, ts, ctype, body string
}

func (s honorSend) do(t *testing.T, h *Honor) honorReply {
	t.Helper()
	req, _ := http.NewRequest("POST", h.URL()+s.path, strings.NewReader(s.body))
	req.Header.Set("Authorization", s.auth)
	if s.ts != "-" {
		req.Header.Set("timestamp", s.ts)
	}
	req.Header.Set("Content-Type", s.ctype)
	return honorDo(t, req)
}

const honorGoodBody = `{"data":"{\"ext\":\"x\"}","android":{"ttl":"86400s","notification":{"title":"T","body":"B","clickAction":{"type":3},"importance":"NORMAL","notifyId":7,"badge":{"addNum":1,"badgeClass":"com.example.Main"}}},"token":["t1","t2"]}`

func honorGoodSend(at string) honorSend {
	return honorSend{path: "/api/v1/" + honorTestApp + "/sendMessage", auth: "Bearer " + at,
		ts: strconv.FormatInt(time.Now().UnixMilli(), 10), ctype: "application/json; charset=UTF-8", body: honorGoodBody}
}

func TestHonorFakeToken(t *testing.T) {
	h := NewHonor(honorTestApp, honorTestID, honorTestSecret)
	defer h.Close()

	r := honorTokenReq(t, h, HonorTokenPath, honorGoodForm())
	assert.Equal(t, 200, r.Status)
	assert.NotEmpty(t, r.AccessToken)
	assert.Equal(t, 3600, r.ExpiresIn)
	assert.Equal(t, "Bearer", r.TokenType)
	assert.Equal(t, 200, honorTokenReq(t, h, HonorShortTokenPath, honorGoodForm()).Status)

	bad := func(mod func(url.Values), status int, code string) {
		t.Helper()
		f := honorGoodForm()
		mod(f)
		r := honorTokenReq(t, h, HonorTokenPath, f)
		assert.Equal(t, status, r.Status)
		assert.Equal(t, code, r.Error)
		assert.Empty(t, r.AccessToken)
	}
	bad(func(f url.Values) { f.Set("grant_type", "password") }, 400, "unsupported_grant_type")
	bad(func(f url.Values) { f.Del("grant_type") }, 400, "unsupported_grant_type")
	bad(func(f url.Values) { f.Set("client_secret", "nope") }, 401, "unauthorized_client")
	bad(func(f url.Values) { f.Set("client_id", "nope") }, 401, "unauthorized_client")
	bad(func(f url.Values) { f.Add("client_id", "twice") }, 400, "invalid_request")

	// a JSON body is not a form
	req, _ := http.NewRequest("POST", h.URL()+HonorTokenPath, strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	assert.Equal(t, 400, honorDo(t, req).Status)

	// the dump masks the credentials
	for _, rec := range h.Records() {
		assert.NotContains(t, rec.Dump(), honorTestSecret)
		assert.NotContains(t, rec.Dump(), url.QueryEscape(honorTestSecret))
	}
}

func TestHonorFakeChecksSends(t *testing.T) {
	h := NewHonor(honorTestApp, honorTestID, honorTestSecret)
	defer h.Close()
	at := honorAccessToken(t, h)

	r := honorGoodSend(at).do(t, h)
	require.Equal(t, 200, r.Status)
	assert.Equal(t, "200", r.Code.String())
	assert.True(t, r.Data.SendResult)
	assert.NotEmpty(t, r.Data.RequestID)

	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("t%d", i)
	}
	manyJSON, _ := json.Marshal(many)
	body := func(old, new string) string {
		require.Contains(t, honorGoodBody, old)
		return strings.Replace(honorGoodBody, old, new, 1)
	}
	tests := []struct {
		name   string
		mod    func(*honorSend)
		status int
		code   string
	}{
		{"no bearer", func(s *honorSend) { s.auth = at }, 401, "80200001"},
		{"unknown token", func(s *honorSend) { s.auth = "Bearer forged" }, 401, "80200001"},
		{"other app", func(s *honorSend) { s.path = "/api/v1/999/sendMessage" }, 403, "80300002"},
		{"form body", func(s *honorSend) { s.ctype = "application/x-www-form-urlencoded" }, 400, "80100001"},
		{"no timestamp", func(s *honorSend) { s.ts = "-" }, 400, "80100001"},
		{"timestamp in seconds", func(s *honorSend) { s.ts = strconv.FormatInt(time.Now().Unix(), 10) }, 400, "80100001"},
		{"stale timestamp", func(s *honorSend) {
			s.ts = strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10)
		}, 400, "80100001"},
		{"HMS message wrapper", func(s *honorSend) { s.body = `{"validate_only":false,"message":` + honorGoodBody + `}` }, 400, "80100003"},
		{"snake_case click_action", func(s *honorSend) { s.body = body(`"clickAction"`, `"click_action"`) }, 400, "80100003"},
		{"snake_case notify_id", func(s *honorSend) { s.body = body(`"notifyId"`, `"notify_id"`) }, 400, "80100003"},
		{"category is HMS only", func(s *honorSend) { s.body = body(`"ttl"`, `"category":"IM","ttl"`) }, 400, "80100003"},
		{"not json", func(s *honorSend) { s.body = "token=t1" }, 400, "80100003"},
		{"no click action", func(s *honorSend) { s.body = body(`"clickAction":{"type":3},`, ``) }, 400, "80100001"},
		{"click type 4", func(s *honorSend) { s.body = body(`{"type":3}`, `{"type":4}`) }, 400, "80100001"},
		{"http url", func(s *honorSend) { s.body = body(`{"type":3}`, `{"type":2,"url":"http://example.com"}`) }, 400, "80100001"},
		{"page without intent", func(s *honorSend) { s.body = body(`{"type":3}`, `{"type":1}`) }, 400, "80100001"},
		{"importance HIGH", func(s *honorSend) { s.body = body(`"NORMAL"`, `"HIGH"`) }, 400, "80100001"},
		{"notifyId as text", func(s *honorSend) { s.body = body(`"notifyId":7`, `"notifyId":"7"`) }, 400, "80100001"},
		{"badge without class", func(s *honorSend) { s.body = body(`,"badgeClass":"com.example.Main"`, ``) }, 400, "80100001"},
		{"badge 100", func(s *honorSend) { s.body = body(`"addNum":1`, `"addNum":100`) }, 400, "80100001"},
		{"ttl as number", func(s *honorSend) { s.body = body(`"86400s"`, `86400`) }, 400, "80100001"},
		{"ttl over 15 days", func(s *honorSend) { s.body = body(`"86400s"`, `"1296001s"`) }, 400, "80100001"},
		{"data not an object", func(s *honorSend) { s.body = body(`"{\"ext\":\"x\"}"`, `"plain"`) }, 400, "80100001"},
		{"no title nor body", func(s *honorSend) { s.body = body(`"title":"T","body":"B"`, `"title":"","body":" "`) }, 400, "80100001"},
		{"no tokens", func(s *honorSend) { s.body = body(`["t1","t2"]`, `[]`) }, 400, "80300010"},
		{"empty token", func(s *honorSend) { s.body = body(`["t1","t2"]`, `["t1",""]`) }, 400, "80300010"},
		{"1001 tokens", func(s *honorSend) { s.body = body(`["t1","t2"]`, string(manyJSON)) }, 400, "80300010"},
		{"body over 4096 bytes", func(s *honorSend) { s.body = body(`"B"`, `"`+strings.Repeat("b", 4096)+`"`) }, 400, "80300008"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := honorGoodSend(at)
			tt.mod(&s)
			r := s.do(t, h)
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.code, r.Code.String(), r.Message)
			assert.False(t, r.Data.SendResult)
		})
	}
	// only the first, good send delivered anything
	assert.Equal(t, map[string]int{"t1": 1, "t2": 1}, h.Delivered())

	// 1000 tokens, and a body at the size bound without them, are fine
	thousand, _ := json.Marshal(many[:1000])
	s := honorGoodSend(at)
	s.body = strings.Replace(honorGoodBody, `["t1","t2"]`, string(thousand), 1)
	assert.Equal(t, 200, s.do(t, h).Status)
}

func TestHonorFakeAnswers(t *testing.T) {
	h := NewHonor(honorTestApp, honorTestID, honorTestSecret)
	defer h.Close()
	at := honorAccessToken(t, h)
	h.Invalidate("t2")

	r := honorGoodSend(at).do(t, h)
	assert.Equal(t, "80100000", r.Code.String())
	assert.True(t, r.Data.SendResult)
	assert.Equal(t, []string{"t2"}, r.Data.ExpireTokens)

	h.FailTokens("t1")
	r = honorGoodSend(at).do(t, h)
	assert.Equal(t, "80300007", r.Code.String())
	assert.False(t, r.Data.SendResult)
	assert.Equal(t, []string{"t1"}, r.Data.FailTokens)
	assert.Equal(t, []string{"t2"}, r.Data.ExpireTokens)

	h.Inject(Fault{Code: "81000001"})
	r = honorGoodSend(at).do(t, h)
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "81000001", r.Code.String())
	assert.False(t, r.Data.SendResult)

	h.Inject(Fault{Code: "80200003"})
	r = honorGoodSend(at).do(t, h)
	assert.Equal(t, 401, r.Status)
	assert.Equal(t, "80200003", r.Code.String())

	// server-side expiry: the token is refused until a new one is bought
	h.ExpireAccessTokens()
	r = honorGoodSend(at).do(t, h)
	assert.Equal(t, 401, r.Status)
	assert.Equal(t, "80200003", r.Code.String())
	r = honorGoodSend(honorAccessToken(t, h)).do(t, h)
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, 2, h.TokenRequests())
}

func TestHonorFakeMisconfigured(t *testing.T) {
	h := NewHonor(honorTestApp, honorTestID, honorTestSecret)
	defer h.Close()
	at := honorAccessToken(t, h)
	h.SetMisconfigured(true)
	r := honorGoodSend(at).do(t, h)
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "80300007", r.Code.String())
	assert.False(t, r.Data.SendResult)
	assert.Equal(t, []string{"t1", "t2"}, r.Data.ExpireTokens, "every token called dead")
	assert.Empty(t, h.Delivered())

	h.SetMisconfigured(false)
	r = honorGoodSend(at).do(t, h)
	assert.True(t, r.Data.SendResult)
	assert.Equal(t, map[string]int{"t1": 1, "t2": 1}, h.Delivered())
}

package pushtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push/pushtest"
)

// meizuPost signs form with secret (unless it has a sign) and posts it.
func meizuPost(t *testing.T, srv *pushtest.Meizu, form url.Values, secret string) (code string, value json.RawMessage) {
	t.Helper()
	if form.Get("sign") == "" {
		form.Set("sign", pushtest.MeizuSign(form, secret))
	}
	resp, err := http.Post(srv.URL()+pushtest.MeizuSendPath, "application/x-www-form-urlencoded;charset=UTF-8", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, 200, resp.StatusCode, string(body))
	var r struct {
		Code  string          `json:"code"`
		Value json.RawMessage `json:"value"`
	}
	require.NoError(t, json.Unmarshal(body, &r), string(body))
	return r.Code, r.Value
}

const goodMeizuMsg = `{"noticeBarInfo":{"noticeMsgType":1,"noticeBarType":0,"title":"Title","content":"Body"},"clickTypeInfo":{"clickType":2,"url":"https://example.com/x","parameters":{"ext":"{\"k\":\"v\"}"}},"pushTimeInfo":{"offLine":1,"validTime":24}}`

func meizuForm(msg, ids string) url.Values {
	return url.Values{"appId": {"100999"}, "messageJson": {msg}, "pushIds": {ids}}
}

// The fake must refuse what Meizu refuses, not just accept anything.
func TestMeizuFakeChecksRequests(t *testing.T) {
	srv := pushtest.NewMeizu("100999", "test_app_secret")
	defer srv.Close()

	// the reference's own example, signed as Meizu's SDK signs it
	f := meizuForm(goodMeizuMsg, "PID_A")
	f.Set("sign", "4af33a3cbb3d8ea93729d166a8b547de")
	code, _ := meizuPost(t, srv, f, "")
	assert.Equal(t, "200", code)

	many := strings.TrimSuffix(strings.Repeat("P,", 101), ",")
	for _, tc := range []struct {
		name   string
		form   url.Values
		secret string
		code   string
	}{
		{"wrong secret", meizuForm(goodMeizuMsg, "PID_A"), "other", "1006"},
		{"sign over URL-encoded values", func() url.Values {
			f := meizuForm(goodMeizuMsg, "PID_A")
			f.Set("sign", pushtest.MeizuSign(url.Values{"appId": {"100999"}, "messageJson": {url.QueryEscape(goodMeizuMsg)}, "pushIds": {"PID_A"}}, "test_app_secret"))
			return f
		}(), "", "1006"},
		{"wrong appId", url.Values{"appId": {"1"}, "messageJson": {goodMeizuMsg}, "pushIds": {"PID_A"}}, "test_app_secret", "110000"},
		{"no pushIds", url.Values{"appId": {"100999"}, "messageJson": {goodMeizuMsg}}, "test_app_secret", "110004"},
		{"101 pushIds", meizuForm(goodMeizuMsg, many), "test_app_secret", "1005"},
		{"empty id", meizuForm(goodMeizuMsg, "A,,B"), "test_app_secret", "1005"},
		{"not json", meizuForm(`title=x`, "PID_A"), "test_app_secret", "1005"},
		{"no noticeBarInfo", meizuForm(`{"title":"t","content":"c"}`, "PID_A"), "test_app_secret", "1005"},
		{"title too long", meizuForm(`{"noticeBarInfo":{"title":"`+strings.Repeat("标", 33)+`","content":"c"}}`, "PID_A"), "test_app_secret", "1005"},
		{"title 32 characters", meizuForm(`{"noticeBarInfo":{"title":"`+strings.Repeat("标", 32)+`","content":"c"}}`, "PID_A"), "test_app_secret", "200"},
		{"title 17 emoji (34 UTF-16 units)", meizuForm(`{"noticeBarInfo":{"title":"`+strings.Repeat("😀", 17)+`","content":"c"}}`, "PID_A"), "test_app_secret", "1005"},
		{"title 16 emoji", meizuForm(`{"noticeBarInfo":{"title":"`+strings.Repeat("😀", 16)+`","content":"c"}}`, "PID_A"), "test_app_secret", "200"},
		{"empty content", meizuForm(`{"noticeBarInfo":{"title":"t","content":""}}`, "PID_A"), "test_app_secret", "1005"},
		{"content too long", meizuForm(`{"noticeBarInfo":{"title":"t","content":"`+strings.Repeat("x", 101)+`"}}`, "PID_A"), "test_app_secret", "1005"},
		{"noticeMsgType as string", meizuForm(`{"noticeBarInfo":{"noticeMsgType":"1","title":"t","content":"c"}}`, "PID_A"), "test_app_secret", "1005"},
		{"activity missing", meizuForm(`{"noticeBarInfo":{"title":"t","content":"c"},"clickTypeInfo":{"clickType":1}}`, "PID_A"), "test_app_secret", "1005"},
		{"url missing", meizuForm(`{"noticeBarInfo":{"title":"t","content":"c"},"clickTypeInfo":{"clickType":2,"activity":"a.B"}}`, "PID_A"), "test_app_secret", "1005"},
		{"clickType 3", meizuForm(`{"noticeBarInfo":{"title":"t","content":"c"},"clickTypeInfo":{"clickType":3,"customAttribute":"x"}}`, "PID_A"), "test_app_secret", "1005"},
		{"parameters as a string", meizuForm(`{"noticeBarInfo":{"title":"t","content":"c"},"clickTypeInfo":{"clickType":0,"parameters":"{\"ext\":\"x\"}"}}`, "PID_A"), "test_app_secret", "1005"},
		{"validTime 73", meizuForm(`{"noticeBarInfo":{"title":"t","content":"c"},"pushTimeInfo":{"offLine":1,"validTime":73}}`, "PID_A"), "test_app_secret", "1005"},
		{"notifyKey too long", meizuForm(`{"noticeBarInfo":{"title":"t","content":"c"},"advanceInfo":{"notifyKey":"123456789"}}`, "PID_A"), "test_app_secret", "1005"},
		{"SDK booleans are fine", meizuForm(`{"noticeBarInfo":{"title":"t","content":"c"},"pushTimeInfo":{"offLine":true,"validTime":24},"advanceInfo":{"suspend":true}}`, "PID_A"), "test_app_secret", "200"},
	} {
		code, _ := meizuPost(t, srv, tc.form, tc.secret)
		assert.Equal(t, tc.code, code, tc.name)
	}
	for _, r := range srv.Records() {
		assert.NotContains(t, r.Dump(), "test_app_secret")
	}
}

func TestMeizuFakePerIDAnswers(t *testing.T) {
	srv := pushtest.NewMeizu("100999", "s")
	defer srv.Close()
	srv.Invalidate("B", "D")
	srv.FailIDs("110011", "C")
	code, value := meizuPost(t, srv, meizuForm(goodMeizuMsg, "A,B,C,D,E"), "s")
	assert.Equal(t, "200", code)
	assert.JSONEq(t, `{"110003":["B","D"],"110011":["C"]}`, string(value))
	assert.Equal(t, map[string]int{"A": 1, "E": 1}, srv.Delivered())

	srv.Inject(pushtest.Fault{Code: "110010"})
	code, value = meizuPost(t, srv, meizuForm(goodMeizuMsg, "A"), "s")
	assert.Equal(t, "110010", code)
	assert.Equal(t, `""`, string(value))
}

// Misconfigured: every pushId of every send is listed as invalid (110003),
// as for pushIds that were registered under another appId.
func TestMeizuFakeMisconfigured(t *testing.T) {
	srv := pushtest.NewMeizu("100999", "s")
	defer srv.Close()
	srv.SetMisconfigured(true)
	code, value := meizuPost(t, srv, meizuForm(goodMeizuMsg, "A,B"), "s")
	assert.Equal(t, "200", code)
	assert.JSONEq(t, `{"110003":["A","B"]}`, string(value))
	assert.Empty(t, srv.Delivered())
}

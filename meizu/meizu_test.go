package meizu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/meizu"
	"github.com/offlinepush/push/pushtest"
)

const (
	appID     = "100999"
	appSecret = "test_app_secret"
)

// fastRetry keeps retry tests quick.
var fastRetry = push.WithRetry(push.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: time.Second})

func setup(t testing.TB, cfg meizu.Config, opts ...push.Option) (*meizu.Client, *pushtest.Meizu) {
	t.Helper()
	srv := pushtest.NewMeizu(appID, appSecret)
	t.Cleanup(srv.Close)
	if cfg.AppID == "" {
		cfg.AppID = appID
	}
	if cfg.AppSecret == "" {
		cfg.AppSecret = appSecret
	}
	c, err := meizu.New(cfg, append([]push.Option{push.WithEndpoint(srv.URL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c, srv
}

func info() *push.OfflinePushInfo {
	return &push.OfflinePushInfo{Title: "Title", Desc: "Body"}
}

// The §3.8 example of the reference: ext {"k":"v"}, click opens a URL.
func referenceInfo() *push.OfflinePushInfo {
	return &push.OfflinePushInfo{Title: "Title", Desc: "Body", Ext: `{"k":"v"}`,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/x"}}
}

const referenceJSON = `{"noticeBarInfo":{"noticeMsgType":1,"noticeBarType":0,"title":"Title","content":"Body"},"clickTypeInfo":{"clickType":2,"url":"https://example.com/x","parameters":{"ext":"{\"k\":\"v\"}"}},"pushTimeInfo":{"offLine":1,"validTime":24}}`

func tokens(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("PID%05d", i)
	}
	return out
}

// ---- signature vectors ----------------------------------------------------

func TestSignOfficialVector(t *testing.T) {
	// mz-api "接口签名规范", reproduced with the official Java SDK.
	params := url.Values{
		"appId":       {"10000"},
		"pushIds":     {"RA50c6348036344485d01776773577c64740465480a6b"},
		"messageJson": {`{"title":"title","content":"content","pushTimeInfo":{"offLine":1,"validTime":24}}`},
	}
	assert.Equal(t, "ac076ff25d9900015a681cb5172aa53b", meizu.Sign(params, "<APP_SECRET>"))
	// sign itself is not signed
	params.Set("sign", "ac076ff25d9900015a681cb5172aa53b")
	assert.Equal(t, "ac076ff25d9900015a681cb5172aa53b", meizu.Sign(params, "<APP_SECRET>"))
	// the README's spaced JSON is a different text, hence a different sign
	params.Set("messageJson", `{"title": "title","content": "content","pushTimeInfo": {"offLine": 1,"validTime": 24}}`)
	assert.True(t, strings.HasPrefix(meizu.Sign(params, "<APP_SECRET>"), "250ed115"))
	// the fake computes the same
	params.Set("messageJson", `{"title":"title","content":"content","pushTimeInfo":{"offLine":1,"validTime":24}}`)
	assert.Equal(t, "ac076ff25d9900015a681cb5172aa53b", pushtest.MeizuSign(params, "<APP_SECRET>"))
}

func TestReferenceExample(t *testing.T) {
	c, err := meizu.New(meizu.Config{AppID: appID, AppSecret: appSecret})
	require.NoError(t, err)

	msg, err := c.MessageJSON(referenceInfo())
	require.NoError(t, err)
	assert.Equal(t, referenceJSON, msg)

	for _, tc := range []struct {
		ids  []string
		sign string
	}{
		{[]string{"PID_A"}, "4af33a3cbb3d8ea93729d166a8b547de"},
		{[]string{"PID_A", "PID_B", "PID_C"}, "bb989a1caee0d361e240f9be945c5c33"},
	} {
		t.Run(strings.Join(tc.ids, ","), func(t *testing.T) {
			f, err := c.Form(referenceInfo(), tc.ids...)
			require.NoError(t, err)
			assert.Equal(t, tc.sign, f.Get("sign"))
			assert.Equal(t, appID, f.Get("appId"))
			assert.Equal(t, strings.Join(tc.ids, ","), f.Get("pushIds"))
			assert.Equal(t, referenceJSON, f.Get("messageJson"))
			assert.Len(t, f, 4)
		})
	}

	// and the bytes on the wire
	c, srv := setup(t, meizu.Config{})
	res, err := c.Push(context.Background(), referenceInfo(), "PID_A")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	sends := srv.Sends()
	require.Len(t, sends, 1)
	assert.Equal(t, "POST", sends[0].Method)
	assert.Equal(t, meizu.SendPath, sends[0].Path)
	assert.Equal(t, "application/x-www-form-urlencoded;charset=UTF-8", sends[0].Header.Get("Content-Type"))
	want := "appId=100999&messageJson=" + url.QueryEscape(referenceJSON) + "&pushIds=PID_A&sign=4af33a3cbb3d8ea93729d166a8b547de"
	assert.Equal(t, want, string(sends[0].Body))
}

// ---- wire bodies ----------------------------------------------------------

func TestGoldenWire(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    meizu.Config
		info   *push.OfflinePushInfo
		tokens []string
	}{
		{"one_token_default", meizu.Config{}, info(), []string{"PID_A"}},
		{"three_tokens_default", meizu.Config{}, info(), []string{"PID_A", "PID_B", "PID_C"}},
		{"click_open_app", meizu.Config{}, &push.OfflinePushInfo{Title: "Alice", Desc: "Hi", Ext: `{"sender":"alice"}`,
			Click: push.ClickAction{Kind: push.ClickOpenApp}}, []string{"PID_A"}},
		{"click_url", meizu.Config{}, referenceInfo(), []string{"PID_A", "PID_B", "PID_C"}},
		{"click_page_activity", meizu.Config{}, &push.OfflinePushInfo{Title: "Alice", Desc: "Hi", Ext: `{"sender":"alice"}`,
			Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.chat.ChatActivity"}}, []string{"PID_A"}},
		{"click_page_intent", meizu.Config{}, &push.OfflinePushInfo{Title: "Alice", Desc: "Hi",
			Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent://chat/alice#Intent;scheme=im;component=com.example.chat/.ChatActivity;end"}}, []string{"PID_A"}},
		{"config_click_public_ttl_collapse", meizu.Config{NoticeMsgType: meizu.NoticePublic, TTL: 3 * time.Hour,
			Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/news?a=1&b=<2>"}},
			&push.OfflinePushInfo{Title: "News", Desc: "Daily digest", CollapseID: "digest"}, []string{"PID_A"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, tc.cfg)
			res, err := c.Push(context.Background(), tc.info, tc.tokens...)
			require.NoError(t, err)
			require.NoError(t, res.Err())
			sends := srv.Sends()
			require.Len(t, sends, 1)
			golden.Assert(t, tc.name+".golden", []byte(sends[0].Dump()))
		})
	}
}

// messageOf decodes the messageJson of a recorded request.
func messageOf(t *testing.T, rec pushtest.Record) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(rec.Form.Get("messageJson")), &m))
	return m
}

func TestClickKinds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      push.ClickAction
		click    push.ClickAction
		wantType float64
		key, val string
	}{
		{"default", push.ClickAction{}, push.ClickAction{}, 0, "", ""},
		{"open app", push.ClickAction{}, push.ClickAction{Kind: push.ClickOpenApp}, 0, "", ""},
		{"url", push.ClickAction{}, push.ClickAction{Kind: push.ClickOpenURL, URL: "http://example.com/a"}, 2, "url", "http://example.com/a"},
		{"activity", push.ClickAction{}, push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.x.ChatActivity"}, 1, "activity", "com.x.ChatActivity"},
		{"activity wins over intent", push.ClickAction{}, push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.x.A",
			Intent: "intent:#Intent;component=com.x/.B;end"}, 1, "activity", "com.x.A"},
		{"intent component", push.ClickAction{}, push.ClickAction{Kind: push.ClickOpenPage,
			Intent: "intent:#Intent;component=com.x/com.y.Chat;end"}, 1, "activity", "com.y.Chat"},
		{"config default url", push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/home"}, push.ClickAction{}, 2, "url", "https://example.com/home"},
		{"message overrides config", push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/home"},
			push.ClickAction{Kind: push.ClickOpenApp}, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, meizu.Config{Click: tc.cfg})
			in := info()
			in.Click = tc.click
			in.Ext = `{"a":1}`
			res, err := c.Push(context.Background(), in, "PID_A")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			ct := messageOf(t, srv.Sends()[0])["clickTypeInfo"].(map[string]any)
			assert.Equal(t, tc.wantType, ct["clickType"])
			for _, k := range []string{"url", "activity"} {
				if k == tc.key {
					assert.Equal(t, tc.val, ct[k])
				} else {
					assert.NotContains(t, ct, k)
				}
			}
			assert.Equal(t, map[string]any{"ext": `{"a":1}`}, ct["parameters"], "ext goes to parameters.ext for every click kind")
		})
	}
}

func TestMessageFields(t *testing.T) {
	c, err := meizu.New(meizu.Config{AppID: appID, AppSecret: appSecret})
	require.NoError(t, err)

	m, err := c.Message(info())
	require.NoError(t, err)
	assert.Equal(t, 1, m.NoticeBarInfo.NoticeMsgType, "IM default is private (私信)")
	assert.Equal(t, 0, m.NoticeBarInfo.NoticeBarType)
	assert.Nil(t, m.ClickTypeInfo.Parameters, "no ext, no parameters")
	assert.Nil(t, m.AdvanceInfo)
	assert.Equal(t, meizu.PushTimeInfo{OffLine: 1, ValidTime: 24}, m.PushTimeInfo)

	// title and content are fitted to 32 and 100 characters (TestLengths)
	in := &push.OfflinePushInfo{Title: strings.Repeat("标", 40), Desc: strings.Repeat("内", 150)}
	m, err = c.Message(in)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("标", 31)+"…", m.NoticeBarInfo.Title)
	assert.Equal(t, strings.Repeat("内", 99)+"…", m.NoticeBarInfo.Content)

	// strict length refuses instead
	strict, err := meizu.New(meizu.Config{AppID: appID, AppSecret: appSecret}, push.WithStrictLength())
	require.NoError(t, err)
	_, err = strict.Message(in)
	require.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.Contains(t, err.Error(), "Title")

	// notifyKey: a valid collapse id as is, any other one hashed to 8 hex digits
	m, err = c.Message(&push.OfflinePushInfo{Title: "t", Desc: "d", CollapseID: "chat_42"})
	require.NoError(t, err)
	assert.Equal(t, "chat_42", m.AdvanceInfo.NotifyKey)
	m, err = c.Message(&push.OfflinePushInfo{Title: "t", Desc: "d", CollapseID: "conversation:alice/bob"})
	require.NoError(t, err)
	assert.Len(t, m.AdvanceInfo.NotifyKey, 8)
	m2, _ := c.Message(&push.OfflinePushInfo{Title: "t", Desc: "d", CollapseID: "conversation:alice/bob"})
	assert.Equal(t, m.AdvanceInfo.NotifyKey, m2.AdvanceInfo.NotifyKey, "same collapse id, same key")
}

func TestNoticeMsgType(t *testing.T) {
	for _, tc := range []struct {
		set  meizu.NoticeMsgType
		wire int
	}{{meizu.NoticeDefault, 1}, {meizu.NoticePrivate, 1}, {meizu.NoticePublic, 0}} {
		t.Run(fmt.Sprint(int(tc.set)), func(t *testing.T) {
			c, err := meizu.New(meizu.Config{AppID: appID, AppSecret: appSecret, NoticeMsgType: tc.set})
			require.NoError(t, err)
			m, err := c.Message(info())
			require.NoError(t, err)
			assert.Equal(t, tc.wire, m.NoticeBarInfo.NoticeMsgType, "NoticeMsgType %d", tc.set)
		})
	}
}

func TestValidTime(t *testing.T) {
	for _, tc := range []struct {
		msg, cfg time.Duration
		want     int
	}{
		{0, 0, 24},
		{0, 5 * time.Hour, 5},
		{2 * time.Hour, 5 * time.Hour, 2},
		{time.Second, 0, 1},
		{30 * time.Minute, 0, 1},
		{90 * time.Minute, 0, 2},
		{72 * time.Hour, 0, 72},
		{30 * 24 * time.Hour, 0, 72},
		{time.Duration(1<<63 - 1), 0, 72},
	} {
		t.Run(fmt.Sprintf("%s,%s", tc.msg, tc.cfg), func(t *testing.T) {
			c, err := meizu.New(meizu.Config{AppID: appID, AppSecret: appSecret, TTL: tc.cfg})
			require.NoError(t, err)
			in := info()
			in.TTL = tc.msg
			m, err := c.Message(in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.PushTimeInfo.ValidTime, "TTL %s, Config.TTL %s", tc.msg, tc.cfg)
		})
	}
}

// ---- batching and outcomes ------------------------------------------------

func TestBatching2500(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	toks := tokens(2500)
	res, err := c.Push(context.Background(), info(), toks...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 2500)
	for i, o := range res.Outcomes {
		require.Equal(t, toks[i], o.Token)
		require.NoError(t, o.Err)
		require.NotEmpty(t, o.MessageID)
	}
	sends := srv.Sends()
	assert.Len(t, sends, 25)
	for _, s := range sends {
		assert.Len(t, s.Tokens, 100)
	}
	d := srv.Delivered()
	assert.Len(t, d, 2500)
	for tok, n := range d {
		require.Equal(t, 1, n, tok)
	}
}

func TestDeadTokensMixed(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	toks := tokens(250)
	dead := map[string]bool{}
	for _, i := range []int{0, 7, 99, 100, 101, 180, 249} {
		dead[toks[i]] = true
	}
	for tok := range dead {
		srv.Invalidate(tok)
	}
	srv.FailIDs("110003", toks[50]) // malformed
	dead[toks[50]] = true
	off := map[string]bool{toks[60]: true, toks[61]: true}
	srv.FailIDs("110010", toks[60]) // notifications switched off: alive
	srv.FailIDs("110002", toks[61]) // unsubscribed: alive

	res, err := c.Push(context.Background(), info(), toks...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 250)
	for i, o := range res.Outcomes {
		assert.Equal(t, toks[i], o.Token)
		var ve *push.VendorError
		switch {
		case dead[o.Token]:
			assert.ErrorIs(t, o.Err, push.ErrInvalidToken, o.Token)
			require.ErrorAs(t, o.Err, &ve)
			assert.Equal(t, "110003", ve.Code)
		case off[o.Token]:
			assert.ErrorIs(t, o.Err, push.ErrDisabled, o.Token)
			assert.NotErrorIs(t, o.Err, push.ErrInvalidToken, o.Token)
		default:
			assert.NoError(t, o.Err, o.Token)
		}
	}
	assert.Len(t, res.InvalidTokens(), len(dead))
	assert.Len(t, srv.Sends(), 3)
	assert.Equal(t, 250-len(dead)-len(off), len(srv.Delivered()))
}

// TestPerIDCodes: each code Meizu lists ids under maps to its class; only
// 110003 ("pushId非法") says the pushId is void. 110002 (unsubscribed) and
// 110010 (message switch off) keep the token: ErrDisabled.
func TestPerIDCodes(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	codes := []struct {
		code     string
		kind     error
		possibly bool
	}{
		{"110002", push.ErrDisabled, false},
		{"110003", push.ErrInvalidToken, false},
		{"110005", push.ErrDisabled, false},
		{"110010", push.ErrDisabled, false},
		{"110011", push.ErrQuota, false},
		{"518", push.ErrRateLimited, false},
		{"520", push.ErrRateLimited, true},
		{"501", push.ErrUnavailable, false},
		{"513", push.ErrUnavailable, false},
		{"519", push.ErrUnavailable, false},
		{"201", push.ErrAuth, false},
		{"999999", push.ErrUnavailable, false},
	}
	toks := []string{"OK_FIRST"}
	for _, tc := range codes {
		srv.FailIDs(tc.code, "ID_"+tc.code)
		toks = append(toks, "ID_"+tc.code)
	}
	toks = append(toks, "OK_LAST")
	res, err := c.Push(context.Background(), info(), toks...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(toks))
	assert.NoError(t, res.Outcomes[0].Err)
	assert.NoError(t, res.Outcomes[len(toks)-1].Err)
	for i, tc := range codes {
		t.Run(tc.code, func(t *testing.T) {
			o := res.Outcomes[i+1]
			assert.ErrorIs(t, o.Err, tc.kind, tc.code)
			var ve *push.VendorError
			require.ErrorAs(t, o.Err, &ve)
			assert.Equal(t, tc.code, ve.Code)
			assert.Equal(t, tc.possibly, ve.PossiblyDelivered, tc.code)
			assert.NotEmpty(t, o.MessageID, "the msgId applies to failed ids too")
		})
	}
	assert.Equal(t, []string{"ID_110003"}, res.InvalidTokens())
	assert.Len(t, srv.Sends(), 1, "per-id failures are not retried")
}

func TestCommaInToken(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	res, err := c.Push(context.Background(), info(), "PID_A", "PID_B,PID_C", "PID_D", "")
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 4)
	assert.NoError(t, res.Outcomes[0].Err)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	assert.NoError(t, res.Outcomes[2].Err)
	assert.ErrorIs(t, res.Outcomes[3].Err, push.ErrInvalidToken)
	require.Len(t, srv.Sends(), 1)
	assert.Equal(t, []string{"PID_A", "PID_D"}, srv.Sends()[0].Tokens)

	// nothing sendable: no request
	srv.Reset()
	res, err = c.Push(context.Background(), info(), "a,b")
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrInvalidToken)
	assert.Empty(t, srv.Records())
}

// ---- top-level codes, retries ---------------------------------------------

func TestTopLevelCodes(t *testing.T) {
	for _, tc := range []struct {
		code     string
		times    int
		kind     error // nil: delivered in the end
		requests int
	}{
		{"110019", 1, push.ErrQuota, 1}, // quota: no retry
		{"110051", 1, push.ErrQuota, 1},
		{"1006", 1, push.ErrAuth, 1},
		{"110000", 1, push.ErrAuth, 1},
		{"110033", 1, push.ErrAuth, 1},
		{"110009", 1, push.ErrAuth, 1},
		{"1005", 1, push.ErrInvalidMessage, 1},
		{"110004", 1, push.ErrInvalidMessage, 1},
		{"500", 1, push.ErrUnavailable, 1},     // unknown whether pushed: not retried
		{"1003", 1, nil, 2},                    // busy: retried, then delivered
		{"1001", 1, nil, 2},                    // system error: retried
		{"110010", 1, nil, 2},                  // rate limited: retried
		{"110010", -1, push.ErrRateLimited, 3}, // until retries run out
		{"1003", -1, push.ErrUnavailable, 3},
	} {
		t.Run(fmt.Sprintf("%s×%d", tc.code, tc.times), func(t *testing.T) {
			c, srv := setup(t, meizu.Config{})
			srv.Inject(pushtest.Fault{Code: tc.code, Times: tc.times})
			res, err := c.Push(context.Background(), info(), "PID_A", "PID_B")
			require.NoError(t, err)
			require.Len(t, res.Outcomes, 2)
			for _, o := range res.Outcomes {
				if tc.kind == nil {
					assert.NoError(t, o.Err)
					continue
				}
				assert.ErrorIs(t, o.Err, tc.kind)
				var ve *push.VendorError
				require.ErrorAs(t, o.Err, &ve)
				assert.Equal(t, tc.code, ve.Code)
				assert.Equal(t, 200, ve.HTTPStatus)
			}
			assert.Len(t, srv.Sends(), tc.requests)
			if tc.kind == nil {
				assert.Equal(t, map[string]int{"PID_A": 1, "PID_B": 1}, srv.Delivered())
			} else {
				assert.Empty(t, srv.Delivered())
			}
		})
	}
}

func TestQuotaNoRetry(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	srv.Inject(pushtest.Fault{Code: "110019", Times: -1})
	res, err := c.Push(context.Background(), info(), tokens(150)...)
	require.NoError(t, err)
	for _, o := range res.Outcomes {
		require.ErrorIs(t, o.Err, push.ErrQuota)
		require.False(t, push.IsRetryable(o.Err))
	}
	assert.Len(t, srv.Sends(), 2, "one request per batch, none retried")
}

func Test5xxThenSuccess(t *testing.T) {
	for _, status := range []int{500, 502, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			c, srv := setup(t, meizu.Config{})
			srv.Inject(pushtest.Fault{Status: status, Body: "<html>bad gateway</html>", ContentType: "text/html"})
			res, err := c.Push(context.Background(), info(), "PID_A", "PID_B", "PID_C")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			assert.Len(t, srv.Sends(), 2)
			assert.Equal(t, map[string]int{"PID_A": 1, "PID_B": 1, "PID_C": 1}, srv.Delivered())
		})
	}
}

func TestHTTPErrors(t *testing.T) {
	for _, tc := range []struct {
		fault pushtest.Fault
		kind  error
	}{
		{pushtest.Fault{Status: 503, Times: -1}, push.ErrUnavailable},
		{pushtest.Fault{Status: 429, RetryAfter: 30 * time.Second}, push.ErrRateLimited},
		{pushtest.Fault{Status: 403, Body: "forbidden"}, push.ErrAuth},
		{pushtest.Fault{Status: 400, Body: `{"code":"1005","message":"参数错误"}`}, push.ErrInvalidMessage},
	} {
		t.Run(fmt.Sprint(tc.fault.Status), func(t *testing.T) {
			c, srv := setup(t, meizu.Config{})
			srv.Inject(tc.fault)
			res, err := c.Push(context.Background(), info(), "PID_A")
			require.NoError(t, err)
			assert.ErrorIs(t, res.Err(), tc.kind, "%+v", tc.fault)
			assert.Empty(t, srv.Delivered())
		})
	}
}

func TestResetNotRetried(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	srv.Inject(pushtest.Fault{Reset: true})
	res, err := c.Push(context.Background(), info(), "PID_A")
	require.NoError(t, err)
	var ve *push.VendorError
	require.ErrorAs(t, res.Err(), &ve)
	assert.ErrorIs(t, ve, push.ErrUnavailable)
	assert.True(t, ve.PossiblyDelivered, "Meizu cannot dedupe: a request that may have arrived is not repeated")
	assert.Len(t, srv.Sends(), 1)
}

// TestTopLevelPushIDCodes: a top-level 110003 (pushId invalid) or 110002
// (unsubscribed) names no pushId. For one pushId it is that pushId's
// answer; a batch is settled by batch.Run: each pushId asked about alone
// (nothing was pushed, so nothing is shown twice) or, for a large batch, a
// likely misconfiguration. A live pushId is never reported dead for a
// neighbour.
func TestTopLevelPushIDCodes(t *testing.T) {
	t.Run("batch rejected once: each pushId alone, all delivered", func(t *testing.T) {
		c, srv := setup(t, meizu.Config{})
		srv.Inject(pushtest.Fault{Code: "110003", Times: 1})
		res, err := c.Push(context.Background(), info(), "PID_A", "PID_B", "PID_C")
		require.NoError(t, err)
		require.NoError(t, res.Err())
		assert.Len(t, srv.Sends(), 4) // [A B C] rejected, then A, B and C
		assert.Equal(t, map[string]int{"PID_A": 1, "PID_B": 1, "PID_C": 1}, srv.Delivered())
	})
	t.Run("every request rejected: each pushId's own verdict", func(t *testing.T) {
		c, srv := setup(t, meizu.Config{})
		srv.Inject(pushtest.Fault{Code: "110003", Times: -1})
		res, err := c.Push(context.Background(), info(), "PID_A", "PID_B", "PID_C", "PID_D")
		require.NoError(t, err)
		assert.Len(t, res.InvalidTokens(), 4)
		assert.Len(t, srv.Sends(), 5) // 1 + 4
	})
	t.Run("unsubscribed, single pushId", func(t *testing.T) {
		c, srv := setup(t, meizu.Config{})
		srv.Inject(pushtest.Fault{Code: "110002", Times: -1})
		res, err := c.Push(context.Background(), info(), "PID_A")
		require.NoError(t, err)
		assert.ErrorIs(t, res.Err(), push.ErrDisabled)
		assert.Empty(t, res.InvalidTokens())
		assert.Len(t, srv.Sends(), 1)
	})
	t.Run("unsubscribed, batch", func(t *testing.T) {
		c, srv := setup(t, meizu.Config{})
		srv.Inject(pushtest.Fault{Code: "110002", Times: 1})
		srv.FailIDs("110002", "PID_B")
		res, err := c.Push(context.Background(), info(), "PID_A", "PID_B", "PID_C")
		require.NoError(t, err)
		assert.NoError(t, res.Outcomes[0].Err)
		assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrDisabled)
		assert.NoError(t, res.Outcomes[2].Err)
		assert.Len(t, srv.Sends(), 4)
	})
	t.Run("large batch: likely a misconfiguration", func(t *testing.T) {
		c, srv := setup(t, meizu.Config{})
		srv.Inject(pushtest.Fault{Code: "110003", Times: -1})
		res, err := c.Push(context.Background(), info(), tokens(50)...)
		require.NoError(t, err)
		assert.Empty(t, res.InvalidTokens())
		for _, o := range res.Outcomes {
			require.ErrorIs(t, o.Err, push.ErrAuth)
			assert.ErrorContains(t, o.Err, "likely a misconfiguration")
		}
		assert.Len(t, srv.Sends(), 1, "nothing re-sent")
	})
	t.Run("guard off: the verdict as given", func(t *testing.T) {
		c, srv := setup(t, meizu.Config{}, push.WithMisconfigGuard(0))
		srv.Inject(pushtest.Fault{Code: "110003", Times: -1})
		res, err := c.Push(context.Background(), info(), "PID_A", "PID_B")
		require.NoError(t, err)
		assert.Len(t, res.InvalidTokens(), 2)
		assert.Len(t, srv.Sends(), 1)
	})
}

func TestLenientDecode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		body  string
		kinds []error // per token A, B; nil = delivered
		msgID string
	}{
		{"numeric code", `{"code":200,"value":{},"msgId":"m1"}`, []error{nil, nil}, "m1"},
		{"value empty string", `{"code":"200","message":"","value":"","msgId":"m2"}`, []error{nil, nil}, "m2"},
		{"value missing", `{"code":"200"}`, []error{nil, nil}, ""},
		{"ids as a comma string", `{"code":"200","value":{"110003":"PID_B"},"msgId":"m3"}`, []error{nil, push.ErrInvalidToken}, "m3"},
		{"value as a string holding the object", `{"code":"200","value":"{\"110003\":[\"PID_A\"]}","msgId":"m3"}`, []error{push.ErrInvalidToken, nil}, "m3"},
		{"unknown ids ignored", `{"code":"200","value":{"110003":["PID_X"]},"msgId":"m4"}`, []error{nil, nil}, "m4"},
		{"null list", `{"code":"200","value":{"110003":null},"msgId":"m4"}`, []error{nil, nil}, "m4"},
		{"padded id", `{"code":"200","value":{"110003":[" PID_A"]},"msgId":"m5"}`, []error{push.ErrInvalidToken, nil}, "m5"},
		{"numeric msgId", `{"code":"200","value":{},"msgId":12345}`, []error{nil, nil}, "12345"},
		{"broken json", `{"code":`, []error{push.ErrUnavailable, push.ErrUnavailable}, ""},
		{"html", `<html>ok</html>`, []error{push.ErrUnavailable, push.ErrUnavailable}, ""},
		{"no code", `{"value":{}}`, []error{push.ErrUnavailable, push.ErrUnavailable}, ""},
		{"unknown top-level code", `{"code":"777","message":"新错误","value":""}`, []error{push.ErrUnavailable, push.ErrUnavailable}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, meizu.Config{})
			srv.Inject(pushtest.Fault{Body: tc.body, ContentType: "application/json"})
			res, err := c.Push(context.Background(), info(), "PID_A", "PID_B")
			require.NoError(t, err)
			for i, want := range tc.kinds {
				o := res.Outcomes[i]
				if want == nil {
					assert.NoError(t, o.Err, o.Token)
				} else {
					assert.ErrorIs(t, o.Err, want, o.Token)
				}
				assert.Equal(t, tc.msgID, o.MessageID)
			}
			assert.Len(t, srv.Sends(), 1)
		})
	}
}

// ---- input and config errors ----------------------------------------------

func TestNewConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg   meizu.Config
		field string
	}{
		{meizu.Config{AppSecret: appSecret}, "AppID is required"},
		{meizu.Config{AppID: "  ", AppSecret: appSecret}, "AppID is required"},
		{meizu.Config{AppID: "app-100999", AppSecret: appSecret}, "AppID must be the numeric appId"},
		{meizu.Config{AppID: appID}, "AppSecret is required"},
		{meizu.Config{AppID: appID, AppSecret: " "}, "AppSecret is required"},
		{meizu.Config{AppID: appID, AppSecret: appSecret, NoticeMsgType: 2}, "NoticeMsgType must be"},
		{meizu.Config{AppID: appID, AppSecret: appSecret, TTL: -time.Hour}, "TTL must not be negative"},
		{meizu.Config{AppID: appID, AppSecret: appSecret, Host: "server-api-push.meizu.com"}, "Host must be"},
		{meizu.Config{AppID: appID, AppSecret: appSecret, Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x"}}, "Click.URL"},
		{meizu.Config{AppID: appID, AppSecret: appSecret, Click: push.ClickAction{Kind: push.ClickOpenPage,
			Intent: "intent:#Intent;action=x;end"}}, "Click.Intent has no component"},
		{meizu.Config{AppID: appID, AppSecret: appSecret, Click: push.ClickAction{Kind: 9}}, "Click.Kind"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			c, err := meizu.New(tc.cfg)
			assert.Nil(t, c)
			require.ErrorIs(t, err, push.ErrConfig, tc.field)
			assert.Contains(t, err.Error(), "meizu: invalid config: "+tc.field)
		})
	}
	_, err := meizu.New(meizu.Config{AppID: appID, AppSecret: appSecret}, push.WithEndpoint("not a url"))
	assert.ErrorIs(t, err, push.ErrConfig)
}

func TestInvalidMessageBeforeAnyRequest(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	strict, _ := setup(t, meizu.Config{}, push.WithStrictLength())
	long := "https://example.com/" + strings.Repeat("a", 1000)
	for _, tc := range []struct {
		c     *meizu.Client
		info  *push.OfflinePushInfo
		field string
	}{
		{c, nil, "OfflinePushInfo"},
		{c, &push.OfflinePushInfo{Title: "t"}, "Desc"},
		{c, &push.OfflinePushInfo{Title: "t", Desc: "   "}, "Desc"},
		{c, &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: long}}, "Click.URL"},
		{c, &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "/relative"}}, "Click.URL"},
		{c, &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage}}, "Click"},
		{c, &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;scheme=x;end"}}, "Click.Intent"},
		{c, &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "ChatActivity"}}, "Click.Activity"},
		{c, &push.OfflinePushInfo{Title: "t", Desc: "d", TTL: -1}, "TTL"},
		{c, &push.OfflinePushInfo{Title: "t\xff", Desc: "d"}, "Title"},
		{strict, &push.OfflinePushInfo{Title: strings.Repeat("x", 33), Desc: "d"}, "Title"},
		{strict, &push.OfflinePushInfo{Title: strings.Repeat("😀", 17), Desc: "d"}, "Title"},
		{strict, &push.OfflinePushInfo{Title: "t", Desc: strings.Repeat("x", 101)}, "Desc"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			res, err := tc.c.Push(context.Background(), tc.info, "PID_A")
			assert.Nil(t, res)
			require.ErrorIs(t, err, push.ErrInvalidMessage, tc.field)
			var fe *push.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
	assert.Empty(t, srv.Records())

	_, err := c.Form(info())
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	_, err = c.Form(info(), tokens(101)...)
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
}

// TestLengths: title and content are fitted to Meizu's 32 and 100
// characters (counted as Java counts them: an emoji is 2), cut on a
// character boundary and ended with "…"; at the limit they are sent as
// they are; WithStrictLength refuses instead. The fake refuses longer ones.
func TestLengths(t *testing.T) {
	r := strings.Repeat
	for _, tc := range []struct {
		name                string
		title, desc         string
		wantTitle, wantDesc string
	}{
		{"CJK at the limits", r("标", 32), r("内", 100), r("标", 32), r("内", 100)},
		{"CJK over", r("标", 33), r("内", 101), r("标", 31) + "…", r("内", 99) + "…"},
		{"emoji at the limits", r("😀", 16), r("🎉", 50), r("😀", 16), r("🎉", 50)},
		{"emoji over", r("😀", 16) + "a", r("🎉", 50) + "b", r("😀", 15) + "…", r("🎉", 49) + "…"},
		{"mixed at the limits", "Hi 你好 " + r("a", 24) + "😀", r("a", 98) + "😀", "Hi 你好 " + r("a", 24) + "😀", r("a", 98) + "😀"},
		// an emoji is never split: 31 units leave no room for it beside "…"
		{"mixed over", "Hi 你好 " + r("a", 25) + "😀", r("a", 99) + "😀", "Hi 你好 " + r("a", 25) + "…", r("a", 99) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, meizu.Config{})
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: tc.title, Desc: tc.desc}, "PID_A")
			require.NoError(t, err)
			require.NoError(t, res.Err(), "the fake accepts the fitted texts")
			bar := messageOf(t, srv.Sends()[0])["noticeBarInfo"].(map[string]any)
			assert.Equal(t, tc.wantTitle, bar["title"])
			assert.Equal(t, tc.wantDesc, bar["content"])
		})
	}
	strict, srv := setup(t, meizu.Config{}, push.WithStrictLength())
	_, err := strict.Push(context.Background(), &push.OfflinePushInfo{Title: r("😀", 16) + "a", Desc: "d"}, "PID_A")
	require.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.ErrorContains(t, err, "Title is too long: 33 UTF-16 units, the limit is 32")
	_, err = strict.Push(context.Background(), &push.OfflinePushInfo{Title: r("😀", 16), Desc: r("内", 100)}, "PID_A")
	require.NoError(t, err, "strict sends what fits")
	assert.Len(t, srv.Sends(), 1)

	// Ext (clickTypeInfo.parameters) has no documented limit: never cut
	c, srv := setup(t, meizu.Config{})
	ext := `{"t":"` + r("你", 3000) + `"}`
	_, err = c.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d", Ext: ext}, "PID_A")
	require.NoError(t, err)
	ct := messageOf(t, srv.Sends()[0])["clickTypeInfo"].(map[string]any)
	assert.Equal(t, map[string]any{"ext": ext}, ct["parameters"])
}

// TestEmptyTitle: Meizu requires a title; an empty one falls back to the
// client's default title, else to the content, instead of being refused.
func TestEmptyTitle(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  []push.Option
		title string
		want  string
	}{
		{"no default: the content", nil, "", "See you at 8?"},
		{"blank, no default", nil, " ", "See you at 8?"},
		{"default title", []push.Option{push.WithDefaultTitle("MyChat")}, "", "MyChat"},
		{"own title wins", []push.Option{push.WithDefaultTitle("MyChat")}, "Alice", "Alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, meizu.Config{}, tc.opts...)
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: tc.title, Desc: "See you at 8?"}, "PID_A")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			bar := messageOf(t, srv.Sends()[0])["noticeBarInfo"].(map[string]any)
			assert.Equal(t, tc.want, bar["title"])
			assert.Equal(t, "See you at 8?", bar["content"])
		})
	}
	c, srv := setup(t, meizu.Config{})
	_, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: strings.Repeat("内", 40)}, "PID_A")
	require.NoError(t, err)
	bar := messageOf(t, srv.Sends()[0])["noticeBarInfo"].(map[string]any)
	assert.Equal(t, strings.Repeat("内", 31)+"…", bar["title"], "the content standing in for the title fits the title's limit")
}

// TestOnlySaidIsDelivered: code "200" is Meizu saying it took the request;
// its value lists the ids that failed. An answer that says less, or whose
// value cannot be read, is not a success: ErrUnavailable, possibly
// delivered (Meizu cannot deduplicate a resend).
func TestOnlySaidIsDelivered(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"null", `null`},
		{"empty object", `{}`},
		{"no code", `{"value":{},"msgId":"m1"}`},
		{"code of another type", `{"code":{},"value":{}}`},
		{"value a number", `{"code":"200","value":5,"msgId":"m1"}`},
		{"value a list", `{"code":"200","value":["PID_A"],"msgId":"m1"}`},
		{"value a plain string", `{"code":"200","value":"PID_A","msgId":"m1"}`},
		{"ids of another type", `{"code":"200","value":{"110003":{"id":"PID_A"}},"msgId":"m1"}`},
		{"id of another type", `{"code":"200","value":{"110003":["PID_A",{}]},"msgId":"m1"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, meizu.Config{})
			srv.Inject(pushtest.Fault{Body: tc.body, ContentType: "application/json"})
			res, err := c.Push(context.Background(), info(), "PID_A", "PID_B")
			require.NoError(t, err)
			for _, o := range res.Outcomes {
				require.ErrorIs(t, o.Err, push.ErrUnavailable, o.Token)
				var ve *push.VendorError
				require.ErrorAs(t, o.Err, &ve)
				assert.True(t, ve.PossiblyDelivered, o.Token)
				assert.ErrorContains(t, o.Err, "may have been pushed")
			}
			assert.Len(t, srv.Sends(), 1, "not retried: Meizu cannot deduplicate")
		})
	}
}

func TestContextAndEmpty(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	res, err := c.Push(context.Background(), info())
	require.NoError(t, err)
	assert.Empty(t, res.Outcomes)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Push(ctx, info(), "PID_A")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, srv.Records())
}

func TestConcurrentPush(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Push(context.Background(), info(), fmt.Sprintf("A%02d", i), fmt.Sprintf("B%02d", i))
			if err == nil {
				err = res.Err()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	d := srv.Delivered()
	assert.Len(t, d, 100)
	for _, n := range d {
		assert.Equal(t, 1, n)
	}
}

// ---- secrets ----------------------------------------------------------------

func TestSecretNeverShown(t *testing.T) {
	const secret = "Zq7-meizu-app-secret-9f3k"
	cfg := meizu.Config{AppID: appID, AppSecret: secret}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), fmt.Sprintf("%+v", &cfg)} {
		assert.NotContains(t, s, secret)
		assert.Contains(t, s, "<redacted>")
	}

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := pushtest.NewMeizu(appID, secret)
	defer srv.Close()
	c, err := meizu.New(cfg, push.WithEndpoint(srv.URL()), push.WithLogger(logger), fastRetry)
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%v %+v %s", c, c, c), secret)

	srv.Invalidate("PID_DEAD")
	srv.Inject(
		pushtest.Fault{Status: 503},
		pushtest.Fault{Code: "1006"},
		pushtest.Fault{Reset: true},
		pushtest.Fault{Code: "1003", Times: 3},
	)
	var texts []string
	for range 5 {
		res, err := c.Push(context.Background(), info(), "PID_A", "PID_DEAD")
		require.NoError(t, err)
		for _, o := range res.Outcomes {
			if o.Err != nil {
				texts = append(texts, o.Err.Error(), fmt.Sprintf("%+v %#v", o.Err, o.Err))
			}
		}
	}
	// a wrong secret is reported as ErrAuth without showing either secret
	bad, err := meizu.New(meizu.Config{AppID: appID, AppSecret: "wrong-" + secret}, push.WithEndpoint(srv.URL()), push.WithLogger(logger))
	require.NoError(t, err)
	res, err := bad.Push(context.Background(), info(), "PID_A")
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	texts = append(texts, res.Err().Error())

	require.NotEmpty(t, logs.String())
	for _, s := range append(texts, logs.String()) {
		assert.NotContains(t, s, secret)
	}
	for _, r := range srv.Records() {
		assert.NotContains(t, r.Dump(), secret)
	}
}

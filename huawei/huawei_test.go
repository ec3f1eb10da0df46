package huawei_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/pushkit"
	"github.com/offlinepush/push/pushtest"
)

const (
	appID = "104536617"
	// a secret with the characters a raw (unencoded) form body would break
	secret = "hw+secret/9f8e=7d&x"
)

var fastRetry = push.WithRetry(push.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: time.Second})

func setup(t *testing.T, cfg huawei.Config, opts ...push.Option) (*huawei.Client, *pushtest.Huawei) {
	t.Helper()
	srv := pushtest.NewHuawei(appID, secret)
	t.Cleanup(srv.Close)
	if cfg.AppID == "" {
		cfg.AppID = appID
	}
	if cfg.AppSecret == "" {
		cfg.AppSecret = secret
	}
	c, err := huawei.New(cfg, append([]push.Option{push.WithEndpoint(srv.URL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c, srv
}

// msg is deterministic: CollapseID fixes notify_id.
func msg(click push.ClickAction) *push.OfflinePushInfo {
	return &push.OfflinePushInfo{Title: "Hello", Desc: "World", Ext: `{"k":"v"}`, Click: click,
		TTL: 24 * time.Hour, CollapseID: "chat-42"}
}

var clicks = map[string]push.ClickAction{
	"default": {},
	"app":     {Kind: push.ClickOpenApp},
	"url":     {Kind: push.ClickOpenURL, URL: "https://example.com/page?a=1&b=2"},
	"page":    {Kind: push.ClickOpenPage, Intent: "intent://com.example.app/chat?id=1#Intent;scheme=pushscheme;launchFlags=0x4000000;end"},
}

func tokensN(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

func TestGoldenBodies(t *testing.T) {
	for name, click := range clicks {
		for _, n := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s_%d", name, n), func(t *testing.T) {
				c, srv := setup(t, huawei.Config{})
				res, err := c.Push(context.Background(), msg(click), []string{"TOKEN1", "TOKEN2", "TOKEN3"}[:n]...)
				require.NoError(t, err)
				require.NoError(t, res.Err())
				sends := srv.Sends()
				require.Len(t, sends, 1)
				r := sends[0]
				assert.Equal(t, "POST", r.Method)
				assert.Equal(t, "/v1/"+appID+"/messages:send", r.Path)
				assert.Regexp(t, `^Bearer \S+$`, r.Header.Get("Authorization"))
				assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
				golden.Assert(t, fmt.Sprintf("%s_%d.json", name, n), r.Body)
			})
		}
	}
}

// TestReferenceExample checks the body field by field against the example
// of the reference (xiaomi-huawei-honor.md §2.4).
func TestReferenceExample(t *testing.T) {
	const ref = `{
	  "message": {
	    "android": {
	      "category": "IM",
	      "notification": {
	        "body": "World",
	        "click_action": {"type": 2, "url": "https://example.com/page"},
	        "default_sound": true,
	        "importance": "NORMAL",
	        "title": "Hello"
	      },
	      "ttl": "86400s"
	    },
	    "data": "{\"ext\":\"{\\\"k\\\":\\\"v\\\"}\"}",
	    "token": ["TOKEN1"]
	  },
	  "validate_only": false
	}`
	c, srv := setup(t, huawei.Config{})
	info := msg(push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/page"})
	_, err := c.Push(context.Background(), info, "TOKEN1")
	require.NoError(t, err)

	var want, got map[string]any
	require.NoError(t, json.Unmarshal([]byte(ref), &want))
	require.NoError(t, json.Unmarshal(srv.Sends()[0].Body, &got))
	// ours adds only notify_id (so a new message does not replace the last)
	n := got["message"].(map[string]any)["android"].(map[string]any)["notification"].(map[string]any)
	id, ok := n["notify_id"].(float64)
	require.True(t, ok, "notify_id is a number")
	assert.True(t, id > 0 && id <= 2147483647)
	delete(n, "notify_id")
	assert.Equal(t, want, got)

	// three tokens: identical except the token list
	c3, srv3 := setup(t, huawei.Config{})
	_, err = c3.Push(context.Background(), info, "TOKEN1", "TOKEN2", "TOKEN3")
	require.NoError(t, err)
	var got3 map[string]any
	require.NoError(t, json.Unmarshal(srv3.Sends()[0].Body, &got3))
	assert.Equal(t, []any{"TOKEN1", "TOKEN2", "TOKEN3"}, got3["message"].(map[string]any)["token"])
}

func TestConfigFields(t *testing.T) {
	c, srv := setup(t, huawei.Config{Category: "VOIP", Importance: huawei.ImportanceHigh, ChannelID: "calls",
		BadgeClass: "com.example.app.MainActivity", TTL: 30 * 24 * time.Hour})
	info := &push.OfflinePushInfo{Title: "t", Desc: "d", Badge: 150}
	_, err := c.Push(context.Background(), info, "TOKEN1")
	require.NoError(t, err)
	var body huawei.Request
	require.NoError(t, json.Unmarshal(srv.Sends()[0].Body, &body))
	a := body.Message.Android
	assert.Equal(t, "VOIP", a.Category)
	assert.Equal(t, "1296000s", a.TTL, "capped at 15 days")
	assert.Equal(t, "HIGH", a.Notification.Importance)
	assert.Equal(t, "calls", a.Notification.ChannelID)
	assert.Equal(t, &huawei.Badge{AddNum: 99, Class: "com.example.app.MainActivity"}, a.Notification.Badge)
	assert.Equal(t, huawei.ClickTypeApp, a.Notification.ClickAction.Type, "a click action is never missing")
	assert.Empty(t, body.Message.Data, "no ext, no data")

	// no badge class: no badge (the launcher could not place it)
	c2, srv2 := setup(t, huawei.Config{})
	_, err = c2.Push(context.Background(), &push.OfflinePushInfo{Desc: "d", Badge: 3, TTL: 1500 * time.Millisecond}, "TOKEN1")
	require.NoError(t, err)
	var body2 huawei.Request
	require.NoError(t, json.Unmarshal(srv2.Sends()[0].Body, &body2))
	assert.Nil(t, body2.Message.Android.Notification.Badge)
	assert.Equal(t, "2s", body2.Message.Android.TTL, "whole seconds, rounded up")
	assert.Empty(t, body2.Message.Android.Notification.Title)

	// the certificate's default click
	c3, srv3 := setup(t, huawei.Config{Click: clicks["page"]})
	_, err = c3.Push(context.Background(), &push.OfflinePushInfo{Desc: "d"}, "TOKEN1")
	require.NoError(t, err)
	assert.Contains(t, string(srv3.Sends()[0].Body), `"click_action":{"type":1,"intent":"intent://com.example.app/chat?id=1#Intent;scheme=pushscheme;launchFlags=0x4000000;end"}`)
}

func TestNotifyIDPolicy(t *testing.T) {
	c, _ := setup(t, huawei.Config{})
	id := func(info *push.OfflinePushInfo) int32 {
		r, err := c.Build(info)
		require.NoError(t, err)
		return r.Message.Android.Notification.NotifyID
	}
	assert.NotEqual(t, id(&push.OfflinePushInfo{Desc: "1"}), id(&push.OfflinePushInfo{Desc: "2"}), "a new message must not replace the last")
	assert.Equal(t, id(&push.OfflinePushInfo{Desc: "1", CollapseID: "c"}), id(&push.OfflinePushInfo{Desc: "2", CollapseID: "c"}), "same CollapseID, same slot")
}

func TestTokenRequest(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	_, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	recs := srv.Records()
	require.Len(t, recs, 2)
	tr := recs[0]
	assert.Equal(t, "/oauth2/v3/token", tr.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", tr.Header.Get("Content-Type"))
	assert.Equal(t, "client_credentials", tr.Form.Get("grant_type"))
	assert.Equal(t, appID, tr.Form.Get("client_id"))
	assert.Equal(t, secret, tr.Form.Get("client_secret"), "the secret survives form encoding")
	assert.Contains(t, string(tr.Body), "client_secret=hw%2Bsecret%2F9f8e%3D7d%26x")
	assert.Equal(t, 200, recs[1].Status)
}

func TestConcurrentPushesShareOneToken(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Push(context.Background(), msg(clicks["app"]), fmt.Sprintf("TOKEN-%02d", i))
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
	assert.Equal(t, 1, srv.TokenRequests())
	assert.Len(t, srv.Sends(), 50)
	assert.Len(t, srv.Delivered(), 50)
}

func TestServerSideExpiryRefreshesOnce(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	_, err := c.Push(context.Background(), msg(clicks["app"]), "warm-up")
	require.NoError(t, err)
	require.Equal(t, 1, srv.TokenRequests())

	srv.ExpireTokens()
	tokens := tokensN("tok-", 2500)
	res, err := c.Push(context.Background(), msg(clicks["app"]), tokens...)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, srv.TokenRequests(), "exactly one refresh for every concurrent batch")
	delivered := srv.Delivered()
	for _, tok := range tokens {
		assert.Equal(t, 1, delivered[tok], tok)
	}
	expired := 0
	for _, s := range srv.Sends() {
		if strings.Contains(string(s.Response), "80200003") {
			expired++
		}
	}
	// each batch sent before the refresh was refused once and resent once
	assert.True(t, expired >= 1 && expired <= 3, "refused batches: %d", expired)
	assert.Equal(t, 1+3+expired, len(srv.Sends()))
}

func TestExpiredTwiceIsAuthError(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	srv.Inject(pushtest.Fault{Code: "80200003", Times: 2})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	assert.Equal(t, 2, srv.TokenRequests(), "one refresh, no more")
	assert.Len(t, srv.Sends(), 2)
	assert.Empty(t, srv.Delivered())
}

func TestShortLivedTokenIsReused(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	srv.TokenTTL = 60 * time.Second
	for range 3 {
		_, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.TokenRequests())
}

func TestPartialSuccess(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	srv.Invalidate("dead-1", "dead-2")
	res, err := c.Push(context.Background(), msg(clicks["app"]), "ok-1", "dead-1", "ok-2", "dead-2", "ok-1")
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 5)
	assert.Equal(t, []string{"dead-1", "dead-2"}, res.InvalidTokens())
	for _, i := range []int{0, 2, 4} {
		assert.NoError(t, res.Outcomes[i].Err, res.Outcomes[i].Token)
	}
	var ve *push.VendorError
	require.ErrorAs(t, res.Outcomes[1].Err, &ve)
	assert.Equal(t, "80100000", ve.Code)
	assert.Equal(t, push.Huawei, ve.Vendor)
	reqID := srv.Sends()[0]
	for _, o := range res.Outcomes {
		assert.NotEmpty(t, o.MessageID)
		assert.Contains(t, string(reqID.Response), o.MessageID, "requestId is the message id")
	}
	assert.Equal(t, map[string]int{"ok-1": 1, "ok-2": 1}, srv.Delivered())
}

// TestAllInvalid: an 80300007 naming no token proves nothing about any one
// token of a batch, so each token is sent again alone and judged by its
// own answer.
func TestAllInvalid(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	srv.Invalidate("dead-1", "dead-2")
	res, err := c.Push(context.Background(), msg(clicks["app"]), "dead-1", "dead-2")
	require.NoError(t, err)
	assert.Equal(t, []string{"dead-1", "dead-2"}, res.InvalidTokens(), "each one's own 80300007 is proof")
	var ve *push.VendorError
	require.ErrorAs(t, res.Outcomes[0].Err, &ve)
	assert.Equal(t, "80300007", ve.Code)
	sends := srv.Sends()
	require.Len(t, sends, 3, "the batch, then each token alone")
	assert.Len(t, sends[0].Tokens, 2)
	assert.ElementsMatch(t, [][]string{{"dead-1"}, {"dead-2"}}, [][]string{sends[1].Tokens, sends[2].Tokens})
}

// TestAllInvalidBatchKeepsLiveTokens (issue 12, finding 2): an 80300007
// naming no token for a batch of live tokens (as in
// HMS-Core/hms-flutter-plugin#150, for a device that later answered
// success) marks none of them dead: each is sent again alone, and delivered.
func TestAllInvalidBatchKeepsLiveTokens(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	srv.Inject(pushtest.Fault{Body: `{"code":"80300007","msg":"All the tokens are invalid","requestId":"r0"}`, ContentType: "application/json"})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "live-1", "live-2", "live-3")
	require.NoError(t, err)
	assert.Empty(t, res.InvalidTokens())
	for _, o := range res.Outcomes {
		assert.NoError(t, o.Err, o.Token)
	}
	assert.Equal(t, map[string]int{"live-1": 1, "live-2": 1, "live-3": 1}, srv.Delivered())
	assert.Len(t, srv.Sends(), 4)
}

// TestAllInvalidNamingOneToken (issue 13, finding 4): an 80300007 whose msg
// names one token makes that token dead and no other: the others were not
// delivered either, so they are sent again, once, in one request.
func TestAllInvalidNamingOneToken(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	srv.Inject(pushtest.Fault{ContentType: "application/json",
		Body: `{"code":"80300007","msg":"{\"success\":0,\"failure\":1,\"illegal_tokens\":[\"dead\"]}","requestId":"r0"}`})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "ok-1", "dead", "ok-2")
	require.NoError(t, err)
	assert.Equal(t, []string{"dead"}, res.InvalidTokens())
	assert.NoError(t, res.Outcomes[0].Err)
	assert.NoError(t, res.Outcomes[2].Err)
	sends := srv.Sends()
	require.Len(t, sends, 2)
	assert.Equal(t, []string{"ok-1", "ok-2"}, sends[1].Tokens, "the named token is not sent again")
	assert.Equal(t, map[string]int{"ok-1": 1, "ok-2": 1}, srv.Delivered())

	// When the second answer names one token again, the tokens it leaves
	// unjudged are not sent a third time: retryable, never dead.
	c2, srv2 := setup(t, huawei.Config{})
	named := func(tok string) pushtest.Fault {
		return pushtest.Fault{ContentType: "application/json",
			Body: `{"code":"80300007","msg":"{\"illegal_tokens\":[\"` + tok + `\"]}","requestId":"r0"}`}
	}
	srv2.Inject(named("a"), named("b"))
	res, err = c2.Push(context.Background(), msg(clicks["app"]), "a", "b", "c")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, res.InvalidTokens())
	assert.ErrorIs(t, res.Outcomes[2].Err, push.ErrUnavailable)
	assert.ErrorIs(t, res.Outcomes[2].Err, pushkit.ErrNotJudged)
	assert.True(t, push.IsRetryable(res.Outcomes[2].Err))
	assert.Len(t, srv2.Sends(), 2)
}

// TestMisconfiguredApp: with an app id whose tokens are another app's,
// Huawei answers 80300007 for every live token; a batch of them is reported
// as a likely misconfiguration (ErrAuth), never as dead tokens.
func TestMisconfiguredApp(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	srv.SetMisconfigured(true)
	res, err := c.Push(context.Background(), msg(clicks["app"]), tokensN("live-", 50)...)
	require.NoError(t, err)
	assert.Empty(t, res.InvalidTokens())
	for _, o := range res.Outcomes {
		require.ErrorIs(t, o.Err, push.ErrAuth)
		assert.Contains(t, o.Err.Error(), "likely a misconfiguration")
		assert.Contains(t, o.Err.Error(), "Config.AppID")
	}
	assert.Len(t, srv.Sends(), 1, "too many to re-send one by one")
}

func TestBatchesOf1000InOrder(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	tokens := tokensN("tok-", 2500)
	srv.Invalidate("tok-1234")
	res, err := c.Push(context.Background(), msg(clicks["app"]), tokens...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 2500)
	for i, o := range res.Outcomes {
		require.Equal(t, tokens[i], o.Token)
		if o.Token == "tok-1234" {
			require.ErrorIs(t, o.Err, push.ErrInvalidToken)
			continue
		}
		require.NoError(t, o.Err)
	}
	var sizes []int
	for _, s := range srv.Sends() {
		sizes = append(sizes, len(s.Tokens))
	}
	assert.ElementsMatch(t, []int{1000, 1000, 500}, sizes)
	assert.Len(t, srv.Delivered(), 2499)
	assert.Equal(t, 1, srv.TokenRequests())
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		fault    pushtest.Fault
		requests int   // send requests
		want     error // nil: delivered
		code     string
	}{
		{"busy then ok", pushtest.Fault{Code: "81000001"}, 2, nil, ""},
		{"5xx then ok", pushtest.Fault{Status: 502, Body: "bad gateway"}, 2, nil, ""},
		{"5xx persists", pushtest.Fault{Status: 500, Body: "oops", Times: -1}, 4, push.ErrUnavailable, ""},
		{"busy persists", pushtest.Fault{Code: "81000001", Times: -1}, 4, push.ErrUnavailable, "81000001"},
		{"too large", pushtest.Fault{Code: "80300008"}, 1, push.ErrInvalidMessage, "80300008"},
		{"param error", pushtest.Fault{Code: "80100001", Status: 400}, 1, push.ErrInvalidMessage, "80100001"},
		{"no permission", pushtest.Fault{Code: "80300002"}, 1, push.ErrAuth, "80300002"},
		{"topic tasks", pushtest.Fault{Code: "80100017"}, 1, push.ErrRateLimited, "80100017"},
		{"429", pushtest.Fault{Status: 429, RetryAfter: 30 * time.Second, Body: "slow down"}, 1, push.ErrRateLimited, ""},
		{"unknown code", pushtest.Fault{Code: "89999999"}, 1, push.ErrUnavailable, "89999999"},
		{"reset is not resent", pushtest.Fault{Reset: true}, 1, push.ErrUnavailable, ""},
		{"html answer", pushtest.Fault{Body: "<html>gateway</html>", ContentType: "text/html"}, 1, push.ErrUnavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, huawei.Config{})
			srv.Inject(tt.fault)
			res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1", "TOKEN2")
			require.NoError(t, err)
			assert.Len(t, srv.Sends(), tt.requests)
			for _, o := range res.Outcomes {
				if tt.want == nil {
					assert.NoError(t, o.Err)
					continue
				}
				assert.ErrorIs(t, o.Err, tt.want)
				var ve *push.VendorError
				require.ErrorAs(t, o.Err, &ve)
				assert.Equal(t, tt.code, ve.Code)
			}
			if tt.want == nil {
				assert.Equal(t, map[string]int{"TOKEN1": 1, "TOKEN2": 1}, srv.Delivered())
			} else {
				assert.Empty(t, srv.Delivered())
			}
		})
	}
}

func TestRetryAfterKept(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	srv.Inject(pushtest.Fault{Status: 429, RetryAfter: 30 * time.Second, Body: "{}"})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	var ve *push.VendorError
	require.ErrorAs(t, res.Err(), &ve)
	assert.Equal(t, 30*time.Second, ve.RetryAfter)
}

func TestRejectedBeforeAnyRequest(t *testing.T) {
	tests := []struct {
		name  string
		info  *push.OfflinePushInfo
		field string
	}{
		{"nil", nil, "OfflinePushInfo"},
		{"empty desc", &push.OfflinePushInfo{Title: "t"}, "Desc"},
		{"http url", &push.OfflinePushInfo{Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "http://example.com/x"}}, "Click.URL must use https"},
		{"page without intent", &push.OfflinePushInfo{Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.ChatActivity"}}, "Click.Intent"},
		{"ext cannot fit", &push.OfflinePushInfo{Desc: "d", Ext: strings.Repeat("x", 4000)}, "Ext leaves no room for the text"},
		{"ext cannot fit once escaped", &push.OfflinePushInfo{Desc: "d", Ext: strings.Repeat(`"`, 1500)}, "Ext leaves no room for the text"},
		{"bad utf8", &push.OfflinePushInfo{Desc: "d\xff"}, "Desc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, huawei.Config{})
			res, err := c.Push(context.Background(), tt.info, "TOKEN1")
			assert.Nil(t, res)
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			assert.Contains(t, err.Error(), tt.field)
			assert.Empty(t, srv.Records(), "nothing sent, not even a token request")
		})
	}
	// just under the limit goes through
	c, srv := setup(t, huawei.Config{})
	r, err := c.Build(&push.OfflinePushInfo{Desc: "d", CollapseID: "c"})
	require.NoError(t, err)
	room := huawei.MaxBody - len(r.Body([]string{"T"})) + len(`"T"`) - len(`"data":"{\"ext\":\"\"}",`)
	_, err = c.Push(context.Background(), &push.OfflinePushInfo{Desc: "d", Ext: strings.Repeat("x", room), CollapseID: "c"}, "TOKEN1")
	require.NoError(t, err)
	assert.Equal(t, 200, srv.Sends()[0].Status, string(srv.Sends()[0].Response))
	_, err = c.Push(context.Background(), &push.OfflinePushInfo{Desc: "d", Ext: strings.Repeat("x", room+1), CollapseID: "c"}, "TOKEN1")
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.ErrorContains(t, err, "Ext leaves no room for the text")
}

// TestLongTextFitsBody (issue 12, finding 8): a chat message too long for
// the 4096-byte body is shortened, Desc first, then Title, with "…", never
// refused; Ext is never cut. The fake measures the body as Huawei does.
// Figures: the body without tokens, text aside, is 207 bytes with no title
// and 223 with "Alice" (3747 with a 3500-byte Ext), so "Alice" leaves 3873
// bytes: 1291 CJK characters exactly. shape.Body keeps a 6-byte margin for
// an escaped ellipsis, so a cut text ends up to 2 characters short of the
// limit (1288 + "…" = 3867 bytes, where 1290 + "…" would fit).
func TestLongTextFitsBody(t *testing.T) {
	cjk := strings.Repeat("中", 1400) // 4200 bytes
	mixed := strings.Repeat("你好 hello 👋🏽 \"ok\"\n", 200)
	tests := []struct {
		name        string
		info        *push.OfflinePushInfo
		title, body string
	}{
		{"1400 CJK, no title", &push.OfflinePushInfo{Desc: cjk},
			"", strings.Repeat("中", 1295) + "…"},
		{"1400 CJK", &push.OfflinePushInfo{Title: "Alice", Desc: cjk},
			"Alice", strings.Repeat("中", 1290) + "…"}, // exactly 4096 bytes
		{"emoji", &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("😀", 1100)},
			"Alice", strings.Repeat("😀", 967) + "…"},
		// escaped quotes and newlines count twice: cut by the escaped size
		{"mixed", &push.OfflinePushInfo{Title: "Alice", Desc: mixed},
			"Alice", strings.Repeat("你好 hello 👋🏽 \"ok\"\n", 128) + `你好 hello 👋🏽 "ok"…`},
		{"long title kept while the desc can give", &push.OfflinePushInfo{Title: strings.Repeat("标", 800), Desc: strings.Repeat("中", 800)},
			strings.Repeat("标", 800), strings.Repeat("中", 491) + "…"},
		{"title cut once the desc is one character", &push.OfflinePushInfo{Title: strings.Repeat("标", 2000), Desc: strings.Repeat("中", 2000)},
			strings.Repeat("标", 1289) + "…", "中…"},
		{"ext kept whole", &push.OfflinePushInfo{Title: "Alice", Desc: cjk, Ext: strings.Repeat("x", 3500)},
			"Alice", strings.Repeat("中", 115) + "…"},
		{"at the limit: untouched", &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("中", 1291)},
			"Alice", strings.Repeat("中", 1291)},
		{"one byte over", &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("中", 1291) + "x"},
			"Alice", strings.Repeat("中", 1290) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, huawei.Config{})
			tt.info.CollapseID = "c"
			res, err := c.Push(context.Background(), tt.info, "TOKEN1")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			sent := srv.Sends()[0]
			var body huawei.Request
			require.NoError(t, json.Unmarshal(sent.Body, &body))
			n := body.Message.Android.Notification
			assert.Equal(t, tt.title, n.Title)
			assert.Equal(t, tt.body, n.Body)
			size := len(sent.Body) - len(`"TOKEN1"`)
			assert.LessOrEqual(t, size, huawei.MaxBody)
			assert.Equal(t, payload.ExtJSON(tt.info.Ext), body.Message.Data, "Ext is never cut")
		})
	}
	t.Run("at the limit is exactly 4096 bytes", func(t *testing.T) {
		c, _ := setup(t, huawei.Config{})
		r, err := c.Build(&push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("中", 1291) + "x", CollapseID: "c"})
		require.NoError(t, err)
		r2, err := c.Build(&push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("中", 1291), CollapseID: "c"})
		require.NoError(t, err)
		assert.Equal(t, huawei.MaxBody, len(r2.Body(nil))+len(`,"token":[]`))
		assert.LessOrEqual(t, len(r.Body(nil))+len(`,"token":[]`), huawei.MaxBody)
	})
	t.Run("strict refuses", func(t *testing.T) {
		c, srv := setup(t, huawei.Config{}, push.WithStrictLength())
		_, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: "Alice", Desc: cjk, CollapseID: "c"}, "TOKEN1")
		require.ErrorIs(t, err, push.ErrInvalidMessage)
		assert.EqualError(t, err, "huawei: invalid message: Title+Desc+Ext make the body without tokens 4423 bytes; huawei allows 4096")
		assert.Empty(t, srv.Records())
	})
}

// TestEmptyTitleStaysEmpty: Huawei shows a notification without a title,
// so an empty Title is sent empty, even with a default title set (that is
// for vendors that require one).
func TestEmptyTitleStaysEmpty(t *testing.T) {
	c, srv := setup(t, huawei.Config{}, push.WithDefaultTitle("MyApp"))
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "TOKEN1")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	var body huawei.Request
	require.NoError(t, json.Unmarshal(srv.Sends()[0].Body, &body))
	assert.Empty(t, body.Message.Android.Notification.Title)
	assert.NotContains(t, string(srv.Sends()[0].Body), `"title"`)
	assert.Equal(t, "hi", body.Message.Android.Notification.Body)
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  huawei.Config
		want string
	}{
		{"no app id", huawei.Config{AppSecret: "s"}, "AppID is required"},
		{"app id with slash", huawei.Config{AppID: "1/2", AppSecret: "s"}, "AppID must be"},
		{"no secret", huawei.Config{AppID: "1"}, "AppSecret is required"},
		{"blank secret", huawei.Config{AppID: "1", AppSecret: "  "}, "AppSecret is required"},
		{"category", huawei.Config{AppID: "1", AppSecret: "s", Category: "im"}, "Category must be"},
		{"importance", huawei.Config{AppID: "1", AppSecret: "s", Importance: "URGENT"}, "Importance must be"},
		{"badge class", huawei.Config{AppID: "1", AppSecret: "s", BadgeClass: "MainActivity"}, "BadgeClass must be"},
		{"ttl", huawei.Config{AppID: "1", AppSecret: "s", TTL: -time.Second}, "TTL must not be negative"},
		{"http click", huawei.Config{AppID: "1", AppSecret: "s", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "http://x.com"}}, "Click.URL must use https"},
		{"page click without intent", huawei.Config{AppID: "1", AppSecret: "s", Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "a.B"}}, "Click.Intent is required"},
		{"host", huawei.Config{AppID: "1", AppSecret: "s", Host: "push-api.cloud.huawei.com"}, "Host must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := huawei.New(tt.cfg)
			assert.Nil(t, c)
			require.ErrorIs(t, err, push.ErrConfig)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "invalid message")
		})
	}
	_, err := huawei.New(huawei.Config{AppID: "1", AppSecret: "s"}, push.WithEndpoint("not a url"))
	assert.ErrorIs(t, err, push.ErrConfig)
}

func TestWrongSecret(t *testing.T) {
	srv := pushtest.NewHuawei(appID, secret)
	defer srv.Close()
	c, err := huawei.New(huawei.Config{AppID: appID, AppSecret: "wrong+secret"}, push.WithEndpoint(srv.URL()), fastRetry)
	require.NoError(t, err)
	res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1", "TOKEN2")
	require.NoError(t, err)
	for _, o := range res.Outcomes {
		assert.ErrorIs(t, o.Err, push.ErrAuth)
		var ve *push.VendorError
		require.ErrorAs(t, o.Err, &ve)
		assert.Equal(t, 401, ve.HTTPStatus)
		assert.NotContains(t, o.Err.Error(), "wrong+secret")
	}
	assert.Equal(t, 1, srv.TokenRequests(), "a refused token request is not retried")
	assert.Empty(t, srv.Sends())
}

func TestSecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := setup(t, huawei.Config{}, push.WithLogger(logger))
	srv.Inject(pushtest.Fault{Code: "80200003"}, pushtest.Fault{Status: 500, Body: "x"})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	require.NoError(t, res.Err())

	var accessTokens []string
	for _, r := range srv.Records() {
		if at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			accessTokens = append(accessTokens, at)
		}
		assert.NotContains(t, r.Dump(), secret)
		assert.NotContains(t, r.Dump(), "hw%2Bsecret")
	}
	require.NotEmpty(t, accessTokens)
	require.NotEmpty(t, logs.String())

	cfg := huawei.Config{AppID: appID, AppSecret: secret}
	c2, srv2 := setup(t, huawei.Config{}, push.WithLogger(logger))
	srv2.ExpireTokens()
	srv2.Inject(pushtest.Fault{Code: "80200001", Times: -1})
	res2, err := c2.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	outputs := []string{logs.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), res2.Err().Error()}
	for _, out := range outputs {
		assert.NotContains(t, out, secret)
		assert.NotContains(t, out, "hw%2Bsecret")
		for _, at := range accessTokens {
			assert.NotContains(t, out, at)
		}
	}
	assert.Contains(t, fmt.Sprint(cfg), "AppSecret:<redacted>")
}

func TestSharedTokenSource(t *testing.T) {
	srv := pushtest.NewHuawei(appID, secret)
	defer srv.Close()
	// a token fetched elsewhere (another process) and shared
	first, err := huawei.New(huawei.Config{AppID: appID, AppSecret: secret}, push.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	_, err = first.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	at := strings.TrimPrefix(srv.Sends()[0].Header.Get("Authorization"), "Bearer ")

	c, err := huawei.New(huawei.Config{AppID: appID, AppSecret: "unused"}, push.WithEndpoint(srv.URL()),
		push.WithTokenSource(staticSource(at)))
	require.NoError(t, err)
	res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN2")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 1, srv.TokenRequests())
}

type staticSource string

func (s staticSource) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s)}, nil
}

func TestCanceledContext(t *testing.T) {
	c, srv := setup(t, huawei.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Push(ctx, msg(clicks["app"]), "TOKEN1")
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Empty(t, srv.Records())
}

func TestVendor(t *testing.T) {
	c, _ := setup(t, huawei.Config{})
	var p push.Pusher = c
	assert.Equal(t, push.Huawei, p.Vendor())
}

// An answer that quotes the AppSecret (a proxy or the vendor echoing the
// request), as sent, form-escaped or JSON-escaped, never carries it into an
// error: the client's transport redacts it before decode reads msg.
func TestAnswerQuotingTheSecret(t *testing.T) {
	jsonEscaped, err := json.Marshal(secret) // "&" as \u0026
	require.NoError(t, err)
	for _, tc := range []struct{ name, quoted string }{
		{"as sent", secret},
		{"form-escaped", url.QueryEscape(secret)},
		{"JSON-escaped", string(jsonEscaped[1 : len(jsonEscaped)-1])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, huawei.Config{})
			srv.Inject(pushtest.Fault{ContentType: "application/json",
				Body: `{"code":"80100001","msg":"bad ` + tc.quoted + ` and ` + tc.quoted + `"}`})
			res, err := c.Push(context.Background(), msg(clicks["default"]), "TOKEN1")
			require.NoError(t, err)
			var ve *push.VendorError
			require.ErrorAs(t, res.Err(), &ve)
			assert.Equal(t, "bad <redacted> and <redacted>", ve.Message)
			assert.NotContains(t, res.Err().Error(), tc.quoted)
		})
	}
}

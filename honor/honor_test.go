package honor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
	"github.com/offlinepush/push/pushtest"
)

const (
	testAppID  = "104412345"
	testClient = "client-id-7f3a"
	testSecret = "s3cr&t=+ %/é-secret"
)

// fast retries keep the retry tests quick.
var fastRetry = push.WithRetry(push.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond,
	MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: time.Second})

func newFake(t *testing.T) *pushtest.Honor {
	t.Helper()
	srv := pushtest.NewHonor(testAppID, testClient, testSecret)
	t.Cleanup(srv.Close)
	return srv
}

func testConfig() Config {
	return Config{AppID: testAppID, ClientID: testClient, ClientSecret: testSecret,
		BadgeClass: "com.example.chat.MainActivity"}
}

func newClient(t *testing.T, srv *pushtest.Honor, cfg Config, opts ...push.Option) *Client {
	t.Helper()
	c, err := New(cfg, append([]push.Option{push.WithEndpoint(srv.URL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c
}

func hello() *push.OfflinePushInfo {
	return &push.OfflinePushInfo{Title: "Hello", Desc: "World", Ext: `{"k":"v"}`, CollapseID: "chat-42"}
}

func tokensN(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}

// --- config -----------------------------------------------------------------

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*Config)
		field string
	}{
		{"no app id", func(c *Config) { c.AppID = " " }, "AppID"},
		{"app id with slash", func(c *Config) { c.AppID = "1/../2" }, "AppID"},
		{"no client id", func(c *Config) { c.ClientID = "" }, "ClientID"},
		{"no client secret", func(c *Config) { c.ClientSecret = "" }, "ClientSecret"},
		{"negative ttl", func(c *Config) { c.TTL = -time.Second }, "TTL"},
		{"importance HIGH", func(c *Config) { c.Importance = "HIGH" }, "Importance"},
		{"importance lower case", func(c *Config) { c.Importance = "normal" }, "Importance"},
		{"bad badge class", func(c *Config) { c.BadgeClass = "MainActivity" }, "BadgeClass"},
		{"http click url", func(c *Config) { c.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "http://example.com"} }, "Click.URL"},
		{"page without intent", func(c *Config) {
			c.Click = push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.ChatActivity"}
		}, "Click.Intent"},
		{"bad click kind", func(c *Config) { c.Click = push.ClickAction{Kind: 9} }, "Click.Kind"},
		{"http token url", func(c *Config) { c.TokenURL = "http://iam.example.com/token" }, "TokenURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.mod(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.ErrorIs(t, err, push.ErrConfig)
			var fe *push.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
	_, err := New(testConfig(), push.WithEndpoint("not a url"))
	assert.ErrorIs(t, err, push.ErrConfig)
}

func TestNewDoesNoIO(t *testing.T) {
	srv := newFake(t)
	newClient(t, srv, testConfig())
	assert.Empty(t, srv.Records())
}

func TestSecretsMaskedInPrint(t *testing.T) {
	cfg := testConfig()
	c, err := New(cfg)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(c), fmt.Sprintf("%v", c)} {
		assert.NotContains(t, s, testSecret)
		assert.NotContains(t, s, testClient)
	}
	assert.Contains(t, cfg.String(), testAppID)
}

// --- mapping ----------------------------------------------------------------

// The reference's single-token example (vendor doc §3.4), field by field.
func TestWireMatchesReferenceExample(t *testing.T) {
	c, err := New(testConfig())
	require.NoError(t, err)
	info := &push.OfflinePushInfo{Title: "Hello", Desc: "World", Ext: `{"k":"v"}`, TTL: 24 * time.Hour,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/page"}}
	body, err := c.bodyFor(info, "TOKEN1")
	require.NoError(t, err)

	var got map[string]any
	require.NoError(t, json.Unmarshal(body, &got))
	n := got["android"].(map[string]any)["notification"].(map[string]any)
	require.Contains(t, n, "notifyId") // ours: a fresh id per message
	delete(n, "notifyId")
	want := `{
	  "android": {
	    "notification": {
	      "body": "World",
	      "clickAction": {"type": 2, "url": "https://example.com/page"},
	      "importance": "NORMAL",
	      "title": "Hello"
	    },
	    "ttl": "86400s"
	  },
	  "data": "{\"ext\":\"{\\\"k\\\":\\\"v\\\"}\"}",
	  "token": ["TOKEN1"]
	}`
	gotJSON, _ := json.Marshal(got)
	assert.JSONEq(t, want, string(gotJSON))
	// and the ext survives the two JSON layers
	var data map[string]string
	require.NoError(t, json.Unmarshal([]byte(got["data"].(string)), &data))
	assert.Equal(t, `{"k":"v"}`, data["ext"])
}

func TestMessageFields(t *testing.T) {
	intent := "intent://com.example.chat/chat?id=1&x=2#Intent;scheme=im;launchFlags=0x4000000;end"
	tests := []struct {
		name  string
		cfg   func(*Config)
		info  push.OfflinePushInfo
		check func(t *testing.T, m *message)
	}{
		{"default click opens the app", nil, push.OfflinePushInfo{Title: "t", Desc: "d"}, func(t *testing.T, m *message) {
			assert.Equal(t, clickAction{Type: ClickTypeApp}, m.Android.Notification.ClickAction)
			assert.Empty(t, m.Data)
			assert.Empty(t, m.Android.TTL)
			assert.Nil(t, m.Android.Notification.Badge)
		}},
		{"config click is the default", func(c *Config) {
			c.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/home"}
		}, push.OfflinePushInfo{Title: "t", Desc: "d"}, func(t *testing.T, m *message) {
			assert.Equal(t, clickAction{Type: ClickTypeURL, URL: "https://example.com/home"}, m.Android.Notification.ClickAction)
		}},
		{"open page by intent", nil, push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: intent}},
			func(t *testing.T, m *message) {
				assert.Equal(t, clickAction{Type: ClickTypePage, Intent: intent}, m.Android.Notification.ClickAction)
			}},
		{"importance LOW", func(c *Config) { c.Importance = ImportanceLow }, push.OfflinePushInfo{Title: "t", Desc: "d"},
			func(t *testing.T, m *message) { assert.Equal(t, "LOW", m.Android.Notification.Importance) }},
		{"importance defaults to NORMAL", nil, push.OfflinePushInfo{Title: "t", Desc: "d"},
			func(t *testing.T, m *message) { assert.Equal(t, "NORMAL", m.Android.Notification.Importance) }},
		{"badge capped at 99", nil, push.OfflinePushInfo{Title: "t", Desc: "d", Badge: 150}, func(t *testing.T, m *message) {
			assert.Equal(t, &badge{AddNum: 99, BadgeClass: "com.example.chat.MainActivity"}, m.Android.Notification.Badge)
		}},
		{"no badge without badge class", func(c *Config) { c.BadgeClass = "" }, push.OfflinePushInfo{Title: "t", Desc: "d", Badge: 2},
			func(t *testing.T, m *message) { assert.Nil(t, m.Android.Notification.Badge) }},
		{"ttl capped at 15 days", nil, push.OfflinePushInfo{Title: "t", Desc: "d", TTL: 20 * 24 * time.Hour},
			func(t *testing.T, m *message) { assert.Equal(t, "1296000s", m.Android.TTL) }},
		{"sub-second ttl rounds up", nil, push.OfflinePushInfo{Title: "t", Desc: "d", TTL: 1500 * time.Millisecond},
			func(t *testing.T, m *message) { assert.Equal(t, "2s", m.Android.TTL) }},
		{"config ttl applies", func(c *Config) { c.TTL = time.Hour }, push.OfflinePushInfo{Title: "t", Desc: "d"},
			func(t *testing.T, m *message) { assert.Equal(t, "3600s", m.Android.TTL) }},
		{"collapse id fixes the notify id", nil, push.OfflinePushInfo{Title: "t", Desc: "d", CollapseID: "chat-42"},
			func(t *testing.T, m *message) {
				assert.Equal(t, ids.NotifyID("chat-42"), m.Android.Notification.NotifyID)
			}},
		{"ext goes into data", nil, push.OfflinePushInfo{Title: "t", Desc: "d", Ext: "plain & <text>"},
			func(t *testing.T, m *message) { assert.Equal(t, `{"ext":"plain \u0026 \u003ctext\u003e"}`, m.Data) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			c, err := New(cfg)
			require.NoError(t, err)
			m, _, err := c.build(&tt.info)
			require.NoError(t, err)
			tt.check(t, m)
		})
	}
}

func TestNotifyIDDiffersWithoutCollapseID(t *testing.T) {
	c, err := New(testConfig())
	require.NoError(t, err)
	a, _, _ := c.build(&push.OfflinePushInfo{Title: "t", Desc: "d"})
	b, _, _ := c.build(&push.OfflinePushInfo{Title: "t", Desc: "d"})
	assert.NotEqual(t, a.Android.Notification.NotifyID, b.Android.Notification.NotifyID)
	assert.Positive(t, a.Android.Notification.NotifyID)
}

// The body encoded once with its tokens spliced in is what encoding the
// whole message would give.
func TestSpliceEqualsWholeEncoding(t *testing.T) {
	c, err := New(testConfig())
	require.NoError(t, err)
	info := hello()
	info.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/a?b=1&c=<2>"}
	m, _, err := c.build(info)
	require.NoError(t, err)
	for _, toks := range [][]string{{"a"}, {"a", `b"quote`, "c&d"}} {
		got, err := c.bodyFor(info, toks...)
		require.NoError(t, err)
		whole := *m
		whole.Token = toks
		want, err := wire.JSON(&whole)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
		assert.True(t, json.Valid(got))
	}
}

// Golden wire bodies, as the fake received them: 1 and 3 tokens, each click
// kind.
func TestGoldenBodies(t *testing.T) {
	intent := "intent://com.example.chat/chat?id=42#Intent;scheme=im;launchFlags=0x4000000;end"
	clicks := []struct {
		name  string
		click push.ClickAction
	}{
		{"default", push.ClickAction{}},
		{"open-app", push.ClickAction{Kind: push.ClickOpenApp}},
		{"url", push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/42?from=push&x=1"}},
		{"page", push.ClickAction{Kind: push.ClickOpenPage, Intent: intent}},
	}
	for _, ck := range clicks {
		for _, n := range []int{1, 3} {
			name := fmt.Sprintf("%s-%d", ck.name, n)
			t.Run(name, func(t *testing.T) {
				srv := newFake(t)
				c := newClient(t, srv, testConfig())
				info := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8? 好的", Ext: `{"entity":{"sender":"alice"}}`,
					Click: ck.click, TTL: 24 * time.Hour, Badge: 1, CollapseID: "chat-42"}
				toks := []string{"TOKEN1", "TOKEN2", "TOKEN3"}[:n]
				res, err := c.Push(context.Background(), info, toks...)
				require.NoError(t, err)
				require.NoError(t, res.Err())
				sends := srv.Sends()
				require.Len(t, sends, 1)
				golden.Assert(t, name+".golden", sends[0].Body)
			})
		}
	}
}

func TestInvalidInputRejectedBeforeAnyRequest(t *testing.T) {
	big := strings.Repeat("x", MaxBodyBytes)
	tests := []struct {
		name  string
		info  *push.OfflinePushInfo
		field string
	}{
		{"nil info", nil, "OfflinePushInfo"},
		{"empty desc", &push.OfflinePushInfo{Title: "t"}, "Desc"},
		{"http click url", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "http://example.com/a"}}, "Click.URL"},
		{"relative click url", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "/a"}}, "Click.URL"},
		{"page by class only", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.ChatActivity"}}, "Click.Intent"},
		{"bad intent", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "https://x"}}, "Click.Intent"},
		{"ext alone too large", &push.OfflinePushInfo{Title: "t", Desc: "d", Ext: big}, "Ext"},
		{"invalid utf-8", &push.OfflinePushInfo{Title: "t", Desc: "d\xff"}, "Desc"},
		{"negative badge", &push.OfflinePushInfo{Title: "t", Desc: "d", Badge: -1}, "Badge"},
	}
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Push(context.Background(), tt.info, "TOKEN1")
			require.Error(t, err)
			assert.Nil(t, res)
			assert.ErrorIs(t, err, push.ErrInvalidMessage)
			var fe *push.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
		})
	}
	assert.Empty(t, srv.Records(), "no request, not even for a token")
}

// headLen is the length of the body without tokens for info with a Desc
// of one ASCII letter: what a Desc of n bytes (no escapes) adds to.
func headLen(t *testing.T, c *Client, info push.OfflinePushInfo) int {
	t.Helper()
	info.Desc = "d"
	m, _, err := c.build(&info)
	require.NoError(t, err)
	head, err := wire.JSON(m)
	require.NoError(t, err)
	return len(head) - 1
}

// assertHoled: the encoding build hands prepare is that of the message it
// returns (its fitted texts), with wire.Hole as the token list.
func assertHoled(t *testing.T, m *message, holed []byte) {
	t.Helper()
	whole := *m
	whole.Token = []string{wire.Hole()}
	want, err := wire.JSON(&whole)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(holed))
}

// Issue 12 finding 8: a message over the 4096-byte body bound is fitted
// (Desc, then Title, shortened with "…"), not refused; Ext is never cut;
// WithStrictLength refuses.
func TestBodyFitsWithEllipsis(t *testing.T) {
	c, err := New(testConfig())
	require.NoError(t, err)
	base := push.OfflinePushInfo{Title: "t", CollapseID: "x"}
	// 120 bytes of this body are not Desc, so 3,976 bytes of Desc fit; a
	// longer one is cut to the longest prefix that fits with "…".
	require.Equal(t, 120, headLen(t, c, base))
	tests := []struct {
		name, desc, want string
	}{
		{"ascii at the bound is kept", strings.Repeat("d", 3976), strings.Repeat("d", 3976)},
		{"one byte over", strings.Repeat("d", 3977), strings.Repeat("d", 3973) + "…"},
		// 1,400 CJK characters, 4,200 bytes: the chat message of the finding
		{"cjk", strings.Repeat("标", 1400), strings.Repeat("标", 1324) + "…"},
		{"emoji", strings.Repeat("😀", 1100), strings.Repeat("😀", 993) + "…"},
		{"mixed, no character split", strings.Repeat("a标😀", 500), strings.Repeat("a标😀", 496) + "a标…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := base
			info.Desc = tt.desc
			m, holed, err := c.build(&info)
			require.NoError(t, err)
			head, err := wire.JSON(m)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(head), MaxBodyBytes)
			assertHoled(t, m, holed)
			assert.Equal(t, tt.want, m.Android.Notification.Body)
			assert.Equal(t, "t", m.Android.Notification.Title, "the title is cut only after the body")
		})
	}
	t.Run("title cut too when the desc is all but gone", func(t *testing.T) {
		info := push.OfflinePushInfo{Title: strings.Repeat("T", 3000), Desc: strings.Repeat("d", 3000), Ext: strings.Repeat("e", 2000)}
		m, holed, err := c.build(&info)
		require.NoError(t, err)
		assertHoled(t, m, holed)
		n := m.Android.Notification
		assert.True(t, strings.HasSuffix(n.Title, "…"), n.Title)
		assert.Equal(t, "d…", n.Body)
		assert.Equal(t, payload.ExtJSON(info.Ext), m.Data, "Ext is never cut")
		b, err := wire.JSON(m)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(b), MaxBodyBytes)
	})
	t.Run("strict refuses", func(t *testing.T) {
		strict, err := New(testConfig(), push.WithStrictLength())
		require.NoError(t, err)
		info := base
		info.Desc = strings.Repeat("标", 1400)
		_, err = strict.Push(context.Background(), &info, "TOKEN1")
		assert.ErrorIs(t, err, push.ErrInvalidMessage)
		assert.Contains(t, err.Error(), "4096")
	})
	t.Run("through the fake", func(t *testing.T) {
		srv := newFake(t)
		c := newClient(t, srv, testConfig())
		info := &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("你好，世界😀 ", 400), Ext: `{"k":"v"}`}
		res, err := c.Push(context.Background(), info, "TOKEN1")
		require.NoError(t, err)
		require.NoError(t, res.Err())
		assert.Equal(t, map[string]int{"TOKEN1": 1}, srv.Delivered(), "the fake checks the 4096-byte bound")
	})
}

// Issue 12 finding 9: an empty Title falls back to the default title, else
// the Desc; Honor no longer refuses it.
func TestEmptyTitleFallsBack(t *testing.T) {
	info := &push.OfflinePushInfo{Title: " ", Desc: "See you at 8?"}
	c, err := New(testConfig())
	require.NoError(t, err)
	m, _, err := c.build(info)
	require.NoError(t, err)
	assert.Equal(t, "See you at 8?", m.Android.Notification.Title)
	assert.Equal(t, "See you at 8?", m.Android.Notification.Body)

	named, err := New(testConfig(), push.WithDefaultTitle("Chat"))
	require.NoError(t, err)
	m, _, err = named.build(info)
	require.NoError(t, err)
	assert.Equal(t, "Chat", m.Android.Notification.Title)

	srv := newFake(t)
	res, err := newClient(t, srv, testConfig()).Push(context.Background(), info, "TOKEN1")
	require.NoError(t, err)
	assert.NoError(t, res.Err())
}

// --- send and decode through the fake ----------------------------------------

func TestPushHeaders(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	before := time.Now()
	res, err := c.Push(context.Background(), hello(), "TOKEN1")
	require.NoError(t, err)
	require.NoError(t, res.Err())

	recs := srv.Records()
	require.Len(t, recs, 2)
	tok := recs[0]
	assert.Equal(t, pushtest.HonorTokenPath, tok.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", tok.Header.Get("Content-Type"))
	// properly form-encoded: the secret's '&', '=', '+', '%' and space survive
	form, err := url.ParseQuery(string(tok.Body))
	require.NoError(t, err)
	assert.Equal(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {testClient}, "client_secret": {testSecret}}, form)
	var ans struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(tok.Response, &ans))

	send := recs[1]
	assert.Equal(t, "/api/v1/"+testAppID+"/sendMessage", send.Path)
	assert.Equal(t, "Bearer "+ans.AccessToken, send.Header.Get("Authorization"))
	assert.Equal(t, "application/json; charset=UTF-8", send.Header.Get("Content-Type"))
	ts := send.Header.Get("timestamp")
	assert.Len(t, ts, 13, "milliseconds")
	ms, err := strconv.ParseInt(ts, 10, 64)
	require.NoError(t, err)
	assert.WithinDuration(t, before, time.UnixMilli(ms), 5*time.Second)
	assert.Equal(t, []string{"TOKEN1"}, send.Accepted)
}

func TestPartialAnswerMapsPerToken(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	srv.Invalidate("dead-1", "dead-2")
	srv.FailTokens("flaky")
	toks := []string{"ok-1", "dead-1", "flaky", "ok-2", "dead-2", "ok-1", ""}
	res, err := c.Push(context.Background(), hello(), toks...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(toks))

	sends := srv.Sends()
	require.Len(t, sends, 1)
	var ans struct {
		Data struct {
			RequestID string `json:"requestId"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(sends[0].Response, &ans))
	require.NotEmpty(t, ans.Data.RequestID)

	for i, o := range res.Outcomes {
		assert.Equal(t, toks[i], o.Token)
	}
	ok := func(i int) {
		assert.NoError(t, res.Outcomes[i].Err, toks[i])
		assert.Equal(t, ans.Data.RequestID, res.Outcomes[i].MessageID)
	}
	ok(0)
	ok(3)
	ok(5) // a duplicate gets the first copy's outcome
	for _, i := range []int{1, 4} {
		assert.ErrorIs(t, res.Outcomes[i].Err, push.ErrInvalidToken, toks[i])
		var ve *push.VendorError
		require.ErrorAs(t, res.Outcomes[i].Err, &ve)
		assert.Equal(t, "80100000", ve.Code)
		assert.Equal(t, 200, ve.HTTPStatus)
		assert.Contains(t, ve.Message, "expireTokens")
	}
	// failTokens: not delivered, but not reported dead either
	assert.ErrorIs(t, res.Outcomes[2].Err, push.ErrUnavailable)
	assert.NotErrorIs(t, res.Outcomes[2].Err, push.ErrInvalidToken)
	assert.ErrorIs(t, res.Outcomes[6].Err, push.ErrInvalidToken) // empty token, never sent

	assert.ElementsMatch(t, []string{"dead-1", "dead-2", ""}, res.InvalidTokens())
	assert.Equal(t, 3, res.Delivered())
	assert.Equal(t, map[string]int{"ok-1": 1, "ok-2": 1}, srv.Delivered())
}

func TestAllInvalid(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	toks := []string{"dead-1", "dead-2", "dead-3"}
	srv.Invalidate(toks...)
	res, err := c.Push(context.Background(), hello(), toks...)
	require.NoError(t, err)
	assert.Equal(t, toks, res.InvalidTokens())
	assert.Len(t, srv.Sends(), 1, "an answer about tokens is not retried")
	assert.Empty(t, srv.Delivered())
}

// Issue 13 finding 2: with sendResult false and a code Honor does not
// publish, a token in neither list was not sent: it must not come back
// delivered (it did: ok := … || listed || …).
func TestSendResultFalseIsNotDelivered(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	srv.Inject(pushtest.Fault{Body: `{"code":80000009,"message":"x","data":{"sendResult":false,"requestId":"r1","failTokens":["b"]}}`,
		ContentType: "application/json"})
	res, err := c.Push(context.Background(), hello(), "a", "b", "c")
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 3)
	assert.Zero(t, res.Delivered(), "nothing was accepted")
	for _, o := range res.Outcomes {
		assert.ErrorIs(t, o.Err, push.ErrUnavailable, o.Token)
		assert.NotErrorIs(t, o.Err, push.ErrInvalidToken, o.Token)
	}
	var ve *push.VendorError
	require.ErrorAs(t, res.Outcomes[0].Err, &ve)
	assert.Equal(t, "80000009", ve.Code)
	assert.True(t, ve.PossiblyDelivered, "Honor named b only: a and c may or may not have been sent")
}

// A misconfigured app (tokens of another app): Honor lists every token in
// expireTokens. The guard turns the run into ErrAuth, tokens kept; with the
// guard off the vendor's verdict stands.
func TestMisconfiguredAppKeepsTokens(t *testing.T) {
	toks := tokensN("live", 50)
	srv := newFake(t)
	srv.SetMisconfigured(true)
	res, err := newClient(t, srv, testConfig()).Push(context.Background(), hello(), toks...)
	require.NoError(t, err)
	assert.Empty(t, res.InvalidTokens())
	for _, o := range res.Outcomes {
		require.ErrorIs(t, o.Err, push.ErrAuth, o.Token)
		assert.Contains(t, o.Err.Error(), "likely a misconfiguration")
		assert.Contains(t, o.Err.Error(), "Config.AppID")
	}

	off := newClient(t, srv, testConfig(), push.WithMisconfigGuard(0))
	res, err = off.Push(context.Background(), hello(), toks...)
	require.NoError(t, err)
	assert.Equal(t, toks, res.InvalidTokens())
}

func TestBatchSplitting(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	toks := tokensN("tok", 2500)
	srv.Invalidate(toks[7], toks[1999], toks[2400])
	res, err := c.Push(context.Background(), hello(), toks...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 2500)
	for i, o := range res.Outcomes {
		require.Equal(t, toks[i], o.Token)
	}
	assert.Equal(t, []string{toks[7], toks[1999], toks[2400]}, res.InvalidTokens())
	assert.Equal(t, 2497, res.Delivered())

	sends := srv.Sends()
	require.Len(t, sends, 3) // ceil(2500/1000)
	var sizes []int
	for _, s := range sends {
		sizes = append(sizes, len(s.Tokens))
	}
	assert.ElementsMatch(t, []int{1000, 1000, 500}, sizes)
	assert.Equal(t, 1, srv.TokenRequests())
	for _, n := range srv.Delivered() {
		require.Equal(t, 1, n)
	}
}

func TestConcurrentPushesFetchOneToken(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Push(context.Background(), hello(), fmt.Sprintf("tok-%d", i))
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
	assert.Equal(t, int64(1), c.tokens.Fetches())
	assert.Len(t, srv.Delivered(), 50)
}

func TestServerSideExpiryRefreshesOnce(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	res, err := c.Push(context.Background(), hello(), "warm-up")
	require.NoError(t, err)
	require.NoError(t, res.Err())

	srv.ExpireAccessTokens()
	toks := tokensN("tok", 2500)
	res, err = c.Push(context.Background(), hello(), toks...)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, srv.TokenRequests(), "exactly one refresh")

	delivered := srv.Delivered()
	for _, tok := range toks {
		require.Equal(t, 1, delivered[tok], tok)
	}
	// A batch that started before the refresh was rejected once and resent;
	// one that started after it used the new token straight away.
	rejected := 0
	sends := srv.Sends()
	for _, s := range sends {
		if s.Status == http.StatusUnauthorized {
			rejected++
			assert.Empty(t, s.Accepted)
		}
	}
	assert.GreaterOrEqual(t, rejected, 1)
	assert.LessOrEqual(t, rejected, 3)
	assert.Len(t, sends, 1+3+rejected)
}

func TestExpiredCodeIn200RefreshesOnce(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	srv.Inject(pushtest.Fault{Status: 200, Code: "80200003"})
	res, err := c.Push(context.Background(), hello(), "TOKEN1")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, srv.TokenRequests())
	assert.Equal(t, map[string]int{"TOKEN1": 1}, srv.Delivered())
}

func TestRejectedTwiceIsAuthError(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	srv.Inject(pushtest.Fault{Code: "80200003", Times: 2})
	res, err := c.Push(context.Background(), hello(), "TOKEN1")
	require.NoError(t, err)
	err = res.Outcomes[0].Err
	assert.ErrorIs(t, err, push.ErrAuth)
	assert.NotErrorIs(t, err, push.ErrInvalidToken)
	assert.Equal(t, 2, srv.TokenRequests(), "one refresh, no more")
	assert.Len(t, srv.Sends(), 2)
}

func TestBadCredentials(t *testing.T) {
	srv := newFake(t)
	cfg := testConfig()
	cfg.ClientSecret = "wrong-" + testSecret
	c := newClient(t, srv, cfg)
	res, err := c.Push(context.Background(), hello(), "TOKEN1", "TOKEN2")
	require.NoError(t, err)
	for _, o := range res.Outcomes {
		assert.ErrorIs(t, o.Err, push.ErrAuth)
		var ve *push.VendorError
		require.ErrorAs(t, o.Err, &ve)
		assert.Equal(t, 401, ve.HTTPStatus)
		assert.NotContains(t, o.Err.Error(), cfg.ClientSecret)
		assert.NotContains(t, o.Err.Error(), testClient)
	}
	assert.Empty(t, srv.Sends())
	assert.Equal(t, 1, srv.TokenRequests(), "a rejected credential is not retried")
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		fault     pushtest.Fault
		sends     int
		delivered bool
		kind      error
	}{
		{"busy code then success", pushtest.Fault{Code: "81000001"}, 2, true, nil},
		{"503 then success", pushtest.Fault{Status: 503}, 2, true, nil},
		{"429 then success", pushtest.Fault{Status: 429, RetryAfter: 0}, 2, true, nil},
		{"busy outlasts retries", pushtest.Fault{Code: "81000001", Times: -1}, 3, false, push.ErrUnavailable},
		{"long Retry-After is handed back", pushtest.Fault{Status: 429, RetryAfter: time.Minute}, 1, false, push.ErrRateLimited},
		{"unknown code is not retried", pushtest.Fault{Code: "80100016"}, 1, false, push.ErrUnavailable},
		{"400 is a message error", pushtest.Fault{Status: 400, Code: "80100001"}, 1, false, push.ErrInvalidMessage},
		{"403 is an auth error", pushtest.Fault{Status: 403, Code: "80300002"}, 1, false, push.ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t)
			c := newClient(t, srv, testConfig())
			srv.Inject(tt.fault)
			res, err := c.Push(context.Background(), hello(), "TOKEN1")
			require.NoError(t, err)
			assert.Len(t, srv.Sends(), tt.sends)
			if tt.delivered {
				assert.NoError(t, res.Err())
				assert.Equal(t, map[string]int{"TOKEN1": 1}, srv.Delivered())
				return
			}
			assert.ErrorIs(t, res.Err(), tt.kind)
			assert.Empty(t, srv.Delivered())
			var ve *push.VendorError
			require.ErrorAs(t, res.Err(), &ve)
			if tt.fault.Code != "" {
				assert.Equal(t, tt.fault.Code, ve.Code)
			}
			if tt.fault.RetryAfter > 0 {
				assert.Equal(t, tt.fault.RetryAfter, ve.RetryAfter)
			}
		})
	}
}

// A send cut off after it was written is not repeated: Honor cannot
// deduplicate, and the caller is told it may have arrived.
func TestResetAfterWriteIsNotRetried(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	srv.Inject(pushtest.Fault{Reset: true})
	res, err := c.Push(context.Background(), hello(), "TOKEN1")
	require.NoError(t, err)
	assert.Len(t, srv.Sends(), 1)
	var ve *push.VendorError
	require.ErrorAs(t, res.Err(), &ve)
	assert.ErrorIs(t, ve, push.ErrUnavailable)
	assert.True(t, ve.PossiblyDelivered)
}

// The token request has no side effect, so it is retried even after it may
// have arrived (a reset after the body was written).
func TestTokenFetchIsRetried(t *testing.T) {
	for _, f := range []pushtest.Fault{{Status: 502}, {Reset: true}} {
		srv := newFake(t)
		c := newClient(t, srv, testConfig())
		f.Path = pushtest.HonorTokenPath
		srv.Inject(f)
		res, err := c.Push(context.Background(), hello(), "TOKEN1")
		require.NoError(t, err)
		require.NoError(t, res.Err())
		assert.Equal(t, 2, srv.TokenRequests())
		assert.Equal(t, map[string]int{"TOKEN1": 1}, srv.Delivered())
	}
}

func TestShortTokenURL(t *testing.T) {
	srv := newFake(t)
	cfg := testConfig()
	cfg.TokenURL = ShortTokenURL
	c := newClient(t, srv, cfg)
	res, err := c.Push(context.Background(), hello(), "TOKEN1")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 1, srv.Count(pushtest.HonorShortTokenPath))
	assert.Equal(t, 0, srv.Count(pushtest.HonorTokenPath))
}

func TestSharedTokenSource(t *testing.T) {
	srv := newFake(t)
	// a token bought elsewhere (another process), handed in
	resp, err := http.PostForm(srv.URL()+pushtest.HonorTokenPath, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {testClient}, "client_secret": {testSecret}})
	require.NoError(t, err)
	var ans struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	resp.Body.Close()

	c := newClient(t, srv, testConfig(), push.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: ans.AccessToken})))
	res, err := c.Push(context.Background(), hello(), "TOKEN1")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 1, srv.TokenRequests(), "only the test's own request")
}

func TestContextDone(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Push(ctx, hello(), "TOKEN1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, srv.Records())
}

// --- the access token -------------------------------------------------------

func TestMissingExpiresInAssumesOneHour(t *testing.T) {
	srv := newFake(t)
	srv.OmitExpiresIn = true
	c := newClient(t, srv, testConfig())
	before := time.Now()
	tok, err := c.fetchToken(context.Background())
	require.NoError(t, err)
	assert.WithinDuration(t, before.Add(time.Hour), tok.Expiry, 2*time.Second)
	assert.Equal(t, "Bearer", tok.TokenType)
}

func TestTokenRefreshedEarly(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	start := time.Now()
	now := start
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c.tokens.SetClock(clock)
	push1 := func() {
		res, err := c.Push(context.Background(), hello(), "TOKEN1")
		require.NoError(t, err)
		require.NoError(t, res.Err())
	}
	push1()
	require.Equal(t, 1, srv.TokenRequests())

	mu.Lock()
	now = start.Add(time.Hour - RefreshEarly - time.Minute)
	mu.Unlock()
	push1()
	assert.Equal(t, 1, srv.TokenRequests(), "still fresh")

	mu.Lock()
	now = start.Add(time.Hour - RefreshEarly + time.Second)
	mu.Unlock()
	push1()
	assert.Equal(t, 2, srv.TokenRequests(), "replaced a few minutes before expiry")
}

func TestTokenAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		kind   error
		life   time.Duration
	}{
		{"ok", 200, `{"access_token":"at","expires_in":7200,"token_type":"Bearer"}`, nil, 2 * time.Hour},
		{"expires_in as text", 200, `{"access_token":"at","expires_in":"1800"}`, nil, 30 * time.Minute},
		{"no expires_in", 200, `{"access_token":"at"}`, nil, time.Hour},
		{"no access token", 200, `{"expires_in":3600}`, push.ErrUnavailable, 0},
		{"html", 200, `<html>`, push.ErrUnavailable, 0},
		{"invalid client", 401, `{"error":"unauthorized_client","error_description":"Invalid client credentials"}`, push.ErrAuth, 0},
		{"bad grant", 400, `{"error":"unsupported_grant_type"}`, push.ErrAuth, 0},
		{"server error", 500, `oops`, push.ErrUnavailable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newStub(t, tt.status, tt.body)
			c, err := New(testConfig(), push.WithEndpoint(ts), push.WithRetry(push.NoRetry()))
			require.NoError(t, err)
			before := time.Now()
			tok, err := c.fetchToken(context.Background())
			if tt.kind != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.kind)
				assert.NotContains(t, err.Error(), testSecret)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "at", tok.AccessToken)
			assert.WithinDuration(t, before.Add(tt.life), tok.Expiry, 2*time.Second)
		})
	}
}

// A token endpoint that echoes the request (a broken proxy) must not carry
// the secret into the error.
func TestTokenErrorNeverEchoesTheRequest(t *testing.T) {
	ts := newEcho(t, 401)
	c, err := New(testConfig(), push.WithEndpoint(ts), push.WithRetry(push.NoRetry()))
	require.NoError(t, err)
	_, err = c.fetchToken(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testSecret)
	assert.NotContains(t, err.Error(), url.QueryEscape(testSecret))
	assert.NotContains(t, err.Error(), testClient)
}

// --- decode -----------------------------------------------------------------

func TestDecode(t *testing.T) {
	toks := []string{"a", "b", "c"}
	type want struct {
		expired bool
		errs    []error // per token; nil = delivered
		pd      []bool  // per token: PossiblyDelivered (nil: none)
		id      string
	}
	all := func(e error) []error { return []error{e, e, e} }
	yes := []bool{true, true, true}
	tests := []struct {
		name   string
		status int
		body   string
		want   want
	}{
		{"success code 200", 200, `{"code":200,"message":"success","data":{"sendResult":true,"requestId":"r1"}}`, want{errs: all(nil), id: "r1"}},
		{"success code 0 as text", 200, `{"code":"0","message":"ok","data":{"sendResult":true,"requestId":"r1"}}`, want{errs: all(nil), id: "r1"}},
		{"unknown code but sendResult true", 200, `{"code":12345,"data":{"sendResult":true,"requestId":"r1"}}`, want{errs: all(nil), id: "r1"}},
		{"sendResult and requestId as text", 200, `{"code":"200","data":{"sendResult":"true","requestId":1234567}}`, want{errs: all(nil), id: "1234567"}},
		{"success code without data", 200, `{"code":200,"message":"success"}`, want{errs: all(nil)}},
		{"HMS-style requestId", 200, `{"code":"80000000","msg":"Success","requestId":"r9"}`, want{errs: all(nil), id: "r9"}},
		{"HMS partial success without sendResult", 200, `{"code":80100000,"data":{"requestId":"r2","expireTokens":["b"],"failTokens":["c"]}}`,
			want{errs: []error{nil, push.ErrInvalidToken, push.ErrUnavailable}, id: "r2"}},
		// issue 13 finding 2: an answer that does not say accepted is not a success
		{"sendResult false and lists: the unlisted are not delivered", 200,
			`{"code":80100000,"data":{"sendResult":false,"requestId":"r2","expireTokens":["b"],"failTokens":["c"]}}`,
			want{errs: []error{push.ErrUnavailable, push.ErrInvalidToken, push.ErrUnavailable}, pd: []bool{true, false, false}, id: "r2"}},
		{"sendResult false, unknown code, a fail list", 200, `{"code":12345,"data":{"sendResult":false,"failTokens":["c"]}}`,
			want{errs: all(push.ErrUnavailable), pd: []bool{true, true, false}}},
		{"sendResult false as text", 200, `{"code":12345,"data":{"sendResult":"false","failTokens":["c"]}}`,
			want{errs: all(push.ErrUnavailable), pd: []bool{true, true, false}}},
		{"unknown code, lists, no sendResult", 200, `{"code":12345,"data":{"expireTokens":["a"]}}`,
			want{errs: []error{push.ErrInvalidToken, push.ErrUnavailable, push.ErrUnavailable}, pd: []bool{false, true, true}}},
		{"token in both lists is dead", 200, `{"code":1,"data":{"sendResult":true,"expireTokens":["a"],"failTokens":["a"]}}`,
			want{errs: []error{push.ErrInvalidToken, nil, nil}}},
		{"tokens not of this request and null entries ignored", 200, `{"code":1,"data":{"sendResult":true,"expireTokens":["zz",7,null]}}`,
			want{errs: all(nil)}},
		{"a numeric list entry is a token", 200, `{"code":1,"data":{"sendResult":true,"expireTokens":[7]}}`, want{errs: all(nil)}},
		{"an unreadable list entry: no token is delivered", 200, `{"code":1,"data":{"sendResult":true,"expireTokens":[{"t":"a"}]}}`,
			want{errs: all(push.ErrUnavailable), pd: yes}},
		{"a list that is not a list: no token is delivered", 200, `{"code":200,"data":{"sendResult":true,"failTokens":"a"}}`,
			want{errs: all(push.ErrUnavailable), pd: yes}},
		{"all expired", 200, `{"code":80300007,"message":"all invalid","data":{"sendResult":false,"expireTokens":["a","b","c"]}}`,
			want{errs: all(push.ErrInvalidToken)}},
		{"80300007 without lists is not a token verdict", 200, `{"code":80300007,"message":"all invalid","data":{"sendResult":false,"requestId":"r3"}}`,
			want{errs: all(push.ErrUnavailable), id: "r3"}},
		{"success code but sendResult false", 200, `{"code":200,"data":{"sendResult":false}}`, want{errs: all(push.ErrUnavailable)}},
		{"unknown code, no data", 200, `{"code":80100016,"message":"sensitive"}`, want{errs: all(push.ErrUnavailable)}},
		{"empty object", 200, `{}`, want{errs: all(push.ErrUnavailable)}},
		{"null", 200, `null`, want{errs: all(push.ErrUnavailable)}},
		{"data is not an object", 200, `{"code":200,"message":"success","data":""}`, want{errs: all(nil)}},
		{"numeric message", 200, `{"code":500,"message":42}`, want{errs: all(push.ErrUnavailable)}},
		{"unreadable 200", 200, `<html>gateway</html>`, want{errs: all(push.ErrUnavailable), pd: yes}},
		{"HTTP 401", 401, ``, want{expired: true}},
		{"HTTP 401 with body", 401, `{"code":80200003,"message":"Oauth Token expired"}`, want{expired: true}},
		{"expired code in 200", 200, `{"code":"80200003","message":"Oauth Token expired"}`, want{expired: true}},
		{"auth error code in 200", 200, `{"code":80200001,"message":"Oauth authentication error"}`, want{expired: true}},
		{"HTTP 403", 403, `{"code":80300002}`, want{errs: all(push.ErrAuth)}},
		{"HTTP 400", 400, `{"code":80100001,"message":"bad"}`, want{errs: all(push.ErrInvalidMessage)}},
		{"HTTP 429", 429, ``, want{errs: all(push.ErrRateLimited)}},
		{"HTTP 503", 503, `busy`, want{errs: all(push.ErrUnavailable)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := decode(&transport.Response{Status: tt.status, Header: http.Header{}, Body: []byte(tt.body)}, toks)
			if tt.want.expired {
				require.Error(t, err)
				assert.ErrorIs(t, err, auth.ErrExpired)
				assert.ErrorIs(t, err, push.ErrAuth)
				assert.Nil(t, out)
				return
			}
			require.NoError(t, err)
			require.Len(t, out, len(toks))
			for i, o := range out {
				assert.Equal(t, toks[i], o.Token)
				assert.Equal(t, tt.want.id, o.MessageID, toks[i])
				if tt.want.errs[i] == nil {
					assert.NoError(t, o.Err, toks[i])
					continue
				}
				assert.ErrorIs(t, o.Err, tt.want.errs[i], toks[i])
				var ve *push.VendorError
				require.ErrorAs(t, o.Err, &ve)
				assert.Equal(t, tt.want.pd != nil && tt.want.pd[i], ve.PossiblyDelivered, "%s: %v", toks[i], o.Err)
			}
		})
	}
}

func TestUnreadableAnswerMayHaveBeenDelivered(t *testing.T) {
	out, err := decode(&transport.Response{Status: 200, Body: []byte("not json")}, []string{"a"})
	require.NoError(t, err)
	var ve *push.VendorError
	require.ErrorAs(t, out[0].Err, &ve)
	assert.True(t, ve.PossiblyDelivered)
}

func TestBusy(t *testing.T) {
	assert.True(t, busyBody(`{"code":81000001}`))
	assert.True(t, busyBody(`{"code":"81000001"}`))
	assert.False(t, busyBody(`{"code":200,"data":{"sendResult":true}}`))
	assert.False(t, busyBody(`nope`))
}

// --- secrets ----------------------------------------------------------------

func TestSecretsNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newFake(t)
	c := newClient(t, srv, testConfig(), push.WithLogger(logger))

	var errs []string
	run := func(c *Client) {
		res, err := c.Push(context.Background(), hello(), "TOKEN1", "dead")
		require.NoError(t, err)
		for _, o := range res.Outcomes {
			if o.Err != nil {
				errs = append(errs, o.Err.Error(), fmt.Sprintf("%+v", o.Err), fmt.Sprintf("%#v", o.Err))
			}
		}
	}
	srv.Invalidate("dead")
	run(c)
	srv.ExpireAccessTokens()
	run(c)
	srv.Inject(pushtest.Fault{Code: "80200003", Times: 2})
	run(c)
	srv.Inject(pushtest.Fault{Status: 503, Times: -1})
	run(c)
	srv.ClearFaults()
	bad := testConfig()
	bad.ClientSecret = "other-" + testSecret
	run(newClient(t, srv, bad, push.WithLogger(logger)))

	require.NotEmpty(t, logs.String())
	secrets := []string{testSecret, url.QueryEscape(testSecret), bad.ClientSecret, testClient}
	for _, r := range srv.Records() {
		var ans struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(r.Response, &ans) == nil && ans.AccessToken != "" {
			secrets = append(secrets, ans.AccessToken)
		}
		// the fake's dump masks them too
		assert.NotContains(t, r.Dump(), testSecret)
		assert.NotContains(t, r.Dump(), url.QueryEscape(testSecret))
	}
	require.Greater(t, len(secrets), 4, "access tokens were issued")
	for _, s := range secrets {
		assert.NotContains(t, logs.String(), s)
		for _, e := range errs {
			assert.NotContains(t, e, s)
		}
	}
}

// --- helpers ----------------------------------------------------------------

// newStub answers every request with status and body.
func newStub(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		w.Write([]byte(body))
	})
	return srv
}

// newEcho answers with status and the request body, as a broken proxy might.
func newEcho(t *testing.T, status int) string {
	t.Helper()
	return httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		b.ReadFrom(r.Body)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, b.String(), r.Form.Encode())
	})
}

func httptestServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// --- benchmarks -------------------------------------------------------------

// BenchmarkBuild builds one request body: mapping, encoding, one token.
func BenchmarkBuild(b *testing.B) {
	c, err := New(testConfig())
	require.NoError(b, err)
	info := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"entity":{"sender":"alice"}}`,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"}, Badge: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.bodyFor(info, "TOKEN1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatchBody appends 1000 tokens to a prepared body: the per-batch
// cost of a large push.
func BenchmarkBatchBody(b *testing.B) {
	c, err := New(testConfig())
	require.NoError(b, err)
	sp, err := c.prepare(hello())
	require.NoError(b, err)
	toks := tokensN("AQAAAABTOKEN-0123456789abcdef0123456789abcdef0123456789abcdef", MaxTokens)
	b.ReportAllocs()
	for b.Loop() {
		_ = body(sp, toks)
	}
}

// busyBody runs the busy check a request carries on an answer body.
func busyBody(body string) bool {
	b, _ := checkBusy([]byte(body))
	return b
}

func TestFlexBool(t *testing.T) {
	for in, want := range map[string]flexBool{
		`true`: saidTrue, `false`: saidFalse, `"true"`: saidTrue, `"FALSE"`: saidFalse,
		`null`: saidNothing, `1`: saidNothing, `"yes"`: saidNothing, `{}`: saidNothing,
	} {
		var d answerData
		require.NoError(t, json.Unmarshal([]byte(`{"sendResult":`+in+`}`), &d), in)
		assert.Equal(t, want, d.SendResult, in)
	}
}

// DryRun shows what Push sends, request by request, with no I/O: two
// batches for MaxTokens+1 tokens, an empty token unsent, a duplicate
// carried once, each body the one the fake then receives, the access token
// masked and no credential anywhere.
func TestDryRun(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, testConfig())
	toks := tokensN("tok", MaxTokens+1)
	in := append(append([]string{}, toks...), "", toks[0])
	info := hello()
	info.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/a?b=1&c=<2>"}

	pv, err := c.DryRun(info, in...)
	require.NoError(t, err)
	assert.Empty(t, srv.Records(), "a dry run does no I/O, not even for the access token")
	require.Len(t, pv.Requests, 2)
	assert.Equal(t, toks[:MaxTokens], pv.Requests[0].Tokens)
	assert.Equal(t, toks[MaxTokens:], pv.Requests[1].Tokens)
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)

	res, err := c.Push(context.Background(), info, in...)
	require.NoError(t, err)
	assert.Len(t, srv.Delivered(), len(toks))
	assert.ErrorIs(t, res.Outcomes[len(toks)].Err, push.ErrInvalidToken, "the empty token")
	sends := srv.Sends()
	require.Len(t, sends, 2)
	secrets := []string{testSecret, testClient}
	for _, r := range pv.Requests {
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, srv.URL()+"/api/v1/"+testAppID+"/sendMessage", r.URL)
		assert.Equal(t, "Bearer <redacted>", r.Header.Get("Authorization"))
		assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
		_, err := strconv.ParseInt(r.Header["timestamp"][0], 10, 64)
		assert.NoError(t, err, "timestamp in milliseconds")
		var sent *pushtest.Record
		for i := range sends {
			if slices.Equal(sends[i].Tokens, r.Tokens) {
				sent = &sends[i]
			}
		}
		require.NotNil(t, sent, "the fake received a request with these %d tokens", len(r.Tokens))
		assert.Equal(t, string(sent.Body), string(r.Body))
		at := strings.TrimPrefix(sent.Header.Get("Authorization"), "Bearer ")
		require.NotEmpty(t, at)
		secrets = append(secrets, at)
	}
	out := fmt.Sprintf("%v %+v %#v", pv, pv.Requests, pv)
	for _, r := range pv.Requests {
		out += r.String()
	}
	for _, s := range secrets {
		assert.NotContains(t, out, s)
	}

	t.Run("the real host", func(t *testing.T) {
		c, err := New(testConfig())
		require.NoError(t, err)
		pv, err := c.DryRun(info, "TOKEN1")
		require.NoError(t, err)
		require.Len(t, pv.Requests, 1)
		assert.Equal(t, Host+"/api/v1/"+testAppID+"/sendMessage", pv.Requests[0].URL)
	})
}

package oppo_test

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
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/pushtest"
)

const (
	appKey       = "test_app_key"
	masterSecret = "test_master_secret"
	channelID    = "im_channel"
)

func fastRetry(n int) push.Option {
	return push.WithRetry(push.RetryPolicy{MaxRetries: n, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: time.Second})
}

func baseConfig() oppo.Config {
	return oppo.Config{AppKey: appKey, MasterSecret: masterSecret, ChannelID: channelID}
}

// setup starts a fake and a client pointed at it.
func setup(t *testing.T, cfg oppo.Config, opts ...push.Option) (*oppo.Client, *pushtest.OPPO) {
	t.Helper()
	srv := pushtest.NewOPPO(appKey, masterSecret)
	t.Cleanup(srv.Close)
	opts = append([]push.Option{push.WithEndpoint(srv.URL()), fastRetry(3)}, opts...)
	c, err := oppo.New(cfg, opts...)
	require.NoError(t, err)
	return c, srv
}

func msg() *push.OfflinePushInfo {
	return &push.OfflinePushInfo{Title: "Title", Desc: "Body", Ext: `{"k":"v"}`, ID: "msg-1"}
}

func tokens(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

// wireJSON returns the message/messages JSON of a recorded send, decoded.
func wireJSON(t *testing.T, r pushtest.Record) any {
	t.Helper()
	raw := r.Form.Get("message")
	if strings.HasSuffix(r.Path, oppo.BatchPath) {
		raw = r.Form.Get("messages")
	}
	var v any
	require.NoError(t, json.Unmarshal([]byte(raw), &v), raw)
	return v
}

func TestSignVector(t *testing.T) {
	// §4 of the reference, computed with the official SDK's code path.
	got := oppo.Sign("test_app_key", "1700000000000", "test_master_secret")
	assert.Equal(t, "d61a890492565252919d3d1f4b98e10ca587a5cca420362ba187590e7ff1437c", got)
}

func TestAuthRequestOnTheWire(t *testing.T) {
	c, srv := setup(t, baseConfig())
	res, err := c.Push(context.Background(), msg(), "CN_a")
	require.NoError(t, err)
	require.NoError(t, res.Err())

	recs := srv.Records()
	require.Len(t, recs, 2)
	a := recs[0]
	assert.Equal(t, "POST", a.Method)
	assert.Equal(t, oppo.AuthPath, a.Path)
	assert.Contains(t, a.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	assert.ElementsMatch(t, []string{"app_key", "timestamp", "sign"}, keys(a.Form))
	assert.Equal(t, appKey, a.Form.Get("app_key"))
	ts := a.Form.Get("timestamp")
	assert.Len(t, ts, 13, "milliseconds")
	assert.Equal(t, oppo.Sign(appKey, ts, masterSecret), a.Form.Get("sign"))

	var ar struct {
		Data struct {
			AuthToken string `json:"auth_token"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(a.Response, &ar))
	s := recs[1]
	assert.Equal(t, oppo.UnicastPath, s.Path)
	assert.Equal(t, ar.Data.AuthToken, s.Form.Get("auth_token"), "token as a form field")
	assert.ElementsMatch(t, []string{"auth_token", "message"}, keys(s.Form))
	assert.NotContains(t, s.Dump(), ar.Data.AuthToken, "Dump masks the token")
}

func keys(f url.Values) []string {
	var out []string
	for k := range f {
		out = append(out, k)
	}
	return out
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*oppo.Config)
		field string
	}{
		{"empty AppKey", func(c *oppo.Config) { c.AppKey = "" }, "AppKey"},
		{"blank AppKey", func(c *oppo.Config) { c.AppKey = "  " }, "AppKey"},
		{"empty MasterSecret", func(c *oppo.Config) { c.MasterSecret = "" }, "MasterSecret"},
		{"missing ChannelID", func(c *oppo.Config) { c.ChannelID = "" }, "ChannelID"},
		{"lower-case category", func(c *oppo.Config) { c.Category = "im" }, "Category"},
		{"bad notify level", func(c *oppo.Config) { c.NotifyLevel = 3 }, "NotifyLevel"},
		{"negative TTL", func(c *oppo.Config) { c.TTL = -time.Second }, "TTL"},
		{"bad click", func(c *oppo.Config) { c.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x"} }, "Click.URL"},
		{"host with path", func(c *oppo.Config) { c.Host = "https://api.push.oppomobile.com/server" }, "Host"},
		{"host not a URL", func(c *oppo.Config) { c.Host = "api.push.oppomobile.com" }, "Host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			tt.edit(&cfg)
			c, err := oppo.New(cfg)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, push.ErrConfig)
			var fe *push.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			assert.Equal(t, push.OPPO, fe.Vendor)
			assert.NotContains(t, err.Error(), masterSecret)
		})
	}
	_, err := oppo.New(baseConfig(), push.WithEndpoint("not a url"))
	assert.ErrorIs(t, err, push.ErrConfig)

	for _, cat := range []string{oppo.CategoryIM, oppo.CategoryNone, "DEVICE_REMINDER", "MARKETING"} {
		cfg := baseConfig()
		cfg.Category = cat
		_, err := oppo.New(cfg)
		assert.NoError(t, err, cat)
	}
}

// TestGoldenWireBodies pins the exact JSON sent for 1 and 3 tokens and each
// click kind, and checks that Form (the dry run) is what goes on the wire.
func TestGoldenWireBodies(t *testing.T) {
	page := push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.chat.ChatActivity"}
	tests := []struct {
		name   string
		click  push.ClickAction
		tokens []string
	}{
		{"unicast_1token", push.ClickAction{}, []string{"CN_0123456789abcdef0123456789abcdef"}},
		{"batch_3tokens", push.ClickAction{}, []string{"CN_id1", "CN_id2", "CN_id3"}},
		{"click_default", push.ClickAction{}, []string{"CN_a"}},
		{"click_open_app", push.ClickAction{Kind: push.ClickOpenApp}, []string{"CN_a"}},
		{"click_url", push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/x?a=1&b=2"}, []string{"CN_a"}},
		{"click_page_activity", page, []string{"CN_a"}},
		{"click_page_intent", push.ClickAction{Kind: push.ClickOpenPage,
			Intent: "intent://chat/open#Intent;scheme=im;component=com.example.chat/.ChatActivity;end"}, []string{"CN_a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, baseConfig())
			info := msg()
			info.Click = tt.click
			info.TTL = 24 * time.Hour
			res, err := c.Push(context.Background(), info, tt.tokens...)
			require.NoError(t, err)
			require.NoError(t, res.Err())

			sends := srv.Sends()
			require.Len(t, sends, 1)
			field := "message"
			wantPath := oppo.UnicastPath
			if len(tt.tokens) > 1 {
				field, wantPath = "messages", oppo.BatchPath
			}
			assert.Equal(t, wantPath, sends[0].Path)
			wire := sends[0].Form.Get(field)
			golden.Assert(t, tt.name+".golden", []byte(wire))

			path, form, err := c.Form(info, tt.tokens...)
			require.NoError(t, err)
			assert.Equal(t, wantPath, path)
			assert.Equal(t, url.Values{field: {wire}}, form, "the dry run is what is sent")
		})
	}
}

// TestReferenceExample checks field by field against §1.8 of the reference.
func TestReferenceExample(t *testing.T) {
	c, srv := setup(t, baseConfig())
	info := &push.OfflinePushInfo{Title: "Title", Desc: "Body", Ext: `{"k":"v"}`, TTL: 86400 * time.Second,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/x"}}
	_, err := c.Push(context.Background(), info, "CN_0123456789abcdef0123456789abcdef")
	require.NoError(t, err)
	m := wireJSON(t, srv.Sends()[0]).(map[string]any)
	assert.Equal(t, 2.0, m["target_type"])
	assert.Equal(t, "CN_0123456789abcdef0123456789abcdef", m["target_value"])
	n := m["notification"].(map[string]any)
	assert.Equal(t, "Title", n["title"])
	assert.Equal(t, "Body", n["content"])
	assert.Equal(t, 2.0, n["click_action_type"])
	assert.Equal(t, "https://example.com/x", n["click_action_url"])
	assert.Equal(t, "im_channel", n["channel_id"])
	assert.Equal(t, 86400.0, n["off_line_ttl"])
	assert.Equal(t, "IM", n["category"])
	assert.Equal(t, 2.0, n["notify_level"])
	assert.Len(t, n["app_message_id"], 32)
	// Deliberate difference: OPPO appends action_parameters to a URL as its
	// query, so Ext is not sent with a URL click.
	assert.NotContains(t, n, "action_parameters")

	// With a page click, action_parameters is exactly the reference's string.
	srv.Reset()
	info.Click = push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.ChatActivity"}
	_, err = c.Push(context.Background(), info, "CN_0123456789abcdef0123456789abcdef")
	require.NoError(t, err)
	n = wireJSON(t, srv.Sends()[0]).(map[string]any)["notification"].(map[string]any)
	assert.Equal(t, `{"ext":"{\"k\":\"v\"}"}`, n["action_parameters"])
	assert.Equal(t, 4.0, n["click_action_type"])
	assert.Equal(t, "com.example.ChatActivity", n["click_action_activity"])
}

func TestMappingOptions(t *testing.T) {
	c, _ := setup(t, baseConfig())
	t.Run("ttl capped and rounded up", func(t *testing.T) {
		info := msg()
		info.TTL = 30 * 24 * time.Hour
		n, err := c.Notification(info)
		require.NoError(t, err)
		assert.Equal(t, 864000, n.OffLineTTL)
		info.TTL = 1500 * time.Millisecond
		n, _ = c.Notification(info)
		assert.Equal(t, 2, n.OffLineTTL)
		info.TTL = 0
		n, _ = c.Notification(info)
		assert.Zero(t, n.OffLineTTL, "vendor default")
	})
	t.Run("config TTL is the default", func(t *testing.T) {
		cfg := baseConfig()
		cfg.TTL = time.Hour * 6
		c2, err := oppo.New(cfg)
		require.NoError(t, err)
		n, _ := c2.Notification(msg())
		assert.Equal(t, 21600, n.OffLineTTL)
	})
	t.Run("collapse id gives a stable notify_id", func(t *testing.T) {
		info := msg()
		n, _ := c.Notification(info)
		assert.Zero(t, n.NotifyID)
		info.CollapseID = "chat-42"
		a, _ := c.Notification(info)
		b, _ := c.Notification(info)
		assert.NotZero(t, a.NotifyID)
		assert.Equal(t, a.NotifyID, b.NotifyID)
	})
	t.Run("app_message_id", func(t *testing.T) {
		a, _ := c.Notification(msg())
		b, _ := c.Notification(msg())
		assert.Equal(t, a.AppMessageID, b.AppMessageID, "same ID, same key")
		assert.Regexp(t, `^[0-9a-f]{32}$`, a.AppMessageID)
		other := msg()
		other.ID = "msg-2"
		o, _ := c.Notification(other)
		assert.NotEqual(t, a.AppMessageID, o.AppMessageID)
		other.ID = ""
		r1, _ := c.Notification(other)
		r2, _ := c.Notification(other)
		assert.NotEqual(t, r1.AppMessageID, r2.AppMessageID, "no ID: random per call")
	})
	t.Run("category none and notify level", func(t *testing.T) {
		cfg := baseConfig()
		cfg.Category = oppo.CategoryNone
		c2, _ := oppo.New(cfg)
		n, _ := c2.Notification(msg())
		b, _ := json.Marshal(n)
		assert.NotContains(t, string(b), "category")
		assert.NotContains(t, string(b), "notify_level")
		cfg = baseConfig()
		cfg.NotifyLevel = oppo.NotifyHeadsUpRing
		c3, _ := oppo.New(cfg)
		n, _ = c3.Notification(msg())
		assert.Equal(t, 16, n.NotifyLevel)
		assert.Equal(t, "IM", n.Category)
	})
	t.Run("config click is the default", func(t *testing.T) {
		cfg := baseConfig()
		cfg.Click = push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.Main"}
		c2, _ := oppo.New(cfg)
		n, _ := c2.Notification(msg())
		assert.Equal(t, 4, n.ClickActionType)
		info := msg()
		info.Click = push.ClickAction{Kind: push.ClickOpenApp}
		n, _ = c2.Notification(info)
		assert.Equal(t, 0, n.ClickActionType, "the message's click wins")
	})
	t.Run("intent component with full class", func(t *testing.T) {
		info := msg()
		info.Click = push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.pkg/com.other.Cls;end"}
		n, err := c.Notification(info)
		require.NoError(t, err)
		assert.Equal(t, "com.other.Cls", n.ClickActionActivity)
	})
	t.Run("no ext, no action_parameters", func(t *testing.T) {
		info := msg()
		info.Ext = ""
		n, _ := c.Notification(info)
		assert.Empty(t, n.ActionParameters)
	})
}

// Issue 12 finding 8: title and content are fitted to OPPO's 50 UTF-16
// units (as the Java SDK counts; an emoji is 2), ending with "…", never cut
// inside a character; WithStrictLength refuses instead.
func TestLengths(t *testing.T) {
	c, srv := setup(t, baseConfig())
	cjk49, d49 := strings.Repeat("标", 49), strings.Repeat("d", 49)
	tests := []struct {
		name, in, want string
	}{
		{"ascii at the limit", strings.Repeat("d", 50), strings.Repeat("d", 50)},
		{"ascii over", strings.Repeat("d", 60), d49 + "…"},
		{"cjk at the limit", strings.Repeat("标", 50), strings.Repeat("标", 50)},
		{"cjk over", strings.Repeat("标", 1400), cjk49 + "…"},
		{"an emoji that would make 51 units", cjk49 + "😀", cjk49 + "…"},
		{"cjk and an emoji at the limit", strings.Repeat("标", 48) + "😀", strings.Repeat("标", 48) + "😀"},
		{"emoji: 25 are 50 units", strings.Repeat("😀", 25), strings.Repeat("😀", 25)},
		{"emoji over: the pair is never split", strings.Repeat("😀", 26), strings.Repeat("😀", 24) + "…"},
		{"mixed", strings.Repeat("a标😀", 20), strings.Repeat("a标😀", 12) + "a…"},
		{"mixed, the cut falls on an emoji", "abc" + strings.Repeat("😀", 24), "abc" + strings.Repeat("😀", 23) + "…"},
		{"white space before the cut is dropped", strings.Repeat("d", 48) + "   tail", strings.Repeat("d", 48) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := msg()
			info.Title, info.Desc = tt.in, tt.in
			srv.Reset()
			res, err := c.Push(context.Background(), info, "CN_a")
			require.NoError(t, err)
			require.NoError(t, res.Err(), "the fake refuses over 50 UTF-16 units")
			n := wireJSON(t, srv.Sends()[0]).(map[string]any)["notification"].(map[string]any)
			assert.Equal(t, tt.want, n["title"])
			assert.Equal(t, tt.want, n["content"])
		})
	}

	t.Run("Ext is never cut", func(t *testing.T) {
		info := msg()
		info.Ext = strings.Repeat("标", oppo.MaxActionParameters-len(`{"ext":""}`)) // exactly 4000 units
		n, err := c.Notification(info)
		require.NoError(t, err)
		assert.Equal(t, `{"ext":"`+info.Ext+`"}`, n.ActionParameters)
		info.Ext += "x"
		_, err = c.Notification(info)
		require.ErrorIs(t, err, push.ErrInvalidMessage)
		var fe *push.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "Ext", fe.Field)
	})
	t.Run("strict refuses", func(t *testing.T) {
		strict, _ := setup(t, baseConfig(), push.WithStrictLength())
		info := msg()
		info.Title = cjk49 + "😀"
		_, err := strict.Push(context.Background(), info, "CN_a")
		assert.ErrorIs(t, err, push.ErrInvalidMessage)
		assert.Contains(t, err.Error(), "Title")
		info = msg()
		info.Desc = strings.Repeat("标", 51)
		_, err = strict.Push(context.Background(), info, "CN_a")
		assert.ErrorIs(t, err, push.ErrInvalidMessage)
		assert.Contains(t, err.Error(), "Desc")
	})
}

// Issue 12 finding 9: an empty Title falls back to the default title, else
// the Desc (fitted to the title's limit); OPPO no longer refuses it.
func TestEmptyTitleFallsBack(t *testing.T) {
	c, srv := setup(t, baseConfig())
	info := msg()
	info.Title = " "
	res, err := c.Push(context.Background(), info, "CN_a")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	n := wireJSON(t, srv.Sends()[0]).(map[string]any)["notification"].(map[string]any)
	assert.Equal(t, "Body", n["title"])

	named, _ := setup(t, baseConfig(), push.WithDefaultTitle("Chat"))
	nt, err := named.Notification(info)
	require.NoError(t, err)
	assert.Equal(t, "Chat", nt.Title)

	info.Desc = strings.Repeat("标", 60)
	nt, err = c.Notification(info)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("标", 49)+"…", nt.Title)
}

func TestInvalidInputBeforeAnyRequest(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", 500)
	tests := []struct {
		name  string
		edit  func(*push.OfflinePushInfo)
		field string
	}{
		{"empty desc", func(m *push.OfflinePushInfo) { m.Desc = "" }, "Desc"},
		{"bad utf-8", func(m *push.OfflinePushInfo) { m.Title = "\xff" }, "Title"},
		{"url too long", func(m *push.OfflinePushInfo) { m.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: long} }, "Click.URL"},
		{"url not http", func(m *push.OfflinePushInfo) {
			m.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "javascript:alert(1)"}
		}, "Click.URL"},
		{"page without component", func(m *push.OfflinePushInfo) {
			m.Click = push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent://x#Intent;scheme=im;end"}
		}, "Click.Intent"},
		{"page without target", func(m *push.OfflinePushInfo) { m.Click = push.ClickAction{Kind: push.ClickOpenPage} }, "Click"},
		{"ext too long", func(m *push.OfflinePushInfo) { m.Ext = strings.Repeat("x", 3991) }, "Ext"},
		{"ext too long with escapes", func(m *push.OfflinePushInfo) { m.Ext = strings.Repeat(`"`, 2000) }, "Ext"},
		{"bad click kind", func(m *push.OfflinePushInfo) { m.Click.Kind = 9 }, "Click.Kind"},
		{"negative ttl", func(m *push.OfflinePushInfo) { m.TTL = -1 }, "TTL"},
	}
	c, srv := setup(t, baseConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := msg()
			tt.edit(info)
			res, err := c.Push(context.Background(), info, "CN_a")
			assert.Nil(t, res)
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			var fe *push.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field, err.Error())
		})
	}
	_, err := c.Push(context.Background(), nil, "CN_a")
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.Len(t, srv.Records(), 0, "nothing was sent, not even auth")

	_, _, err = c.Form(msg())
	assert.ErrorIs(t, err, push.ErrInvalidMessage, "Form needs 1..1000 tokens")
	_, _, err = c.Form(msg(), tokens("t", 1001)...)
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
}

func TestBatchSplitting(t *testing.T) {
	c, srv := setup(t, baseConfig())
	toks := tokens("CN_", 2500)
	res, err := c.Push(context.Background(), msg(), toks...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 2500)
	for i, o := range res.Outcomes {
		require.Equal(t, toks[i], o.Token, "input order")
		require.NoError(t, o.Err)
		require.NotEmpty(t, o.MessageID)
	}
	sends := srv.Sends()
	require.Len(t, sends, 3, "ceil(2500/1000)")
	var sizes []int
	for _, s := range sends {
		assert.Equal(t, oppo.BatchPath, s.Path)
		sizes = append(sizes, len(s.Tokens))
	}
	assert.ElementsMatch(t, []int{1000, 1000, 500}, sizes)
	del := srv.Delivered()
	assert.Len(t, del, 2500)
	for _, tk := range toks {
		assert.Equal(t, 1, del[tk])
	}
	// Each outcome's message id is the one the server gave that regId.
	ids := map[string]string{}
	for _, s := range sends {
		var r struct {
			Data []struct{ MessageID, RegistrationID string }
		}
		require.NoError(t, json.Unmarshal(s.Response, &r))
		for _, d := range r.Data {
			ids[d.RegistrationID] = d.MessageID
		}
	}
	for _, o := range res.Outcomes {
		assert.Equal(t, ids[o.Token], o.MessageID)
	}
	assert.Equal(t, 1, srv.AuthCalls())
}

func TestLoneTokenOfLastBatchGoesUnicast(t *testing.T) {
	c, srv := setup(t, baseConfig())
	res, err := c.Push(context.Background(), msg(), tokens("CN_", 1001)...)
	require.NoError(t, err)
	assert.Equal(t, 1001, res.Delivered())
	assert.Equal(t, 1, srv.Count(oppo.BatchPath))
	assert.Equal(t, 1, srv.Count(oppo.UnicastPath))
}

// Issue 12 finding 6: with errorCode a JSON string, as OPPO's Java SDK
// types it, the answer was "unreadable": the accepted regIds were reported
// failed and the dead one was never reported.
func TestStringCodes(t *testing.T) {
	c, srv := setup(t, baseConfig())
	srv.StringCodes = true
	toks := tokens("CN_", 5)
	srv.Invalidate(toks[3])
	res, err := c.Push(context.Background(), msg(), toks...)
	require.NoError(t, err)
	sends := srv.Sends()
	require.NotEmpty(t, sends)
	require.Contains(t, string(sends[0].Response), `"errorCode":"10000"`, "the fake answered a string")
	assert.Equal(t, []string{toks[3]}, res.InvalidTokens())
	assert.Equal(t, 4, res.Delivered())
	for i, o := range res.Outcomes {
		if i != 3 {
			assert.NotEmpty(t, o.MessageID, o.Token)
		}
	}
	// unicast: the top-level code is a string too
	res, err = c.Push(context.Background(), msg(), toks[3])
	require.NoError(t, err)
	assert.Equal(t, []string{toks[3]}, res.InvalidTokens())
}

// OPPO 10001 (notifications switched off): the token lives and is kept.
func TestNotificationsOffIsNotDead(t *testing.T) {
	c, srv := setup(t, baseConfig())
	srv.Inject(pushtest.Fault{Body: `{"code":0,"data":[{"messageId":"m1","registrationId":"CN_a"},{"registrationId":"CN_b","errorCode":10001,"errorMessage":"off"}]}`,
		ContentType: "application/json"})
	res, err := c.Push(context.Background(), msg(), "CN_a", "CN_b")
	require.NoError(t, err)
	assert.NoError(t, res.Outcomes[0].Err)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrDisabled)
	assert.NotErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	assert.False(t, push.IsRetryable(res.Outcomes[1].Err), "pushing again now will not help")
	assert.Empty(t, res.InvalidTokens())
}

// A misconfigured app (regIds of another app): every regId gets 10000. The
// guard turns the run into ErrAuth, tokens kept; with the guard off the
// vendor's verdict stands.
func TestMisconfiguredAppKeepsTokens(t *testing.T) {
	toks := tokens("CN_live", 50)
	c, srv := setup(t, baseConfig())
	srv.SetMisconfigured(true)
	res, err := c.Push(context.Background(), msg(), toks...)
	require.NoError(t, err)
	assert.Empty(t, res.InvalidTokens())
	for _, o := range res.Outcomes {
		require.ErrorIs(t, o.Err, push.ErrAuth, o.Token)
		assert.Contains(t, o.Err.Error(), "likely a misconfiguration")
		assert.Contains(t, o.Err.Error(), "Config.AppKey")
	}
	assert.Empty(t, srv.Delivered())

	off, err := oppo.New(baseConfig(), push.WithEndpoint(srv.URL()), push.WithMisconfigGuard(0))
	require.NoError(t, err)
	res, err = off.Push(context.Background(), msg(), toks...)
	require.NoError(t, err)
	assert.Equal(t, toks, res.InvalidTokens())
}

// A top-level 10000 on a batch names no regId (it was a message error for
// every token): the regIds are re-sent one by one, and only the one OPPO
// then names is dead.
func TestBatchTopLevelInvalidIsResentAlone(t *testing.T) {
	c, srv := setup(t, baseConfig())
	toks := tokens("CN_", 3)
	srv.Invalidate(toks[1])
	srv.Inject(pushtest.Fault{Code: "10000"})
	res, err := c.Push(context.Background(), msg(), toks...)
	require.NoError(t, err)
	assert.Equal(t, []string{toks[1]}, res.InvalidTokens())
	assert.Equal(t, 2, res.Delivered())
	assert.Equal(t, 1, srv.Count(oppo.BatchPath))
	assert.Equal(t, 3, srv.Count(oppo.UnicastPath))
}

func TestDeadTokens(t *testing.T) {
	c, srv := setup(t, baseConfig())
	toks := tokens("CN_", 10)
	dead := []string{toks[1], toks[4], toks[9]}
	srv.Invalidate(dead...)
	res, err := c.Push(context.Background(), msg(), toks...)
	require.NoError(t, err)
	assert.Equal(t, dead, res.InvalidTokens())
	assert.Len(t, res.Failed(), 3)
	for _, o := range res.Outcomes {
		if srv.IsInvalid(o.Token) {
			var ve *push.VendorError
			require.ErrorAs(t, o.Err, &ve)
			assert.Equal(t, "10000", ve.Code)
			assert.Equal(t, push.OPPO, ve.Vendor)
			assert.Empty(t, o.MessageID)
		} else {
			assert.NoError(t, o.Err)
		}
	}

	t.Run("single token via unicast", func(t *testing.T) {
		res, err := c.Push(context.Background(), msg(), toks[4])
		require.NoError(t, err)
		assert.ErrorIs(t, res.Err(), push.ErrInvalidToken)
		assert.Equal(t, []string{toks[4]}, res.InvalidTokens())
	})
	t.Run("empty and duplicate tokens", func(t *testing.T) {
		srv.Reset()
		res, err := c.Push(context.Background(), msg(), "CN_x", "", "CN_x")
		require.NoError(t, err)
		require.Len(t, res.Outcomes, 3)
		assert.NoError(t, res.Outcomes[0].Err)
		assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
		assert.NoError(t, res.Outcomes[2].Err)
		assert.Equal(t, map[string]int{"CN_x": 1}, srv.Delivered())
	})
}

func TestConcurrentPushesShareOneAuth(t *testing.T) {
	c, srv := setup(t, baseConfig())
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Push(context.Background(), msg(), fmt.Sprintf("CN_%02d", i))
			if err == nil {
				err = res.Err()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, 1, srv.AuthCalls())
	assert.Equal(t, 1, srv.Count(oppo.AuthPath))
	assert.Len(t, srv.Delivered(), 50)
}

func TestServerSideTokenExpiry(t *testing.T) {
	c, srv := setup(t, baseConfig())
	first := tokens("CN_a", 3)
	res, err := c.Push(context.Background(), msg(), first...)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	require.Equal(t, 1, srv.AuthCalls())

	srv.ExpireTokens()
	info := msg()
	info.ID = "msg-2"
	second := tokens("CN_b", 2500) // three concurrent batches all meet code 11
	res, err = c.Push(context.Background(), info, second...)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, srv.AuthCalls(), "exactly one re-auth")
	del := srv.Delivered()
	for _, tk := range append(first, second...) {
		assert.Equal(t, 1, del[tk], tk)
	}
	expired := 0
	for _, r := range srv.Sends() {
		if bytes.Contains(r.Response, []byte(`"code":11`)) {
			expired++
		}
	}
	// A batch that starts after another's refresh uses the new token at once.
	assert.GreaterOrEqual(t, expired, 1)
	assert.LessOrEqual(t, expired, 3, "no batch was turned away twice")
}

func TestInjectedExpiredCode(t *testing.T) {
	c, srv := setup(t, baseConfig())
	srv.Inject(pushtest.Fault{Code: "11"})
	res, err := c.Push(context.Background(), msg(), "CN_a", "CN_b")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, srv.AuthCalls())
	assert.Equal(t, 2, srv.Count(oppo.BatchPath))
	assert.Equal(t, map[string]int{"CN_a": 1, "CN_b": 1}, srv.Delivered())

	t.Run("rejected twice: auth error, no third try", func(t *testing.T) {
		srv.Reset()
		srv.Inject(pushtest.Fault{Code: "11", Times: -1})
		res, err := c.Push(context.Background(), msg(), "CN_a")
		require.NoError(t, err)
		assert.ErrorIs(t, res.Err(), push.ErrAuth)
		assert.ErrorIs(t, res.Err(), auth.ErrExpired)
		assert.Equal(t, 2, srv.Count(oppo.UnicastPath))
		assert.Equal(t, 1, srv.Count(oppo.AuthPath))
	})
}

func TestQuotaIsNotRetried(t *testing.T) {
	c, srv := setup(t, baseConfig())
	srv.Inject(pushtest.Fault{Code: "33", Times: -1})
	res, err := c.Push(context.Background(), msg(), "CN_a", "CN_b")
	require.NoError(t, err)
	for _, o := range res.Outcomes {
		assert.ErrorIs(t, o.Err, push.ErrQuota)
		assert.False(t, push.IsRetryable(o.Err))
	}
	assert.Equal(t, 1, len(srv.Sends()), "no retry")

	t.Run("per item", func(t *testing.T) {
		srv.Reset()
		srv.SetQuota(2)
		toks := tokens("CN_q", 5)
		res, err := c.Push(context.Background(), msg(), toks...)
		require.NoError(t, err)
		assert.Equal(t, 2, res.Delivered())
		for _, o := range res.Outcomes[2:] {
			var ve *push.VendorError
			require.ErrorAs(t, o.Err, &ve)
			assert.ErrorIs(t, o.Err, push.ErrQuota)
			assert.Equal(t, "33", ve.Code)
		}
		assert.Equal(t, 1, len(srv.Sends()))
	})
}

func TestBusyAndRateLimits(t *testing.T) {
	for _, tt := range []struct {
		code string
		kind error
	}{{"-1", push.ErrUnavailable}, {"-2", push.ErrRateLimited}, {"13", push.ErrRateLimited}, {"55", push.ErrRateLimited}} {
		t.Run(tt.code, func(t *testing.T) {
			c, srv := setup(t, baseConfig(), fastRetry(2))
			srv.Inject(pushtest.Fault{Code: tt.code})
			res, err := c.Push(context.Background(), msg(), "CN_a", "CN_b")
			require.NoError(t, err)
			require.NoError(t, res.Err(), "retried once, then delivered")
			assert.Equal(t, 2, len(srv.Sends()))
			assert.Equal(t, map[string]int{"CN_a": 1, "CN_b": 1}, srv.Delivered())

			srv.Reset()
			srv.Inject(pushtest.Fault{Code: tt.code, Times: -1})
			res, err = c.Push(context.Background(), msg(), "CN_a")
			require.NoError(t, err)
			assert.ErrorIs(t, res.Err(), tt.kind)
			assert.True(t, push.IsRetryable(res.Err()))
			assert.Equal(t, 3, len(srv.Sends()), "first try and two retries")
		})
	}
}

func TestTemporaryFailuresRetriedDeliveredOnce(t *testing.T) {
	for _, f := range []pushtest.Fault{
		{Status: 503, Body: "<html>busy</html>", ContentType: "text/html"},
		{Status: 502},
		{Reset: true}, // may have reached OPPO: retried because app_message_id dedupes
	} {
		t.Run(fmt.Sprint(f.Status, f.Reset), func(t *testing.T) {
			c, srv := setup(t, baseConfig())
			srv.Inject(f)
			res, err := c.Push(context.Background(), msg(), "CN_a", "CN_b", "CN_c")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			assert.Equal(t, 2, len(srv.Sends()))
			assert.Equal(t, map[string]int{"CN_a": 1, "CN_b": 1, "CN_c": 1}, srv.Delivered())
		})
	}
}

func TestSameIDShownOnce(t *testing.T) {
	// A caller's own resend of the same message (same ID) is deduplicated
	// by OPPO on app_message_id: the fake does the same.
	c, srv := setup(t, baseConfig())
	a, err := c.Push(context.Background(), msg(), "CN_a", "CN_b")
	require.NoError(t, err)
	b, err := c.Push(context.Background(), msg(), "CN_a", "CN_b")
	require.NoError(t, err)
	require.NoError(t, b.Err())
	assert.Equal(t, map[string]int{"CN_a": 1, "CN_b": 1}, srv.Delivered())
	assert.Equal(t, a.Outcomes[0].MessageID, b.Outcomes[0].MessageID)
}

func TestAuthRejected(t *testing.T) {
	cfg := baseConfig()
	cfg.MasterSecret = "wrong_master_secret"
	c, srv := setup(t, cfg)
	res, err := c.Push(context.Background(), msg(), "CN_a", "CN_b")
	require.NoError(t, err)
	for _, o := range res.Outcomes {
		assert.ErrorIs(t, o.Err, push.ErrAuth)
		var ve *push.VendorError
		require.ErrorAs(t, o.Err, &ve)
		assert.Equal(t, "16", ve.Code)
		assert.NotContains(t, o.Err.Error(), "wrong_master_secret")
	}
	assert.Empty(t, srv.Sends())
	assert.Equal(t, 1, srv.Count(oppo.AuthPath), "a rejected signature is not retried")
}

func TestAuthBusyRetried(t *testing.T) {
	c, srv := setup(t, baseConfig())
	srv.Inject(pushtest.Fault{Path: oppo.AuthPath, Code: "-1"}, pushtest.Fault{Path: oppo.AuthPath, Status: 500})
	res, err := c.Push(context.Background(), msg(), "CN_a")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 3, srv.Count(oppo.AuthPath))
	assert.Equal(t, 1, srv.AuthCalls())
}

func TestWithTokenSource(t *testing.T) {
	c, srv := setup(t, baseConfig())
	_, err := c.Push(context.Background(), msg(), "CN_a")
	require.NoError(t, err)
	var ar struct {
		Data struct {
			AuthToken string `json:"auth_token"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(srv.Records()[0].Response, &ar))

	shared, err := oppo.New(baseConfig(), push.WithEndpoint(srv.URL()),
		push.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: ar.Data.AuthToken})))
	require.NoError(t, err)
	res, err := shared.Push(context.Background(), msg(), "CN_b")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 1, srv.AuthCalls(), "the shared token was used")
}

func TestContextDone(t *testing.T) {
	c, srv := setup(t, baseConfig())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := c.Push(ctx, msg(), "CN_a")
	assert.Nil(t, res)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, srv.Records(), 0)

	srv.Inject(pushtest.Fault{Delay: time.Second, Times: -1})
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, err = c.Push(ctx, msg(), "CN_a")
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), context.DeadlineExceeded)
}

func TestSecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := baseConfig()
	c, srv := setup(t, cfg, push.WithLogger(logger))

	var errs []string
	collect := func(res *push.Result, err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
		if res != nil {
			for _, o := range res.Outcomes {
				if o.Err != nil {
					errs = append(errs, o.Err.Error(), fmt.Sprintf("%+v %#v", o.Err, o.Err))
				}
			}
		}
	}
	srv.Invalidate("CN_dead")
	collect(c.Push(context.Background(), msg(), "CN_a", "CN_dead"))
	srv.ExpireTokens()
	srv.Inject(pushtest.Fault{Code: "11", Times: 2})
	collect(c.Push(context.Background(), msg(), "CN_a"))
	srv.Inject(pushtest.Fault{Status: 500, Times: -1})
	collect(c.Push(context.Background(), msg(), "CN_a"))
	srv.ClearFaults()
	srv.Inject(pushtest.Fault{Path: oppo.AuthPath, Code: "16"})
	srv.ExpireTokens()
	collect(c.Push(context.Background(), msg(), "CN_b"))
	require.NotEmpty(t, errs)
	require.NotEmpty(t, logs.String(), "debug records were written")

	secrets := []string{masterSecret}
	for _, r := range srv.Records() {
		if r.Path != oppo.AuthPath || !bytes.Contains(r.Response, []byte("auth_token")) {
			continue
		}
		var ar struct {
			Data struct {
				AuthToken string `json:"auth_token"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal(r.Response, &ar))
		secrets = append(secrets, ar.Data.AuthToken)
	}
	require.Greater(t, len(secrets), 2, "tokens were issued")

	out := []string{logs.String(), strings.Join(errs, "\n"),
		fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg), fmt.Sprintf("%v %+v %s", c, c, c)}
	for _, r := range srv.Records() {
		out = append(out, r.Dump())
	}
	for _, s := range out {
		for _, sec := range secrets {
			assert.NotContains(t, s, sec)
		}
	}
	assert.Contains(t, fmt.Sprintf("%#v", cfg), "<redacted>")
}

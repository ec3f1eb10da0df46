package vivo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/internal/wire"
	"github.com/offlinepush/push/pushtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAppID  = "10004"
	testKey    = "25509283-3767-4b9e-83fe-b6e55ac6243e"
	testSecret = "test_app_secret"
)

var fastRetry = push.WithRetry(push.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, MaxRetryAfter: time.Second})

func newTest(t testing.TB, cfg Config, opts ...push.Option) (*Client, *pushtest.Vivo) {
	t.Helper()
	srv := pushtest.NewVivo(testAppID, testKey, testSecret)
	t.Cleanup(srv.Close)
	if cfg.AppID == "" {
		cfg.AppID, cfg.AppKey, cfg.AppSecret = testAppID, testKey, testSecret
	}
	c, err := New(cfg, append([]push.Option{push.WithEndpoint(srv.URL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c, srv
}

func info() *push.OfflinePushInfo {
	return &push.OfflinePushInfo{
		Title: "Title", Desc: "Body", Ext: `{"k":"v"}`, ID: "msg-42", TTL: 24 * time.Hour,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/x"},
	}
}

func tokens(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("regid-%05d", i)
	}
	return out
}

func mustPush(t *testing.T, c *Client, in *push.OfflinePushInfo, toks ...string) *push.Result {
	t.Helper()
	res, err := c.Push(context.Background(), in, toks...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(toks), "one outcome per token")
	for i, o := range res.Outcomes {
		require.Equal(t, toks[i], o.Token, "outcome %d (input order)", i)
	}
	return res
}

func bodyOf(t *testing.T, srv *pushtest.Vivo, path string, n int) []byte {
	t.Helper()
	var got [][]byte
	for _, r := range srv.Records() {
		if r.Path == path {
			got = append(got, r.Body)
		}
	}
	require.Greater(t, len(got), n, "requests to %s", path)
	return got[n]
}

func TestSignVector(t *testing.T) {
	// §4: computed with vpush-sdk-2.2 SignUtils.getSign.
	got := sign("10004", "25509283-3767-4b9e-83fe-b6e55ac6243e", 1501484120000, "test_app_secret")
	require.Equal(t, "18be311df95d0057621a1efb49a6a47b", got)
	// parts are trimmed before signing, as vivo documents
	assert.Equal(t, got, sign(" 10004", "25509283-3767-4b9e-83fe-b6e55ac6243e\n", 1501484120000, " test_app_secret "), "sign trims its parts")
}

func TestAuthBody(t *testing.T) {
	c, err := New(Config{AppID: "10004", AppKey: testKey, AppSecret: testSecret})
	require.NoError(t, err)
	body := c.authBody(1501484120000)
	golden.Assert(t, "auth.golden", body)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	want := map[string]any{"appId": json.Number("10004"), "appKey": testKey, "timestamp": json.Number("1501484120000"),
		"sign": "18be311df95d0057621a1efb49a6a47b"}
	assert.Equal(t, want, m, "appId and timestamp as JSON numbers")
}

// TestGoldenWire pins the exact bodies for one token and each click kind,
// and for three tokens (saveListPayload then pushToList).
func TestGoldenWire(t *testing.T) {
	clicks := []struct {
		name  string
		click push.ClickAction
	}{
		{"default", push.ClickAction{}},
		{"open_app", push.ClickAction{Kind: push.ClickOpenApp}},
		{"url", push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat?id=1&from=push"}},
		{"page", push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.example.chat/.ChatActivity;S.conv=alice;end"}},
	}
	for _, tc := range clicks {
		t.Run("send_"+tc.name, func(t *testing.T) {
			c, srv := newTest(t, Config{})
			in := info()
			in.Click = tc.click
			mustPush(t, c, in, "12345678901234567890123")
			golden.Assert(t, "send_"+tc.name+".golden", bodyOf(t, srv, SendPath, 0))
		})
	}
	t.Run("list_3_tokens", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		res := mustPush(t, c, info(), "regid-a", "regid-b", "regid-c")
		require.Equal(t, 3, res.Delivered(), "%v", res.Err())
		golden.Assert(t, "list_3_save.golden", bodyOf(t, srv, SaveListPath, 0))
		golden.Assert(t, "list_3_push.golden", bodyOf(t, srv, PushToListPath, 0))
		assert.Zero(t, srv.Count(SendPath), "/message/send for 3 tokens")
	})
}

// TestReferenceExample checks field by field against §2.8.
func TestReferenceExample(t *testing.T) {
	c, srv := newTest(t, Config{})
	mustPush(t, c, info(), "12345678901234567890123")
	mustPush(t, c, info(), "id1", "id2", "id3")

	check := func(name string, body []byte, want string) {
		t.Helper()
		var got, exp map[string]any
		require.NoError(t, json.Unmarshal(body, &got))
		require.NoError(t, json.Unmarshal([]byte(want), &exp))
		for _, m := range []map[string]any{got, exp} {
			id, ok := m["requestId"].(string)
			assert.True(t, ok && id != "" && len(id) <= MaxRequestID, "%s: requestId %v is missing or too long", name, m["requestId"])
			delete(m, "requestId")
			delete(m, "taskId")
		}
		// every field of the reference, and no other
		assert.Equal(t, exp, got, name)
	}
	check("send", bodyOf(t, srv, SendPath, 0), `{"appId":10004,"regId":"12345678901234567890123","notifyType":4,"title":"Title","content":"Body",
 "timeToLive":86400,"skipType":2,"skipContent":"https://example.com/x","networkType":-1,
 "clientCustomMap":{"ext":"{\"k\":\"v\"}"},"classification":1,"category":"IM",
 "requestId":"msg-42-vivo-1","pushMode":0}`)
	check("saveListPayload", bodyOf(t, srv, SaveListPath, 0), `{"appId":10004,"notifyType":4,"title":"Title","content":"Body","timeToLive":86400,"skipType":2,
 "skipContent":"https://example.com/x","networkType":-1,"clientCustomMap":{"ext":"{\"k\":\"v\"}"},
 "classification":1,"category":"IM","requestId":"msg-42-vivo-payload","pushMode":0}`)
	check("pushToList", bodyOf(t, srv, PushToListPath, 0), `{"appId":10004,"regIds":["id1","id2","id3"],"taskId":"x","requestId":"msg-42-vivo-list-1","pushMode":0}`)

	// the header carries the token; the path is right
	for _, r := range srv.Sends() {
		assert.True(t, strings.HasPrefix(r.Header.Get("authToken"), "fake-vivo-authtoken-"), "%s: authToken header = %q", r.Path, r.Header.Get("authToken"))
		assert.Equal(t, "application/json;charset=UTF-8", r.Header.Get("Content-Type"), r.Path)
	}
}

func TestRequestIDs(t *testing.T) {
	c, srv := newTest(t, Config{})
	mustPush(t, c, info(), "a", "b", "c")
	mustPush(t, c, info(), "d")
	seen := map[string]string{}
	for _, r := range srv.Sends() {
		var m struct {
			RequestID string `json:"requestId"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &m))
		assert.True(t, m.RequestID != "" && len(m.RequestID) <= MaxRequestID, "%s: requestId %q", r.Path, m.RequestID)
		p, dup := seen[m.RequestID]
		assert.False(t, dup, "requestId %s used by %s and %s", m.RequestID, p, r.Path)
		seen[m.RequestID] = r.Path
	}
	// requestID is a function of message, kind and regIds: same message,
	// same regIds, same ids; other regIds, other ids
	assert.Equal(t, requestID("id:m", "send", []string{"a"}), requestID("id:m", "send", []string{"a"}))
	assert.NotEqual(t, requestID("id:m", "send", []string{"a"}), requestID("id:m", "send", []string{"b"}))
	assert.NotEqual(t, requestID("id:m", "pushToList", []string{"a", "b"}), requestID("id:m", "saveListPayload", []string{"a", "b"}))
	assert.NotEqual(t, requestID("id:m", "pushToList", []string{"a", "b"}), requestID("id:n", "pushToList", []string{"a", "b"}))
}

func TestMessageMapping(t *testing.T) {
	c, _ := newTest(t, Config{})
	cjk := strings.Repeat("消", 45)
	tests := []struct {
		name  string
		edit  func(*push.OfflinePushInfo)
		check func(*testing.T, *message)
	}{
		{"title shortened to 40 with an ellipsis", func(i *push.OfflinePushInfo) { i.Title = cjk }, func(t *testing.T, m *message) {
			assert.Equal(t, strings.Repeat("消", 39)+"…", m.Title)
		}},
		{"content shortened to 100 UTF-16 units with an ellipsis", func(i *push.OfflinePushInfo) { i.Desc = strings.Repeat("😀", 120) }, func(t *testing.T, m *message) {
			assert.Equal(t, strings.Repeat("😀", 49)+"…", m.Content)
		}},
		{"no ttl: vivo default", func(i *push.OfflinePushInfo) { i.TTL = 0 }, func(t *testing.T, m *message) {
			assert.Zero(t, m.TimeToLive)
		}},
		{"short ttl raised to 60 s", func(i *push.OfflinePushInfo) { i.TTL = 1500 * time.Millisecond }, func(t *testing.T, m *message) {
			assert.Equal(t, 60, m.TimeToLive)
		}},
		{"long ttl capped to a day", func(i *push.OfflinePushInfo) { i.TTL = 30 * 24 * time.Hour }, func(t *testing.T, m *message) {
			assert.Equal(t, 86400, m.TimeToLive)
		}},
		{"no ext: no clientCustomMap", func(i *push.OfflinePushInfo) { i.Ext = "" }, func(t *testing.T, m *message) {
			assert.Nil(t, m.ClientCustomMap)
		}},
		{"ext at the limit", func(i *push.OfflinePushInfo) { i.Ext = strings.Repeat("x", MaxCustom-3) }, func(t *testing.T, m *message) {
			assert.Len(t, m.ClientCustomMap["ext"], MaxCustom-3, "ext unchanged")
		}},
		{"collapse id sets notifyId", func(i *push.OfflinePushInfo) { i.CollapseID = "conv-1" }, func(t *testing.T, m *message) {
			assert.Positive(t, m.NotifyID)
		}},
		{"no collapse id: no notifyId", func(i *push.OfflinePushInfo) {}, func(t *testing.T, m *message) {
			assert.Zero(t, m.NotifyID)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := info()
			tc.edit(in)
			m, err := c.message(in)
			require.NoError(t, err)
			tc.check(t, m)
		})
	}
}

func TestListTTL(t *testing.T) {
	c, srv := newTest(t, Config{})
	in := info()
	in.TTL = 2 * time.Minute
	mustPush(t, c, in, "a")
	mustPush(t, c, in, "b", "c")
	var send, save message
	require.NoError(t, json.Unmarshal(bodyOf(t, srv, SendPath, 0), &send))
	require.NoError(t, json.Unmarshal(bodyOf(t, srv, SaveListPath, 0), &save))
	assert.Equal(t, 120, send.TimeToLive, "send")
	assert.Equal(t, 900, save.TimeToLive, "list: vivo's list minimum")
}

func TestConfig(t *testing.T) {
	ok := Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret}
	tests := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"empty AppID", func(c *Config) { c.AppID = " " }, "AppID"},
		{"AppID not numeric", func(c *Config) { c.AppID = "app-10004" }, "AppID"},
		{"AppID negative", func(c *Config) { c.AppID = "-5" }, "AppID"},
		{"AppID zero", func(c *Config) { c.AppID = "0" }, "AppID"},
		{"empty AppKey", func(c *Config) { c.AppKey = "" }, "AppKey"},
		{"empty AppSecret", func(c *Config) { c.AppSecret = "\n" }, "AppSecret"},
		{"bad PushMode", func(c *Config) { c.PushMode = 2 }, "PushMode"},
		{"bad NotifyType", func(c *Config) { c.NotifyType = 5 }, "NotifyType"},
		{"negative TTL", func(c *Config) { c.TTL = -time.Second }, "TTL"},
		{"bad category", func(c *Config) { c.Category = "I M" }, "Category"},
		{"unknown category without class", func(c *Config) { c.Category = "NEWS" }, "Classification"},
		{"class does not match category", func(c *Config) { c.Classification = Operational }, "Classification"},
		{"bad class", func(c *Config) { c.Classification = 7 }, "Classification"},
		{"bad click", func(c *Config) { c.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x"} }, "Click.URL"},
		{"page without intent", func(c *Config) {
			c.Click = push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.ChatActivity"}
		}, "Click.Intent"},
		{"bad endpoint", func(c *Config) {}, "WithEndpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.edit(&cfg)
			var opts []push.Option
			if tc.field == "WithEndpoint" {
				opts = append(opts, push.WithEndpoint("not a url"))
			}
			_, err := New(cfg, opts...)
			require.ErrorIs(t, err, push.ErrConfig)
			var fe *push.FieldError
			if assert.ErrorAs(t, err, &fe) {
				assert.Equal(t, tc.field, fe.Field)
			}
			assert.NotContains(t, err.Error(), testSecret, "the error carries a credential")
			assert.NotContains(t, err.Error(), testKey, "the error carries a credential")
		})
	}

	// accepted variants
	for _, cfg := range []Config{
		{AppID: " 10004 ", AppKey: testKey + "\n", AppSecret: testSecret, Category: "im"},
		{AppID: testAppID, AppKey: testKey, AppSecret: testSecret, Category: "MARKETING"},
		{AppID: testAppID, AppKey: testKey, AppSecret: testSecret, Category: "MARKETING", Classification: Operational},
		{AppID: testAppID, AppKey: testKey, AppSecret: testSecret, Category: "NEWS", Classification: Operational},
		{AppID: testAppID, AppKey: testKey, AppSecret: testSecret, PushMode: Test, NotifyType: NotifyNone},
	} {
		_, err := New(cfg)
		assert.NoError(t, err, "New(%v)", cfg)
	}
	c, err := New(Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret, Category: "marketing"})
	require.NoError(t, err)
	m, err := c.message(info())
	require.NoError(t, err)
	assert.Equal(t, "MARKETING", m.Category)
	assert.Equal(t, 0, m.Classification)
}

// TestInvalidMessage: bad input fails before any request.
func TestInvalidMessage(t *testing.T) {
	tests := []struct {
		name  string
		info  *push.OfflinePushInfo
		field string
		opts  []push.Option
	}{
		{"nil", nil, "OfflinePushInfo", nil},
		{"empty desc", &push.OfflinePushInfo{Title: "t"}, "Desc", nil},
		{"bad utf-8", &push.OfflinePushInfo{Title: "t\xff", Desc: "d"}, "Title", nil},
		{"negative ttl", &push.OfflinePushInfo{Title: "t", Desc: "d", TTL: -1}, "TTL", nil},
		{"long title, strict", &push.OfflinePushInfo{Title: strings.Repeat("a", 41), Desc: "d"}, "Title", []push.Option{push.WithStrictLength()}},
		{"long desc, strict", &push.OfflinePushInfo{Title: "t", Desc: strings.Repeat("字", 101)}, "Desc", []push.Option{push.WithStrictLength()}},
		{"long ext", &push.OfflinePushInfo{Title: "t", Desc: "d", Ext: strings.Repeat("x", MaxCustom-2)}, "Ext", nil},
		{"bad url", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "/relative"}}, "Click.URL", nil},
		{"long url", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://e.com/" + strings.Repeat("x", MaxURL)}}, "Click.URL", nil},
		{"page without intent", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.e.A"}}, "Click.Intent", nil},
		{"long intent", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;S.x=" + strings.Repeat("x", MaxIntent) + ";end"}}, "Click.Intent", nil},
		{"bad click kind", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: 9}}, "Click.Kind", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := newTest(t, Config{}, tc.opts...)
			res, err := c.Push(context.Background(), tc.info, "a", "b")
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			require.Nil(t, res)
			var fe *push.FieldError
			if assert.ErrorAs(t, err, &fe) {
				assert.Equal(t, tc.field, fe.Field)
			}
			assert.Empty(t, srv.Records(), "requests made for an invalid message")
		})
	}
	c, srv := newTest(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Push(ctx, info(), "a")
	assert.ErrorIs(t, err, context.Canceled, "done context")
	assert.Empty(t, srv.Records(), "requests made with a done context")
}

// TestBatching: 2500 tokens → 3 lists, each saved once and pushed once;
// 2500 outcomes in input order; a list left with one regId uses send.
func TestBatching(t *testing.T) {
	c, srv := newTest(t, Config{})
	toks := tokens(2500)
	res := mustPush(t, c, info(), toks...)
	require.Equal(t, 2500, res.Delivered(), "%v", res.Err())
	assert.Equal(t, []int{3, 3, 0}, counts(srv, SaveListPath, PushToListPath, SendPath), "saveListPayload, pushToList, send")
	var sizes []int
	taskOf := map[string]string{}
	for _, r := range srv.Records() {
		if r.Path == PushToListPath {
			sizes = append(sizes, len(r.Tokens))
			var m listRequest
			require.NoError(t, json.Unmarshal(r.Body, &m))
			for _, tk := range r.Tokens {
				taskOf[tk] = m.TaskID
			}
		}
	}
	slices.Sort(sizes)
	assert.Equal(t, []int{500, 1000, 1000}, sizes, "list sizes")
	for _, o := range res.Outcomes {
		require.NotEmpty(t, o.MessageID, o.Token)
		require.Equal(t, taskOf[o.Token], o.MessageID, "%s: MessageID is its taskId", o.Token)
	}
	checkOnce(t, srv, toks)

	c, srv = newTest(t, Config{})
	toks = tokens(1001)
	res = mustPush(t, c, info(), toks...)
	require.Equal(t, 1001, res.Delivered())
	assert.Equal(t, []int{1, 1, 1}, counts(srv, SaveListPath, PushToListPath, SendPath), "1001 tokens: saveListPayload, pushToList, send")
	checkOnce(t, srv, toks)

	// duplicates and empty tokens
	c, srv = newTest(t, Config{})
	res = mustPush(t, c, info(), "a", "", "a", "b")
	assert.NoError(t, res.Outcomes[0].Err)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	assert.NoError(t, res.Outcomes[2].Err)
	assert.NoError(t, res.Outcomes[3].Err)
	checkOnce(t, srv, []string{"a", "b"})
}

func checkOnce(t *testing.T, srv *pushtest.Vivo, toks []string) {
	t.Helper()
	d := srv.Delivered()
	for _, tk := range toks {
		require.Equal(t, 1, d[tk], "%s delivered", tk)
	}
	require.Len(t, d, len(toks), "tokens delivered")
	require.Empty(t, srv.ReusedRequestIDs(), "requestIds reused with other bodies")
}

// counts returns how many requests the fake got on each path.
func counts(srv *pushtest.Vivo, paths ...string) []int {
	out := make([]int, len(paths))
	for i, p := range paths {
		out[i] = srv.Count(p)
	}
	return out
}

func TestInvalidTokens(t *testing.T) {
	c, srv := newTest(t, Config{})
	toks := tokens(1500)
	var dead []string
	for i, tk := range toks {
		if i%7 == 3 {
			dead = append(dead, tk)
		}
	}
	srv.Invalidate(dead...)
	res := mustPush(t, c, info(), toks...)
	require.Equal(t, dead, res.InvalidTokens(), "exactly the dead tokens")
	assert.Len(t, res.Failed(), len(dead))
	var ve *push.VendorError
	if assert.ErrorAs(t, res.Outcomes[3].Err, &ve, "dead token") {
		assert.Equal(t, "10302", ve.Code)
	}

	// a single send answered 10302 with invalidUser
	res = mustPush(t, c, info(), dead[0])
	assert.ErrorIs(t, res.Err(), push.ErrInvalidToken, "single dead token")
	res = mustPush(t, c, info(), "alive-one")
	assert.NoError(t, res.Err(), "single live token")
}

func TestConcurrentAuth(t *testing.T) {
	c, srv := newTest(t, Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			res, err := c.Push(context.Background(), info(), fmt.Sprintf("tok-%d", i), fmt.Sprintf("tok-%d-b", i))
			if err == nil {
				err = res.Err()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Count(AuthPath), "auth calls for 50 concurrent pushes")
	assert.EqualValues(t, 1, c.tokens.Fetches(), "token fetches")
}

// TestTokenExpiry: vivo stops taking the token; the client re-authenticates
// once and every token is delivered once.
func TestTokenExpiry(t *testing.T) {
	c, srv := newTest(t, Config{})
	mustPush(t, c, info(), "warm-up")
	srv.ExpireTokens()
	toks := tokens(2500)
	res := mustPush(t, c, &push.OfflinePushInfo{Title: "t", Desc: "d", ID: "after-expiry"}, toks...)
	require.Equal(t, 2500, res.Delivered(), "%v", res.Err())
	assert.Equal(t, 2, srv.Count(AuthPath), "auth calls: one re-auth")
	checkOnce(t, srv, append(toks, "warm-up"))

	// an injected 10000 is also answered by one re-auth
	srv.Reset()
	srv.Inject(pushtest.Fault{Code: "10000"})
	require.NoError(t, mustPush(t, c, info(), "x").Err())
	assert.Equal(t, 1, srv.Count(AuthPath), "auth calls after a 10000")

	// a second rejection is returned, not looped on
	srv.Reset()
	srv.Inject(pushtest.Fault{Code: "10000", Times: -1})
	res = mustPush(t, c, info(), "y")
	var ve *push.VendorError
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	if assert.ErrorAs(t, res.Err(), &ve) {
		assert.Equal(t, "10000", ve.Code)
	}
	assert.Equal(t, []int{1, 2}, counts(srv, AuthPath, SendPath), "auth, send")
}

func TestAuthFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		fault *pushtest.Fault
		kind  error
		code  string
	}{
		{"wrong secret", Config{AppID: testAppID, AppKey: testKey, AppSecret: "wrong-secret"}, nil, push.ErrAuth, "10206"},
		{"wrong key", Config{AppID: testAppID, AppKey: "wrong-key", AppSecret: testSecret}, nil, push.ErrAuth, "10202"},
		{"unknown app", Config{AppID: "999", AppKey: testKey, AppSecret: testSecret}, nil, push.ErrAuth, "10205"},
		{"too many auth calls", Config{}, &pushtest.Fault{Path: AuthPath, Code: "10250"}, push.ErrRateLimited, "10250"},
		{"auth 500", Config{}, &pushtest.Fault{Path: AuthPath, Status: 500, Times: -1}, push.ErrUnavailable, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := newTest(t, tc.cfg)
			if tc.fault != nil {
				srv.Inject(*tc.fault)
			}
			res := mustPush(t, c, info(), "a", "b", "c")
			for _, o := range res.Outcomes {
				var ve *push.VendorError
				require.ErrorIs(t, o.Err, tc.kind, o.Token)
				require.ErrorAs(t, o.Err, &ve, o.Token)
				require.Equal(t, tc.code, ve.Code, o.Token)
			}
			assert.Empty(t, srv.Sends(), "sends without a token")
		})
	}
}

func TestQuota(t *testing.T) {
	for _, tc := range []struct {
		name, path, code string
		toks             []string
		save, list, send int
	}{
		{"operational quota on save", SaveListPath, "10070", []string{"a", "b", "c"}, 1, 0, 0},
		{"system quota on pushToList", PushToListPath, "10073", []string{"a", "b", "c"}, 1, 1, 0},
		{"system quota on send", SendPath, "10073", []string{"a"}, 0, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := newTest(t, Config{})
			srv.Inject(pushtest.Fault{Path: tc.path, Code: tc.code, Times: -1})
			res := mustPush(t, c, info(), tc.toks...)
			for _, o := range res.Outcomes {
				var ve *push.VendorError
				require.ErrorIs(t, o.Err, push.ErrQuota, o.Token)
				require.False(t, push.IsRetryable(o.Err), o.Token)
				require.ErrorAs(t, o.Err, &ve, o.Token)
				require.Equal(t, tc.code, ve.Code, o.Token)
			}
			assert.Equal(t, []int{tc.save, tc.list, tc.send}, counts(srv, SaveListPath, PushToListPath, SendPath),
				"saveListPayload, pushToList, send (no retry)")
			assert.Empty(t, srv.Delivered(), "something was delivered")
		})
	}
}

func TestRetries(t *testing.T) {
	t.Run("rate limited once", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: SendPath, Code: "10072"})
		require.NoError(t, mustPush(t, c, info(), "a").Err())
		assert.Equal(t, 2, srv.Count(SendPath), "sends")
		checkOnce(t, srv, []string{"a"})
	})
	t.Run("rate limited throughout", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: PushToListPath, Code: "10072", Times: -1})
		res := mustPush(t, c, info(), "a", "b")
		assert.ErrorIs(t, res.Err(), push.ErrRateLimited)
		assert.True(t, push.IsRetryable(res.Err()))
		assert.Equal(t, []int{1, 4}, counts(srv, SaveListPath, PushToListPath), "saveListPayload, pushToList (1 + 3 retries)")
	})
	t.Run("5xx then success", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: PushToListPath, Status: 500, Body: "Internet server error!"})
		res := mustPush(t, c, info(), "a", "b", "c")
		require.Equal(t, 3, res.Delivered(), "%v", res.Err())
		checkOnce(t, srv, []string{"a", "b", "c"})
	})
	t.Run("reset before processing", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: SendPath, Reset: true})
		require.NoError(t, mustPush(t, c, info(), "a").Err())
		checkOnce(t, srv, []string{"a"})
	})
	t.Run("night time", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: SendPath, Code: "10071"})
		res := mustPush(t, c, info(), "a")
		var ve *push.VendorError
		assert.ErrorIs(t, res.Err(), push.ErrRateLimited)
		if assert.ErrorAs(t, res.Err(), &ve) { // RetryAfter: until 07:00
			assert.Positive(t, ve.RetryAfter)
			assert.LessOrEqual(t, ve.RetryAfter, 24*time.Hour)
		}
	})
}

// TestDedupeAfterDrop: vivo acted on the request but the answer was lost;
// the retry carries the same requestId and is not delivered again.
func TestDedupeAfterDrop(t *testing.T) {
	c, srv := newTest(t, Config{})
	srv.DropAfterProcessing(SendPath, 1)
	srv.DropAfterProcessing(SaveListPath, 1)
	srv.DropAfterProcessing(PushToListPath, 1)
	res := mustPush(t, c, info(), "single")
	require.NoError(t, res.Err())
	res = mustPush(t, c, info(), "a", "b", "c")
	require.Equal(t, 3, res.Delivered(), "%v", res.Err())
	assert.Equal(t, []int{2, 2, 2}, counts(srv, SaveListPath, PushToListPath, SendPath), "saveListPayload, pushToList, send: one retry each")
	assert.Equal(t, 3, srv.Deduped(), "requests deduped")
	checkOnce(t, srv, []string{"single", "a", "b", "c"})
}

// TestCallerRetry: the caller pushing the same message ID again is deduped;
// other regIds with the same ID are not.
func TestCallerRetry(t *testing.T) {
	c, srv := newTest(t, Config{})
	mustPush(t, c, info(), "a", "b", "c")
	mustPush(t, c, info(), "s")
	res := mustPush(t, c, info(), "a", "b", "c")
	require.Equal(t, 3, res.Delivered(), "%v", res.Err())
	mustPush(t, c, info(), "s")
	assert.Equal(t, 3, srv.Deduped(), "deduped: save, pushToList, send")
	mustPush(t, c, info(), "d", "e")
	checkOnce(t, srv, []string{"a", "b", "c", "s", "d", "e"})

	// without an ID every push is a new message
	in := info()
	in.ID = ""
	mustPush(t, c, in, "z")
	mustPush(t, c, in, "z")
	assert.Equal(t, 2, srv.Delivered()["z"], "z delivered")
}

// TestListFailureAfterSave: the body was saved but pushToList failed; every
// token gets exactly one failed outcome and nothing is saved or pushed again.
func TestListFailureAfterSave(t *testing.T) {
	c, srv := newTest(t, Config{})
	srv.Inject(pushtest.Fault{Path: PushToListPath, Status: 503, Times: -1})
	res := mustPush(t, c, info(), "a", "b", "c")
	for _, o := range res.Outcomes {
		var ve *push.VendorError
		require.ErrorIs(t, o.Err, push.ErrUnavailable, o.Token)
		require.ErrorAs(t, o.Err, &ve, o.Token)
		require.False(t, ve.PossiblyDelivered, o.Token)
		require.Empty(t, o.MessageID, o.Token)
	}
	assert.Equal(t, []int{1, 4}, counts(srv, SaveListPath, PushToListPath), "saveListPayload, pushToList")
	assert.Empty(t, srv.Delivered(), "delivered")

	// an expired task is temporary, not a message error
	srv.Reset()
	srv.Inject(pushtest.Fault{Path: PushToListPath, Code: "10155"})
	res = mustPush(t, c, info(), "a", "b")
	assert.ErrorIs(t, res.Err(), push.ErrUnavailable, "10155")
}

// TestListBodyQuota: when vivo refuses to save more list bodies today,
// lists go out one regId at a time.
func TestListBodyQuota(t *testing.T) {
	c, srv := newTest(t, Config{})
	srv.Invalidate("dead")
	srv.Inject(pushtest.Fault{Path: SaveListPath, Code: "10252"})
	res := mustPush(t, c, info(), "a", "dead", "c")
	require.NoError(t, res.Outcomes[0].Err)
	require.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	require.NoError(t, res.Outcomes[2].Err)
	res = mustPush(t, c, info(), "d", "e")
	require.Equal(t, 2, res.Delivered(), "%v", res.Err())
	assert.Equal(t, []int{1, 0, 5}, counts(srv, SaveListPath, PushToListPath, SendPath), "saveListPayload, pushToList, send")
	checkOnce(t, srv, []string{"a", "c", "d", "e"})
}

// TestDecode covers answers the fake does not give on its own.
func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		toks []string
		path string
		body string
		want []error // per token
	}{
		{"send 10302 without invalidUser", []string{"a"}, SendPath, `{"result":10302,"desc":"regId不合法"}`, []error{push.ErrInvalidToken}},
		{"list 10302 naming one", []string{"a", "b"}, PushToListPath,
			`{"result":10302,"desc":"regId不合法","invalidUsers":[{"status":1,"userid":"b"}]}`, []error{push.ErrUnavailable, push.ErrInvalidToken}},
		{"list status 2 is not death", []string{"a", "b"}, PushToListPath,
			`{"result":10302,"desc":"regId不合法","invalidUsers":[{"status":2,"userid":"b"}]}`, []error{push.ErrUnavailable, push.ErrDisabled}},
		{"list status 3", []string{"a", "b"}, PushToListPath,
			`{"result":0,"desc":"ok","invalidUsers":[{"status":3,"userid":"a"}]}`, []error{push.ErrDisabled, nil}},
		{"broken json", []string{"a"}, SendPath, `{"result":`, []error{push.ErrUnavailable}},
		{"html error page", []string{"a"}, SendPath, `<html>bad gateway</html>`, []error{push.ErrUnavailable}},
		{"sensitive content", []string{"a"}, SendPath, `{"result":10103,"desc":"敏感词"}`, []error{push.ErrInvalidMessage}},
		{"unknown code", []string{"a"}, SendPath, `{"result":19999,"desc":"?"}`, []error{push.ErrUnavailable}},
		{"under review", []string{"a"}, SendPath, `{"result":10045,"desc":"审核中"}`, []error{push.ErrAuth}},
		{"save without taskId", []string{"a", "b"}, SaveListPath, `{"result":0,"desc":"ok"}`, []error{push.ErrUnavailable, push.ErrUnavailable}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := newTest(t, Config{})
			srv.Inject(pushtest.Fault{Path: tc.path, Body: tc.body, ContentType: "application/json", Times: -1})
			res := mustPush(t, c, info(), tc.toks...)
			for i, o := range res.Outcomes {
				if tc.want[i] == nil {
					assert.NoError(t, o.Err, o.Token)
				} else {
					assert.ErrorIs(t, o.Err, tc.want[i], o.Token)
				}
			}
		})
	}
}

func TestCodeMapping(t *testing.T) {
	for code, want := range map[int]error{
		10000: push.ErrAuth, 10302: push.ErrInvalidToken, 10070: push.ErrQuota, 10073: push.ErrQuota,
		10252: push.ErrQuota, 10254: push.ErrQuota, 10072: push.ErrRateLimited, 10250: push.ErrRateLimited,
		10071: push.ErrRateLimited, 10206: push.ErrAuth, 10094: push.ErrAuth, 10043: push.ErrAuth,
		10056: push.ErrInvalidMessage, 10097: push.ErrInvalidMessage, 10104: push.ErrInvalidMessage,
		10153: push.ErrInvalidMessage, 10353: push.ErrInvalidMessage, 11000: push.ErrInvalidMessage,
		10155: push.ErrUnavailable, 10311: push.ErrDisabled, 12345: push.ErrUnavailable,
	} {
		assert.ErrorIs(t, codeError(code, "", time.Now()), want, "code %d", code)
	}
	// 07:00 Beijing is 23:00 UTC
	now := time.Date(2024, 1, 1, 22, 0, 0, 0, time.UTC)
	assert.Equal(t, time.Hour, codeError(codeNightTime, "", now).RetryAfter, "10071 at 22:00 UTC")
}

// TestSecrets: credentials and tokens never reach errors, logs or prints.
func TestSecrets(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := newTest(t, Config{}, push.WithLogger(logger))
	srv.Invalidate("dead")
	srv.Inject(pushtest.Fault{Path: SendPath, Status: 500})
	res := mustPush(t, c, info(), "a", "dead", "c")
	mustPush(t, c, info(), "single")
	bad, _ := New(Config{AppID: testAppID, AppKey: testKey, AppSecret: "other-secret"},
		push.WithEndpoint(srv.URL()), push.WithLogger(logger), fastRetry)
	badRes := mustPush(t, bad, info(), "a")

	cfg := Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret}
	var texts []string
	texts = append(texts, logs.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(badRes.Err()))
	for _, o := range res.Outcomes {
		texts = append(texts, fmt.Sprint(o.Err))
	}
	for _, r := range srv.Records() {
		texts = append(texts, r.Dump())
	}
	require.Contains(t, logs.String(), "push http attempt", "nothing was logged")
	for _, s := range texts {
		for _, secret := range []string{testSecret, testKey, "other-secret", "fake-vivo-authtoken-"} {
			assert.NotContains(t, s, secret)
		}
	}
}

func BenchmarkMessage(b *testing.B) {
	c, err := New(Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret})
	require.NoError(b, err)
	in := info()
	b.ReportAllocs()
	for b.Loop() {
		m, err := c.message(in)
		if err != nil {
			b.Fatal(err) // require's bookkeeping would be measured too
		}
		m.RegID = "12345678901234567890123"
		m.RequestID = requestID("id:"+in.ID, "send", []string{m.RegID})
		_, _ = wire.JSON(m)
	}
}

package vivo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/internal/wire"
	"github.com/offlinepush/push/pushtest"
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
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outcomes) != len(toks) {
		t.Fatalf("%d outcomes for %d tokens", len(res.Outcomes), len(toks))
	}
	for i, o := range res.Outcomes {
		if o.Token != toks[i] {
			t.Fatalf("outcome %d is for %q, want %q (input order)", i, o.Token, toks[i])
		}
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
	if len(got) <= n {
		t.Fatalf("%d requests to %s, want more than %d", len(got), path, n)
	}
	return got[n]
}

func TestSignVector(t *testing.T) {
	// §4: computed with vpush-sdk-2.2 SignUtils.getSign.
	got := Sign("10004", "25509283-3767-4b9e-83fe-b6e55ac6243e", 1501484120000, "test_app_secret")
	if want := "18be311df95d0057621a1efb49a6a47b"; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	// parts are trimmed before signing, as vivo documents
	if Sign(" 10004", "25509283-3767-4b9e-83fe-b6e55ac6243e\n", 1501484120000, " test_app_secret ") != got {
		t.Error("Sign does not trim its parts")
	}
}

func TestAuthBody(t *testing.T) {
	c, err := New(Config{AppID: "10004", AppKey: testKey, AppSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	body := c.authBody(1501484120000)
	golden.Assert(t, "auth.golden", body)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"appId": json.Number("10004"), "appKey": testKey, "timestamp": json.Number("1501484120000"),
		"sign": "18be311df95d0057621a1efb49a6a47b"}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("auth body = %v, want %v (appId and timestamp as JSON numbers)", m, want)
	}
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
		if res.Delivered() != 3 {
			t.Fatalf("delivered %d, want 3: %v", res.Delivered(), res.Err())
		}
		golden.Assert(t, "list_3_save.golden", bodyOf(t, srv, SaveListPath, 0))
		golden.Assert(t, "list_3_push.golden", bodyOf(t, srv, PushToListPath, 0))
		if n := srv.Count(SendPath); n != 0 {
			t.Errorf("%d /message/send for 3 tokens, want 0", n)
		}
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
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(want), &exp); err != nil {
			t.Fatal(err)
		}
		for _, m := range []map[string]any{got, exp} {
			if id, ok := m["requestId"].(string); !ok || id == "" || len(id) > MaxRequestID {
				t.Errorf("%s: requestId %v is missing or too long", name, m["requestId"])
			}
			delete(m, "requestId")
			delete(m, "taskId")
		}
		for k := range maps.Keys(exp) {
			if !reflect.DeepEqual(got[k], exp[k]) {
				t.Errorf("%s: %s = %#v, want %#v", name, k, got[k], exp[k])
			}
		}
		for k := range maps.Keys(got) {
			if _, ok := exp[k]; !ok {
				t.Errorf("%s: unexpected field %s", name, k)
			}
		}
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
		if !strings.HasPrefix(r.Header.Get("authToken"), "fake-vivo-authtoken-") {
			t.Errorf("%s: authToken header = %q", r.Path, r.Header.Get("authToken"))
		}
		if r.Header.Get("Content-Type") != "application/json;charset=UTF-8" {
			t.Errorf("%s: Content-Type = %q", r.Path, r.Header.Get("Content-Type"))
		}
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
		json.Unmarshal(r.Body, &m)
		if m.RequestID == "" || len(m.RequestID) > MaxRequestID {
			t.Errorf("%s: requestId %q", r.Path, m.RequestID)
		}
		if p, dup := seen[m.RequestID]; dup {
			t.Errorf("requestId %s used by %s and %s", m.RequestID, p, r.Path)
		}
		seen[m.RequestID] = r.Path
	}
	// same message, same regIds, same ids; other regIds, other ids
	if requestID("id:m", "send", []string{"a"}) != requestID("id:m", "send", []string{"a"}) ||
		requestID("id:m", "send", []string{"a"}) == requestID("id:m", "send", []string{"b"}) ||
		requestID("id:m", "pushToList", []string{"a", "b"}) == requestID("id:m", "saveListPayload", []string{"a", "b"}) ||
		requestID("id:m", "pushToList", []string{"a", "b"}) == requestID("id:n", "pushToList", []string{"a", "b"}) {
		t.Error("requestID is not a function of message, kind and regIds")
	}
}

func TestMessageMapping(t *testing.T) {
	c, _ := newTest(t, Config{})
	cjk := strings.Repeat("消", 45)
	tests := []struct {
		name  string
		edit  func(*push.OfflinePushInfo)
		check func(*Message) string
	}{
		{"title shortened to 40 with an ellipsis", func(i *push.OfflinePushInfo) { i.Title = cjk }, func(m *Message) string {
			if m.Title != strings.Repeat("消", 39)+"…" {
				return "title " + m.Title
			}
			return ""
		}},
		{"content shortened to 100 UTF-16 units with an ellipsis", func(i *push.OfflinePushInfo) { i.Desc = strings.Repeat("😀", 120) }, func(m *Message) string {
			if m.Content != strings.Repeat("😀", 49)+"…" {
				return "content " + m.Content
			}
			return ""
		}},
		{"no ttl: vivo default", func(i *push.OfflinePushInfo) { i.TTL = 0 }, func(m *Message) string {
			if m.TimeToLive != 0 {
				return fmt.Sprint("ttl ", m.TimeToLive)
			}
			return ""
		}},
		{"short ttl raised to 60 s", func(i *push.OfflinePushInfo) { i.TTL = 1500 * time.Millisecond }, func(m *Message) string {
			if m.TimeToLive != 60 {
				return fmt.Sprint("ttl ", m.TimeToLive)
			}
			return ""
		}},
		{"long ttl capped to a day", func(i *push.OfflinePushInfo) { i.TTL = 30 * 24 * time.Hour }, func(m *Message) string {
			if m.TimeToLive != 86400 {
				return fmt.Sprint("ttl ", m.TimeToLive)
			}
			return ""
		}},
		{"no ext: no clientCustomMap", func(i *push.OfflinePushInfo) { i.Ext = "" }, func(m *Message) string {
			if m.ClientCustomMap != nil {
				return "clientCustomMap set"
			}
			return ""
		}},
		{"ext at the limit", func(i *push.OfflinePushInfo) { i.Ext = strings.Repeat("x", MaxCustom-3) }, func(m *Message) string {
			if len(m.ClientCustomMap["ext"]) != MaxCustom-3 {
				return "ext changed"
			}
			return ""
		}},
		{"collapse id sets notifyId", func(i *push.OfflinePushInfo) { i.CollapseID = "conv-1" }, func(m *Message) string {
			if m.NotifyID <= 0 {
				return "no notifyId"
			}
			return ""
		}},
		{"no collapse id: no notifyId", func(i *push.OfflinePushInfo) {}, func(m *Message) string {
			if m.NotifyID != 0 {
				return "notifyId set"
			}
			return ""
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := info()
			tc.edit(in)
			m, err := c.Message(in)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.check(m); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestListTTL(t *testing.T) {
	c, srv := newTest(t, Config{})
	in := info()
	in.TTL = 2 * time.Minute
	mustPush(t, c, in, "a")
	mustPush(t, c, in, "b", "c")
	var send, save Message
	json.Unmarshal(bodyOf(t, srv, SendPath, 0), &send)
	json.Unmarshal(bodyOf(t, srv, SaveListPath, 0), &save)
	if send.TimeToLive != 120 || save.TimeToLive != 900 {
		t.Errorf("timeToLive send %d (want 120), list %d (want 900: vivo's list minimum)", send.TimeToLive, save.TimeToLive)
	}
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
			if !errors.Is(err, push.ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			var fe *push.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("err = %v, want field %s", err, tc.field)
			}
			if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), testKey) {
				t.Errorf("error carries a credential: %v", err)
			}
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
		if _, err := New(cfg); err != nil {
			t.Errorf("New(%v): %v", cfg, err)
		}
	}
	c, _ := New(Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret, Category: "marketing"})
	m, _ := c.Message(info())
	if m.Category != "MARKETING" || m.Classification != 0 {
		t.Errorf("category %s classification %d, want MARKETING 0", m.Category, m.Classification)
	}
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
			if res != nil || !errors.Is(err, push.ErrInvalidMessage) {
				t.Fatalf("Push = %v, %v; want ErrInvalidMessage", res, err)
			}
			var fe *push.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("err = %v, want field %s", err, tc.field)
			}
			if n := len(srv.Records()); n != 0 {
				t.Errorf("%d requests made for an invalid message", n)
			}
		})
	}
	c, srv := newTest(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Push(ctx, info(), "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("done context: err = %v", err)
	}
	if len(srv.Records()) != 0 {
		t.Error("requests made with a done context")
	}
}

// TestBatching: 2500 tokens → 3 lists, each saved once and pushed once;
// 2500 outcomes in input order; a list left with one regId uses send.
func TestBatching(t *testing.T) {
	c, srv := newTest(t, Config{})
	toks := tokens(2500)
	res := mustPush(t, c, info(), toks...)
	if res.Delivered() != 2500 {
		t.Fatalf("delivered %d of 2500: %v", res.Delivered(), res.Err())
	}
	if s, p, o := srv.Count(SaveListPath), srv.Count(PushToListPath), srv.Count(SendPath); s != 3 || p != 3 || o != 0 {
		t.Errorf("saveListPayload %d, pushToList %d, send %d; want 3, 3, 0", s, p, o)
	}
	var sizes []int
	taskOf := map[string]string{}
	for _, r := range srv.Records() {
		if r.Path == PushToListPath {
			sizes = append(sizes, len(r.Tokens))
			var m listRequest
			json.Unmarshal(r.Body, &m)
			for _, tk := range r.Tokens {
				taskOf[tk] = m.TaskID
			}
		}
	}
	slices.Sort(sizes)
	if !slices.Equal(sizes, []int{500, 1000, 1000}) {
		t.Errorf("list sizes %v", sizes)
	}
	for _, o := range res.Outcomes {
		if o.MessageID == "" || o.MessageID != taskOf[o.Token] {
			t.Fatalf("%s: MessageID %q, want its taskId %q", o.Token, o.MessageID, taskOf[o.Token])
		}
	}
	checkOnce(t, srv, toks)

	c, srv = newTest(t, Config{})
	toks = tokens(1001)
	res = mustPush(t, c, info(), toks...)
	if res.Delivered() != 1001 {
		t.Fatalf("delivered %d of 1001", res.Delivered())
	}
	if s, p, o := srv.Count(SaveListPath), srv.Count(PushToListPath), srv.Count(SendPath); s != 1 || p != 1 || o != 1 {
		t.Errorf("1001 tokens: saveListPayload %d, pushToList %d, send %d; want 1, 1, 1", s, p, o)
	}
	checkOnce(t, srv, toks)

	// duplicates and empty tokens
	c, srv = newTest(t, Config{})
	res = mustPush(t, c, info(), "a", "", "a", "b")
	if res.Outcomes[0].Err != nil || res.Outcomes[2].Err != nil || res.Outcomes[3].Err != nil || !errors.Is(res.Outcomes[1].Err, push.ErrInvalidToken) {
		t.Errorf("outcomes %+v", res.Outcomes)
	}
	checkOnce(t, srv, []string{"a", "b"})
}

func checkOnce(t *testing.T, srv *pushtest.Vivo, toks []string) {
	t.Helper()
	d := srv.Delivered()
	for _, tk := range toks {
		if d[tk] != 1 {
			t.Fatalf("%s delivered %d times, want 1", tk, d[tk])
		}
	}
	if len(d) != len(toks) {
		t.Fatalf("%d tokens delivered, want %d", len(d), len(toks))
	}
	if r := srv.ReusedRequestIDs(); len(r) != 0 {
		t.Fatalf("requestIds reused with other bodies: %v", r)
	}
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
	if got := res.InvalidTokens(); !slices.Equal(got, dead) {
		t.Fatalf("InvalidTokens: %d tokens, want exactly the %d dead ones", len(got), len(dead))
	}
	if len(res.Failed()) != len(dead) {
		t.Errorf("%d failed, want %d", len(res.Failed()), len(dead))
	}
	var ve *push.VendorError
	if !errors.As(res.Outcomes[3].Err, &ve) || ve.Code != "10302" {
		t.Errorf("dead token error %v", res.Outcomes[3].Err)
	}

	// a single send answered 10302 with invalidUser
	res = mustPush(t, c, info(), dead[0])
	if !errors.Is(res.Err(), push.ErrInvalidToken) {
		t.Errorf("single dead token: %v", res.Err())
	}
	res = mustPush(t, c, info(), "alive-one")
	if res.Err() != nil {
		t.Errorf("single live token: %v", res.Err())
	}
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
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Count(AuthPath); n != 1 {
		t.Errorf("%d auth calls for 50 concurrent pushes, want 1", n)
	}
	if n := c.tokens.Fetches(); n != 1 {
		t.Errorf("%d token fetches, want 1", n)
	}
}

// TestTokenExpiry: vivo stops taking the token; the client re-authenticates
// once and every token is delivered once.
func TestTokenExpiry(t *testing.T) {
	c, srv := newTest(t, Config{})
	mustPush(t, c, info(), "warm-up")
	srv.ExpireTokens()
	toks := tokens(2500)
	res := mustPush(t, c, &push.OfflinePushInfo{Title: "t", Desc: "d", ID: "after-expiry"}, toks...)
	if res.Delivered() != 2500 {
		t.Fatalf("delivered %d: %v", res.Delivered(), res.Err())
	}
	if n := srv.Count(AuthPath); n != 2 {
		t.Errorf("%d auth calls, want 2 (one re-auth)", n)
	}
	checkOnce(t, srv, append(toks, "warm-up"))

	// an injected 10000 is also answered by one re-auth
	srv.Reset()
	srv.Inject(pushtest.Fault{Code: "10000"})
	if res := mustPush(t, c, info(), "x"); res.Err() != nil {
		t.Fatal(res.Err())
	}
	if n := srv.Count(AuthPath); n != 1 {
		t.Errorf("%d auth calls after a 10000, want 1", n)
	}

	// a second rejection is returned, not looped on
	srv.Reset()
	srv.Inject(pushtest.Fault{Code: "10000", Times: -1})
	res = mustPush(t, c, info(), "y")
	var ve *push.VendorError
	if !errors.Is(res.Err(), push.ErrAuth) || !errors.As(res.Err(), &ve) || ve.Code != "10000" {
		t.Errorf("err %v, want ErrAuth code 10000", res.Err())
	}
	if a, s := srv.Count(AuthPath), srv.Count(SendPath); a != 1 || s != 2 {
		t.Errorf("auth %d, send %d; want 1, 2", a, s)
	}
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
				if !errors.Is(o.Err, tc.kind) || !errors.As(o.Err, &ve) || ve.Code != tc.code {
					t.Fatalf("%s: %v, want %v code %q", o.Token, o.Err, tc.kind, tc.code)
				}
			}
			if n := len(srv.Sends()); n != 0 {
				t.Errorf("%d sends without a token", n)
			}
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
				if !errors.Is(o.Err, push.ErrQuota) || push.IsRetryable(o.Err) || !errors.As(o.Err, &ve) || ve.Code != tc.code {
					t.Fatalf("%s: %v, want ErrQuota %s", o.Token, o.Err, tc.code)
				}
			}
			if s, l, o := srv.Count(SaveListPath), srv.Count(PushToListPath), srv.Count(SendPath); s != tc.save || l != tc.list || o != tc.send {
				t.Errorf("saveListPayload %d, pushToList %d, send %d; want %d, %d, %d (no retry)", s, l, o, tc.save, tc.list, tc.send)
			}
			if len(srv.Delivered()) != 0 {
				t.Error("something was delivered")
			}
		})
	}
}

func TestRetries(t *testing.T) {
	t.Run("rate limited once", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: SendPath, Code: "10072"})
		if res := mustPush(t, c, info(), "a"); res.Err() != nil {
			t.Fatal(res.Err())
		}
		if n := srv.Count(SendPath); n != 2 {
			t.Errorf("%d sends, want 2", n)
		}
		checkOnce(t, srv, []string{"a"})
	})
	t.Run("rate limited throughout", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: PushToListPath, Code: "10072", Times: -1})
		res := mustPush(t, c, info(), "a", "b")
		if !errors.Is(res.Err(), push.ErrRateLimited) || !push.IsRetryable(res.Err()) {
			t.Errorf("err %v, want ErrRateLimited", res.Err())
		}
		if s, l := srv.Count(SaveListPath), srv.Count(PushToListPath); s != 1 || l != 4 {
			t.Errorf("saveListPayload %d, pushToList %d; want 1, 4 (1 + 3 retries)", s, l)
		}
	})
	t.Run("5xx then success", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: PushToListPath, Status: 500, Body: "Internet server error!"})
		res := mustPush(t, c, info(), "a", "b", "c")
		if res.Delivered() != 3 {
			t.Fatal(res.Err())
		}
		checkOnce(t, srv, []string{"a", "b", "c"})
	})
	t.Run("reset before processing", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: SendPath, Reset: true})
		if res := mustPush(t, c, info(), "a"); res.Err() != nil {
			t.Fatal(res.Err())
		}
		checkOnce(t, srv, []string{"a"})
	})
	t.Run("night time", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		srv.Inject(pushtest.Fault{Path: SendPath, Code: "10071"})
		res := mustPush(t, c, info(), "a")
		var ve *push.VendorError
		if !errors.Is(res.Err(), push.ErrRateLimited) || !errors.As(res.Err(), &ve) || ve.RetryAfter <= 0 || ve.RetryAfter > 24*time.Hour {
			t.Errorf("err %v, want ErrRateLimited with a RetryAfter until 07:00", res.Err())
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
	if res.Err() != nil {
		t.Fatal(res.Err())
	}
	res = mustPush(t, c, info(), "a", "b", "c")
	if res.Delivered() != 3 {
		t.Fatal(res.Err())
	}
	if s, l, o := srv.Count(SaveListPath), srv.Count(PushToListPath), srv.Count(SendPath); s != 2 || l != 2 || o != 2 {
		t.Errorf("saveListPayload %d, pushToList %d, send %d; want 2 each (one retry each)", s, l, o)
	}
	if n := srv.Deduped(); n != 3 {
		t.Errorf("%d requests deduped, want 3", n)
	}
	checkOnce(t, srv, []string{"single", "a", "b", "c"})
}

// TestCallerRetry: the caller pushing the same message ID again is deduped;
// other regIds with the same ID are not.
func TestCallerRetry(t *testing.T) {
	c, srv := newTest(t, Config{})
	mustPush(t, c, info(), "a", "b", "c")
	mustPush(t, c, info(), "s")
	res := mustPush(t, c, info(), "a", "b", "c")
	if res.Delivered() != 3 {
		t.Fatal(res.Err())
	}
	mustPush(t, c, info(), "s")
	if n := srv.Deduped(); n != 3 {
		t.Errorf("%d deduped, want 3 (save, pushToList, send)", n)
	}
	mustPush(t, c, info(), "d", "e")
	checkOnce(t, srv, []string{"a", "b", "c", "s", "d", "e"})

	// without an ID every push is a new message
	in := info()
	in.ID = ""
	mustPush(t, c, in, "z")
	mustPush(t, c, in, "z")
	if n := srv.Delivered()["z"]; n != 2 {
		t.Errorf("z delivered %d times, want 2", n)
	}
}

// TestListFailureAfterSave: the body was saved but pushToList failed; every
// token gets exactly one failed outcome and nothing is saved or pushed again.
func TestListFailureAfterSave(t *testing.T) {
	c, srv := newTest(t, Config{})
	srv.Inject(pushtest.Fault{Path: PushToListPath, Status: 503, Times: -1})
	res := mustPush(t, c, info(), "a", "b", "c")
	for _, o := range res.Outcomes {
		var ve *push.VendorError
		if !errors.Is(o.Err, push.ErrUnavailable) || !errors.As(o.Err, &ve) || ve.PossiblyDelivered || o.MessageID != "" {
			t.Fatalf("%s: %+v", o.Token, o)
		}
	}
	if s, l := srv.Count(SaveListPath), srv.Count(PushToListPath); s != 1 || l != 4 {
		t.Errorf("saveListPayload %d, pushToList %d; want 1, 4", s, l)
	}
	if len(srv.Delivered()) != 0 {
		t.Error("delivered")
	}

	// an expired task is temporary, not a message error
	srv.Reset()
	srv.Inject(pushtest.Fault{Path: PushToListPath, Code: "10155"})
	res = mustPush(t, c, info(), "a", "b")
	if !errors.Is(res.Err(), push.ErrUnavailable) {
		t.Errorf("10155: %v", res.Err())
	}
}

// TestListBodyQuota: when vivo refuses to save more list bodies today,
// lists go out one regId at a time.
func TestListBodyQuota(t *testing.T) {
	c, srv := newTest(t, Config{})
	srv.Invalidate("dead")
	srv.Inject(pushtest.Fault{Path: SaveListPath, Code: "10252"})
	res := mustPush(t, c, info(), "a", "dead", "c")
	if res.Outcomes[0].Err != nil || res.Outcomes[2].Err != nil || !errors.Is(res.Outcomes[1].Err, push.ErrInvalidToken) {
		t.Fatalf("outcomes %+v", res.Outcomes)
	}
	res = mustPush(t, c, info(), "d", "e")
	if res.Delivered() != 2 {
		t.Fatal(res.Err())
	}
	if s, l, o := srv.Count(SaveListPath), srv.Count(PushToListPath), srv.Count(SendPath); s != 1 || l != 0 || o != 5 {
		t.Errorf("saveListPayload %d, pushToList %d, send %d; want 1, 0, 5", s, l, o)
	}
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
				if tc.want[i] == nil && o.Err != nil || tc.want[i] != nil && !errors.Is(o.Err, tc.want[i]) {
					t.Errorf("%s: %v, want %v", o.Token, o.Err, tc.want[i])
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
		if err := codeError(code, "", time.Now()); !errors.Is(err, want) {
			t.Errorf("code %d: %v, want %v", code, err, want)
		}
	}
	// 07:00 Beijing is 23:00 UTC
	now := time.Date(2024, 1, 1, 22, 0, 0, 0, time.UTC)
	if got := codeError(codeNightTime, "", now).RetryAfter; got != time.Hour {
		t.Errorf("10071 at 22:00 UTC: RetryAfter %s, want 1h", got)
	}
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
	if !strings.Contains(logs.String(), "push http attempt") {
		t.Fatal("nothing was logged")
	}
	for _, s := range texts {
		for _, secret := range []string{testSecret, testKey, "other-secret", "fake-vivo-authtoken-"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q found in %q", secret, s)
			}
		}
	}
}

func BenchmarkMessage(b *testing.B) {
	c, err := New(Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret})
	if err != nil {
		b.Fatal(err)
	}
	in := info()
	b.ReportAllocs()
	for b.Loop() {
		m, err := c.Message(in)
		if err != nil {
			b.Fatal(err)
		}
		m.RegID = "12345678901234567890123"
		m.RequestID = requestID("id:"+in.ID, "send", []string{m.RegID})
		_, _ = wire.JSON(m)
	}
}

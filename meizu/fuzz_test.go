package meizu

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/pushtest"
)

// fuzzSeed is one OfflinePushInfo, field by field, as the fuzz targets take it.
type fuzzSeed struct {
	title, desc, ext, sound string
	kind                    int
	url, intent, activity   string
	ttl                     int64 // seconds
	badge                   int
	collapse, id            string
}

// fuzzSeeds are realistic messages and the edges every vendor meets: CJK,
// emoji, invalid UTF-8, over-long text, http/https/ftp URLs, intents with
// and without a component, odd TTLs, badges and kinds.
var fuzzSeeds = []fuzzSeed{
	{"Alice", "See you at 8?", `{"entity":{"chatType":1,"sender":"alice"}}`, "default", 0, "", "", "", 0, 0, "", ""},
	{"张三", "你好，今晚八点见？", `{"会话":"c2c_张三"}`, "", int(push.ClickOpenApp), "", "", "", 3600, 1, "c2c_张三", "msg-1"},
	{"🎉 Party", "👍🏽🔥 emoji body 😀", `{"e":"😀"}`, "ding.caf", int(push.ClickOpenURL), "https://example.com/chat/alice?x=1&y=2#frag", "", "", 60, 5, "conv-1", "id-1"},
	{"Bob", "http link", "", "", int(push.ClickOpenURL), "http://example.com/page", "", "", 0, 0, "", ""},
	{"Bob", "ftp link", "", "", int(push.ClickOpenURL), "ftp://example.com/file.txt", "", "", 0, 0, "", ""},
	{"Bob", "relative", "", "", int(push.ClickOpenURL), "/chat/alice", "", "", 0, 0, "", ""},
	{"Bob", "idn", "", "", int(push.ClickOpenURL), "https://例子.测试/路径?q=值", "", "", 0, 0, "", ""},
	{"Bob", "no host", "", "", int(push.ClickOpenURL), "https://", "", "", 0, 0, "", ""},
	{"Bob", "space in url", "", "", int(push.ClickOpenURL), "https://example.com/a b", "", "", 0, 0, "", ""},
	{"Bob", "ctl in url", "", "", int(push.ClickOpenURL), "https://example.com/\x00", "", "", 0, 0, "", ""},
	{"Carol", "page with component", `{"k":"v"}`, "", int(push.ClickOpenPage), "", "intent://chat/1#Intent;scheme=myapp;launchFlags=0x4000000;component=com.example.chat/.ChatActivity;S.conv=c2c_alice;end", "", 0, 0, "", ""},
	{"Carol", "page without component", "", "", int(push.ClickOpenPage), "", "intent://chat/1#Intent;scheme=myapp;end", "", 0, 0, "", ""},
	{"Carol", "bare intent", "", "", int(push.ClickOpenPage), "", "intent:#Intent;component=com.example.chat/com.example.chat.ChatActivity;end", "", 0, 0, "", ""},
	{"Carol", "scheme intent", "", "", int(push.ClickOpenPage), "", "myapp://chat/1#Intent;action=android.intent.action.VIEW;end", "", 0, 0, "", ""},
	{"Carol", "activity only", "", "", int(push.ClickOpenPage), "", "", "com.example.chat.ChatActivity", 0, 0, "", ""},
	{"Carol", "both", "", "", int(push.ClickOpenPage), "", "intent://x#Intent;scheme=s;end", "com.example.chat.ChatActivity", 0, 0, "", ""},
	{"Carol", "bad intent", "", "", int(push.ClickOpenPage), "", "intent://chat/1#Intent;scheme=myapp", "", 0, 0, "", ""},
	{"Carol", "intent with space", "", "", int(push.ClickOpenPage), "", "intent://chat 1#Intent;scheme=myapp;end", "", 0, 0, "", ""},
	{"Carol", "bad activity", "", "", int(push.ClickOpenPage), "", "", "ChatActivity", 0, 0, "", ""},
	{"\xff\xfe", "bad title", "", "", 0, "", "", "", 0, 0, "", ""},
	{"ok", "bad \xc3\x28 desc", "", "", 0, "", "", "", 0, 0, "", ""},
	{"ok", "bad ext", "\xed\xa0\x80", "", 0, "", "", "", 0, 0, "", ""},
	{strings.Repeat("长", 300), strings.Repeat("a", 5000), strings.Repeat("扩", 2000), strings.Repeat("s", 300), 0, "", "", "", 0, 0, strings.Repeat("c", 500), strings.Repeat("i", 500)},
	{strings.Repeat("😀", 60), strings.Repeat("😀", 200), `{"k":"` + strings.Repeat("v", 1000) + `"}`, "", 0, "", "", "", 0, 0, "", ""},
	{strings.Repeat(" ", 60) + "x", strings.Repeat(" ", 200) + "y", "", "", 0, "", "", "", 0, 0, "", ""},
	{"empty desc", "", "", "", 0, "", "", "", 0, 0, "", ""},
	{"blank desc", " \t\n", "", "", 0, "", "", "", 0, 0, "", ""},
	{"", "no title", "", "", 0, "", "", "", 0, 0, "", ""},
	{"ttl", "negative", "", "", 0, "", "", "", -1, -1, "", ""},
	{"ttl", "huge", "", "", 0, "", "", "", 1 << 40, 1 << 30, "", ""},
	{"ttl", "max", "", "", 0, "", "", "", 15 * 24 * 3600, 100, "", ""},
	{"kind", "unknown", "", "", 99, "", "", "", 0, 0, "", ""},
	{"kind", "negative", "", "", -1, "", "", "", 0, 0, "", ""},
	{"ext", "not json", `plain text with "quotes" \ and <html>&amp;`, "", 0, "", "", "", 0, 0, "", ""},
	{"ext", "json array", `[1,2,3]`, "", 0, "", "", "", 0, 0, "", ""},
	{"a&b=c", "你好 +%", "k=v&x=%zz", "", 0, "", "", "", 0, 0, "id with spaces & =", "\u2028\u2029"},
	{"ctl", "control characters", "\x00\x1f", "\r\n", 0, "", "", "", 0, 0, "a\x7f\tb\n", "\x00"},
}

func addMappingSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s.title, s.desc, s.ext, s.sound, s.kind, s.url, s.intent, s.activity, s.ttl, s.badge, s.collapse, s.id)
	}
}

func fuzzInfo(title, desc, ext, sound string, kind int, u, intent, activity string, ttlSec int64, badge int, collapse, id string) *push.OfflinePushInfo {
	ttl := time.Duration(ttlSec) * time.Second
	if ttl/time.Second != time.Duration(ttlSec) { // overflow: keep it arbitrary, in nanoseconds
		ttl = time.Duration(ttlSec)
	}
	return &push.OfflinePushInfo{Title: title, Desc: desc, Ext: ext, IOSSound: sound,
		Click: push.ClickAction{Kind: push.ClickKind(kind), URL: u, Intent: intent, Activity: activity},
		TTL:   ttl, Badge: badge, CollapseID: collapse, ID: id}
}

// requireBuildError checks an error from the mapping: a message or config
// error, nothing else.
func requireBuildError(t *testing.T, err error, info *push.OfflinePushInfo) {
	t.Helper()
	if !errors.Is(err, push.ErrInvalidMessage) && !errors.Is(err, push.ErrConfig) {
		t.Fatalf("mapping failed with %v, want ErrInvalidMessage or ErrConfig\ninfo: %#v", err, info)
	}
}

// requireAccepted checks that every token reached the fake and was accepted.
// (Not fake.Delivered: a vendor that dedupes on a key derived from info.ID
// rightly skips a repeat of an earlier iteration's ID.)
func requireAccepted(t *testing.T, srv *pushtest.Server, info *push.OfflinePushInfo, tokens []string, res *push.Result) {
	t.Helper()
	require.Len(t, res.Outcomes, len(tokens))
	for i, o := range res.Outcomes {
		require.Equal(t, tokens[i], o.Token)
		if o.Err != nil {
			var dump string
			if s := srv.Sends(); len(s) > 0 {
				dump = s[len(s)-1].Dump() + "\n<-- " + string(s[len(s)-1].Response)
			}
			t.Fatalf("the fake rejected a mapped message: %v\ninfo: %#v\n%s", o.Err, info, dump)
		}
	}
	sent := map[string]bool{}
	for _, r := range srv.Sends() {
		for _, tok := range r.Tokens {
			sent[tok] = true
		}
	}
	for _, tok := range tokens {
		require.True(t, sent[tok], "token %s was not sent to the fake", tok)
	}
}

var fuzzSentinels = []error{push.ErrInvalidToken, push.ErrInvalidMessage, push.ErrAuth, push.ErrQuota, push.ErrRateLimited, push.ErrUnavailable}

// requireOutcomes checks one outcome per token, in order, each nil or of
// exactly one class.
func requireOutcomes(t *testing.T, tokens []string, out []push.Outcome) {
	t.Helper()
	if len(out) != len(tokens) {
		t.Fatalf("%d outcomes for %d tokens: %+v", len(out), len(tokens), out)
	}
	for i, o := range out {
		if o.Token != tokens[i] {
			t.Fatalf("outcome %d is for %q, want %q", i, o.Token, tokens[i])
		}
		if o.Err == nil {
			continue
		}
		_ = o.Err.Error()
		n := 0
		for _, s := range fuzzSentinels {
			if errors.Is(o.Err, s) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("outcome %d: %v matches %d error classes, want exactly 1", i, o.Err, n)
		}
		if errors.Is(o.Err, auth.ErrExpired) && !errors.Is(o.Err, push.ErrAuth) {
			t.Fatalf("outcome %d: %v wraps auth.ErrExpired outside ErrAuth", i, o.Err)
		}
	}
}

// fuzzTokens turns a fuzz string into 1..5 distinct non-empty tokens, as
// batch.Run hands them to a decoder.
func fuzzTokens(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, "\n") {
		if t == "" || seen[t] || len(out) == 5 {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) == 0 {
		out = []string{"tok-0"}
	}
	return out
}

// fuzzResponse builds a transport answer from fuzz input: any status a
// server can send (100..999), an optional Retry-After, the body as is.
func fuzzResponse(status int, retryAfter string, body []byte) *transport.Response {
	if status < 0 {
		status = -status
	}
	status %= 1000
	if status < 100 {
		status += 100
	}
	h := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &transport.Response{Status: status, Header: h, Body: body}
}

// FuzzMapping: whatever OfflinePushInfo comes in, Message either refuses it
// with ErrInvalidMessage/ErrConfig, or Push sends it and the fake (which
// checks the signature and messageJson the way Meizu does) accepts it for
// every pushId.
func FuzzMapping(f *testing.F) {
	addMappingSeeds(f)
	srv := pushtest.NewMeizu("100999", "fuzz-app-secret")
	f.Cleanup(srv.Close)
	c, err := New(Config{AppID: "100999", AppSecret: "fuzz-app-secret"},
		push.WithEndpoint(srv.URL()), push.WithRetry(push.NoRetry), push.WithTimeout(30*time.Second))
	require.NoError(f, err)
	tokens := []string{"pushid-alice-phone", "pushid-alice-tablet"}

	f.Fuzz(func(t *testing.T, title, desc, ext, sound string, kind int, u, intent, activity string, ttl int64, badge int, collapse, id string) {
		info := fuzzInfo(title, desc, ext, sound, kind, u, intent, activity, ttl, badge, collapse, id)
		_, ferr := c.Form(info, tokens...)
		srv.Reset()
		res, err := c.Push(context.Background(), info, tokens...)
		if (ferr == nil) != (err == nil) {
			t.Fatalf("Form error %v, Push error %v", ferr, err)
		}
		if err != nil {
			requireBuildError(t, err, info)
			return
		}
		requireAccepted(t, srv.Server, info, tokens, res)
	})
}

// FuzzDecode: any answer decodes to one outcome per pushId, in order, each
// accepted or of exactly one error class.
func FuzzDecode(f *testing.F) {
	two := "PID_A\nPID_B"
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"code":"200","message":"","value":{},"redirect":"","msgId":"NS20190212105656529_0_11549376_1_3"}`},
		{200, `{"code":200,"value":{},"msgId":"m1"}`},
		{200, `{"code":"200","message":"","value":"","msgId":"m2"}`},
		{200, `{"code":"200"}`},
		{200, `{"code":"200","value":{"110002":["PID_B"]},"msgId":"m3"}`},
		{200, `{"code":"200","value":{"110002":"PID_B"},"msgId":"m3"}`},
		{200, `{"code":"200","value":{"110002":["PID_X"]},"msgId":"m4"}`},
		{200, `{"code":"200","value":{"110003":[" PID_A"],"110010":["PID_B"],"110011":["PID_A"]},"msgId":"m5"}`},
		{200, `{"code":"200","value":{"520":["PID_A"],"9999":["PID_B"]},"msgId":"m5"}`},
		{200, `{"code":"200","value":{},"msgId":12345}`},
		{200, `{"code":"200","value":{"110002":[1,null]},"msgId":{}}`},
		{200, `{"code":`},
		{200, `{"code":"777","message":"新错误","value":""}`},
		{200, `{"code":"110002","message":"pushId未订阅","value":""}`},
		{200, `{"code":"110003","message":"pushId非法"}`},
		{200, `{"code":"110010","message":"请求频率过高"}`},
		{200, `{"code":"110019","message":"超过每日推送上限"}`},
		{200, `{"code":"1006","message":"签名认证失败"}`},
		{200, `{"code":"1003","message":"服务器忙"}`},
		{200, `{"code":"520","message":"折叠"}`},
		{200, `{"code":"1005","message":"参数错误"}`},
		{200, `{"code":true}`},
		{400, `{"code":"1005","message":"参数错误"}`},
		{502, `<html>bad gateway</html>`},
		{200, ``},
	} {
		f.Add(s.status, "", []byte(s.body), two)
	}
	f.Add(503, "7", []byte(`{"code":"1001"}`), "pushid-alice-phone")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff\n\xfe\nPID_A\nPID_B\nPID_C\nPID_D")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, toks string) {
		tokens := fuzzTokens(toks)
		out, _ := decode(fuzzResponse(status, retryAfter, body), tokens)
		requireOutcomes(t, tokens, out)
	})
}

// The push path writes the signed form without url.Values; it must equal
// what Form (the documented mapping) gives.
func TestRequestEqualsForm(t *testing.T) {
	c, err := New(Config{AppID: "100999", AppSecret: "test_app_secret"})
	if err != nil {
		t.Fatal(err)
	}
	info := &push.OfflinePushInfo{Title: "a&b=c 你好", Desc: "d +%~", Ext: `{"k":"v"}`, ID: "x"}
	for _, ids := range [][]string{{"p1"}, {"p1", "p 2", "p+3"}} {
		want, err := c.Form(info, ids...)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := c.MessageJSON(info)
		if got := string(c.request(msg, ids).Body); got != want.Encode() {
			t.Fatalf("request body\n%s\nwant\n%s", got, want.Encode())
		}
	}
}

// Package fuzzkit is what every vendor's fuzz targets share: the seed
// messages every vendor meets, the OfflinePushInfo built from fuzz input,
// and the checks of a mapping and of a decoder. It is used by tests only.
package fuzzkit

import (
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

// Seed is one OfflinePushInfo, field by field, as the fuzz targets take it.
type Seed struct {
	title, desc, ext, sound string
	kind                    int
	url, intent, activity   string
	ttl                     int64 // seconds
	badge                   int
	collapse, id            string
}

// seeds are realistic messages and the edges every vendor meets: CJK,
// emoji, invalid UTF-8, over-long text, http/https/ftp URLs, intents with
// and without a component, odd TTLs, badges and kinds.
var seeds = []Seed{
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

// AddMappingSeeds adds every seed to a mapping fuzz target.
func AddMappingSeeds(f *testing.F) {
	for _, s := range seeds {
		f.Add(s.title, s.desc, s.ext, s.sound, s.kind, s.url, s.intent, s.activity, s.ttl, s.badge, s.collapse, s.id)
	}
}

// Info builds the OfflinePushInfo a mapping fuzz target was given.
func Info(title, desc, ext, sound string, kind int, u, intent, activity string, ttlSec int64, badge int, collapse, id string) *push.OfflinePushInfo {
	ttl := time.Duration(ttlSec) * time.Second
	if ttl/time.Second != time.Duration(ttlSec) { // overflow: keep it arbitrary, in nanoseconds
		ttl = time.Duration(ttlSec)
	}
	return &push.OfflinePushInfo{Title: title, Desc: desc, Ext: ext, IOSSound: sound,
		Click: push.ClickAction{Kind: push.ClickKind(kind), URL: u, Intent: intent, Activity: activity},
		TTL:   ttl, Badge: badge, CollapseID: collapse, ID: id}
}

// RequireBuildError checks an error from the mapping: a message or config
// error, nothing else.
func RequireBuildError(t *testing.T, err error, info *push.OfflinePushInfo) {
	t.Helper()
	if !errors.Is(err, push.ErrInvalidMessage) && !errors.Is(err, push.ErrConfig) {
		t.Fatalf("mapping failed with %v, want ErrInvalidMessage or ErrConfig\ninfo: %#v", err, info)
	}
}

// RequireAccepted checks that every token reached the fake and was accepted.
// (Not fake.Delivered: a vendor that dedupes on a key derived from info.ID
// rightly skips a repeat of an earlier iteration's ID.)
func RequireAccepted(t *testing.T, srv *pushtest.Server, info *push.OfflinePushInfo, tokens []string, res *push.Result) {
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

var sentinels = []error{push.ErrInvalidToken, push.ErrDisabled, push.ErrInvalidMessage, push.ErrAuth, push.ErrQuota, push.ErrRateLimited, push.ErrUnavailable}

// RequireOutcomes checks one outcome per token, in order, each nil or of
// exactly one class.
func RequireOutcomes(t *testing.T, tokens []string, out []push.Outcome) {
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
		for _, s := range sentinels {
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

// Tokens turns a fuzz string into 1..5 distinct non-empty tokens, as
// batch.Run hands them to a decoder.
func Tokens(s string) []string {
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

// Response builds a transport answer from fuzz input: any status a
// server can send (100..999), an optional Retry-After, the body as is.
func Response(status int, retryAfter string, body []byte) *transport.Response {
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

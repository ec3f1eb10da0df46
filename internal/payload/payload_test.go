package payload

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		unit Unit
		want string
	}{
		{"hello", 10, Runes, "hello"},
		{"hello", 3, Runes, "hel"},
		{"你好世界", 2, Runes, "你好"},
		{"你好世界", 7, Bytes, "你好"}, // 6 bytes fit, the 3rd rune would need 9
		{"你好世界", 6, Bytes, "你好"},
		{"a😀b", 2, UTF16, "a"}, // the emoji is a surrogate pair: 2 units
		{"a😀b", 3, UTF16, "a😀"},
		{"a😀b", 2, Runes, "a😀"},
		{"abc", 0, Runes, ""},
		{"abc", -1, Bytes, ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.max, tt.unit)
		assert.Equal(t, tt.want, got, "Truncate(%q, %d, %s)", tt.in, tt.max, tt.unit)
	}
}

func TestLen(t *testing.T) {
	assert.Equal(t, 4, Len("你好世界", Runes))
	assert.Equal(t, 12, Len("你好世界", Bytes))
	assert.Equal(t, 3, Len("😀b", UTF16))
}

func TestFit(t *testing.T) {
	got, err := Fit("你好世界", 3, Runes, false)
	require.NoError(t, err)
	assert.Equal(t, "你好…", got)
	_, err = Fit("你好世界", 2, Runes, true)
	require.ErrorIs(t, err, ErrTooLong)
	assert.Equal(t, "is too long: 4 characters, the limit is 2", err.Error())
}

func TestExt(t *testing.T) {
	assert.Nil(t, ExtMap(""))
	assert.Equal(t, map[string]string{"ext": `{"k":"v"}`}, ExtMap(`{"k":"v"}`))
	assert.Equal(t, "", ExtJSON(""))
	// the reference's example: data = "{\"ext\":\"{\\\"k\\\":\\\"v\\\"}\"}"
	assert.Equal(t, `{"ext":"{\"k\":\"v\"}"}`, ExtJSON(`{"k":"v"}`))
	for _, ok := range []string{`{}`, `{"a":1}`, ` {"a":[1,2]} `} {
		assert.NoError(t, CheckJSONObject(ok), ok)
	}
	for _, bad := range []string{``, `[]`, `"x"`, `null`, `{"a":1}{}`, `{`, `plain text`} {
		assert.Error(t, CheckJSONObject(bad), bad)
	}
}

func TestCheckURL(t *testing.T) {
	for _, ok := range []string{"https://example.com", "http://example.com/a?b=c", "HTTPS://Example.com/x"} {
		assert.NoError(t, CheckURL(ok, false), ok)
	}
	assert.NoError(t, CheckURL("https://example.com", true))
	assert.EqualError(t, CheckURL("http://example.com", true), "must use https")
	for _, bad := range []string{"", "example.com", "/relative", "ftp://example.com", "javascript:alert(1)", "https://", "mailto:a@b.c", "http://[::1"} {
		assert.Error(t, CheckURL(bad, false), bad)
	}
}

func TestIntent(t *testing.T) {
	tests := []struct {
		intent, want string
		ok           bool
	}{
		{"intent:#Intent;component=com.pkg/.ChatActivity;end", "com.pkg.ChatActivity", true},
		{"intent://host/path#Intent;scheme=x;launchFlags=0x4000000;component=com.pkg/com.other.Cls;end", "com.other.Cls", true},
		{"intent:#Intent;launchFlags=0x24000000;component=com.pkg%2F.Chat;S.key=val;end", "com.pkg.Chat", true},
		{"intent:#Intent;action=com.pkg.OPEN;end", "", false},
		{"intent:#Intent;component=com.pkg;end", "", false},
		{"intent:#Intent;component=/.X;end", "", false},
		{"https://example.com", "", false},
	}
	for _, tt := range tests {
		got, err := ActivityFromIntent(tt.intent)
		if !tt.ok {
			assert.Error(t, err, tt.intent)
			continue
		}
		require.NoError(t, err, tt.intent)
		assert.Equal(t, tt.want, got)
	}
	assert.NoError(t, CheckIntent("intent:#Intent;component=com.pkg/.Chat;end"))
	assert.NoError(t, CheckIntent("intent://chat/1#Intent;scheme=im;end"))
	for _, bad := range []string{"", "intent:", "#Intent;", "intent:#Intent;component=a/.B", "intent:#Intent; component=a/.B;end", "https://x"} {
		assert.Error(t, CheckIntent(bad), bad)
	}
}

func TestCheckActivity(t *testing.T) {
	assert.NoError(t, CheckActivity("com.example.ChatActivity"))
	assert.NoError(t, CheckActivity("com.example.Outer$Inner"))
	for _, bad := range []string{"", "Chat", ".Chat", "com.example.", "com example.Chat", "com/example.Chat"} {
		assert.Error(t, CheckActivity(bad), bad)
	}
}

func TestShorten(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		unit Unit
		want string
	}{
		{"hello", 5, Runes, "hello"},
		{"hello world", 7, Runes, "hello…"}, // the space before the cut is dropped
		{"你好世界", 3, Runes, "你好…"},
		{"你好世界", 9, Bytes, "你好…"}, // 6 + 3 bytes
		{"你好世界", 8, Bytes, "你…"},
		{"a😀b", 3, UTF16, "a…"}, // the emoji is two units: it does not fit beside "…"
		{"😀😀😀", 4, UTF16, "😀…"},
		{"abc", 1, Runes, "a"},  // the ellipsis alone would say nothing
		{"abc", 2, Bytes, "ab"}, // no room for a 3-byte ellipsis: plain cut
		{"abc", 0, Runes, ""},
		{"ok👍🏽👍🏽", 5, Runes, "ok👍🏽…"}, // the skin tone stays with its hand
		{"ok👍🏽👍🏽", 4, Runes, "ok…"},
		{"hi👨‍👩‍👧!", 6, Runes, "hi…"}, // a family is one picture
		{"go🇨🇳🇫🇷", 5, Runes, "go🇨🇳…"}, // a flag is two letters
		{"go🇨🇳🇫🇷", 4, Runes, "go…"},
		{"cafés", 5, Runes, "caf…"}, // the accent stays on its e
	} {
		t.Run(tt.in+"/"+tt.unit.String(), func(t *testing.T) {
			got := Shorten(tt.in, tt.max, tt.unit)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, Len(got, tt.unit), max(tt.max, 0))
		})
	}
}

// FuzzTruncate: never panics, never yields invalid UTF-8 from valid input,
// never exceeds the limit, and always returns a prefix.
func FuzzTruncate(f *testing.F) {
	for _, s := range []string{"", "hello", "你好世界", "a😀b", "\xff\xfeab", strings.Repeat("é", 100)} {
		f.Add(s, 5, 0)
		f.Add(s, 1, 1)
		f.Add(s, 3, 2)
	}
	f.Fuzz(func(t *testing.T, s string, max int, unit int) {
		u := Unit(((unit % 3) + 3) % 3)
		got := Truncate(s, max, u)
		if !strings.HasPrefix(s, got) {
			t.Fatalf("not a prefix: %q of %q", got, s)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("split a UTF-8 sequence: %q", got)
		}
		if max > 0 && utf8.ValidString(s) && Len(got, u) > max {
			t.Fatalf("over the limit: %d > %d", Len(got, u), max)
		}
		if max <= 0 && got != "" {
			t.Fatalf("non-empty for max %d", max)
		}
		if Len(s, u) <= max && got != s {
			t.Fatalf("truncated a string within the limit")
		}
	})
}

// FuzzIntent: the intent helpers never panic, and an Activity they return
// is a plausible class name.
func FuzzIntent(f *testing.F) {
	for _, s := range []string{"intent:#Intent;component=com.pkg/.Chat;end", "intent://x#Intent;scheme=a;end", "#Intent;component=;end", "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = CheckIntent(s)
		_ = CheckURL(s, true)
		_ = CheckJSONObject(s)
		if a, err := ActivityFromIntent(s); err == nil && (a == "" || strings.HasPrefix(a, ".")) {
			t.Fatalf("bad activity %q from %q", a, s)
		}
	})
}

// FuzzExtJSON: ExtJSON always produces a JSON object whose "ext" decodes
// back to the input (for valid UTF-8).
func FuzzExtJSON(f *testing.F) {
	for _, s := range []string{`{"k":"v"}`, `"quoted"`, "<&>", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || !utf8.ValidString(s) {
			return
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(ExtJSON(s)), &m); err != nil {
			t.Fatal(err)
		}
		if m["ext"] != s {
			t.Fatalf("round trip: %q != %q", m["ext"], s)
		}
		if errors.Is(CheckJSONObject(ExtJSON(s)), ErrTooLong) {
			t.Fatal("impossible")
		}
	})
}

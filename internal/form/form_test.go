package form

import (
	"fmt"
	"net/url"
	"testing"
)

func TestMatchesURLValues(t *testing.T) {
	for _, s := range []string{"", "abc", "a b+c&d=e", "你好~-_.", "\x00\xff%", `{"k":"v"}`, "intent:#Intent;component=a/.B;end"} {
		if got, want := string(AppendEscaped(nil, s)), url.QueryEscape(s); got != want {
			t.Errorf("AppendEscaped(%q) = %q, want %q", s, got, want)
		}
		if got, want := string(AppendEscaped(nil, []byte(s))), url.QueryEscape(s); got != want {
			t.Errorf("AppendEscaped([]byte(%q)) = %q, want %q", s, got, want)
		}
	}
	got := string(AppendField(AppendField(nil, "a b", "1&2"), "c", "d"))
	if want := (url.Values{"a b": {"1&2"}, "c": {"d"}}).Encode(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzAppendEscaped(f *testing.F) {
	f.Add("a b&c")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendEscaped(nil, s)), url.QueryEscape(s); got != want {
			t.Fatalf("%q: %q != %q", s, got, want)
		}
	})
}

// BenchmarkAppendEscaped escapes a typical regId and a form value with
// characters to escape.
func BenchmarkAppendEscaped(b *testing.B) {
	for _, s := range []string{
		"u7Fh0aYj3lQJ2sWc9zXbN4kR1tV6pE8mG5oIyHdKqLwTxZrCnBvMaSfDgJhUiOe-_.~",
		`{"k":"v","chat":"42"} 你好 intent:#Intent;end`,
	} {
		b.Run(fmt.Sprint(len(s)), func(b *testing.B) {
			buf := make([]byte, 0, 256)
			for b.Loop() {
				buf = AppendEscaped(buf[:0], s)
			}
		})
	}
}

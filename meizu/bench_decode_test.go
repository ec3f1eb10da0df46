package meizu

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkDecode maps Flyme Push answers to per-pushId outcomes: a success
// for one pushId and for a full batch, and a batch answer listing 10 pushIds
// under 110002 (not subscribed) in value, as the pushtest fake answers them.
func BenchmarkDecode(b *testing.B) {
	toks := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("ULY%027d", i)
		}
		return out
	}
	answer := func(failed map[string][]string) *transport.Response {
		if failed == nil {
			failed = map[string][]string{}
		}
		body, _ := json.Marshal(map[string]any{"code": "200", "message": "", "value": failed, "redirect": "",
			"msgId": "NS000000000000000000000000000001"})
		return &transport.Response{Status: 200, Body: body}
	}
	batch := toks(MaxTokens)
	cases := []struct {
		name   string
		resp   *transport.Response
		tokens []string
	}{
		{"ok-1", answer(nil), toks(1)},
		{"ok-100", answer(nil), batch},
		{"unsubscribed10-100", answer(map[string][]string{"110002": batch[:10]}), batch},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out := decode(tc.resp, tc.tokens); len(out) != len(tc.tokens) {
					b.Fatal("wrong outcome count")
				}
			}
		})
	}
}

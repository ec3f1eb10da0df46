package huawei

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkDecode maps Push Kit v1 answers to per-token outcomes: a success
// for one token and for a full batch, and a partial answer (80100000) whose
// msg lists 10 illegal tokens, as the pushtest fake answers them.
func BenchmarkDecode(b *testing.B) {
	toks := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("IQAAAACy0%0121d", i)
		}
		return out
	}
	answer := func(code, msg string) *transport.Response {
		body, _ := json.Marshal(map[string]string{"code": code, "msg": msg, "requestId": "176845632100000001"})
		return &transport.Response{Status: 200, Body: body}
	}
	batch := toks(MaxTokens)
	msg, _ := json.Marshal(map[string]any{"success": len(batch) - 10, "failure": 10, "illegal_tokens": batch[:10]})
	cases := []struct {
		name   string
		resp   *transport.Response
		tokens []string
	}{
		{"ok-1", answer(CodeSuccess, "Success"), toks(1)},
		{"ok-1000", answer(CodeSuccess, "Success"), batch},
		{"partial10-1000", answer(CodePartial, string(msg)), batch},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out, err := decode(tc.resp, tc.tokens); err != nil || len(out) != len(tc.tokens) {
					b.Fatal("decode failed", err)
				}
			}
		})
	}
}

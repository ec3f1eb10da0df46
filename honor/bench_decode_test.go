package honor

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkDecode maps Honor Push answers to per-token outcomes: a success
// for one token and for a full batch, and a partial answer (80100000) whose
// data lists 10 expireTokens, as the pushtest fake answers them.
func BenchmarkDecode(b *testing.B) {
	toks := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("honor%095d", i)
		}
		return out
	}
	answer := func(code, msg string, expire []string) *transport.Response {
		data := map[string]any{"sendResult": true, "requestId": "17684563210000001"}
		if len(expire) > 0 {
			data["expireTokens"] = expire
		}
		body, _ := json.Marshal(map[string]any{"code": code, "message": msg, "data": data})
		return &transport.Response{Status: 200, Body: body}
	}
	batch := toks(MaxTokens)
	cases := []struct {
		name   string
		resp   *transport.Response
		tokens []string
	}{
		{"ok-1", answer("200", "success", nil), toks(1)},
		{"ok-1000", answer("200", "success", nil), batch},
		{"expired10-1000", answer("80100000", "some tokens failed", batch[:10]), batch},
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

package vivo

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkDecode maps vivo answers to per-regId outcomes (decode, then
// outcomes): a single send's success, a pushToList success for a full list,
// and a pushToList answer naming 10 invalidUsers, as the pushtest fake
// answers them.
func BenchmarkDecode(b *testing.B) {
	toks := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("16%021d", i)
		}
		return out
	}
	answer := func(invalid []string) *transport.Response {
		m := map[string]any{"result": 0, "desc": "请求成功", "taskId": "1234567890123456789"}
		if len(invalid) > 0 {
			users := make([]map[string]any, len(invalid))
			for i, t := range invalid {
				users[i] = map[string]any{"status": 1, "userid": t}
			}
			m["invalidUsers"] = users
		}
		body, _ := json.Marshal(m)
		return &transport.Response{Status: 200, Body: body}
	}
	list := toks(MaxTokens)
	cases := []struct {
		name   string
		resp   *transport.Response
		tokens []string
	}{
		{"send-ok-1", answer(nil), toks(1)},
		{"list-ok-1000", answer(nil), list},
		{"list-invalid10-1000", answer(list[:10]), list},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ans, err := decode(tc.resp)
				if err != nil {
					b.Fatal(err)
				}
				if out := outcomes(tc.tokens, ans.TaskID, ans, err); len(out) != len(tc.tokens) {
					b.Fatal("wrong outcome count")
				}
			}
		})
	}
}

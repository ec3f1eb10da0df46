package xiaomi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkDecode maps Mi Push answers to per-token outcomes: a success for
// one regId and for a full batch, and a batch answer naming 10 bad regIds
// (data.bad_regids), as the pushtest fake answers them.
func BenchmarkDecode(b *testing.B) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("mi%042d", i)
		}
		return out
	}
	ok := func(extra string) *transport.Response {
		return &transport.Response{Status: 200, Body: []byte(`{"result":"ok","code":0,"trace_id":"Xlm00000000000000000001",` +
			`"description":"成功","info":"Received push messages for 1000 REGID","data":{"id":"slm0000000000000000001"` + extra + `}}`)}
	}
	batch := ids(MaxTokens)
	bad := strings.Join(batch[:10], ",")
	cases := []struct {
		name   string
		resp   *transport.Response
		tokens []string
	}{
		{"ok-1", ok(""), ids(1)},
		{"ok-1000", ok(""), batch},
		{"bad10-1000", ok(`,"bad_regids":"` + bad + `"`), batch},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out := decode(c.resp, c.tokens, true); len(out) != len(c.tokens) {
					b.Fatal("wrong outcome count")
				}
			}
		})
	}
}

package oppo

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkDecode maps OPush answers to per-token outcomes: a unicast
// success, a unicast_batch success with one item per regId, and a batch
// answer where 10 items carry errorCode 10000 (invalid regId), as the
// pushtest fake answers them.
func BenchmarkDecode(b *testing.B) {
	toks := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("CN_%032d", i)
		}
		return out
	}
	batchAnswer := func(regIDs []string, invalid int) *transport.Response {
		type item struct {
			MessageID      string `json:"messageId,omitempty"`
			RegistrationID string `json:"registrationId"`
			ErrorCode      int    `json:"errorCode,omitempty"`
			ErrorMessage   string `json:"errorMessage,omitempty"`
		}
		items := make([]item, len(regIDs))
		for i, t := range regIDs {
			items[i].RegistrationID = t
			if i < invalid {
				items[i].ErrorCode, items[i].ErrorMessage = 10000, "Invalid Registration_id"
			} else {
				items[i].MessageID = fmt.Sprintf("FAKEAPPID-1-1-%024x", i+1)
			}
		}
		body, _ := json.Marshal(map[string]any{"code": 0, "message": "success", "data": items})
		return &transport.Response{Status: 200, Body: body}
	}
	one := toks(1)
	batch := toks(MaxTokens)
	cases := []struct {
		name    string
		resp    *transport.Response
		tokens  []string
		isBatch bool
	}{
		{"unicast-ok-1", &transport.Response{Status: 200,
			Body: []byte(`{"code":0,"message":"success","data":{"messageId":"FAKEAPPID-1-1-000000000000000000000001"}}`)}, one, false},
		{"batch-ok-1000", batchAnswer(batch, 0), batch, true},
		{"batch-invalid10-1000", batchAnswer(batch, 10), batch, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out, err := decode(tc.resp, tc.tokens, tc.isBatch); err != nil || len(out) != len(tc.tokens) {
					b.Fatal("decode failed", err)
				}
			}
		})
	}
}

package meizu

import (
	"fmt"
	"strings"
	"testing"

	"github.com/offlinepush/push"
)

// BenchmarkBuild measures building one send request: the messageJson, the
// sign and the encoded form body.
func BenchmarkBuild(b *testing.B) {
	c, err := New(Config{AppID: "100999", AppSecret: "test_app_secret"})
	if err != nil {
		b.Fatal(err)
	}
	in := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"entity":{"chatType":1,"sender":"alice"}}`,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"}}
	for _, n := range []int{1, 100} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("J0476035d625e6c64567f71487e040e7d017f05586%04d", i)
		}
		b.Run(fmt.Sprintf("%d_ids", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				msg, err := c.messageJSON(in)
				if err != nil {
					b.Fatal(err)
				}
				joined := strings.Join(ids, ",")
				sign := c.signature(msg, joined)
				if r := c.request(msg, joined, string(sign[:])); len(r.Body) == 0 {
					b.Fatal("empty body")
				}
			}
		})
	}
}

package harmony_test

import (
	"testing"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/harmony"
)

// BenchmarkBuild measures building one send request: mapping, the size
// check and the body for one token.
func BenchmarkBuild(b *testing.B) {
	c, err := harmony.New(harmony.Config{CredentialsJSON: creds})
	if err != nil {
		b.Fatal(err)
	}
	info := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"conv":"c2c_alice","seq":42}`,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"}, Badge: 1}
	tokens := []string{"MAMzLgEAAACy0alice-phone-token-000000000000000000000000000000000000"}
	b.ReportAllocs()
	for b.Loop() {
		req, err := c.Build(info)
		if err != nil {
			b.Fatal(err)
		}
		_ = req.Body(tokens)
	}
}

package huawei_test

import (
	"testing"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/huawei"
)

// BenchmarkBuild measures building one send request: mapping, the size
// check and the body for one token.
func BenchmarkBuild(b *testing.B) {
	c, err := huawei.New(huawei.Config{AppID: "104536617", AppSecret: "s", BadgeClass: "com.example.MainActivity"})
	if err != nil {
		b.Fatal(err)
	}
	info := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"conv":"c2c_alice","seq":42}`,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"}, Badge: 1}
	tokens := []string{"IQAAAACy0alice-phone-token-0000000000000000000000000000000000000000"}
	b.ReportAllocs()
	for b.Loop() {
		req, err := c.Build(info)
		if err != nil {
			b.Fatal(err)
		}
		_ = req.Body(tokens)
	}
}

// BenchmarkBody1000 measures the body of a full batch.
func BenchmarkBody1000(b *testing.B) {
	c, _ := huawei.New(huawei.Config{AppID: "104536617", AppSecret: "s"})
	req, _ := c.Build(&push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"})
	tokens := make([]string, huawei.MaxTokens)
	for i := range tokens {
		tokens[i] = "IQAAAACy0alice-phone-token-0000000000000000000000000000000000000000"
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = req.Body(tokens)
	}
}

package xiaomi

import (
	"fmt"
	"testing"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/transport"
)

// BenchmarkRequest measures building the whole HTTP request of one batch:
// mapping, form encoding and headers.
func BenchmarkRequest(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			c, err := New(Config{AppSecret: "s", PackageName: "com.example.app", ChannelID: "im"})
			if err != nil {
				b.Fatal(err)
			}
			info := &push.OfflinePushInfo{Title: "Hello", Desc: "World", Ext: `{"k":"v"}`,
				Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/page"}}
			tokens := make([]string, n)
			for i := range tokens {
				tokens[i] = fmt.Sprintf("regid%040d", i)
			}
			b.ReportAllocs()
			for b.Loop() {
				fs, err := c.fields(info)
				if err != nil {
					b.Fatal(err)
				}
				_ = c.request(newBody(fs), tokens)
			}
		})
	}
}

func TestBodyEqualsFormEncode(t *testing.T) {
	c, err := New(Config{AppSecret: "s", PackageName: "com.example.app", ChannelID: "im"})
	if err != nil {
		t.Fatal(err)
	}
	info := &push.OfflinePushInfo{Title: "a&b=c", Desc: "你好 +%~", Ext: `{"k":"v"}`, ID: "x", CollapseID: "y"}
	form, err := c.Form(info)
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := c.fields(info)
	ids := []string{"a/b", "c%d", "e+f"}
	got := string(newBody(fs).with(ids))
	form.Set("registration_id", "a/b,c%d,e+f")
	if want := form.Encode(); got != want {
		t.Fatalf("body\n%s\nwant\n%s", got, want)
	}
}

func TestDecodeNeverLosesTokens(t *testing.T) {
	bodies := []string{"", "{}", `{"code":0}`, `{"code":0,"data":{"bad_regids":"x,,y"}}`, `{"code":"0"}`, `[]`, `{"code":20301}`, "\x00"}
	for _, body := range bodies {
		for _, status := range []int{200, 400, 500} {
			out := decode(&transport.Response{Status: status, Body: []byte(body)}, []string{"a", "x"}, false)
			if len(out) != 2 || out[0].Token != "a" || out[1].Token != "x" {
				t.Fatalf("status %d body %q: %+v", status, body, out)
			}
		}
	}
}

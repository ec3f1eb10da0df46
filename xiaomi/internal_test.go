package xiaomi

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	require.NoError(t, err)
	info := &push.OfflinePushInfo{Title: "a&b=c", Desc: "你好 +%~", Ext: `{"k":"v"}`, ID: "x", CollapseID: "y"}
	form, err := c.Form(info)
	require.NoError(t, err)
	fs, err := c.fields(info)
	require.NoError(t, err)
	ids := []string{"a/b", "c%d", "e+f"}
	got := string(newBody(fs).with(ids))
	form.Set("registration_id", "a/b,c%d,e+f")
	assert.Equal(t, form.Encode(), got)
}

func TestDecodeNeverLosesTokens(t *testing.T) {
	bodies := []string{"", "{}", `{"code":0}`, `{"code":0,"data":{"bad_regids":"x,,y"}}`, `{"code":"0"}`, `[]`, `{"code":20301}`, "\x00"}
	for _, body := range bodies {
		for _, status := range []int{200, 400, 500} {
			t.Run(fmt.Sprintf("%d %q", status, body), func(t *testing.T) {
				out := decode(&transport.Response{Status: status, Body: []byte(body)}, []string{"a", "x"}, false)
				require.Len(t, out, 2, "%+v", out)
				assert.Equal(t, "a", out[0].Token)
				assert.Equal(t, "x", out[1].Token)
			})
		}
	}
}

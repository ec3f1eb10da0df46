package pushconfig_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushconfig"
)

func parseOne(t *testing.T, cert string) (*pushconfig.File, error) {
	t.Helper()
	return pushconfig.Parse([]byte(`{"certificates":[`+cert+`]}`), "")
}

// TestDefaultTitleKey: a certificate's defaultTitle titles a message that
// has none on the vendors that require a title (it is WithDefaultTitle for
// that certificate's client); without it the message's Desc is the title;
// a message's own title wins. Blank, or on a vendor that sends no title,
// it is an error naming the key.
func TestDefaultTitleKey(t *testing.T) {
	const mi = `{"id":"mi","vendor":"xiaomi","appSecret":"s","packageName":"com.example.chat","channelId":"im"%s}`
	sent := func(t *testing.T, extra string, info *push.OfflinePushInfo) string {
		t.Helper()
		f, err := parseOne(t, fmt.Sprintf(mi, extra))
		require.NoError(t, err)
		c, _ := f.Certificate("mi")
		sb, err := c.StartSandbox()
		require.NoError(t, err)
		defer sb.Close()
		p, err := sb.Pusher(&c)
		require.NoError(t, err)
		res, err := p.Push(context.Background(), info, "regid-1")
		require.NoError(t, err)
		require.NoError(t, res.Err())
		require.Len(t, sb.Server.Sends(), 1)
		form, err := url.ParseQuery(string(sb.Server.Sends()[0].Body))
		require.NoError(t, err)
		return form.Get("title")
	}
	noTitle := &push.OfflinePushInfo{Desc: "See you at 8?"}
	assert.Equal(t, "Chat", sent(t, `,"defaultTitle":"Chat"`, noTitle))
	assert.Equal(t, "Chat", sent(t, `,"defaultTitle":"Chat"`, &push.OfflinePushInfo{Title: "  ", Desc: "See you at 8?"}))
	assert.Equal(t, "See you at 8?", sent(t, "", noTitle), "without defaultTitle the Desc is the title")
	assert.Equal(t, "Alice", sent(t, `,"defaultTitle":"Chat"`, &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"}))

	for _, tt := range []struct{ name, cert, want string }{
		{"blank", fmt.Sprintf(mi, `,"defaultTitle":"  "`), `certificate "mi": defaultTitle: must not be blank`},
		{"empty", fmt.Sprintf(mi, `,"defaultTitle":""`), `certificate "mi": defaultTitle: must not be blank`},
		{"not a string", fmt.Sprintf(mi, `,"defaultTitle":7`), `certificate "mi": defaultTitle: must be a JSON string`},
		{"fcm sends no title", `{"id":"gg","vendor":"fcm","credentialsJson":"x","defaultTitle":"Chat"}`, `certificate "gg": defaultTitle: is not a fcm setting`},
		{"huawei sends no title", `{"id":"hw","vendor":"huawei","appId":"1","appSecret":"s","defaultTitle":"Chat"}`, `certificate "hw": defaultTitle: is not a huawei setting`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOne(t, tt.cert)
			require.Error(t, err)
			assert.ErrorIs(t, err, push.ErrConfig)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	f, err := parseOne(t, fmt.Sprintf(mi, `,"defaultTitle":"Chat","misconfigGuard":0`))
	require.NoError(t, err)
	assert.Equal(t, `pushconfig.Certificate{id:"mi" vendor:xiaomi appSecret:<redacted> packageName:"com.example.chat" channelId:"im" defaultTitle:"Chat" misconfigGuard:0}`, f.Certificates[0].String())
	for _, v := range []push.Vendor{push.Xiaomi, push.Harmony, push.Honor, push.OPPO, push.Vivo, push.Meizu} {
		assert.Contains(t, pushconfig.Keys(v), "defaultTitle", v)
	}
}

// TestMisconfigGuardKey: misconfigGuard is WithMisconfigGuard for the
// certificate's client: 0 trusts every dead verdict, n reports a run of
// more than n dead tokens as ErrAuth; left out, the default (10) applies.
func TestMisconfigGuardKey(t *testing.T) {
	classes := func(t *testing.T, extra string, dead int) (invalid, auth int) {
		t.Helper()
		f, err := parseOne(t, `{"id":"hw","vendor":"huawei","appId":"100","appSecret":"s"`+extra+`}`)
		require.NoError(t, err)
		c, _ := f.Certificate("hw")
		sb, err := c.StartSandbox()
		require.NoError(t, err)
		defer sb.Close()
		tokens := make([]string, dead)
		for i := range tokens {
			tokens[i] = fmt.Sprintf("IQAAAACy0hw-%03d", i)
		}
		sb.Server.Invalidate(tokens...)
		p, err := sb.Pusher(&c, push.WithRetry(push.NoRetry()))
		require.NoError(t, err)
		res, err := p.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, tokens...)
		require.NoError(t, err)
		for _, o := range res.Outcomes {
			switch {
			case errors.Is(o.Err, push.ErrInvalidToken):
				invalid++
			case errors.Is(o.Err, push.ErrAuth):
				auth++
			}
		}
		return invalid, auth
	}
	for _, tt := range []struct {
		name, extra   string
		dead          int
		invalid, auth int
	}{
		{"default trusts 5", ``, 5, 5, 0},
		{"default doubts 30", ``, 30, 0, 30},
		{"0 is off", `,"misconfigGuard":0`, 30, 30, 0},
		{"3 doubts 5", `,"misconfigGuard":3`, 5, 0, 5},
		{"50 trusts 30", `,"misconfigGuard":50`, 30, 30, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			invalid, auth := classes(t, tt.extra, tt.dead)
			assert.Equal(t, tt.invalid, invalid, "ErrInvalidToken")
			assert.Equal(t, tt.auth, auth, "ErrAuth")
		})
	}
	for _, tt := range []struct{ name, value, want string }{
		{"negative", `-1`, `misconfigGuard: must be 0 (off) or more`},
		{"fraction", `2.5`, `misconfigGuard: must be a whole number`},
		{"string", `"10"`, `misconfigGuard: must be a whole number`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOne(t, `{"id":"mz","vendor":"meizu","appId":"1","appSecret":"s","misconfigGuard":`+tt.value+`}`)
			require.Error(t, err)
			assert.ErrorIs(t, err, push.ErrConfig)
			assert.Contains(t, err.Error(), `certificate "mz": `+tt.want)
		})
	}
}

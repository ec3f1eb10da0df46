package meizu_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/meizu"
	"github.com/offlinepush/push/pushtest"
)

// DryRun of a two-batch push (MaxTokens+1 pushIds, an empty one and a
// duplicate) shows the requests Push sends, byte for byte but for the
// signature, and no secret.
func TestDryRun(t *testing.T) {
	toks := tokens(meizu.MaxTokens + 1)
	in := append(append([]string{toks[0], ""}, toks...), toks[5])

	c, srv := setup(t, meizu.Config{})
	pv, err := c.DryRun(referenceInfo(), in...)
	require.NoError(t, err)
	assert.Empty(t, srv.Records(), "a dry run sends nothing")

	require.Len(t, pv.Requests, 2)
	for i, want := range [][]string{toks[:meizu.MaxTokens], toks[meizu.MaxTokens:]} {
		r := pv.Requests[i]
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, srv.URL()+meizu.SendPath, r.URL)
		assert.Equal(t, want, r.Tokens)
		assert.Equal(t, "application/x-www-form-urlencoded;charset=UTF-8", r.Header.Get("Content-Type"))
		assert.True(t, strings.HasSuffix(string(r.Body), "&sign="+url.QueryEscape("<redacted>")), "%s", r.Body)
	}
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)

	// The same push, sent: the fake receives the bodies DryRun showed.
	res, err := c.Push(context.Background(), referenceInfo(), in...)
	require.NoError(t, err)
	assert.Equal(t, len(in)-1, res.Delivered(), "every pushId but the empty one (a duplicate gets its first copy's outcome)")
	assert.Len(t, srv.Delivered(), meizu.MaxTokens+1, "each distinct pushId sent once")
	sends := srv.Sends()
	require.Len(t, sends, 2)
	for _, r := range pv.Requests {
		i := slices.IndexFunc(sends, func(s pushtest.Record) bool { return slices.Equal(s.Tokens, r.Tokens) })
		require.GreaterOrEqual(t, i, 0, "no send carries %v", r.Tokens)
		sign := sends[i].Form.Get("sign")
		require.Len(t, sign, 32)
		want := strings.Replace(string(sends[i].Body), "&sign="+sign, "&sign="+url.QueryEscape("<redacted>"), 1)
		assert.Equal(t, want, string(r.Body))
		for _, s := range []string{appSecret, sign} {
			assert.NotContains(t, r.String(), s)
			assert.NotContains(t, string(r.Body), s)
			assert.NotContains(t, r.URL, s)
			for _, vs := range r.Header {
				for _, v := range vs {
					assert.NotContains(t, v, s)
				}
			}
		}
	}
}

// The URL names the real host: China by default, overseas when configured.
func TestDryRunHost(t *testing.T) {
	for name, tt := range map[string]struct{ host, want string }{
		"china":    {"", meizu.HostChina},
		"overseas": {meizu.HostOverseas, meizu.HostOverseas},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := meizu.New(meizu.Config{AppID: appID, AppSecret: appSecret, Host: tt.host})
			require.NoError(t, err)
			pv, err := c.DryRun(info(), "PID_A", "PID_B")
			require.NoError(t, err)
			require.Len(t, pv.Requests, 1)
			assert.Equal(t, tt.want+meizu.SendPath, pv.Requests[0].URL)
			assert.Equal(t, []string{"PID_A", "PID_B"}, pv.Requests[0].Tokens)
		})
	}
}

// DryRun refuses what Push refuses, with the same error, before anything.
func TestDryRunRefusesLikePush(t *testing.T) {
	c, srv := setup(t, meizu.Config{})
	bad := &push.OfflinePushInfo{Desc: "hi", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/" + strings.Repeat("x", meizu.MaxClickTarget)}}
	_, derr := c.DryRun(bad, "PID_A")
	_, perr := c.Push(context.Background(), bad, "PID_A")
	require.ErrorIs(t, derr, push.ErrInvalidMessage)
	require.Error(t, perr)
	assert.Equal(t, perr.Error(), derr.Error())
	assert.Empty(t, srv.Records())
}

package xiaomi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/xiaomi"
)

// DryRun of a two-batch push (MaxTokens+1 regIds, an empty one and a
// duplicate) shows the requests Push sends, byte for byte, with the
// AppSecret of the Authorization header masked, and no secret.
func TestDryRun(t *testing.T) {
	toks := make([]string, xiaomi.MaxTokens+1)
	for i := range toks {
		toks[i] = fmt.Sprintf("regid-%04d", i)
	}
	in := append(append([]string{toks[0], ""}, toks...), toks[5])

	c, srv := setup(t)
	pv, err := c.DryRun(msg(clicks["url"]), in...)
	require.NoError(t, err)
	assert.Empty(t, srv.Records(), "a dry run sends nothing")

	require.Len(t, pv.Requests, 2)
	for i, want := range [][]string{toks[:xiaomi.MaxTokens], toks[xiaomi.MaxTokens:]} {
		r := pv.Requests[i]
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, srv.URL()+xiaomi.SendPath, r.URL)
		assert.Equal(t, want, r.Tokens)
		assert.Equal(t, "key=<redacted>", r.Header.Get("Authorization"))
		assert.Equal(t, "application/x-www-form-urlencoded;charset=UTF-8", r.Header.Get("Content-Type"))
	}
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)

	// The same push, sent: the fake receives the bodies DryRun showed.
	res, err := c.Push(context.Background(), msg(clicks["url"]), in...)
	require.NoError(t, err)
	assert.Equal(t, len(in)-1, res.Delivered(), "every regId but the empty one (a duplicate gets its first copy's outcome)")
	assert.Len(t, srv.Delivered(), xiaomi.MaxTokens+1, "each distinct regId sent once")
	sends := srv.Sends()
	require.Len(t, sends, 2)
	for _, r := range pv.Requests {
		i := slices.IndexFunc(sends, func(s pushtest.Record) bool { return slices.Equal(s.Tokens, r.Tokens) })
		require.GreaterOrEqual(t, i, 0, "no send carries %v", r.Tokens)
		assert.Equal(t, string(sends[i].Body), string(r.Body))
		assert.Equal(t, "key="+secret, sends[i].Header.Get("Authorization"), "what the dry run masks")
		assert.NotContains(t, r.String(), secret)
		assert.NotContains(t, string(r.Body), secret)
		assert.NotContains(t, r.URL, secret)
		for _, vs := range r.Header {
			for _, v := range vs {
				assert.NotContains(t, v, secret)
			}
		}
	}
}

// The URL names the real host: China by default, the region's when
// configured.
func TestDryRunHost(t *testing.T) {
	for name, tt := range map[string]struct{ host, want string }{
		"china":  {"", xiaomi.HostChina},
		"europe": {xiaomi.HostEurope, xiaomi.HostEurope},
		"india":  {xiaomi.HostIndia, xiaomi.HostIndia},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := xiaomi.New(xiaomi.Config{AppSecret: secret, PackageName: pkg, ChannelID: "im", Host: tt.host})
			require.NoError(t, err)
			pv, err := c.DryRun(msg(clicks["app"]), "REGID1", "REGID2")
			require.NoError(t, err)
			require.Len(t, pv.Requests, 1)
			assert.Equal(t, tt.want+xiaomi.SendPath, pv.Requests[0].URL)
			assert.Equal(t, []string{"REGID1", "REGID2"}, pv.Requests[0].Tokens)
		})
	}
}

// DryRun refuses what Push refuses, with the same error, before anything;
// a regId Push refuses locally is Unsent.
func TestDryRunRefusesLikePush(t *testing.T) {
	c, srv := setup(t)
	bad := &push.OfflinePushInfo{Desc: "hi", Ext: strings.Repeat("x", xiaomi.MaxExtra+1)}
	_, derr := c.DryRun(bad, "REGID1")
	_, perr := c.Push(context.Background(), bad, "REGID1")
	require.ErrorIs(t, derr, push.ErrInvalidMessage)
	require.Error(t, perr)
	assert.Equal(t, perr.Error(), derr.Error())
	assert.Empty(t, srv.Records())

	pv, err := c.DryRun(msg(clicks["app"]), "REGID1", "a,b")
	require.NoError(t, err)
	require.Len(t, pv.Requests, 1)
	assert.Equal(t, []string{"REGID1"}, pv.Requests[0].Tokens)
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "a,b", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)
}

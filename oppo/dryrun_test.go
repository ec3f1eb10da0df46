package oppo_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/oppo"
)

// DryRun of a two-batch push (MaxTokens+1 regIds, an empty one and a
// duplicate) shows the requests Push sends, byte for byte but for the
// auth_token, and no secret.
func TestDryRun(t *testing.T) {
	toks := tokens("CN_", oppo.MaxTokens+1)
	in := append(append([]string{toks[0], ""}, toks...), toks[5])

	c, srv := setup(t, baseConfig())
	pv, err := c.DryRun(msg(), in...)
	require.NoError(t, err)
	assert.Zero(t, srv.Count(""), "a dry run sends nothing, not even the auth request")

	require.Len(t, pv.Requests, 2)
	want := []struct {
		path   string
		tokens []string
	}{{oppo.BatchPath, toks[:oppo.MaxTokens]}, {oppo.UnicastPath, toks[oppo.MaxTokens:]}}
	for i, w := range want {
		r := pv.Requests[i]
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, srv.URL()+w.path, r.URL)
		assert.Equal(t, w.tokens, r.Tokens)
		assert.Equal(t, []string{"<redacted>"}, r.Header["auth_token"]) // sent as spelled, not canonical
		assert.True(t, strings.HasPrefix(string(r.Body), "auth_token=<redacted>&"), "%.40s", r.Body)
	}
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)

	// The same push, sent: the fake receives the bodies DryRun showed.
	res, err := c.Push(context.Background(), msg(), in...)
	require.NoError(t, err)
	assert.Equal(t, len(in)-1, res.Delivered(), "every regId but the empty one (a duplicate gets its first copy's outcome)")
	assert.Len(t, srv.Delivered(), oppo.MaxTokens+1, "each distinct regId sent once")
	sends := srv.Sends()
	require.Len(t, sends, 2)
	for _, r := range pv.Requests {
		u, err := url.Parse(r.URL)
		require.NoError(t, err)
		var got []byte
		for _, s := range sends {
			if s.Path == u.Path {
				tok := s.Form.Get("auth_token")
				require.NotEmpty(t, tok)
				got = []byte(strings.Replace(string(s.Body), "auth_token="+url.QueryEscape(tok), "auth_token=<redacted>", 1))
				for _, p := range pv.Requests {
					assert.NotContains(t, p.String(), tok, "the auth token")
					assert.NotContains(t, string(p.Body), tok, "the auth token")
				}
			}
		}
		assert.Equal(t, string(got), string(r.Body), u.Path)
		assert.NotContains(t, r.String(), masterSecret)
		assert.NotContains(t, string(r.Body), masterSecret)
	}
}

// The URL names the real host: China by default, the overseas host when
// configured.
func TestDryRunHost(t *testing.T) {
	for name, tt := range map[string]struct{ host, want string }{
		"china":    {"", oppo.HostChina},
		"overseas": {oppo.HostOverseas, oppo.HostOverseas},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Host = tt.host
			c, err := oppo.New(cfg)
			require.NoError(t, err)
			pv, err := c.DryRun(msg(), "CN_a", "CN_b")
			require.NoError(t, err)
			require.Len(t, pv.Requests, 1)
			assert.Equal(t, tt.want+oppo.BatchPath, pv.Requests[0].URL)
			pv, err = c.DryRun(msg(), "CN_a")
			require.NoError(t, err)
			require.Len(t, pv.Requests, 1)
			assert.Equal(t, tt.want+oppo.UnicastPath, pv.Requests[0].URL)
		})
	}
}

// DryRun refuses what Push refuses, with the same error, before anything.
func TestDryRunRefusesLikePush(t *testing.T) {
	c, srv := setup(t, baseConfig())
	bad := &push.OfflinePushInfo{Desc: "hi", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/" + strings.Repeat("x", oppo.MaxClickTarget)}}
	_, derr := c.DryRun(bad, "CN_a")
	_, perr := c.Push(context.Background(), bad, "CN_a")
	require.ErrorIs(t, derr, push.ErrInvalidMessage)
	assert.Equal(t, perr.Error(), derr.Error())
	assert.Zero(t, srv.Count(""))
}

package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
)

// TestMisconfiguredApp: a certificate set up wrong at the vendor (the fake's
// SetMisconfigured: a wrong package name, project, environment or topic)
// makes the vendor call every live token invalid. At most a handful of
// them may be reported ErrInvalidToken, whether the 200 tokens go in one
// Push or in 200; the rest are ErrAuth naming the likely misconfiguration.
// With the guard off every verdict is reported as the vendor gave it.
func TestMisconfiguredApp(t *testing.T) {
	const live, maxDead = 200, 20
	tokens := func(v *vendorCase) []string {
		out := make([]string, live)
		for i := range out {
			out[i] = v.token(i)
		}
		return out
	}
	count := func(t *testing.T, outs []push.Outcome) (dead, auth int) {
		for _, o := range outs {
			require.Error(t, o.Err, "token %s accepted by a misconfigured app", o.Token)
			c := classOf(o.Err)
			require.False(t, c == "none" || strings.HasPrefix(c, "several"), "%v: %s", o.Err, c)
			switch {
			case errors.Is(o.Err, push.ErrInvalidToken):
				dead++
			case errors.Is(o.Err, push.ErrAuth):
				auth++
				assert.Contains(t, o.Err.Error(), "likely a misconfiguration")
			}
		}
		return dead, auth
	}
	for _, v := range vendors {
		t.Run(string(v.name), func(t *testing.T) {
			info := info()
			t.Run("one Push", func(t *testing.T) {
				e := v.start(t)
				e.srv.SetMisconfigured(true)
				p, err := e.build(push.WithHTTPClient(e.hc), push.WithEndpoint(e.srv.URL()), push.WithRetry(push.NoRetry()))
				require.NoError(t, err)
				res, err := p.Push(context.Background(), info, tokens(v)...)
				require.NoError(t, err)
				require.Len(t, res.Outcomes, live)
				dead, auth := count(t, res.Outcomes)
				t.Logf("%s, one Push of %d live tokens: %d reported dead, %d ErrAuth", v.name, live, dead, auth)
				assert.LessOrEqual(t, dead, maxDead)
				assert.Equal(t, live, dead+auth, "every outcome is a verdict or the misconfiguration")
			})
			t.Run("200 single pushes", func(t *testing.T) {
				e := v.start(t)
				e.srv.SetMisconfigured(true)
				p, err := e.build(push.WithHTTPClient(e.hc), push.WithEndpoint(e.srv.URL()), push.WithRetry(push.NoRetry()))
				require.NoError(t, err)
				var outs []push.Outcome
				for _, tok := range tokens(v) {
					res, err := p.Push(context.Background(), info, tok)
					require.NoError(t, err)
					outs = append(outs, res.Outcomes...)
				}
				dead, auth := count(t, outs)
				t.Logf("%s, %d single-token Pushes: %d reported dead, %d ErrAuth", v.name, live, dead, auth)
				assert.LessOrEqual(t, dead, maxDead)
				assert.Equal(t, live, dead+auth)
			})
			t.Run("guard off", func(t *testing.T) {
				e := v.start(t)
				e.srv.SetMisconfigured(true)
				p, err := e.build(push.WithHTTPClient(e.hc), push.WithEndpoint(e.srv.URL()), push.WithRetry(push.NoRetry()), push.WithMisconfigGuard(0))
				require.NoError(t, err)
				res, err := p.Push(context.Background(), info, tokens(v)[:30]...)
				require.NoError(t, err)
				dead, _ := count(t, res.Outcomes)
				want := 30
				if v.misconfigNoVerdict {
					want = 0 // the vendor's own answer keeps the tokens
				}
				assert.Equal(t, want, dead, "with the guard off the vendor's verdict stands")
			})
		})
	}
}

// TestMalformedTokensNotSent: a token that is not valid UTF-8 would be
// altered on its way into a JSON body ("\xff\xfe" sent as "��"), and an
// empty one means nothing; every vendor refuses both locally, without a
// request, and still delivers to the good token beside them.
func TestMalformedTokensNotSent(t *testing.T) {
	for _, v := range vendors {
		t.Run(string(v.name), func(t *testing.T) {
			e := v.start(t)
			p, err := e.build(push.WithHTTPClient(e.hc), push.WithEndpoint(e.srv.URL()))
			require.NoError(t, err)
			good := v.token(1)
			res, err := p.Push(context.Background(), info(), good, "\xff\xfe", "")
			require.NoError(t, err)
			require.Len(t, res.Outcomes, 3)
			assert.NoError(t, res.Outcomes[0].Err)
			for _, o := range res.Outcomes[1:] {
				require.ErrorIs(t, o.Err, push.ErrInvalidToken, "%q", o.Token)
				assert.Contains(t, o.Err.Error(), "not sent")
			}
			for _, r := range e.srv.Sends() {
				for _, tok := range r.Tokens {
					assert.Equal(t, good, tok, "only the good token reaches the vendor")
				}
			}
		})
	}
}

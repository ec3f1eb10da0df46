package conformance

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/fuzzkit"
	"github.com/offlinepush/push/internal/httpdump"
	"github.com/offlinepush/push/pushtest"
)

// dryRunner builds v's client on e as a push.DryRunner.
func dryRunner(t testing.TB, e *env) (push.Pusher, push.DryRunner) {
	t.Helper()
	p := e.client(t, push.WithRetry(push.NoRetry()))
	dr, ok := p.(push.DryRunner)
	require.True(t, ok, "%T is not a push.DryRunner", p)
	return p, dr
}

// TestDryRunIsWhatPushSends: for every vendor, the requests DryRun shows
// are the requests Push sends — the same method, host and path, the same
// headers and byte for byte the same body, a credential aside (masked in
// the preview) — one per batch, with the tokens each carries; and tokens
// refused before any request are Unsent in both.
func TestDryRunIsWhatPushSends(t *testing.T) {
	for _, v := range vendors {
		t.Run(string(v.name), func(t *testing.T) {
			e := v.start(t)
			p, dr := dryRunner(t, e)
			tokens := make([]string, 0, v.batch+3)
			for i := range v.batch + 1 {
				tokens = append(tokens, v.token(i))
			}
			tokens = append(tokens, "", v.token(0)) // an empty token, a duplicate
			// ID and CollapseID fixed: derived keys, not random ones.
			info := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"conv":"c2c_alice"}`,
				ID: "msg-1", CollapseID: "c2c_alice", TTL: time.Hour}

			pv, err := dr.DryRun(info, tokens...)
			require.NoError(t, err)
			require.Len(t, pv.Unsent, 1)
			assert.Equal(t, "", pv.Unsent[0].Token)
			assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)
			carried := map[string]int{}
			for _, r := range pv.Requests {
				for _, tok := range r.Tokens {
					carried[tok]++
				}
			}
			for _, tok := range tokens[:v.batch+1] {
				assert.Equal(t, 1, carried[tok], "token %q is carried once", tok)
			}
			assert.Empty(t, e.srv.Records(), "DryRun sent nothing")
			checkNoSecrets(t, e, pv)

			res, err := p.Push(context.Background(), info, tokens...)
			require.NoError(t, err)
			require.Len(t, res.Outcomes, len(tokens))
			requireSameRequests(t, e.srv, pv)
		})
	}
}

// checkNoSecrets: no credential of e appears anywhere in the preview.
func checkNoSecrets(t testing.TB, e *env, pv *push.Preview) {
	t.Helper()
	for _, r := range pv.Requests {
		s := r.String() + string(r.Body)
		for name, sec := range e.secrets {
			for _, line := range strings.Split(sec, "\n") {
				if len(line) >= 12 && strings.Contains(s, line) {
					t.Fatalf("the preview shows %s:\n%s", name, s)
				}
			}
		}
	}
}

// requireSameRequests matches every previewed request to a distinct
// request the fake received since its last reset, and every send the
// fake received to a previewed request.
func requireSameRequests(t testing.TB, srv *pushtest.Server, pv *push.Preview) {
	t.Helper()
	recs := srv.Records()
	used := make([]bool, len(recs))
	host, err := url.Parse(srv.URL())
	require.NoError(t, err)
	for _, r := range pv.Requests {
		u, err := url.Parse(r.URL)
		require.NoError(t, err)
		assert.Equal(t, host.Host, u.Host, "the preview's URL has the endpoint's host")
		body := bodyPattern(r.Body)
		found := -1
		for i, rec := range recs {
			if !used[i] && rec.Method == r.Method && rec.Path == u.Path && body.Match(rec.Body) {
				found = i
				break
			}
		}
		if found < 0 {
			var got []string
			for _, rec := range recs {
				got = append(got, rec.Dump())
			}
			t.Fatalf("no request received matches the preview\n%s\nreceived:\n%s", r, strings.Join(got, "\n---\n"))
		}
		used[found] = true
		rec := recs[found]
		for k, vs := range r.Header {
			switch {
			case httpdump.Credential(k):
				assert.NotEmpty(t, rec.Header.Get(k), "credential header %s is sent", k)
			case strings.Contains(strings.ToLower(k), "expiration") || strings.EqualFold(k, "timestamp"):
				// now + TTL (APNs), now (Honor): the two calls run at other times
				assert.NotEmpty(t, rec.Header.Get(k), k)
			default:
				assert.Equal(t, vs, rec.Header.Values(k), "header %s", k)
			}
		}
	}
	sends := 0
	for _, rec := range srv.Sends() {
		_ = rec
		sends++
	}
	matched := 0
	for i := range recs {
		if used[i] {
			matched++
		}
	}
	assert.GreaterOrEqual(t, matched, sends, "every send the fake received was previewed")
}

// bodyPattern matches a body equal to b where b shows "<redacted>" (raw,
// form- or JSON-escaped) for a credential, or a placeholder such as vivo's
// "<taskId from saveListPayload>" for what an earlier answer gives.
var maskForms = regexp.MustCompile(regexp.QuoteMeta(httpdump.Masked) + `|%3Credacted%3E|\\u003credacted\\u003e|<[A-Za-z][A-Za-z ]*>`)

func bodyPattern(b []byte) *regexp.Regexp {
	parts := maskForms.Split(string(b), -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`\A` + strings.Join(parts, `[^&"]+`) + `\z`)
}

// FuzzMapping is every vendor's mapping fuzz target, one table over
// DryRun: whatever OfflinePushInfo comes in, DryRun and Push either both
// refuse it with the same ErrInvalidMessage (or ErrConfig), or the fake —
// which checks bodies the way the vendor does — accepts it for every
// token, and (when the message's derived ids are fixed, so not random)
// received exactly the previewed requests.
func FuzzMapping(f *testing.F) {
	fuzzkit.AddMappingSeeds(f)
	type target struct {
		v      *vendorCase
		e      *env
		p      push.Pusher
		dr     push.DryRunner
		tokens []string
	}
	var targets []target
	for _, v := range vendors {
		e := v.start(f)
		p, dr := dryRunner(f, e)
		targets = append(targets, target{v, e, p, dr, []string{v.token(1), v.token(2)}})
	}
	f.Fuzz(func(t *testing.T, title, desc, ext, sound string, kind int, u, intent, activity string, ttl int64, badge int, collapse, id string) {
		info := fuzzkit.Info(title, desc, ext, sound, kind, u, intent, activity, ttl, badge, collapse, id)
		for _, tg := range targets {
			tg.e.reset()
			pv, derr := tg.dr.DryRun(info, tg.tokens...)
			res, err := tg.p.Push(context.Background(), info, tg.tokens...)
			if (derr == nil) != (err == nil) || derr != nil && derr.Error() != err.Error() {
				t.Fatalf("%s: DryRun error %v, Push error %v", tg.v.name, derr, err)
			}
			if err != nil {
				fuzzkit.RequireBuildError(t, err, info)
				continue
			}
			fuzzkit.RequireAccepted(t, tg.e.srv, info, tg.tokens, res)
			checkNoSecrets(t, tg.e, pv)
			if info.ID != "" && info.CollapseID != "" && !errors.Is(err, push.ErrInvalidMessage) {
				requireSameRequests(t, tg.e.srv, pv)
			}
		}
	})
}

package batch

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
)

func dead(tok string) *push.VendorError {
	return &push.VendorError{Vendor: "v", Code: "410", Message: "Unregistered " + tok, Kind: push.ErrInvalidToken}
}

func countClasses(res *push.Result) (ok, invalid, auth int) {
	for _, o := range res.Outcomes {
		switch {
		case o.Err == nil:
			ok++
		case errors.Is(o.Err, push.ErrInvalidToken):
			invalid++
		case errors.Is(o.Err, push.ErrAuth):
			auth++
		}
	}
	return
}

func tokensN(n int) []string {
	t := make([]string, n)
	for i := range t {
		t[i] = fmt.Sprintf("tok-%04d", i)
	}
	return t
}

func TestGuardRunOfSingleVerdicts(t *testing.T) {
	// A misconfigured client: the vendor calls every token of every
	// single-token request invalid. Only the first 10 are believed.
	g := NewGuard("v", 10, "Config.Topic")
	send := func(_ context.Context, ts []string) []push.Outcome { return All(ts, "", dead(ts[0])) }
	total := 0
	for i := range 200 {
		res := Run(context.Background(), "v", []string{fmt.Sprintf("t%d", i)}, 1, 1, g, send)
		_, inv, auth := countClasses(res)
		total += inv
		if i >= 10 {
			require.Equal(t, 1, auth, "call %d", i)
			assert.ErrorContains(t, res.Outcomes[0].Err, "likely a misconfiguration")
			assert.ErrorContains(t, res.Outcomes[0].Err, "check Config.Topic")
			assert.NotErrorIs(t, res.Outcomes[0].Err, push.ErrInvalidToken, "exactly one class")
			var ve *push.VendorError
			require.ErrorAs(t, res.Outcomes[0].Err, &ve)
			assert.Equal(t, "410", ve.Code, "the vendor's code is kept")
		}
	}
	assert.Equal(t, 10, total)
}

func TestGuardOneCallManyTokens(t *testing.T) {
	// 200 tokens, one request each, concurrently, every one "invalid".
	g := NewGuard("v", 10, "Config.Topic")
	send := func(_ context.Context, ts []string) []push.Outcome { return All(ts, "", dead(ts[0])) }
	res := Run(context.Background(), "v", tokensN(200), 1, 16, g, send)
	_, inv, auth := countClasses(res)
	assert.LessOrEqual(t, inv, 10)
	assert.Equal(t, 200, inv+auth)
}

func TestGuardGenuineMix(t *testing.T) {
	// 5 % dead among 1,000 live tokens, one request each: every dead one is
	// reported, no live one.
	g := NewGuard("v", 10, "x")
	toks := tokensN(1000)
	isDead := func(tok string) bool { var n int; fmt.Sscanf(tok, "tok-%d", &n); return n%20 == 7 }
	send := func(_ context.Context, ts []string) []push.Outcome {
		if isDead(ts[0]) {
			return All(ts, "", dead(ts[0]))
		}
		return All(ts, "id", nil)
	}
	res := Run(context.Background(), "v", toks, 1, 8, g, send)
	ok, inv, auth := countClasses(res)
	assert.Equal(t, 950, ok)
	assert.Equal(t, 50, inv)
	assert.Zero(t, auth)
	for _, tok := range res.InvalidTokens() {
		assert.True(t, isDead(tok), tok)
	}

	// The same mix as batch answers listing the dead ones.
	res = Run(context.Background(), "v", toks, 100, 4, g, func(_ context.Context, ts []string) []push.Outcome {
		out := All(ts, "id", nil)
		for i, tok := range ts {
			if isDead(tok) {
				out[i].Err = dead(tok)
			}
		}
		return out
	})
	assert.Equal(t, 50, len(res.InvalidTokens()))
}

func TestGuardResetByAcceptance(t *testing.T) {
	g := NewGuard("v", 3, "x")
	deadSend := func(_ context.Context, ts []string) []push.Outcome { return All(ts, "", dead(ts[0])) }
	okSend := func(_ context.Context, ts []string) []push.Outcome { return All(ts, "id", nil) }
	for range 3 {
		Run(context.Background(), "v", []string{"a"}, 1, 1, g, deadSend)
	}
	_, _, auth := countClasses(Run(context.Background(), "v", []string{"b"}, 1, 1, g, deadSend))
	assert.Equal(t, 1, auth, "the 4th in a row trips the guard")
	Run(context.Background(), "v", []string{"c"}, 1, 1, g, okSend)
	_, inv, _ := countClasses(Run(context.Background(), "v", []string{"d"}, 1, 1, g, deadSend))
	assert.Equal(t, 1, inv, "an accepted token resets the run")
}

func TestAllInvalid(t *testing.T) {
	unnamedSend := func(calls *atomic.Int32, deadSet map[string]bool) Send {
		return func(_ context.Context, ts []string) []push.Outcome {
			calls.Add(1)
			if len(ts) > 1 || deadSet[ts[0]] {
				return AllInvalid(ts, &push.VendorError{Vendor: "v", Code: "80300007", Message: "All the tokens are invalid.", Kind: push.ErrInvalidToken})
			}
			return All(ts, "id", nil)
		}
	}
	t.Run("one token: the verdict stands", func(t *testing.T) {
		var calls atomic.Int32
		res := Run(context.Background(), "v", []string{"a"}, 100, 1, NewGuard("v", 10, "x"), unnamedSend(&calls, map[string]bool{"a": true}))
		assert.Equal(t, []string{"a"}, res.InvalidTokens())
		var u *unnamed
		assert.False(t, errors.As(res.Outcomes[0].Err, &u), "the marker does not leak to the caller")
		assert.EqualValues(t, 1, calls.Load())
	})
	t.Run("small batch: each token re-sent alone", func(t *testing.T) {
		var calls atomic.Int32
		res := Run(context.Background(), "v", []string{"a", "b", "c"}, 100, 1, NewGuard("v", 10, "x"), unnamedSend(&calls, map[string]bool{"b": true}))
		assert.Equal(t, []string{"b"}, res.InvalidTokens())
		assert.Equal(t, 2, res.Delivered())
		assert.EqualValues(t, 4, calls.Load())
	})
	t.Run("large batch: a misconfiguration, nothing re-sent", func(t *testing.T) {
		var calls atomic.Int32
		res := Run(context.Background(), "v", tokensN(200), 1000, 1, NewGuard("v", 10, "the project id"), unnamedSend(&calls, nil))
		_, inv, auth := countClasses(res)
		assert.Zero(t, inv)
		assert.Equal(t, 200, auth)
		assert.ErrorContains(t, res.Outcomes[0].Err, "check the project id")
		assert.EqualValues(t, 1, calls.Load())
	})
	t.Run("guard off: as the vendor said", func(t *testing.T) {
		var calls atomic.Int32
		res := Run(context.Background(), "v", tokensN(20), 1000, 1, nil, unnamedSend(&calls, nil))
		assert.Len(t, res.InvalidTokens(), 20)
		assert.EqualValues(t, 1, calls.Load())
	})
}

func TestInvalidUTF8TokenNotSent(t *testing.T) {
	var sent []string
	res := Run(context.Background(), "v", []string{"ok", "\xff\xfe"}, 10, 1, nil, func(_ context.Context, ts []string) []push.Outcome {
		sent = append(sent, ts...)
		return All(ts, "", nil)
	})
	assert.Equal(t, []string{"ok"}, sent)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	assert.ErrorContains(t, res.Outcomes[1].Err, "not valid UTF-8")
}

package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/offlinepush/push"
)

// A dead-token verdict is the costliest mistake a push library can make:
// the caller deletes the token and its user silently gets nothing until the
// app re-registers. Vendors answer "every token is invalid" for app-level
// faults too (a wrong APNs environment or topic, a wrong HarmonyOS project
// id, a wrong Xiaomi package name), so this file holds the two rules every
// client applies to its verdicts:
//
//   - an answer that calls every token of a request invalid without naming
//     them (AllInvalid) proves nothing about any one token of a batch: a
//     small batch is re-sent one token at a time (nothing was delivered, so
//     nothing is shown twice), a large one is a likely misconfiguration;
//   - a run of more dead verdicts than the Guard's limit, with no token
//     accepted in between, is a likely misconfiguration: further verdicts
//     become ErrAuth naming what to check, and the tokens are kept.

// Guard watches one client's dead-token verdicts (see the rules above).
// A nil *Guard is off: verdicts are reported as the vendor gave them.
type Guard struct {
	vendor push.Vendor
	limit  int
	hint   string
	streak atomic.Int64 // dead verdicts since the last accepted token
}

// NewGuard returns the guard of a client of vendor v, tripping after limit
// dead verdicts in a row (push.WithMisconfigGuard; <= 0 is off, nil).
// hint names what a misconfigured client should check, e.g.
// "Config.Sandbox and Config.Topic".
func NewGuard(v push.Vendor, limit int, hint string) *Guard {
	if limit <= 0 {
		return nil
	}
	return &Guard{vendor: v, limit: limit, hint: hint}
}

// unnamed marks the outcomes of an answer that declared every token of its
// request invalid without naming one. It unwraps to the vendor's error, so
// it still matches exactly one class.
type unnamed struct{ *push.VendorError }

func (u *unnamed) Unwrap() error { return u.VendorError }

// AllInvalid returns the outcomes of an answer that calls every token of the
// request invalid without naming any (Huawei and HarmonyOS 80300007, Xiaomi
// 20301, …): err, whose Kind is push.ErrInvalidToken, for each token. Run
// treats it as proof only for a request of one token; see Guard.
func AllInvalid(tokens []string, err *push.VendorError) []push.Outcome {
	return All(tokens, "", &unnamed{err})
}

// settle replaces the outcomes of an unnamed all-invalid answer: the
// vendor's verdict for a single token; for a batch, each token's own answer
// (re-sent alone) when the batch is small, else a misconfiguration.
func (g *Guard) settle(ctx context.Context, tokens []string, out []push.Outcome, send Send) {
	u, ok := unnamedOf(out)
	if !ok {
		return
	}
	switch {
	case len(tokens) == 1 || g == nil:
		Fill(out, tokens, "", u.VendorError)
		g.judge(out)
	case len(tokens) > g.limit:
		Fill(out, tokens, "", g.misconfig(u.VendorError, len(tokens)))
	default:
		var wg sync.WaitGroup
		for i := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				one := tokens[i : i+1]
				if err := ctx.Err(); err != nil {
					out[i] = push.Outcome{Token: one[0], Err: fmt.Errorf("%s: %w", g.vendor, err)}
					return
				}
				got := send(ctx, one)
				if len(got) != 1 {
					out[i] = push.Outcome{Token: one[0], Err: &push.VendorError{Vendor: g.vendor, Kind: push.ErrUnavailable,
						Message: fmt.Sprintf("internal: %d outcomes for 1 token", len(got))}}
					return
				}
				if u, ok := unnamedOf(got); ok {
					got[0].Err = u.VendorError
				}
				g.judge(got)
				out[i] = got[0]
			}()
		}
		wg.Wait()
	}
}

func unnamedOf(out []push.Outcome) (*unnamed, bool) {
	if len(out) == 0 {
		return nil, false
	}
	var u *unnamed
	ok := errors.As(out[0].Err, &u)
	return u, ok
}

// judge applies the run rule to one answer's outcomes.
func (g *Guard) judge(out []push.Outcome) {
	if g == nil {
		return
	}
	dead := 0
	for _, o := range out {
		switch {
		case o.Err == nil:
			// The vendor accepted a token: the client is set up right, and
			// the dead verdicts beside it are real.
			g.streak.Store(0)
			return
		case errors.Is(o.Err, push.ErrInvalidToken):
			dead++
		}
	}
	if dead == 0 {
		return
	}
	run := g.streak.Add(int64(dead))
	if run <= int64(g.limit) && dead <= g.limit {
		return
	}
	for i, o := range out {
		var ve *push.VendorError
		if errors.Is(o.Err, push.ErrInvalidToken) && errors.As(o.Err, &ve) {
			out[i].Err = g.misconfig(ve, int(run))
		}
	}
}

// misconfig restates a dead verdict that the rules do not trust as ErrAuth.
func (g *Guard) misconfig(ve *push.VendorError, run int) error {
	msg := fmt.Sprintf("%d tokens in a row reported invalid with none accepted: likely a misconfiguration, not dead tokens (check %s); token kept", run, g.hint)
	if ve.Message != "" {
		msg = ve.Message + "; " + msg
	}
	return &push.VendorError{Vendor: ve.Vendor, HTTPStatus: ve.HTTPStatus, Code: ve.Code, Message: msg,
		RetryAfter: ve.RetryAfter, Kind: push.ErrAuth}
}

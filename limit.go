package push

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/offlinepush/push/internal/secret"
)

// Limits are per-certificate sending policies.
type Limits struct {
	// Rate bounds the tokens per second pushed through the certificate, so a
	// burst of offline users does not trip the vendor's QPS limit. 0 means
	// no bound.
	Rate float64
	// Burst is how many tokens may go at once; 0 means Rate (at least 1).
	// A Push is split into chunks of at most Burst tokens.
	Burst int
	// QuotaBreaker stops sending after the vendor says the certificate's
	// daily quota is used up: every push fails fast with ErrQuota, with no
	// request, until QuotaReset.
	QuotaBreaker bool
	// QuotaReset returns when a quota used up at now is restored; nil means
	// NextMidnightChina (the Chinese vendors reset at 00:00 China time).
	QuotaReset func(now time.Time) time.Time
	// Breaker shares the breaker with the rest of the fleet; nil keeps it
	// in this process.
	Breaker BreakerStore
	// BreakerRecheck is how long an answer from Breaker is trusted, so a
	// push does not cost a store round trip every time, and a breaker
	// deleted from the store reopens every instance soon after. 0 means
	// DefaultBreakerRecheck.
	BreakerRecheck time.Duration
}

var chinaTime = time.FixedZone("CST", 8*3600)

// NextMidnightChina returns the next 00:00 in China (UTC+8) after now.
func NextMidnightChina(now time.Time) time.Time {
	t := now.In(chinaTime)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, chinaTime)
}

// Limit wraps p with rate limiting and the quota breaker of l. The Router
// does this for certificates given limits with SetLimits, and keys a shared
// Breaker by certificate ID; Limit alone has no certificate ID, so its
// Breaker key is the vendor's alone ("quota/<vendor>/"): pushers of one
// vendor that must trip apart need Breakers of their own (another prefix)
// or a Router.
func Limit(p Pusher, l Limits) Pusher { return newLimited(p, l, "") }

// newLimited is Limit with the breaker keyed by certificateID.
func newLimited(p Pusher, l Limits, certificateID string) *limited {
	lp := &limited{p: p, l: l, cert: certificateID}
	if l.Rate > 0 {
		burst := l.Burst
		if burst <= 0 {
			burst = max(1, int(l.Rate))
		}
		lp.lim = rate.NewLimiter(rate.Limit(l.Rate), burst)
	}
	if l.QuotaReset == nil {
		lp.l.QuotaReset = NextMidnightChina
	}
	return lp
}

type limited struct {
	p    Pusher
	l    Limits
	cert string // keys the breaker in l.Breaker; empty for Limit
	lim  *rate.Limiter

	mu      sync.Mutex
	until   time.Time // this process's breaker, when the fleet's store did not take it: open until then
	fleet   time.Time // the fleet's breaker as last read (zero: closed)
	checked time.Time // when the fleet's breaker was last read
}

// DefaultBreakerRecheck is Limits.BreakerRecheck when it is not set.
const DefaultBreakerRecheck = time.Second

func (lp *limited) Vendor() Vendor { return lp.p.Vendor() }

// String names the vendor and the limits, never the wrapped client's
// fields (they hold its credentials); Format keeps every verb on it.
func (lp *limited) String() string {
	return fmt.Sprintf("push.Limit{Vendor:%s Certificate:%q Rate:%g QuotaBreaker:%t}", lp.p.Vendor(), lp.cert, lp.l.Rate, lp.l.QuotaBreaker)
}

func (lp *limited) Format(f fmt.State, verb rune) { secret.Format(f, verb, lp.String()) }

func (lp *limited) breakerKey() string { return "quota/" + string(lp.p.Vendor()) + "/" + lp.cert }

// open returns until when the breaker is open (zero: closed).
func (lp *limited) open(ctx context.Context) time.Time {
	if !lp.l.QuotaBreaker {
		return time.Time{}
	}
	now := time.Now()
	lp.mu.Lock()
	recheck := lp.l.BreakerRecheck
	if recheck <= 0 {
		recheck = DefaultBreakerRecheck
	}
	own, u, fresh := lp.until, lp.fleet, now.Sub(lp.checked) < recheck
	lp.mu.Unlock()
	if own.After(now) {
		return own
	}
	if lp.l.Breaker == nil {
		return time.Time{}
	}
	if !fresh {
		got, err := lp.l.Breaker.Tripped(ctx, lp.breakerKey())
		if err == nil { // else the store is down: the last answer stands, the pushes go on if it was closed
			u = got
			if reset := lp.l.QuotaReset(now); u.After(reset) {
				// no quota is used up past its reset: not a time Trip wrote
				// (a foreign value, a clock far off); repair it for the fleet
				u = reset
				_ = lp.l.Breaker.Trip(ctx, lp.breakerKey(), reset)
			}
		}
		lp.mu.Lock()
		lp.fleet, lp.checked = u, now
		lp.mu.Unlock()
	}
	if u.After(now) {
		return u
	}
	return time.Time{}
}

func (lp *limited) trip(ctx context.Context) {
	now := time.Now()
	until := lp.l.QuotaReset(now)
	lp.mu.Lock()
	lp.fleet, lp.checked = until, now // what the store will say: deleting it there reopens this process too
	lp.mu.Unlock()
	if lp.l.Breaker == nil || lp.l.Breaker.Trip(ctx, lp.breakerKey(), until) != nil {
		lp.mu.Lock() // no store, or it failed: this process stops either way
		lp.until = until
		lp.mu.Unlock()
	}
}

// Push applies the breaker and the rate, then pushes.
func (lp *limited) Push(ctx context.Context, info *OfflinePushInfo, tokens ...string) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		return lp.p.Push(ctx, info)
	}
	res := &Result{Outcomes: make([]Outcome, 0, len(tokens))}
	chunk := len(tokens)
	if lp.lim != nil {
		chunk = lp.lim.Burst()
	}
	for lo := 0; lo < len(tokens); lo += chunk {
		part := tokens[lo:min(lo+chunk, len(tokens))]
		if until := lp.open(ctx); !until.IsZero() {
			res.Outcomes = appendAll(res.Outcomes, tokens[lo:], &VendorError{Vendor: lp.Vendor(), Kind: ErrQuota,
				Message: fmt.Sprintf("quota breaker open until %s (not sent)", until.Format(time.RFC3339))})
			return res, nil
		}
		if lp.lim != nil {
			if err := lp.lim.WaitN(ctx, len(part)); err != nil {
				if lo == 0 && ctx.Err() != nil {
					return nil, ctx.Err()
				}
				// not sent: the caller's deadline ends before the rate allows it
				res.Outcomes = appendAll(res.Outcomes, tokens[lo:], &VendorError{Vendor: lp.Vendor(), Kind: ErrRateLimited,
					Message: "the certificate's send rate does not allow it before the deadline (not sent)", Cause: ctxErr(ctx, err)})
				return res, nil
			}
		}
		out, err := lp.p.Push(ctx, info, part...)
		if err != nil {
			if lo == 0 {
				return nil, err
			}
			res.Outcomes = appendAll(res.Outcomes, tokens[lo:], err)
			return res, nil
		}
		res.Outcomes = append(res.Outcomes, out.Outcomes...)
		if lp.l.QuotaBreaker && allQuota(out) {
			lp.trip(ctx)
		}
	}
	return res, nil
}

func ctxErr(ctx context.Context, err error) error {
	if e := ctx.Err(); e != nil {
		return e
	}
	return err
}

// allQuota reports a push the vendor refused whole for quota: an app-level
// quota, not one device's.
func allQuota(r *Result) bool {
	if r == nil || len(r.Outcomes) == 0 {
		return false
	}
	for _, o := range r.Outcomes {
		if !errors.Is(o.Err, ErrQuota) {
			return false
		}
	}
	return true
}

func appendAll(out []Outcome, tokens []string, err error) []Outcome {
	for _, t := range tokens {
		out = append(out, Outcome{Token: t, Err: err})
	}
	return out
}

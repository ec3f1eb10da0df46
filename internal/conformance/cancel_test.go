package conformance

import (
	"context"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
)

// cancelBound is how soon Push must return once its ctx is cancelled.
const cancelBound = 100 * time.Millisecond

func numGoroutine() int { return runtime.NumGoroutine() }

func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// quiet closes the client's idle connections, collects garbage, and waits
// until the goroutine count stops falling, and returns it.
func quiet(e *env) int {
	e.hc.CloseIdleConnections()
	runtime.GC() // not in the measured window
	n, same := numGoroutine(), 0
	for i := 0; i < 100 && same < 5; i++ {
		time.Sleep(10 * time.Millisecond)
		m := numGoroutine()
		if m == n {
			same++
		} else {
			same = 0
		}
		n = m
	}
	return n
}

// cancelled pushes with a ctx it cancels once ready() says the requests
// are where the cell wants them, and checks that Push returns within
// cancelBound, with every token's outcome context.Canceled, and that no
// goroutine is left once the idle connections are closed.
func cancelled(t *testing.T, v *vendorCase, e *env, p push.Pusher, ready func(pushed time.Time) bool) time.Duration {
	t.Helper()
	base := quiet(e)
	tokens := v.tokens(0, nTokens)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		res *push.Result
		err error
		at  time.Time // when Push returned
	}
	done := make(chan result, 1)
	pushed := time.Now()
	go func() {
		res, err := p.Push(ctx, info(), tokens...)
		done <- result{res, err, time.Now()}
		e.observe(res, err)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !ready(pushed) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case r := <-done:
		t.Fatalf("Push returned before it was cancelled: %v %v", r.res, r.err)
	default:
	}
	at := time.Now()
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("Push did not return within 5s of the cancel")
	}
	d := r.at.Sub(at)
	t.Logf("Push returned %s after the cancel", d)
	if r.err != nil {
		t.Fatalf("Push: %v (the ctx was live when it started: want per-token outcomes)", r.err)
	}
	checkOutcomes(t, tokens, r.res, all(context.Canceled))
	// Idle keep-alive connections are the caller's to close, not a leak. An
	// HTTP/2 connection whose streams were reset is idle only once the
	// server has acknowledged them, so they are closed as they go idle.
	if got, stacks := settleGoroutines(base, 5*time.Second, e.hc.CloseIdleConnections); stacks != "" {
		t.Errorf("%d goroutines left behind (%d before the push):\n%s", got-base, base, stacks)
	}
	checkNoDuplicates(t, e.srv)
	return d
}

// cancelCell runs a cancellation scenario and asserts the cancelBound. The
// bound is about scheduling on a possibly loaded machine (the race detector,
// other processes), so a cell that misses it gets one more try on a fresh
// fake; a Push that really waits for the network misses it every time.
func cancelCell(setup func(t *testing.T, v *vendorCase, e *env) (push.Pusher, func(pushed time.Time) bool)) func(*testing.T, *vendorCase, *env) {
	return func(t *testing.T, v *vendorCase, e *env) {
		var took []time.Duration
		for try := 1; try <= 2; try++ {
			if try > 1 {
				e = v.start(t)
			}
			p, ready := setup(t, v, e)
			d := cancelled(t, v, e, p, ready)
			if d <= cancelBound {
				return
			}
			took = append(took, d)
		}
		t.Errorf("Push returned %v after the cancel, want within %s", took, cancelBound)
	}
}

// cancelInFlight: every send hangs (the answer is 10 s away); the caller
// cancels once every send request is on its way.
var cancelInFlight = cancelCell(func(t *testing.T, v *vendorCase, e *env) (push.Pusher, func(time.Time) bool) {
	var entered atomic.Int64
	hc := &http.Client{Transport: enterTransport{base: baseTransport(e.hc), n: &entered, skip: v.authPath}}
	p := e.client(t, push.WithHTTPClient(hc))
	warm := v.tokens(900000, 1)
	checkOutcomes(t, warm, e.push(t, p, warm), all(nil)) // token and connection ready
	e.srv.Inject(pushtest.Fault{Delay: 10 * time.Second, Times: -1})
	from := entered.Load()
	return p, func(pushed time.Time) bool {
		// every request handed to the HTTP transport, and a moment to be written
		return entered.Load()-from >= int64(v.chains(nTokens)) && time.Since(pushed) > 50*time.Millisecond
	}
})

// enterTransport counts the requests handed to it, but those to skip.
type enterTransport struct {
	base http.RoundTripper
	n    *atomic.Int64
	skip string
}

func (t enterTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.skip == "" || r.URL.Path != t.skip {
		t.n.Add(1)
	}
	return t.base.RoundTrip(r)
}

// cancelInBackoff: every send is answered 429 with Retry-After: 2 (within
// the cap, so the client waits); the caller cancels during the wait.
var cancelInBackoff = cancelCell(func(t *testing.T, v *vendorCase, e *env) (push.Pusher, func(time.Time) bool) {
	policy := fastRetry
	policy.MaxRetryAfter = 5 * time.Second
	p := e.client(t, push.WithRetry(policy))
	warm := v.tokens(900000, 1)
	checkOutcomes(t, warm, e.push(t, p, warm), all(nil))
	from := len(e.srv.Sends())
	e.srv.Inject(pushtest.Fault{Status: 429, RetryAfter: 2 * time.Second, Times: -1})
	return p, func(time.Time) bool { return len(sendsSince(e.srv, from)) >= v.chains(nTokens) }
})

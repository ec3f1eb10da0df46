package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
)

// fault is one column of the matrix: a way the vendor (or the way to it)
// fails, and what every client must do about it.
type fault struct {
	name string
	// skip returns why the cell does not apply to a vendor, or "".
	skip func(v *vendorCase) string
	// sequential cells count goroutines: they run alone, after the others.
	sequential bool
	run        func(t *testing.T, v *vendorCase, e *env)
}

// The matrix's faults. Every cell asserts: one outcome per token, in
// order; the expected class (errors.Is) on each failed outcome and exactly
// one class matched; the number of send requests and of attempts of each
// (never a retry of a permanent answer, MaxRetries+1 attempts of a
// temporary one, at least half the minimum backoff apart); and no token
// accepted twice by the fake. See each run function for the rest.
var faults = []fault{
	{name: "http500", run: persistentStatus(pushtest.Fault{Status: 500}, nil)},
	{name: "http502", run: persistentStatus(pushtest.Fault{Status: 502}, nil)},
	{name: "http503", run: persistentStatus(pushtest.Fault{Status: 503}, func(v *vendorCase) error { return v.http503 })},
	{name: "http503-once", run: recovers(pushtest.Fault{Status: 503})},
	{name: "http429", run: persistentStatus(pushtest.Fault{Status: 429}, func(*vendorCase) error { return push.ErrRateLimited })},
	{name: "http429-retry-after-1s", run: retryAfterHonoured},
	{name: "http429-retry-after-over-cap", run: retryAfterOverCap},
	{name: "busy-code", skip: why(func(v *vendorCase) codeFault { return v.busy }), run: persistentCode(func(v *vendorCase) codeFault { return v.busy })},
	{name: "busy-code-once", skip: why(func(v *vendorCase) codeFault { return v.busy }), run: func(t *testing.T, v *vendorCase, e *env) {
		recovers(v.busy.fault)(t, v, e)
	}},
	{name: "rate-limit-code", skip: why(func(v *vendorCase) codeFault { return v.rate }), run: persistentCode(func(v *vendorCase) codeFault { return v.rate })},
	{name: "reset-mid-response", run: droppedOnce(pushtest.Fault{Reset: true}, 0)},
	{name: "slower-than-timeout", run: droppedOnce(pushtest.Fault{Delay: 30 * time.Second}, 2*time.Second)},
	{name: "malformed-json", run: garbage(pushtest.Fault{Status: 200, Body: `{"code":0,"result":"ok","data":{"id":`, ContentType: "application/json"}, false)},
	{name: "html-error-page", run: garbage(pushtest.Fault{Status: 200, ContentType: "text/html; charset=utf-8",
		Body: "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"}, true)},
	{name: "html-error-page-502", run: persistentStatus(pushtest.Fault{Status: 502, ContentType: "text/html",
		Body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"}, nil)},
	{name: "empty-body", run: garbage(pushtest.Fault{Status: 200}, false)},
	{name: "answer-lost-after-processing", run: answerLost},
	{name: "auth-endpoint-down", skip: func(v *vendorCase) string { return v.noAuth }, run: authDown},
	{name: "token-expired-mid-batch", skip: func(v *vendorCase) string {
		if v.name == push.APNs {
			return ""
		}
		return v.noExpiry
	}, run: tokenExpired},
	{name: "quota-exhausted", skip: why(func(v *vendorCase) codeFault { return v.quota }), run: persistentCode(func(v *vendorCase) codeFault { return v.quota })},
	{name: "dead-tokens-every-batch", run: deadTokens},
	{name: "cancel-in-flight", sequential: true, run: cancelInFlight},
	{name: "cancel-in-backoff", sequential: true, run: cancelInBackoff},
}

func faultByName(name string) fault {
	for _, f := range faults {
		if f.name == name {
			return f
		}
	}
	panic("no fault " + name)
}

func why(code func(*vendorCase) codeFault) func(*vendorCase) string {
	return func(v *vendorCase) string { return code(v).why }
}

func (f fault) skipReason(v *vendorCase) string {
	if f.skip == nil {
		return ""
	}
	return f.skip(v)
}

// matrixSummary is the matrix's size and its skipped cells, grouped by reason.
func matrixSummary() string {
	cells, skipped := 0, 0
	reasons := map[string][]string{}
	for _, f := range faults {
		for _, v := range vendors {
			cells++
			if r := f.skipReason(v); r != "" {
				skipped++
				k := f.name + ": " + r
				reasons[k] = append(reasons[k], string(v.name))
			}
		}
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "fault matrix: %d vendors × %d faults = %d cells, %d skipped, %d run", len(vendors), len(faults), cells, skipped, cells-skipped)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  skipped %s [%s]", k, strings.Join(reasons[k], ", "))
	}
	for _, v := range vendors {
		if v.noExpiry != "" && faultByName("token-expired-mid-batch").skipReason(v) == "" {
			fmt.Fprintf(&b, "\n  note %s token-expired-mid-batch: %s", v.name, v.noExpiry)
		}
		for _, c := range []struct {
			cell string
			cf   codeFault
		}{{"busy-code", v.busy}, {"rate-limit-code", v.rate}, {"quota-exhausted", v.quota}} {
			if c.cf.note != "" {
				fmt.Fprintf(&b, "\n  note %s %s: %s", v.name, c.cell, c.cf.note)
			}
		}
	}
	return b.String()
}

func TestMain(m *testing.M) {
	fmt.Println(matrixSummary())
	os.Exit(m.Run())
}

// cellWorkers bounds how many cells run at once. Most cells wait on the
// network or on timers (Retry-After, timeouts), so the suites run their own
// pool rather than t.Parallel, which -parallel caps at GOMAXPROCS.
const cellWorkers = 6

// pool runs subtests concurrently, at most n at a time across every each.
type pool struct{ sem chan struct{} }

func newPool(n int) *pool { return &pool{sem: make(chan struct{}, n)} }

// each runs fn(i) for i < n as subtests of t named name(i), concurrently;
// only leaf work holds a slot (a subtest that itself calls each must not
// hold one, or nested pools could starve).
func (p *pool) each(t *testing.T, n int, name func(int) string, fn func(*testing.T, int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			t.Run(name(i), func(t *testing.T) { fn(t, i) })
		})
	}
	wg.Wait()
}

// slot runs fn holding one of the pool's slots.
func (p *pool) slot(fn func()) {
	p.sem <- struct{}{}
	defer func() { <-p.sem }()
	fn()
}

func TestFaultMatrix(t *testing.T) {
	t.Log(matrixSummary())
	run := func(t *testing.T, v *vendorCase, f fault) {
		if r := f.skipReason(v); r != "" {
			t.Skip(r)
		}
		f.run(t, v, v.start(t))
	}
	t.Run("faults", func(t *testing.T) {
		pool := newPool(cellWorkers)
		pool.each(t, len(vendors), func(i int) string { return string(vendors[i].name) }, func(t *testing.T, i int) {
			v := vendors[i]
			var cells []fault
			for _, f := range faults {
				if !f.sequential {
					cells = append(cells, f)
				}
			}
			pool.each(t, len(cells), func(j int) string { return cells[j].name }, func(t *testing.T, j int) {
				pool.slot(func() { run(t, v, cells[j]) })
			})
		})
	})
	// Goroutines are counted in these, so they run alone, one at a time.
	t.Run("cancel", func(t *testing.T) {
		for _, v := range vendors {
			t.Run(string(v.name), func(t *testing.T) {
				for _, f := range faults {
					if f.sequential {
						t.Run(f.name, func(t *testing.T) { run(t, v, f) })
					}
				}
			})
		}
	})
}

const nTokens = 3

// push pushes info() to tokens, hands the answer to e.seen, and fails the
// test when Push itself fails (nothing was attempted).
func (e *env) push(t *testing.T, p push.Pusher, tokens []string) *push.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := p.Push(ctx, info(), tokens...)
	e.observe(res, err)
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	return res
}

// persistentStatus: every send is answered f's status. A 5xx or 429 is
// retried MaxRetries times, then every token fails with the class the
// status means (default ErrUnavailable, 429 ErrRateLimited), the
// HTTPStatus kept, not marked possibly delivered.
func persistentStatus(f pushtest.Fault, kind func(*vendorCase) error) func(*testing.T, *vendorCase, *env) {
	return func(t *testing.T, v *vendorCase, e *env) {
		f := f // each cell its own copy: cells run in parallel
		k := push.ErrUnavailable
		if kind != nil {
			k = kind(v)
		}
		status := f.Status
		f.Times = -1
		e.srv.Inject(f)
		tokens := v.tokens(0, nTokens)
		res := e.push(t, e.client(t), tokens)
		checkOutcomes(t, tokens, res, all(k))
		for _, o := range res.Outcomes {
			ve := vendorErr(t, o.Err)
			if ve.HTTPStatus != status || ve.PossiblyDelivered || ve.Vendor != v.name {
				t.Errorf("%s: HTTPStatus %d PossiblyDelivered %t Vendor %s, want %d false %s", o.Token, ve.HTTPStatus, ve.PossiblyDelivered, ve.Vendor, status, v.name)
			}
		}
		checkChains(t, e.srv.Sends(), v.chains(nTokens), fastRetry.MaxRetries+1, fastRetry.MinBackoff/2)
		checkDelivered(t, e.srv, res)
	}
}

// persistentCode: every send is answered the vendor's own code. A "try
// again" code is retried MaxRetries times, any other is final at once;
// every token fails with the code's class.
func persistentCode(code func(*vendorCase) codeFault) func(*testing.T, *vendorCase, *env) {
	return func(t *testing.T, v *vendorCase, e *env) {
		cf := code(v)
		f := cf.fault
		f.Times = -1
		e.srv.Inject(f)
		tokens := v.tokens(0, nTokens)
		res := e.push(t, e.client(t), tokens)
		checkOutcomes(t, tokens, res, all(cf.kind))
		attempts := 1
		if cf.retried {
			attempts = fastRetry.MaxRetries + 1
		}
		for _, o := range res.Outcomes {
			if ve := vendorErr(t, o.Err); ve.PossiblyDelivered {
				t.Errorf("%s: an answered request marked possibly delivered: %v", o.Token, o.Err)
			}
		}
		checkChains(t, e.srv.Sends(), v.chains(nTokens), attempts, fastRetry.MinBackoff/2)
		checkDelivered(t, e.srv, res)
	}
}

// recovers: one send is answered f, then the vendor is back. The client
// retries that one request once and every token is delivered, once.
func recovers(f pushtest.Fault) func(*testing.T, *vendorCase, *env) {
	return func(t *testing.T, v *vendorCase, e *env) {
		f := f // each cell its own copy: cells run in parallel
		f.Times = 1
		e.srv.Inject(f)
		tokens := v.tokens(0, nTokens)
		res := e.push(t, e.client(t), tokens)
		checkOutcomes(t, tokens, res, all(nil))
		sends := e.srv.Sends()
		if len(sends) != v.requests(nTokens)+1 {
			t.Errorf("%d send requests, want %d (one retry)", len(sends), v.requests(nTokens)+1)
		}
		retried := 0
		for _, c := range chainsOf(sends) {
			switch {
			case len(c) == 2 && c[0].Fault && !c[1].Fault:
				retried++
			case len(c) != 1:
				t.Errorf("a send request was attempted %d times", len(c))
			}
		}
		if retried != 1 {
			t.Errorf("%d requests retried after the fault, want 1", retried)
		}
		checkDelivered(t, e.srv, res)
	}
}

// retryAfterHonoured: a 429 with Retry-After: 1 (under MaxRetryAfter) is
// retried no sooner than a second later, then delivered.
func retryAfterHonoured(t *testing.T, v *vendorCase, e *env) {
	recovers(pushtest.Fault{Status: 429, RetryAfter: time.Second})(t, v, e)
	for _, c := range chainsOf(e.srv.Sends()) {
		if len(c) == 2 {
			if gap := c[1].Time.Sub(c[0].Time); gap < time.Second {
				t.Errorf("retried %s after the 429 with Retry-After: 1, want at least 1s", gap)
			}
		}
	}
}

// retryAfterOverCap: a Retry-After longer than MaxRetryAfter is not slept:
// every token fails at once with ErrRateLimited and VendorError.RetryAfter
// set to the vendor's wait.
func retryAfterOverCap(t *testing.T, v *vendorCase, e *env) {
	e.srv.Inject(pushtest.Fault{Status: 429, RetryAfter: 30 * time.Second, Times: -1})
	tokens := v.tokens(0, nTokens)
	start := time.Now()
	res := e.push(t, e.client(t), tokens)
	if d := time.Since(start); d >= 15*time.Second {
		t.Errorf("Push took %s: it waited for a Retry-After (30s) over the %s cap", d, fastRetry.MaxRetryAfter)
	}
	checkOutcomes(t, tokens, res, all(push.ErrRateLimited))
	for _, o := range res.Outcomes {
		if ve := vendorErr(t, o.Err); ve.RetryAfter != 30*time.Second {
			t.Errorf("%s: RetryAfter %s, want 30s", o.Token, ve.RetryAfter)
		}
	}
	checkChains(t, e.srv.Sends(), v.chains(nTokens), 1, 0)
	checkDelivered(t, e.srv, res)
}

// droppedOnce: one send is dropped after the fake read it (a reset,
// or an answer slower than the per-attempt timeout). Where the vendor
// dedupes, the client resends it and every token is delivered once;
// elsewhere it is not resent and its tokens fail with ErrUnavailable marked
// PossiblyDelivered. With timeout set, the cell warms the connection and
// the access token first, and checks that the Push did not wait for the
// slow answer.
func droppedOnce(f pushtest.Fault, timeout time.Duration) func(*testing.T, *vendorCase, *env) {
	return func(t *testing.T, v *vendorCase, e *env) {
		f := f // each cell its own copy: cells run in parallel
		var opts []push.Option
		if timeout > 0 {
			opts = append(opts, push.WithTimeout(timeout))
		}
		p := e.client(t, opts...)
		from := 0
		if timeout > 0 {
			warm := v.tokens(900000, 1)
			checkOutcomes(t, warm, e.push(t, p, warm), all(nil))
			from = len(e.srv.Sends())
		}
		f.Times = 1
		e.srv.Inject(f)
		tokens := v.tokens(0, nTokens)
		start := time.Now()
		res := e.push(t, p, tokens)
		if timeout > 0 && time.Since(start) > f.Delay/2 {
			t.Errorf("Push took %s: the %s per-attempt timeout did not cut the %s answer", time.Since(start), timeout, f.Delay)
			for _, r := range e.srv.Records() {
				t.Logf("  %s %s at %+.3fs: status %d fault %t", r.Method, r.Path, r.Time.Sub(start).Seconds(), r.Status, r.Fault)
			}
			for _, o := range res.Outcomes {
				t.Logf("  %s: %v", o.Token, o.Err)
			}
		}
		want := v.requests(nTokens)
		if v.idempotent {
			want++
		}
		// A dropped request is recorded when the fake notices the client
		// went away, which may be just after Push returned.
		sends := waitSends(e.srv, from, want, 2*time.Second)
		if v.idempotent {
			checkOutcomes(t, tokens, res, all(nil))
			if len(sends) != v.requests(nTokens)+1 {
				t.Errorf("%d send requests, want %d (the dropped one resent: the vendor dedupes it)", len(sends), v.requests(nTokens)+1)
			}
			checkNoDuplicates(t, e.srv)
			return
		}
		// Not resent: the tokens of the dropped request fail, the others go.
		if resentAfterDrop(sends) {
			t.Error(lateWriteBug)
		}
		failed := map[string]bool{}
		for _, r := range sends {
			if r.Fault {
				failed[string(r.Body)+r.Path] = true
			}
		}
		if len(sends) != v.requests(nTokens) || len(failed) != 1 {
			t.Errorf("%d send requests with %d dropped, want %d with 1 (not resent)", len(sends), len(failed), v.requests(nTokens))
		}
		nFailed := 0
		for _, o := range res.Outcomes {
			if o.Err == nil {
				continue
			}
			nFailed++
			if classOf(o.Err) != push.ErrUnavailable.Error() || !vendorErr(t, o.Err).PossiblyDelivered {
				t.Errorf("%s: %v, want ErrUnavailable with PossiblyDelivered", o.Token, o.Err)
			}
		}
		wantFailed := nTokens // the one batch
		if v.batch == 1 {
			wantFailed = 1 // the one token whose request was dropped
		}
		if nFailed != wantFailed {
			t.Errorf("%d tokens failed, want %d", nFailed, wantFailed)
		}
		checkNoDuplicates(t, e.srv)
	}
}

// garbage: every send is answered 200 with a body that is not the vendor's
// answer. It is never retried. FCM and APNs take the status as the answer
// (a 200 is an accepted message: reporting it failed could make the caller
// send it twice) except for an HTML page, which the transport refuses for
// every vendor; the others report ErrUnavailable.
func garbage(f pushtest.Fault, html bool) func(*testing.T, *vendorCase, *env) {
	return func(t *testing.T, v *vendorCase, e *env) {
		f := f // each cell its own copy: cells run in parallel
		f.Times = -1
		e.srv.Inject(f)
		tokens := v.tokens(0, nTokens)
		res := e.push(t, e.client(t), tokens)
		var want error = push.ErrUnavailable
		if v.garbageOK && !html {
			want = nil
		}
		checkOutcomes(t, tokens, res, all(want))
		if want != nil && !html {
			for _, o := range res.Outcomes {
				if pd := vendorErr(t, o.Err).PossiblyDelivered; pd != v.garbagePD {
					t.Errorf("%s: PossiblyDelivered %t, want %t: %v", o.Token, pd, v.garbagePD, o.Err)
				}
			}
		}
		checkChains(t, e.srv.Sends(), v.chains(nTokens), 1, 0)
		checkNoDuplicates(t, e.srv)
	}
}

// authDown: the token endpoint answers 503 to everything. No send goes
// out, every token fails with ErrUnavailable, and the token fetch is
// retried under the same policy (MaxRetries+1 attempts per fetch).
func authDown(t *testing.T, v *vendorCase, e *env) {
	e.srv.Inject(pushtest.Fault{Path: v.authPath, Status: 503, Times: -1})
	tokens := v.tokens(0, nTokens)
	res := e.push(t, e.client(t), tokens)
	checkOutcomes(t, tokens, res, all(push.ErrUnavailable))
	if n := len(e.srv.Sends()); n != 0 {
		t.Errorf("%d sends without an access token", n)
	}
	per := fastRetry.MaxRetries + 1
	if n := e.srv.Count(v.authPath); n < per || n%per != 0 || n > per*nTokens {
		t.Errorf("%d token requests, want a multiple of %d (one fetch shared by the concurrent sends, retried)", n, per)
	}
}

// tokenExpired: the vendor expires every access token right after the
// first send of a multi-batch push (batches one at a time). The next send
// is refused, the client fetches one new token (once, however many sends
// were refused) and resends; every token is delivered once. APNs, whose
// provider token cannot be aged from here: a young token rejected as
// expired fails with ErrAuth, and is not re-signed in a loop.
func tokenExpired(t *testing.T, v *vendorCase, e *env) {
	if e.expire == nil {
		tokens := v.tokens(0, nTokens)
		e.srv.Inject(pushtest.Fault{Code: "ExpiredProviderToken", Times: -1})
		res := e.push(t, e.client(t), tokens)
		checkOutcomes(t, tokens, res, all(push.ErrAuth))
		checkChains(t, e.srv.Sends(), nTokens, 1, 0)
		bearers := map[string]bool{}
		for _, r := range e.srv.Sends() {
			bearers[r.Header.Get("Authorization")] = true
		}
		if len(bearers) != 1 {
			t.Errorf("%d provider tokens used, want 1 (a token younger than 20 minutes is not re-signed)", len(bearers))
		}
		return
	}
	n := 2*v.batch + 1
	if v.batch == 1 {
		n = 5
	}
	var once sync.Once
	hc := &http.Client{Transport: hookTransport{base: baseTransport(e.hc), after: func(r *http.Request, resp *http.Response) {
		if r.URL.Path != v.authPath && resp.StatusCode == 200 {
			once.Do(e.expire)
		}
	}}}
	p := e.client(t, push.WithHTTPClient(hc), push.WithConcurrency(1))
	tokens := v.tokens(0, n)
	res := e.push(t, p, tokens)
	checkOutcomes(t, tokens, res, all(nil))
	if got := e.fetches(); got != 2 {
		t.Errorf("%d access tokens obtained, want 2 (the first, and one after the expiry)", got)
	}
	if got, want := len(e.srv.Sends()), v.requests(n)+1; got != want {
		t.Errorf("%d send requests, want %d (one refused with the expired token, sent again)", got, want)
	}
	checkDelivered(t, e.srv, res)
}

// deadTokens: tokens the vendor reports unregistered sit in every batch
// (the last batch holds one dead token only). Exactly those fail with
// ErrInvalidToken; the others are delivered once; nothing is retried.
func deadTokens(t *testing.T, v *vendorCase, e *env) {
	n := 2*v.batch + 1
	if v.batch == 1 {
		n = 5
	}
	tokens := v.tokens(0, n)
	dead := func(i int) bool {
		if v.batch == 1 {
			return i%2 == 0
		}
		j := i % v.batch
		return j == 0 || j == 3 || j == v.batch-1
	}
	for i, tok := range tokens {
		if dead(i) {
			e.srv.Invalidate(tok)
		}
	}
	res := e.push(t, e.client(t), tokens)
	checkOutcomes(t, tokens, res, func(i int) error {
		if dead(i) {
			return push.ErrInvalidToken
		}
		return nil
	})
	if got, want := len(e.srv.Sends()), v.requests(n); got != want {
		t.Errorf("%d send requests, want %d", got, want)
	}
	checkChains(t, e.srv.Sends(), v.requests(n), 1, 0)
	checkDelivered(t, e.srv, res)
	if inv := res.InvalidTokens(); len(inv) == 0 {
		t.Errorf("Result.InvalidTokens() is empty")
	}
}

// answerLost: the fake processes one send (accepting its tokens) and its
// answer is lost on the way back (the connection drops). Where the vendor
// dedupes, the client resends the same request and every token ends
// delivered: the OPPO and vivo fakes dedupe too, so each token is accepted
// once; the Xiaomi fake does not (the device drops a repeated jobkey), so
// the cell checks the resend carried the same body, jobkey included.
// Elsewhere the request is not resent and its tokens fail with
// PossiblyDelivered, although the fake accepted them once.
func answerLost(t *testing.T, v *vendorCase, e *env) {
	var once atomic.Bool
	lost := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := baseTransport(e.hc).RoundTrip(r)
		if err != nil || r.URL.Path == v.authPath || !once.CompareAndSwap(false, true) {
			return resp, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("conformance: connection reset after the vendor answered")
	})}
	tokens := v.tokens(0, nTokens)
	res := e.push(t, e.client(t, push.WithHTTPClient(lost)), tokens)
	sends := e.srv.Sends()
	if !v.idempotent {
		if len(sends) == v.requests(nTokens)+1 && len(chainsOf(sends)) == v.requests(nTokens) {
			t.Error(lateWriteBug)
		}
		failed := 0
		for _, o := range res.Outcomes {
			if o.Err != nil {
				failed++
				if classOf(o.Err) != push.ErrUnavailable.Error() || !vendorErr(t, o.Err).PossiblyDelivered {
					t.Errorf("%s: %v, want ErrUnavailable with PossiblyDelivered", o.Token, o.Err)
				}
			}
		}
		want := nTokens
		if v.batch == 1 {
			want = 1
		}
		if failed != want {
			t.Errorf("%d tokens failed, want %d (those of the request whose answer was lost)", failed, want)
		}
		if len(sends) != v.requests(nTokens) {
			t.Errorf("%d send requests, want %d (not resent)", len(sends), v.requests(nTokens))
		}
		checkDelivered(t, e.srv, res)
		return
	}
	checkOutcomes(t, tokens, res, all(nil))
	if len(sends) != v.requests(nTokens)+1 {
		t.Errorf("%d send requests, want %d (the one whose answer was lost, resent)", len(sends), v.requests(nTokens)+1)
	}
	resent := 0
	for _, c := range chainsOf(sends) {
		if len(c) == 2 {
			resent++
		}
	}
	if resent != 1 {
		t.Errorf("%d requests resent identically, want 1 (same body: same dedupe key)", resent)
	}
	if v.name == push.Xiaomi {
		if len(sends) > 0 && sends[0].Form.Get("extra.jobkey") == "" {
			t.Errorf("no extra.jobkey: the device cannot drop the repeat")
		}
		for tok, n := range e.srv.Delivered() {
			if n > 2 {
				t.Errorf("%s accepted %d times", tok, n)
			}
		}
		return
	}
	checkDelivered(t, e.srv, res)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// lateWriteBug is the known transport bug behind a resend of a request that
// may have reached a vendor that cannot dedupe it (TestBugLateWriteReport
// reproduces it deterministically).
const lateWriteBug = "the transport resent a request that may have reached a vendor that cannot dedupe it " +
	"(see TestBugLateWriteReport)"

// resentAfterDrop reports a dropped (fault) send followed by the same
// request again.
func resentAfterDrop(sends []pushtest.Record) bool {
	for _, c := range chainsOf(sends) {
		if len(c) > 1 && c[0].Fault {
			return true
		}
	}
	return false
}

package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offlinepush/push"
)

// Soak parameters. OFFLINEPUSH_SOAK_TOKENS and OFFLINEPUSH_SOAK_SEED
// override the token count and the fault seed.
const (
	soakTokens    = 1_000_000
	soakFaultRate = 0.05      // of HTTP requests, auth included
	soakRound     = 10_000    // tokens per Push; the fakes forget their records between rounds
	soakDeadEvery = 200       // every 200th token is unregistered
	soakHeapBound = 512 << 20 // HeapInuse must stay under this
)

var soakRetry = push.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: time.Second}

// faultTransport fails a share of requests at random, three ways in equal
// parts: a 503 answer without forwarding, a connection error before the
// request is written, and a connection error after the fake has answered
// (the request was processed: only a vendor that dedupes may see it again).
type faultTransport struct {
	base http.RoundTripper
	rate float64

	mu  sync.Mutex
	rnd *rand.Rand

	requests, answered503, refused, droppedAfter atomic.Int64
}

var (
	errRefused = errors.New("soak: injected connection failure before the request was written")
	errDropped = errors.New("soak: injected connection reset after the request was processed")
)

func (f *faultTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.requests.Add(1)
	f.mu.Lock()
	x := f.rnd.Float64()
	f.mu.Unlock()
	closeBody := func() {
		if r.Body != nil {
			r.Body.Close()
		}
	}
	switch {
	case x < f.rate/3:
		f.answered503.Add(1)
		closeBody()
		return &http.Response{StatusCode: 503, Status: "503 Service Unavailable", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"text/plain"}}, Body: io.NopCloser(strings.NewReader("soak: injected 503")),
			ContentLength: 18, Request: r}, nil
	case x < 2*f.rate/3:
		f.refused.Add(1)
		closeBody()
		return nil, errRefused
	case x < f.rate:
		f.droppedAfter.Add(1)
		resp, err := f.base.RoundTrip(r)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return nil, errDropped
	}
	return f.base.RoundTrip(r)
}

// soakStats is what one vendor's share came to.
type soakStats struct {
	vendor             push.Vendor
	tokens, ok, dead   int
	failed             map[string]int // class → tokens
	possiblyDelivered  int            // failed outcomes marked PossiblyDelivered
	deliveredButFailed int            // failed, yet the fake accepted it (PD, or a vendor that dedupes)
	duplicates         int            // tokens the fake accepted more than once (vendor dedupes)
	resent             int            // tokens accepted more than once by a vendor that cannot dedupe (a bug)
	requests, faults   int64
	authRequests       int // token requests (or JWTs signed, for HarmonyOS and APNs)
}

// TestSoak pushes a million tokens across every vendor through the fakes,
// with 5% of the HTTP requests failing at random, and checks that every
// token's outcome is accounted for and consistent with what the fake
// accepted, and that HeapInuse stays under 512 MB. It is skipped under
// -short and unless OFFLINEPUSH_SOAK=1:
//
//	OFFLINEPUSH_SOAK=1 go test ./internal/conformance -run Soak -v -timeout 30m
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped under -short")
	}
	if os.Getenv("OFFLINEPUSH_SOAK") != "1" {
		t.Skip("soak: set OFFLINEPUSH_SOAK=1 to run it (a million tokens, minutes)")
	}
	total := soakTokens
	if s := os.Getenv("OFFLINEPUSH_SOAK_TOKENS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < len(vendors) {
			t.Fatalf("OFFLINEPUSH_SOAK_TOKENS=%q: want a number of at least %d", s, len(vendors))
		}
		total = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("OFFLINEPUSH_SOAK_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("OFFLINEPUSH_SOAK_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("soak: %d tokens over %d vendors, %.0f%% of requests failing, seed %d (OFFLINEPUSH_SOAK_SEED)",
		total, len(vendors), soakFaultRate*100, seed)

	// Heap sampler.
	var peakHeap, peakGoroutines atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			if g := uint64(runtime.NumGoroutine()); g > peakGoroutines.Load() {
				peakGoroutines.Store(g)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	goroutinesBefore := runtime.NumGoroutine()

	start := time.Now()
	stats := make([]*soakStats, len(vendors))
	var wg sync.WaitGroup
	for i, v := range vendors {
		share := total / len(vendors)
		if i < total%len(vendors) {
			share++
		}
		wg.Go(func() {
			t.Run(string(v.name), func(t *testing.T) {
				stats[i] = soakVendor(t, v, share, seed+uint64(i))
			})
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-sampled

	// The report.
	var sum soakStats
	sum.failed = map[string]int{}
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %8s %8s %6s %8s %6s %6s %6s %6s %8s %6s\n", "vendor", "tokens", "ok", "dead", "failed", "PD", "dedup", "resent", "auth", "requests", "faults")
	for _, s := range stats {
		if s == nil {
			continue
		}
		nf := 0
		for k, n := range s.failed {
			nf += n
			sum.failed[k] += n
		}
		fmt.Fprintf(&b, "%-8s %8d %8d %6d %8d %6d %6d %6d %6d %8d %6d\n", s.vendor, s.tokens, s.ok, s.dead, nf,
			s.possiblyDelivered, s.duplicates, s.resent, s.authRequests, s.requests, s.faults)
		sum.tokens += s.tokens
		sum.ok += s.ok
		sum.dead += s.dead
		sum.possiblyDelivered += s.possiblyDelivered
		sum.deliveredButFailed += s.deliveredButFailed
		sum.duplicates += s.duplicates
		sum.resent += s.resent
		sum.requests += s.requests
		sum.faults += s.faults
	}
	classes := make([]string, 0, len(sum.failed))
	for k, n := range sum.failed {
		classes = append(classes, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(classes)
	accounted := sum.ok + sum.dead
	for _, n := range sum.failed {
		accounted += n
	}
	fmt.Fprintf(&b, "total: %d tokens, %d outcomes accounted (%d delivered, %d dead tokens reported, failed: %s); "+
		"%d possibly delivered, %d accepted by the fake yet reported failed, %d duplicates absorbed by vendor dedupe, "+
		"%d duplicates where the vendor cannot dedupe; "+
		"%d HTTP requests, %d faults injected (%.2f%%); peak HeapInuse %.1f MB (bound %d MB), "+
		"peak goroutines %d; %s (%.0f tokens/s)",
		sum.tokens, accounted, sum.ok, sum.dead, strings.Join(classes, ", "),
		sum.possiblyDelivered, sum.deliveredButFailed, sum.duplicates, sum.resent,
		sum.requests, sum.faults, 100*float64(sum.faults)/float64(max(sum.requests, 1)),
		float64(peakHeap.Load())/(1<<20), soakHeapBound>>20, peakGoroutines.Load(), elapsed.Round(time.Second),
		float64(sum.tokens)/elapsed.Seconds())
	t.Log("soak report:\n" + b.String())
	fmt.Println("soak report:\n" + b.String())

	if sum.tokens != total || accounted != total {
		t.Errorf("%d tokens pushed, %d outcomes accounted, want %d", sum.tokens, accounted, total)
	}
	if peakHeap.Load() >= soakHeapBound {
		t.Errorf("peak HeapInuse %d MB, want under %d MB", peakHeap.Load()>>20, soakHeapBound>>20)
	}
	if got, stacks := settleGoroutines(goroutinesBefore, 10*time.Second, func() {}); stacks != "" {
		t.Errorf("%d goroutines left after the soak (%d before):\n%.4000s", got, goroutinesBefore, stacks)
	}
}

// soakVendor pushes share tokens through one vendor in rounds.
func soakVendor(t *testing.T, v *vendorCase, share int, seed uint64) *soakStats {
	e := v.start(t)
	ft := &faultTransport{base: baseTransport(e.hc), rate: soakFaultRate, rnd: rand.New(rand.NewPCG(seed, seed>>1|1))}
	p := e.client(t, push.WithHTTPClient(&http.Client{Transport: ft}), push.WithRetry(soakRetry), push.WithTimeout(30*time.Second))
	st := &soakStats{vendor: v.name, failed: map[string]int{}}
	for round, from := 0, 0; from < share; round, from = round+1, from+soakRound {
		n := min(soakRound, share-from)
		tokens := v.tokens(from, n)
		dead := map[string]bool{}
		for i := 0; i < n; i += soakDeadEvery {
			dead[tokens[i]] = true
			e.srv.Invalidate(tokens[i])
		}
		in := info()
		in.ID = fmt.Sprintf("soak-%s-%d", v.name, round)
		if e.expire != nil && round%3 == 1 {
			// the access token expires while the round is in flight
			go func() { time.Sleep(20 * time.Millisecond); e.expire() }()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		res, err := p.Push(ctx, in, tokens...)
		cancel()
		if err != nil {
			t.Fatalf("round %d: Push: %v", round, err)
		}
		if len(res.Outcomes) != n {
			t.Fatalf("round %d: %d outcomes for %d tokens", round, len(res.Outcomes), n)
		}
		delivered := e.srv.Delivered()
		if v.authPath != "" {
			st.authRequests += e.srv.Count(v.authPath)
		}
		bad := 0
		report := func(format string, args ...any) {
			if bad++; bad <= 10 {
				t.Errorf("round %d: "+format, append([]any{round}, args...)...)
			}
		}
		for i, o := range res.Outcomes {
			tok := tokens[i]
			if o.Token != tok {
				report("outcome %d is for %q, want %q", i, o.Token, tok)
				continue
			}
			st.tokens++
			d := delivered[tok]
			if d > 1 {
				if v.idempotent {
					st.duplicates++ // a resend after a dropped answer; the vendor dedupes it
				} else {
					st.resent++
				}
			}
			if o.Err == nil {
				st.ok++
				if dead[tok] {
					report("dead token %s reported delivered", tok)
				}
				if d == 0 {
					report("%s reported delivered, the fake never accepted it", tok)
				}
				continue
			}
			class := classOf(o.Err)
			switch class {
			case push.ErrInvalidToken.Error():
				if !dead[tok] {
					report("live token %s reported invalid: %v", tok, o.Err)
				}
				st.dead++
				continue
			case push.ErrUnavailable.Error(), push.ErrRateLimited.Error():
			default:
				report("%s: %v (%s): only the injected faults should fail a token", tok, o.Err, class)
			}
			st.failed[class]++
			pd := possiblyDelivered(o.Err)
			if pd {
				st.possiblyDelivered++
			}
			if d > 0 {
				st.deliveredButFailed++
				if !pd && !v.idempotent {
					report("%s accepted by the fake but reported failed without PossiblyDelivered: %v", tok, o.Err)
				}
			}
		}
		if bad > 10 {
			t.Errorf("round %d: %d more", round, bad-10)
		}
		e.reset()
	}
	st.requests = ft.requests.Load()
	st.faults = ft.answered503.Load() + ft.refused.Load() + ft.droppedAfter.Load()
	if st.resent > 0 {
		t.Errorf("%d tokens accepted more than once by a vendor that cannot dedupe: a request that may have "+
			"reached it was resent (%s)", st.resent, lateWriteBug)
	}
	if v.authPath == "" && e.fetches != nil {
		st.authRequests = e.fetches()
	}
	t.Logf("%s: %d tokens, %d requests, faults: %d 503, %d refused, %d dropped after processing",
		v.name, st.tokens, st.requests, ft.answered503.Load(), ft.refused.Load(), ft.droppedAfter.Load())
	return st
}

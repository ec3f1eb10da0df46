package push_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
)

// countingPusher accepts everything, counts tokens, or answers quota.
type countingPusher struct {
	tokens atomic.Int64
	calls  atomic.Int64
	quota  atomic.Bool
}

func (c *countingPusher) Vendor() push.Vendor { return push.Xiaomi }

func (c *countingPusher) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	c.calls.Add(1)
	c.tokens.Add(int64(len(tokens)))
	res := &push.Result{}
	for _, t := range tokens {
		o := push.Outcome{Token: t}
		if c.quota.Load() {
			o.Err = &push.VendorError{Vendor: push.Xiaomi, Code: "200001", Kind: push.ErrQuota}
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	return res, nil
}

// TestRateLimitHolds runs 5 seconds of pushes as fast as callers can and
// checks the tokens sent per second stay within 10% of the configured rate.
func TestRateLimitHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("5 s run")
	}
	const rate = 400.0
	p := &countingPusher{}
	r := push.NewRouter()
	r.Register("mi", p)
	r.SetLimits("mi", push.Limits{Rate: rate, Burst: 20})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				devices := make([]push.Device, 50)
				for k := range devices {
					devices[k] = push.Device{CertificateID: "mi", Token: fmt.Sprint(w, "-", i, "-", k)}
				}
				r.Push(ctx, &push.OfflinePushInfo{Title: "t", Desc: "d"}, devices...)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	got := float64(p.tokens.Load()) / elapsed
	t.Logf("configured %.0f tokens/s, measured %.1f tokens/s over %.2f s", rate, got, elapsed)
	// the bucket starts full: allow the initial burst on top of the rate
	assert.InEpsilon(t, rate, got, 0.10)
}

func TestLimitSplitsIntoBursts(t *testing.T) {
	p := &countingPusher{}
	lp := push.Limit(p, push.Limits{Rate: 1e6, Burst: 10})
	res, err := lp.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, make25()...)
	require.NoError(t, err)
	assert.Len(t, res.Outcomes, 25)
	assert.EqualValues(t, 3, p.calls.Load())
	for i, o := range res.Outcomes {
		assert.Equal(t, fmt.Sprint(i), o.Token)
	}
}

func make25() []string {
	out := make([]string, 25)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

func TestLimitCancelledWhileWaiting(t *testing.T) {
	p := &countingPusher{}
	lp := push.Limit(p, push.Limits{Rate: 1, Burst: 5})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, err := lp.Push(ctx, &push.OfflinePushInfo{Title: "t", Desc: "d"}, make25()...)
	require.NoError(t, err, "the first burst went out")
	require.Len(t, res.Outcomes, 25, "every token is accounted for")
	assert.NoError(t, res.Outcomes[0].Err)
	assert.ErrorIs(t, res.Outcomes[24].Err, push.ErrRateLimited)
	assert.Contains(t, res.Outcomes[24].Err.Error(), "not sent")
	assert.EqualValues(t, 5, p.tokens.Load())
}

func TestQuotaBreakerStopsTheFleet(t *testing.T) {
	store := pushtest.NewTokenStore() // stands in for Redis: shared by the fleet
	vendor := &countingPusher{}
	var routers []*push.Router
	for range 8 {
		r := push.NewRouter()
		r.Register("mi", vendor)
		r.SetLimits("mi", push.Limits{QuotaBreaker: true, Breaker: store})
		routers = append(routers, r)
	}
	info := &push.OfflinePushInfo{Title: "t", Desc: "d"}
	vendor.quota.Store(true)
	res, err := routers[0].Push(context.Background(), info, push.Device{CertificateID: "mi", Token: "a"})
	require.NoError(t, err)
	assert.ErrorIs(t, res.Outcomes[0].Err, push.ErrQuota)
	assert.EqualValues(t, 1, vendor.calls.Load())

	vendor.quota.Store(false) // even if the vendor would take it now
	for _, r := range routers {
		res, err := r.Push(context.Background(), info, push.Device{CertificateID: "mi", Token: "b"}, push.Device{CertificateID: "mi", Token: "c"})
		require.NoError(t, err)
		for _, o := range res.Outcomes {
			assert.ErrorIs(t, o.Err, push.ErrQuota)
			assert.Contains(t, o.Err.Error(), "quota breaker open until")
		}
	}
	assert.EqualValues(t, 1, vendor.calls.Load(), "no instance sent another request")
}

func TestQuotaBreakerResets(t *testing.T) {
	vendor := &countingPusher{}
	reset := time.Now().Add(150 * time.Millisecond)
	lp := push.Limit(vendor, push.Limits{QuotaBreaker: true, QuotaReset: func(time.Time) time.Time { return reset }})
	info := &push.OfflinePushInfo{Title: "t", Desc: "d"}
	vendor.quota.Store(true)
	lp.Push(context.Background(), info, "a")
	vendor.quota.Store(false)
	res, _ := lp.Push(context.Background(), info, "b")
	assert.ErrorIs(t, res.Outcomes[0].Err, push.ErrQuota)
	time.Sleep(time.Until(reset) + 10*time.Millisecond)
	res, _ = lp.Push(context.Background(), info, "c")
	assert.NoError(t, res.Outcomes[0].Err)
	assert.EqualValues(t, 2, vendor.calls.Load())
}

// TestQuotaBreakerFollowsTheStore: a breaker time from the fleet's store
// later than the next quota reset is cut to it and repaired in the store,
// and a breaker closed in the store (deleted) reopens every instance, the
// one that tripped it included, within Limits.BreakerRecheck. The Router
// keys the breaker by certificate ID.
func TestQuotaBreakerFollowsTheStore(t *testing.T) {
	const recheck = 50 * time.Millisecond
	const key = "quota/xiaomi/mi"
	reset := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	limits := push.Limits{QuotaBreaker: true, QuotaReset: func(time.Time) time.Time { return reset }, BreakerRecheck: recheck}
	info := &push.OfflinePushInfo{Title: "t", Desc: "d"}
	cases := []struct {
		name string
		trip func(store *pushtest.TokenStore, lp push.Pusher, vendor *countingPusher)
	}{
		{"a far-future value in the store", func(store *pushtest.TokenStore, _ push.Pusher, _ *countingPusher) {
			require.NoError(t, store.Trip(context.Background(), key, time.Date(5138, 11, 16, 0, 0, 0, 0, time.UTC)))
		}},
		{"tripped by this process", func(_ *pushtest.TokenStore, lp push.Pusher, vendor *countingPusher) {
			vendor.quota.Store(true)
			lp.Push(context.Background(), info, "a")
			vendor.quota.Store(false)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store, vendor := pushtest.NewTokenStore(), &countingPusher{}
			l := limits
			l.Breaker = store
			r := push.NewRouter() // keys the breaker by certificate ID
			r.Register("mi", vendor)
			r.SetLimits("mi", l)
			lp, ok := r.Pusher("mi")
			require.True(t, ok)
			c.trip(store, lp, vendor)
			calls := vendor.calls.Load()

			res, err := lp.Push(context.Background(), info, "b")
			require.NoError(t, err)
			require.ErrorIs(t, res.Outcomes[0].Err, push.ErrQuota)
			assert.Contains(t, res.Outcomes[0].Err.Error(), "open until "+reset.Format(time.RFC3339), "never past the next reset")
			until, _ := store.Tripped(context.Background(), key)
			assert.True(t, until.Equal(reset), "the store holds the reset, not %v", until)

			require.NoError(t, store.Trip(context.Background(), key, time.Time{})) // closed in the store
			time.Sleep(2 * recheck)
			res, err = lp.Push(context.Background(), info, "c")
			require.NoError(t, err)
			assert.NoError(t, res.Outcomes[0].Err, "reopened with the store")
			assert.Equal(t, calls+1, vendor.calls.Load())
		})
	}
}

func TestPerDeviceQuotaDoesNotTrip(t *testing.T) {
	vendor := &mixedQuota{}
	lp := push.Limit(vendor, push.Limits{QuotaBreaker: true})
	info := &push.OfflinePushInfo{Title: "t", Desc: "d"}
	lp.Push(context.Background(), info, "a", "b")
	res, _ := lp.Push(context.Background(), info, "c", "d")
	assert.NoError(t, res.Outcomes[0].Err, "one device over its quota is not the app's quota")
}

type mixedQuota struct{}

func (mixedQuota) Vendor() push.Vendor { return push.Meizu }
func (mixedQuota) Push(_ context.Context, _ *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	res := &push.Result{}
	for i, t := range tokens {
		o := push.Outcome{Token: t}
		if i == 1 {
			o.Err = &push.VendorError{Kind: push.ErrQuota}
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	return res, nil
}

func TestNextMidnightChina(t *testing.T) {
	// 2026-11-25 23:30 in Beijing is 15:30 UTC; the reset is 16:00 UTC.
	now := time.Date(2026, 11, 25, 15, 30, 0, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC), push.NextMidnightChina(now).UTC())
	now = time.Date(2026, 11, 25, 16, 0, 1, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC), push.NextMidnightChina(now).UTC())
}

// TestBreakerKey: the Router keys a shared breaker by certificate ID, so
// two certificates of one vendor trip apart; Limit alone, which has no
// certificate ID, keys it by the vendor.
func TestBreakerKey(t *testing.T) {
	info := &push.OfflinePushInfo{Title: "t", Desc: "d"}
	cases := []struct {
		name string
		wrap func(store *pushtest.TokenStore, vendor *countingPusher) push.Pusher
		key  string
	}{
		{"router", func(store *pushtest.TokenStore, vendor *countingPusher) push.Pusher {
			r := push.NewRouter()
			r.Register("mi-prod", vendor)
			r.SetLimits("mi-prod", push.Limits{QuotaBreaker: true, Breaker: store})
			p, _ := r.Pusher("mi-prod")
			return p
		}, "quota/xiaomi/mi-prod"},
		{"limit alone", func(store *pushtest.TokenStore, vendor *countingPusher) push.Pusher {
			return push.Limit(vendor, push.Limits{QuotaBreaker: true, Breaker: store})
		}, "quota/xiaomi/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store, vendor := pushtest.NewTokenStore(), &countingPusher{}
			p := c.wrap(store, vendor)
			vendor.quota.Store(true)
			_, err := p.Push(context.Background(), info, "a")
			require.NoError(t, err)
			until, err := store.Tripped(context.Background(), c.key)
			require.NoError(t, err)
			assert.True(t, until.After(time.Now()), "tripped under %q", c.key)
			assert.Contains(t, fmt.Sprint(p), "push.Limit{Vendor:xiaomi")
		})
	}
}

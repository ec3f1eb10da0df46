package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
)

// counting is a Source that hands out tok-1, tok-2, … valid for ttl.
type counting struct {
	n     atomic.Int64
	ttl   time.Duration
	now   func() time.Time
	delay time.Duration
	fail  atomic.Bool
}

func (c *counting) Fetch(ctx context.Context) (*oauth2.Token, error) {
	n := c.n.Add(1)
	if c.delay > 0 {
		time.Sleep(c.delay)
	}
	if c.fail.Load() {
		return nil, errors.New("vendor auth down")
	}
	return &oauth2.Token{AccessToken: "tok-" + string(rune('0'+n)), Expiry: c.now().Add(c.ttl)}, nil
}

func TestConcurrentCallersShareOneFetch(t *testing.T) {
	src := &counting{ttl: time.Hour, now: time.Now, delay: 20 * time.Millisecond}
	c := New(src, time.Minute)
	var wg sync.WaitGroup
	toks := make([]string, 1000)
	for i := range toks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := c.Token(context.Background())
			if err == nil {
				toks[i] = tok.AccessToken
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, src.n.Load(), "1000 concurrent callers must cause exactly one fetch")
	for _, tk := range toks {
		assert.Equal(t, "tok-1", tk)
	}
}

func TestRefreshBeforeExpiry(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	src := &counting{ttl: time.Hour, now: clock}
	c := New(src, 5*time.Minute)
	c.SetClock(clock)

	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok.AccessToken)

	now = now.Add(54 * time.Minute) // 6 minutes left: still fresh
	tok, _ = c.Token(context.Background())
	assert.Equal(t, "tok-1", tok.AccessToken)

	now = now.Add(2 * time.Minute) // 4 minutes left: inside the early window
	tok, _ = c.Token(context.Background())
	assert.Equal(t, "tok-2", tok.AccessToken)
	assert.EqualValues(t, 2, src.n.Load())
}

func TestInvalidateRefetchesExactlyOnce(t *testing.T) {
	src := &counting{ttl: time.Hour, now: time.Now}
	c := New(src, time.Minute)
	tok, err := c.Token(context.Background())
	require.NoError(t, err)

	// 50 goroutines were all rejected with the same token.
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Invalidate(context.Background(), tok.AccessToken)
			_, _ = c.Token(context.Background())
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 2, src.n.Load(), "invalidation must cause exactly one re-fetch")

	// A stale rejection of the old token must not drop the new one.
	c.Invalidate(context.Background(), tok.AccessToken)
	_, _ = c.Token(context.Background())
	assert.EqualValues(t, 2, src.n.Load())
}

// A failed fetch is remembered, not retried by every caller: until the
// back-off passes, callers get the same failure (its class kept) at once and
// no fetch is started; after it, one fetch.
func TestFailedFetchIsRememberedForTheBackoff(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	src := &counting{ttl: time.Hour, now: clock}
	src.fail.Store(true)
	c := New(src, time.Minute)
	c.SetClock(clock)
	_, err := c.Token(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "vendor auth down")
	for range 100 {
		_, err = c.Token(context.Background())
		require.Error(t, err)
	}
	assert.Contains(t, err.Error(), "vendor auth down")
	assert.Contains(t, err.Error(), "next fetch in")
	assert.EqualValues(t, 1, src.n.Load(), "101 callers during the back-off: one fetch")

	now = now.Add(FailureBackoff * 3 / 4) // the jitter shortens a wait by a quarter at most
	_, _ = c.Token(context.Background())
	assert.EqualValues(t, 1, src.n.Load(), "not before the back-off")

	src.fail.Store(false)
	now = now.Add(FailureBackoff / 4)
	tok, err := c.Token(context.Background())
	require.NoError(t, err, "recovered once the back-off passed")
	assert.Equal(t, "tok-2", tok.AccessToken)
	assert.EqualValues(t, 2, src.n.Load())
}

// The back-off doubles with each failure in a row, up to the cap, and a
// success ends it: the next failure starts again from FailureBackoff.
func TestFailureBackoffGrowsAndIsCapped(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	src := &counting{ttl: time.Hour, now: clock}
	src.fail.Store(true)
	c := New(src, time.Minute)
	c.SetClock(clock)
	// waitFor advances the clock until a new fetch happens and returns how long it took.
	waitFor := func() time.Duration {
		before, waited := src.n.Load(), time.Duration(0)
		for src.n.Load() == before {
			require.Less(t, waited, 2*MaxFailureBackoff, "no fetch")
			now, waited = now.Add(50*time.Millisecond), waited+50*time.Millisecond
			_, _ = c.Token(context.Background())
		}
		return waited
	}
	_, _ = c.Token(context.Background())
	want := FailureBackoff
	for range 10 {
		got := waitFor()
		assert.GreaterOrEqual(t, got, want*3/4-50*time.Millisecond, "want about %s", want)
		assert.LessOrEqual(t, got, want+50*time.Millisecond, "want about %s", want)
		want = min(2*want, MaxFailureBackoff)
	}
	assert.Equal(t, MaxFailureBackoff, want, "the cap was reached")

	src.fail.Store(false)
	waitFor()
	src.fail.Store(true)
	c.Invalidate(context.Background(), "tok-"+string(rune('0'+src.n.Load())))
	_, err := c.Token(context.Background())
	require.Error(t, err)
	assert.LessOrEqual(t, waitFor(), FailureBackoff+50*time.Millisecond, "a success resets the back-off")
}

// Concurrent callers waiting on a fetch that fails all get its failure: one
// fetch, however many wait.
func TestConcurrentCallersShareAFailedFetch(t *testing.T) {
	src := &counting{ttl: time.Hour, now: time.Now, delay: 20 * time.Millisecond}
	src.fail.Store(true)
	c := New(src, time.Minute)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Token(context.Background()); err != nil && strings.Contains(err.Error(), "vendor auth down") {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, src.n.Load())
	assert.EqualValues(t, 1000, failed.Load())
}

// The remembered failure keeps its class and its VendorError, and a
// Retry-After from the endpoint lengthens the back-off (within the cap).
func TestBackoffKeepsTheClassAndHonoursRetryAfter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	for _, tt := range []struct {
		retryAfter, wait time.Duration
	}{{30 * time.Second, 30 * time.Second}, {time.Hour, MaxFailureBackoff}} {
		var n atomic.Int64
		c := New(SourceFunc(func(context.Context) (*oauth2.Token, error) {
			n.Add(1)
			return nil, &push.VendorError{Vendor: push.Vivo, Kind: push.ErrRateLimited, Code: "10250", RetryAfter: tt.retryAfter}
		}), time.Minute)
		c.SetClock(clock)
		_, _ = c.Token(context.Background())
		now = now.Add(tt.wait - time.Second)
		_, err := c.Token(context.Background())
		assert.ErrorIs(t, err, push.ErrRateLimited)
		assert.NotErrorIs(t, err, push.ErrUnavailable)
		var ve *push.VendorError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "10250", ve.Code)
		assert.EqualValues(t, 1, n.Load(), "Retry-After %s: no fetch %s in", tt.retryAfter, tt.wait-time.Second)
		now = now.Add(time.Second)
		_, _ = c.Token(context.Background())
		assert.EqualValues(t, 2, n.Load(), "fetched again after %s", tt.wait)
	}
}

// A caller whose context is already done gets its error and starts no fetch.
func TestDoneContextStartsNoFetch(t *testing.T) {
	src := &counting{ttl: time.Hour, now: time.Now}
	c := New(src, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Token(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, src.n.Load())
}

// An access token that cannot be sent (CR, LF, NUL, DEL, a byte over 0x7E,
// a space at an end) is an ErrAuth naming the byte, not the token; it is
// not cached, the failure is remembered for the back-off, and the next
// fetch after it is used.
func TestUnsendableTokenIsNotCached(t *testing.T) {
	for _, bad := range []string{"abc\r\nSet-Cookie: x", "abc\ndef", "abc\rdef", "abc\x00def", "abc\x7fdef", "abc\tdef", "abc\xe9def", " abcdef", "abcdef "} {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			now := time.Unix(1_700_000_000, 0)
			clock := func() time.Time { return now }
			var n atomic.Int64
			c := For(settings.Settings{}, "huawei/104536617", SourceFunc(func(context.Context) (*oauth2.Token, error) {
				if n.Add(1) == 1 {
					return &oauth2.Token{AccessToken: bad, Expiry: clock().Add(24 * time.Hour)}, nil
				}
				return &oauth2.Token{AccessToken: "good-token", Expiry: clock().Add(24 * time.Hour)}, nil
			}), time.Minute)
			c.SetClock(clock)
			for range 3 {
				_, err := c.Token(context.Background())
				require.Error(t, err)
				assert.ErrorIs(t, err, push.ErrAuth)
				assert.NotErrorIs(t, err, push.ErrUnavailable)
				var ve *push.VendorError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, push.Huawei, ve.Vendor)
				assert.Contains(t, err.Error(), "cannot be sent")
				assert.Contains(t, err.Error(), "dropped, not cached")
				assert.NotContains(t, err.Error(), "abc")
			}
			assert.EqualValues(t, 1, n.Load())
			now = now.Add(FailureBackoff)
			tok, err := c.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "good-token", tok.AccessToken)
		})
	}
	for _, good := range []string{"CgB6e3x9+/=", "ya29.a0AfH6SM-b_c~d", "a b", "fake-vivo-authtoken-00000001"} {
		_, _, bad := unsendable(good)
		assert.False(t, bad, good)
	}
}

func TestEmptyTokenIsAnError(t *testing.T) {
	c := New(SourceFunc(func(context.Context) (*oauth2.Token, error) { return &oauth2.Token{}, nil }), 0)
	_, err := c.Token(context.Background())
	assert.Error(t, err)
}

func TestWaiterStopsOnContextButFetchCompletes(t *testing.T) {
	release := make(chan struct{})
	var fetched atomic.Int64
	c := New(SourceFunc(func(ctx context.Context) (*oauth2.Token, error) {
		<-release
		fetched.Add(1)
		return &oauth2.Token{AccessToken: "slow", Expiry: time.Now().Add(time.Hour)}, nil
	}), 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := c.Token(ctx); done <- err }()
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	close(release)
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "slow", tok.AccessToken)
	assert.EqualValues(t, 1, fetched.Load(), "the abandoned fetch still fills the cache")
}

func TestDoRetriesOnceOnExpired(t *testing.T) {
	src := &counting{ttl: time.Hour, now: time.Now}
	c := New(src, time.Minute)
	var used []string
	v, err := Do(context.Background(), c, func(_ context.Context, tok string) (string, error) {
		used = append(used, tok)
		if tok == "tok-1" {
			return "", ErrExpired
		}
		return "sent with " + tok, nil
	})
	require.NoError(t, err)
	assert.Equal(t, "sent with tok-2", v)
	assert.Equal(t, []string{"tok-1", "tok-2"}, used)

	// A second rejection is returned, not retried again.
	calls := 0
	_, err = Do(context.Background(), c, func(_ context.Context, tok string) (int, error) {
		calls++
		return 0, ErrExpired
	})
	assert.ErrorIs(t, err, ErrExpired)
	assert.Equal(t, 2, calls)
}

func TestShortLivedTokenIsStillReused(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	src := &counting{ttl: 4 * time.Minute, now: clock} // shorter than twice the early window
	c := New(src, 5*time.Minute)
	c.SetClock(clock)
	_, _ = c.Token(context.Background())
	now = now.Add(time.Minute)
	tok, _ := c.Token(context.Background())
	assert.Equal(t, "tok-1", tok.AccessToken, "reused during the first half of its life")
	now = now.Add(90 * time.Second)
	tok, _ = c.Token(context.Background())
	assert.Equal(t, "tok-2", tok.AccessToken, "replaced in the second half")
}

func TestHeaderIsBuiltOncePerToken(t *testing.T) {
	builds := 0
	h := NewHeader(func(tok string) http.Header {
		builds++
		return http.Header{"Authorization": {"Bearer " + tok}}
	})
	a := h.For("t1")
	assert.Equal(t, "Bearer t1", a.Get("Authorization"))
	b := h.For("t1")
	assert.Equal(t, 1, builds)
	assert.Equal(t, fmt.Sprintf("%p", a), fmt.Sprintf("%p", b), "the same map is shared")
	assert.Equal(t, "Bearer t2", h.For("t2").Get("Authorization"), "a new token gets a new header")
	assert.Equal(t, 2, builds)

	// Concurrent callers with alternating tokens always get their own token's header.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := fmt.Sprint("t", i%2)
			for range 1000 {
				if got := h.For(tok).Get("Authorization"); got != "Bearer "+tok {
					t.Errorf("got %q for %q", got, tok)
					return
				}
			}
		}()
	}
	wg.Wait()
}

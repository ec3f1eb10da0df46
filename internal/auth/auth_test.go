package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
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
			c.Invalidate(tok.AccessToken)
			_, _ = c.Token(context.Background())
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 2, src.n.Load(), "invalidation must cause exactly one re-fetch")

	// A stale rejection of the old token must not drop the new one.
	c.Invalidate(tok.AccessToken)
	_, _ = c.Token(context.Background())
	assert.EqualValues(t, 2, src.n.Load())
}

func TestFailedFetchIsReportedNotCached(t *testing.T) {
	src := &counting{ttl: time.Hour, now: time.Now}
	src.fail.Store(true)
	c := New(src, time.Minute)
	_, err := c.Token(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "vendor auth down")

	src.fail.Store(false)
	tok, err := c.Token(context.Background())
	require.NoError(t, err, "the failure must not be cached")
	assert.Equal(t, "tok-2", tok.AccessToken)
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

package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/pushtest"
)

// fleet makes n caches (one per process) over one shared store and one
// vendor that counts fetches.
func fleet(n int, store push.TokenStore) ([]*Cache, *atomic.Int64) {
	var fetches atomic.Int64
	src := SourceFunc(func(ctx context.Context) (*oauth2.Token, error) {
		k := fetches.Add(1)
		time.Sleep(10 * time.Millisecond)
		return &oauth2.Token{AccessToken: "fleet-tok-" + string(rune('0'+k)), Expiry: time.Now().Add(time.Hour)}, nil
	})
	caches := make([]*Cache, n)
	for i := range caches {
		caches[i] = For(settings.Settings{TokenStore: store}, "vendor/app1", src, time.Minute)
	}
	return caches, &fetches
}

func hammer(caches []*Cache, perCache int) []string {
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for _, c := range caches {
		for range perCache {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, err := c.Token(context.Background())
				if err == nil {
					mu.Lock()
					got = append(got, tok.AccessToken)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	return got
}

func TestFleetFetchesOnce(t *testing.T) {
	store := pushtest.NewTokenStore()
	caches, fetches := fleet(8, store)
	got := hammer(caches, 50)
	assert.EqualValues(t, 1, fetches.Load(), "8 processes, 400 callers: one fetch fleet-wide")
	for _, tok := range got {
		assert.Equal(t, "fleet-tok-1", tok)
	}
	assert.Len(t, got, 400)
}

func TestFleetInvalidationRefetchesOnce(t *testing.T) {
	store := pushtest.NewTokenStore()
	caches, fetches := fleet(8, store)
	hammer(caches, 1)
	// The vendor rejects the token at every process at once.
	var wg sync.WaitGroup
	for _, c := range caches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Invalidate(context.Background(), "fleet-tok-1")
			_, _ = c.Token(context.Background())
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 2, fetches.Load(), "exactly one re-fetch fleet-wide")
	for _, tok := range hammer(caches, 1) {
		assert.Equal(t, "fleet-tok-2", tok)
	}
}

func TestFleetSurvivesACrashedLockHolder(t *testing.T) {
	const lockTTL = 300 * time.Millisecond
	store := pushtest.NewTokenStore()
	// A process took the lock and died without releasing it.
	_, ok, err := store.Lock(context.Background(), "vendor/app1", lockTTL)
	require.NoError(t, err)
	require.True(t, ok)
	caches, fetches := fleet(4, store)
	for _, c := range caches {
		c.lockTTL = lockTTL
	}
	start := time.Now()
	got := hammer(caches, 5)
	waited := time.Since(start)
	assert.Len(t, got, 20)
	assert.EqualValues(t, 1, fetches.Load())
	assert.GreaterOrEqual(t, waited, 250*time.Millisecond, "they waited for the lock to expire")
	assert.Less(t, waited, 5*time.Second, "but not much longer")
}

func TestFleetStoreDownStillFetches(t *testing.T) {
	store := pushtest.NewTokenStore()
	store.Fail = errors.New("redis: connection refused")
	caches, fetches := fleet(2, store)
	got := hammer(caches, 3)
	assert.Len(t, got, 6, "pushes go on without the store")
	assert.EqualValues(t, 2, fetches.Load(), "each process fetched its own")
}

func TestStoreTokenInsideEarlyWindowIsNotUsed(t *testing.T) {
	store := pushtest.NewTokenStore()
	store.Put(context.Background(), "vendor/app1", &oauth2.Token{AccessToken: "stale", Expiry: time.Now().Add(30 * time.Second)})
	caches, fetches := fleet(1, store)
	tok, err := caches[0].Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "fleet-tok-1", tok.AccessToken)
	assert.EqualValues(t, 1, fetches.Load())
}

// A refused token can still be in the store when a concurrent caller looks
// (the invalidation is on its way there): it must not be taken back.
func TestRejectedTokenNotTakenBackFromTheStore(t *testing.T) {
	store := pushtest.NewTokenStore()
	caches, fetches := fleet(1, store)
	c := caches[0]
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	c.mu.Lock()
	c.tok, c.rejected = nil, tok.AccessToken // dropped locally; the store still has it
	c.mu.Unlock()
	again, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, tok.AccessToken, again.AccessToken)
	assert.EqualValues(t, 2, fetches.Load())
}

// A token that cannot be sent is neither taken from the fleet's store (it is
// fetched anew and overwrites the store's) nor put there when fetched.
func TestUnsendableTokenIsNotShared(t *testing.T) {
	store := pushtest.NewTokenStore()
	ctx := context.Background()
	require.NoError(t, store.Put(ctx, "vendor/app1", &oauth2.Token{AccessToken: "old\r\nX-Injected: 1", Expiry: time.Now().Add(time.Hour)}))
	caches, fetches := fleet(1, store)
	tok, err := caches[0].Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "fleet-tok-1", tok.AccessToken)
	assert.EqualValues(t, 1, fetches.Load())
	stored, err := store.Get(ctx, "vendor/app1")
	require.NoError(t, err)
	assert.Equal(t, "fleet-tok-1", stored.AccessToken, "the store's bad token is overwritten")

	store = pushtest.NewTokenStore()
	c := For(settings.Settings{TokenStore: store}, "vendor/app1", SourceFunc(func(context.Context) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: "bad\ntoken", Expiry: time.Now().Add(time.Hour)}, nil
	}), time.Minute)
	_, err = c.Token(ctx)
	assert.ErrorIs(t, err, push.ErrAuth)
	stored, err = store.Get(ctx, "vendor/app1")
	require.NoError(t, err)
	assert.Nil(t, stored, "not shared with the fleet")
}

// ctxStore records the context its Invalidate was called with, and that
// context's error then.
type ctxStore struct {
	push.TokenStore
	got    context.Context
	gotErr error
}

func (s *ctxStore) Invalidate(ctx context.Context, key, rejected string) error {
	s.got, s.gotErr = ctx, ctx.Err()
	return s.TokenStore.Invalidate(ctx, key, rejected)
}

type ctxKey struct{}

// TestInvalidateUsesTheCallersContext: the store's part of Invalidate runs
// under the caller's ctx (its values, its cancellation), bounded by
// invalidateTimeout; it used context.Background().
func TestInvalidateUsesTheCallersContext(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "trace-1"))
	cancel()
	cases := []struct {
		name    string
		ctx     context.Context
		wantErr error
	}{
		{"live", context.WithValue(context.Background(), ctxKey{}, "trace-1"), nil},
		{"cancelled", cancelled, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := &ctxStore{TokenStore: pushtest.NewTokenStore()}
			caches, _ := fleet(1, store)
			caches[0].Invalidate(c.ctx, "fleet-tok-1")
			require.NotNil(t, store.got)
			assert.Equal(t, "trace-1", store.got.Value(ctxKey{}))
			assert.ErrorIs(t, store.gotErr, c.wantErr)
			deadline, ok := store.got.Deadline()
			require.True(t, ok, "bounded")
			assert.WithinDuration(t, time.Now().Add(invalidateTimeout), deadline, time.Second)
		})
	}
}

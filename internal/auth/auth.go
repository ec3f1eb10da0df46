// Package auth caches vendor access tokens: one fetch however many
// goroutines ask at once (single flight), reuse until shortly before expiry,
// and exactly one re-fetch after the vendor says the token expired. Every
// vendor with access tokens (Huawei, Honor, OPPO, vivo, FCM, and the signed
// JWTs of HarmonyOS and APNs) goes through it.
package auth

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
)

// Source fetches a fresh token. ctx bounds the fetch.
type Source interface {
	Fetch(ctx context.Context) (*oauth2.Token, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context) (*oauth2.Token, error)

// Fetch calls f.
func (f SourceFunc) Fetch(ctx context.Context) (*oauth2.Token, error) { return f(ctx) }

// FromTokenSource adapts an oauth2.TokenSource (which takes no context).
func FromTokenSource(ts oauth2.TokenSource) Source {
	return SourceFunc(func(context.Context) (*oauth2.Token, error) { return ts.Token() })
}

// FetchTimeout bounds one token fetch, independent of the caller that
// started it: the fetch serves every waiting caller.
const FetchTimeout = 30 * time.Second

// Cache is a concurrency-safe token cache over a Source, optionally shared
// with other processes through a push.TokenStore.
type Cache struct {
	src Source
	// store and key share the token with a fleet; store may be nil.
	store push.TokenStore
	key   string
	// early is how long before expiry a token is replaced.
	early time.Duration
	now   func() time.Time

	mu       sync.Mutex
	tok      *oauth2.Token
	got      time.Time // when tok was fetched
	rejected string    // the last token the vendor refused: never taken back from the store
	inflight *call
	fetches  int64
}

type call struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// New returns a Cache that refreshes a token `early` before it expires
// (a token without expiry is kept until invalidated).
func New(src Source, early time.Duration) *Cache {
	return &Cache{src: src, early: early, now: time.Now}
}

// SetClock replaces the clock, for tests.
func (c *Cache) SetClock(now func() time.Time) { c.mu.Lock(); c.now = now; c.mu.Unlock() }

// Fetches returns how many times the Source was asked, for tests and stats.
func (c *Cache) Fetches() int64 { c.mu.Lock(); defer c.mu.Unlock(); return c.fetches }

// fresh reports whether t is usable: not within the early-refresh window
// of its expiry. The window is at most half the token's life, so a token
// that lives less than twice `early` is still used for a while.
func (c *Cache) fresh(t *oauth2.Token) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	if t.Expiry.IsZero() {
		return true
	}
	early := min(c.early, t.Expiry.Sub(c.got)/2)
	return c.now().Add(early).Before(t.Expiry)
}

// Token returns a valid token, fetching one if needed. Concurrent callers
// share one fetch; a caller whose ctx ends stops waiting, but the fetch goes
// on for the others. A failed fetch is returned, not cached.
func (c *Cache) Token(ctx context.Context) (*oauth2.Token, error) {
	c.mu.Lock()
	if c.fresh(c.tok) {
		t := c.tok
		c.mu.Unlock()
		return t, nil
	}
	cl := c.inflight
	if cl == nil {
		cl = &call{done: make(chan struct{})}
		c.inflight = cl
		c.fetches++
		go c.fetch(context.WithoutCancel(ctx), cl)
	}
	c.mu.Unlock()
	select {
	case <-cl.done:
		return cl.tok, cl.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Cache) fetch(ctx context.Context, cl *call) {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	tok, err := c.obtain(ctx)
	if err == nil && (tok == nil || tok.AccessToken == "") {
		err = errors.New("auth: the token source returned an empty token")
	}
	c.mu.Lock()
	if err == nil {
		c.tok, c.got = tok, c.now()
	}
	c.inflight = nil
	c.mu.Unlock()
	cl.tok, cl.err = tok, err
	close(cl.done)
}

// Invalidate drops the cached token if it is still the rejected one, so that
// of many callers rejected with the same token only the first causes a
// re-fetch (fleet-wide, with a store).
func (c *Cache) Invalidate(rejected string) {
	c.mu.Lock()
	if c.tok != nil && c.tok.AccessToken == rejected {
		c.tok = nil
	}
	c.rejected = rejected
	c.mu.Unlock()
	if c.store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.store.Invalidate(ctx, c.key, rejected) // a stale store token is rejected again and retried
	}
}

// Store tuning: how long one fetcher may hold the fleet's lock, and how
// often the others look for the token it publishes.
var (
	LockTTL      = 15 * time.Second
	PollInterval = 50 * time.Millisecond
)

// obtain gets a fresh token: from the fleet's store when it has one, else by
// fetching it — under the store's lock, so one process fetches for all.
// When the store fails the token is fetched here: pushes go on.
func (c *Cache) obtain(ctx context.Context) (*oauth2.Token, error) {
	if c.store == nil {
		return c.src.Fetch(ctx)
	}
	for {
		if tok, err := c.store.Get(ctx, c.key); err != nil {
			return c.src.Fetch(ctx)
		} else if c.usable(tok) {
			return tok, nil
		}
		unlock, ok, err := c.store.Lock(ctx, c.key, LockTTL)
		if err != nil {
			return c.src.Fetch(ctx)
		}
		if ok {
			return c.fetchLocked(ctx, unlock)
		}
		select { // another process is fetching: look again shortly
		case <-time.After(PollInterval):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *Cache) fetchLocked(ctx context.Context, unlock func()) (*oauth2.Token, error) {
	defer unlock()
	if tok, err := c.store.Get(ctx, c.key); err == nil && c.usable(tok) {
		return tok, nil // published while we took the lock
	}
	tok, err := c.src.Fetch(ctx)
	if err == nil && tok != nil {
		_ = c.store.Put(ctx, c.key, tok) // others fetch their own if this fails
	}
	return tok, err
}

// usable reports whether a token from the store is outside the early
// refresh window and is not the one the vendor just refused (the store may
// still hold it: a concurrent caller can read it before the invalidation
// reaches the store).
func (c *Cache) usable(t *oauth2.Token) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	c.mu.Lock()
	now, rejected := c.now(), c.rejected
	c.mu.Unlock()
	if t.AccessToken == rejected {
		return false
	}
	return t.Expiry.IsZero() || now.Add(c.early).Before(t.Expiry)
}

// ErrExpired is what a send function returns (wrapped or not) when the
// vendor says the access token is expired or invalid.
var ErrExpired = errors.New("auth: access token rejected by the vendor")

// Do runs send with a valid token. If send reports ErrExpired, the token is
// invalidated and send runs once more with a fresh one; a second rejection
// is returned as is.
func Do[T any](ctx context.Context, c *Cache, send func(ctx context.Context, token string) (T, error)) (T, error) {
	var zero T
	tok, err := c.Token(ctx)
	if err != nil {
		return zero, err
	}
	v, err := send(ctx, tok.AccessToken)
	if !errors.Is(err, ErrExpired) {
		return v, err
	}
	c.Invalidate(tok.AccessToken)
	tok, err = c.Token(ctx)
	if err != nil {
		return zero, err
	}
	return send(ctx, tok.AccessToken)
}

// For returns the cache a vendor client uses: over the caller's shared
// TokenSource when one was given with push.WithTokenSource, else over the
// vendor's own fetch; shared with the fleet under key when a TokenStore
// was given. key names the credential (never a secret).
func For(o push.Options, key string, own Source, early time.Duration) *Cache {
	src := own
	if o.TokenSource != nil {
		src = FromTokenSource(o.TokenSource)
	}
	c := New(src, early)
	c.store, c.key = o.TokenStore, key
	return c
}

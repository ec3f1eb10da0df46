// Package auth caches vendor access tokens: one fetch however many
// goroutines ask at once (single flight), reuse until shortly before expiry,
// and exactly one re-fetch after the vendor says the token expired. A failed
// fetch is remembered for a short, growing back-off (FailureBackoff up to
// MaxFailureBackoff): callers meanwhile get that failure at once instead of
// each asking a token endpoint that is down or refusing the credentials.
// Every vendor with access tokens (Huawei, Honor, OPPO, vivo, FCM, and the
// signed JWTs of HarmonyOS and APNs) goes through it.
package auth

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
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

// The back-off after a failed fetch: FailureBackoff after the first failure,
// doubling with each failure in a row up to MaxFailureBackoff (each wait
// jittered down by up to a quarter, so that a fleet does not ask in step),
// and at least the Retry-After the endpoint asked for, within the cap. A
// successful fetch ends it. Huawei allows 1,000 token fetches per 5 minutes
// per app; at the cap a client asks 5 times in 5 minutes.
const (
	FailureBackoff    = time.Second
	MaxFailureBackoff = time.Minute
)

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

	// vendor names the client in errors this package makes itself.
	vendor push.Vendor
	// lockTTL and poll tune the store's lock (see defaultLockTTL); fields,
	// not package state, so a test may shorten them for its caches alone.
	lockTTL, poll time.Duration

	mu       sync.Mutex
	tok      *oauth2.Token
	got      time.Time // when tok was fetched
	rejected string    // the last token the vendor refused: never taken back from the store
	inflight *call
	fetches  int64
	// failed is the last fetch's error while its back-off runs (until
	// retryAt); failures counts the failed fetches in a row.
	failed   error
	failedAt time.Time
	retryAt  time.Time
	failures int
}

type call struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// New returns a Cache that refreshes a token `early` before it expires
// (a token without expiry is kept until invalidated).
func New(src Source, early time.Duration) *Cache {
	return &Cache{src: src, early: early, now: time.Now, lockTTL: defaultLockTTL, poll: defaultPollInterval}
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
// share one fetch, and its failure too; a caller whose ctx ends stops
// waiting, but the fetch goes on for the others. A failed fetch is
// remembered for the back-off: until it passes, Token returns that failure
// at once (its class unchanged, the wait added to the text) and starts no
// fetch.
func (c *Cache) Token(ctx context.Context) (*oauth2.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.fresh(c.tok) {
		t := c.tok
		c.mu.Unlock()
		return t, nil
	}
	cl := c.inflight
	if cl == nil && c.failed != nil {
		if now := c.now(); now.Before(c.retryAt) {
			err := &backoffError{err: c.failed, ago: now.Sub(c.failedAt), wait: c.retryAt.Sub(now)}
			c.mu.Unlock()
			return nil, err
		}
	}
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
	if err == nil {
		err = c.check(tok)
	}
	c.mu.Lock()
	if err == nil {
		c.tok, c.got = tok, c.now()
		c.failed, c.failures = nil, 0
	} else {
		tok = nil
		c.failures++
		c.failed, c.failedAt = err, c.now()
		c.retryAt = c.failedAt.Add(backoff(c.failures, err))
	}
	c.inflight = nil
	c.mu.Unlock()
	cl.tok, cl.err = tok, err
	close(cl.done)
}

// backoff is the wait after the n-th failed fetch in a row (see
// FailureBackoff).
func backoff(n int, err error) time.Duration {
	d := MaxFailureBackoff
	if n <= 7 { // 1s << 6 = 64s is over the cap already
		d = min(FailureBackoff<<(n-1), MaxFailureBackoff)
	}
	d -= rand.N(d/4 + 1)
	var ve *push.VendorError
	if errors.As(err, &ve) && ve.RetryAfter > d {
		d = min(ve.RetryAfter, MaxFailureBackoff)
	}
	return d
}

// backoffError is a remembered fetch failure handed to a caller during the
// back-off: the failure itself for errors.Is and errors.As (its class is the
// fetch's), with how long ago it happened and how long until the next fetch.
type backoffError struct {
	err       error
	ago, wait time.Duration
}

func (e *backoffError) Error() string {
	return fmt.Sprintf("%s (access token fetch failed %s ago; next fetch in %s)",
		e.err, e.ago.Round(time.Millisecond), e.wait.Round(time.Millisecond))
}

func (e *backoffError) Unwrap() error { return e.err }

// check refuses a token that must not be cached: empty, or one that cannot
// be sent. An access token goes into a header or a form value; RFC 6749
// (appendix A.12) allows only visible ASCII and space in one. A CR or LF
// would split the header (net/http refuses to send it), a NUL or a byte
// over 0x7E is altered or refused on the way: such a token fails every
// request for its whole life (24 hours at some vendors). It is dropped with
// an ErrAuth naming the byte, never the token (a secret).
func (c *Cache) check(tok *oauth2.Token) error {
	if tok == nil || tok.AccessToken == "" {
		return c.authError("the token source returned an empty access token")
	}
	if i, b, ok := unsendable(tok.AccessToken); ok {
		return c.authError(fmt.Sprintf("the access token issued has a byte that cannot be sent in a request "+
			"(0x%02x at offset %d of %d); dropped, not cached", b, i, len(tok.AccessToken)))
	}
	return nil
}

// unsendable finds the first byte of tok outside RFC 6749's VSCHAR
// (0x20-0x7E), or a space at either end (a header value's ends are trimmed
// on the way, so the vendor would get another token).
func unsendable(tok string) (at int, b byte, bad bool) {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 0x20 || c > 0x7e {
			return i, c, true
		}
	}
	if strings.HasPrefix(tok, " ") {
		return 0, ' ', true
	}
	if strings.HasSuffix(tok, " ") {
		return len(tok) - 1, ' ', true
	}
	return 0, 0, false
}

// authError is an ErrAuth of the cache's vendor.
func (c *Cache) authError(msg string) error {
	if c.vendor == "" {
		return fmt.Errorf("auth: %s: %w", msg, push.ErrAuth)
	}
	return &push.VendorError{Vendor: c.vendor, Kind: push.ErrAuth, Message: msg}
}

// invalidateTimeout bounds the store's part of Invalidate within ctx.
const invalidateTimeout = 5 * time.Second

// Invalidate drops the cached token if it is still the rejected one, so that
// of many callers rejected with the same token only the first causes a
// re-fetch (fleet-wide, with a store: ctx, bounded by invalidateTimeout,
// bounds the store call).
func (c *Cache) Invalidate(ctx context.Context, rejected string) {
	c.mu.Lock()
	if c.tok != nil && c.tok.AccessToken == rejected {
		c.tok = nil
	}
	c.rejected = rejected
	c.mu.Unlock()
	if c.store != nil {
		ctx, cancel := context.WithTimeout(ctx, invalidateTimeout)
		defer cancel()
		_ = c.store.Invalidate(ctx, c.key, rejected) // a stale store token is rejected again and retried
	}
}

// Store tuning: how long one fetcher may hold the fleet's lock (a store
// may renew it while the fetch runs, and may choose its own TTL), and how
// often the others look for the token it publishes.
const (
	defaultLockTTL      = 15 * time.Second
	defaultPollInterval = 50 * time.Millisecond
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
		unlock, ok, err := c.store.Lock(ctx, c.key, c.lockTTL)
		if err != nil {
			return c.src.Fetch(ctx)
		}
		if ok {
			return c.fetchLocked(ctx, unlock)
		}
		select { // another process is fetching: look again shortly
		case <-time.After(c.poll):
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
	if err == nil {
		err = c.check(tok) // a token that cannot be sent is not shared either
	}
	if err == nil {
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
	if _, _, bad := unsendable(t.AccessToken); bad {
		return false // written by another process or version: fetched anew (and overwritten)
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
	c.Invalidate(ctx, tok.AccessToken)
	tok, err = c.Token(ctx)
	if err != nil {
		return zero, err
	}
	return send(ctx, tok.AccessToken)
}

// For returns the cache a vendor client uses: over the caller's shared
// TokenSource when one was given with push.WithTokenSource, else over the
// vendor's own fetch; shared with the fleet under key when a TokenStore
// was given. key names the credential (never a secret), starting with the
// vendor's name and a slash ("huawei/<app id>").
func For(o settings.Settings, key string, own Source, early time.Duration) *Cache {
	src := own
	if o.TokenSource != nil {
		src = FromTokenSource(o.TokenSource)
	}
	c := New(src, early)
	c.store, c.key = o.TokenStore, key
	if v, _, ok := strings.Cut(key, "/"); ok {
		c.vendor = push.Vendor(v) // keys start with the vendor's name
	}
	return c
}

package push

import (
	"context"
	"time"

	"github.com/offlinepush/push/internal/settings"

	"golang.org/x/oauth2"
)

// TokenStore shares vendor access tokens between the processes of a fleet,
// so that one instance fetches a token and the others reuse it: vendors
// limit how often an app may fetch tokens (Huawei: 1000 per 5 minutes), and
// APNs refuses providers that re-sign too often. Keys name a credential
// ("huawei/<appId>", "apns/<teamId>/<keyId>"), never a secret.
//
// A client given a store (WithTokenStore) still keeps the token in memory;
// it asks the store only when it has none, and publishes what it fetched.
// If the store fails, the client fetches on its own: a push is never lost
// because the store is down. tokenstore/redis implements it on Redis.
type TokenStore interface {
	// Get returns the token stored under key, or nil when there is none.
	Get(ctx context.Context, key string) (*oauth2.Token, error)
	// Put stores tok under key until its expiry.
	Put(ctx context.Context, key string, tok *oauth2.Token) error
	// Lock makes the caller the one fetcher of key until unlock; a holder
	// that crashed loses it after ttl, so it does not block the fleet (a
	// store may renew it while the holder's fetch runs). ok is false when
	// another holds it.
	Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
	// Invalidate deletes the token under key if it is still the rejected
	// one, so a token the vendor refused is replaced once for everyone.
	Invalidate(ctx context.Context, key, rejected string) error
}

// BreakerStore shares the quota breaker between the processes of a fleet,
// so that all of them stop sending for a certificate whose daily quota is
// used up. tokenstore/redis implements it.
type BreakerStore interface {
	// Trip records that key's quota is used up until the given time.
	Trip(ctx context.Context, key string, until time.Time) error
	// Tripped returns until when key's quota is used up (zero: it is not).
	Tripped(ctx context.Context, key string) (time.Time, error)
}

// WithTokenStore shares the client's access token through s (see
// TokenStore). Ignored by vendors without access tokens (Xiaomi, Meizu).
func WithTokenStore(s TokenStore) Option { return func(o *settings.Settings) { o.TokenStore = s } }

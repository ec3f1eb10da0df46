// Package settings holds a client's resolved options: the push.Option values
// a caller gives New, applied over the production defaults. Package push
// exports only the options themselves (WithRetry, WithTimeout, …); every
// vendor package reads the result through New.
package settings

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// Settings are the resolved options of one client.
type Settings struct {
	// HTTPClient sends every request. Its Transport is used as is (TLS
	// verification is never turned off by this module); its Timeout is
	// replaced by the per-attempt Timeout.
	HTTPClient *http.Client
	// Endpoint, when set, replaces the scheme://host of every request the
	// client makes, auth included.
	Endpoint string
	// Retry is the retry policy for temporary failures.
	Retry Retry
	// Timeout bounds one HTTP attempt (not the whole Push).
	Timeout time.Duration
	// Logger receives debug records of each attempt; nil discards.
	Logger *slog.Logger
	// Concurrency bounds the requests one client has in flight at once,
	// across all Push calls. 0 means the vendor's default.
	Concurrency int
	// TokenSource, when set, replaces the vendor's own access-token fetch.
	TokenSource oauth2.TokenSource
	// TokenStore, when set, shares access tokens between processes.
	TokenStore TokenStore
	// StrictLength refuses an over-long text instead of shortening it.
	StrictLength bool
	// DefaultTitle is the title used where a vendor requires one and the
	// message has none.
	DefaultTitle string
	// MisconfigGuard is the misconfiguration guard's threshold; <= 0 is off.
	MisconfigGuard int
}

// Retry is push.RetryPolicy, field for field (push converts one into the
// other; a test keeps them identical).
type Retry struct {
	MaxRetries             int
	MinBackoff, MaxBackoff time.Duration
	MaxRetryAfter          time.Duration
	RetryPossiblyDelivered bool
}

// TokenStore is push.TokenStore, method for method (a push.TokenStore is
// one).
type TokenStore interface {
	Get(ctx context.Context, key string) (*oauth2.Token, error)
	Put(ctx context.Context, key string, tok *oauth2.Token) error
	Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
	Invalidate(ctx context.Context, key, rejected string) error
}

// The production defaults.
const (
	DefaultTimeout        = 15 * time.Second
	DefaultMisconfigGuard = 10
)

// DefaultRetry returns the retry policy used when none is given: three
// retries with 200ms..5s jittered backoff, honouring Retry-After up to 10s.
func DefaultRetry() Retry {
	return Retry{MaxRetries: 3, MinBackoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second, MaxRetryAfter: 10 * time.Second}
}

// New applies opts (push.Option values) over the production defaults.
func New[O ~func(*Settings)](opts ...O) Settings {
	s := Settings{Retry: DefaultRetry(), Timeout: DefaultTimeout, MisconfigGuard: DefaultMisconfigGuard}
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	if s.Timeout <= 0 {
		s.Timeout = DefaultTimeout
	}
	if s.Retry.MaxRetries < 0 {
		s.Retry.MaxRetries = 0
	}
	return s
}

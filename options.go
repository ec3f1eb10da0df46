package push

import (
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push/internal/settings"
)

// Option configures a vendor client. Every vendor's New accepts the same
// options.
type Option func(*settings.Settings)

// RetryPolicy bounds retries of temporary failures (connection errors, 5xx,
// 429 and the vendors' own "busy" codes). Permanent errors are never retried.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt.
	// 0 disables retries.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the jittered exponential backoff.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps how long a vendor's Retry-After may make us wait
	// inside one Push; a longer wait is not slept but returned as
	// ErrRateLimited with VendorError.RetryAfter set.
	MaxRetryAfter time.Duration
	// RetryPossiblyDelivered also retries a request that may already have
	// reached the vendor (a timeout or a reset after its body was written)
	// when the vendor cannot deduplicate it: at-least-once delivery, where a
	// phone may show the notification twice. The default (false) is
	// at-most-once for such requests: the outcome fails with
	// VendorError.PossiblyDelivered set and the caller decides. Requests the
	// vendor deduplicates (Xiaomi jobkey, OPPO app_message_id, vivo
	// requestId) and auth requests are retried either way.
	RetryPossiblyDelivered bool
}

// DefaultRetry returns the policy used when WithRetry is not given: three
// retries with 200ms..5s jittered backoff, honouring Retry-After up to 10s.
// A function, so that no caller can change what another client gets.
func DefaultRetry() RetryPolicy { return RetryPolicy(settings.DefaultRetry()) }

// NoRetry returns the policy that disables retries.
func NoRetry() RetryPolicy { return RetryPolicy{} }

// DefaultTimeout bounds one HTTP attempt when WithTimeout is not given.
const DefaultTimeout = settings.DefaultTimeout

// WithHTTPClient sends requests through c (for proxies, custom TLS roots or
// HTTP/2 settings). The per-attempt timeout still applies.
func WithHTTPClient(c *http.Client) Option { return func(o *settings.Settings) { o.HTTPClient = c } }

// WithEndpoint sends every request of the client, auth included, to baseURL
// (scheme://host[:port]) instead of the vendor's hosts: for tests, proxies
// and regional hosts. Paths are kept.
func WithEndpoint(baseURL string) Option { return func(o *settings.Settings) { o.Endpoint = baseURL } }

// WithRetry sets the retry policy for temporary failures.
func WithRetry(p RetryPolicy) Option {
	return func(o *settings.Settings) { o.Retry = settings.Retry(p) }
}

// WithTimeout bounds each HTTP attempt: connecting, sending and reading
// the whole answer. An attempt it cuts is an ErrUnavailable whose cause is
// a net.Error with Timeout() true, never context.DeadlineExceeded, so it
// is not mistaken for the end of the caller's own context.
func WithTimeout(d time.Duration) Option { return func(o *settings.Settings) { o.Timeout = d } }

// WithLogger logs each HTTP attempt at debug level (never secrets or bodies).
func WithLogger(l *slog.Logger) Option { return func(o *settings.Settings) { o.Logger = l } }

// WithConcurrency bounds the requests a client has in flight at once.
func WithConcurrency(n int) Option { return func(o *settings.Settings) { o.Concurrency = n } }

// WithTokenSource replaces the vendor's own access-token fetch with ts, to
// share one token between several clients or processes. Ignored by vendors
// without access tokens (Xiaomi, Meizu).
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(o *settings.Settings) { o.TokenSource = ts }
}

// WithStrictLength refuses a Title or Desc longer than the vendor allows,
// or a message over the vendor's body limit, with ErrInvalidMessage instead
// of shortening the text to fit (the default: a chat message reaches the
// phone, its text cut at a character boundary and ended with "…").
func WithStrictLength() Option { return func(o *settings.Settings) { o.StrictLength = true } }

// WithDefaultTitle sets the title used where a vendor requires a title
// (Xiaomi, HarmonyOS, Honor, OPPO, vivo, Meizu) and the message has none:
// normally the app's name, as the phone would show it. Without it, such a
// message is titled with its own Desc. Vendors that accept an empty title
// send none.
func WithDefaultTitle(title string) Option {
	return func(o *settings.Settings) { o.DefaultTitle = title }
}

// DefaultMisconfigGuard is the misconfiguration guard's threshold when
// WithMisconfigGuard is not given.
const DefaultMisconfigGuard = settings.DefaultMisconfigGuard

// WithMisconfigGuard sets how many dead-token verdicts in a row, with no
// token accepted in between, a client reports as ErrInvalidToken before it
// reports further ones as ErrAuth naming the likely misconfiguration (a
// wrong APNs environment or topic, a wrong project id or package name make
// the vendor call every live token invalid). Any accepted token resets the
// count. An answer that declares more than n tokens invalid without
// accepting any is judged as a whole. n <= 0 turns the guard off: every
// verdict is reported as the vendor gave it. The default is
// DefaultMisconfigGuard.
func WithMisconfigGuard(n int) Option { return func(o *settings.Settings) { o.MisconfigGuard = n } }

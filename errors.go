package push

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The classes of failure. Every error this module returns, and every failed
// Outcome, matches exactly one of them with errors.Is (or a context error).
var (
	// ErrInvalidMessage: the message is wrong (empty Desc, bad click URL,
	// too large…). Fix the message; retrying cannot help.
	ErrInvalidMessage = errors.New("push: invalid message")
	// ErrInvalidToken: the vendor proved the device token unregistered,
	// malformed or expired. The caller deletes it. It is never used for an
	// app-level answer (wrong project, topic, environment or entitlement):
	// those are ErrAuth.
	ErrInvalidToken = errors.New("push: invalid device token")
	// ErrDisabled: the token is alive, but its user switched this app's
	// notifications off or unsubscribed (Meizu 110002/110010, OPPO 10001,
	// …). Keep the token: it works again when the user turns notifications
	// back on. Pushing again now will not help.
	ErrDisabled = errors.New("push: notifications disabled for this token")
	// ErrAuth: the vendor rejected the credentials (not a token problem).
	ErrAuth = errors.New("push: authentication failed")
	// ErrQuota: a daily quota is used up. Do not retry today.
	ErrQuota = errors.New("push: quota exceeded")
	// ErrRateLimited: the vendor asks us to slow down. Retry later
	// (VendorError.RetryAfter says when, if the vendor said).
	ErrRateLimited = errors.New("push: rate limited")
	// ErrUnavailable: a vendor-side or network failure that outlasted our
	// retries. A later retry may succeed.
	ErrUnavailable = errors.New("push: vendor unavailable")
	// ErrConfig: the client configuration is invalid (returned by New).
	ErrConfig = errors.New("push: invalid configuration")
)

// VendorError is a failure reported by a vendor, or met on the way to it.
// Unwrap returns the matching Err* sentinel (and the underlying cause, if
// any), so errors.Is(err, ErrInvalidToken) works on it.
type VendorError struct {
	Vendor     Vendor
	HTTPStatus int    // 0 when no HTTP answer was read
	Code       string // the vendor's own code, as text
	Message    string // the vendor's own message
	// RetryAfter is the wait the vendor asked for (Retry-After), if any.
	RetryAfter time.Duration
	// PossiblyDelivered is set when the request may have reached the vendor
	// before it failed (a timeout or reset after the body was written) and it
	// was not retried because the vendor cannot deduplicate it. Retrying it
	// may show the notification twice; the caller decides.
	PossiblyDelivered bool
	// Kind is the sentinel this error belongs to (ErrInvalidToken, …).
	Kind error
	// Cause is the underlying error, such as a network error.
	Cause error
}

func (e *VendorError) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Vendor))
	b.WriteString(": ")
	kind := e.Kind
	if kind == nil {
		kind = ErrUnavailable
	}
	b.WriteString(strings.TrimPrefix(kind.Error(), "push: "))
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.HTTPStatus)
		if e.Code != "" {
			fmt.Fprintf(&b, ", code %s", e.Code)
		}
		b.WriteString(")")
	} else if e.Code != "" {
		fmt.Fprintf(&b, " (code %s)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.PossiblyDelivered {
		b.WriteString(" (possibly delivered)")
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause.
func (e *VendorError) Unwrap() []error {
	kind := e.Kind
	if kind == nil {
		kind = ErrUnavailable
	}
	if e.Cause != nil {
		return []error{kind, e.Cause}
	}
	return []error{kind}
}

// IsRetryable reports whether a later retry of the same push could succeed:
// rate limits and temporary failures, but not invalid tokens, messages,
// credentials, switched-off notifications or a used-up quota.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	return errors.Is(err, ErrRateLimited) || errors.Is(err, ErrUnavailable) ||
		errors.Is(err, context.DeadlineExceeded)
}

// FieldError names an input field and the rule it broke. It unwraps to
// ErrInvalidMessage or ErrConfig.
type FieldError struct {
	Kind   error
	Vendor Vendor // empty for vendor-neutral rules
	Field  string
	Rule   string
}

func (e *FieldError) Error() string {
	prefix := "push"
	if e.Vendor != "" {
		prefix = string(e.Vendor)
	}
	what := "invalid message"
	if e.Kind == ErrConfig {
		what = "invalid config"
	}
	return fmt.Sprintf("%s: %s: %s %s", prefix, what, e.Field, e.Rule)
}

func (e *FieldError) Unwrap() error { return e.Kind }

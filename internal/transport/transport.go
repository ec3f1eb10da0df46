// Package transport is the one HTTP path every vendor client uses: endpoint
// override, bounded concurrency, jittered retries of temporary failures that
// honour Retry-After, a per-attempt timeout, size-limited response bodies and
// debug logging that never carries secrets. It is built on go-retryablehttp.
package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/offlinepush/push/internal/httpdump"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/settings"
)

// MaxResponseBytes bounds how much of a vendor answer is read. Vendor
// answers are small; anything larger is a broken or hostile endpoint.
const MaxResponseBytes = 1 << 20

// Request is one vendor HTTP call.
type Request struct {
	Method string // default POST
	// URL is the vendor's absolute URL; WithEndpoint replaces its scheme and host.
	URL    string
	Header http.Header
	Body   []byte
	// Idempotent marks a request the vendor deduplicates (vivo requestId,
	// OPPO app_message_id) or one without side effects (auth). Only such a
	// request is retried after it may have reached the vendor (a timeout or
	// reset after the body was written).
	Idempotent bool
	// Auth marks an access-token request: it does not count against the
	// client's concurrency bound, so sends waiting for a token cannot starve
	// the fetch.
	Auth bool
	// Busy, when set, is asked about every 2xx answer; true marks a vendor
	// "busy, try again" code inside a successful HTTP answer as retryable.
	// To find the code it has to parse the answer, so it hands back what it
	// parsed (nil if nothing): the final answer's reaches the vendor's
	// decoder as Response.Parsed, and the answer is parsed once, not twice.
	Busy func(body []byte) (busy bool, parsed any)
}

// Response is a vendor's HTTP answer, body fully read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Parsed is what Request.Busy parsed from Body (nil when it was not
	// called or parsed nothing).
	Parsed any
}

// Client sends Requests. It is safe for concurrent use.
type Client struct {
	vendor   push.Vendor
	rc       *retryablehttp.Client
	endpoint *url.URL
	prefix   string // scheme://host/path of endpoint
	log      *slog.Logger
	retry    settings.Retry
	sem      chan struct{}

	attempts atomic.Int64 // HTTP attempts made, for tests and benchmarks
	secrets  [][]byte     // credentials an answer must never carry back (see Redact)
	// secretText is secrets as strings, to look for them in header values
	// without a conversion per value.
	secretText []string
}

// Redact registers credentials the client sends (AppSecret, MasterSecret,
// client secret…). An answer that quotes the request — a broken proxy, a
// vendor echoing it — has them, and the request's own credential headers,
// replaced before any decoder, error or log sees it. Call it from New,
// before the client is used.
func (c *Client) Redact(secrets ...string) {
	for _, s := range secrets {
		c.secrets = appendForms(c.secrets, s)
	}
	c.secretText = c.secretText[:0]
	for _, s := range c.secrets {
		c.secretText = append(c.secretText, string(s))
	}
}

// minSecret is the shortest value redacted: a shorter one (seen only in
// tests) would blank out ordinary text.
const minSecret = 6

// appendForms adds s as it may appear in an answer: raw, form-escaped and
// JSON-escaped.
func appendForms(out [][]byte, s string) [][]byte {
	if len(s) < minSecret {
		return out
	}
	q, _ := json.Marshal(s)
	for _, f := range []string{s, url.QueryEscape(s), string(q[1 : len(q)-1])} {
		if !slices.ContainsFunc(out, func(b []byte) bool { return string(b) == f }) {
			out = append(out, []byte(f))
		}
	}
	return out
}

// redact replaces every credential of the client and of this request in an
// answer body. It allocates only when it finds one: it runs on every answer.
func (c *Client) redact(r *Request, body []byte) []byte {
	for _, sec := range c.secrets {
		if bytes.Contains(body, sec) {
			body = bytes.ReplaceAll(body, sec, []byte("<redacted>"))
		}
	}
	for h, vs := range r.Header {
		if !httpdump.Credential(h) {
			continue
		}
		for _, v := range vs {
			body = redactCredential(body, v)
			if _, cred, ok := strings.Cut(v, " "); ok { // "Bearer <token>"
				body = redactCredential(body, cred)
			} else if _, cred, ok := strings.Cut(v, "="); ok { // "key=<secret>"
				body = redactCredential(body, cred)
			}
		}
	}
	return body
}

// redactHeader redacts every value of an answer's header in place (the
// header is the answer's own): a proxy can reflect a credential into any of
// them — Content-Type on an HTML page reaches the error text, apns-id the
// outcome. It runs on every answer, so a value is converted and searched
// byte-wise only when a string search says it may hold a credential.
func (c *Client) redactHeader(r *Request, h http.Header) {
	for _, vs := range h {
		for i, v := range vs {
			if c.mayHold(r, v) {
				vs[i] = string(c.redact(r, []byte(v)))
			}
		}
	}
}

// mayHold reports whether v may hold a credential redact replaces: one of
// the client's secrets, or a credential of r raw or (from its first byte to
// escape on) in an escaped form.
func (c *Client) mayHold(r *Request, v string) bool {
	if len(v) < minSecret {
		return false
	}
	for _, sec := range c.secretText {
		if strings.Contains(v, sec) {
			return true
		}
	}
	for h, vs := range r.Header {
		if !httpdump.Credential(h) {
			continue
		}
		for _, cv := range vs {
			creds := [2]string{cv}
			if _, cred, ok := strings.Cut(cv, " "); ok {
				creds[1] = cred
			} else if _, cred, ok := strings.Cut(cv, "="); ok {
				creds[1] = cred
			}
			for _, cred := range creds {
				if len(cred) < minSecret {
					continue
				}
				if strings.Contains(v, cred) {
					return true
				}
				if i := strings.IndexFunc(cred, needsEscape); i >= 0 && strings.Contains(v, cred[:i]) {
					return true
				}
			}
		}
	}
	return false
}

// redactCredential replaces cred in body, raw or in the escaped forms it
// takes in a form or JSON (computed only when they differ from the raw).
func redactCredential(body []byte, cred string) []byte {
	if len(cred) < minSecret || len(body) < len(cred) {
		return body
	}
	if raw := []byte(cred); bytes.Contains(body, raw) {
		body = bytes.ReplaceAll(body, raw, []byte("<redacted>"))
	}
	// Escaped forms differ from the raw only from cred's first byte to
	// escape, i, on; both keep cred[:i] as is. Building them allocates and
	// this runs on every answer, so only a body holding cred[:i] is
	// searched for them.
	if i := strings.IndexFunc(cred, needsEscape); i >= 0 && bytes.Contains(body, []byte(cred[:i])) {
		for _, f := range appendForms(nil, cred)[1:] {
			if bytes.Contains(body, f) {
				body = bytes.ReplaceAll(body, f, []byte("<redacted>"))
			}
		}
	}
	return body
}

// needsEscape reports a rune a form or JSON would write differently.
func needsEscape(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '~')
}

var defaultTransport = newDefaultTransport()

func newDefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	t.ForceAttemptHTTP2 = true
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return t
}

// New builds a Client for vendor from the resolved options.
// defaultConcurrency applies when o.Concurrency is 0.
func New(vendor push.Vendor, o settings.Settings, defaultConcurrency int) (*Client, error) {
	c := &Client{vendor: vendor, retry: o.Retry, log: o.Logger}
	if o.Endpoint != "" {
		u, err := url.Parse(o.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, reject.Config(vendor, "WithEndpoint", "must be an absolute http(s) URL such as https://proxy.example.com")
		}
		u.Path, u.RawPath = strings.TrimSuffix(u.Path, "/"), strings.TrimSuffix(u.RawPath, "/")
		c.endpoint = u
		c.prefix = u.Scheme + "://" + u.Host + u.EscapedPath()
	}
	n := o.Concurrency
	if n <= 0 {
		n = defaultConcurrency
	}
	if n <= 0 {
		n = 8
	}
	c.sem = make(chan struct{}, n)

	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	} else {
		hc.Transport = defaultTransport
	}
	// The per-attempt timeout is a context deadline set in attempts'
	// RoundTrip: http.Client.Timeout would do the same at three times the
	// allocations (it runs on every request of the hot path).
	hc.Timeout = 0
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = attempts{base: base, timeout: o.Timeout, traced: reportsConn(base)}
	// Vendor APIs do not redirect; following one could carry credentials to
	// another host, so the redirect answer itself is returned.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	c.rc = &retryablehttp.Client{
		HTTPClient:     &hc,
		RetryWaitMin:   o.Retry.MinBackoff,
		RetryWaitMax:   o.Retry.MaxBackoff,
		RetryMax:       o.Retry.MaxRetries,
		CheckRetry:     c.checkRetry,
		Backoff:        backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.beforeAttempt,
	}
	return c, nil
}

// Concurrency is the bound on requests in flight.
func (c *Client) Concurrency() int { return cap(c.sem) }

// Attempts returns the number of HTTP attempts made so far.
func (c *Client) Attempts() int64 { return c.attempts.Load() }

// attempt is the per-request state the hooks share across its attempts.
// The retry loop runs the hooks one after another; only the "written" flag
// is set from the HTTP client's own goroutines, so each try gets its own.
type attempt struct {
	req     *Request
	n       int // attempt number, from 0
	cur     atomic.Pointer[try]
	body    []byte
	parsed  any // what req.Busy parsed from body
	readErr error
	start   time.Time
	resp    Response
}

// try is one HTTP attempt.
type try struct {
	conn      atomic.Bool // GotConn was called
	handshake atomic.Bool // a TLS handshake for it failed (TLSHandshakeDone with an error)
	traced    bool        // the transport reports GotConn (a net/http *Transport)
}

// mayHaveSent reports whether the current attempt, which failed with err,
// may have reached the vendor. A net/http *Transport reports the connection
// (GotConn) before it writes a byte of the request, so through one an
// attempt that never got a connection sent nothing, whatever failed: a
// refused dial, DNS, a TLS handshake or certificate, a plain-HTTP answer to
// HTTPS, the per-attempt timeout during the dial. Through any other
// transport a missing report proves nothing, and only an error that can
// only be met while connecting says so. Write completion is no guide: HTTP/2
// reports it from another goroutine, sometimes after the failure.
func (a *attempt) mayHaveSent(err error) bool {
	if t := a.cur.Load(); t != nil {
		if t.conn.Load() {
			return true
		}
		if t.traced {
			return false
		}
	}
	return !preConnect(err)
}

// preConnect reports an error that can only be met while making a
// connection, before any request byte is written.
func preConnect(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	var alert tls.AlertError // QUIC only: over TCP a handshake alert is a *net.OpError, met after the handshake too
	var rec tls.RecordHeaderError
	return errors.As(err, &dns) || errors.As(err, &alert) ||
		errors.As(err, &rec) && rec.Conn != nil || // Conn is set only for the first record: the handshake
		certificateError(err) || errors.Is(err, http.ErrSchemeMismatch)
}

// certificateError reports a failed verification of the server's
// certificate: met only during the handshake.
func certificateError(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci)
}

// tlsFailure is a TLS setup that failed in a way a retry cannot mend: the
// same server answers the same way until someone changes something (a root
// certificate, a proxy, the clock, the endpoint's scheme).
type tlsFailure int

const (
	noTLSFailure   tlsFailure = iota
	tlsCertificate            // the server's certificate did not verify
	tlsPlainHTTP              // the server answered plain HTTP to HTTPS
	tlsHandshake              // the handshake failed otherwise: an alert, no common version or cipher, not TLS at all
)

// tlsFailure classifies err, the failure of the current attempt. A
// handshake cut by the network (reset, EOF, timeout) is not one: it is
// retried like any failed dial.
func (a *attempt) tlsFailure(err error) tlsFailure {
	switch {
	case certificateError(err):
		return tlsCertificate
	case errors.Is(err, http.ErrSchemeMismatch):
		return tlsPlainHTTP
	}
	if rec := (tls.RecordHeaderError{}); errors.As(err, &rec) && rec.Conn != nil {
		return tlsHandshake // the first record was not TLS
	}
	if t := a.cur.Load(); t != nil && t.handshake.Load() && !t.conn.Load() && !networkCut(err) {
		return tlsHandshake
	}
	return noTLSFailure
}

// networkCut reports a failure of the network itself (a timeout, a reset, a
// connection closed early, a cancelled context), which a retry may not meet.
func networkCut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// tlsError is the error of an attempt that failed f: ErrUnavailable (the
// vendor could not be reached; the token and the credentials are not in
// question), never possibly delivered, with the cause named.
func (c *Client) tlsError(f tlsFailure, r *Request, err error) *push.VendorError {
	host := c.URL(r.URL)
	if u, perr := url.Parse(host); perr == nil && u.Host != "" {
		host = u.Host
	}
	cause := err
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		cause = ue.Err // without the method and URL: the host is named
	}
	text := cause.Error()
	var msg string
	switch f {
	case tlsCertificate:
		msg = "TLS certificate verification failed for " + host
		if cv := (*tls.CertificateVerificationError)(nil); errors.As(cause, &cv) && cv.Err != nil {
			text = cv.Err.Error() // "x509: …", without "tls: failed to verify certificate"
		}
	case tlsPlainHTTP:
		msg = host + " answered plain HTTP to an HTTPS request"
	default:
		msg = "TLS handshake with " + host + " failed"
	}
	return &push.VendorError{Vendor: c.vendor, Kind: push.ErrUnavailable, Message: msg,
		Cause: unsentError{err: cause, text: text}}
}

// unsentError is the cause of a request known not to have been sent: its
// text says so, and it unwraps to the underlying error (errors.As finds a
// *tls.CertificateVerificationError in it).
type unsentError struct {
	err  error
	text string
}

func (e unsentError) Error() string { return e.text + " (nothing was sent)" }
func (e unsentError) Unwrap() error { return e.err }

// attempts wraps every HTTP attempt: it bounds it by the per-attempt
// timeout (headers and body) and installs a fresh connection tracker.
type attempts struct {
	base    http.RoundTripper
	timeout time.Duration
	traced  bool // base is a *http.Transport, which reports GotConn
}

// ErrAttemptTimeout is the cause of an attempt that outlived the
// per-attempt timeout (WithTimeout). It is a net.Error whose Timeout is
// true, and it is not context.DeadlineExceeded: the caller's context did
// not end.
var ErrAttemptTimeout error = attemptTimeout{}

type attemptTimeout struct{}

func (attemptTimeout) Error() string   { return "per-attempt timeout exceeded" }
func (attemptTimeout) Timeout() bool   { return true }
func (attemptTimeout) Temporary() bool { return true }

func (t attempts) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	if st, ok := ctx.Value(attemptKey{}).(*attempt); ok {
		cur := &try{traced: t.traced}
		st.cur.Store(cur)
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { cur.conn.Store(true) }, // called before anything is written
			TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
				if err != nil {
					cur.handshake.Store(true)
				}
			},
		})
	}
	cancel := context.CancelFunc(func() {})
	if t.timeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, t.timeout, ErrAttemptTimeout)
	}
	resp, err := t.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		if context.Cause(ctx) == ErrAttemptTimeout {
			err = ErrAttemptTimeout
		}
		cancel()
		return nil, err
	}
	resp.Body = &attemptBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel}
	return resp, nil
}

// attemptBody ends the attempt's deadline when the body is closed, and
// reports a body read cut by the deadline as ErrAttemptTimeout.
type attemptBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelFunc
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && context.Cause(b.ctx) == ErrAttemptTimeout {
		err = ErrAttemptTimeout
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

type attemptKey struct{}

// URL applies the endpoint override to a vendor URL: the endpoint's
// scheme://host/path replaces the vendor's scheme://host, and the vendor's
// path and query follow as written (escapes kept). It runs on every
// request, so it splices strings rather than parse a URL.
func (c *Client) URL(vendorURL string) string {
	if c.endpoint == nil {
		return vendorURL
	}
	_, rest, ok := strings.Cut(vendorURL, "://")
	if !ok {
		return vendorURL
	}
	tail := ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		tail = rest[i:]
	}
	return c.prefix + tail
}

// Do sends r, retrying temporary failures under the policy. It returns the
// final HTTP answer whatever its status (the vendor package decodes it), or
// an error when no answer was had: a *push.VendorError of kind
// ErrUnavailable, or the context's error. A failed TLS setup (certificate,
// handshake, plain-HTTP answer) is ErrUnavailable too — the vendor was not
// reached; neither the token nor the credentials are in question — never
// possibly delivered, and not retried: the same server answers the same way
// until its certificate, a proxy, the clock or the endpoint changes.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", c.vendor, err)
	}
	if !r.Auth {
		select {
		case c.sem <- struct{}{}:
			defer func() { <-c.sem }()
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: %w", c.vendor, ctx.Err())
		}
	}
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	st := &attempt{req: r, n: -1}
	// st holds the Response too: one allocation fewer on the hot path.
	ctx = context.WithValue(ctx, attemptKey{}, st)
	req, err := retryablehttp.NewRequestWithContext(ctx, method, c.URL(r.URL), r.Body)
	if err != nil {
		return nil, &push.VendorError{Vendor: c.vendor, Kind: push.ErrUnavailable, Message: "building the request failed", Cause: err}
	}
	if r.Header != nil {
		// Used as is, not copied: nothing on the way (retryablehttp,
		// net/http's client and transports) writes to a request's header.
		req.Header = r.Header
	}
	resp, err := c.rc.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s: %w", c.vendor, ctxErr)
		}
		if f := st.tlsFailure(err); f != noTLSFailure {
			return nil, c.tlsError(f, r, err)
		}
		// Possibly delivered even where the vendor dedupes: it dedupes a resend
		// with the same key, which a caller's retry has only with the same ID.
		return nil, &push.VendorError{Vendor: c.vendor, Kind: push.ErrUnavailable, Cause: scrub(err),
			PossiblyDelivered: st.mayHaveSent(err) && !r.Auth}
	}
	if unexpectedType(resp) {
		return nil, &push.VendorError{Vendor: c.vendor, HTTPStatus: resp.StatusCode, Kind: push.ErrUnavailable,
			Message:           "unexpected answer of type " + snippet([]byte(resp.Header.Get("Content-Type"))) + " (a proxy or captive portal?): " + snippet(st.body),
			PossiblyDelivered: !r.Auth}
	}
	if st.readErr != nil {
		return nil, &push.VendorError{Vendor: c.vendor, HTTPStatus: resp.StatusCode, Kind: push.ErrUnavailable,
			Message: "reading the answer failed", Cause: scrub(st.readErr), PossiblyDelivered: !r.Auth}
	}
	st.resp = Response{Status: resp.StatusCode, Header: resp.Header, Body: st.body, Parsed: st.parsed}
	return &st.resp, nil
}

func (c *Client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, n int) {
	c.attempts.Add(1)
	if st, ok := req.Context().Value(attemptKey{}).(*attempt); ok {
		st.n, st.body, st.parsed, st.readErr, st.start = n, nil, nil, nil, time.Now()
		st.cur.Store(nil)
	}
}

// readBody reads an answer of at most MaxResponseBytes, in one allocation
// when the length is announced (io.ReadAll would grow its buffer in steps).
func readBody(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n < 0 || n > MaxResponseBytes {
		n = 512
	}
	buf := make([]byte, 0, n+1) // +1: EOF is seen without growing
	for {
		if len(buf) == cap(buf) {
			if len(buf) > MaxResponseBytes {
				return buf, fmt.Errorf("answer larger than %d bytes", MaxResponseBytes)
			}
			buf = slices.Grow(buf, len(buf)) // doubles
		}
		k, err := resp.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			if len(buf) > MaxResponseBytes {
				return buf, fmt.Errorf("answer larger than %d bytes", MaxResponseBytes)
			}
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// checkRetry decides, after each attempt, whether to try again. It reads the
// body here so that a vendor "busy" code inside a 200 can be retried too.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st, _ := ctx.Value(attemptKey{}).(*attempt)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		retry := st != nil && (!st.mayHaveSent(err) || st.req.Idempotent || c.retry.RetryPossiblyDelivered) &&
			retryableNetErr(err) && st.tlsFailure(err) == noTLSFailure
		c.logAttempt(ctx, st, 0, err, retry)
		return retry, err
	}
	body, rerr := readBody(resp)
	resp.Body.Close()
	resp.Body = http.NoBody // read: the retry loop may drain it
	if st != nil {
		body = c.redact(st.req, body)
		c.redactHeader(st.req, resp.Header)
		st.body, st.readErr = body, rerr
	}
	retry := false
	switch {
	case rerr != nil:
		retry = st != nil && st.req.Idempotent
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		retry = true
		if ra := RetryAfter(resp.Header); ra > 0 && ra > c.retry.MaxRetryAfter {
			retry = false // longer than we may wait: hand it to the caller
		}
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && st != nil && st.req.Busy != nil:
		retry, st.parsed = st.req.Busy(body)
	}
	c.logAttempt(ctx, st, resp.StatusCode, rerr, retry)
	return retry, nil
}

func (c *Client) logAttempt(ctx context.Context, st *attempt, status int, err error, retry bool) {
	if c.log == nil || !c.log.Enabled(ctx, slog.LevelDebug) || st == nil {
		return
	}
	u, _ := url.Parse(c.URL(st.req.URL))
	attrs := []slog.Attr{
		slog.String("vendor", string(c.vendor)),
		slog.String("host", u.Host),
		slog.String("path", u.EscapedPath()), // never the query
		slog.Int("attempt", st.n+1),
		slog.Int("status", status),
		slog.Duration("elapsed", time.Since(st.start)),
		slog.Bool("retry", retry),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", scrub(err).Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "push http attempt", attrs...)
}

// backoff is full-jitter exponential backoff; a Retry-After answer wins.
func backoff(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
	if resp != nil {
		if ra := RetryAfter(resp.Header); ra > 0 {
			return ra
		}
	}
	if lo <= 0 {
		lo = 100 * time.Millisecond
	}
	if hi < lo {
		hi = lo
	}
	d := lo << min(n, 20)
	if d > hi || d <= 0 {
		d = hi
	}
	return d/2 + rand.N(d/2+1)
}

// unexpectedType reports a successful answer that is an HTML page: vendors
// answer JSON (or nothing), so such a page comes from something in between.
func unexpectedType(resp *http.Response) bool {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return false // the status already says what went wrong
	}
	mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";") // mime.ParseMediaType allocates a map
	mt = strings.TrimSpace(mt)
	return strings.EqualFold(mt, "text/html") || strings.EqualFold(mt, "application/xhtml+xml")
}

// RetryAfterLimit bounds a Retry-After as read. The vendors' quotas reset
// daily, so a longer wait (or a number too large for a time.Duration, which
// would wrap to a few milliseconds) is a broken or hostile answer: it is
// clamped here, never wrapped.
const RetryAfterLimit = 24 * time.Hour

// RetryAfter parses a Retry-After header: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3), clamped to [0, RetryAfterLimit]. A value in the past,
// a negative number or one that is neither form is 0 (none).
func RetryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	digits, neg := v, false
	if digits[0] == '+' || digits[0] == '-' {
		digits, neg = digits[1:], digits[0] == '-'
	}
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		if neg {
			return 0
		}
		// Only digits: ParseUint fails on overflow alone, which is "very long".
		s, err := strconv.ParseUint(digits, 10, 64)
		if err != nil || s > uint64(RetryAfterLimit/time.Second) {
			return RetryAfterLimit
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		// time.Until saturates rather than wraps for a far date.
		return min(max(time.Until(t), 0), RetryAfterLimit)
	}
	return 0
}

func retryableNetErr(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) {
		// a malformed URL or an unsupported scheme will not get better
		if strings.Contains(ue.Err.Error(), "unsupported protocol scheme") {
			return false
		}
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			return false
		}
	}
	return true
}

// scrub drops the URL query from *url.Error texts: a query could carry a
// credential, and errors end up in logs.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.RawQuery != "" {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// StatusError maps a non-2xx HTTP answer to a VendorError with the usual
// meaning of its status: 401/403 ErrAuth, 429 ErrRateLimited (with
// Retry-After), 5xx ErrUnavailable, 413 and other 4xx ErrInvalidMessage.
// Vendor packages use it when the body carries nothing more specific.
func StatusError(vendor push.Vendor, r *Response, code, msg string) *push.VendorError {
	e := &push.VendorError{Vendor: vendor, HTTPStatus: r.Status, Code: code, Message: msg}
	switch {
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden:
		e.Kind = push.ErrAuth
	case r.Status == http.StatusTooManyRequests:
		e.Kind = push.ErrRateLimited
		e.RetryAfter = RetryAfter(r.Header)
	case r.Status >= 500:
		e.Kind = push.ErrUnavailable
		e.RetryAfter = RetryAfter(r.Header)
	case r.Status >= 300 && r.Status < 400:
		e.Kind = push.ErrUnavailable
		if e.Message == "" {
			e.Message = "unexpected redirect (not followed)"
		}
	default:
		e.Kind = push.ErrInvalidMessage
	}
	if e.Message == "" {
		e.Message = snippet(r.Body)
	}
	return e
}

// snippet returns a short, printable start of a body for error messages.
func snippet(b []byte) string {
	const max = 120
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// BusyJSON makes a Request.Busy for answers that are JSON of type T: it
// parses a 2xx answer once, asks isBusy about it, and hands the parse on to
// DecodeJSON. An answer that does not parse is not busy; one that parses
// with a field of an unexpected type (an *json.UnmarshalTypeError: the rest
// is filled in) is still asked about, since its code may say busy.
func BusyJSON[T any](isBusy func(*T) bool) func(body []byte) (bool, any) {
	return func(body []byte) (bool, any) {
		p := &parsed[T]{}
		p.err = json.Unmarshal(body, &p.v)
		var te *json.UnmarshalTypeError
		if p.err != nil && !errors.As(p.err, &te) {
			return false, nil
		}
		return isBusy(&p.v), p
	}
}

// parsed is what BusyJSON hands on: the value and json.Unmarshal's error.
type parsed[T any] struct {
	v   T
	err error
}

// DecodeJSON returns r's body as a T and json.Unmarshal's error (with
// whatever it filled in before or despite failing): BusyJSON's parse when it
// ran on this very answer, else a fresh one.
func DecodeJSON[T any](r *Response) (*T, error) {
	if p, ok := r.Parsed.(*parsed[T]); ok {
		return &p.v, p.err
	}
	v := new(T)
	return v, json.Unmarshal(r.Body, v)
}

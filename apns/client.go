package apns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/client"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/transport"
)

// Hosts. Device tokens belong to one environment: a token of a development
// build sent to production (or the reverse) is answered BadDeviceToken.
const (
	HostProduction = "https://api.push.apple.com"
	HostSandbox    = "https://api.sandbox.push.apple.com"
)

// DevicePath is the send endpoint; the hex device token follows it.
const DevicePath = "/3/device/"

// Limits and timings Apple documents.
const (
	// MaxPayload is the largest payload APNs takes for an alert push;
	// larger is answered 413 PayloadTooLarge, so texts are shortened to fit.
	MaxPayload = 4096
	// MaxCollapseID bounds apns-collapse-id, in bytes.
	MaxCollapseID = 64
	// MaxTTL caps apns-expiration: APNs stores a notification for an offline
	// device for a limited time (about 30 days per the reference; UNVERIFIED,
	// so a longer TTL is capped rather than sent).
	MaxTTL = 30 * 24 * time.Hour
	// TokenLifetime is how long one provider token is used before it is
	// re-signed: under Apple's one-hour limit, over its 20-minute minimum.
	TokenLifetime = 50 * time.Minute
	// MinTokenAge is the shortest time between two provider tokens Apple
	// accepts; a newer one is answered 429 TooManyProviderTokenUpdates.
	MinTokenAge = 20 * time.Minute
	// DefaultConcurrency is the default number of requests in flight: one
	// token per request, multiplexed on an HTTP/2 connection.
	DefaultConcurrency = 64
	// MaxConns bounds the connections of the client New builds: APNs takes
	// many concurrent streams per connection (how many depends on its load),
	// so a second connection opens only when every stream of the first is in
	// use.
	MaxConns = 4
)

// Priorities (apns-priority). An alert push normally uses PriorityHigh.
const (
	PriorityHigh   = 10 // deliver now
	PriorityNormal = 5  // the device may delay it to save power
	PriorityLow    = 1  // lowest; may be grouped and delivered later
)

// Config holds one APNs signing key and the app it pushes to.
type Config struct {
	// TeamID is the 10-character Apple developer team id (the JWT "iss").
	// Required.
	TeamID string
	// KeyID is the 10-character id of the .p8 key (the JWT "kid"). Required.
	KeyID string
	// PrivateKey is the content of the .p8 file: a PEM "PRIVATE KEY"
	// (PKCS#8, ECDSA P-256). Required. It is parsed by New and never printed.
	PrivateKey []byte
	// Topic is the app's bundle id (apns-topic). Required.
	Topic string
	// Sandbox sends to the development environment
	// (api.sandbox.push.apple.com), for apps built with a development
	// provisioning profile. False sends to production.
	Sandbox bool
	// Click is the default tap action. On iOS only ClickOpenURL has an
	// effect: its URL travels as the top-level payload key "url".
	Click push.ClickAction
	// Priority is apns-priority: PriorityHigh (10, the default when 0),
	// PriorityNormal (5) or PriorityLow (1).
	Priority int
	// MutableContent sets aps.mutable-content = 1, so the app's Notification
	// Service Extension may change the notification before it is shown.
	// False leaves it out (the extension does not run).
	MutableContent bool
	// TTL is the default storage time for an offline device when the message
	// has none. Zero sends no apns-expiration: APNs then stores the
	// notification under its own policy.
	TTL time.Duration
}

// String masks the private key, so a Config never prints it.
func (c Config) String() string {
	return fmt.Sprintf("apns.Config{TeamID:%q KeyID:%q Topic:%q Sandbox:%t Priority:%d MutableContent:%t TTL:%s PrivateKey:%s}",
		c.TeamID, c.KeyID, c.Topic, c.Sandbox, c.Priority, c.MutableContent, c.TTL, secret.Mask(c.PrivateKey))
}

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one app with one signing key. It is safe for concurrent
// use and meant to be long-lived: it keeps its HTTP/2 connection open, as
// Apple asks (frequent reconnects are treated as a denial-of-service attack).
type Client struct {
	base           // Vendor, String, GoString, Format: never a secret
	cfg     Config // PrivateKey cleared; the parsed key lives in signer
	host    string
	kit     client.Kit   // options, transport, misconfiguration guard
	hc      *http.Client // the default HTTP client built by New, nil when WithHTTPClient was given
	auth    *auth.Cache
	signer  *signer
	headers http.Header // the headers every request of this client carries
	clock   atomic.Pointer[func() time.Time]
	bearer  *auth.Header // the Authorization of the latest JWT
}

type base = client.Base

// New validates cfg, parses the private key and builds a client. It does no
// I/O: the connection is opened by the first Push.
//
// Without push.WithHTTPClient, each Client gets its own HTTP/2 transport
// (see NewHTTPClient): a connection must only carry tokens of one team.
// A shared *http.Client given with WithHTTPClient should be HTTP/2-capable
// and used for one team only.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.APNs
	if err := checkID(cfg.TeamID); err != nil {
		return nil, reject.Config(v, "TeamID", err.Error())
	}
	if err := checkID(cfg.KeyID); err != nil {
		return nil, reject.Config(v, "KeyID", err.Error())
	}
	if len(bytes.TrimSpace(cfg.PrivateKey)) == 0 {
		return nil, reject.Config(v, "PrivateKey", "is required (the content of the .p8 key file)")
	}
	key, err := parseKey(cfg.PrivateKey)
	if err != nil {
		return nil, reject.Config(v, "PrivateKey", err.Error())
	}
	if err := checkTopic(cfg.Topic); err != nil {
		return nil, reject.Config(v, "Topic", err.Error())
	}
	switch cfg.Priority {
	case 0:
		cfg.Priority = PriorityHigh
	case PriorityHigh, PriorityNormal, PriorityLow:
	default:
		return nil, reject.Config(v, "Priority", "must be 10, 5 or 1 (0 means 10)")
	}
	if cfg.TTL < 0 {
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	cfg.PrivateKey = nil

	o := settings.New(opts...)
	c := &Client{cfg: cfg, host: HostProduction, kit: client.Kit{Opts: o}, bearer: auth.NewHeader(bearer)}
	if cfg.Sandbox {
		c.host = HostSandbox
	}
	c.base = client.Named(v, fmt.Sprintf("apns.Client{Topic:%s TeamID:%s KeyID:%s Host:%s}", cfg.Topic, cfg.TeamID, cfg.KeyID, c.host))
	if o.HTTPClient == nil {
		c.hc = NewHTTPClient()
		o.HTTPClient = c.hc
	}
	if c.kit.HTTP, err = transport.New(v, o, DefaultConcurrency); err != nil {
		return nil, err
	}
	c.signer = newSigner(key, cfg.KeyID, cfg.TeamID, c.now)
	// early = 0: the token's Expiry is already iat + TokenLifetime.
	c.auth = auth.For(o, "apns/"+cfg.TeamID+"/"+cfg.KeyID, auth.SourceFunc(c.signer.Fetch), 0)
	c.headers = http.Header{
		"Content-Type":   {"application/json"},
		"Apns-Topic":     {cfg.Topic},
		"Apns-Push-Type": {"alert"},
		"Apns-Priority":  {strconv.Itoa(cfg.Priority)},
	}
	// What a client whose every token is "invalid" should check.
	c.kit.Guard = batch.NewGuard(v, o.MisconfigGuard, "Config.Sandbox: true for the tokens of a development build, "+
		"false for TestFlight and App Store builds; and Config.Topic: the app's bundle id")
	return c, nil
}

// NewHTTPClient returns the HTTP client New uses when push.WithHTTPClient is
// not given: its own connections, TLS 1.2 or later, HTTP/2, and HTTP/2 PING
// health checks so that a long-lived client notices a dead connection (no
// frame for 15 s: ping; no answer in 15 s: close) instead of hanging on it.
//
// Apple asks for few, long-lived connections and treats connection churn as
// abuse, so the client's connections are pooled (internal/transport.Pool):
// one dial at a time, shared by the requests that wait for it; requests
// wait for a free stream rather than open more connections (APNs allows one
// stream until a connection's first authenticated request); at most
// MaxConns connections, a second only when the streams of the first are all
// in use; and reconnects after a GOAWAY or a failed dial back off. A client
// given with WithHTTPClient manages its connections its own way.
func NewHTTPClient() *http.Client {
	t := transport.NewHTTP2Transport()
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true) // only for a plain-HTTP proxy given with WithEndpoint; APNs itself negotiates h2
	t.Protocols.SetHTTP2(true)
	t.MaxIdleConnsPerHost = 4
	t.IdleConnTimeout = 10 * time.Minute
	return &http.Client{Transport: transport.NewPool(t, transport.PoolConfig{MaxConns: MaxConns})}
}

func checkID(s string) error {
	if s == "" {
		return errors.New("is required")
	}
	if len(s) != 10 {
		return fmt.Errorf("must be 10 characters, got %d", len(s))
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return errors.New("must contain only letters and digits")
		}
	}
	return nil
}

func checkTopic(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("is required (the app's bundle id)")
	}
	if strings.ContainsAny(s, " \t\r\n/") {
		return errors.New("must be a bundle id such as com.example.chat")
	}
	if strings.HasSuffix(s, ".voip") || strings.HasSuffix(s, ".complication") || strings.Contains(s, ".push-type.") {
		return errors.New("must be the plain bundle id: alert pushes take no .voip, .complication or .push-type. suffix")
	}
	return nil
}

// Push sends info to every device token, one request per token, many at
// once. A token that is not hexadecimal gets ErrInvalidToken without being
// sent (it would not be a valid path either).
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	return batch.Push(ctx, c.plan(), info, tokens, c.build, func(ctx context.Context, n *notification, toks []string) []push.Outcome {
		return []push.Outcome{c.send(ctx, n, toks[0])}
	})
}

// DryRun returns the requests Push would send, sending nothing (push.DryRunner).
func (c *Client) DryRun(info *push.OfflinePushInfo, tokens ...string) (*push.Preview, error) {
	return batch.DryRun(c.plan(), info, tokens, c.build, func(n *notification, toks []string) []push.Request {
		return []push.Request{c.kit.HTTP.Show(c.request(n, toks[0], transport.Unfetched), toks)}
	})
}

func (c *Client) plan() batch.Plan {
	return c.kit.Plan(push.APNs, 1, checkToken)
}

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.auth.Token(ctx)
	return err
}

func (c *Client) now() time.Time {
	if f := c.clock.Load(); f != nil {
		return (*f)()
	}
	return time.Now()
}

// setClock replaces the clock of the client and its token cache, for tests.
func (c *Client) setClock(now func() time.Time) {
	c.clock.Store(&now)
	c.auth.SetClock(now)
}

// checkToken refuses a device token that cannot be sent: hex digits only,
// which also keeps it a single path segment.
func checkToken(t string) error {
	if t == "" {
		return errors.New("a device token is required") // the path would name no device
	}
	if len(t) > 512 {
		return errors.New("a device token is at most 512 hex digits")
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return errors.New("a device token must be hexadecimal")
		}
	}
	return nil
}

// request returns the HTTP request of n for one device token.
func (c *Client) request(n *notification, token, jwt string) *transport.Request {
	h := make(http.Header, len(n.Header)+2)
	maps.Copy(h, n.Header)                                  // values are shared read-only between tokens
	h["Authorization"] = c.bearer.For(jwt)["Authorization"] // built once per JWT, shared read-only like n.Header
	if id := messageID(n.id, token); id != "" {
		h["Apns-Id"] = []string{id}
	}
	return &transport.Request{
		URL:    c.host + DevicePath + token,
		Header: h,
		Body:   n.Payload,
		// Not Idempotent: APNs has no request dedupe, so a request that may
		// have reached Apple is reported (PossiblyDelivered), not resent.
	}
}

// send delivers n to one token with the shared provider token; an
// ExpiredProviderToken answer re-signs and resends once (see decode).
func (c *Client) send(ctx context.Context, n *notification, token string) push.Outcome {
	out, err := auth.Do(ctx, c.auth, func(ctx context.Context, jwt string) (push.Outcome, error) {
		resp, err := c.kit.HTTP.Do(ctx, c.request(n, token, jwt))
		if err != nil {
			return push.Outcome{Token: token, Err: err}, nil
		}
		o := c.decode(resp, token, jwt)
		return o, o.Err // auth.Do looks for auth.ErrExpired in it
	})
	if err != nil && out.Err == nil {
		// no provider token could be had (signing, or the caller's source)
		if ctx.Err() != nil {
			err = fmt.Errorf("%s: %w", push.APNs, ctx.Err())
		} else {
			err = &push.VendorError{Vendor: push.APNs, Kind: push.ErrAuth, Message: "no provider token", Cause: err}
		}
		out = push.Outcome{Token: token, Err: err}
	}
	out.Token = token
	return out
}

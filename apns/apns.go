// Package apns sends offline pushes through the Apple Push Notification
// service (APNs provider API: HTTP/2, token-based authentication).
//
// A Config holds one .p8 signing key (TeamID, KeyID, PrivateKey) and the
// app's bundle id (Topic). The client signs one ES256 provider token (JWT)
// with it, shares that token between all goroutines and re-signs it every
// 50 minutes: Apple rejects tokens older than one hour and answers
// TooManyProviderTokenUpdates when a new one comes more often than every 20
// minutes. An ExpiredProviderToken answer re-signs and resends once, but
// only when the rejected token is at least 20 minutes old; a younger one is
// reported as ErrAuth (the clocks disagree, and a new token would break the
// 20-minute rule). push.WithTokenSource replaces the signing with the
// caller's own tokens (shared between processes, say).
//
// APNs takes one device token per request, so Push sends one
// POST /3/device/<token> per token, many at once over one HTTP/2
// connection (WithConcurrency, default 64 in flight). The payload is built
// once per Push:
//
//	{"aps":{"alert":{"title":…,"body":…},"sound":"default","badge":n,"mutable-content":1},
//	 "ext":"<OfflinePushInfo.Ext>","url":"<Click.URL>"}
//
// Ext travels as the top-level key "ext", where Tencent-style iOS clients
// read it (userInfo["ext"]). iOS has no server-side tap action: a tap opens
// the app. A ClickOpenURL action is therefore carried as the top-level key
// "url" for the app to open itself; ClickOpenPage (an Android intent or
// Activity) means nothing on iOS and is dropped; the default opens the app.
//
// APNs has no per-field length limits, only MaxPayload (4096 bytes) for the
// whole payload. A message over it is fitted: the alert body, then the
// title, is shortened as little as needed, at a character boundary and
// ended with "…"; Ext and Click.URL are never cut, and a message they leave
// no room in is refused naming the field. WithStrictLength refuses every
// oversize message instead. An empty Title is sent as none: iOS shows the
// app's name above the text.
//
// With no TTL no apns-expiration is sent and APNs stores the notification
// for an offline device under its own policy (an explicit 0 would mean
// "now or never").
//
// Apple answers 200 with an apns-id header (the Outcome's MessageID), or a
// status and {"reason": "…"} (the VendorError's Code), classed by the
// verdict table (the reasons map in this file):
//
//	Unregistered, ExpiredToken (410)         ErrInvalidToken (Cause *InactiveError)
//	BadDeviceToken (400)                     ErrInvalidToken, misconfiguration-guarded
//	DeviceTokenNotForTopic, BadTopic,
//	TopicDisallowed, MissingTopic            ErrAuth (check Config.Topic; token kept)
//	TooManyRequests, TooManyProviderTokenUpdates  ErrRateLimited
//	ExpiredProviderToken                     re-signed once as above, else ErrAuth
//	InvalidProviderToken and other 403       ErrAuth
//	IdleTimeout, 5xx                         ErrUnavailable (5xx and 429 retried first)
//	PayloadTooLarge, BadCollapseId, other 4xx  ErrInvalidMessage
//
// A wrong Config.Sandbox makes Apple answer BadDeviceToken for every token:
// after more than push.DefaultMisconfigGuard of them in a row with none
// accepted (push.WithMisconfigGuard), the client reports ErrAuth naming
// Config.Sandbox and Config.Topic instead, and the tokens are kept.
//
// APNs does not deduplicate requests (apns-id is only echoed back),
// so a request that may have reached Apple is never resent automatically.
package apns

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
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

// NoSound is the IOSSound value that asks for a silent alert (Tencent IM's
// IOS_OFFLINE_PUSH_NO_SOUND). The payload then carries no "sound" key: sent
// as a file name the app does not bundle, iOS would play the default sound.
const NoSound = "push.no_sound"

// DefaultSound is the sound sent when IOSSound is empty.
const DefaultSound = "default"

// Top-level payload keys beside "aps".
const (
	ExtKey = "ext" // OfflinePushInfo.Ext, read by the client as userInfo["ext"]
	URLKey = "url" // Click.URL of a ClickOpenURL action, for the app to open
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

// GoString masks the private key in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one app with one signing key. It is safe for concurrent
// use and meant to be long-lived: it keeps its HTTP/2 connection open, as
// Apple asks (frequent reconnects are treated as a denial-of-service attack).
type Client struct {
	cfg     Config // PrivateKey cleared; the parsed key lives in signer
	host    string
	opts    settings.Settings
	http    *transport.Client
	guard   *batch.Guard // trusts dead-token verdicts only when the vendor proves them
	hc      *http.Client // the default HTTP client built by New, nil when WithHTTPClient was given
	auth    *auth.Cache
	signer  *signer
	headers http.Header // the headers every request of this client carries
	clock   atomic.Pointer[func() time.Time]
	bearer  *auth.Header // the Authorization of the latest JWT
}

func bearer(jwt string) http.Header { return http.Header{"Authorization": {"bearer " + jwt}} }

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
	c := &Client{cfg: cfg, host: HostProduction, opts: o, bearer: auth.NewHeader(bearer)}
	if cfg.Sandbox {
		c.host = HostSandbox
	}
	if o.HTTPClient == nil {
		c.hc = NewHTTPClient()
		o.HTTPClient = c.hc
	}
	if c.http, err = transport.New(v, o, DefaultConcurrency); err != nil {
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
	c.guard = batch.NewGuard(v, o.MisconfigGuard, "Config.Sandbox: true for the tokens of a development build, "+
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

// Vendor returns push.APNs.
func (c *Client) Vendor() push.Vendor { return push.APNs }

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.auth.Token(ctx)
	return err
}

// String describes the client without secrets.
func (c *Client) String() string {
	return fmt.Sprintf("apns.Client{Topic:%s TeamID:%s KeyID:%s Host:%s}", c.cfg.Topic, c.cfg.TeamID, c.cfg.KeyID, c.host)
}

// GoString describes the client without secrets in %#v too.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

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

// Push sends info to every device token, one request per token, many at
// once. A token that is not hexadecimal gets ErrInvalidToken without being
// sent (it would not be a valid path either).
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	plan := batch.Plan{Vendor: push.APNs, Size: 1, Parallel: c.http.Concurrency(), Guard: c.guard, Check: checkToken}
	return batch.Push(ctx, plan, info, tokens, c.Notification, func(ctx context.Context, n *Notification, toks []string) []push.Outcome {
		return []push.Outcome{c.send(ctx, n, toks[0])}
	})
}

// Wire structs: the JSON payload of an alert push. Field order follows
// Apple's examples; zero values are left out.
type (
	// Payload is the whole body: the aps dictionary and custom keys.
	Payload struct {
		APS APS    `json:"aps"`
		Ext string `json:"ext,omitempty"` // OfflinePushInfo.Ext (ExtKey)
		URL string `json:"url,omitempty"` // ClickOpenURL's URL (URLKey)
	}
	// APS is the dictionary iOS reads to show the notification.
	APS struct {
		Alert          Alert  `json:"alert"`
		Sound          string `json:"sound,omitempty"`
		Badge          int    `json:"badge,omitempty"`
		MutableContent int    `json:"mutable-content,omitempty"`
	}
	// Alert is the text shown.
	Alert struct {
		Title string `json:"title,omitempty"`
		Body  string `json:"body"`
	}
)

// Notification is the wire form of one message, the same for every device
// token: the JSON payload and the apns-* headers (without authorization and
// the per-token apns-id).
type Notification struct {
	Header  http.Header
	Payload []byte
	id      string // OfflinePushInfo.ID, for the per-token apns-id
}

// Notification maps info onto APNs headers and payload. It is exported so
// tools can show the wire request (dry run). The payload is fitted into
// MaxPayload here (see fit), before anything is sent.
func (c *Client) Notification(info *push.OfflinePushInfo) (*Notification, error) {
	v := push.APNs
	if err := info.Validate(); err != nil {
		return nil, err
	}
	if len(info.CollapseID) > MaxCollapseID {
		return nil, reject.Message(v, "CollapseID", fmt.Sprintf("is %d bytes; apns-collapse-id allows %d", len(info.CollapseID), MaxCollapseID))
	}
	// It is sent as a header value, where a control character cannot go:
	// net/http would refuse the request, reported as a temporary failure
	// (fuzz finding).
	if strings.ContainsFunc(info.CollapseID, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, reject.Message(v, "CollapseID", "must not contain control characters (it is the apns-collapse-id header)")
	}
	p := Payload{
		APS: APS{
			Alert: Alert{Title: info.Title, Body: info.Desc},
			Sound: soundOf(info.IOSSound),
			Badge: info.Badge,
		},
		Ext: info.Ext,
	}
	if c.cfg.MutableContent {
		p.APS.MutableContent = 1
	}
	// iOS opens the app on a tap whatever the server says; a URL is handed
	// to the app to open, an Android page cannot be expressed.
	if click := shape.Click(info.Click, c.cfg.Click); click.Kind == push.ClickOpenURL {
		p.URL = click.URL
	}
	body, err := c.fit(&p)
	if err != nil {
		return nil, err
	}

	h := maps.Clone(c.headers)
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		// 0 would mean "deliver now or never" and lose the message for an
		// offline device, so no TTL sends no header (APNs stores it).
		exp := c.now().Add(ttl)
		s := exp.Unix()
		if exp.Nanosecond() > 0 {
			s++ // never expire before the TTL asked for
		}
		h["Apns-Expiration"] = []string{strconv.FormatInt(s, 10)}
	}
	if info.CollapseID != "" {
		h["Apns-Collapse-Id"] = []string{info.CollapseID}
	}
	return &Notification{Header: h, Payload: body, id: info.ID}, nil
}

// fit encodes p within MaxPayload. Over it, the alert body and then the
// title are shortened as little as needed, each cut at a character boundary
// and ended with "…" (textfit, by shape.Body's rule), so a long chat message
// still reaches the phone; Ext,
// Click.URL and the rest are never cut, and a payload they leave no room in
// is refused naming the bigger of them. WithStrictLength refuses any
// oversize payload instead.
func (c *Client) fit(p *Payload) ([]byte, error) {
	v := push.APNs
	var body []byte
	var encErr error
	size := func() int { // encodes p into body, "<", ">" and "&" as is: smaller, and what the user wrote
		body, encErr = wire.JSON(p)
		return len(body)
	}
	if size() > MaxPayload { // else, the usual case, it is encoded once
		// The shared rule: the body, then the title, shortened as little as
		// needed; strict refuses; what the texts leave no room for is named.
		if err := shape.Body(v, MaxPayload, "the APNs payload", c.opts.StrictLength, &p.APS.Alert.Title, &p.APS.Alert.Body, size); err != nil {
			// shape.Body blames Ext; here Click.URL is the other part that
			// is never cut.
			var fe *push.FieldError
			if errors.As(err, &fe) && fe.Field == "Ext" && len(p.URL) > len(p.Ext) {
				return nil, reject.Message(v, "Click.URL", fmt.Sprintf("leaves no room for the text: the APNs payload is %d bytes "+
					"with Title and Desc cut to one character, the limit is %d (Click.URL is never cut)", len(body), MaxPayload))
			}
			return nil, err
		}
	}
	if encErr != nil {
		return nil, reject.Message(v, "OfflinePushInfo", "cannot be encoded as JSON: "+encErr.Error())
	}
	return body, nil
}

func soundOf(s string) string {
	switch s {
	case "":
		return DefaultSound
	case NoSound:
		return ""
	}
	return s
}

// messageID returns the apns-id for one token: derived from the caller's
// message ID and the token, so a resend of the same message to the same
// device carries the same id (Apple echoes it back; it does not dedupe).
// Without an ID none is sent and APNs makes one.
func messageID(id, token string) string {
	if id == "" {
		return ""
	}
	k := []byte(ids.Key(id+"\x00"+token, 32))
	k[12] = '8'                                           // UUID version 8 (custom)
	k[16] = "89ab"[strings.IndexByte(hexDigits, k[16])&3] // RFC 9562 variant
	s := string(k)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

const hexDigits = "0123456789abcdef"

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
func (c *Client) request(n *Notification, token, jwt string) *transport.Request {
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
func (c *Client) send(ctx context.Context, n *Notification, token string) push.Outcome {
	out, err := auth.Do(ctx, c.auth, func(ctx context.Context, jwt string) (push.Outcome, error) {
		resp, err := c.http.Do(ctx, c.request(n, token, jwt))
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

// errorBody is APNs' failure answer.
type errorBody struct {
	Reason string `json:"reason"`
	// Timestamp (410 only) is when APNs last confirmed the token invalid,
	// in milliseconds since the epoch.
	Timestamp int64 `json:"timestamp"`
}

// InactiveError is the Cause of a 410 Unregistered/ExpiredToken outcome: the
// token has not been valid for the topic since Since. Apple's advice: delete
// the token unless the device reported it again after Since.
type InactiveError struct {
	Since time.Time
}

func (e *InactiveError) Error() string {
	return "inactive since " + e.Since.UTC().Format(time.RFC3339)
}

// decode maps one answer to the token's Outcome, by the verdict table below
// (reasons). The status decides only for a reason the table does not know.
func (c *Client) decode(resp *transport.Response, token, jwt string) push.Outcome {
	id := resp.Header.Get("apns-id")
	if resp.Status >= 200 && resp.Status < 300 {
		return push.Outcome{Token: token, MessageID: id}
	}
	var b errorBody
	_ = json.Unmarshal(resp.Body, &b) // an unreadable body leaves the status to decide
	r, known := reasons[b.Reason]
	e := transport.StatusError(push.APNs, resp, b.Reason, r.Meaning)
	if known {
		e.Kind = r.Class
	}
	switch b.Reason {
	case "Unregistered", "ExpiredToken":
		if b.Timestamp > 0 {
			e.Cause = &InactiveError{Since: time.UnixMilli(b.Timestamp)}
		}
	case "DeviceTokenNotForTopic":
		e.Message = fmt.Sprintf("%s: likely a misconfiguration, not a dead token (check Config.Topic %q: the app's bundle id); token kept", r.Meaning, c.cfg.Topic)
	case "BadTopic", "MissingTopic", "TopicDisallowed":
		e.Message = fmt.Sprintf("%s (check Config.Topic %q)", r.Meaning, c.cfg.Topic)
	case "TooManyRequests", "TooManyProviderTokenUpdates":
		// Not re-signing on TooManyProviderTokenUpdates: only time helps.
		e.RetryAfter = transport.RetryAfter(resp.Header)
	case "ExpiredProviderToken":
		// Apple counts "expired" from iat by its own clock. A token we signed
		// less than MinTokenAge ago can only be called expired when the clocks
		// disagree; a new one from the same clock would fail too, and signing
		// it would break the 20-minute rule (TooManyProviderTokenUpdates,
		// which blocks the connection). So only an older token is re-signed.
		// The age is that of the token Apple rejected, not the cached one: a
		// request that raced a fresh re-sign still gets one retry with it.
		if iat, ok := issuedAt(jwt); ok && c.now().Sub(iat) < MinTokenAge {
			e.Message = fmt.Sprintf("provider token rejected as expired although signed %s ago; "+
				"check this server's clock (not re-signed: APNs allows a new token every %s at most)",
				c.now().Sub(iat).Round(time.Second), MinTokenAge)
		} else {
			e.Cause = auth.ErrExpired
		}
	}
	return push.Outcome{Token: token, MessageID: id, Err: e}
}

// reason is one row of the verdict table: what an APNs failure reason means
// and the class its outcome gets.
type reason struct {
	Status  int    // the HTTP status Apple answers it with
	Class   error  // the push sentinel of the outcome
	Meaning string // Apple's meaning, in short (the VendorError's Message)
}

// reasons is the verdict table: every reason Apple documents ("Handling
// error responses from APNs"; the reason list of sideshow/apns2
// response.go and of the a2 and apns-h2 crates, which add the scoped-key
// reasons), mapped to a class. A token is reported dead (ErrInvalidToken:
// delete it) only where Apple says it is about that token:
//
//   - 410 Unregistered / ExpiredToken: the token is no longer active for the
//     topic: proof of death (Cause *InactiveError says since when).
//   - 400 BadDeviceToken: APNs takes one token per request, so the answer is
//     about that token; but it is also the answer to every token when
//     Config.Sandbox names the wrong environment, so the client's
//     misconfiguration guard turns a long run of them with no success into
//     ErrAuth (check Config.Sandbox and Config.Topic), keeping the tokens.
//
// DeviceTokenNotForTopic is read as ErrAuth, never as death: the token is a
// live token of another app (topic). Sent by this client, that means either
// Config.Topic is wrong, and every token of the app gets it, or the caller
// registered another app's token under this certificate; in neither case
// would deleting it be right for the device, and the first case must not
// wipe the app's tokens. Topic reasons are configuration (ErrAuth, "check
// Config.Topic"); request reasons are ErrInvalidMessage; IdleTimeout, 500
// and 503 are ErrUnavailable (5xx retried first); 429 is ErrRateLimited.
var reasons = map[string]reason{
	"BadCollapseId":               {400, push.ErrInvalidMessage, "apns-collapse-id longer than 64 bytes"},
	"BadDeviceToken":              {400, push.ErrInvalidToken, "malformed device token, or one of the other environment (check Config.Sandbox)"},
	"BadExpirationDate":           {400, push.ErrInvalidMessage, "bad apns-expiration"},
	"BadMessageId":                {400, push.ErrInvalidMessage, "bad apns-id"},
	"BadPriority":                 {400, push.ErrInvalidMessage, "bad apns-priority"},
	"BadTopic":                    {400, push.ErrAuth, "apns-topic invalid"},
	"DeviceTokenNotForTopic":      {400, push.ErrAuth, "device token belongs to another app (topic)"},
	"DuplicateHeaders":            {400, push.ErrInvalidMessage, "a header repeated"},
	"IdleTimeout":                 {400, push.ErrUnavailable, "idle connection closed by APNs"},
	"InvalidPushType":             {400, push.ErrInvalidMessage, "bad apns-push-type"},
	"MissingDeviceToken":          {400, push.ErrInvalidMessage, "no device token in the path"},
	"MissingTopic":                {400, push.ErrAuth, "apns-topic missing"},
	"PayloadEmpty":                {400, push.ErrInvalidMessage, "empty payload"},
	"TopicDisallowed":             {400, push.ErrAuth, "pushing to this topic is not allowed for this key"},
	"BadCertificate":              {403, push.ErrAuth, "bad certificate"},
	"BadCertificateEnvironment":   {403, push.ErrAuth, "certificate of the other environment"},
	"ExpiredProviderToken":        {403, push.ErrAuth, "provider token older than one hour"},
	"Forbidden":                   {403, push.ErrAuth, "forbidden"},
	"InvalidProviderToken":        {403, push.ErrAuth, "provider token invalid (key id, team id, key or signature)"},
	"MissingProviderToken":        {403, push.ErrAuth, "no provider token"},
	"UnrelatedKeyIdInToken":       {403, push.ErrAuth, "the key is not allowed for this topic"},
	"BadEnvironmentKeyIdInToken":  {403, push.ErrAuth, "the key is for the other environment (check Config.Sandbox)"},
	"BadPath":                     {404, push.ErrInvalidMessage, "bad request path"},
	"MethodNotAllowed":            {405, push.ErrInvalidMessage, "method not allowed"},
	"ExpiredToken":                {410, push.ErrInvalidToken, "device token has expired"},
	"Unregistered":                {410, push.ErrInvalidToken, "device token is no longer active for this topic"},
	"PayloadTooLarge":             {413, push.ErrInvalidMessage, "payload larger than 4096 bytes"},
	"TooManyProviderTokenUpdates": {429, push.ErrRateLimited, "provider token changed too often"},
	"TooManyRequests":             {429, push.ErrRateLimited, "too many notifications to this device token"},
	"InternalServerError":         {500, push.ErrUnavailable, "APNs internal error"},
	"ServiceUnavailable":          {503, push.ErrUnavailable, "APNs temporarily unavailable"},
	"Shutdown":                    {503, push.ErrUnavailable, "APNs server shutting down"},
}

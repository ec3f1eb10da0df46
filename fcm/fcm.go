// Package fcm sends offline pushes through Firebase Cloud Messaging, HTTP
// v1 API.
//
// FCM authenticates with OAuth2 access tokens: the client signs an RS256 JWT
// with the service account's private key (Config.CredentialsJSON, the key
// JSON downloaded from the Firebase console), exchanges it at Google's token
// URL for an access token that lives about an hour, and sends
//
//	POST https://fcm.googleapis.com/v1/projects/{project_id}/messages:send
//	Authorization: Bearer <access token>
//
// with one device token per request: FCM's batch endpoint is gone, so a
// push to many devices is many requests. They are multiplexed over few
// HTTP/2 connections (NewHTTPClient) by a bounded worker pool
// (WithConcurrency, default 64), and one cached access token serves them
// all.
//
// This package maps a push.OfflinePushInfo onto the v1 Message (the
// notification block, the data map carrying "ext", the android and apns
// blocks) and decodes FCM's google.rpc.Status errors, with their FcmError
// code, into one outcome per token, by the verdict tables in this file
// (verdicts and canonicalVerdicts):
//
//   - UNREGISTERED, and INVALID_ARGUMENT about the registration token:
//     push.ErrInvalidToken (delete the token); a run of more than
//     push.DefaultMisconfigGuard of them with none accepted becomes ErrAuth
//     (push.WithMisconfigGuard), the tokens kept
//   - other INVALID_ARGUMENT: push.ErrInvalidMessage
//   - QUOTA_EXCEEDED / 429: push.ErrRateLimited (a rate, not a daily
//     quota), after the retries Retry-After allows
//   - UNAVAILABLE, INTERNAL / 5xx: retried, then push.ErrUnavailable
//   - 401 UNAUTHENTICATED: a fresh access token and one more try
//   - SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR, PERMISSION_DENIED, and
//     NOT_FOUND without UNREGISTERED: push.ErrAuth. SENDER_ID_MISMATCH (a
//     token of another Firebase project) is not reported as a dead token:
//     when the certificate has the wrong project or key, every token gets
//     it, and deleting them all would be worse than a failed push;
//     VendorError.Code keeps it.
//
// A token endpoint that refuses the service account, even inside a 200
// answer ({"error":"invalid_client"}), is ErrAuth for every token.
//
// FCM does not deduplicate messages, so a send that may have reached FCM
// is never retried blindly.
//
// Tap actions: open-app is FCM's default; open-page sets click_action to the
// action= of Click.Intent (FCM launches activities by intent-filter action);
// FCM has no open-URL action for apps, so the app opens and finds the URL
// under the data key "url" (URLKey).
package fcm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
)

// Endpoint and auth.
const (
	// Host is the FCM API host.
	Host = "https://fcm.googleapis.com"
	// SendPath is the send endpoint; %s is the project id.
	SendPath = "/v1/projects/%s/messages:send"
	// Scope is the OAuth2 scope the access token is asked for.
	Scope = "https://www.googleapis.com/auth/firebase.messaging"
)

// Limits FCM documents.
const (
	// MaxPayload bounds a message's title, body and data, keys and values
	// together (and, by Apple's rule, the APNs payload FCM builds).
	MaxPayload = 4096
	// MaxTTL is the longest time FCM keeps a message for an offline device.
	MaxTTL = 28 * 24 * time.Hour
	// MaxCollapseID is the longest apns-collapse-id APNs accepts.
	MaxCollapseID = 64
	// DefaultConcurrency bounds the send requests in flight per client when
	// WithConcurrency is not given. Each request carries one token.
	DefaultConcurrency = 64
	// MaxConns bounds the connections per host of the client New builds
	// (NewHTTPClient): Google's front ends take about 100 streams per
	// connection, so a second opens only when every stream of the first is
	// in use.
	MaxConns = 4
)

// Custom keys of the data map (and of the APNs payload, where the iOS
// client finds them as userInfo keys).
const (
	// ExtKey carries OfflinePushInfo.Ext.
	ExtKey = payload.ExtKey
	// URLKey carries the URL of a ClickOpenURL action. FCM has no "open this
	// URL" tap action for Android or iOS (only webpush has fcm_options.link),
	// so the notification opens the app, which finds the URL under this key
	// in its launch intent's extras (iOS: userInfo).
	URLKey = "url"
)

// Android delivery priorities.
const (
	PriorityHigh   = "high"
	PriorityNormal = "normal"
)

// Config holds one FCM certificate: a Firebase project's service account.
type Config struct {
	// CredentialsJSON is the service-account key JSON (Firebase console →
	// Project settings → Service accounts → Generate new private key).
	// Required. Its project_id is the project messages are sent from.
	CredentialsJSON []byte
	// ProjectID, when set, overrides the project_id of CredentialsJSON
	// (a service account may send for another project it has rights on).
	ProjectID string
	// ChannelID is the Android 8+ notification channel the app created for
	// chat messages (android.notification.channel_id). Empty leaves the
	// channel named in the app's manifest.
	ChannelID string
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Priority is the Android delivery priority, PriorityHigh (the
	// default: deliver at once and wake the device, as a chat message
	// needs) or PriorityNormal.
	Priority string
	// TTL is the default offline-storage time when the message has none;
	// zero leaves FCM's default (four weeks).
	TTL time.Duration
}

// String masks the credentials, so a Config never prints the private key.
func (c Config) String() string {
	return fmt.Sprintf("fcm.Config{ProjectID:%q ChannelID:%q Priority:%q CredentialsJSON:%s}", c.ProjectID, c.ChannelID, c.Priority, secret.Mask(c.CredentialsJSON))
}

// GoString masks the credentials in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Firebase project. It is safe for concurrent use.
type Client struct {
	cfg     Config
	opts    settings.Settings
	http    *transport.Client
	guard   *batch.Guard // trusts dead-token verdicts only when the vendor proves them
	auth    *auth.Cache
	project string
	sendURL string
	headers *auth.Header     // per access token, shared by every send
	now     func() time.Time // for apns-expiration; tests pin it
	exch    *tokenExchange   // nil when WithTokenSource replaces it
}

// earlyRefresh is how long before expiry a cached access token is replaced.
// Google's tokens live an hour; a minute keeps sends clear of the edge.
const earlyRefresh = time.Minute

// New validates cfg and builds a client. It does no I/O: the first Push
// fetches the access token.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.FCM
	o := settings.New(opts...)
	var sa *serviceAccount
	if len(cfg.CredentialsJSON) == 0 {
		// A shared token source (WithTokenSource) needs no key, only the project.
		if o.TokenSource == nil || cfg.ProjectID == "" {
			return nil, reject.Config(v, "CredentialsJSON", "is required (the service-account key JSON)")
		}
	} else {
		var err error
		if sa, err = parseServiceAccount(cfg.CredentialsJSON); err != nil {
			return nil, err
		}
	}
	project := cfg.ProjectID
	if project == "" {
		project = sa.ProjectID
	}
	switch {
	case strings.TrimSpace(project) == "":
		return nil, reject.Config(v, "ProjectID", "is required: the service-account JSON has no project_id")
	case strings.ContainsAny(project, "/?#% \t\r\n") || !utf8.ValidString(project):
		return nil, reject.Config(v, "ProjectID", "must be a project id or number, without '/', '?', '#', '%' or spaces")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	cfg.Priority = strings.ToLower(cfg.Priority)
	switch cfg.Priority {
	case "":
		cfg.Priority = PriorityHigh
	case PriorityHigh, PriorityNormal:
	default:
		return nil, reject.Config(v, "Priority", `must be "high" or "normal"`)
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	if cfg.Click.Kind == push.ClickOpenPage {
		if _, err := clickAction(cfg.Click); err != nil {
			return nil, reject.AsConfig(v, err)
		}
	}
	if o.HTTPClient == nil {
		o.HTTPClient = NewHTTPClient()
	}
	hc, err := transport.New(v, o, DefaultConcurrency)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, opts: o, http: hc, project: project, now: time.Now,
		sendURL: Host + fmt.Sprintf(SendPath, url.PathEscape(project)), headers: auth.NewHeader(sendHeader)}
	var own auth.Source // nil only with WithTokenSource, which auth.For prefers
	if sa != nil {
		x, err := newTokenExchange(cfg.CredentialsJSON, sa, hc)
		if err != nil {
			return nil, err
		}
		own, c.exch = x, x
	}
	c.auth = auth.For(o, "fcm/"+project, own, earlyRefresh)
	// What a client whose every token is "invalid" should check.
	c.guard = batch.NewGuard(v, o.MisconfigGuard, "that the tokens are FCM registration tokens of the Firebase project "+
		"of Config.CredentialsJSON or Config.ProjectID, from the app's google-services.json of that project")
	return c, nil
}

// NewHTTPClient returns the HTTP client New uses when push.WithHTTPClient is
// not given: its own connections, TLS 1.2 or later, HTTP/2 with PING health
// checks (no frame for 15 s: ping; no answer in 15 s: close), pooled
// (internal/transport.Pool) so that a burst of sends on a cold client
// shares one dial instead of a TLS handshake per request, requests wait for
// a free stream, at most MaxConns connections per host are open, and
// reconnects after a GOAWAY or a failed dial back off. A client given with
// WithHTTPClient manages its connections its own way.
func NewHTTPClient() *http.Client {
	t := transport.NewHTTP2Transport()
	t.IdleConnTimeout = 5 * time.Minute
	return &http.Client{Transport: transport.NewPool(t, transport.PoolConfig{MaxConns: MaxConns})}
}

// Vendor returns push.FCM.
func (c *Client) Vendor() push.Vendor { return push.FCM }

// Authenticate gets an access token (from the cache, or exchanged now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.auth.Token(ctx)
	return err
}

// ProjectID is the project messages are sent from.
func (c *Client) ProjectID() string { return c.project }

// String describes the client without secrets.
func (c *Client) String() string { return "fcm.Client{" + c.project + "}" }

// GoString keeps %#v from printing the credentials.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// ---- wire structs ---------------------------------------------------------

// SendRequest is the body of messages:send.
type SendRequest struct {
	// ValidateOnly asks FCM to check the message without delivering it.
	ValidateOnly bool     `json:"validate_only,omitempty"`
	Message      *Message `json:"message"`
}

// Message is the v1 Message, with the fields an IM server uses.
type Message struct {
	// Token is the device registration token: the one target.
	Token        string            `json:"token,omitempty"`
	Notification *Notification     `json:"notification,omitempty"`
	Data         map[string]string `json:"data,omitempty"` // string values only
	Android      *AndroidConfig    `json:"android,omitempty"`
	APNS         *APNSConfig       `json:"apns,omitempty"`
}

// Notification is shown by every platform.
type Notification struct {
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
}

// AndroidConfig is the android block.
type AndroidConfig struct {
	// CollapseKey makes FCM keep only the newest of a group while the
	// device is offline.
	CollapseKey  string               `json:"collapse_key,omitempty"`
	Priority     string               `json:"priority,omitempty"`
	TTL          string               `json:"ttl,omitempty"` // protobuf Duration, "3600s"
	Notification *AndroidNotification `json:"notification,omitempty"`
}

// AndroidNotification is android.notification.
type AndroidNotification struct {
	ChannelID string `json:"channel_id,omitempty"`
	Sound     string `json:"sound,omitempty"`
	// ClickAction is the intent-filter action the tap launches.
	ClickAction string `json:"click_action,omitempty"`
	// Tag makes a later notification with the same tag replace this one.
	Tag string `json:"tag,omitempty"`
}

// APNSConfig is the apns block: APNs headers and payload for iOS devices.
type APNSConfig struct {
	Headers map[string]string `json:"headers,omitempty"`
	Payload *APNSPayload      `json:"payload,omitempty"`
}

// APNSPayload is the APNs payload: aps plus the custom keys the iOS client
// reads from userInfo.
type APNSPayload struct {
	Aps APS    `json:"aps"`
	Ext string `json:"ext,omitempty"`
	URL string `json:"url,omitempty"`
}

// APS is the aps dictionary. FCM fills aps.alert from the notification.
type APS struct {
	Sound string `json:"sound,omitempty"`
	Badge *int   `json:"badge,omitempty"`
}

// ---- mapping --------------------------------------------------------------

// NoSound is the IOSSound value (Tencent IM's constant) for an iOS
// notification without sound. An empty IOSSound plays the default sound.
const NoSound = "push.no_sound"

// Message maps info onto the v1 Message, without the token. It is exported
// so tools can show the wire request (dry run); Push sends exactly this,
// one copy per token.
func (c *Client) Message(info *push.OfflinePushInfo) (*Message, error) {
	v := push.FCM
	if err := info.Validate(); err != nil {
		return nil, err
	}
	// The message and its blocks in one allocation instead of seven: they
	// are built on every push and live exactly as long as each other.
	blk := new(struct {
		m     Message
		n     Notification
		a     AndroidConfig
		an    AndroidNotification
		apns  APNSConfig
		ap    APNSPayload
		badge int
	})
	m, an, ap := &blk.m, &blk.an, &blk.ap
	blk.n = Notification{Title: info.Title, Body: info.Desc}
	*an = AndroidNotification{ChannelID: c.cfg.ChannelID, Sound: "default"}
	blk.a = AndroidConfig{Priority: c.cfg.Priority, Notification: an}
	ap.Ext = info.Ext
	blk.apns = APNSConfig{
		Headers: map[string]string{"apns-priority": "10", "apns-push-type": "alert"},
		Payload: ap,
	}
	*m = Message{Notification: &blk.n, Data: payload.ExtMap(info.Ext), Android: &blk.a, APNS: &blk.apns}

	// TTL: zero keeps FCM's default (four weeks), the rest is capped there.
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		m.Android.TTL = Duration(ttl)
		// APNs has no TTL, only an expiry time.
		m.APNS.Headers["apns-expiration"] = strconv.FormatInt(c.now().Add(ttl).Unix(), 10)
	}
	if id := info.CollapseID; id != "" {
		if len(id) > MaxCollapseID {
			return nil, reject.Message(v, "CollapseID", fmt.Sprintf("must be at most %d bytes (apns-collapse-id)", MaxCollapseID))
		}
		m.Android.CollapseKey = id // offline: keep only the newest
		an.Tag = id                // shown: the newest replaces the old
		m.APNS.Headers["apns-collapse-id"] = id
	}

	switch info.IOSSound {
	case "":
		ap.Aps.Sound = "default"
	case NoSound:
	default:
		ap.Aps.Sound = info.IOSSound
	}
	if info.Badge > 0 {
		blk.badge = info.Badge
		ap.Aps.Badge = &blk.badge
	}

	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if m.Data == nil {
			m.Data = map[string]string{}
		}
		m.Data[URLKey] = click.URL
		ap.URL = click.URL
	case push.ClickOpenPage:
		a, err := clickAction(click)
		if err != nil {
			return nil, err
		}
		an.ClickAction = a
	}

	if err := c.fit(m); err != nil {
		return nil, err
	}
	return m, nil
}

// clickAction returns the intent-filter action of an open-page click: the
// action= of its intent URI. FCM launches a page by action, not by class.
func clickAction(click push.ClickAction) (string, error) {
	v := push.FCM
	if click.Intent == "" {
		return "", reject.Message(v, "Click.Intent", "is required for FCM open-page: FCM opens a page by its intent-filter action (click_action), taken from the intent's action=")
	}
	i := strings.Index(click.Intent, "#Intent;")
	if i >= 0 {
		for part := range strings.SplitSeq(click.Intent[i+len("#Intent;"):], ";") {
			if a, ok := strings.CutPrefix(part, "action="); ok && a != "" {
				if dec, err := url.PathUnescape(a); err == nil {
					a = dec
				}
				return a, nil
			}
		}
	}
	return "", reject.Message(v, "Click.Intent", "needs an action=… entry: FCM opens a page by its intent-filter action (click_action)")
}

// Duration formats d as a protobuf Duration in JSON: whole seconds, or 3,
// 6 or 9 fractional digits ("86400s", "1.500s").
func Duration(d time.Duration) string {
	s, ns := int64(d/time.Second), int64(d%time.Second)
	if ns == 0 { // the usual case, in one allocation
		var buf [24]byte
		return string(append(strconv.AppendInt(buf[:0], s, 10), 's'))
	}
	frac := fmt.Sprintf("%09d", ns)
	switch {
	case ns%1e6 == 0:
		frac = frac[:3]
	case ns%1e3 == 0:
		frac = frac[:6]
	}
	return strconv.FormatInt(s, 10) + "." + frac + "s"
}

// fit keeps the message within MaxPayload, as FCM counts it (title, body,
// and data keys and values) and as APNs counts the payload FCM builds from
// it. Over the limit the body and then the title are shortened as little as
// needed, at a character boundary and ended with "…" (shape.Body), so a
// long chat message
// still reaches the phone; the data (Ext, Click.URL) is never cut, and a
// message it leaves no room in is refused naming the bigger of them. With
// WithStrictLength an oversize message is refused instead.
func (c *Client) fit(m *Message) error {
	v := push.FCM
	size := func() int { return max(fcmSize(m), apnsSize(m)) }
	n := m.Notification
	if size() <= MaxPayload { // the usual case: measured once
		return nil
	}
	// The shared rule: the body, then the title, shortened as little as
	// needed; strict refuses; what the texts leave no room for is named.
	err := shape.Body(v, MaxPayload, "the message (title, body and data, keys and values; and the APNs payload)",
		c.opts.StrictLength, &n.Title, &n.Body, size)
	var fe *push.FieldError
	if url := m.Data[URLKey]; errors.As(err, &fe) && fe.Field == "Ext" && len(url) > len(m.Data[ExtKey]) {
		// shape.Body blames Ext; here Click.URL is the other part that is
		// never cut.
		return reject.Message(v, "Click.URL", fmt.Sprintf("leaves no room for the text: the message is %d bytes with Title "+
			"and Desc cut to one character, FCM allows %d (Click.URL is never cut)", size(), MaxPayload))
	}
	return err
}

func fcmSize(m *Message) int {
	n := 0
	if m.Notification.Title != "" {
		n += len("title") + len(m.Notification.Title)
	}
	n += len("body") + len(m.Notification.Body)
	for k, v := range m.Data {
		n += len(k) + len(v)
	}
	return n
}

// apnsSize estimates the APNs payload FCM sends: ours plus the alert.
func apnsSize(m *Message) int {
	var buf [1024]byte // a usual payload is measured without allocating
	return len(appendAPNSPayload(buf[:0], m.APNS.Payload, m.Notification))
}

// ---- send -----------------------------------------------------------------

// Push sends info to every token: one request per token (FCM has no batch
// endpoint), up to the client's concurrency at a time over shared HTTP/2
// connections, all with one cached access token.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := c.Message(info)
	if err != nil {
		return nil, err
	}
	tmpl := newTemplate(m)
	if !slices.ContainsFunc(tokens, func(t string) bool { return checkToken(t) == nil }) {
		return batch.RunChecked(ctx, push.FCM, tokens, 1, 1, c.guard, checkToken, nil), nil // nothing to send
	}
	// Get the access token once before fanning out: when it cannot be had,
	// every token gets that one error, instead of each send trying again.
	if _, err := c.auth.Token(ctx); err != nil {
		return batch.Run(ctx, push.FCM, tokens, max(len(tokens), 1), 1, c.guard, func(_ context.Context, toks []string) []push.Outcome {
			return batch.All(toks, "", err)
		}), nil
	}
	return batch.RunChecked(ctx, push.FCM, tokens, 1, c.http.Concurrency(), c.guard, checkToken, func(ctx context.Context, toks []string) []push.Outcome {
		out := make([]push.Outcome, len(toks))
		for i, t := range toks {
			out[i] = c.send(ctx, tmpl, t)
		}
		return out
	}), nil
}

// template is an encoded message split around its token, so that each
// request's body is bodyHead, the quoted token and tail: json.Marshal of
// SendRequest{Message: m} with m.Token set.
type template struct {
	tail []byte // ,"notification":…}}
}

const bodyHead = `{"message":{"token":`

// newTemplate encodes m, which has no token.
func newTemplate(m *Message) template {
	// One allocation for a usual message: keys, punctuation and the short
	// values (a collapse id of up to 64 bytes three times) take under 768
	// bytes, and twice fcmSize covers ext and url, which appear twice, with
	// ext's quotes escaped.
	tail := appendMessage(make([]byte, 0, 768+2*fcmSize(m)), m)
	tail[0] = ',' // {"notification":… becomes ,"notification":…
	return template{tail: append(tail, '}')}
}

// body returns the request body for one token.
func (t template) body(token string) []byte {
	b := make([]byte, 0, len(bodyHead)+len(token)+2+len(t.tail))
	b = append(b, bodyHead...)
	b = appendString(b, token)
	return append(b, t.tail...)
}

// sendHeader is the header of every send made with one access token.
func sendHeader(access string) http.Header {
	return http.Header{
		"Authorization": {"Bearer " + access},
		"Content-Type":  {"application/json; charset=UTF-8"},
	}
}

func (c *Client) request(t template, token, access string) *transport.Request {
	return &transport.Request{
		URL:    c.sendURL,
		Header: c.headers.For(access),
		Body:   t.body(token),
		// FCM has no dedupe key: a send that may have reached it is not
		// resent (Idempotent false); 429 and 5xx answers are.
	}
}

// checkToken refuses a token that cannot be a registration token.
func checkToken(t string) error {
	if t == "" || !utf8.ValidString(t) {
		return errors.New("a registration token is non-empty UTF-8 text")
	}
	return nil
}

// send delivers to one token, refreshing the access token once if FCM
// says it expired.
func (c *Client) send(ctx context.Context, t template, token string) push.Outcome {
	o, err := auth.Do(ctx, c.auth, func(ctx context.Context, access string) (push.Outcome, error) {
		resp, err := c.http.Do(ctx, c.request(t, token, access))
		if err != nil {
			return push.Outcome{Token: token, Err: err}, nil
		}
		o := decode(resp, token)
		if errors.Is(o.Err, auth.ErrExpired) {
			return o, o.Err
		}
		return o, nil
	})
	if o.Token == "" { // the token fetch failed
		o = push.Outcome{Token: token, Err: err}
	}
	return o
}

// ---- decode ---------------------------------------------------------------

// FCM error codes (google.firebase.fcm.v1.FcmError.errorCode).
const (
	CodeUnregistered        = "UNREGISTERED"
	CodeInvalidArgument     = "INVALID_ARGUMENT"
	CodeSenderIDMismatch    = "SENDER_ID_MISMATCH"
	CodeQuotaExceeded       = "QUOTA_EXCEEDED"
	CodeUnavailable         = "UNAVAILABLE"
	CodeInternal            = "INTERNAL"
	CodeThirdPartyAuthError = "THIRD_PARTY_AUTH_ERROR"
)

const fcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError"

// Status is google.rpc.Status, the body of every FCM error answer.
type Status struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"` // canonical code: INVALID_ARGUMENT, NOT_FOUND, …
		Details []struct {
			Type            string `json:"@type"`
			ErrorCode       string `json:"errorCode"` // FcmError
			FieldViolations []struct {
				Field       string `json:"field"`
				Description string `json:"description"`
			} `json:"fieldViolations"` // google.rpc.BadRequest
		} `json:"details"`
	} `json:"error"`
}

// FCMCode returns the FcmError code of the details, if any.
func (s *Status) FCMCode() string {
	for _, d := range s.Error.Details {
		if d.Type == fcmErrorType {
			return d.ErrorCode
		}
	}
	return ""
}

// namesToken reports whether an INVALID_ARGUMENT is about the registration
// token rather than the message. FCM answers a malformed token with
// "The registration token is not a valid FCM registration token", and
// sometimes a google.rpc.BadRequest violation on message.token.
func (s *Status) namesToken() bool {
	for _, d := range s.Error.Details {
		for _, fv := range d.FieldViolations {
			if fv.Field == "message.token" {
				return true
			}
		}
	}
	return strings.Contains(strings.ToLower(s.Error.Message), "registration token")
}

// decode maps FCM's answer for one token.
func decode(resp *transport.Response, token string) push.Outcome {
	if resp.Status >= 200 && resp.Status < 300 {
		// 200 means FCM took the message. An unreadable body costs the id,
		// not the delivery: reporting a failure could make the caller send
		// it twice.
		var r struct {
			Name string `json:"name"` // projects/{id}/messages/{message_id}
		}
		_ = json.Unmarshal(resp.Body, &r)
		return push.Outcome{Token: token, MessageID: r.Name}
	}
	return push.Outcome{Token: token, Err: statusError(resp)}
}

// verdict is one row of the verdict table: the class of an FCM error and
// why.
type verdict struct {
	Status  int    // the HTTP status FCM answers it with
	Class   error  // the push sentinel of the outcome
	Meaning string // what FCM means by it, in short
}

// verdicts is the verdict table for the FcmError codes FCM documents
// (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode, the error-codes
// guide, firebase-admin-go's handleFCMError). A token is reported dead
// (ErrInvalidToken: delete it) only where FCM names it: UNREGISTERED, and an
// INVALID_ARGUMENT about the registration token (a google.rpc.BadRequest
// violation on message.token, or a message naming the registration token);
// any other INVALID_ARGUMENT is the message's fault. Every send carries one
// token, so such an answer is about that token; a long run of them with no
// success (tokens of another app, say) is turned into ErrAuth by the
// misconfiguration guard. SENDER_ID_MISMATCH is never death: see the row.
//
// An answer without an FcmError code (or UNSPECIFIED_ERROR) is classed by
// its canonical status (canonicalVerdicts), then by its HTTP status.
var verdicts = map[string]verdict{
	CodeUnregistered: {404, push.ErrInvalidToken,
		"the registration token is no longer valid (app uninstalled, token expired or rotated)"},
	CodeInvalidArgument: {400, push.ErrInvalidMessage,
		"invalid message (ErrInvalidToken instead when it names the registration token)"},
	// A token issued for another Firebase project. Read as a token problem
	// it would be deleted; but it is also what every token gets when the
	// certificate has the wrong project or key, and deleting every token
	// would be a disaster. The code stays in Code for callers who know better.
	CodeSenderIDMismatch: {403, push.ErrAuth,
		"the token belongs to another Firebase project"},
	CodeQuotaExceeded: {429, push.ErrRateLimited,
		"message rate exceeded (project, device or topic); not a daily quota"},
	CodeUnavailable: {503, push.ErrUnavailable, "FCM overloaded"},
	CodeInternal:    {500, push.ErrUnavailable, "FCM internal error"},
	// The APNs key or certificate in the Firebase console is missing or
	// wrong: fix the console; a fresh access token would not help.
	CodeThirdPartyAuthError: {401, push.ErrAuth,
		"the APNs (or web push) credentials in the Firebase console were rejected"},
	"APNS_AUTH_ERROR": {401, push.ErrAuth, "legacy name of THIRD_PARTY_AUTH_ERROR"},
}

// canonicalVerdicts classes an answer without an FcmError code by its
// canonical google.rpc.Code. UNAUTHENTICATED is an expired or revoked access
// token: the client fetches a new one and sends once more before reporting
// ErrAuth. NOT_FOUND without UNREGISTERED does not name the token (a wrong
// project id, an endpoint that is not FCM's): the token is kept.
var canonicalVerdicts = map[string]verdict{
	"INVALID_ARGUMENT":    {400, push.ErrInvalidMessage, "invalid request"},
	"FAILED_PRECONDITION": {400, push.ErrInvalidMessage, "request not possible in the current state"},
	"OUT_OF_RANGE":        {400, push.ErrInvalidMessage, "value out of range"},
	"UNAUTHENTICATED":     {401, push.ErrAuth, "access token invalid or expired"},
	"PERMISSION_DENIED":   {403, push.ErrAuth, "no permission to send for this project (check Config.ProjectID and the service account's role)"},
	"NOT_FOUND":           {404, push.ErrAuth, "not found, without an FcmError naming the token (check Config.ProjectID and the endpoint); token kept"},
	"RESOURCE_EXHAUSTED":  {429, push.ErrRateLimited, "rate exceeded"},
	"UNKNOWN":             {500, push.ErrUnavailable, "unknown server error"},
	"INTERNAL":            {500, push.ErrUnavailable, "internal server error"},
	"UNAVAILABLE":         {503, push.ErrUnavailable, "service unavailable"},
	"DEADLINE_EXCEEDED":   {504, push.ErrUnavailable, "server deadline exceeded"},
}

// senderHint is what a SENDER_ID_MISMATCH asks the caller to check.
const senderHint = "likely a misconfiguration, not a dead token (check that the tokens belong to the project of " +
	"Config.CredentialsJSON or Config.ProjectID); token kept"

// statusError maps a non-2xx answer by the verdict tables: the FcmError
// code decides when there is one; else the canonical status; else the HTTP
// status.
func statusError(resp *transport.Response) *push.VendorError {
	var s Status
	if json.Unmarshal(resp.Body, &s) != nil || (s.Error.Status == "" && s.Error.Message == "") {
		return transport.StatusError(push.FCM, resp, "", "")
	}
	fc := s.FCMCode()
	code := fc
	if code == "" || code == "UNSPECIFIED_ERROR" {
		code = s.Error.Status
	}
	e := &push.VendorError{Vendor: push.FCM, HTTPStatus: resp.Status, Code: code, Message: s.Error.Message}
	v, ok := verdicts[fc]
	if !ok {
		v, ok = canonicalVerdicts[s.Error.Status]
	}
	if !ok {
		// Neither code is known: the HTTP status decides (401 then is an
		// expired access token, as UNAUTHENTICATED).
		v.Class = transport.StatusError(push.FCM, resp, "", "").Kind
		if resp.Status == http.StatusUnauthorized {
			code = "UNAUTHENTICATED"
		}
	}
	e.Kind = v.Class
	if e.Message == "" {
		e.Message = v.Meaning
	}
	switch {
	case e.Kind == push.ErrInvalidMessage && s.namesToken():
		e.Kind = push.ErrInvalidToken
	case fc == CodeSenderIDMismatch:
		e.Message += ": " + senderHint
	case code == "NOT_FOUND":
		e.Message += " (" + v.Meaning + ")"
	case code == "UNAUTHENTICATED":
		// The access token expired or was revoked: auth.Do fetches a new
		// one and sends once more.
		e.Cause = auth.ErrExpired
	case e.Kind == push.ErrRateLimited || e.Kind == push.ErrUnavailable:
		e.RetryAfter = transport.RetryAfter(resp.Header)
	}
	return e
}

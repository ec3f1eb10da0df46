// Package oppo sends offline pushes through OPPO Push (OPush, also called
// HeyTap Push), server API v1.
//
// OPPO hands out an access token: POST /server/v1/auth with the app key, a
// millisecond timestamp and sign = hex(SHA-256(AppKey + timestamp +
// MasterSecret)) answers an auth_token valid for 24 hours. Every send then
// carries that token in the form field auth_token; OPPO answers code 11 when
// it no longer accepts it, and the client fetches a new one once and sends
// again.
//
// Sends are form posts whose payload is JSON inside a form field: one device
// through .../notification/unicast (message = one JSON object), several
// through .../notification/unicast_batch (messages = a JSON array of up to
// 1000 objects, one per device, answered per device with errorCode). Each
// message carries app_message_id, OPPO's dedupe key: the same key is shown
// at most once per device, so a request retried after a timeout cannot
// show a notification twice.
//
// The file reads top to bottom like the vendor doc: config, wire structs,
// mapping, auth, send, decode.
package oppo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/form"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/lenient"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
)

// Hosts. A device registered outside China must be pushed through the
// overseas host (its regId does not carry a "CN" part).
const (
	HostChina    = "https://api.push.oppomobile.com"
	HostOverseas = "https://api-intl.push.oppomobile.com"
)

// Paths of the API calls this package makes.
const (
	AuthPath    = "/server/v1/auth"
	UnicastPath = "/server/v1/message/notification/unicast"
	BatchPath   = "/server/v1/message/notification/unicast_batch"
)

// Limits OPPO documents. Lengths are counted in UTF-16 units, as the
// official Java SDK does (String.length()): stricter than the doc's "an
// emoji counts one", so nothing we send is over the limit either way.
const (
	MaxTokens = 1000 // messages per unicast_batch request
	MaxTitle  = 50
	// MaxContent is 50: the 2019 PDF and SDK say 200 for the standard style,
	// the current doc says 50. UNVERIFIED which the server enforces, so we
	// keep to the smaller.
	MaxContent = 50
	// MaxClickTarget bounds click_action_activity and click_action_url. The
	// current doc allows 2000 for the URL, the PDF and SDK 500: 500 is safe
	// under both.
	MaxClickTarget = 500
	// MaxActionParameters bounds action_parameters (the carried Ext):
	// 4000 per the current doc, "4K" per the PDF.
	MaxActionParameters = 4000
	// MaxTTL is the longest offline cache (10 days); OPPO caps longer ones.
	MaxTTL = 10 * 24 * time.Hour
	// TokenLifetime is how long an auth_token is valid. The client replaces
	// it TokenRefreshEarly before that, i.e. after about 23 hours.
	TokenLifetime     = 24 * time.Hour
	TokenRefreshEarly = time.Hour
)

// Message categories (OPPO's classification since 2023). CategoryIM, the
// default, is the 通讯与服务 category an IM app registers its private channel
// for. CategoryNone sends neither category nor notify_level, for apps that
// push as 公信 (public messages, daily quota applies).
const (
	CategoryIM      = "IM"
	CategoryAccount = "ACCOUNT"
	CategoryTodo    = "TODO"
	CategoryDevice  = "DEVICE_REMINDER"
	CategoryOrder   = "ORDER"
	CategorySubscr  = "SUBSCRIPTION"
	CategoryNone    = "-"
)

// Notify levels (notify_level). They need a category.
const (
	NotifyShade       = 1  // notification shade only
	NotifyLockScreen  = 2  // shade and lock screen: the default
	NotifyHeadsUpRing = 16 // shade, lock screen, banner, vibration and ring
)

// ---------------------------------------------------------------------------
// Config

// Config holds one OPPO certificate: the keys from the OPPO push console
// (配置管理 → 应用配置) and the channel the IM app registered.
type Config struct {
	// AppKey names the app. Required.
	AppKey string
	// MasterSecret signs the auth request (not the AppSecret). Required.
	MasterSecret string
	// ChannelID is the Android notification channel id, registered in the
	// OPPO console (通道配置 → 新建通道). Required: from Android 9 a
	// notification without one is not shown.
	ChannelID string
	// Category is sent as category; empty means CategoryIM. CategoryNone
	// leaves category and notify_level out.
	Category string
	// NotifyLevel is sent as notify_level with a category; zero means
	// NotifyLockScreen (2), the level OPPO's IM example uses.
	NotifyLevel int
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Host is the API host; empty means HostChina.
	Host string
	// TTL is the default offline cache time when the message has none;
	// zero leaves OPPO's default (one hour).
	TTL time.Duration
}

// String masks the secret, so a Config never prints it.
func (c Config) String() string {
	return fmt.Sprintf("oppo.Config{AppKey:%q ChannelID:%q Category:%q NotifyLevel:%d Host:%q MasterSecret:%s}",
		c.AppKey, c.ChannelID, c.Category, c.NotifyLevel, c.Host, secret.Mask(c.MasterSecret))
}

// GoString masks the secret in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one OPPO certificate. It is safe for concurrent use.
type Client struct {
	cfg    Config
	opts   settings.Settings
	http   *transport.Client
	guard  *batch.Guard // trusts dead-token verdicts only when the vendor proves them
	tokens *auth.Cache
	now    func() time.Time
}

// New validates cfg and builds a client. It does no I/O: the first Push
// fetches the auth token.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.OPPO
	switch {
	case strings.TrimSpace(cfg.AppKey) == "":
		return nil, reject.Config(v, "AppKey", "is required")
	case strings.TrimSpace(cfg.MasterSecret) == "":
		return nil, reject.Config(v, "MasterSecret", "is required (the server secret that signs the auth request, not the AppSecret)")
	case strings.TrimSpace(cfg.ChannelID) == "":
		return nil, reject.Config(v, "ChannelID", "is required (the notification channel registered in the OPPO console; Android 9+ shows nothing without one)")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if cfg.Category == "" {
		cfg.Category = CategoryIM
	}
	if cfg.Category != CategoryNone && !isCategory(cfg.Category) {
		return nil, reject.Config(v, "Category", `must be an OPPO category in capitals such as "IM", or CategoryNone`)
	}
	switch cfg.NotifyLevel {
	case 0:
		cfg.NotifyLevel = NotifyLockScreen
	case NotifyShade, NotifyLockScreen, NotifyHeadsUpRing:
	default:
		return nil, reject.Config(v, "NotifyLevel", "must be 1, 2 or 16")
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	if cfg.Host == "" {
		cfg.Host = HostChina
	}
	if u, err := url.Parse(cfg.Host); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || (u.Path != "" && u.Path != "/") {
		return nil, reject.Config(v, "Host", "must be a base URL such as "+HostChina)
	}
	cfg.Host = strings.TrimSuffix(cfg.Host, "/")
	o := settings.New(opts...)
	hc, err := transport.New(v, o, 8)
	if err != nil {
		return nil, err
	}
	hc.Redact(cfg.MasterSecret) // an answer quoting the request never carries them on

	c := &Client{cfg: cfg, opts: o, http: hc, now: time.Now}
	c.tokens = auth.For(o, "oppo/"+cfg.AppKey, auth.SourceFunc(c.fetchToken), TokenRefreshEarly)
	// What a client whose every token is "invalid" should check.
	c.guard = batch.NewGuard(v, o.MisconfigGuard, "Config.AppKey, Config.Host (China or overseas) and that the regIds belong to this app")
	return c, nil
}

func isCategory(s string) bool {
	for i, r := range s {
		if !(r >= 'A' && r <= 'Z' || r == '_' && i > 0) {
			return false
		}
	}
	return s != ""
}

// Vendor returns push.OPPO.
func (c *Client) Vendor() push.Vendor { return push.OPPO }

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// String describes the client without secrets.
func (c *Client) String() string { return "oppo.Client{AppKey:" + c.cfg.AppKey + "}" }

// GoString keeps %#v from printing the secrets the client holds.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// ---------------------------------------------------------------------------
// Wire structs

// Message is one element of a send: the target device and its notification
// (the JSON of the unicast "message" field, or one element of the
// unicast_batch "messages" array).
type Message struct {
	TargetType   int           `json:"target_type"`  // 2: registration_id
	TargetValue  string        `json:"target_value"` // the regId
	Notification *Notification `json:"notification"`
}

// Notification is OPPO's notification object, snake_case as the official
// SDK sends it (the web doc's camelCase sample is UNVERIFIED).
type Notification struct {
	Title               string `json:"title"`
	Content             string `json:"content"`
	ClickActionType     int    `json:"click_action_type"` // 0 app, 2 URL, 4 Activity class
	ClickActionActivity string `json:"click_action_activity,omitempty"`
	ClickActionURL      string `json:"click_action_url,omitempty"`
	// ActionParameters is JSON text, handed to the opened page as Intent
	// extras: {"ext":"<Ext>"}.
	ActionParameters string `json:"action_parameters,omitempty"`
	ChannelID        string `json:"channel_id"`
	Category         string `json:"category,omitempty"`
	NotifyLevel      int    `json:"notify_level,omitempty"`
	// AppMessageID is OPPO's dedupe key: one message per key and device.
	AppMessageID string `json:"app_message_id"`
	OffLineTTL   int    `json:"off_line_ttl,omitempty"` // seconds
	NotifyID     int32  `json:"notify_id,omitempty"`    // same id replaces
}

// Click action types.
const (
	clickApp      = 0
	clickURL      = 2
	clickActivity = 4
)

// appMessageIDLen is the length of app_message_id. OPPO publishes no limit
// (UNVERIFIED); 32 hex characters is as long as a UUID without dashes.
const appMessageIDLen = 32

// ---------------------------------------------------------------------------
// Mapping

// Notification maps info onto OPPO's notification object. It is exported so
// tools can show the wire request (dry run). With info.ID empty the
// app_message_id is random, so two calls differ.
func (c *Client) Notification(info *push.OfflinePushInfo) (*Notification, error) {
	v := push.OPPO
	title, content, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxContent, Unit: payload.UTF16}, c.opts)
	if err != nil {
		return nil, err
	}
	n := &Notification{
		Title:     title,
		Content:   content,
		ChannelID: c.cfg.ChannelID,
		// OPPO shows a message once per app_message_id and device, so a
		// retried request, or the caller's own resend with the same ID,
		// shows nothing twice. The current doc scopes it to the target
		// ("只会对同一个目标推送一次"), so one key serves every device.
		AppMessageID: ids.Key(info.ID, appMessageIDLen),
	}
	if c.cfg.Category != CategoryNone {
		n.Category, n.NotifyLevel = c.cfg.Category, c.cfg.NotifyLevel
	}
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		n.OffLineTTL = int(shape.Seconds(ttl))
	}
	if info.CollapseID != "" {
		n.NotifyID = ids.NotifyID(info.CollapseID)
	}

	withExt := true
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if payload.Len(click.URL, payload.UTF16) > MaxClickTarget {
			return nil, reject.Message(v, "Click.URL", fmt.Sprintf("must be at most %d characters", MaxClickTarget))
		}
		n.ClickActionType, n.ClickActionURL = clickURL, click.URL
		// OPPO appends action_parameters to a URL as its query: the app
		// never sees them and the web site would receive the chat's Ext.
		withExt = false
	case push.ClickOpenPage:
		act, err := shape.PageActivity(v, click)
		if err != nil {
			var fe *push.FieldError
			if errors.As(err, &fe) {
				return nil, reject.Message(v, fe.Field, fe.Rule)
			}
			return nil, reject.Message(v, "Click", err.Error())
		}
		if err := payload.CheckActivity(act); err != nil {
			return nil, reject.Message(v, "Click.Intent", "component "+err.Error())
		}
		if payload.Len(act, payload.UTF16) > MaxClickTarget {
			return nil, reject.Message(v, "Click.Activity", fmt.Sprintf("must be at most %d characters", MaxClickTarget))
		}
		n.ClickActionType, n.ClickActionActivity = clickActivity, act
	default:
		n.ClickActionType = clickApp
	}
	if withExt && info.Ext != "" {
		// {"ext":"<Ext>"}: the Tencent-style client reads the Intent extra
		// "ext" first. (Tencent's own server spreads a JSON Ext's top-level
		// keys as separate extras instead; one key keeps any Ext text, JSON
		// or not, and the 4000 limit, predictable.)
		n.ActionParameters = payload.ExtJSON(info.Ext)
		if l := payload.Len(n.ActionParameters, payload.UTF16); l > MaxActionParameters {
			return nil, reject.Message(v, "Ext", fmt.Sprintf("is too long: carried as action_parameters it is %d characters, OPPO allows %d", l, MaxActionParameters))
		}
	}
	return n, nil
}

// Form returns the path and form body of the request that sends info to
// tokens (1 to MaxTokens of them), without auth_token. It is exported so
// tools can show the wire request (dry run).
func (c *Client) Form(info *push.OfflinePushInfo, tokens ...string) (path string, form url.Values, err error) {
	if len(tokens) == 0 || len(tokens) > MaxTokens {
		return "", nil, reject.Message(push.OPPO, "tokens", fmt.Sprintf("must number 1 to %d per request", MaxTokens))
	}
	nj, err := c.notificationJSON(info)
	if err != nil {
		return "", nil, err
	}
	path, key, val := encode(nj, tokens)
	return path, url.Values{key: {string(val)}}, nil
}

// notificationJSON maps info and encodes the notification once, without
// HTML escaping so that URLs read as sent: every device's message carries
// these bytes.
func (c *Client) notificationJSON(info *push.OfflinePushInfo) ([]byte, error) {
	n, err := c.Notification(info)
	if err != nil {
		return nil, err
	}
	b, err := wire.JSON(n)
	if err != nil {
		return nil, reject.Message(push.OPPO, "notification", "cannot be encoded: "+err.Error())
	}
	return b, nil
}

// encode builds the JSON of one request from the notification's JSON
// (shared by every device, encoded once per Push): the path, the form key
// and its value.
func encode(notification []byte, tokens []string) (path, key string, val []byte) {
	one := func(b []byte, token string) []byte {
		b = append(b, `{"target_type":2,"target_value":`...)
		b = appendString(b, token)
		b = append(b, `,"notification":`...)
		b = append(b, notification...)
		return append(b, '}')
	}
	if len(tokens) == 1 {
		return UnicastPath, "message", one(make([]byte, 0, len(notification)+96), tokens[0])
	}
	b := make([]byte, 0, len(tokens)*(len(notification)+96))
	b = append(b, '[')
	for i, t := range tokens {
		if i > 0 {
			b = append(b, ',')
		}
		b = one(b, t)
	}
	return BatchPath, "messages", append(b, ']')
}

// appendString appends token as a JSON string. regIds are plain ASCII, so
// the quoting is usually a copy.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string cannot fail
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// ---------------------------------------------------------------------------
// Auth

// Sign returns the auth signature: lowercase hex SHA-256 of appKey,
// timestamp (decimal milliseconds, as sent) and masterSecret, concatenated.
func Sign(appKey, timestamp, masterSecret string) string {
	sum := sha256.Sum256([]byte(appKey + timestamp + masterSecret))
	return hex.EncodeToString(sum[:])
}

// authData is the data of the answer to /server/v1/auth. create_time is
// left out: it is a string in the PDF and a number in practice, and the
// expiry is counted from our own clock anyway.
type authData struct {
	AuthToken string `json:"auth_token"`
}

// fetchToken asks OPPO for an auth token. The request has no side effect,
// so it is retried even after a timeout.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	start := c.now()
	ts := strconv.FormatInt(start.UnixMilli(), 10)
	form := url.Values{
		"app_key":   {c.cfg.AppKey},
		"timestamp": {ts},
		"sign":      {Sign(c.cfg.AppKey, ts, c.cfg.MasterSecret)},
	}
	resp, err := c.http.Do(ctx, &transport.Request{
		URL:        c.cfg.Host + AuthPath,
		Header:     formHeader(),
		Body:       []byte(form.Encode()),
		Idempotent: true,
		Auth:       true,
		Busy:       authBusy,
	})
	if err != nil {
		return nil, err
	}
	r, err := head[authData](resp, push.ErrUnavailable) // no device token here
	if err != nil {
		return nil, err
	}
	if r.Data.AuthToken == "" {
		return nil, &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Code: "0", Kind: push.ErrUnavailable,
			Message: "auth answer without data.auth_token"}
	}
	return &oauth2.Token{AccessToken: r.Data.AuthToken, Expiry: start.Add(TokenLifetime)}, nil
}

func formHeader() map[string][]string {
	return map[string][]string{"Content-Type": {"application/x-www-form-urlencoded;charset=UTF-8"}}
}

// ---------------------------------------------------------------------------
// Send

// Push sends info to every regId: one device through unicast, more through
// unicast_batch in requests of up to 1000, sent concurrently.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	plan := batch.Plan{Vendor: push.OPPO, Size: MaxTokens, Parallel: c.http.Concurrency(), Guard: c.guard}
	return batch.Push(ctx, plan, info, tokens, c.notificationJSON, c.send)
}

func (c *Client) send(ctx context.Context, notification []byte, regIDs []string) []push.Outcome {
	path, key, val := encode(notification, regIDs)
	isBatch, busyCheck := path == BatchPath, unicastBusy
	if isBatch {
		busyCheck = batchBusy
	}
	// Escaped once, copied once per attempt: a batch body repeats the
	// notification for every regId, hundreds of kilobytes.
	tail := form.AppendEscaped(append(make([]byte, 0, len(val)*3/2+len(key)+2), '&'), key)
	tail = form.AppendEscaped(append(tail, '='), val)
	out, err := auth.Do(ctx, c.tokens, func(ctx context.Context, token string) ([]push.Outcome, error) {
		resp, err := c.http.Do(ctx, &transport.Request{
			URL: c.cfg.Host + path,
			// The token goes in the form field, as the SDK and the current
			// doc do; the PDF's header is sent too (open question §5.1).
			Header: map[string][]string{
				"Content-Type": {"application/x-www-form-urlencoded;charset=UTF-8"},
				"auth_token":   {token},
			},
			Body:       append(form.AppendEscaped(append(make([]byte, 0, len(token)*3+len(tail)+11), "auth_token="...), token), tail...),
			Idempotent: true, // app_message_id: OPPO shows a repeat once
			Busy:       busyCheck,
		})
		if err != nil {
			return nil, err
		}
		return decode(resp, regIDs, isBatch)
	})
	if err != nil {
		return batch.All(regIDs, "", err)
	}
	return out
}

// ---------------------------------------------------------------------------
// Decode
//
// Verdict table: every code OPPO documents and the class it maps to.
// Sources: [web] the current open.oppomobile.com pages "调用地址，公共参数和
// 返回码" and "单点推送" (unicast, unicast_batch); [pdf] OPPO推送平台服务端
// API-V1.9.3; [sdk] opush-server-sdk-1.0.6 (ReturnCode$ErrorCode).
//
//	code        meaning                                        class
//	0           success                                        accepted
//	-1          Service Currently Unavailable [web,pdf,sdk]    ErrUnavailable (retried)
//	-2          Service in Flow Control [web,pdf,sdk]          ErrRateLimited (retried)
//	11          Invalid AuthToken [web,pdf,sdk]                ErrAuth: a new token, once
//	12          Http Action Not Allowed                        ErrInvalidMessage
//	13          App Call Limited [web,pdf,sdk]                 ErrRateLimited (retried)
//	14, 15      Invalid / Missing App Key                      ErrAuth
//	16, 17      Invalid / Missing Signature                    ErrAuth
//	18, 19      Missing / Invalid Timestamp                    ErrAuth
//	20–24       method / version errors                        ErrInvalidMessage
//	25          Invalid Encoding                               ErrInvalidMessage
//	26          IP Black List                                  ErrAuth
//	27          Access Denied                                  ErrAuth
//	28          App Disabled                                   ErrAuth
//	29          Missing Auth Token                             ErrAuth
//	30          Api Permission Denied                          ErrAuth
//	31, 32      Data Not Exist / Data Duplicate                ErrInvalidMessage
//	33          messages over the daily limit [web,pdf,sdk]    ErrQuota
//	34          picture uploads over the daily limit           ErrQuota
//	40          Missing Required Arguments                     ErrInvalidMessage
//	41          Invalid Arguments (also sensitive words)       ErrInvalidMessage
//	42          saved messages over the daily limit (UNVERIFIED, Getui's table only) ErrQuota
//	51          Invalid Picture                                ErrInvalidMessage
//	55          App Call Frequency Limit [web]                 ErrRateLimited (retried)
//	59          UseSecondaryAction permission denied [web]     ErrAuth
//	67          category / private-channel notify_level error [web]  ErrInvalidMessage
//	10000       Invalid Registration_id [web,pdf,sdk]          ErrInvalidToken: unicast top-level
//	            (one regId) or a batch item's errorCode (names its regId); a
//	            top-level 10000 on a batch names none: batch.AllInvalid
//	10001       notifications switched off for the regId       ErrDisabled (token kept). UNVERIFIED:
//	            OPPO's pages list no 10001 (business codes are 10000–20000, "see each
//	            API"); issue 12 names it OPPO's switched-off code. Either reading keeps the token.
//	other       not documented                                 ErrUnavailable, code kept
//
// Only 10000 can call a regId dead, and only where the answer names it;
// app-level causes (wrong app key, no permission, a category or channel
// the app may not use) are ErrAuth or ErrInvalidMessage, never a token
// verdict. OPPO documents code as a number, but the official Java SDK
// declares a batch item's errorCode a String (PushResult), so every code,
// message id and message is read as a number or a string alike (text).

// response is OPPO's answer: data is a D, {"messageId":…} for unicast, an
// array of per-device results for unicast_batch, the token for auth. Typed,
// it is parsed in one pass; a data of another shape beside a non-zero code
// is ignored (see head). Code is a pointer: an answer without one (`{}`,
// `null`) says nothing, and is not read as code 0.
type response[D any] struct {
	Code    *text `json:"code"`
	Message text  `json:"message"`
	Data    D     `json:"data"`
}

type unicastData struct {
	MessageID text `json:"messageId"`
}

type batchItem struct {
	MessageID      text `json:"messageId"`
	RegistrationID text `json:"registrationId"`
	ErrorCode      text `json:"errorCode"` // a String in the Java SDK, a number in the docs
	ErrorMessage   text `json:"errorMessage"`
}

// The busy checks parse a 200 answer once, for busy and then for decode.
var (
	authBusy    = transport.BusyJSON(busy[authData])
	unicastBusy = transport.BusyJSON(busy[unicastData])
	batchBusy   = transport.BusyJSON(busy[[]batchItem])
)

// busy reports OPPO's "try again" codes inside an HTTP 200: service
// unavailable (-1), flow control (-2), call limits (13, 55). OPPO did not
// process such a request, so it is retried.
func busy[D any](r *response[D]) bool {
	if r.Code == nil {
		return false
	}
	n, err := strconv.Atoi(string(*r.Code))
	if err != nil {
		return false
	}
	switch n {
	case -1, -2, 13, 55:
		return true
	}
	return false
}

// isZero reports a code that says success: "0" (a number or a string).
func isZero(code string) bool {
	n, err := strconv.Atoi(code)
	return err == nil && n == 0
}

// head reads what every OPPO answer shares (auth, unicast, batch). It
// returns the parsed answer, or the error for the whole request (wrapping
// auth.ErrExpired for code 11). A top-level 10000 (invalid regId) is
// reported as regIDKind where the request names no regId it could mean
// (nil keeps ErrInvalidToken).
func head[D any](resp *transport.Response, regIDKind error) (*response[D], error) {
	r, jerr := transport.DecodeJSON[response[D]](resp)
	refusal := r.Code != nil && !isZero(string(*r.Code))
	var te *json.UnmarshalTypeError
	if jerr != nil && refusal && errors.As(jerr, &te) {
		jerr = nil // a refusal with a data of another shape: the code is what counts
	}
	if resp.Status != 200 {
		code, msg := "", ""
		if jerr == nil && refusal {
			code, msg = string(*r.Code), string(r.Message)
		}
		return nil, transport.StatusError(push.OPPO, resp, code, msg)
	}
	if jerr != nil {
		return nil, unreadable(jerr)
	}
	if r.Code == nil {
		// {}, null, or an object without code: not an acceptance.
		return nil, unreadable(errors.New("the answer has no code"))
	}
	if !isZero(string(*r.Code)) {
		e := codeError(string(*r.Code), string(r.Message))
		if e.Kind == push.ErrInvalidToken && regIDKind != nil {
			e.Kind = regIDKind
		}
		return nil, e
	}
	return r, nil
}

// decode maps an answer to one outcome per regId, or to an error for the
// whole request.
func decode(resp *transport.Response, regIDs []string, isBatch bool) ([]push.Outcome, error) {
	if isBatch {
		return decodeBatch(resp, regIDs)
	}
	return decodeUnicast(resp, regIDs)
}

// decodeUnicast maps a unicast answer to the regId's outcome: code 0 is
// OPPO's acceptance, 10000 is about the one regId sent.
func decodeUnicast(resp *transport.Response, regIDs []string) ([]push.Outcome, error) {
	r, err := head[unicastData](resp, nil)
	if err != nil {
		return nil, err
	}
	return batch.All(regIDs, string(r.Data.MessageID), nil), nil
}

// decodeBatch maps a unicast_batch answer to one outcome per regId.
func decodeBatch(resp *transport.Response, regIDs []string) ([]push.Outcome, error) {
	r, err := head[[]batchItem](resp, nil)
	if err != nil {
		// Batches report bad regIds per item. A top-level 10000 on a batch
		// is undocumented and names none of them: the batch rules decide
		// (re-sent one by one, or a misconfiguration), never "all dead".
		var ve *push.VendorError
		if errors.As(err, &ve) && ve.Kind == push.ErrInvalidToken {
			return batch.AllInvalid(regIDs, ve), nil
		}
		return nil, err
	}
	items := r.Data
	byID := make(map[string]*batchItem, len(items))
	for i := range items {
		if id := string(items[i].RegistrationID); id != "" {
			byID[id] = &items[i]
		}
	}
	out := make([]push.Outcome, len(regIDs))
	for i, t := range regIDs {
		it := byID[t]
		if it == nil && len(byID) == 0 && len(items) == len(regIDs) {
			it = &items[i] // items without registrationId: trust the order
		}
		out[i].Token = t
		switch {
		case it == nil:
			// Unknown fate; app_message_id makes a retry safe.
			out[i].Err = &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Kind: push.ErrUnavailable,
				Message: "the answer has no result for this regId"}
		case it.ErrorCode != "" && !isZero(string(it.ErrorCode)):
			out[i].MessageID = string(it.MessageID)
			out[i].Err = codeError(string(it.ErrorCode), string(it.ErrorMessage))
		case it.MessageID == "":
			// Neither an error nor the messageId OPPO gives what it took.
			out[i].Err = &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Kind: push.ErrUnavailable,
				Message: "the result for this regId has neither a messageId nor an errorCode"}
		default:
			out[i].MessageID = string(it.MessageID)
		}
	}
	return out, nil
}

func unreadable(err error) error {
	return &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Kind: push.ErrUnavailable,
		Message: "unreadable answer", Cause: err}
}

// codeError maps an OPPO code (top-level or per item, as text) to its
// class: see the verdict table above.
func codeError(code, msg string) *push.VendorError {
	e := &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Code: code, Message: msg}
	n, err := strconv.Atoi(code)
	if err != nil {
		n = math.MinInt // not a number: an unknown code
	}
	switch n {
	case 10000: // Invalid Registration_id
		e.Kind = push.ErrInvalidToken
	case 10001: // notifications switched off (UNVERIFIED, see the table): the token lives
		e.Kind = push.ErrDisabled
	case 11: // Invalid AuthToken: fetch a new one once and send again
		e.Kind, e.Cause = push.ErrAuth, auth.ErrExpired
	case 33, 34, 42: // daily message / picture / saved-message limits (42 UNVERIFIED)
		e.Kind = push.ErrQuota
	case -2, 13, 55: // flow control, app call limit, call frequency limit
		e.Kind = push.ErrRateLimited
	case -1: // service currently unavailable
		e.Kind = push.ErrUnavailable
	case 14, 15, 16, 17, 18, 19, 26, 27, 28, 29, 30, 59:
		// app key, signature, timestamp, IP black list, access denied, app
		// disabled, missing token, API permission: the app, not a token
		e.Kind = push.ErrAuth
	case 12, 20, 21, 22, 23, 24, 25, 31, 32, 40, 41, 51, 67:
		// not allowed, method/version/encoding, data errors, missing or
		// invalid arguments (and sensitive words), bad category or level
		e.Kind = push.ErrInvalidMessage
	default:
		// An unknown code: report it as temporary rather than make the
		// caller drop a message or a token on a guess. The code is kept.
		e.Kind = push.ErrUnavailable
	}
	return e
}

// text reads codes, ids and messages whatever their JSON type: OPPO's
// docs and official SDK disagree on them.
type text = lenient.Text

// Package huawei sends offline pushes through Huawei Push Kit, REST API v1:
// Android/EMUI phones and HarmonyOS 3.x/4.x. HarmonyOS NEXT (5 and later)
// needs Push Kit v3: see package harmony.
//
// Push Kit authenticates with an OAuth 2.0 client-credentials access token
// (AppID + AppSecret, valid one hour, fetched from oauth-login.cloud.huawei.com
// and cached), takes a JSON body with up to 1000 tokens, and answers with a
// string code: "80000000" success, "80100000" partial success with the
// failed tokens listed inside msg. This package maps a push.OfflinePushInfo
// onto an IM notification (android.category "IM", importance "NORMAL"),
// fits it into the 4096-byte body limit (see Client.Build), sends batches
// concurrently and decodes one outcome per token (see the verdict table at
// decode).
package huawei

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/pushkit"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
)

// Hosts. No regional send host is documented; the legacy hosts
// api.push.hicloud.com and login.cloud.huawei.com are not used.
const (
	Host     = "https://push-api.cloud.huawei.com"
	AuthHost = "https://oauth-login.cloud.huawei.com"
)

// TokenPath is the OAuth 2.0 token endpoint on AuthHost.
const TokenPath = "/oauth2/v3/token"

// SendPath returns the send endpoint for an app: /v1/{appId}/messages:send.
func SendPath(appID string) string {
	return "/v1/" + url.PathEscape(appID) + "/messages:send"
}

// Limits and defaults Huawei documents.
const (
	MaxTokens = 1000 // tokens per request (80300010 above)
	// MaxBody bounds the request body, tokens not counted (80300008 above).
	MaxBody = 4096
	// MaxTTL is the longest offline cache (1296000s); DefaultTTL is
	// Huawei's own default, sent explicitly.
	MaxTTL     = 15 * 24 * time.Hour
	DefaultTTL = 24 * time.Hour
	// MaxBadge bounds badge.add_num (1..99).
	MaxBadge = 99
	// RefreshEarly is how long before expiry an access token is replaced.
	RefreshEarly = 5 * time.Minute
)

// Message classes for Config.Category. They take effect only once the app
// holds Huawei's self-classification entitlement; otherwise Huawei
// classifies messages itself.
const (
	CategoryIM   = "IM"
	CategoryVoIP = "VOIP"
)

var categories = map[string]bool{
	"IM": true, "VOIP": true, "SUBSCRIPTION": true, "TRAVEL": true, "HEALTH": true, "WORK": true,
	"ACCOUNT": true, "EXPRESS": true, "FINANCE": true, "DEVICE_REMINDER": true, "SYSTEM_REMINDER": true,
	"MAIL": true, "MARKETING": true,
	// PLAY_VOICE is for data messages only, so it is not accepted here.
}

// Importance values for Config.Importance: LOW is a marketing-class
// notification, NORMAL a service/communication one, HIGH needs a permission.
const (
	ImportanceLow    = "LOW"
	ImportanceNormal = "NORMAL"
	ImportanceHigh   = "HIGH"
)

// Config holds one Huawei certificate.
type Config struct {
	// AppID is the app's OAuth 2.0 client id (the AppGallery Connect APP ID).
	// It is the client_id of the token request and part of the send URL.
	// Required.
	AppID string
	// AppSecret is the client secret. Required.
	AppSecret string
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Category is android.category; empty means CategoryIM.
	Category string
	// Importance is android.notification.importance; empty means
	// ImportanceNormal.
	Importance string
	// BadgeClass is the full class name of the app's entry Activity
	// (badge.class). Without it OfflinePushInfo.Badge is not sent: the
	// launcher needs the class to know which icon to badge.
	BadgeClass string
	// ChannelID is the Android 8+ notification channel the app created
	// (android.notification.channel_id). Optional.
	ChannelID string
	// TTL is the default offline cache time when the message has none;
	// zero means DefaultTTL. Capped at MaxTTL.
	TTL time.Duration
	// Host is the send API host; empty means Host. The token host is
	// AuthHost; push.WithEndpoint replaces both.
	Host string
}

// String masks the secret, so a Config never prints it.
func (c Config) String() string {
	return fmt.Sprintf("huawei.Config{AppID:%q Category:%q Importance:%q BadgeClass:%q ChannelID:%q Host:%q AppSecret:%s}",
		c.AppID, c.Category, c.Importance, c.BadgeClass, c.ChannelID, c.Host, secret.Mask(c.AppSecret))
}

// GoString masks the secret in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Huawei certificate. It is safe for concurrent use.
type Client struct {
	cfg     Config
	opts    settings.Settings
	http    *transport.Client
	guard   *batch.Guard // trusts dead-token verdicts only when the vendor proves them
	tokens  *auth.Cache
	sendURL string
	now     func() time.Time
	oauth   *auth.ClientCredentials
}

// New validates cfg and builds a client. It does no I/O: the first Push
// fetches the access token.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.Huawei
	if cfg.Category == "" {
		cfg.Category = CategoryIM
	}
	if cfg.Importance == "" {
		cfg.Importance = ImportanceNormal
	}
	switch {
	case strings.TrimSpace(cfg.AppID) == "":
		return nil, reject.Config(v, "AppID", "is required")
	case !pushkit.SafeID(cfg.AppID):
		return nil, reject.Config(v, "AppID", "must be the app's client id (letters, digits, '.', '_' or '-')")
	case strings.TrimSpace(cfg.AppSecret) == "":
		return nil, reject.Config(v, "AppSecret", "is required")
	case !categories[cfg.Category]:
		return nil, reject.Config(v, "Category", "must be one of Huawei's notification categories, such as IM")
	case cfg.Importance != ImportanceLow && cfg.Importance != ImportanceNormal && cfg.Importance != ImportanceHigh:
		return nil, reject.Config(v, "Importance", "must be LOW, NORMAL or HIGH")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if cfg.BadgeClass != "" {
		if err := payload.CheckActivity(cfg.BadgeClass); err != nil {
			return nil, reject.Config(v, "BadgeClass", err.Error())
		}
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(push.Huawei, err)
	}
	if _, err := clickAction(shape.Click(cfg.Click, push.ClickAction{})); err != nil {
		return nil, reject.AsConfig(push.Huawei, err)
	}
	if cfg.Host == "" {
		cfg.Host = Host
	} else if err := payload.CheckURL(cfg.Host, false); err != nil {
		return nil, reject.Config(v, "Host", err.Error())
	}
	cfg.Host = strings.TrimSuffix(cfg.Host, "/")
	o := settings.New(opts...)
	hc, err := transport.New(v, o, 16)
	if err != nil {
		return nil, err
	}
	hc.Redact(cfg.AppSecret) // an answer quoting the request never carries them on

	c := &Client{cfg: cfg, opts: o, http: hc, sendURL: cfg.Host + SendPath(cfg.AppID), now: time.Now}
	c.oauth = &auth.ClientCredentials{Vendor: v, HTTP: hc, URL: AuthHost + TokenPath,
		ClientID: cfg.AppID, ClientSecret: cfg.AppSecret, DefaultLifetime: time.Hour, // documented lifetime
		Now: func() time.Time { return c.now() }}
	c.tokens = auth.For(o, string(v)+"/"+cfg.AppID, auth.SourceFunc(c.fetchToken), RefreshEarly)
	// What a client whose every token is "invalid" should check.
	// (Huawei's v1 causes for 80300007: tokens of another app, a package
	// name or app id that does not match AppGallery Connect.)
	c.guard = batch.NewGuard(v, o.MisconfigGuard, "that Config.AppID is the app whose package name and AppGallery Connect entry made the tokens")
	return c, nil
}

// Vendor returns push.Huawei.
func (c *Client) Vendor() push.Vendor { return push.Huawei }

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// String describes the client without secrets.
func (c *Client) String() string { return "huawei.Client{" + c.cfg.AppID + "}" }

// GoString describes the client without secrets in %#v too.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Push sends info to every token: batches of up to 1000, sent concurrently.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	plan := batch.Plan{Vendor: push.Huawei, Size: MaxTokens, Parallel: c.http.Concurrency(), Guard: c.guard}
	return batch.Push(ctx, plan, info, tokens, c.Build, c.send)
}

// ---- wire structs ----

// Request is the body of POST /v1/{appId}/messages:send.
type Request struct {
	// ValidateOnly asks Huawei to check the message and deliver nothing.
	ValidateOnly bool    `json:"validate_only"`
	Message      Message `json:"message"`
}

// Message is Request.message.
type Message struct {
	// Data is the JSON text {"ext":"<ext>"}. On a tap Huawei hands its keys
	// to the opened Activity as intent extras, where the Tencent-style client
	// reads getStringExtra("ext").
	Data    string         `json:"data,omitempty"`
	Android *AndroidConfig `json:"android"`
	Token   []string       `json:"token,omitempty"`
}

// AndroidConfig is message.android.
type AndroidConfig struct {
	Category     string               `json:"category,omitempty"`
	TTL          string               `json:"ttl,omitempty"` // "86400s"
	Notification *AndroidNotification `json:"notification"`
}

// AndroidNotification is message.android.notification.
type AndroidNotification struct {
	Title        string      `json:"title,omitempty"`
	Body         string      `json:"body"`
	ClickAction  ClickAction `json:"click_action"` // required for notifications
	ChannelID    string      `json:"channel_id,omitempty"`
	Importance   string      `json:"importance,omitempty"`
	NotifyID     int32       `json:"notify_id"`
	Badge        *Badge      `json:"badge,omitempty"`
	DefaultSound bool        `json:"default_sound"`
}

// Click action types.
const (
	ClickTypePage = 1 // intent or action
	ClickTypeURL  = 2 // https url
	ClickTypeApp  = 3 // open the app
)

// ClickAction is android.notification.click_action.
type ClickAction struct {
	Type   int    `json:"type"`
	Intent string `json:"intent,omitempty"`
	Action string `json:"action,omitempty"`
	URL    string `json:"url,omitempty"`
}

// Badge is android.notification.badge.
type Badge struct {
	AddNum int    `json:"add_num,omitempty"`
	Class  string `json:"class,omitempty"`
}

// ---- mapping ----

// Build maps info onto Huawei's send body, without tokens. It is exported
// so tools can show the wire request (dry run); Request.Body adds tokens.
//
// Lengths: Huawei documents one limit, 4096 bytes for the body without the
// tokens (80300008); no per-field limit is documented (third-party tables
// disagree: 40/80, 40/1024 characters, or none), so none is applied. A body
// over the limit has its Desc, then its Title shortened with "…" until it
// fits; Ext is never cut (an Ext that cannot fit is refused, naming Ext);
// push.WithStrictLength refuses instead. An empty Title stays empty:
// Huawei shows the notification without one.
func (c *Client) Build(info *push.OfflinePushInfo) (*Request, error) {
	v := push.Huawei
	if err := info.Validate(); err != nil {
		return nil, err
	}
	click, err := clickAction(shape.Click(info.Click, c.cfg.Click))
	if err != nil {
		return nil, err
	}
	n := &AndroidNotification{
		Title:        info.Title,
		Body:         info.Desc,
		ClickAction:  click,
		ChannelID:    c.cfg.ChannelID,
		Importance:   c.cfg.Importance,
		NotifyID:     ids.NotifyID(info.CollapseID), // a new message does not replace the last
		DefaultSound: true,
	}
	if info.Badge > 0 && c.cfg.BadgeClass != "" {
		n.Badge = &Badge{AddNum: min(info.Badge, MaxBadge), Class: c.cfg.BadgeClass}
	}
	req := &Request{Message: Message{
		Data: payload.ExtJSON(info.Ext),
		Android: &AndroidConfig{
			Category:     c.cfg.Category,
			TTL:          ttlString(info.TTL, c.cfg.TTL),
			Notification: n,
		},
	}}
	// Counted: everything but the token strings (an empty list is).
	size := func() int { return len(req.Body(nil)) + len(`,"token":[]`) }
	if err := shape.Body(v, MaxBody, "the body without tokens", c.opts.StrictLength, &n.Title, &n.Body, size); err != nil {
		return nil, err
	}
	return req, nil
}

func clickAction(click push.ClickAction) (ClickAction, error) {
	v := push.Huawei
	switch click.Kind {
	case push.ClickOpenURL:
		if err := payload.CheckURL(click.URL, true); err != nil {
			return ClickAction{}, reject.Message(v, "Click.URL", err.Error()+" (Huawei opens https URLs only)")
		}
		return ClickAction{Type: ClickTypeURL, URL: click.URL}, nil
	case push.ClickOpenPage:
		if click.Intent == "" {
			// type 1 also takes an Activity action string, which a class name
			// is not; an intent URI names the Activity precisely.
			return ClickAction{}, reject.Message(v, "Click.Intent", "is required for Huawei open-page (click_action.intent)")
		}
		return ClickAction{Type: ClickTypePage, Intent: click.Intent}, nil
	default:
		return ClickAction{Type: ClickTypeApp}, nil
	}
}

// ttlString is android.ttl: always sent, DefaultTTL when neither the
// message nor the Config sets one.
func ttlString(msg, def time.Duration) string {
	ttl := shape.TTL(msg, cmp.Or(def, DefaultTTL), MaxTTL)
	return strconv.FormatInt(shape.Seconds(ttl), 10) + "s"
}

// Body returns the JSON body for tokens. HTML characters are not escaped
// (Huawei counts bytes: "&" stays one byte).
func (r *Request) Body(tokens []string) []byte {
	cp := *r
	cp.Message.Token = tokens
	b, _ := wire.JSON(&cp) // plain structs of strings and numbers cannot fail
	return b
}

// ---- auth ----

// fetchToken buys an access token with the app's client credentials
// (AppID and AppSecret, form-encoded). It is the auth.Source behind the
// client's token cache.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	return c.oauth.Fetch(ctx)
}

// ---- send ----

// send sends one batch; the tokens an 80300007 answer left unjudged (it
// named others) are sent once more on their own (pushkit.Resend).
func (c *Client) send(ctx context.Context, req *Request, tokens []string) []push.Outcome {
	once := func(ctx context.Context, toks []string) []push.Outcome { return c.sendOnce(ctx, req, toks) }
	return pushkit.Resend(ctx, push.Huawei, c.guard, once(ctx, tokens), once)
}

func (c *Client) sendOnce(ctx context.Context, req *Request, tokens []string) []push.Outcome {
	body := req.Body(tokens)
	out, err := auth.Do(ctx, c.tokens, func(ctx context.Context, at string) ([]push.Outcome, error) {
		resp, err := c.http.Do(ctx, &transport.Request{
			URL: c.sendURL,
			Header: map[string][]string{
				"Authorization": {"Bearer " + at},
				"Content-Type":  {"application/json; charset=UTF-8"},
			},
			Body: body,
			Busy: checkBusy, // Push Kit has no dedupe key, so only answered attempts are retried
		})
		if err != nil {
			return nil, err
		}
		return decode(resp, tokens)
	})
	if err != nil {
		return batch.All(tokens, "", err)
	}
	return out
}

// ---- decode ----

// Huawei codes.
const (
	CodeSuccess          = pushkit.CodeSuccess
	CodePartial          = pushkit.CodePartial
	CodeAuthError        = "80200001"
	CodeTokenExpired     = "80200003"
	CodeJWTExpired       = "80200005"
	CodeAllInvalid       = pushkit.CodeAllInvalid
	CodeTooLarge         = "80300008"
	CodeInternalError    = pushkit.CodeInternalError
	CodeOAuthUnavailable = "80600003"
)

// busy reports Huawei's "try again" codes inside an HTTP 200.
func busy(r *pushkit.Response) bool {
	return r.CodeIn(CodeInternalError, CodeOAuthUnavailable)
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// decode maps one answer to one outcome per token. It returns an error only
// for a rejected access token, so that auth.Do refreshes it and sends once
// more.
//
// The verdict table (Huawei "HTTPS下行消息" v1 error codes,
// developer.huawei.com/consumer/cn/doc/HMSCore-References/https-send-api-0000001050986197;
// HMS-Core/hms-push-serverdemo-java ResponceCodeProcesser). ErrInvalidToken
// comes only from an answer that names the token, or from 80300007 to a
// request of that one token:
//
//	80000000  delivered
//	80100000  the tokens msg lists: illegal_tokens ErrInvalidToken, v3-style
//	          illegalTokens by reason (pushkit.ReasonKind); the rest delivered
//	80300007  "all the tokens are invalid": pushkit.AllInvalid. Huawei's causes
//	          include a package name or app id that does not match AppGallery
//	          Connect, so a batch is not marked dead on it: named tokens get
//	          their verdict (the others are sent again once), an app-level
//	          reason is ErrAuth, and an unnamed answer follows batch.AllInvalid
//	          (one token: dead; a batch: each token re-sent alone, or ErrAuth
//	          "likely a misconfiguration" above the guard's limit)
//	80200001, 80200003, 80200005
//	          ErrAuth (OAuth error, token expired, JWT expired): a new access
//	          token is fetched and the request sent once more
//	80300002  ErrAuth: the app may not send (Push Kit off, wrong app or project)
//	80300011  ErrAuth: no permission for high-importance notifications
//	          (Config.Importance HIGH needs it)
//	80300013  ErrAuth: the receipt address set up for the app is wrong
//	80100001, 80100002, 80100003, 80100004, 80100013, 80100016, 80100018,
//	80300008, 80300010
//	          ErrInvalidMessage (parameters, structure, TTL, collapse_key,
//	          sensitive content, signature, body over 4096 bytes, token count)
//	80100017  ErrRateLimited (over 100 concurrent topic tasks), not retried
//	81000001, 80600003
//	          ErrUnavailable, retried ("system internal error"; "request to the
//	          OAuth service failed": the doc says to check the client id and
//	          secret, but the token endpoint has just accepted them, so it is
//	          taken as the push server's own call failing)
//	other     by HTTP status (429 rate limited, 5xx unavailable, 4xx invalid
//	          message); an unknown code in a 200 is ErrUnavailable: nothing is
//	          deleted or refused on a guess
func decode(resp *transport.Response, tokens []string) ([]push.Outcome, error) {
	r, jerr := transport.DecodeJSON[pushkit.Response](resp)
	if jerr != nil || r.Code == "" {
		if resp.Status == 401 {
			// A bare 401 is the token being refused: refresh it once.
			return nil, &push.VendorError{Vendor: push.Huawei, HTTPStatus: 401, Kind: push.ErrAuth,
				Message: "access token refused", Cause: auth.ErrExpired}
		}
		if resp.Status != 200 {
			return batch.All(tokens, "", transport.StatusError(push.Huawei, resp, "", "")), nil
		}
		return batch.All(tokens, "", &push.VendorError{Vendor: push.Huawei, HTTPStatus: 200, Kind: push.ErrUnavailable,
			Message: "unreadable answer"}), nil
	}
	// msg never holds the AppSecret: the transport redacts it (Redact, in New).
	id, msg := string(r.RequestID), string(r.Msg)
	verr := func(kind error) *push.VendorError {
		return &push.VendorError{Vendor: push.Huawei, HTTPStatus: resp.Status, Code: string(r.Code), Message: msg, Kind: kind}
	}
	switch r.Code {
	case CodeSuccess:
		return batch.All(tokens, id, nil), nil
	case CodePartial:
		return pushkit.MarkFailed(batch.All(tokens, id, nil), push.Huawei, resp.Status, string(r.Code), msg), nil
	case CodeAllInvalid:
		return pushkit.AllInvalid(tokens, push.Huawei, resp.Status, msg, id), nil
	case CodeAuthError, CodeTokenExpired, CodeJWTExpired:
		e := verr(push.ErrAuth)
		e.Cause = auth.ErrExpired
		return nil, e
	}
	var kind error
	switch r.Code {
	case "80100001", "80100002", "80100003", "80100004", "80100013", "80100016", "80100018",
		CodeTooLarge, "80300010":
		kind = push.ErrInvalidMessage
	case "80100017": // too many concurrent topic tasks
		kind = push.ErrRateLimited
	case "80300002", "80300011", "80300013": // may not send; no high-importance right; bad receipt address
		kind = push.ErrAuth
	case CodeInternalError, CodeOAuthUnavailable:
		kind = push.ErrUnavailable
	default:
		if resp.Status != 200 {
			e := transport.StatusError(push.Huawei, resp, string(r.Code), msg)
			return batch.All(tokens, id, e), nil
		}
		// An unknown code: report it as temporary rather than make the caller
		// drop a message or a token on a guess. The code is kept for logs.
		kind = push.ErrUnavailable
	}
	e := verr(kind)
	if resp.Status == 429 || resp.Status >= 500 {
		e.RetryAfter = transport.RetryAfter(resp.Header)
	}
	return batch.All(tokens, id, e), nil
}

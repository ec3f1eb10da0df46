// Package harmony sends offline pushes to HarmonyOS NEXT (HarmonyOS 5 and
// later) through Huawei Push Kit, REST API v3 ("scenario-based messages").
// Android/EMUI and HarmonyOS 3.x/4.x phones use Push Kit v1: see package
// huawei. A phone upgraded to NEXT gets a new token that only v3 reaches.
//
// v3 accepts only a service-account JWT: the client signs one (PS256) with
// the private key of the AppGallery Connect service-account key file, keeps
// it for up to an hour and signs a new one shortly before it expires; no
// token request is made. A send is POST /v3/{projectId}/messages:send with a
// push-type header, a payload.notification of category "IM", and up to 1000
// tokens. The answer has a string code; "80100000" lists the failed tokens
// by reason inside msg (see the verdict table at decode). Texts are fitted
// to the 4096-byte body (see Client.Build).
package harmony

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
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
	"github.com/offlinepush/push/internal/pemkey"
	"github.com/offlinepush/push/internal/pushkit"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
)

// Host is the Push Kit API host.
const Host = "https://push-api.cloud.huawei.com"

// SendPath returns the v3 send endpoint for a project:
// /v3/{projectId}/messages:send.
func SendPath(projectID string) string {
	return "/v3/" + url.PathEscape(projectID) + "/messages:send"
}

// Audience is the JWT "aud" claim Huawei requires (fixed by the docs; the
// key file's token_uri holds the same URL).
const Audience = "https://oauth-login.cloud.huawei.com/oauth2/v3/token"

// Limits and defaults Huawei documents.
const (
	MaxTokens = 1000 // tokens per request (80300010 above)
	// MaxBody bounds the request body, tokens not counted (80300008 above).
	MaxBody = 4096
	// MaxTTL is the longest offline cache (1296000s); DefaultTTL is
	// Huawei's own default, sent explicitly.
	MaxTTL     = 15 * 24 * time.Hour
	DefaultTTL = 24 * time.Hour
	// MaxBadge bounds badge.addNum (1..99).
	MaxBadge = 99
	// JWTLifetime is how long a signed JWT is valid: Huawei recommends an
	// hour and refuses more than a day (80300036).
	JWTLifetime = time.Hour
	// RefreshEarly is how long before expiry a new JWT is signed.
	RefreshEarly = 5 * time.Minute
)

// Push types (the push-type header). This package builds the notification
// payloads of PushTypeAlert and PushTypeExtension only.
const (
	PushTypeAlert     = 0 // notification
	PushTypeExtension = 2 // notification extension (needs the entitlement)
)

// Click action types of clickAction.actionType.
const (
	ActionOpenApp  = 0 // the app's home page
	ActionOpenPage = 1 // an ability found by action and/or uri
)

// CategoryIM is the notification category for chat messages. Categories
// take effect once the app holds the self-classification entitlement.
const CategoryIM = "IM"

var categories = map[string]bool{
	"IM": true, "VOIP": true, "MISS_CALL": true, "SUBSCRIPTION": true, "TRAVEL": true, "HEALTH": true,
	"WORK": true, "ACCOUNT": true, "EXPRESS": true, "FINANCE": true, "DEVICE_REMINDER": true,
	"SYSTEM_REMINDER": true, "MAIL": true, "CUSTOMER_SERVICE": true, "MARKETING": true, "NEWS": true,
	"CONTENT_RECOMMENDATION": true, "SOCIAL_DYNAMICS": true, "PROMO": true, "PLAY_VOICE": true,
}

// Config holds one HarmonyOS NEXT certificate.
type Config struct {
	// CredentialsJSON is the service-account key file downloaded from the
	// Huawei developer API Console ("服务账号密钥"): project_id, key_id,
	// sub_account and private_key are read from it. Required.
	CredentialsJSON []byte
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Category is payload.notification.category; empty means CategoryIM.
	Category string
	// TTL is the default offline cache time when the message has none;
	// zero means DefaultTTL. Capped at MaxTTL.
	TTL time.Duration
	// PushType is the push-type header: PushTypeAlert (the default) or
	// PushTypeExtension.
	PushType int
	// Host is the API host; empty means Host.
	Host string
}

// String masks the credentials, so a Config never prints them.
func (c Config) String() string {
	creds := `""`
	if len(c.CredentialsJSON) > 0 {
		creds = fmt.Sprintf("<redacted %d bytes>", len(c.CredentialsJSON))
	}
	return fmt.Sprintf("harmony.Config{Category:%q PushType:%d Host:%q CredentialsJSON:%s}", c.Category, c.PushType, c.Host, creds)
}

// GoString masks the credentials in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// serviceAccount is the key file. Only the fields used are read.
type serviceAccount struct {
	ProjectID  string `json:"project_id"`
	KeyID      string `json:"key_id"`
	PrivateKey string `json:"private_key"`
	SubAccount string `json:"sub_account"`
}

// Client sends to one HarmonyOS NEXT project. It is safe for concurrent use.
type Client struct {
	cfg        Config
	opts       settings.Settings
	http       *transport.Client
	guard      *batch.Guard // trusts dead-token verdicts only when the vendor proves them
	tokens     *auth.Cache
	projectID  string
	keyID      string
	subAccount string
	key        *rsa.PrivateKey
	sendURL    string
	now        func() time.Time
}

// New validates cfg, reads the key file and builds a client. It does no I/O.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.Harmony
	if len(bytes.TrimSpace(cfg.CredentialsJSON)) == 0 {
		return nil, reject.Config(v, "CredentialsJSON", "is required (the service-account key file from the Huawei API Console)")
	}
	var sa serviceAccount
	// The decoder's error text may quote the file, so it is not passed on.
	if json.Unmarshal(cfg.CredentialsJSON, &sa) != nil {
		return nil, reject.Config(v, "CredentialsJSON", "is not a valid JSON object")
	}
	for _, f := range []struct{ name, val string }{{"project_id", sa.ProjectID}, {"key_id", sa.KeyID}, {"sub_account", sa.SubAccount}, {"private_key", sa.PrivateKey}} {
		if strings.TrimSpace(f.val) == "" {
			return nil, reject.Config(v, "CredentialsJSON", "has no "+f.name)
		}
	}
	if !pushkit.SafeID(sa.ProjectID) {
		return nil, reject.Config(v, "CredentialsJSON", "has a project_id with characters other than letters, digits, '.', '_' or '-'")
	}
	key, err := pemkey.RSA([]byte(sa.PrivateKey))
	if err != nil {
		return nil, reject.Config(v, "CredentialsJSON", "private_key "+err.Error()+" (HarmonyOS signs with PS256, an RSA key)")
	}
	if cfg.Category == "" {
		cfg.Category = CategoryIM
	}
	switch {
	case !categories[cfg.Category]:
		return nil, reject.Config(v, "Category", "must be one of the HarmonyOS notification categories, such as IM")
	case cfg.PushType != PushTypeAlert && cfg.PushType != PushTypeExtension:
		return nil, reject.Config(v, "PushType", "must be 0 (alert) or 2 (notification extension); other push types carry payloads this package does not build")
	case cfg.Category == "PLAY_VOICE" && cfg.PushType != PushTypeExtension:
		return nil, reject.Config(v, "Category", "PLAY_VOICE needs PushType 2 (notification extension)")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(push.Harmony, err)
	}
	if _, err := clickAction(shape.Click(cfg.Click, push.ClickAction{}), ""); err != nil {
		return nil, reject.AsConfig(push.Harmony, err)
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
	c := &Client{cfg: cfg, opts: o, http: hc, projectID: sa.ProjectID, keyID: sa.KeyID, subAccount: sa.SubAccount,
		key: key, sendURL: cfg.Host + SendPath(sa.ProjectID), now: time.Now}
	c.tokens = auth.For(o, "harmony/"+sa.ProjectID+"/"+sa.KeyID, auth.SourceFunc(c.signJWT), RefreshEarly)
	// What a client whose every token is "invalid" should check.
	c.guard = batch.NewGuard(v, o.MisconfigGuard, "that Config.CredentialsJSON is the key of the project the tokens belong to, and its push entitlement")
	return c, nil
}

// Vendor returns push.Harmony.
func (c *Client) Vendor() push.Vendor { return push.Harmony }

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// String describes the client without secrets.
func (c *Client) String() string { return "harmony.Client{project " + c.projectID + "}" }

// GoString describes the client without secrets in %#v too.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// ProjectID is the project the key file belongs to (the send URL's).
func (c *Client) ProjectID() string { return c.projectID }

// Push sends info to every token: batches of up to 1000, sent concurrently.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	plan := batch.Plan{Vendor: push.Harmony, Size: MaxTokens, Parallel: c.http.Concurrency(), Guard: c.guard}
	return batch.Push(ctx, plan, info, tokens, c.Build, c.send)
}

// ---- wire structs ----

// Request is the body of POST /v3/{projectId}/messages:send.
type Request struct {
	Payload     Payload      `json:"payload"`
	Target      Target       `json:"target"`
	PushOptions *PushOptions `json:"pushOptions,omitempty"`
}

// Payload is the AlertPayload (push-type 0) or ExtensionPayload (2).
type Payload struct {
	Notification *Notification `json:"notification"`
	// ExtraData is handed to the app's notification extension (push-type 2).
	ExtraData string `json:"extraData,omitempty"`
}

// Notification is payload.notification.
type Notification struct {
	Category    string      `json:"category"`
	Title       string      `json:"title"`
	Body        string      `json:"body"`
	ClickAction ClickAction `json:"clickAction"`
	NotifyID    int32       `json:"notifyId"`
	Badge       *Badge      `json:"badge,omitempty"`
}

// ClickAction is payload.notification.clickAction.
type ClickAction struct {
	ActionType int    `json:"actionType"`
	Action     string `json:"action,omitempty"`
	URI        string `json:"uri,omitempty"`
	// Data is handed to the opened ability in its Want parameters; the
	// Tencent-style client reads "ext" there.
	Data map[string]string `json:"data,omitempty"`
}

// Badge is payload.notification.badge.
type Badge struct {
	AddNum int `json:"addNum,omitempty"`
}

// Target is the request's target.
type Target struct {
	Token []string `json:"token"`
}

// PushOptions is the request's pushOptions.
type PushOptions struct {
	TTL int64 `json:"ttl,omitempty"` // seconds
}

// ---- mapping ----

// Build maps info onto the v3 send body, without tokens. It is exported so
// tools can show the wire request (dry run); Request.Body adds tokens.
//
// Title: HarmonyOS requires one (the official server SDK refuses a
// notification without it), so an empty Title becomes shape.Title: the
// client's push.WithDefaultTitle, else the Desc.
//
// Lengths: Huawei documents one limit, 4096 bytes for the body without the
// tokens (80300008); no per-field limit is documented, so none is applied.
// A body over the limit has its Desc, then its Title shortened with "…"
// until it fits (a title taken from the Desc is shortened first, since the
// body carries the same text); Ext is never cut (an Ext that cannot fit is
// refused, naming Ext); push.WithStrictLength refuses instead.
func (c *Client) Build(info *push.OfflinePushInfo) (*Request, error) {
	v := push.Harmony
	if err := info.Validate(); err != nil {
		return nil, err
	}
	click, err := clickAction(shape.Click(info.Click, c.cfg.Click), info.Ext)
	if err != nil {
		return nil, err
	}
	title, fromDesc := info.Title, false
	if strings.TrimSpace(title) == "" {
		title = shape.Title(info, c.opts)
		fromDesc = strings.TrimSpace(c.opts.DefaultTitle) == ""
	}
	n := &Notification{
		Category:    c.cfg.Category,
		Title:       title,
		Body:        info.Desc,
		ClickAction: click,
		NotifyID:    ids.NotifyID(info.CollapseID), // a new message does not replace the last
	}
	if info.Badge > 0 {
		n.Badge = &Badge{AddNum: min(info.Badge, MaxBadge)}
	}
	req := &Request{Payload: Payload{Notification: n}, PushOptions: &PushOptions{
		TTL: shape.Seconds(shape.TTL(info.TTL, cmp.Or(c.cfg.TTL, DefaultTTL), MaxTTL)), // always sent: DefaultTTL without one
	}}
	if c.cfg.PushType == PushTypeExtension {
		req.Payload.ExtraData = info.Ext
	}
	size := func() int { return len(req.Body(nil)) } // the body with an empty token list
	cutFirst, cutThen := &n.Body, &n.Title
	if fromDesc {
		cutFirst, cutThen = &n.Title, &n.Body
	}
	// shape.Body shortens its desc argument (cutFirst) before its title one.
	if err := shape.Body(v, MaxBody, "the body without tokens", c.opts.StrictLength, cutThen, cutFirst, size); err != nil {
		return nil, err
	}
	return req, nil
}

// clickAction maps a click. HarmonyOS has no Android intents and no
// open-URL action, so:
//   - open app: actionType 0.
//   - open URL: actionType 1 with uri = the https URL: the Want then opens
//     the app's ability whose skills declare that URL (App Linking), the
//     way Huawei's own sample passes an https uri. The app must declare it;
//     the browser is not a target. http is refused, as for Huawei.
//   - open page: actionType 1 with action = Click.Activity (put the target
//     ability's skill action there) and/or uri = the data URI the intent
//     carries ("intent://chat/1#Intent;scheme=myapp;end" gives
//     "myapp://chat/1"). An intent with only a component= names an Android
//     class, which HarmonyOS cannot open, and is refused.
//
// ext goes to clickAction.data as {"ext": ext}.
func clickAction(click push.ClickAction, ext string) (ClickAction, error) {
	v := push.Harmony
	ca := ClickAction{ActionType: ActionOpenApp, Data: payload.ExtMap(ext)}
	switch click.Kind {
	case push.ClickOpenURL:
		if err := payload.CheckURL(click.URL, true); err != nil {
			return ClickAction{}, reject.Message(v, "Click.URL", err.Error()+" (HarmonyOS opens https URLs only)")
		}
		ca.ActionType, ca.URI = ActionOpenPage, click.URL
	case push.ClickOpenPage:
		ca.ActionType, ca.Action = ActionOpenPage, click.Activity
		if click.Intent != "" {
			ca.URI = intentDataURI(click.Intent)
		}
		if ca.Action == "" && ca.URI == "" {
			return ClickAction{}, reject.Message(v, "Click.Intent", "has no data URI for HarmonyOS (use intent://host/path#Intent;scheme=…;end, or set Click.Activity to the ability's skill action)")
		}
	}
	return ca, nil
}

// intentDataURI returns the data URI of an Android intent URI, or "".
func intentDataURI(intent string) string {
	head, params, ok := strings.Cut(intent, "#Intent;")
	if !ok {
		return ""
	}
	rest, isIntent := strings.CutPrefix(head, "intent:")
	if !isIntent {
		return head // "myapp://chat/1#Intent;…;end": the data URI is the head
	}
	if !strings.HasPrefix(rest, "//") || len(rest) <= 2 {
		return "" // "intent:#Intent;…": no data
	}
	scheme := ""
	for _, p := range strings.Split(params, ";") {
		if s, ok := strings.CutPrefix(p, "scheme="); ok {
			scheme = s
		}
	}
	if scheme == "" {
		return ""
	}
	return scheme + ":" + rest
}

// Body returns the JSON body for tokens. HTML characters are not escaped
// (Huawei counts bytes: "&" stays one byte).
func (r *Request) Body(tokens []string) []byte {
	cp := *r
	cp.Target.Token = tokens
	if cp.Target.Token == nil {
		cp.Target.Token = []string{}
	}
	b, _ := wire.JSON(&cp) // plain structs of strings and numbers cannot fail
	return b
}

// ---- auth: the service-account JWT ----

type jwtHeader struct {
	KeyID string `json:"kid"`
	Type  string `json:"typ"`
	Alg   string `json:"alg"`
}

type jwtClaims struct {
	Aud string `json:"aud"`
	Iss string `json:"iss"`
	Exp int64  `json:"exp"`
	Iat int64  `json:"iat"`
}

// signJWT is the auth.Source: it signs a fresh JWT (no HTTP). The cache
// keeps it until RefreshEarly before exp.
func (c *Client) signJWT(context.Context) (*oauth2.Token, error) {
	now := c.now()
	jwt, err := c.sign(now)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: jwt, TokenType: "Bearer", Expiry: now.Add(JWTLifetime)}, nil
}

// sign returns header.payload.signature, signed RSASSA-PSS with SHA-256
// and a 32-byte salt (PS256, RFC 7518 §3.5).
func (c *Client) sign(now time.Time) (string, error) {
	iat := now.Unix()
	h, _ := json.Marshal(jwtHeader{KeyID: c.keyID, Type: "JWT", Alg: "PS256"})
	p, _ := json.Marshal(jwtClaims{Aud: Audience, Iss: c.subAccount, Exp: iat + int64(JWTLifetime/time.Second), Iat: iat})
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, c.key, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	if err != nil {
		return "", &push.VendorError{Vendor: push.Harmony, Kind: push.ErrAuth, Message: "signing the JWT failed", Cause: err}
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// ---- send ----

// send sends one batch; the tokens an 80300007 answer left unjudged (it
// named others) are sent once more on their own (pushkit.Resend).
func (c *Client) send(ctx context.Context, req *Request, tokens []string) []push.Outcome {
	once := func(ctx context.Context, toks []string) []push.Outcome { return c.sendOnce(ctx, req, toks) }
	return pushkit.Resend(ctx, push.Harmony, c.guard, once(ctx, tokens), once)
}

func (c *Client) sendOnce(ctx context.Context, req *Request, tokens []string) []push.Outcome {
	body := req.Body(tokens)
	pushType := strconv.Itoa(c.cfg.PushType)
	out, err := auth.Do(ctx, c.tokens, func(ctx context.Context, jwt string) ([]push.Outcome, error) {
		resp, err := c.http.Do(ctx, &transport.Request{
			URL: c.sendURL,
			Header: map[string][]string{
				"Authorization": {"Bearer " + jwt},
				"Content-Type":  {"application/json; charset=UTF-8"},
				"push-type":     {pushType},
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

// Push Kit v3 codes.
const (
	CodeSuccess       = pushkit.CodeSuccess
	CodePartial       = pushkit.CodePartial
	CodeAuthError     = "80200001"
	CodeJWTExpired    = "80200005"
	CodeAllInvalid    = pushkit.CodeAllInvalid
	CodeTooLarge      = "80300008"
	CodeInternalError = pushkit.CodeInternalError
)

// busy reports the "try again" code inside an HTTP 200.
func busy(r *pushkit.Response) bool {
	return r.CodeIn(CodeInternalError)
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// decode maps one answer to one outcome per token. It returns an error only
// for an expired JWT, so that auth.Do signs a new one and sends once more.
//
// The verdict table (Huawei "响应参数-场景化消息", the v3 response codes,
// developer.huawei.com/consumer/cn/doc/harmonyos-references/push-scenariozed-api-response).
// ErrInvalidToken comes only from an answer that names the token, or from
// 80300007 to a request of that one token:
//
//	80000000  delivered
//	80100000  the tokens msg's illegalTokens lists, by reason
//	          (pushkit.ReasonKind: tokenFormatError, tokenPlatformNotSupport and
//	          noRight are dead, app-level reasons ErrAuth, …); the rest delivered
//	80300007  "All the tokens are invalid.": pushkit.AllInvalid. Its documented
//	          causes are mostly app-level (noRight: the tokens' app is not in the
//	          URL's project; noPushTypeRight; a penalty; appinfoError), so a
//	          recognised app-level reason is ErrAuth for every token, named
//	          tokens get their verdict (the others are sent again once), and a
//	          plain answer follows batch.AllInvalid (one token: dead; a batch:
//	          each token re-sent alone, or ErrAuth "likely a misconfiguration"
//	          above the guard's limit)
//	80200005  ErrAuth (JWT expired): a new JWT is signed and the request sent once more
//	80200001  ErrAuth (bad JWT, or its project is not the URL's)
//	80300002  ErrAuth (Push Kit not enabled, or the URL's project is not the app's)
//	80300036  ErrAuth (JWT valid over a day)
//	80300037  ErrAuth (the app is under a penalty)
//	80100001, 80100003, 80100004, 80100022, 80300008, 80300010, 80300030
//	          ErrInvalidMessage (parameters, structure, TTL, unverified image,
//	          body over 4096 bytes, token count, test-message token count)
//	80300029  ErrRateLimited (test messages too often), not retried
//	81000001  ErrUnavailable, retried (inner error)
//	HTTP 503  ErrRateLimited (flow control); 502 and 500 ErrUnavailable;
//	          a bare 401: a new JWT once, then ErrAuth
//	other     by HTTP status; an unknown code in a 200 is ErrUnavailable
func decode(resp *transport.Response, tokens []string) ([]push.Outcome, error) {
	v := push.Harmony
	r, jerr := transport.DecodeJSON[pushkit.Response](resp)
	if jerr != nil || r.Code == "" {
		switch {
		case resp.Status == 401:
			// A bare 401: sign a new JWT once (it may have expired in flight).
			return nil, &push.VendorError{Vendor: v, HTTPStatus: 401, Kind: push.ErrAuth, Message: "JWT refused", Cause: auth.ErrExpired}
		case resp.Status == 503:
			// v3 documents 503 as flow control.
			e := transport.StatusError(v, resp, "", "flow control")
			e.Kind = push.ErrRateLimited
			return batch.All(tokens, "", e), nil
		case resp.Status != 200:
			return batch.All(tokens, "", transport.StatusError(v, resp, "", "")), nil
		}
		return batch.All(tokens, "", &push.VendorError{Vendor: v, HTTPStatus: 200, Kind: push.ErrUnavailable, Message: "unreadable answer"}), nil
	}
	id, msg := string(r.RequestID), string(r.Msg)
	verr := func(kind error) *push.VendorError {
		return &push.VendorError{Vendor: v, HTTPStatus: resp.Status, Code: string(r.Code), Message: msg, Kind: kind}
	}
	var kind error
	switch r.Code {
	case CodeSuccess:
		return batch.All(tokens, id, nil), nil
	case CodePartial:
		return pushkit.MarkFailed(batch.All(tokens, id, nil), v, resp.Status, string(r.Code), msg), nil
	case CodeAllInvalid:
		return pushkit.AllInvalid(tokens, v, resp.Status, msg, id), nil
	case CodeJWTExpired:
		e := verr(push.ErrAuth)
		e.Cause = auth.ErrExpired
		return nil, e
	case CodeAuthError, "80300002", "80300036", "80300037":
		// bad JWT or project; no push right; JWT lifetime over a day; penalty
		kind = push.ErrAuth
	case "80100001", "80100003", "80100004", "80100022", CodeTooLarge, "80300010", "80300030":
		kind = push.ErrInvalidMessage
	case "80300029": // test messages sent too often
		kind = push.ErrRateLimited
	case CodeInternalError:
		kind = push.ErrUnavailable
	default:
		if resp.Status != 200 {
			return batch.All(tokens, id, transport.StatusError(v, resp, string(r.Code), msg)), nil
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

// Package honor sends offline pushes through Honor Push (荣耀推送), the
// channel of Honor phones on Magic UI 4.0+ (older Honor devices use Huawei
// push).
//
// Honor's server API is an HMS-like fork: the app's Client ID and Client
// Secret buy an OAuth2 access token (client_credentials) from Honor's IAM
// service; every send carries "Authorization: Bearer <token>" and a
// "timestamp" header in milliseconds, and posts a camelCase JSON body without
// HMS's "message" wrapper to /api/v1/{appId}/sendMessage. The answer lists
// dead tokens in data.expireTokens and otherwise failed ones in
// data.failTokens.
//
// The file reads in the order of the vendor doc: config, wire structs,
// mapping, the access token, send, decode. Facts Honor has not published
// (marked UNVERIFIED in comments) are read the safe way.
package honor

import (
	"bytes"
	"context"
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
	"github.com/offlinepush/push/internal/lenient"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
)

// Hosts and paths.
const (
	// Host is the push API host (the older push-api.cloud.hihonor.com is legacy).
	Host = "https://push-api.cloud.honor.com"
	// SendPath is the send endpoint; %s is the URL-escaped App ID.
	SendPath = "/api/v1/%s/sendMessage"

	// DefaultTokenURL is the token endpoint of Honor's own "send downlink
	// messages" guide. Which of it and ShortTokenURL is canonical is
	// UNVERIFIED (third-party clients use both and both seem to work); the
	// guide's realm path is the one Honor documents, so it is the default and
	// Config.TokenURL can switch.
	DefaultTokenURL = "https://iam.developer.honor.com/auth/realms/developer/protocol/openid-connect/token"
	// ShortTokenURL is the short token path several third-party clients use.
	ShortTokenURL = "https://iam.developer.honor.com/auth/token"
)

// Limits.
const (
	// MaxTokens is the number of tokens per request. Honor's maximum is
	// UNVERIFIED; 1000 is the HMS limit the API was forked from, and no source
	// shows a smaller one.
	MaxTokens = 1000
	// MaxBodyBytes bounds the JSON body without the token list. Honor's limit
	// is UNVERIFIED; 4096 is the HMS bound (80300008) and is used as the safe
	// one: a longer Desc (then Title) is shortened with "…" to fit, as
	// shape.Body does for every vendor; Ext is never cut. Honor publishes no
	// title or body field limits (UNVERIFIED), so this bound is the only one.
	MaxBodyBytes = 4096
	// MaxTTL is the longest offline cache (android.ttl "1296000s", 15 days).
	MaxTTL = 15 * 24 * time.Hour
	// MaxBadge is the largest badge.addNum Honor accepts (1..99).
	MaxBadge = 99
)

// Notification classes (android.notification.importance).
const (
	// ImportanceNormal is "service and communication": IM messages. It needs
	// Honor's self-classification entitlement; without it Honor treats every
	// message as marketing (since 2024-12-31).
	ImportanceNormal = "NORMAL"
	// ImportanceLow is "news and marketing", capped per device per day.
	ImportanceLow = "LOW"
)

// DefaultTokenLifetime is assumed when the token answer has no expires_in.
const DefaultTokenLifetime = time.Hour

// RefreshEarly is how long before its expiry an access token is replaced, so
// that a send never races the expiry.
const RefreshEarly = 3 * time.Minute

// Config holds one Honor certificate, as the Honor developer console shows it.
type Config struct {
	// AppID is the app's App ID (in the send URL). Required.
	AppID string
	// ClientID and ClientSecret buy the access token. Required.
	ClientID     string
	ClientSecret string
	// Click is the default tap action (zero: open the app). URLs must be https.
	Click push.ClickAction
	// Importance is the notification class: ImportanceNormal (the default,
	// right for IM) or ImportanceLow.
	Importance string
	// BadgeClass is the app's entry Activity (com.example.MainActivity). When
	// set, OfflinePushInfo.Badge adds to the icon badge; when empty, badges are
	// not sent (Honor needs the class to place one).
	BadgeClass string
	// TTL is the default offline cache time when the message has none; zero
	// leaves Honor's default (one day).
	TTL time.Duration
	// TokenURL is the access-token endpoint; empty means DefaultTokenURL.
	// push.WithEndpoint replaces its scheme and host like every other URL.
	TokenURL string
}

// String masks the credentials, so a Config never prints them.
func (c Config) String() string {
	return fmt.Sprintf("honor.Config{AppID:%q ClientID:%s ClientSecret:%s Importance:%q BadgeClass:%q TokenURL:%q}",
		c.AppID, secret.Mask(c.ClientID), secret.Mask(c.ClientSecret), c.Importance, c.BadgeClass, c.TokenURL)
}

// GoString masks the credentials in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Honor certificate. It is safe for concurrent use.
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
	v := push.Honor
	switch {
	case strings.TrimSpace(cfg.AppID) == "":
		return nil, reject.Config(v, "AppID", "is required")
	case strings.ContainsAny(cfg.AppID, "/?# \t\r\n"):
		return nil, reject.Config(v, "AppID", "must not contain '/', '?', '#' or white space")
	case strings.TrimSpace(cfg.ClientID) == "":
		return nil, reject.Config(v, "ClientID", "is required")
	case strings.TrimSpace(cfg.ClientSecret) == "":
		return nil, reject.Config(v, "ClientSecret", "is required")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	switch cfg.Importance {
	case "":
		cfg.Importance = ImportanceNormal
	case ImportanceNormal, ImportanceLow:
	default:
		return nil, reject.Config(v, "Importance", `must be "NORMAL" (IM) or "LOW"`)
	}
	if cfg.BadgeClass != "" {
		if err := payload.CheckActivity(cfg.BadgeClass); err != nil {
			return nil, reject.Config(v, "BadgeClass", err.Error())
		}
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	if cfg.Click.Kind == push.ClickOpenURL {
		if err := payload.CheckURL(cfg.Click.URL, true); err != nil {
			return nil, reject.Config(v, "Click.URL", err.Error())
		}
	}
	if cfg.Click.Kind == push.ClickOpenPage && cfg.Click.Intent == "" {
		return nil, reject.Config(v, "Click.Intent", "is required for Honor open-page (clickAction.intent)")
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	} else if err := payload.CheckURL(cfg.TokenURL, true); err != nil {
		return nil, reject.Config(v, "TokenURL", err.Error())
	}
	o := settings.New(opts...)
	hc, err := transport.New(v, o, 8)
	if err != nil {
		return nil, err
	}
	hc.Redact(cfg.ClientSecret, cfg.ClientID) // an answer quoting the request never carries them on

	c := &Client{cfg: cfg, opts: o, http: hc, now: time.Now,
		sendURL: Host + fmt.Sprintf(SendPath, url.PathEscape(cfg.AppID))}
	c.oauth = &auth.ClientCredentials{Vendor: v, HTTP: hc, URL: cfg.TokenURL,
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, DefaultLifetime: DefaultTokenLifetime,
		Now: func() time.Time { return c.now() }}
	c.tokens = auth.For(o, string(v)+"/"+cfg.AppID, auth.SourceFunc(c.fetchToken), RefreshEarly)
	// What a client whose every token is "invalid" should check.
	c.guard = batch.NewGuard(v, o.MisconfigGuard, "Config.AppID and that the tokens belong to this app")
	return c, nil
}

// Vendor returns push.Honor.
func (c *Client) Vendor() push.Vendor { return push.Honor }

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// String describes the client without credentials.
func (c *Client) String() string { return "honor.Client{AppID:" + c.cfg.AppID + "}" }

// GoString keeps %#v from printing the secrets the client holds.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// --- wire structs -----------------------------------------------------------

// Message is Honor's send body: the HMS message fields in camelCase at the
// top level (no "message" wrapper, no validate_only).
type Message struct {
	// Data is the custom payload: for a notification, the text of a JSON
	// object. It carries OfflinePushInfo.Ext as {"ext":"<ext>"}.
	Data    string   `json:"data,omitempty"`
	Android *Android `json:"android"`
	// Token lists the device tokens; it is last so a prepared body can have
	// each batch's tokens appended.
	Token []string `json:"token,omitempty"`
}

// Android is the android block.
type Android struct {
	// TTL is the offline cache time, "<seconds>s".
	TTL          string        `json:"ttl,omitempty"`
	Notification *Notification `json:"notification"`
}

// Notification is android.notification.
type Notification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// ClickAction is required for a notification.
	ClickAction ClickAction `json:"clickAction"`
	Importance  string      `json:"importance,omitempty"`
	// NotifyID identifies the notification on the device: the same id
	// replaces the shown notification.
	NotifyID int32  `json:"notifyId,omitempty"`
	Badge    *Badge `json:"badge,omitempty"`
}

// Click types.
const (
	ClickTypePage = 1 // open an app page: Intent (or Action)
	ClickTypeURL  = 2 // open an https URL
	ClickTypeApp  = 3 // open the app
)

// ClickAction is android.notification.clickAction.
type ClickAction struct {
	Type   int    `json:"type"`
	Intent string `json:"intent,omitempty"`
	URL    string `json:"url,omitempty"`
	Action string `json:"action,omitempty"`
}

// Badge is android.notification.badge.
type Badge struct {
	AddNum     int    `json:"addNum,omitempty"`
	BadgeClass string `json:"badgeClass"`
}

// --- mapping ----------------------------------------------------------------

// Message maps info onto Honor's send body, without tokens, its title and
// body fitted to MaxBodyBytes. It is exported so tools can show the wire
// request (dry run).
func (c *Client) Message(info *push.OfflinePushInfo) (*Message, error) {
	v := push.Honor
	// Validates, and gives an empty Title the fallback (push.WithDefaultTitle,
	// else the Desc): Honor shows title and body. No field limit of its own:
	// the body bound below is what binds.
	title, body, err := shape.Texts(v, info, shape.Limits{Title: MaxBodyBytes, Desc: MaxBodyBytes, Unit: payload.Bytes}, c.opts)
	if err != nil {
		return nil, err
	}
	n := &Notification{
		Title:      title,
		Body:       body,
		Importance: c.cfg.Importance,
		NotifyID:   ids.NotifyID(info.CollapseID), // same CollapseID, same slot; else a new one
	}
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if err := payload.CheckURL(click.URL, true); err != nil {
			return nil, reject.Message(v, "Click.URL", err.Error())
		}
		n.ClickAction = ClickAction{Type: ClickTypeURL, URL: click.URL}
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, reject.Message(v, "Click.Intent", "is required for Honor open-page (clickAction.intent; Honor cannot open a page by class name)")
		}
		n.ClickAction = ClickAction{Type: ClickTypePage, Intent: click.Intent}
	default:
		n.ClickAction = ClickAction{Type: ClickTypeApp}
	}
	if info.Badge > 0 && c.cfg.BadgeClass != "" {
		n.Badge = &Badge{AddNum: min(info.Badge, MaxBadge), BadgeClass: c.cfg.BadgeClass}
	}
	m := &Message{
		// The HMS convention the Tencent-style client reads; how the Honor
		// client hands data to the Activity on tap is UNVERIFIED.
		Data:    payload.ExtJSON(info.Ext),
		Android: &Android{Notification: n},
	}
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		m.Android.TTL = strconv.FormatInt(shape.Seconds(ttl), 10) + "s"
	}
	if err := shape.Body(v, MaxBodyBytes, "the body without tokens", c.opts.StrictLength, &n.Title, &n.Body,
		func() int { b, _ := wire.JSON(m); return len(b) }); err != nil {
		return nil, err
	}
	return m, nil
}

// Body returns the exact JSON body sent for one batch of tokens.
func (c *Client) Body(info *push.OfflinePushInfo, tokens ...string) ([]byte, error) {
	head, err := c.prepare(info)
	if err != nil {
		return nil, err
	}
	return withTokens(head, tokens), nil
}

// prepare maps info (fitted to MaxBodyBytes) and encodes it once, without
// tokens; each batch then only appends its tokens.
func (c *Client) prepare(info *push.OfflinePushInfo) ([]byte, error) {
	m, err := c.Message(info)
	if err != nil {
		return nil, err
	}
	return wire.JSON(m)
}

// withTokens appends "token":[…] to an encoded Message without tokens. The
// result equals encoding the Message with Token set, because Token is its
// last field.
func withTokens(head []byte, tokens []string) []byte {
	list, _ := wire.JSON(tokens) // a string slice cannot fail
	b := make([]byte, 0, len(head)+len(list)+10)
	b = append(b, head[:len(head)-1]...)
	b = append(b, `,"token":`...)
	b = append(b, list...)
	return append(b, '}')
}

// --- access token -----------------------------------------------------------

// fetchToken buys an access token with the client credentials. It is the
// auth.Source behind the client's token cache.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	return c.oauth.Fetch(ctx)
}

// --- send -------------------------------------------------------------------

// Push sends info to every token: batches of up to MaxTokens, sent
// concurrently, each with the cached access token (refreshed once if Honor
// says it expired).
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	plan := batch.Plan{Vendor: push.Honor, Size: MaxTokens, Parallel: c.http.Concurrency(), Guard: c.guard}
	return batch.Push(ctx, plan, info, tokens, c.prepare, c.send)
}

// send sends one batch: the prepared head with its tokens.
func (c *Client) send(ctx context.Context, head []byte, toks []string) []push.Outcome {
	body := withTokens(head, toks)
	out, err := auth.Do(ctx, c.tokens, func(ctx context.Context, at string) ([]push.Outcome, error) {
		return c.post(ctx, at, body, toks)
	})
	if err != nil {
		return batch.All(toks, "", err)
	}
	return out
}

// post sends one batch's body with an access token and decodes the answer.
func (c *Client) post(ctx context.Context, accessToken string, body []byte, toks []string) ([]push.Outcome, error) {
	resp, err := c.http.Do(ctx, &transport.Request{
		URL: c.sendURL,
		Header: map[string][]string{
			"Authorization": {"Bearer " + accessToken},
			// lower case as Honor's guide writes it (the transport keeps keys as given)
			"timestamp":    {strconv.FormatInt(c.now().UnixMilli(), 10)},
			"Content-Type": {"application/json; charset=UTF-8"},
		},
		Body: body,
		// Not Idempotent: Honor has no message key, so a send that may have
		// arrived is not repeated (it could show twice).
		Busy: checkBusy,
	})
	if err != nil {
		return nil, err
	}
	return decode(resp, toks)
}

// --- decode -----------------------------------------------------------------
//
// Verdict table. Honor's response-code page ("下行消息响应码") is not public;
// what is known of the answer comes from Honor's own guide (as copied on its
// developer blog) and two independent clients (zandala88/honor-push
// HonorSendResp, meetleev/go-multipush PushMessageResp):
//
//	answer                                            class
//	HTTP 401; code 80200001 or 80200003 (HMS OAuth)   ErrAuth: a new access token, once
//	HTTP 403                                          ErrAuth
//	HTTP 429                                          ErrRateLimited
//	HTTP 5xx; code 81000001 (HMS busy) in a 200       ErrUnavailable (busy: retried)
//	other HTTP 4xx                                    ErrInvalidMessage
//	an unreadable 2xx                                 ErrUnavailable, PossiblyDelivered
//	a token in data.expireTokens ("expired: remove")  ErrInvalidToken
//	a token in data.failTokens (no reason given)      ErrUnavailable, token kept
//	another token, the answer says accepted (*)       delivered
//	another token, the answer does not say so         ErrUnavailable, code kept;
//	                                                  PossiblyDelivered when it
//	                                                  listed some tokens
//	a token list that is not a list of tokens         ErrUnavailable, PossiblyDelivered
//
// (*) sendResult true; without sendResult, a success code (0, 200 or
// 80000000: which one is UNVERIFIED) or 80100000 (HMS partial success)
// beside the lists. sendResult false, or an unknown code without it, is
// not an acceptance, whatever the lists leave out.
//
// No code is a token verdict: an app-level failure (wrong App ID, tokens of
// another app: HMS's 80300007) cannot call a token dead unless Honor lists
// it in expireTokens, and then the misconfiguration guard watches the run.
// code and message have been seen as numbers and as strings, so every
// scalar is read as text, sendResult as a JSON or quoted bool.

// answer is Honor's reply: {"code":…,"message":…,"data":{"sendResult":…,
// "requestId":…,"failTokens":[…],"expireTokens":[…]}}.
type answer struct {
	Code      flexText        `json:"code"`
	Message   flexText        `json:"message"`
	Msg       flexText        `json:"msg"`       // the HMS name, in case
	RequestID flexText        `json:"requestId"` // the HMS place, in case
	Data      json.RawMessage `json:"data"`
}

type answerData struct {
	SendResult   flexBool        `json:"sendResult"`
	RequestID    flexText        `json:"requestId"`
	FailTokens   json.RawMessage `json:"failTokens"`
	ExpireTokens json.RawMessage `json:"expireTokens"`
}

// Codes Honor has not published (its response-code page is not public):
// these are the HMS codes of the API Honor forked, used only where reading
// them wrongly costs little.
const (
	codeAuthError    = "80200001" // HMS: OAuth authentication error
	codeTokenExpired = "80200003" // HMS: OAuth token expired
	codeInternal     = "81000001" // HMS: system internal error, retryable
	codePartial      = "80100000" // HMS: partial success, failures listed
)

// successCodes are the values clients have seen for success (UNVERIFIED:
// one checks 200, another 0; 80000000 is the HMS one). They matter only when
// the answer has no sendResult.
var successCodes = map[string]bool{"0": true, "200": true, "80000000": true}

// expired reports an answer saying the access token is expired or invalid:
// HTTP 401, or the HMS OAuth codes. Reading one wrongly costs a single token
// refresh, so the wide reading is the safe one.
func expired(status int, code string) bool {
	return status == 401 || code == codeTokenExpired || code == codeAuthError
}

// busy reports Honor's "try again" answer inside an HTTP 200.
func busy(a *answer) bool { return string(a.Code) == codeInternal }

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

func decode(resp *transport.Response, toks []string) ([]push.Outcome, error) {
	a, jerr := transport.DecodeJSON[answer](resp)
	code, msg := string(a.Code), a.message()
	if jerr != nil {
		code, msg = "", ""
	}
	if expired(resp.Status, code) {
		return nil, &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status, Code: code, Message: msg,
			Kind: push.ErrAuth, Cause: auth.ErrExpired}
	}
	if resp.Status < 200 || resp.Status > 299 {
		return batch.All(toks, "", transport.StatusError(push.Honor, resp, code, msg)), nil
	}
	if jerr != nil {
		// Honor took the request and said 2xx; whether it sent is unknown.
		return batch.All(toks, "", &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status,
			Kind: push.ErrUnavailable, Message: "unreadable answer", Cause: jerr, PossiblyDelivered: true}), nil
	}
	var d answerData
	if len(a.Data) > 0 && a.Data[0] == '{' {
		_ = json.Unmarshal(a.Data, &d) // a malformed data block reads as empty
	}
	id := string(d.RequestID)
	if id == "" {
		id = string(a.RequestID)
	}
	expire, okE := tokenSet(d.ExpireTokens)
	fail, okF := tokenSet(d.FailTokens)
	listed := len(expire) > 0 || len(fail) > 0
	readable := okE && okF

	// Trust sendResult and the token lists, not code, whose success value is
	// UNVERIFIED. A token not listed was accepted only when the answer says
	// the send was: sendResult true, or (without sendResult) a success code,
	// or HMS's partial-success code beside the lists of failures.
	var accepted bool
	switch d.SendResult {
	case saidTrue:
		accepted = true
	case saidNothing:
		accepted = successCodes[code] || (code == codePartial && listed)
	}
	var rest error // the outcome of a token in neither list
	switch {
	case !readable:
		// A list is there but not a list of tokens: which tokens failed is
		// unknown, so no token is reported delivered.
		rest = &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status, Code: code, Kind: push.ErrUnavailable,
			Message: "unreadable failTokens or expireTokens: whether this token was sent is unknown", PossiblyDelivered: true}
	case !accepted:
		e := codeError(resp.Status, code, msg, d.SendResult)
		// Honor named some tokens as failed but did not say the send was
		// accepted: the others may have been sent (a partial success read
		// wrongly) or not. Honor does not deduplicate, so say so.
		e.PossiblyDelivered = listed
		rest = e
	}
	out := batch.All(toks, id, rest)
	for i, t := range toks {
		switch {
		case expire[t]:
			out[i].Err = &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status, Code: code,
				Message: "token is in expireTokens (expired or unregistered)", Kind: push.ErrInvalidToken}
		case fail[t]:
			// failTokens says "sending failed" without a reason: it may be a
			// dead token, a per-device cap or a vendor hiccup. Deleting a live
			// token silences a user for good, so it is not reported as
			// invalid; expireTokens is Honor's list of dead tokens.
			out[i].Err = &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status, Code: code,
				Message: "token is in failTokens (not delivered; reason not given)", Kind: push.ErrUnavailable}
		}
	}
	return out, nil
}

// codeError maps a failure code for the tokens the answer does not list.
// Honor's code table is not public, so an unknown code is reported as
// temporary (ErrUnavailable, code kept for logs) rather than make the caller
// drop a message or a token on a guess.
func codeError(status int, code, msg string, said flexBool) *push.VendorError {
	if msg == "" {
		msg = "the answer does not say the send was accepted"
		if said == saidFalse {
			msg = "send failed (sendResult false)"
		}
	}
	return &push.VendorError{Vendor: push.Honor, HTTPStatus: status, Code: code, Message: msg, Kind: push.ErrUnavailable}
}

func (a *answer) message() string {
	if a.Message != "" {
		return string(a.Message)
	}
	return string(a.Msg)
}

// tokenSet reads a token list: an array of strings (a number is read as
// its text; null entries are skipped). ok is false when the list is there
// but cannot be read as tokens (not an array, or an entry that is an object,
// an array or a bool): it names failed tokens that cannot be told apart.
func tokenSet(raw json.RawMessage) (set map[string]bool, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil, false
	}
	if len(list) == 0 {
		return nil, true
	}
	set = make(map[string]bool, len(list))
	ok = true
	for _, e := range list {
		e = bytes.TrimSpace(e)
		switch {
		case string(e) == "null":
		case e[0] == '"' || e[0] == '-' || (e[0] >= '0' && e[0] <= '9'):
			var t flexText
			if t.UnmarshalJSON(e) != nil {
				ok = false
			} else if t != "" {
				set[string(t)] = true
			}
		default:
			ok = false
		}
	}
	return set, ok
}

// flexText reads codes, messages and ids whatever their JSON type.
type flexText = lenient.Text

// flexBool is sendResult: true or false as a JSON bool or a quoted one
// ("true"); anything else, or nothing, is saidNothing.
type flexBool int8

const (
	saidNothing flexBool = iota
	saidTrue
	saidFalse
)

func (f *flexBool) UnmarshalJSON(b []byte) error {
	var t flexText
	_ = t.UnmarshalJSON(b) // a bad string reads as nothing said
	switch strings.ToLower(string(t)) {
	case "true":
		*f = saidTrue
	case "false":
		*f = saidFalse
	default:
		*f = saidNothing
	}
	return nil
}

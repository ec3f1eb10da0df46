// Package xiaomi sends offline pushes through Xiaomi Mi Push (server API v3).
//
// Mi Push authenticates every request with the app's AppSecret in the header
// "Authorization: key=<AppSecret>" (no token exchange), takes a form body,
// and accepts up to 1000 regIds per request. This package maps a
// push.OfflinePushInfo onto the notification form Xiaomi documents, sends
// batches concurrently, and decodes per-regId results (data.bad_regids).
//
// A regId is reported dead (push.ErrInvalidToken) only when Xiaomi names it
// (data.bad_regids) or answers 20301 "No valid targets!" to a request of
// that regId alone: 20301 on a batch names nobody and is also the answer to
// a wrong package name, so the batch is settled by asking about each regId
// alone, or reported as a likely misconfiguration (see response.err for
// every code). A message counts as delivered only when the answer says it
// was accepted (code 0 with the message's id).
package xiaomi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/offlinepush/push"
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
)

// Hosts. Global devices must be pushed through the host of their region.
const (
	HostChina     = "https://api.xmpush.xiaomi.com"
	HostSingapore = "https://sgp-api.xmpush.global.xiaomi.com" // global, except the regions below
	HostEurope    = "https://fr-api.xmpush.global.xiaomi.com"  // EEA and UK
	HostRussia    = "https://ru-api.xmpush.global.xiaomi.com"
	HostIndia     = "https://idmb-api.xmpush.global.xiaomi.com"
)

// SendPath is the multi-regId notification endpoint.
const SendPath = "/v3/message/regid"

// Limits Xiaomi documents. Xiaomi counts "characters" ("a CJK or Latin
// character counts 1") without saying how an emoji counts; its server and
// SDK are Java, whose String.length() counts UTF-16 units, so this package
// counts so (the safe reading: an emoji counts 2, which can only shorten
// more than needed, never send a text Xiaomi refuses).
const (
	MaxTokens = 1000 // regIds per request
	// Title and description must be shorter than 50 and 128 characters
	// ("Length < 50"), so 49 and 127 is the safe reading.
	MaxTitle       = 49
	MaxDescription = 127
	// MaxExtra bounds each extra.* value (1024 characters per key and
	// value). Xiaomi documents no limit on the whole request.
	MaxExtra = 1024
	// MaxTTL is the longest offline cache Xiaomi documents (two weeks).
	MaxTTL = 14 * 24 * time.Hour
)

// Config holds one Xiaomi certificate.
type Config struct {
	// AppSecret authenticates every request. Required.
	AppSecret string
	// PackageName is the Android package (restricted_package_name). Required.
	PackageName string
	// ChannelID is the notification channel registered with Xiaomi for
	// private (私信) messages, sent as extra.channel_id. Required: without an
	// approved channel Xiaomi caps an app at one message per device per day,
	// and Android 8+ devices may show nothing.
	ChannelID string
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Host is the API host; empty means HostChina.
	Host string
	// TTL is the default offline cache time when the message has none;
	// zero leaves Xiaomi's default.
	TTL time.Duration
}

// String masks the secret, so a Config never prints it.
func (c Config) String() string {
	return fmt.Sprintf("xiaomi.Config{PackageName:%q ChannelID:%q Host:%q AppSecret:%s}", c.PackageName, c.ChannelID, c.Host, secret.Mask(c.AppSecret))
}

// GoString masks the secret in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Xiaomi certificate. It is safe for concurrent use.
type Client struct {
	cfg   Config
	opts  settings.Settings
	http  *transport.Client
	guard *batch.Guard // trusts dead-token verdicts only when the vendor proves them
	auth  []string     // the Authorization header value
	url   string       // the send URL
}

// New validates cfg and builds a client. It does no I/O.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.Xiaomi
	switch {
	case strings.TrimSpace(cfg.AppSecret) == "":
		return nil, reject.Config(v, "AppSecret", "is required")
	case strings.TrimSpace(cfg.PackageName) == "":
		return nil, reject.Config(v, "PackageName", "is required")
	case strings.TrimSpace(cfg.ChannelID) == "":
		return nil, reject.Config(v, "ChannelID", "is required (the private-message channel registered with Xiaomi)")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	if cfg.Host == "" {
		cfg.Host = HostChina
	}
	o := settings.New(opts...)
	hc, err := transport.New(v, o, 8)
	if err != nil {
		return nil, err
	}
	hc.Redact(cfg.AppSecret) // an answer quoting the request never carries them on

	// What a client whose every token is "invalid" should check.
	guard := batch.NewGuard(v, o.MisconfigGuard, "Config.PackageName, Config.Host (the devices' region) and that the regIds come from this app")
	return &Client{cfg: cfg, opts: o, http: hc, guard: guard, auth: []string{"key=" + cfg.AppSecret}, url: cfg.Host + SendPath}, nil
}

// Vendor returns push.Xiaomi.
func (c *Client) Vendor() push.Vendor { return push.Xiaomi }

// String describes the client without secrets.
func (c *Client) String() string { return "xiaomi.Client{" + c.cfg.PackageName + "}" }

// GoString keeps %#v from printing the secret the client holds.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Push sends info to every regId: batches of up to 1000, sent concurrently.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	plan := batch.Plan{Vendor: push.Xiaomi, Size: MaxTokens, Parallel: c.http.Concurrency(), Guard: c.guard, Check: checkRegID}
	return batch.Push(ctx, plan, info, tokens, c.prepare, c.send)
}

// prepare maps info and encodes its form once, for every batch.
func (c *Client) prepare(info *push.OfflinePushInfo) (body, error) {
	fs, err := c.fields(info)
	if err != nil {
		return body{}, err
	}
	b := newBody(fs)
	b.keyed = info.ID != ""
	return b, nil
}

// Form maps info onto Xiaomi's notification form, without registration_id.
// It is exported so tools can show the wire request (dry run).
func (c *Client) Form(info *push.OfflinePushInfo) (url.Values, error) {
	fs, err := c.fields(info)
	if err != nil {
		return nil, err
	}
	f := make(url.Values, len(fs))
	for _, kv := range fs {
		f.Set(kv.k, kv.v)
	}
	return f, nil
}

// field is one form field. The mapping builds a slice of them rather than
// url.Values: the push path encodes it without a map per message.
type field struct{ k, v string }

// fields maps info onto the form, sorted by key.
func (c *Client) fields(info *push.OfflinePushInfo) ([]field, error) {
	v := push.Xiaomi
	title, desc, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxDescription, Unit: unit}, c.opts)
	if err != nil {
		return nil, err
	}
	f := make([]field, 0, 16)
	f = append(f,
		field{"restricted_package_name", c.cfg.PackageName},
		field{"title", title},
		field{"description", desc},
		field{"pass_through", "0"},
		field{"notify_type", "-1"}, // sound, vibration and lights as the device allows
		field{"notify_id", strconv.Itoa(int(ids.NotifyID(info.CollapseID)))},
		field{"extra.channel_id", c.cfg.ChannelID},
		// The device shows only the first message of a jobkey, so a message
		// we (or the caller, with the same ID) send again is not shown twice.
		field{"extra.jobkey", ids.Key(info.ID, 20)},
	)
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		f = append(f, field{"time_to_live", strconv.FormatInt(ttl.Milliseconds(), 10)})
	}

	// Always send notify_effect: since 2024-09-30 a notification without one
	// only launches the home screen and its extras are lost.
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if payload.Len(click.URL, unit) > MaxExtra {
			return nil, reject.Message(v, "Click.URL", fmt.Sprintf("must be at most %d characters", MaxExtra))
		}
		f = append(f, field{"extra.notify_effect", "3"}, field{"extra.web_uri", click.URL})
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, reject.Message(v, "Click.Intent", "is required for Xiaomi open-page (extra.intent_uri)")
		}
		if payload.Len(click.Intent, unit) > MaxExtra {
			return nil, reject.Message(v, "Click.Intent", fmt.Sprintf("must be at most %d characters", MaxExtra))
		}
		f = append(f, field{"extra.notify_effect", "2"}, field{"extra.intent_uri", click.Intent})
	default:
		f = append(f, field{"extra.notify_effect", "1"})
	}
	if info.Ext != "" {
		// Ext is never cut (the app could not parse a cut one).
		if n := payload.Len(info.Ext, unit); n > MaxExtra {
			return nil, reject.Message(v, "Ext", fmt.Sprintf("is %d characters (UTF-16 units); Xiaomi allows %d per extra value (Ext is never cut)", n, MaxExtra))
		}
		f = append(f, field{"extra." + payload.ExtKey, info.Ext}) // the client reads getExtra().get("ext")
	}
	slices.SortFunc(f, func(a, b field) int { return strings.Compare(a.k, b.k) })
	return f, nil
}

// unit is how Xiaomi counts the length of a text (see the limits).
const unit = payload.UTF16

// checkRegID rejects a regId that would corrupt the comma-joined list.
func checkRegID(id string) error {
	// Five vectorised scans beat one byte-by-byte loop on 64-byte regIds
	// (this runs on every token).
	for _, c := range []byte{',', ' ', '\t', '\r', '\n'} {
		if strings.IndexByte(id, c) >= 0 {
			return errors.New("a regId must not contain commas or white space")
		}
	}
	return nil
}

// body is a message's form encoded once, split where registration_id goes,
// so each batch only encodes its regIds. The result equals url.Values.Encode
// of the whole form (keys sorted).
type body struct {
	before, after []byte
	// keyed says extra.jobkey comes from OfflinePushInfo.ID, so a resend by
	// the caller carries the same jobkey and the device shows it once.
	keyed bool
}

func newBody(fs []field) body {
	var b body
	for _, kv := range fs {
		dst := &b.after
		if kv.k < "registration_id" {
			dst = &b.before
		}
		*dst = form.AppendEscaped(append(form.AppendEscaped(*dst, kv.k), '='), kv.v)
		*dst = append(*dst, '&')
	}
	return b
}

func (b body) with(regIDs []string) []byte {
	n := len(b.before) + len(b.after) + len("registration_id=")
	for _, id := range regIDs {
		n += len(id) + 3
	}
	buf := make([]byte, 0, n)
	buf = append(buf, b.before...)
	buf = append(buf, "registration_id="...)
	for i, id := range regIDs {
		if i > 0 {
			buf = append(buf, "%2C"...) // an escaped comma
		}
		buf = form.AppendEscaped(buf, id)
	}
	if len(b.after) > 0 {
		buf = append(buf, '&')
		buf = append(buf, b.after[:len(b.after)-1]...) // without the last '&'
	}
	return buf
}

var formHeader = []string{"application/x-www-form-urlencoded;charset=UTF-8"}

// request returns the HTTP request for one batch of regIds.
func (c *Client) request(b body, regIDs []string) *transport.Request {
	return &transport.Request{
		URL: c.url,
		Header: map[string][]string{
			"Authorization": c.auth,
			"Content-Type":  formHeader,
		},
		Body:       b.with(regIDs),
		Idempotent: true, // extra.jobkey makes the device drop a repeat
		Busy:       checkBusy,
	}
}

func (c *Client) send(ctx context.Context, b body, regIDs []string) []push.Outcome {
	resp, err := c.http.Do(ctx, c.request(b, regIDs))
	if err != nil {
		return batch.All(regIDs, "", err)
	}
	return decode(resp, regIDs, b.keyed)
}

// ---- the answer -------------------------------------------------------------

// text reads codes and ids whatever their JSON type: every Xiaomi SDK
// reads code as a number and the ids as strings, but either form is taken.
type text = lenient.Scalar

// unquote reads a JSON string; one without escapes (every Xiaomi answer)
// is sliced rather than decoded again.
func unquote(b []byte) (string, error) {
	if bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// note is a free-text field (description, reason): a string, else ignored.
type note string

func (n *note) UnmarshalJSON(b []byte) error {
	if b[0] == '"' {
		s, _ := unquote(b)
		*n = note(s)
	}
	return nil
}

// regIDList is data.bad_regids: a comma-joined string, as Xiaomi sends it,
// or a list of strings.
type regIDList []string

func (l *regIDList) UnmarshalJSON(b []byte) error {
	var s text
	if s.UnmarshalJSON(b) == nil {
		*l = nil
		if s != "" {
			*l = strings.Split(string(s), ",")
		}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("bad_regids: want a comma-joined string or a list of strings, got %.20s", b)
	}
	*l = list
	return nil
}

// response is Xiaomi's answer: {"result":"ok","code":0,"data":{"id":…},
// "trace_id":…} when the message was accepted, {"result":"error",
// "code":<code>,"reason":…} when not.
type response struct {
	Result      note  `json:"result"`
	Code        *text `json:"code"` // nil: no code in the answer
	Description note  `json:"description"`
	Reason      note  `json:"reason"`
	TraceID     text  `json:"trace_id"`
	Data        *struct {
		ID        text      `json:"id"`
		BadRegIDs regIDList `json:"bad_regids"`
	} `json:"data"`
}

func (r *response) code() string {
	if r.Code == nil {
		return ""
	}
	return string(*r.Code)
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// busy reports Xiaomi's "try again" codes inside an HTTP 200. Nothing was
// pushed then, and the jobkey makes even a repeat harmless.
func busy(r *response) bool {
	switch r.code() {
	case "10001", "10002", "10003", "10009", "10027":
		return true
	}
	return false
}

// decode maps Xiaomi's answer onto one outcome per regId. keyed says the
// message's jobkey comes from OfflinePushInfo.ID, so a resend by the caller
// carries the same jobkey and the device shows it once.
//
// Only an answer that says "accepted" — code 0 (and result "ok", when
// present) with the message's data.id — counts as delivered. A 200 that
// says less ({}, null, code 0 without an id, unreadable) is ErrUnavailable:
// the message may have arrived, and the error says whether a resend is
// shown twice (PossiblyDelivered, when the jobkey is random).
func decode(resp *transport.Response, regIDs []string, keyed bool) []push.Outcome {
	r, jerr := transport.DecodeJSON[response](resp)
	if resp.Status != 200 {
		code, msg := "", ""
		if jerr == nil && r.code() != "" && r.code() != "0" {
			code, msg = r.code(), r.reason()
		}
		return batch.All(regIDs, "", transport.StatusError(push.Xiaomi, resp, code, msg))
	}
	if jerr != nil {
		return batch.All(regIDs, "", unsure(keyed, "unreadable answer", jerr))
	}
	code := r.code()
	switch {
	case code == "20301":
		// "No valid targets!": every regId of the request is invalid, none
		// named. Xiaomi answers the same to a wrong package name, so it is
		// proof only for a request of one regId (batch.Run settles it).
		return batch.AllInvalid(regIDs, r.err())
	case code != "0" && code != "":
		return batch.All(regIDs, string(r.TraceID), r.err())
	case code == "":
		return batch.All(regIDs, "", unsure(keyed, "answer without a code", nil))
	case r.Result != "" && r.Result != "ok":
		return batch.All(regIDs, "", unsure(keyed, fmt.Sprintf("answer with code 0 but result %q", string(r.Result)), nil))
	}
	// code 0: the regIds Xiaomi names in bad_regids are dead; the others
	// were accepted if the answer carries the message's id.
	id, bad := "", map[string]bool(nil)
	if r.Data != nil {
		id = string(r.Data.ID)
		if len(r.Data.BadRegIDs) > 0 {
			bad = make(map[string]bool, len(r.Data.BadRegIDs))
			for _, t := range r.Data.BadRegIDs {
				bad[strings.TrimSpace(t)] = true
			}
		}
	}
	var rest error
	if id == "" {
		rest = unsure(keyed, "answer with code 0 but no message id (data.id)", nil)
	}
	out := batch.All(regIDs, id, rest)
	for i := range out {
		if bad != nil && bad[out[i].Token] {
			out[i].Err = &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Code: "bad_regids",
				Message: "regId is not valid for this app", Kind: push.ErrInvalidToken}
		}
	}
	return out
}

// unsure is the error of a 200 that does not say the message was accepted.
// It may have arrived. The client's own retries resend the same body, but a
// resend by the caller carries the same jobkey only when the message has an
// ID: without one, a resend may be shown twice (PossiblyDelivered).
func unsure(keyed bool, what string, cause error) *push.VendorError {
	e := &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Kind: push.ErrUnavailable, Cause: cause}
	if keyed {
		e.Message = what + ": the message may have arrived; a resend with the same ID is shown once (extra.jobkey)"
	} else {
		e.Message = what + ": the message may have arrived; set OfflinePushInfo.ID so that a resend is shown once"
		e.PossiblyDelivered = true
	}
	return e
}

func (r *response) reason() string {
	if r.Reason != "" {
		return string(r.Reason)
	}
	return string(r.Description)
}

// err maps a non-zero Xiaomi code to its class: Xiaomi's server error-code
// list (dev.mi.com pId=1560; "MiDoc1560" in the vendor reference), the
// official Java SDK's ErrorCode (xmpush-server-api, "MiJava") and the
// message-limit page (pId=1656). Only 20301 and data.bad_regids speak of
// regIds; every other code is about the request or the app.
//
//	code            meaning (source)                                   class
//	0               success: result "ok", data.id (MiJava Result)      accepted
//	bad_regids      per regId, code 0: not valid for the app (SDKs)    ErrInvalidToken
//	20301           "No valid targets!", none named (1560)             ErrInvalidToken via batch.AllInvalid
//	10001 10002     system error, service busy (1560, MiJava)          ErrUnavailable, retried
//	10003 10009     remote service error, system busy (1560, MiJava)   ErrUnavailable, retried
//	10010 10011     job timed out, RPC error (MiJava)                  ErrUnavailable
//	22102           sending the notification failed (MiJava)           ErrUnavailable
//	10027           app calls the API too often (1560, MiJava)         ErrRateLimited, retried
//	10022-10024     IP / user / API request rate over limit (MiJava)   ErrRateLimited
//	10028 22101     total API calls too frequent; too many
//	                notification messages (MiJava)                     ErrRateLimited
//	10034           too many messages today (1560)                     ErrQuota
//	200001          daily quota exceeded (1656)                        ErrQuota
//	21301           authentication failed: bad AppSecret (1560)        ErrAuth
//	22022           illegal package name (1560, MiJava)                ErrAuth
//	27001           channel info mismatch: Config.ChannelID (1560)     ErrAuth
//	10004-10006     IP not allowed, resource not granted to the app,
//	                appkey missing (MiJava)                            ErrAuth
//	10013 10014     invalid user, API access restricted (MiJava)       ErrAuth
//	10020           API does not exist: check Config.Host (MiJava)     ErrAuth
//	10026           app blacklisted (MiJava)                           ErrAuth
//	22000-22008     app illegal, missing, revoked; app id, key or
//	                secret invalid (MiJava)                            ErrAuth
//	22020 22021     app description invalid, app not authorised (MiJava) ErrAuth
//	100 10007 10008 empty parameter, unsupported mime type,
//	                parameter error (MiJava, 1560)                     ErrInvalidMessage
//	10012 10016     illegal request, missing parameter (MiJava, 1560)  ErrInvalidMessage
//	10017 10018     illegal parameter value, request too long          ErrInvalidMessage
//	10021 10025     HTTP method unsupported, bad callback URL (MiJava) ErrInvalidMessage
//	21305           missing required parameter (1560)                  ErrInvalidMessage
//	22100 22103     notification format invalid, bad notify_id         ErrInvalidMessage
//	65009           message content too long (1560)                    ErrInvalidMessage
//	65014 65015     too many extras, extras too long in total (1560)   ErrInvalidMessage
//	other           (10029 "invalid device" names no regId, 10037 …)   ErrUnavailable, code kept
func (r *response) err() *push.VendorError {
	code := r.code()
	e := &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Code: code, Message: r.reason()}
	switch code {
	case "20301":
		e.Kind = push.ErrInvalidToken
	case "10001", "10002", "10003", "10009", "10010", "10011", "22102":
		e.Kind = push.ErrUnavailable
	case "10027", "10022", "10023", "10024", "10028", "22101":
		e.Kind = push.ErrRateLimited
	case "10034", "200001":
		e.Kind = push.ErrQuota
	case "21301", "22022", "27001", "10004", "10005", "10006", "10013", "10014", "10020", "10026",
		"22000", "22001", "22002", "22003", "22004", "22005", "22006", "22007", "22008", "22020", "22021":
		e.Kind = push.ErrAuth
	case "100", "10007", "10008", "10012", "10016", "10017", "10018", "10021", "10025", "21305",
		"22100", "22103", "65009", "65014", "65015":
		e.Kind = push.ErrInvalidMessage
	default:
		// An unknown code: report it as temporary rather than make the caller
		// drop a message or a token on a guess. The code is kept for logs.
		e.Kind = push.ErrUnavailable
	}
	return e
}

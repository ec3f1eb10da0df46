// Package meizu sends offline pushes through Meizu Flyme Push.
//
// Flyme Push has no access token. Every form request carries sign: the
// lowercase hex MD5 of the request's other parameters, sorted by name and
// written as raw (not URL-encoded) "key=value" pairs with no separator,
// followed by the AppSecret. A notification goes to 1..100 pushIds per
// request (pushByPushId, ids joined with commas); the notification itself is
// the compact JSON text of the form field messageJson, and the text that is
// signed is exactly the text that is sent.
//
// Meizu answers {"code":"200","value":{…},"msgId":"…"}: "code" is a string,
// and "value" lists only the pushIds that failed, grouped by a per-id code
// ("110003": [ids…]). Meizu has no deduplication key, so a send that may have
// reached Meizu is never repeated by this package.
//
// Only 110003 ("pushId非法") reports a pushId dead (push.ErrInvalidToken);
// an unsubscribed pushId (110002) or one whose user switched notifications
// off (per-id 110010) is push.ErrDisabled: keep it. A top-level 110002 or
// 110003 names no pushId: batch.Run makes it the verdict of a single pushId
// and asks about each pushId of a batch alone (see codeError for every
// code).
//
// The file reads like the vendor's documentation: configuration, the
// messageJson wire structs, mapping an OfflinePushInfo onto them, the
// signature, sending, and decoding the answer.
package meizu

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/form"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
)

// Hosts of the push API. HTTPS only: Meizu's Java SDK 1.2.13 (2025-04) dropped
// plain HTTP.
const (
	HostChina    = "https://server-api-push.meizu.com"
	HostOverseas = "https://server-api-push.in.meizu.com"
)

// SendPath is the notification-by-pushId endpoint. It serves one pushId and
// many alike.
const SendPath = "/garcia/api/server/push/varnished/pushByPushId"

// Limits Meizu documents.
const (
	// MaxTokens is the number of pushIds per request (100 since 2023-08-21;
	// older code assumes 1000).
	MaxTokens = 100
	// MaxTitle and MaxContent are noticeBarInfo's limits in characters
	// ("字数限制1~32字符", "1~100字符"). Meizu does not say how an emoji
	// counts; its server and SDK are Java, whose String.length() counts
	// UTF-16 units, so this package counts so (the safe reading: an emoji
	// counts 2). Meizu documents no limit on parameters (Ext) or on the
	// whole messageJson of a notification.
	MaxTitle   = 32
	MaxContent = 100
	// MaxClickTarget bounds clickTypeInfo.url and activity, in bytes.
	MaxClickTarget = 1000
	// MinValidTime, MaxValidTime and DefaultValidTime bound
	// pushTimeInfo.validTime, the hours an offline device's message is kept.
	MinValidTime     = 1
	MaxValidTime     = 72
	DefaultValidTime = 24
	// MaxNotifyKey is the length of advanceInfo.notifyKey, the collapse key.
	MaxNotifyKey = 8
)

// NoticeMsgType is the message class Meizu files a notification under
// (noticeBarInfo.noticeMsgType on the wire: 0 公信 public, 1 私信 private).
// The zero value sends private, the class of IM messages (Tencent IM maps
// IM to MeiZuNoticeMsgType 1); NoticePublic must be asked for by name.
type NoticeMsgType int

// Message classes.
const (
	// NoticeDefault is the zero value: it sends NoticePrivate.
	NoticeDefault NoticeMsgType = 0
	// NoticePrivate is 私信 (wire 1): messages between people, such as IM.
	NoticePrivate NoticeMsgType = 1
	// NoticePublic is 公信 (wire 0): broadcast and marketing messages, which
	// Meizu caps per device per day (per-id code 110011). Its Go value is -1
	// so that the zero value can mean "the IM default".
	NoticePublic NoticeMsgType = -1
)

// wire returns the noticeMsgType number Meizu reads.
func (t NoticeMsgType) wire() int {
	if t == NoticePublic {
		return 0
	}
	return 1
}

// Config holds one Meizu certificate. Meizu's console also shows an AppKey;
// the server API does not use it.
type Config struct {
	// AppID is the numeric appId of the app in the Flyme push console.
	// Required.
	AppID string
	// AppSecret signs every request. Required.
	AppSecret string
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// NoticeMsgType is the message class; the zero value sends 私信
	// (private), the class for IM. Whether Meizu requires an application
	// before it accepts 私信 is not documented.
	NoticeMsgType NoticeMsgType
	// Host is the API base URL; empty means HostChina.
	Host string
	// TTL is the default offline cache time when the message has none.
	// Zero means Meizu's default, 24 hours.
	TTL time.Duration
}

// String masks the secret, so a Config never prints it.
func (c Config) String() string {
	return fmt.Sprintf("meizu.Config{AppID:%q Host:%q NoticeMsgType:%d AppSecret:%s}", c.AppID, c.Host, int(c.NoticeMsgType), secret.Mask(c.AppSecret))
}

// GoString masks the secret in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Meizu certificate. It is safe for concurrent use.
type Client struct {
	cfg     Config
	opts    settings.Settings
	http    *transport.Client
	guard   *batch.Guard // trusts dead-token verdicts only when the vendor proves them
	sendURL string
}

// New validates cfg and builds a client. It does no I/O.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.Meizu
	switch {
	case strings.TrimSpace(cfg.AppID) == "":
		return nil, reject.Config(v, "AppID", "is required")
	case !digits(cfg.AppID):
		return nil, reject.Config(v, "AppID", "must be the numeric appId from the Flyme push console")
	case strings.TrimSpace(cfg.AppSecret) == "":
		return nil, reject.Config(v, "AppSecret", "is required")
	case cfg.NoticeMsgType != NoticeDefault && cfg.NoticeMsgType != NoticePrivate && cfg.NoticeMsgType != NoticePublic:
		return nil, reject.Config(v, "NoticeMsgType", "must be NoticeDefault, NoticePrivate or NoticePublic")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if cfg.Host == "" {
		cfg.Host = HostChina
	} else if err := payload.CheckURL(cfg.Host, false); err != nil {
		return nil, reject.Config(v, "Host", err.Error())
	}
	cfg.Host = strings.TrimSuffix(cfg.Host, "/")
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(push.Meizu, err)
	}
	if _, err := clickInfo(shape.Click(cfg.Click, push.ClickAction{})); err != nil {
		return nil, reject.AsConfig(push.Meizu, err)
	}
	o := settings.New(opts...)
	hc, err := transport.New(v, o, 8)
	if err != nil {
		return nil, err
	}
	hc.Redact(cfg.AppSecret) // an answer quoting the request never carries them on
	// What a client whose every token is "invalid" should check.
	guard := batch.NewGuard(v, o.MisconfigGuard, "Config.AppID: the app the pushIds were registered with, and Config.Host: China or overseas")
	return &Client{cfg: cfg, opts: o, http: hc, guard: guard, sendURL: cfg.Host + SendPath}, nil
}

// meizuField restates a vendor-neutral field error as Meizu's.
func meizuField(err error) error {
	if fe, ok := err.(*push.FieldError); ok {
		return reject.Message(push.Meizu, fe.Field, fe.Rule)
	}
	return err
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Vendor returns push.Meizu.
func (c *Client) Vendor() push.Vendor { return push.Meizu }

// String describes the client without secrets.
func (c *Client) String() string { return "meizu.Client{AppID:" + c.cfg.AppID + "}" }

// GoString keeps %#v from printing the secrets the client holds.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Push sends info to every pushId: batches of up to 100, sent concurrently.
// Meizu cannot deduplicate a request, so a send that may have reached Meizu
// is not retried; its outcome has VendorError.PossiblyDelivered set.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	plan := batch.Plan{Vendor: push.Meizu, Size: MaxTokens, Parallel: c.http.Concurrency(), Guard: c.guard, Check: checkPushID}
	return batch.Push(ctx, plan, info, tokens, c.MessageJSON, c.send)
}

// checkPushID rejects a pushId that would split in two in the comma-joined
// pushIds (and shift every answer after it).
func checkPushID(id string) error {
	if strings.Contains(id, ",") {
		return errors.New("a pushId must not contain a comma")
	}
	return nil
}

// ---- messageJson -----------------------------------------------------------

// Message is the messageJson of a notification. Field order follows Meizu's
// documentation; numbers are ints (the HTTP doc's form; the Java SDK sends
// booleans for the on/off flags, and the sign covers whichever text is sent).
type Message struct {
	NoticeBarInfo NoticeBarInfo `json:"noticeBarInfo"`
	ClickTypeInfo ClickTypeInfo `json:"clickTypeInfo"`
	PushTimeInfo  PushTimeInfo  `json:"pushTimeInfo"`
	AdvanceInfo   *AdvanceInfo  `json:"advanceInfo,omitempty"`
}

// NoticeBarInfo is the notification itself.
type NoticeBarInfo struct {
	NoticeMsgType int    `json:"noticeMsgType"` // 0 公信, 1 私信
	NoticeBarType int    `json:"noticeBarType"` // 0 standard
	Title         string `json:"title"`         // 1..32 characters
	Content       string `json:"content"`       // 1..100 characters
}

// Click types (clickTypeInfo.clickType). Type 3, app-defined, must not be
// used since Android 12, so this package never sends it.
const (
	ClickTypeOpenApp  = 0
	ClickTypeActivity = 1 // activity = "pkg.Activity"
	ClickTypeURL      = 2 // url = a URI or H5 page
)

// ClickTypeInfo is the tap action, and Parameters the passthrough data.
type ClickTypeInfo struct {
	ClickType int    `json:"clickType"`
	URL       string `json:"url,omitempty"`
	Activity  string `json:"activity,omitempty"`
	// Parameters is a JSON object ("透传参数【JSON格式】"); OfflinePushInfo.Ext
	// goes here under "ext", where the Tencent-style client reads it from
	// the opened Activity's extras.
	Parameters map[string]string `json:"parameters,omitempty"`
}

// PushTimeInfo keeps the message for an offline device.
type PushTimeInfo struct {
	OffLine   int `json:"offLine"`   // 1: keep for offline devices
	ValidTime int `json:"validTime"` // hours, 1..72
}

// AdvanceInfo carries the collapse key. Every other field in it is optional
// and Meizu's defaults (heads-up, clearable, vibrate, lights, sound) are
// what an IM message wants, so only notifyKey is sent.
type AdvanceInfo struct {
	NotifyKey string `json:"notifyKey,omitempty"`
}

// Message maps info onto Meizu's messageJson. It is exported so tools can
// show the wire request (dry run).
func (c *Client) Message(info *push.OfflinePushInfo) (*Message, error) {
	v := push.Meizu
	title, content, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxContent, Unit: payload.UTF16}, c.opts)
	if err != nil {
		return nil, err
	}
	click, err := clickInfo(shape.Click(info.Click, c.cfg.Click))
	if err != nil {
		return nil, err
	}
	if info.Ext != "" {
		click.Parameters = map[string]string{payload.ExtKey: info.Ext}
	}
	m := &Message{
		NoticeBarInfo: NoticeBarInfo{NoticeMsgType: c.cfg.NoticeMsgType.wire(), Title: title, Content: content},
		ClickTypeInfo: click,
		PushTimeInfo:  PushTimeInfo{OffLine: 1, ValidTime: validTime(info.TTL, c.cfg.TTL)},
	}
	if info.CollapseID != "" {
		m.AdvanceInfo = &AdvanceInfo{NotifyKey: notifyKey(info.CollapseID)}
	}
	return m, nil
}

// MessageJSON returns the compact messageJson text for info: the exact
// bytes that are both signed and sent.
func (c *Client) MessageJSON(info *push.OfflinePushInfo) (string, error) {
	m, err := c.Message(info)
	if err != nil {
		return "", err
	}
	return m.JSON(), nil
}

// JSON returns m as compact JSON. HTML characters are left as they are (as
// the Java SDK writes them), so a URL reads the same on the wire.
func (m *Message) JSON() string {
	b, _ := wire.JSON(m) // structs of strings and ints cannot fail
	return string(b)
}

// clickInfo maps a resolved click action onto clickTypeInfo.
func clickInfo(click push.ClickAction) (ClickTypeInfo, error) {
	v := push.Meizu
	switch click.Kind {
	case push.ClickOpenURL:
		if len(click.URL) > MaxClickTarget {
			return ClickTypeInfo{}, reject.Message(v, "Click.URL", fmt.Sprintf("is %d bytes; Meizu allows %d", len(click.URL), MaxClickTarget))
		}
		return ClickTypeInfo{ClickType: ClickTypeURL, URL: click.URL}, nil
	case push.ClickOpenPage:
		act, err := shape.PageActivity(v, click)
		if err != nil {
			return ClickTypeInfo{}, meizuField(err)
		}
		if len(act) > MaxClickTarget {
			return ClickTypeInfo{}, reject.Message(v, "Click.Activity", fmt.Sprintf("is %d bytes; Meizu allows %d", len(act), MaxClickTarget))
		}
		return ClickTypeInfo{ClickType: ClickTypeActivity, Activity: act}, nil
	}
	return ClickTypeInfo{ClickType: ClickTypeOpenApp}, nil
}

// validTime turns a TTL into whole hours, rounded up so a message is never
// kept shorter than asked, within Meizu's 1..72.
func validTime(msg, def time.Duration) int {
	ttl := shape.TTL(msg, def, MaxValidTime*time.Hour)
	if ttl <= 0 {
		return DefaultValidTime
	}
	return int(max((ttl+time.Hour-1)/time.Hour, MinValidTime))
}

// notifyKey returns the collapse id itself when Meizu accepts it as a
// notifyKey (1..8 of [0-9a-zA-Z_-]), else an 8-hex-digit key derived from it,
// so the same collapse id always gives the same key.
func notifyKey(collapse string) string {
	if len(collapse) <= MaxNotifyKey && strings.Trim(collapse, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == "" {
		return collapse
	}
	return ids.Key(collapse, MaxNotifyKey)
}

// ---- signature -------------------------------------------------------------

// Sign returns Meizu's signature of a request: every parameter but "sign",
// sorted by name (byte order, as Java's TreeMap sorts ASCII names), written
// as name=value with no separator and the raw, un-encoded value (the first
// one, when a name has several), then appSecret; the lowercase hex MD5 of
// those UTF-8 bytes.
func Sign(params url.Values, appSecret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "sign" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := md5.New()
	for _, k := range keys {
		io.WriteString(h, k)
		io.WriteString(h, "=")
		io.WriteString(h, params.Get(k))
	}
	io.WriteString(h, appSecret)
	var sum [md5.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// Form returns the complete signed form of one request to pushIDs (1..100),
// for tools that show the wire request (dry run).
func (c *Client) Form(info *push.OfflinePushInfo, pushIDs ...string) (url.Values, error) {
	if len(pushIDs) == 0 || len(pushIDs) > MaxTokens {
		return nil, reject.Message(push.Meizu, "pushIds", fmt.Sprintf("must hold 1..%d ids per request, got %d", MaxTokens, len(pushIDs)))
	}
	msg, err := c.MessageJSON(info)
	if err != nil {
		return nil, err
	}
	return c.form(msg, pushIDs), nil
}

func (c *Client) form(msg string, pushIDs []string) url.Values {
	f := url.Values{
		"appId":       {c.cfg.AppID},
		"messageJson": {msg},
		"pushIds":     {strings.Join(pushIDs, ",")},
	}
	f["sign"] = []string{Sign(f, c.cfg.AppSecret)}
	return f
}

// ---- send ------------------------------------------------------------------

var formHeader = []string{"application/x-www-form-urlencoded;charset=UTF-8"}

// request returns the HTTP request for one batch of pushIds. It writes what
// form and Sign would give (a test holds them equal) without url.Values.
func (c *Client) request(msg string, pushIDs []string) *transport.Request {
	ids := strings.Join(pushIDs, ",")
	// sign: MD5 of the sorted raw pairs appId, messageJson, pushIds + secret
	signed := make([]byte, 0, len(c.cfg.AppID)+len(msg)+len(ids)+len(c.cfg.AppSecret)+32)
	signed = append(append(signed, "appId="...), c.cfg.AppID...)
	signed = append(append(signed, "messageJson="...), msg...)
	signed = append(append(signed, "pushIds="...), ids...)
	signed = append(signed, c.cfg.AppSecret...)
	sum := md5.Sum(signed)
	var sign [2 * md5.Size]byte
	hex.Encode(sign[:], sum[:])

	body := make([]byte, 0, len(signed)+len(msg)/2+64)
	body = form.AppendField(body, "appId", c.cfg.AppID)
	body = form.AppendField(body, "messageJson", msg)
	body = form.AppendField(body, "pushIds", ids)
	body = form.AppendField(body, "sign", string(sign[:]))
	return &transport.Request{
		URL:    c.sendURL,
		Header: map[string][]string{"Content-Type": formHeader},
		Body:   body,
		// Not Idempotent: Meizu has no request id or dedupe key, so a request
		// that may have arrived is not sent again.
		Busy: checkBusy,
	}
}

// send sends pushIDs in one request.
func (c *Client) send(ctx context.Context, msg string, pushIDs []string) []push.Outcome {
	resp, err := c.http.Do(ctx, c.request(msg, pushIDs))
	if err != nil {
		return batch.All(pushIDs, "", err)
	}
	return decode(resp, pushIDs)
}

// ---- decode ----------------------------------------------------------------

// response is Meizu's answer envelope. The official SDKs disagree on types
// (the Java SDK reads code, value and msgId as strings, the Go SDK code as
// an int), so each is read leniently: code and msgId as a string or a
// number; value as an object of code → pushIds, or a string holding one
// (the Java SDK parses the string), or "" on error.
type response struct {
	Code    json.RawMessage `json:"code"`
	Message json.RawMessage `json:"message"`
	Value   json.RawMessage `json:"value"`
	MsgID   json.RawMessage `json:"msgId"`
}

// text reads a JSON string or number as text ("" for anything else).
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// failures reads value: per-id code → pushIds, each a list of strings (as
// documented; numbers are read as text) or one comma-joined string. ok is
// false when value holds something else: then which ids failed is unknown.
func failures(raw json.RawMessage) (out map[string][]string, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		if strings.TrimSpace(s) == "" {
			return nil, true // "" is the documented empty value
		}
		raw = []byte(s)
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	out = make(map[string][]string, len(m))
	for code, v := range m {
		v = bytes.TrimSpace(v)
		if string(v) == "null" {
			continue
		}
		if s := text(v); s != "" || string(v) == `""` {
			if s != "" {
				out[code] = strings.Split(s, ",")
			}
			continue
		}
		var list []json.RawMessage
		if json.Unmarshal(v, &list) != nil {
			return nil, false
		}
		ids := make([]string, 0, len(list))
		for _, id := range list {
			s := text(id)
			if s == "" {
				return nil, false
			}
			ids = append(ids, s)
		}
		out[code] = ids
	}
	return out, true
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// busy reports Meizu's "try again" codes inside an HTTP 200: system error,
// server busy, request rate too high. Meizu did not push anything then, so a
// retry cannot duplicate.
func busy(r *response) bool {
	switch text(r.Code) {
	case "1001", "1003", "110010":
		return true
	}
	return false
}

// decode maps Meizu's answer onto one outcome per pushId.
//
// Only code "200" says Meizu took the request; the ids it lists in value
// failed with their per-id code, the others were pushed. A 2xx that says
// less (no code, unreadable, or a value that cannot be read) is
// ErrUnavailable and possibly delivered: Meizu cannot deduplicate, so the
// caller decides whether to send again. A top-level pushId code (110002,
// 110003) names no id: batch.AllInvalid hands it to batch.Run, which makes
// it the verdict of a single pushId and asks about each pushId of a batch
// alone (or reports a likely misconfiguration for a large one).
func decode(resp *transport.Response, pushIDs []string) []push.Outcome {
	r, jerr := transport.DecodeJSON[response](resp)
	if resp.Status < 200 || resp.Status > 299 {
		code, msg := "", ""
		if jerr == nil {
			code, msg = text(r.Code), text(r.Message)
		}
		return batch.All(pushIDs, "", transport.StatusError(push.Meizu, resp, code, msg))
	}
	code := text(r.Code)
	if jerr != nil || code == "" {
		what := "unreadable answer"
		if jerr == nil {
			what = "answer without a code"
		}
		return batch.All(pushIDs, "", unsure(resp.Status, what, jerr))
	}
	msgID := text(r.MsgID)
	if code != "200" {
		e := codeError(code, text(r.Message), false)
		e.HTTPStatus = resp.Status
		if code == "110002" || code == "110003" {
			return batch.AllInvalid(pushIDs, e)
		}
		return batch.All(pushIDs, msgID, e)
	}
	failed, ok := failures(r.Value)
	if !ok {
		return batch.All(pushIDs, msgID, unsure(resp.Status, "answer with code 200 whose per-id results (value) cannot be read", nil))
	}
	out := batch.All(pushIDs, msgID, nil)
	if len(failed) == 0 {
		return out
	}
	at := make(map[string]int, len(pushIDs))
	for i, id := range pushIDs {
		at[id] = i
	}
	// Sorted codes: an id listed under two codes gets the same answer
	// every time.
	for _, c := range slices.Sorted(maps.Keys(failed)) {
		for _, id := range failed[c] {
			if i, ok := at[strings.TrimSpace(id)]; ok {
				e := codeError(c, "", true)
				e.HTTPStatus = resp.Status
				out[i].Err = e
			}
		}
	}
	return out
}

// unsure is the error of a 2xx that does not say what Meizu did. Meizu may
// have pushed the message, and cannot deduplicate a resend.
func unsure(status int, what string, cause error) *push.VendorError {
	return &push.VendorError{Vendor: push.Meizu, HTTPStatus: status, Kind: push.ErrUnavailable, Cause: cause,
		Message: what + ": the message may have been pushed", PossiblyDelivered: true}
}

// codeError maps a Meizu code to its class. perID says the code came from
// value (per pushId), where 110010 means "notifications switched off"
// rather than "request rate too high".
//
// Sources: the HTTP API doc's tables (MEIZUPUSH/PushAPI README, "Api
// returnCode定义" and "map部分code定义", as of 2025-04), the Java SDK's
// ErrorCode and PushResponseCode (MEIZUPUSH/JavaSdk) and the doc's history
// (commit d5c9d7b, 2017-12, split "pushId失效(未订阅或者消息开关关闭)" into
// 110002 and 110010). Only 110003 says a pushId is void: "pushId非法", and
// "一般情况下，pushId未注册则视为非法" (an unregistered pushId counts as
// invalid). 110002 is an unsubscribed pushId (Java UNSUBSCRIBE_PUSHID,
// "pushId未订阅"), and 110010 per id the user's switch: the token lives.
//
//	top-level code  meaning                                   class
//	200             OK; failed ids listed in value            accepted
//	1001 1003       system error, server busy                 ErrUnavailable, retried
//	110010          request rate too high                     ErrRateLimited, retried
//	500             other error (unknown whether pushed)      ErrUnavailable
//	1005 110004     parameter error, parameter empty          ErrInvalidMessage
//	110032          invalid taskId                            ErrInvalidMessage
//	1006            signature check failed                    ErrAuth
//	110000 110001   appId, appKey invalid                     ErrAuth
//	110009          app blacklisted                           ErrAuth
//	110031 110033   packageName, appSecret invalid            ErrAuth
//	110019 110051   daily / app push count limit              ErrQuota
//	110053          pass-through over the limit               ErrQuota
//	110002          pushId unsubscribed ("未注册"), none named ErrDisabled via batch.AllInvalid
//	110003          pushId invalid, none named                ErrInvalidToken via batch.AllInvalid
//
//	per-id code     meaning                                   class
//	110003          pushId invalid ("pushId非法")              ErrInvalidToken
//	110002          pushId unsubscribed ("pushId未订阅")       ErrDisabled
//	110010          pushId off: message switch off            ErrDisabled
//	110005          alias unsubscribed or switch off          ErrDisabled
//	110011          daily public (公信) messages of the id     ErrQuota
//	201             no permission, refused by the server      ErrAuth
//	518             over the configured push rate             ErrRateLimited
//	520             folded (over 5 in a minute to the device) ErrRateLimited, possibly delivered
//	501 513 519     push failed (db error, failed, overload)  ErrUnavailable
//	other           unknown                                   ErrUnavailable, code kept
func codeError(code, msg string, perID bool) *push.VendorError {
	e := &push.VendorError{Vendor: push.Meizu, Code: code, Message: msg}
	text := ""
	switch code {
	case "110003":
		e.Kind, text = push.ErrInvalidToken, "pushId invalid"
	case "110002":
		e.Kind, text = push.ErrDisabled, "pushId not subscribed (push switched off or unsubscribed on the device); token kept"
	case "110005":
		e.Kind, text = push.ErrDisabled, "alias not subscribed or push switched off"
	case "110010":
		if perID {
			// "pushId失效(消息开关关闭)": the user switched the app's
			// notifications off; the pushId works again when they turn on.
			e.Kind, text = push.ErrDisabled, "notifications switched off on the device; token kept"
		} else {
			e.Kind, text = push.ErrRateLimited, "request rate too high"
		}
	case "110011":
		e.Kind, text = push.ErrQuota, "daily limit of public (公信) messages for this device reached"
	case "110019":
		e.Kind, text = push.ErrQuota, "daily push limit of the app exceeded"
	case "110051":
		e.Kind, text = push.ErrQuota, "push count limit of the app exceeded"
	case "110053":
		e.Kind, text = push.ErrQuota, "pass-through limit exceeded"
	case "518":
		e.Kind, text = push.ErrRateLimited, "over the configured push rate"
	case "520":
		// Folded: the device had more than 5 messages of the app within a
		// minute. It may show folded, so a retry may show it twice.
		e.Kind, text = push.ErrRateLimited, "message folded: too many messages to this device within one minute"
		e.PossiblyDelivered = true
	case "1006":
		e.Kind, text = push.ErrAuth, "signature check failed (wrong AppSecret?)"
	case "110000":
		e.Kind, text = push.ErrAuth, "appId invalid"
	case "110001":
		e.Kind, text = push.ErrAuth, "appKey invalid"
	case "110009":
		e.Kind, text = push.ErrAuth, "app is blacklisted"
	case "110031":
		e.Kind, text = push.ErrAuth, "packageName invalid"
	case "110033":
		e.Kind, text = push.ErrAuth, "appSecret invalid"
	case "201":
		e.Kind, text = push.ErrAuth, "no permission, refused by the server"
	case "1005":
		e.Kind, text = push.ErrInvalidMessage, "parameter error"
	case "110004":
		e.Kind, text = push.ErrInvalidMessage, "a required parameter is empty"
	case "110032":
		e.Kind, text = push.ErrInvalidMessage, "invalid taskId"
	case "1001":
		e.Kind, text = push.ErrUnavailable, "system error"
	case "1003":
		e.Kind, text = push.ErrUnavailable, "server busy"
	case "500":
		// "其他异常": not retried here, since it is unknown whether anything
		// was pushed; the caller may retry.
		e.Kind, text = push.ErrUnavailable, "other error"
	case "501", "513":
		e.Kind, text = push.ErrUnavailable, "push failed"
	case "519":
		e.Kind, text = push.ErrUnavailable, "push failed: service overloaded"
	default:
		// An unknown code: report it as temporary rather than make the caller
		// drop a message or a token on a guess. The code is kept for logs.
		e.Kind = push.ErrUnavailable
	}
	if e.Message == "" {
		e.Message = text
	}
	return e
}

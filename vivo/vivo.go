// Package vivo sends offline pushes through vivo Push (the server API at
// api-push.vivo.com.cn).
//
// vivo authenticates with a token: POST /message/auth carrying
// sign = md5(appId + appKey + timestamp + appSecret) returns an authToken
// that lives a day and goes in the "authToken" header of every later call.
// One device is pushed with /message/send. Several take two calls: the
// notification is saved with /message/saveListPayload, which answers a
// taskId, and that task is pushed to 2..1000 regIds with /message/pushToList.
// Every call carries a requestId that vivo uses to drop duplicates; this
// package derives it from the message and its targets, so a retry of the
// same request (ours after a dropped connection, or the caller's with the
// same OfflinePushInfo.ID) is not shown twice.
//
// The client maps a push.OfflinePushInfo onto vivo's message (category IM,
// system classification by default), caches the token, splits the tokens
// into lists of 1000 sent concurrently, and decodes the per-regId answers
// (invalidUser, invalidUsers) into one outcome per token. When vivo will not
// save more list bodies today (10252), lists go out one regId at a time
// until vivo's day ends.
//
// Verdicts: a token is reported push.ErrInvalidToken only when vivo names
// it dead: 10302 to /message/send (one regId), or the regId listed in
// invalidUser(s) with status 1 ("does not exist") or none. Status 2
// (uninstalled or push turned off: vivo does not say which) and 3 (offline
// for 90 days) keep the token (push.ErrDisabled); status 4 (not a test
// device) is Config.PushMode (push.ErrAuth). An answer to a request that
// carries no regId (auth, saveListPayload), or a list answer that does not
// name the regId, is never a verdict on a token. codeTable maps every code
// vivo documents, with its sources. Title and content are fitted to 40 and
// 100 UTF-16 units, cut at a character boundary with "…"; Ext is never cut.
package vivo

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// HostChina is vivo's API host (no overseas host is documented).
const HostChina = "https://api-push.vivo.com.cn"

// Endpoints, all POST with a JSON body.
const (
	AuthPath       = "/message/auth"
	SendPath       = "/message/send"            // one regId
	SaveListPath   = "/message/saveListPayload" // save a body for list pushes → taskId
	PushToListPath = "/message/pushToList"      // push a saved body to 2..1000 regIds
)

// Limits vivo documents.
const (
	// MaxTokens is the most regIds one pushToList takes (and at least 2).
	MaxTokens = 1000
	// MaxTitle and MaxContent bound title and content in UTF-16 units. The
	// 2024 docs count every character, CJK and emoji included, as one; the
	// official Java SDK checks String.length(), where an emoji counts two
	// (a doc older than both counted a CJK character as two: superseded).
	// A text cut to the UTF-16 count fits both current rules, so that is the
	// count used; CJK text gets the full 40 and 100.
	MaxTitle   = 40
	MaxContent = 100
	// MaxURL bounds skipContent for skipType 2 and MaxIntent for skipType 4
	// (the official SDK's checks; a newer doc allows 2048, the smaller is kept).
	MaxURL    = 1000
	MaxIntent = 1024
	// MaxCustom bounds the keys plus values of clientCustomMap together.
	// Ext is never cut; it, the URL and the intent are refused only when over
	// by the lenient count (characters), since a refusal loses the message
	// for sure and vivo may count so.
	MaxCustom = 1024
	// MaxRequestID is the longest requestId vivo takes.
	MaxRequestID = 64
	// MinTTL is the shortest timeToLive of a single push, MinListTTL of a
	// list push; shorter TTLs are raised to them.
	MinTTL     = 60 * time.Second
	MinListTTL = 900 * time.Second
	// MaxTTL is the longest timeToLive sent. SDK 2.2 allows 7 days but the
	// newer doc says vivo keeps a message at most one day, so longer values
	// are capped to the one both accept.
	MaxTTL = 24 * time.Hour
	// TokenLifetime is how long an authToken is valid.
	TokenLifetime = 24 * time.Hour
)

// vivo result codes this package acts on by name; codeTable maps them all.
const (
	codeOK            = 0
	codeAuthFailed    = 10000 // authToken missing, wrong or expired
	codeNightTime     = 10071 // operational message outside 07:00–23:00
	codeTooFast       = 10072
	codeListBodyQuota = 10252 // too many saved list bodies today
	codeInvalidRegID  = 10302
)

// NotifyType is how the device announces the notification.
type NotifyType int

// Notify types (vivo's notifyType). The zero value means NotifyRingVibrate.
const (
	NotifyNone        NotifyType = 1
	NotifyRing        NotifyType = 2
	NotifyVibrate     NotifyType = 3
	NotifyRingVibrate NotifyType = 4
)

// Classification is vivo's message class. System messages (IM and the other
// system categories) have a larger quota and are sent at any hour;
// operational ones are capped per user and held at night.
type Classification int

// Classifications. The zero value takes the class from Config.Category.
const (
	ClassificationDefault Classification = 0
	System                Classification = 1 // sent as classification 1
	Operational           Classification = 2 // sent as classification 0
)

// PushMode selects production or test delivery.
type PushMode int

// Push modes (vivo's pushMode).
const (
	// Production is the normal mode.
	Production PushMode = 0
	// Test delivers only to the test devices registered in the vivo
	// console; other regIds are answered as "not a test user". Apps still
	// under review can only test-push.
	Test PushMode = 1
)

// Categories vivo documents, with their class. Sending both category and
// classification requires them to agree (code 10097), so the class of a
// known category is checked at New.
var categories = map[string]Classification{
	"IM": System, "ACCOUNT": System, "TODO": System, "DEVICE_REMINDER": System,
	"ORDER": System, "SUBSCRIPTION": System,
	"CONTENT": Operational, "MARKETING": Operational, "SOCIAL": Operational,
}

// Config holds one vivo certificate.
type Config struct {
	// AppID is the numeric app id from the vivo console. Required.
	AppID string
	// AppKey and AppSecret sign the auth request. Required.
	AppKey    string
	AppSecret string
	// Category is vivo's second-level category; empty means "IM" (a system
	// message, as Tencent IM sends). Upper case; lower case is converted.
	Category string
	// Classification is the message class; the zero value takes it from
	// Category (System for IM). It must agree with Category.
	Classification Classification
	// PushMode is Production (the zero value) or Test.
	PushMode PushMode
	// NotifyType is how the device announces it; zero means
	// NotifyRingVibrate.
	NotifyType NotifyType
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// TTL is the default offline cache time when the message has none;
	// zero leaves vivo's default (one day for system messages).
	TTL time.Duration
	// Host is the API host; empty means HostChina.
	Host string
}

// String masks the credentials, so a Config never prints them.
func (c Config) String() string {
	return fmt.Sprintf("vivo.Config{AppID:%q Category:%q Classification:%d PushMode:%d Host:%q AppKey:%s AppSecret:%s}",
		c.AppID, c.Category, c.Classification, c.PushMode, c.Host, secret.Mask(c.AppKey), secret.Mask(c.AppSecret))
}

// GoString masks the credentials in %#v too.
func (c Config) GoString() string { return c.String() }

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one vivo certificate. It is safe for concurrent use.
type Client struct {
	cfg            Config
	appID          int64
	classification int // the wire value
	opts           settings.Settings
	http           *transport.Client
	guard          *batch.Guard // trusts dead-token verdicts only when the vendor proves them
	tokens         *auth.Cache
	now            func() time.Time // the auth timestamp's clock

	// listOffUntil (unix ms) is set when vivo refuses to save more list
	// bodies today (10252): until then lists are sent one regId at a time.
	listOffUntil atomic.Int64
}

// New validates cfg and builds a client. It does no I/O.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.Vivo
	// vivo signs the trimmed parts ("字符串trim后拼接"); pasted credentials
	// often carry a stray space or newline.
	cfg.AppID = strings.TrimSpace(cfg.AppID)
	cfg.AppKey = strings.TrimSpace(cfg.AppKey)
	cfg.AppSecret = strings.TrimSpace(cfg.AppSecret)
	if cfg.AppID == "" {
		return nil, reject.Config(v, "AppID", "is required")
	}
	appID, err := strconv.ParseInt(cfg.AppID, 10, 64)
	if err != nil || appID <= 0 || cfg.AppID[0] < '0' || cfg.AppID[0] > '9' {
		return nil, reject.Config(v, "AppID", "must be vivo's numeric app id (it is sent as a JSON number), such as 10004")
	}
	switch {
	case cfg.AppKey == "":
		return nil, reject.Config(v, "AppKey", "is required")
	case cfg.AppSecret == "":
		return nil, reject.Config(v, "AppSecret", "is required")
	case cfg.PushMode != Production && cfg.PushMode != Test:
		return nil, reject.Config(v, "PushMode", "must be Production (0) or Test (1)")
	case cfg.NotifyType < 0 || cfg.NotifyType > NotifyRingVibrate:
		return nil, reject.Config(v, "NotifyType", "must be 1 (none), 2 (ring), 3 (vibrate) or 4 (ring and vibrate); 0 means 4")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	cfg.Category = strings.ToUpper(strings.TrimSpace(cfg.Category))
	if cfg.Category == "" {
		cfg.Category = "IM"
	}
	for _, r := range cfg.Category {
		if !(r >= 'A' && r <= 'Z' || r == '_') {
			return nil, reject.Config(v, "Category", "must be a vivo category such as IM, ACCOUNT, TODO or MARKETING")
		}
	}
	class, known := categories[cfg.Category]
	switch cfg.Classification {
	case ClassificationDefault:
		if !known {
			return nil, reject.Config(v, "Classification", "must be set (System or Operational) for category "+cfg.Category+", whose class this package does not know")
		}
	case System, Operational:
		if known && cfg.Classification != class {
			return nil, reject.Config(v, "Classification", "does not match category "+cfg.Category+" (vivo answers 10097)")
		}
		class = cfg.Classification
	default:
		return nil, reject.Config(v, "Classification", "must be ClassificationDefault, System or Operational")
	}
	if cfg.NotifyType == 0 {
		cfg.NotifyType = NotifyRingVibrate
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	if cfg.Click.Kind == push.ClickOpenPage && cfg.Click.Intent == "" {
		return nil, reject.Config(v, "Click.Intent", "is required for open-page: vivo opens app pages by intent URI (skipType 4)")
	}
	if cfg.Host == "" {
		cfg.Host = HostChina
	}
	o := settings.New(opts...)
	hc, err := transport.New(v, o, 16)
	if err != nil {
		return nil, err
	}
	hc.Redact(cfg.AppSecret, cfg.AppKey) // an answer quoting the request never carries them on

	c := &Client{cfg: cfg, appID: appID, opts: o, http: hc, now: time.Now}
	if class == System {
		c.classification = 1
	}
	// vivo suggests refreshing well before the day is over; an early
	// refresh is harmless because a new token does not revoke the old one.
	c.tokens = auth.For(o, "vivo/"+cfg.AppID, auth.SourceFunc(c.fetchToken), time.Hour)
	// What a client whose every token is "invalid" should check: vivo
	// answers another app's regIds as not existing (status 1).
	c.guard = batch.NewGuard(v, o.MisconfigGuard, "Config.AppID, and that the regIds were registered by that vivo app")
	return c, nil
}

// Vendor returns push.Vivo.
func (c *Client) Vendor() push.Vendor { return push.Vivo }

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// String describes the client without secrets.
func (c *Client) String() string { return "vivo.Client{AppID:" + c.cfg.AppID + "}" }

// GoString keeps %#v from printing the credentials in the client's fields.
func (c *Client) GoString() string { return c.String() }

// Format describes the client without secrets under every verb.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Sign returns the auth signature: the lowercase hex MD5 of appId, appKey,
// timestamp (Unix milliseconds, decimal) and appSecret, trimmed and
// concatenated.
func Sign(appID, appKey string, timestamp int64, appSecret string) string {
	h := md5.New()
	h.Write([]byte(strings.TrimSpace(appID)))
	h.Write([]byte(strings.TrimSpace(appKey)))
	h.Write(strconv.AppendInt(nil, timestamp, 10))
	h.Write([]byte(strings.TrimSpace(appSecret)))
	return hex.EncodeToString(h.Sum(nil))
}

// authRequest is the body of /message/auth; appId and timestamp are JSON
// numbers, as the official SDK sends them.
type authRequest struct {
	AppID     int64  `json:"appId"`
	AppKey    string `json:"appKey"`
	Timestamp int64  `json:"timestamp"`
	Sign      string `json:"sign"`
}

// Message is vivo's notification: the body of /message/send (with RegID)
// and /message/saveListPayload (without). Field order follows the SDK.
type Message struct {
	AppID       int64  `json:"appId"`
	RegID       string `json:"regId,omitempty"`
	NotifyType  int    `json:"notifyType"`
	Title       string `json:"title"`
	Content     string `json:"content"`
	TimeToLive  int    `json:"timeToLive,omitempty"` // seconds; omitted: vivo's default
	SkipType    int    `json:"skipType"`             // 1 open app, 2 URL, 4 intent URI
	SkipContent string `json:"skipContent,omitempty"`
	NetworkType int    `json:"networkType"` // -1: any network
	// ClientCustomMap carries Ext under "ext", where the app reads it
	// (UPSNotificationMessage.getParams().get("ext")).
	ClientCustomMap map[string]string `json:"clientCustomMap,omitempty"`
	// Classification is always sent: sources disagree on its default.
	Classification int    `json:"classification"`
	Category       string `json:"category,omitempty"`
	// NotifyID, when set, makes this notification replace an earlier one
	// with the same id (from OfflinePushInfo.CollapseID).
	NotifyID  int32  `json:"notifyId,omitempty"`
	RequestID string `json:"requestId"`
	PushMode  int    `json:"pushMode"`
}

// listRequest is the body of /message/pushToList.
type listRequest struct {
	AppID     int64    `json:"appId"`
	RegIDs    []string `json:"regIds"`
	TaskID    string   `json:"taskId"`
	RequestID string   `json:"requestId"`
	PushMode  int      `json:"pushMode"`
}

// Message maps info onto vivo's notification, without regId and requestId
// (Push sets them per request, and raises timeToLive to MinListTTL for list
// pushes). It is exported so tools can show the wire request (dry run).
func (c *Client) Message(info *push.OfflinePushInfo) (*Message, error) {
	v := push.Vivo
	title, content, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxContent, Unit: payload.UTF16}, c.opts)
	if err != nil {
		return nil, err
	}
	m := &Message{
		AppID:          c.appID,
		NotifyType:     int(c.cfg.NotifyType),
		Title:          title,
		Content:        content,
		NetworkType:    -1,
		Classification: c.classification,
		Category:       c.cfg.Category,
		PushMode:       int(c.cfg.PushMode),
	}
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		m.TimeToLive = int(max(shape.Seconds(ttl), int64(MinTTL/time.Second)))
	}
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if n := payload.Len(click.URL, payload.Runes); n > MaxURL {
			return nil, reject.Message(v, "Click.URL", fmt.Sprintf("is %d characters; vivo allows %d", n, MaxURL))
		}
		m.SkipType, m.SkipContent = 2, click.URL
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, reject.Message(v, "Click.Intent", "is required for open-page: vivo opens app pages by intent URI (skipType 4)")
		}
		if n := payload.Len(click.Intent, payload.Runes); n > MaxIntent {
			return nil, reject.Message(v, "Click.Intent", fmt.Sprintf("is %d characters; vivo allows %d", n, MaxIntent))
		}
		m.SkipType, m.SkipContent = 4, click.Intent
	default:
		m.SkipType = 1
	}
	if info.Ext != "" {
		// ≤10 pairs, and keys plus values ≤1024 characters in all.
		if n := len(payload.ExtKey) + payload.Len(info.Ext, payload.Runes); n > MaxCustom {
			return nil, reject.Message(v, "Ext", fmt.Sprintf("is %d characters; vivo allows %d for clientCustomMap keys and values together", n-len(payload.ExtKey), MaxCustom-len(payload.ExtKey)))
		}
		m.ClientCustomMap = payload.ExtMap(info.Ext)
	}
	if info.CollapseID != "" {
		m.NotifyID = ids.NotifyID(info.CollapseID)
	}
	return m, nil
}

// Push sends info to every regId. One regId goes through /message/send;
// more are split into lists of up to 1000, each saved with saveListPayload
// and pushed with pushToList, concurrently (a list left with a single regId
// goes through /message/send, since pushToList takes at least 2).
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	plan := batch.Plan{Vendor: push.Vivo, Size: MaxTokens, Parallel: c.http.Concurrency(), Guard: c.guard}
	return batch.Push(ctx, plan, info, tokens, c.prepare, c.send)
}

// prepared is a message mapped once for every list of a Push, and the base
// its requestIds derive from.
type prepared struct {
	msg  *Message
	base string
}

func (c *Client) prepare(info *push.OfflinePushInfo) (prepared, error) {
	msg, err := c.Message(info)
	if err != nil {
		return prepared{}, err
	}
	// The same message to the same regIds always carries the same
	// requestIds, so vivo drops a repeat.
	base := "id:" + info.ID
	if info.ID == "" {
		base = "random:" + ids.Key("", 32)
	}
	return prepared{msg, base}, nil
}

// send pushes one list of regIds (a single regId through /message/send).
func (c *Client) send(ctx context.Context, p prepared, regIDs []string) []push.Outcome {
	if len(regIDs) == 1 {
		return []push.Outcome{c.sendOne(ctx, p.msg, p.base, regIDs[0])}
	}
	return c.sendList(ctx, p.msg, p.base, regIDs)
}

// requestID is the dedupe key of one request: the message (base), the
// kind of request, and its regIds. It depends on the regIds rather than on
// a batch number so that a later push of the same message to other regIds
// is never mistaken for a repeat.
func requestID(base, kind string, regIDs []string) string {
	return ids.ListKey(base+"\x00vivo\x00"+kind+"\x00", regIDs, 32)
}

func (c *Client) sendOne(ctx context.Context, msg *Message, base, regID string) push.Outcome {
	m := *msg
	m.RegID = regID
	m.RequestID = requestID(base, "send", []string{regID})
	ans, err := c.call(ctx, SendPath, &m)
	taskID := ""
	if ans != nil {
		taskID = ans.TaskID
	}
	return outcomes([]string{regID}, taskID, ans, err)[0]
}

// sendList saves the message once for this list and pushes it. Every regId
// gets one outcome: if the save fails nothing was pushed; if pushToList
// fails after its retries, the list is not saved and pushed again (that
// could show it twice), the failure is reported for each regId.
func (c *Client) sendList(ctx context.Context, msg *Message, base string, regIDs []string) []push.Outcome {
	if c.listOffUntil.Load() > time.Now().UnixMilli() {
		return c.sendEach(ctx, msg, base, regIDs)
	}
	save := *msg
	if save.TimeToLive > 0 {
		save.TimeToLive = max(save.TimeToLive, int(MinListTTL/time.Second))
	}
	save.RequestID = requestID(base, "saveListPayload", regIDs)
	saved, err := c.call(ctx, SaveListPath, &save)
	if err != nil {
		if code(err) == codeListBodyQuota {
			// The daily quota of saved list bodies is used up, but single
			// pushes are still allowed: send this list (and later ones, until
			// vivo's day ends) one regId at a time.
			c.listOffUntil.Store(nextCST(time.Now(), 0).UnixMilli())
			return c.sendEach(ctx, msg, base, regIDs)
		}
		// saveListPayload carries no regId: whatever it answers (even
		// 10302, "regId不合法") is no verdict on the list's tokens.
		return batch.All(regIDs, "", noVerdict(err, "saveListPayload carries no regId"))
	}
	if saved.TaskID == "" {
		return batch.All(regIDs, "", &push.VendorError{Vendor: push.Vivo, HTTPStatus: http.StatusOK, Kind: push.ErrUnavailable,
			Message: "saveListPayload answered no taskId"})
	}
	ans, err := c.call(ctx, PushToListPath, &listRequest{
		AppID:     c.appID,
		RegIDs:    regIDs,
		TaskID:    saved.TaskID,
		RequestID: requestID(base, "pushToList", regIDs),
		PushMode:  msg.PushMode,
	})
	taskID := saved.TaskID
	if ans != nil && ans.TaskID != "" {
		taskID = ans.TaskID
	}
	return outcomes(regIDs, taskID, ans, err)
}

// sendEach pushes a list one regId at a time, a few at once.
func (c *Client) sendEach(ctx context.Context, msg *Message, base string, regIDs []string) []push.Outcome {
	out := make([]push.Outcome, len(regIDs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(regIDs), c.http.Concurrency()) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(regIDs) {
					return
				}
				out[i] = c.sendOne(ctx, msg, base, regIDs[i])
			}
		})
	}
	wg.Wait()
	return out
}

// answer is vivo's reply to every call. It is read leniently (see
// UnmarshalJSON); hasResult tells a reply that says "result" from one that
// says nothing, which is no success.
type answer struct {
	Result       int
	Desc         string
	TaskID       string
	AuthToken    string
	InvalidUser  *invalidUser
	InvalidUsers []invalidUser
	hasResult    bool
}

// UnmarshalJSON reads result as a number or a string holding one, and
// taskId as a string or a number (kept as its digits): vivo's own SDK and
// the clients of it disagree on these types.
func (a *answer) UnmarshalJSON(b []byte) error {
	var w struct {
		Result       *number       `json:"result"`
		Desc         string        `json:"desc"`
		TaskID       text          `json:"taskId"`
		AuthToken    string        `json:"authToken"`
		InvalidUser  *invalidUser  `json:"invalidUser"`
		InvalidUsers []invalidUser `json:"invalidUsers"`
	}
	err := json.Unmarshal(b, &w)
	*a = answer{Desc: w.Desc, TaskID: string(w.TaskID), AuthToken: w.AuthToken, InvalidUser: w.InvalidUser, InvalidUsers: w.InvalidUsers}
	if w.Result != nil {
		a.Result, a.hasResult = int(*w.Result), true
	}
	return err
}

// invalidUser names a regId vivo refused and why (status; 0 when absent).
type invalidUser struct {
	Status int
	UserID string
}

// UnmarshalJSON reads status as a number or a string, and userid as a
// string or a number: the official SDK types it a string, modood/pushapi
// an int.
func (u *invalidUser) UnmarshalJSON(b []byte) error {
	var w struct {
		Status number `json:"status"`
		UserID text   `json:"userid"`
	}
	err := json.Unmarshal(b, &w)
	*u = invalidUser{Status: int(w.Status), UserID: string(w.UserID)}
	return err
}

// number is a JSON integer, or a string holding one.
type number int

func (n *number) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return fmt.Errorf("vivo: %.20q is not an integer code", s)
	}
	*n = number(v)
	return nil
}

// text reads a JSON string, or a number kept as its exact digits (a regId
// of 23 digits does not fit an int64, and must not be rounded).
type text = lenient.Scalar

const contentType = "application/json;charset=UTF-8"

// call sends one body to path with a valid token, once more with a fresh
// token if vivo says the token is no longer valid. Every call carries a
// requestId vivo dedupes on (or has no side effect), so it is Idempotent:
// the transport may retry it even after the request reached vivo.
func (c *Client) call(ctx context.Context, path string, body any) (*answer, error) {
	// Not HTML-escaped, as vivo's Java SDK writes it: a URL's "&" goes as is.
	b, _ := wire.JSON(body) // plain structs of strings and numbers cannot fail
	return auth.Do(ctx, c.tokens, func(ctx context.Context, token string) (*answer, error) {
		resp, err := c.http.Do(ctx, &transport.Request{
			URL: c.cfg.Host + path,
			Header: http.Header{
				"authToken":    {token}, // as the SDK spells it
				"Content-Type": {contentType},
			},
			Body:       b,
			Idempotent: true,
			Busy:       checkBusy,
		})
		if err != nil {
			return nil, err
		}
		return decode(resp)
	})
}

// fetchToken gets a new authToken.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	resp, err := c.http.Do(ctx, &transport.Request{
		URL:        c.cfg.Host + AuthPath,
		Header:     http.Header{"Content-Type": {contentType}},
		Body:       c.authBody(c.now().UnixMilli()),
		Idempotent: true, // no side effect
		Auth:       true,
	})
	if err != nil {
		return nil, err
	}
	ans, err := decode(resp)
	if err != nil {
		var ve *push.VendorError
		if errors.As(err, &ve) {
			e := *ve
			e.Cause = nil // never auth.ErrExpired here: that would re-fetch in a loop
			e.Message = "auth: " + e.Message
			if e.HTTPStatus >= 400 && e.HTTPStatus < 500 && e.HTTPStatus != http.StatusTooManyRequests {
				e.Kind = push.ErrAuth
			}
			// The auth request carries no regId: its answer is never a
			// verdict on the token that was about to be pushed.
			return nil, noVerdict(&e, "the auth request carries no regId")
		}
		return nil, err
	}
	if ans.AuthToken == "" {
		return nil, &push.VendorError{Vendor: push.Vivo, HTTPStatus: resp.Status, Kind: push.ErrUnavailable,
			Message: "auth: the answer carries no authToken"}
	}
	// The expiry is counted from now on our clock, not the signing clock.
	return &oauth2.Token{AccessToken: ans.AuthToken, Expiry: time.Now().Add(TokenLifetime)}, nil
}

func (c *Client) authBody(timestamp int64) []byte {
	b, _ := wire.JSON(authRequest{
		AppID:     c.appID,
		AppKey:    c.cfg.AppKey,
		Timestamp: timestamp,
		Sign:      Sign(strconv.FormatInt(c.appID, 10), c.cfg.AppKey, timestamp, c.cfg.AppSecret),
	})
	return b
}

// busy reports vivo's "sending too fast" inside an HTTP 200: the request
// was refused, so the transport may retry it after a backoff.
func busy(a *answer) bool { return a.hasResult && a.Result == codeTooFast }

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// decode reads an answer. A non-zero result is returned as an error along
// with the answer, which may still name the regIds at fault. An answer
// without a result (null, {}) does not say the request was accepted, so it
// is no success.
func decode(resp *transport.Response) (*answer, error) {
	a, jerr := transport.DecodeJSON[answer](resp)
	if resp.Status != http.StatusOK {
		code, msg := "", ""
		if jerr == nil && a.Result != 0 {
			code, msg = strconv.Itoa(a.Result), a.Desc
		}
		return nil, transport.StatusError(push.Vivo, resp, code, msg)
	}
	if jerr != nil {
		return nil, &push.VendorError{Vendor: push.Vivo, HTTPStatus: resp.Status, Kind: push.ErrUnavailable,
			Message: "unreadable answer", Cause: jerr}
	}
	if !a.hasResult {
		return nil, &push.VendorError{Vendor: push.Vivo, HTTPStatus: resp.Status, Kind: push.ErrUnavailable,
			Message: "the answer carries no result code"}
	}
	if a.Result != codeOK {
		return a, codeError(a.Result, a.Desc, time.Now())
	}
	return a, nil
}

// A codeRow is one line of vivo's verdict table: the codes from..to, the
// class they map to, what vivo means, and the sources (see codeTable).
type codeRow struct {
	from, to int
	kind     error
	meaning  string
	source   string
}

// codeTable is the verdict table: every result code vivo documents → its
// class. Sources: S = the official Java SDK vpush-server-sdk 2.2
// (ExceptionStatusEnum); A = vivo's server API doc v2.9.2; G = Getui's
// vendor code table; P = a production PHP vivo sender; X = xxgail/PushSDK;
// M = modood/pushapi (comments from the 2024 doc). A code not listed is
// ErrUnavailable with the code kept: nobody drops a message or a token on
// a guess.
//
// ErrInvalidToken (10302) and ErrDisabled (10311) are verdicts on a token,
// and vivo gives them with a token only on /message/send, whose request
// names one regId. On any other request (auth and saveListPayload carry no
// regId; a pushToList answer names its bad regIds in invalidUsers) they are
// restated as ErrUnavailable (noVerdict); invalidUser(s).status refines the
// verdict (userError).
var codeTable = []codeRow{
	{10000, 10000, push.ErrAuth, "权限认证失败: authToken missing, wrong or expired; re-authenticated once", "G, P (not in S)"},
	{10043, 10043, push.ErrAuth, "push is disabled for the app", "G"},
	{10045, 10045, push.ErrAuth, "app under review: only test pushes (PushMode Test)", "G"},
	{10050, 10069, push.ErrInvalidMessage, "request checks: target, message type, notifyType, title, content, timeToLive, skipType, skipContent, networkType, clientCustomMap", "S, G"},
	{10070, 10070, push.ErrQuota, "operational messages used up today", "A, G, P"},
	{10071, 10071, push.ErrRateLimited, "operational message outside 07:00–23:00 Beijing time (RetryAfter: until 07:00)", "G"},
	{10072, 10072, push.ErrRateLimited, "sending too fast (retried with backoff)", "G, P"},
	{10073, 10073, push.ErrQuota, "system messages used up today", "G"},
	{10082, 10082, push.ErrAuth, "system messages are not enabled for the app", "G"},
	{10094, 10094, push.ErrAuth, "the body's appId is not the authToken's", "A"},
	{10095, 10097, push.ErrInvalidMessage, "notifyId invalid; category invalid or not matching classification", "G, M"},
	{10103, 10104, push.ErrInvalidMessage, "sensitive content; content that looks like a test", "G"},
	{10150, 10154, push.ErrInvalidMessage, "list push: regIds, taskId or list size (2..1000)", "S, G"},
	{10155, 10155, push.ErrUnavailable, "saved list body missing or expired: a later push saves a new one", "S, G"},
	{10200, 10207, push.ErrAuth, "auth: appId, appKey, timestamp or sign empty or wrong", "X, G, A"},
	{10250, 10250, push.ErrRateLimited, "auth called too often", "X"},
	{10252, 10252, push.ErrQuota, "too many list bodies saved today: lists then go out one regId at a time", "A, G"},
	{10254, 10254, push.ErrQuota, "/message/all over its daily limit", "A"},
	{10301, 10301, push.ErrInvalidMessage, "alias too long", "S"},
	{10302, 10302, push.ErrInvalidToken, "regId不合法: on /message/send, the verdict on its regId (refined by invalidUser.status)", "S, A, G"},
	{10304, 10306, push.ErrInvalidMessage, "extra: callback or callback.param too long", "S, G"},
	{10311, 10311, push.ErrDisabled, "the device cannot receive now (notifications off or inactive): token kept", "G"},
	{10352, 10353, push.ErrInvalidMessage, "requestId empty or over 64 characters", "S"},
	{11000, 11000, push.ErrInvalidMessage, "classification invalid", "S"},
}

// codeError maps a vivo result code to its class (codeTable).
func codeError(code int, desc string, now time.Time) *push.VendorError {
	e := &push.VendorError{Vendor: push.Vivo, HTTPStatus: http.StatusOK, Code: strconv.Itoa(code), Message: desc,
		Kind: push.ErrUnavailable}
	for _, r := range codeTable {
		if code >= r.from && code <= r.to {
			e.Kind = r.kind
			if e.Message == "" {
				e.Message = r.meaning
			}
			break
		}
	}
	switch code {
	case codeAuthFailed:
		e.Cause = auth.ErrExpired // auth.Do re-authenticates once
	case codeNightTime:
		e.RetryAfter = nextCST(now, 7).Sub(now)
	}
	return e
}

// noVerdict restates a token verdict (ErrInvalidToken, ErrDisabled) given
// to a request that names no single token as ErrUnavailable, keeping the
// code: it proves nothing about any one token. why says which request.
func noVerdict(err error, why string) error {
	var ve *push.VendorError
	if !errors.As(err, &ve) || ve.Kind != push.ErrInvalidToken && ve.Kind != push.ErrDisabled {
		return err
	}
	e := *ve
	e.Kind = push.ErrUnavailable
	e.Message = strings.TrimPrefix(e.Message+"; ", "; ") + "not a verdict on any token: " + why
	return &e
}

// outcomes maps one answer onto its regIds: every regId gets the call's
// result, except the regIds vivo names in invalidUser(s). A code that
// judges a token is a verdict only on a request of one regId; on a list,
// only the regIds named are judged.
func outcomes(regIDs []string, taskID string, ans *answer, err error) []push.Outcome {
	if err != nil {
		taskID = ""
	}
	single := len(regIDs) == 1
	if err != nil && !single {
		err = noVerdict(err, "vivo did not name this regId")
	}
	out := batch.All(regIDs, taskID, err)
	if ans == nil || err != nil && ans.Result != codeInvalidRegID {
		return out
	}
	users := ans.InvalidUsers
	if ans.InvalidUser != nil {
		users = append(users, *ans.InvalidUser)
	}
	named := make(map[string]invalidUser, len(users))
	for _, u := range users {
		named[u.UserID] = u
	}
	for i := range out {
		u, ok := named[out[i].Token]
		if !ok && err != nil && single {
			// 10302 to one regId is about that regId, whatever userid the
			// answer prints (or none): its status, if any, still says why.
			u, ok = invalidUser{UserID: regIDs[0]}, true
			if len(users) > 0 {
				u.Status = users[0].Status
			}
		}
		if ok {
			out[i].Err = userError(u, ans)
		}
	}
	return out
}

// userError is the verdict on a regId vivo named invalid, by its status:
// dead only when vivo says it does not exist (status 1, or no status).
func userError(u invalidUser, ans *answer) error {
	e := &push.VendorError{Vendor: push.Vivo, HTTPStatus: http.StatusOK, Code: strconv.Itoa(codeInvalidRegID),
		Message: userStatus(u.Status)}
	if ans.Result == codeInvalidRegID && ans.Desc != "" {
		e.Message = ans.Desc + ": " + e.Message
	}
	switch u.Status {
	case 0, 1:
		e.Kind = push.ErrInvalidToken
	case 2:
		// vivo puts "uninstalled" and "unsubscribed (turnOffPush)" under
		// one status: the token may be alive and work again when its user
		// turns push back on, so it is kept.
		e.Kind = push.ErrDisabled
	case 3:
		// Offline for 90 days (2020 doc only): the device, not its
		// registration, is gone for now; the regId works when it is back.
		e.Kind = push.ErrDisabled
	case 4:
		// A live device that is not a registered test device: the cause
		// is Config.PushMode Test, an app setting.
		e.Kind = push.ErrAuth
	default:
		// A status this package does not know: no proof of death.
		e.Kind = push.ErrUnavailable
	}
	return e
}

func userStatus(s int) string {
	switch s {
	case 0:
		return "regId invalid"
	case 1:
		return "regId does not exist (status 1)"
	case 2:
		return "app uninstalled, push turned off or app data cleared (status 2): it may be a live token whose user turned push off: token kept"
	case 3:
		return "device offline for 90 days (status 3): token kept, it receives again when the device is back"
	case 4:
		return "not a test device (status 4): Config.PushMode is Test, which sends only to the test devices registered in the vivo console"
	}
	return fmt.Sprintf("regId refused with status %d, which this package does not know: token kept", s)
}

// code returns the vivo result code of err, or -1.
func code(err error) int {
	var ve *push.VendorError
	if errors.As(err, &ve) && ve.HTTPStatus == http.StatusOK {
		if n, perr := strconv.Atoi(ve.Code); perr == nil {
			return n
		}
	}
	return -1
}

// nextCST returns the next time it is hour:00 in Beijing after now: vivo
// counts its days and sending hours there, the China time the quota
// breaker resets on (push.NextMidnightChina). China has no daylight
// saving, so every day there is 24 hours.
func nextCST(now time.Time, hour int) time.Time {
	next := push.NextMidnightChina(now).Add(time.Duration(hour-24) * time.Hour) // today's hour:00
	if !next.After(now) {
		next = next.Add(24 * time.Hour)
	}
	return next
}

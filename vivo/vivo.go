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
package vivo

import (
	"bytes"
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
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/payload"
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
	// MaxTitle and MaxContent count characters: the 2024 docs count every
	// character, CJK and emoji included, as one (older docs counted a CJK
	// character as two; the current rule is followed).
	MaxTitle   = 40
	MaxContent = 100
	// MaxURL bounds skipContent for skipType 2 and MaxIntent for skipType 4
	// (the official SDK's checks; a newer doc allows 2048, the smaller is kept).
	MaxURL    = 1000
	MaxIntent = 1024
	// MaxCustom bounds the keys plus values of clientCustomMap together.
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

// vivo result codes this package acts on (codeError maps them all).
const (
	codeOK              = 0
	codeAuthFailed      = 10000 // authToken missing, wrong or expired
	codeOpQuota         = 10070 // operational messages used up for today
	codeNightTime       = 10071 // operational message outside 07:00–23:00
	codeTooFast         = 10072
	codeSysQuota        = 10073 // system messages used up for today
	codeTaskExpired     = 10155 // saved list body missing or expired
	codeAuthTooOften    = 10250
	codeListBodyQuota   = 10252 // too many saved list bodies today
	codeAllQuota        = 10254
	codeInvalidRegID    = 10302
	codeCannotReceive   = 10311
	userStatusNotTester = 4 // invalidUser.status: not a test device (pushMode 1)
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
	opts           push.Options
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
		return nil, v.InvalidConfig("AppID", "is required")
	}
	appID, err := strconv.ParseInt(cfg.AppID, 10, 64)
	if err != nil || appID <= 0 || cfg.AppID[0] < '0' || cfg.AppID[0] > '9' {
		return nil, v.InvalidConfig("AppID", "must be vivo's numeric app id (it is sent as a JSON number), such as 10004")
	}
	switch {
	case cfg.AppKey == "":
		return nil, v.InvalidConfig("AppKey", "is required")
	case cfg.AppSecret == "":
		return nil, v.InvalidConfig("AppSecret", "is required")
	case cfg.PushMode != Production && cfg.PushMode != Test:
		return nil, v.InvalidConfig("PushMode", "must be Production (0) or Test (1)")
	case cfg.NotifyType < 0 || cfg.NotifyType > NotifyRingVibrate:
		return nil, v.InvalidConfig("NotifyType", "must be 1 (none), 2 (ring), 3 (vibrate) or 4 (ring and vibrate); 0 means 4")
	case cfg.TTL < 0:
		return nil, v.InvalidConfig("TTL", "must not be negative")
	}
	cfg.Category = strings.ToUpper(strings.TrimSpace(cfg.Category))
	if cfg.Category == "" {
		cfg.Category = "IM"
	}
	for _, r := range cfg.Category {
		if !(r >= 'A' && r <= 'Z' || r == '_') {
			return nil, v.InvalidConfig("Category", "must be a vivo category such as IM, ACCOUNT, TODO or MARKETING")
		}
	}
	class, known := categories[cfg.Category]
	switch cfg.Classification {
	case ClassificationDefault:
		if !known {
			return nil, v.InvalidConfig("Classification", "must be set (System or Operational) for category "+cfg.Category+", whose class this package does not know")
		}
	case System, Operational:
		if known && cfg.Classification != class {
			return nil, v.InvalidConfig("Classification", "does not match category "+cfg.Category+" (vivo answers 10097)")
		}
		class = cfg.Classification
	default:
		return nil, v.InvalidConfig("Classification", "must be ClassificationDefault, System or Operational")
	}
	if cfg.NotifyType == 0 {
		cfg.NotifyType = NotifyRingVibrate
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, v.AsConfig(err)
	}
	if cfg.Click.Kind == push.ClickOpenPage && cfg.Click.Intent == "" {
		return nil, v.InvalidConfig("Click.Intent", "is required for open-page: vivo opens app pages by intent URI (skipType 4)")
	}
	if cfg.Host == "" {
		cfg.Host = HostChina
	}
	o := push.NewOptions(opts...)
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
	// What a client whose every token is "invalid" should check.
	c.guard = batch.NewGuard(v, o.MisconfigGuard, "Config.AppID and that the tokens belong to this app")
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
	title, content, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxContent, Unit: payload.Runes}, c.opts)
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
	if ttl := ttlOf(info.TTL, c.cfg.TTL); ttl > 0 {
		m.TimeToLive = int(max(ttl, MinTTL) / time.Second)
	}
	switch click := info.Click.Resolve(c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if n := payload.Len(click.URL, payload.Runes); n > MaxURL {
			return nil, v.InvalidMessage("Click.URL", fmt.Sprintf("is %d characters; vivo allows %d", n, MaxURL))
		}
		m.SkipType, m.SkipContent = 2, click.URL
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, v.InvalidMessage("Click.Intent", "is required for open-page: vivo opens app pages by intent URI (skipType 4)")
		}
		if n := payload.Len(click.Intent, payload.Runes); n > MaxIntent {
			return nil, v.InvalidMessage("Click.Intent", fmt.Sprintf("is %d characters; vivo allows %d", n, MaxIntent))
		}
		m.SkipType, m.SkipContent = 4, click.Intent
	default:
		m.SkipType = 1
	}
	if info.Ext != "" {
		// ≤10 pairs, and keys plus values ≤1024 characters in all.
		if n := len(payload.ExtKey) + payload.Len(info.Ext, payload.Runes); n > MaxCustom {
			return nil, v.InvalidMessage("Ext", fmt.Sprintf("is %d characters; vivo allows %d for clientCustomMap keys and values together", n-len(payload.ExtKey), MaxCustom-len(payload.ExtKey)))
		}
		m.ClientCustomMap = payload.ExtMap(info.Ext)
	}
	if info.CollapseID != "" {
		m.NotifyID = ids.NotifyID(info.CollapseID)
	}
	return m, nil
}

func ttlOf(msg, def time.Duration) time.Duration {
	ttl := msg
	if ttl == 0 {
		ttl = def
	}
	if ttl <= 0 {
		return 0
	}
	ttl = (ttl + time.Second - 1).Truncate(time.Second) // whole seconds, rounded up
	return min(ttl, MaxTTL)
}

// Push sends info to every regId. One regId goes through /message/send;
// more are split into lists of up to 1000, each saved with saveListPayload
// and pushed with pushToList, concurrently (a list left with a single regId
// goes through /message/send, since pushToList takes at least 2).
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	msg, err := c.Message(info)
	if err != nil {
		return nil, err
	}
	// requestIds derive from this, so the same message to the same regIds
	// always carries the same requestIds and vivo drops a repeat.
	base := "id:" + info.ID
	if info.ID == "" {
		base = "random:" + ids.Key("", 32)
	}
	return batch.Run(ctx, push.Vivo, tokens, MaxTokens, c.http.Concurrency(), c.guard, func(ctx context.Context, regIDs []string) []push.Outcome {
		if len(regIDs) == 1 {
			return []push.Outcome{c.sendOne(ctx, msg, base, regIDs[0])}
		}
		return c.sendList(ctx, msg, base, regIDs)
	}), nil
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
		return batch.All(regIDs, "", err)
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

// answer is vivo's reply to every call.
type answer struct {
	Result       int           `json:"result"`
	Desc         string        `json:"desc"`
	TaskID       string        `json:"taskId"`
	AuthToken    string        `json:"authToken"`
	InvalidUser  *invalidUser  `json:"invalidUser"`
	InvalidUsers []invalidUser `json:"invalidUsers"`
}

// invalidUser names a regId vivo refused; userid is a string.
type invalidUser struct {
	Status int    `json:"status"`
	UserID string `json:"userid"`
}

const contentType = "application/json;charset=UTF-8"

// encode marshals a body without HTML escaping, as vivo's Java SDK does, so
// a URL's "&" goes over the wire as is.
func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v) // plain structs of strings and numbers cannot fail
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// call sends one body to path with a valid token, once more with a fresh
// token if vivo says the token is no longer valid. Every call carries a
// requestId vivo dedupes on (or has no side effect), so it is Idempotent:
// the transport may retry it even after the request reached vivo.
func (c *Client) call(ctx context.Context, path string, body any) (*answer, error) {
	b := encode(body)
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
			switch {
			case ans != nil && ans.Result == codeAuthTooOften:
				e.Kind = push.ErrRateLimited
			case ans != nil && ans.Result >= 10200 && ans.Result <= 10207:
				e.Kind = push.ErrAuth
			case e.HTTPStatus >= 400 && e.HTTPStatus < 500 && e.HTTPStatus != http.StatusTooManyRequests:
				e.Kind = push.ErrAuth
			}
			return nil, &e
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
	return encode(authRequest{
		AppID:     c.appID,
		AppKey:    c.cfg.AppKey,
		Timestamp: timestamp,
		Sign:      Sign(strconv.FormatInt(c.appID, 10), c.cfg.AppKey, timestamp, c.cfg.AppSecret),
	})
}

// busy reports vivo's "sending too fast" inside an HTTP 200: the request
// was refused, so the transport may retry it after a backoff.
func busy(a *answer) bool { return a.Result == codeTooFast }

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// decode reads an answer. A non-zero result is returned as an error along
// with the answer, which may still name the regIds at fault.
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
	if a.Result != codeOK {
		return a, codeError(a.Result, a.Desc, time.Now())
	}
	return a, nil
}

// codeError maps a vivo result code to its class.
func codeError(code int, desc string, now time.Time) *push.VendorError {
	e := &push.VendorError{Vendor: push.Vivo, HTTPStatus: http.StatusOK, Code: strconv.Itoa(code), Message: desc}
	switch {
	case code == codeAuthFailed:
		// "权限认证失败": not in the SDK's table, but every known client
		// re-authenticates on it. auth.Do does so once.
		e.Kind, e.Cause = push.ErrAuth, auth.ErrExpired
	case code == codeInvalidRegID:
		e.Kind = push.ErrInvalidToken
	case code == codeOpQuota, code == codeSysQuota, code == codeListBodyQuota, code == codeAllQuota:
		e.Kind = push.ErrQuota
	case code == codeTooFast, code == codeAuthTooOften:
		e.Kind = push.ErrRateLimited
	case code == codeNightTime:
		// Operational messages are held from 23:00 to 07:00 Beijing time.
		e.Kind = push.ErrRateLimited
		e.RetryAfter = nextCST(now, 7).Sub(now)
	case code == 10043, code == 10045, code == 10082, code == 10094, code >= 10200 && code <= 10207:
		// push disabled, app under review, system messages not enabled,
		// appId mismatch, auth parameters: the certificate, not the message
		e.Kind = push.ErrAuth
	case code == codeTaskExpired, code == codeCannotReceive:
		// a saved list body that expired, a device that cannot receive
		// now: a later push may succeed
		e.Kind = push.ErrUnavailable
	case code >= 10050 && code <= 10069, code >= 10095 && code <= 10097, code == 10103, code == 10104,
		code >= 10150 && code <= 10154, code == 10301, code >= 10304 && code <= 10306,
		code == 10352, code == 10353, code == 11000:
		e.Kind = push.ErrInvalidMessage
	default:
		// An unknown code: report it as temporary rather than make the
		// caller drop a message or a token on a guess. The code is kept.
		e.Kind = push.ErrUnavailable
	}
	return e
}

// outcomes maps one answer onto its regIds: every regId gets the call's
// result, except the regIds vivo names as invalid.
func outcomes(regIDs []string, taskID string, ans *answer, err error) []push.Outcome {
	if err != nil {
		taskID = ""
	}
	out := batch.All(regIDs, taskID, err)
	if ans == nil {
		return out
	}
	users := ans.InvalidUsers
	if ans.InvalidUser != nil {
		users = append(users, *ans.InvalidUser)
	}
	if err != nil && ans.Result != codeInvalidRegID {
		return out
	}
	named := make(map[string]invalidUser, len(users))
	for _, u := range users {
		named[u.UserID] = u
	}
	for i := range out {
		u, ok := named[out[i].Token]
		if !ok && err != nil && len(regIDs) == 1 {
			// a single send answered 10302 without naming the regId
			u, ok = invalidUser{UserID: regIDs[0]}, true
		}
		switch {
		case ok:
			out[i].Err = userError(u, ans)
		case err != nil:
			// 10302 for a list, but this regId was not named: do not make the
			// caller delete a token on a guess
			var ve *push.VendorError
			if errors.As(err, &ve) {
				e := *ve
				e.Kind = push.ErrUnavailable
				e.Message += " (this regId was not named invalid)"
				out[i].Err = &e
			}
		}
	}
	return out
}

func userError(u invalidUser, ans *answer) error {
	e := &push.VendorError{Vendor: push.Vivo, HTTPStatus: http.StatusOK, Code: strconv.Itoa(codeInvalidRegID),
		Message: userStatus(u.Status), Kind: push.ErrInvalidToken}
	if ans.Result == codeInvalidRegID && ans.Desc != "" {
		e.Message = ans.Desc + ": " + e.Message
	}
	if u.Status == userStatusNotTester {
		// the device is fine; it is just not a registered test device
		e.Kind = push.ErrInvalidMessage
	}
	return e
}

func userStatus(s int) string {
	switch s {
	case 1:
		return "regId does not exist (status 1)"
	case 2:
		return "app uninstalled, push turned off or app data cleared (status 2)"
	case 3:
		return "device offline for 90 days (status 3)"
	case userStatusNotTester:
		return "not a test device; PushMode Test sends only to the test devices registered in the vivo console (status 4)"
	}
	return fmt.Sprintf("regId invalid (status %d)", s)
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

// cst is Beijing time, where vivo's days and sending hours are counted.
var cst = time.FixedZone("CST", 8*60*60)

// nextCST returns the next time it is hour:00 in Beijing after now.
func nextCST(now time.Time, hour int) time.Time {
	t := now.In(cst)
	next := time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, cst)
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

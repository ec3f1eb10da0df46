package vivo

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/client"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
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

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one vivo certificate. It is safe for concurrent use.
type Client struct {
	base           // Vendor, String, GoString, Format: never a secret
	cfg            Config
	appID          int64
	classification int        // the wire value
	kit            client.Kit // options, transport, misconfiguration guard
	tokens         *auth.Cache
	now            func() time.Time // the auth timestamp's clock

	// listOffUntil (unix ms) is set when vivo refuses to save more list
	// bodies today (10252): until then lists are sent one regId at a time.
	listOffUntil atomic.Int64
}

type base = client.Base

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
	o, hc, err := client.Transport(v, opts, 16, cfg.AppSecret, cfg.AppKey)
	if err != nil {
		return nil, err
	}

	c := &Client{base: client.Named(v, "vivo.Client{AppID:"+cfg.AppID+"}"), cfg: cfg, appID: appID, kit: client.Kit{Opts: o, HTTP: hc}, now: time.Now}
	if class == System {
		c.classification = 1
	}
	// vivo suggests refreshing well before the day is over; an early
	// refresh is harmless because a new token does not revoke the old one.
	c.tokens = auth.For(o, "vivo/"+cfg.AppID, auth.SourceFunc(c.fetchToken), time.Hour)
	// What a client whose every token is "invalid" should check: vivo
	// answers another app's regIds as not existing (status 1).
	c.kit.Guard = batch.NewGuard(v, o.MisconfigGuard, "Config.AppID, and that the regIds were registered by that vivo app")
	return c, nil
}

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// Push sends info to every regId. One regId goes through /message/send;
// more are split into lists of up to 1000, each saved with saveListPayload
// and pushed with pushToList, concurrently (a list left with a single regId
// goes through /message/send, since pushToList takes at least 2).
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	return batch.Push(ctx, c.plan(), info, tokens, c.build, c.send)
}

// taskIDPending stands, in a dry run, for the taskId vivo's answer to
// saveListPayload would give pushToList.
const taskIDPending = "<taskId from saveListPayload>"

// DryRun returns the requests Push would send, sending nothing (push.DryRunner).
// A list shows two requests: saveListPayload (no Tokens: it carries no
// regId), then pushToList, whose taskId reads "<taskId from
// saveListPayload>". The authToken header reads "<redacted>": no token is
// fetched. While vivo refuses to save more lists today (10252), Push sends
// each regId alone, and DryRun shows that.
func (c *Client) DryRun(info *push.OfflinePushInfo, tokens ...string) (*push.Preview, error) {
	show := func(path string, body any, regIDs []string) push.Request {
		return c.kit.HTTP.Show(c.request(path, encode(body), transport.Unfetched), regIDs)
	}
	return batch.DryRun(c.plan(), info, tokens, c.build, func(p prepared, regIDs []string) []push.Request {
		if len(regIDs) == 1 || c.listOff() {
			out := make([]push.Request, len(regIDs))
			for i, r := range regIDs {
				out[i] = show(SendPath, p.send(r), regIDs[i:i+1])
			}
			return out
		}
		return []push.Request{
			show(SaveListPath, p.save(regIDs), nil),
			show(PushToListPath, c.pushToList(p, regIDs, taskIDPending), regIDs),
		}
	})
}

func (c *Client) plan() batch.Plan {
	return c.kit.Plan(push.Vivo, MaxTokens, nil)
}

// prepared is a message mapped once for every list of a Push, and the base
// its requestIds derive from.
type prepared struct {
	msg  *message
	base string
}

// build maps info once for every request of a Push. DryRun shows what it
// builds.
func (c *Client) build(info *push.OfflinePushInfo) (prepared, error) {
	msg, err := c.message(info)
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

// send is the body of /message/send to regID.
func (p prepared) send(regID string) *message {
	m := *p.msg
	m.RegID = regID
	m.RequestID = requestID(p.base, "send", []string{regID})
	return &m
}

// save is the body of the saveListPayload of a list: the message, with
// timeToLive raised to MinListTTL.
func (p prepared) save(regIDs []string) *message {
	m := *p.msg
	if m.TimeToLive > 0 {
		m.TimeToLive = max(m.TimeToLive, int(MinListTTL/time.Second))
	}
	m.RequestID = requestID(p.base, "saveListPayload", regIDs)
	return &m
}

// pushToList is the body of the pushToList of a list saved as taskID.
func (c *Client) pushToList(p prepared, regIDs []string, taskID string) *listRequest {
	return &listRequest{
		AppID:     c.appID,
		RegIDs:    regIDs,
		TaskID:    taskID,
		RequestID: requestID(p.base, "pushToList", regIDs),
		PushMode:  p.msg.PushMode,
	}
}

// send pushes one list of regIds (a single regId through /message/send).
func (c *Client) send(ctx context.Context, p prepared, regIDs []string) []push.Outcome {
	if len(regIDs) == 1 {
		return []push.Outcome{c.sendOne(ctx, p, regIDs[0])}
	}
	return c.sendList(ctx, p, regIDs)
}

// requestID is the dedupe key of one request: the message (base), the
// kind of request, and its regIds. It depends on the regIds rather than on
// a batch number so that a later push of the same message to other regIds
// is never mistaken for a repeat.
func requestID(base, kind string, regIDs []string) string {
	return ids.ListKey(base+"\x00vivo\x00"+kind+"\x00", regIDs, 32)
}

func (c *Client) sendOne(ctx context.Context, p prepared, regID string) push.Outcome {
	ans, err := c.call(ctx, SendPath, p.send(regID))
	taskID := ""
	if ans != nil {
		taskID = ans.TaskID
	}
	return outcomes([]string{regID}, taskID, ans, err)[0]
}

// listOff reports whether lists are sent one regId at a time for now.
func (c *Client) listOff() bool { return c.listOffUntil.Load() > time.Now().UnixMilli() }

// sendList saves the message once for this list and pushes it. Every regId
// gets one outcome: if the save fails nothing was pushed; if pushToList
// fails after its retries, the list is not saved and pushed again (that
// could show it twice), the failure is reported for each regId.
func (c *Client) sendList(ctx context.Context, p prepared, regIDs []string) []push.Outcome {
	if c.listOff() {
		return c.sendEach(ctx, p, regIDs)
	}
	saved, err := c.call(ctx, SaveListPath, p.save(regIDs))
	if err != nil {
		if code(err) == codeListBodyQuota {
			// The daily quota of saved list bodies is used up, but single
			// pushes are still allowed: send this list (and later ones, until
			// vivo's day ends) one regId at a time.
			c.listOffUntil.Store(nextCST(time.Now(), 0).UnixMilli())
			return c.sendEach(ctx, p, regIDs)
		}
		// saveListPayload carries no regId: whatever it answers (even
		// 10302, "regId不合法") is no verdict on the list's tokens.
		return batch.All(regIDs, "", noVerdict(err, "saveListPayload carries no regId"))
	}
	if saved.TaskID == "" {
		return batch.All(regIDs, "", &push.VendorError{Vendor: push.Vivo, HTTPStatus: http.StatusOK, Kind: push.ErrUnavailable,
			Message: "saveListPayload answered no taskId"})
	}
	ans, err := c.call(ctx, PushToListPath, c.pushToList(p, regIDs, saved.TaskID))
	taskID := saved.TaskID
	if ans != nil && ans.TaskID != "" {
		taskID = ans.TaskID
	}
	return outcomes(regIDs, taskID, ans, err)
}

// sendEach pushes a list one regId at a time, a few at once.
func (c *Client) sendEach(ctx context.Context, p prepared, regIDs []string) []push.Outcome {
	out := make([]push.Outcome, len(regIDs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(regIDs), c.kit.HTTP.Concurrency()) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(regIDs) {
					return
				}
				out[i] = c.sendOne(ctx, p, regIDs[i])
			}
		})
	}
	wg.Wait()
	return out
}

const contentType = "application/json;charset=UTF-8"

// call sends one body to path with a valid token, once more with a fresh
// token if vivo says the token is no longer valid. Every call carries a
// requestId vivo dedupes on (or has no side effect), so it is Idempotent:
// the transport may retry it even after the request reached vivo.
func (c *Client) call(ctx context.Context, path string, body any) (*answer, error) {
	b := encode(body)
	return auth.Do(ctx, c.tokens, func(ctx context.Context, token string) (*answer, error) {
		resp, err := c.kit.HTTP.Do(ctx, c.request(path, b, token))
		if err != nil {
			return nil, err
		}
		return decode(resp)
	})
}

// encode is the JSON of a request body, not HTML-escaped, as vivo's Java
// SDK writes it: a URL's "&" goes as is.
func encode(body any) []byte {
	b, _ := wire.JSON(body) // plain structs of strings and numbers cannot fail
	return b
}

// request is the request of one body to path, authenticated by token.
func (c *Client) request(path string, body []byte, token string) *transport.Request {
	return &transport.Request{
		URL: c.cfg.Host + path,
		Header: http.Header{
			"authToken":    {token}, // as the SDK spells it
			"Content-Type": {contentType},
		},
		Body:       body,
		Idempotent: true,
		Busy:       checkBusy,
	}
}

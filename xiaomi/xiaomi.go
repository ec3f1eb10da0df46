// Package xiaomi sends offline pushes through Xiaomi Mi Push (server API v3).
//
// Mi Push authenticates every request with the app's AppSecret in the header
// "Authorization: key=<AppSecret>" (no token exchange), takes a form body,
// and accepts up to 1000 regIds per request. This package maps a
// push.OfflinePushInfo onto the notification form Xiaomi documents, sends
// batches concurrently, and decodes per-regId results (data.bad_regids).
package xiaomi

import (
	"context"
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
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/payload"
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

// Limits Xiaomi documents.
const (
	MaxTokens = 1000 // regIds per request
	// Title and description must be shorter than 50 and 128 characters
	// ("Length < 50"), so 49 and 127 is the safe reading.
	MaxTitle       = 49
	MaxDescription = 127
	// MaxExtra bounds each extra.* value (1024 characters per key and value).
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
	opts  push.Options
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
		return nil, v.InvalidConfig("AppSecret", "is required")
	case strings.TrimSpace(cfg.PackageName) == "":
		return nil, v.InvalidConfig("PackageName", "is required")
	case strings.TrimSpace(cfg.ChannelID) == "":
		return nil, v.InvalidConfig("ChannelID", "is required (the private-message channel registered with Xiaomi)")
	case cfg.TTL < 0:
		return nil, v.InvalidConfig("TTL", "must not be negative")
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, v.AsConfig(err)
	}
	if cfg.Host == "" {
		cfg.Host = HostChina
	}
	o := push.NewOptions(opts...)
	hc, err := transport.New(v, o, 8)
	if err != nil {
		return nil, err
	}
	hc.Redact(cfg.AppSecret) // an answer quoting the request never carries them on

	// What a client whose every token is "invalid" should check.
	guard := batch.NewGuard(v, o.MisconfigGuard, "Config.PackageName and Config.AppSecret")
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fs, err := c.fields(info)
	if err != nil {
		return nil, err
	}
	body := newBody(fs)
	return batch.RunChecked(ctx, push.Xiaomi, tokens, MaxTokens, c.http.Concurrency(), c.guard, checkRegID, func(ctx context.Context, regIDs []string) []push.Outcome {
		return c.send(ctx, body, regIDs)
	}), nil
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
	title, desc, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxDescription, Unit: payload.Runes}, c.opts)
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
	if ttl := ttlOf(info.TTL, c.cfg.TTL); ttl > 0 {
		f = append(f, field{"time_to_live", strconv.FormatInt(ttl.Milliseconds(), 10)})
	}

	// Always send notify_effect: since 2024-09-30 a notification without one
	// only launches the home screen and its extras are lost.
	switch click := info.Click.Resolve(c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if utf8.RuneCountInString(click.URL) > MaxExtra {
			return nil, v.InvalidMessage("Click.URL", fmt.Sprintf("must be at most %d characters", MaxExtra))
		}
		f = append(f, field{"extra.notify_effect", "3"}, field{"extra.web_uri", click.URL})
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, v.InvalidMessage("Click.Intent", "is required for Xiaomi open-page (extra.intent_uri)")
		}
		if utf8.RuneCountInString(click.Intent) > MaxExtra {
			return nil, v.InvalidMessage("Click.Intent", fmt.Sprintf("must be at most %d characters", MaxExtra))
		}
		f = append(f, field{"extra.notify_effect", "2"}, field{"extra.intent_uri", click.Intent})
	default:
		f = append(f, field{"extra.notify_effect", "1"})
	}
	if info.Ext != "" {
		if n := utf8.RuneCountInString(info.Ext); n > MaxExtra {
			return nil, v.InvalidMessage("Ext", fmt.Sprintf("is %d characters; Xiaomi allows %d per extra value", n, MaxExtra))
		}
		f = append(f, field{"extra." + payload.ExtKey, info.Ext}) // the client reads getExtra().get("ext")
	}
	slices.SortFunc(f, func(a, b field) int { return strings.Compare(a.k, b.k) })
	return f, nil
}

func ttlOf(msg, def time.Duration) time.Duration {
	ttl := msg
	if ttl == 0 {
		ttl = def
	}
	return min(ttl, MaxTTL)
}

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
type body struct{ before, after []byte }

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
	return decode(resp, regIDs)
}

// response is Xiaomi's answer.
type response struct {
	Result      string `json:"result"`
	Code        int    `json:"code"`
	Description string `json:"description"`
	Reason      string `json:"reason"`
	TraceID     string `json:"trace_id"`
	Data        struct {
		ID        string `json:"id"`
		BadRegIDs string `json:"bad_regids"`
	} `json:"data"`
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// busy reports Xiaomi's "try again" codes inside an HTTP 200.
func busy(r *response) bool {
	switch r.Code {
	case 10001, 10002, 10003, 10027:
		return true
	}
	return false
}

func decode(resp *transport.Response, regIDs []string) []push.Outcome {
	r, jerr := transport.DecodeJSON[response](resp)
	if resp.Status != 200 {
		code, msg := "", ""
		if jerr == nil && r.Code != 0 {
			code, msg = strconv.Itoa(r.Code), r.reason()
		}
		return batch.All(regIDs, "", transport.StatusError(push.Xiaomi, resp, code, msg))
	}
	if jerr != nil {
		return batch.All(regIDs, "", &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Kind: push.ErrUnavailable,
			Message: "unreadable answer", Cause: jerr})
	}
	id := r.Data.ID
	if id == "" {
		id = r.TraceID
	}
	if r.Code != 0 {
		return batch.All(regIDs, id, r.err())
	}
	out := batch.All(regIDs, id, nil)
	if r.Data.BadRegIDs != "" {
		bad := make(map[string]bool)
		for _, t := range strings.Split(r.Data.BadRegIDs, ",") {
			bad[strings.TrimSpace(t)] = true
		}
		for i := range out {
			if bad[out[i].Token] {
				out[i].Err = &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Code: "bad_regids",
					Message: "regId is not valid for this app", Kind: push.ErrInvalidToken}
			}
		}
	}
	return out
}

func (r *response) reason() string {
	if r.Reason != "" {
		return r.Reason
	}
	return r.Description
}

// err maps a non-zero Xiaomi code to its class.
func (r *response) err() error {
	e := &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Code: strconv.Itoa(r.Code), Message: r.reason()}
	switch r.Code {
	case 20301: // "No valid targets!": every regId in the request is invalid
		e.Kind = push.ErrInvalidToken
	case 21301, 22022: // bad AppSecret; package name not of this app
		e.Kind = push.ErrAuth
	case 200001, 10034: // daily quota
		e.Kind = push.ErrQuota
	case 10027: // calls too often
		e.Kind = push.ErrRateLimited
	case 10001, 10002, 10003:
		e.Kind = push.ErrUnavailable
	case 10008, 10016, 10017, 21305, 27001, 65009, 65014, 65015:
		e.Kind = push.ErrInvalidMessage
	default:
		// An unknown code: report it as temporary rather than make the caller
		// drop a message or a token on a guess. The code is kept for logs.
		e.Kind = push.ErrUnavailable
	}
	return e
}

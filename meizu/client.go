package meizu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/client"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
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

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Meizu certificate. It is safe for concurrent use.
type Client struct {
	base    // Vendor, String, GoString, Format: never a secret
	cfg     Config
	kit     client.Kit // options, transport, misconfiguration guard
	sendURL string
}

type base = client.Base

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
	o, hc, err := client.Transport(v, opts, 8, cfg.AppSecret)
	if err != nil {
		return nil, err
	}
	// What a client whose every token is "invalid" should check.
	guard := batch.NewGuard(v, o.MisconfigGuard, "Config.AppID: the app the pushIds were registered with, and Config.Host: China or overseas")
	return &Client{base: client.Named(v, "meizu.Client{AppID:"+cfg.AppID+"}"), cfg: cfg, kit: client.Kit{Opts: o, HTTP: hc, Guard: guard}, sendURL: cfg.Host + SendPath}, nil
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Push sends info to every pushId: batches of up to 100, sent concurrently.
// Meizu cannot deduplicate a request, so a send that may have reached Meizu
// is not retried; its outcome has VendorError.PossiblyDelivered set.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	return batch.Push(ctx, c.plan(), info, tokens, c.messageJSON, c.send)
}

// DryRun returns the requests Push would send, sending nothing (push.DryRunner).
// The sign field reads "<redacted>": with it anyone could replay the request.
func (c *Client) DryRun(info *push.OfflinePushInfo, tokens ...string) (*push.Preview, error) {
	return batch.DryRun(c.plan(), info, tokens, c.messageJSON, func(msg string, pushIDs []string) []push.Request {
		return []push.Request{c.kit.HTTP.Show(c.request(msg, strings.Join(pushIDs, ","), transport.Unfetched), pushIDs)}
	})
}

func (c *Client) plan() batch.Plan {
	return c.kit.Plan(push.Meizu, MaxTokens, checkPushID)
}

// checkPushID rejects a pushId that would split in two in the comma-joined
// pushIds (and shift every answer after it).
func checkPushID(id string) error {
	if strings.Contains(id, ",") {
		return errors.New("a pushId must not contain a comma")
	}
	return nil
}

// send sends pushIDs in one request.
func (c *Client) send(ctx context.Context, msg string, pushIDs []string) []push.Outcome {
	ids := strings.Join(pushIDs, ",")
	sign := c.signature(msg, ids)
	resp, err := c.kit.HTTP.Do(ctx, c.request(msg, ids, string(sign[:])))
	if err != nil {
		return batch.All(pushIDs, "", err)
	}
	return decode(resp, pushIDs)
}

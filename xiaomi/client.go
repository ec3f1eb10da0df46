package xiaomi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/client"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
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

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Xiaomi certificate. It is safe for concurrent use.
type Client struct {
	base // Vendor, String, GoString, Format: never a secret
	cfg  Config
	kit  client.Kit // options, transport, misconfiguration guard
	auth []string   // the Authorization header value
	url  string     // the send URL
}

type base = client.Base

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
	o, hc, err := client.Transport(v, opts, 8, cfg.AppSecret)
	if err != nil {
		return nil, err
	}

	// What a client whose every token is "invalid" should check.
	guard := batch.NewGuard(v, o.MisconfigGuard, "Config.PackageName, Config.Host (the devices' region) and that the regIds come from this app")
	return &Client{base: client.Named(v, "xiaomi.Client{"+cfg.PackageName+"}"), cfg: cfg, kit: client.Kit{Opts: o, HTTP: hc, Guard: guard}, auth: []string{"key=" + cfg.AppSecret}, url: cfg.Host + SendPath}, nil
}

// Push sends info to every regId: batches of up to 1000, sent concurrently.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	return batch.Push(ctx, c.plan(), info, tokens, c.prepare, c.send)
}

// DryRun returns the requests Push would send, sending nothing (push.DryRunner).
func (c *Client) DryRun(info *push.OfflinePushInfo, tokens ...string) (*push.Preview, error) {
	return batch.DryRun(c.plan(), info, tokens, c.prepare, func(b body, regIDs []string) []push.Request {
		return []push.Request{c.kit.HTTP.Show(c.request(b, regIDs), regIDs)}
	})
}

func (c *Client) plan() batch.Plan {
	return c.kit.Plan(push.Xiaomi, MaxTokens, checkRegID)
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

func (c *Client) send(ctx context.Context, b body, regIDs []string) []push.Outcome {
	resp, err := c.kit.HTTP.Do(ctx, c.request(b, regIDs))
	if err != nil {
		return batch.All(regIDs, "", err)
	}
	return decode(resp, regIDs, b.keyed)
}

package oppo

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/client"
	"github.com/offlinepush/push/internal/form"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/transport"
)

// Hosts. A device registered outside China must be pushed through the
// overseas host (its regId does not carry a "CN" part).
const (
	HostChina    = "https://api.push.oppomobile.com"
	HostOverseas = "https://api-intl.push.oppomobile.com"
)

// Paths of the API calls this package makes.
const (
	AuthPath    = "/server/v1/auth"
	UnicastPath = "/server/v1/message/notification/unicast"
	BatchPath   = "/server/v1/message/notification/unicast_batch"
)

// Limits OPPO documents. Lengths are counted in UTF-16 units, as the
// official Java SDK does (String.length()): stricter than the doc's "an
// emoji counts one", so nothing we send is over the limit either way.
const (
	MaxTokens = 1000 // messages per unicast_batch request
	MaxTitle  = 50
	// MaxContent is 50: the 2019 PDF and SDK say 200 for the standard style,
	// the current doc says 50. UNVERIFIED which the server enforces, so we
	// keep to the smaller.
	MaxContent = 50
	// MaxClickTarget bounds click_action_activity and click_action_url. The
	// current doc allows 2000 for the URL, the PDF and SDK 500: 500 is safe
	// under both.
	MaxClickTarget = 500
	// MaxActionParameters bounds action_parameters (the carried Ext):
	// 4000 per the current doc, "4K" per the PDF.
	MaxActionParameters = 4000
	// MaxTTL is the longest offline cache (10 days); OPPO caps longer ones.
	MaxTTL = 10 * 24 * time.Hour
	// TokenLifetime is how long an auth_token is valid. The client replaces
	// it TokenRefreshEarly before that, i.e. after about 23 hours.
	TokenLifetime     = 24 * time.Hour
	TokenRefreshEarly = time.Hour
)

// Message categories (OPPO's classification since 2023). CategoryIM, the
// default, is the 通讯与服务 category an IM app registers its private channel
// for. CategoryNone sends neither category nor notify_level, for apps that
// push as 公信 (public messages, daily quota applies).
const (
	CategoryIM      = "IM"
	CategoryAccount = "ACCOUNT"
	CategoryTodo    = "TODO"
	CategoryDevice  = "DEVICE_REMINDER"
	CategoryOrder   = "ORDER"
	CategorySubscr  = "SUBSCRIPTION"
	CategoryNone    = "-"
)

// Notify levels (notify_level). They need a category.
const (
	NotifyShade       = 1  // notification shade only
	NotifyLockScreen  = 2  // shade and lock screen: the default
	NotifyHeadsUpRing = 16 // shade, lock screen, banner, vibration and ring
)

// Config holds one OPPO certificate: the keys from the OPPO push console
// (配置管理 → 应用配置) and the channel the IM app registered.
type Config struct {
	// AppKey names the app. Required.
	AppKey string
	// MasterSecret signs the auth request (not the AppSecret). Required.
	MasterSecret string
	// ChannelID is the Android notification channel id, registered in the
	// OPPO console (通道配置 → 新建通道). Required: from Android 9 a
	// notification without one is not shown.
	ChannelID string
	// Category is sent as category; empty means CategoryIM. CategoryNone
	// leaves category and notify_level out.
	Category string
	// NotifyLevel is sent as notify_level with a category; zero means
	// NotifyLockScreen (2), the level OPPO's IM example uses.
	NotifyLevel int
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Host is the API host; empty means HostChina.
	Host string
	// TTL is the default offline cache time when the message has none;
	// zero leaves OPPO's default (one hour).
	TTL time.Duration
}

// String masks the secret, so a Config never prints it.
func (c Config) String() string {
	return fmt.Sprintf("oppo.Config{AppKey:%q ChannelID:%q Category:%q NotifyLevel:%d Host:%q MasterSecret:%s}",
		c.AppKey, c.ChannelID, c.Category, c.NotifyLevel, c.Host, secret.Mask(c.MasterSecret))
}

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one OPPO certificate. It is safe for concurrent use.
type Client struct {
	base   // Vendor, String, GoString, Format: never a secret
	cfg    Config
	kit    client.Kit // options, transport, misconfiguration guard
	tokens *auth.Cache
	now    func() time.Time
}

type base = client.Base

// New validates cfg and builds a client. It does no I/O: the first Push
// fetches the auth token.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.OPPO
	switch {
	case strings.TrimSpace(cfg.AppKey) == "":
		return nil, reject.Config(v, "AppKey", "is required")
	case strings.TrimSpace(cfg.MasterSecret) == "":
		return nil, reject.Config(v, "MasterSecret", "is required (the server secret that signs the auth request, not the AppSecret)")
	case strings.TrimSpace(cfg.ChannelID) == "":
		return nil, reject.Config(v, "ChannelID", "is required (the notification channel registered in the OPPO console; Android 9+ shows nothing without one)")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if cfg.Category == "" {
		cfg.Category = CategoryIM
	}
	if cfg.Category != CategoryNone && !isCategory(cfg.Category) {
		return nil, reject.Config(v, "Category", `must be an OPPO category in capitals such as "IM", or CategoryNone`)
	}
	switch cfg.NotifyLevel {
	case 0:
		cfg.NotifyLevel = NotifyLockScreen
	case NotifyShade, NotifyLockScreen, NotifyHeadsUpRing:
	default:
		return nil, reject.Config(v, "NotifyLevel", "must be 1, 2 or 16")
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	if cfg.Host == "" {
		cfg.Host = HostChina
	}
	if u, err := url.Parse(cfg.Host); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || (u.Path != "" && u.Path != "/") {
		return nil, reject.Config(v, "Host", "must be a base URL such as "+HostChina)
	}
	cfg.Host = strings.TrimSuffix(cfg.Host, "/")
	o, hc, err := client.Transport(v, opts, 8, cfg.MasterSecret)
	if err != nil {
		return nil, err
	}

	c := &Client{base: client.Named(v, "oppo.Client{AppKey:"+cfg.AppKey+"}"), cfg: cfg, kit: client.Kit{Opts: o, HTTP: hc}, now: time.Now}
	c.tokens = auth.For(o, "oppo/"+cfg.AppKey, auth.SourceFunc(c.fetchToken), TokenRefreshEarly)
	// What a client whose every token is "invalid" should check.
	c.kit.Guard = batch.NewGuard(v, o.MisconfigGuard, "Config.AppKey, Config.Host (China or overseas) and that the regIds belong to this app")
	return c, nil
}

func isCategory(s string) bool {
	for i, r := range s {
		if !(r >= 'A' && r <= 'Z' || r == '_' && i > 0) {
			return false
		}
	}
	return s != ""
}

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// Push sends info to every regId: one device through unicast, more through
// unicast_batch in requests of up to 1000, sent concurrently.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	return batch.Push(ctx, c.plan(), info, tokens, c.build, c.send)
}

// DryRun returns the requests Push would send, sending nothing (push.DryRunner).
// The auth_token form field and header read "<redacted>": no token is fetched.
func (c *Client) DryRun(info *push.OfflinePushInfo, tokens ...string) (*push.Preview, error) {
	return batch.DryRun(c.plan(), info, tokens, c.build, func(e encoded, regIDs []string) []push.Request {
		path, tail := formOf(e, regIDs)
		return []push.Request{c.kit.HTTP.Show(c.request(path, tail, transport.Unfetched), regIDs)}
	})
}

func (c *Client) plan() batch.Plan {
	return c.kit.Plan(push.OPPO, MaxTokens, nil)
}

func (c *Client) send(ctx context.Context, e encoded, regIDs []string) []push.Outcome {
	path, tail := formOf(e, regIDs)
	return c.kit.SendBatch(ctx, c.tokens, regIDs,
		func(token string) *transport.Request { return c.request(path, tail, token) },
		func(resp *transport.Response) ([]push.Outcome, error) { return decode(resp, regIDs, path == BatchPath) })
}

// formOf is the form of one batch without auth_token: its path and the
// escaped "&key=value" that follows the token. It is escaped once, and
// copied once per attempt: a batch body repeats the notification for every
// regId, hundreds of kilobytes.
func formOf(e encoded, regIDs []string) (path string, tail []byte) {
	path, key, val := encode(e, regIDs)
	tail = form.AppendEscaped(append(make([]byte, 0, len(val)*3/2+len(key)+2), '&'), key)
	return path, form.AppendEscaped(append(tail, '='), val)
}

// request is the send request of one batch, authenticated by token.
func (c *Client) request(path string, tail []byte, token string) *transport.Request {
	busy := unicastBusy
	if path == BatchPath {
		busy = batchBusy
	}
	return &transport.Request{
		URL: c.cfg.Host + path,
		// The token goes in the form field, as the SDK and the current
		// doc do; the PDF's header is sent too (open question §5.1).
		Header: map[string][]string{
			"Content-Type": {"application/x-www-form-urlencoded;charset=UTF-8"},
			"auth_token":   {token},
		},
		Body:       append(form.AppendEscaped(append(make([]byte, 0, len(token)*3+len(tail)+11), "auth_token="...), token), tail...),
		Idempotent: true, // app_message_id: OPPO shows a repeat once
		Busy:       busy,
	}
}

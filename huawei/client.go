package huawei

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/offlinepush/push/internal/client"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/pushkit"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
)

// Hosts. No regional send host is documented; the legacy hosts
// api.push.hicloud.com and login.cloud.huawei.com are not used.
const (
	Host     = "https://push-api.cloud.huawei.com"
	AuthHost = "https://oauth-login.cloud.huawei.com"
)

// TokenPath is the OAuth 2.0 token endpoint on AuthHost.
const TokenPath = "/oauth2/v3/token"

// SendPath returns the send endpoint for an app: /v1/{appId}/messages:send.
func SendPath(appID string) string {
	return "/v1/" + url.PathEscape(appID) + "/messages:send"
}

// Limits and defaults Huawei documents.
const (
	MaxTokens = 1000 // tokens per request (80300010 above)
	// MaxBody bounds the request body, tokens not counted (80300008 above).
	MaxBody = 4096
	// MaxTTL is the longest offline cache (1296000s); DefaultTTL is
	// Huawei's own default, sent explicitly.
	MaxTTL     = 15 * 24 * time.Hour
	DefaultTTL = 24 * time.Hour
	// MaxBadge bounds badge.add_num (1..99).
	MaxBadge = 99
	// RefreshEarly is how long before expiry an access token is replaced.
	RefreshEarly = 5 * time.Minute
)

// Message classes for Config.Category. They take effect only once the app
// holds Huawei's self-classification entitlement; otherwise Huawei
// classifies messages itself.
const (
	CategoryIM   = "IM"
	CategoryVoIP = "VOIP"
)

var categories = map[string]bool{
	"IM": true, "VOIP": true, "SUBSCRIPTION": true, "TRAVEL": true, "HEALTH": true, "WORK": true,
	"ACCOUNT": true, "EXPRESS": true, "FINANCE": true, "DEVICE_REMINDER": true, "SYSTEM_REMINDER": true,
	"MAIL": true, "MARKETING": true,
	// PLAY_VOICE is for data messages only, so it is not accepted here.
}

// Importance values for Config.Importance: LOW is a marketing-class
// notification, NORMAL a service/communication one, HIGH needs a permission.
const (
	ImportanceLow    = "LOW"
	ImportanceNormal = "NORMAL"
	ImportanceHigh   = "HIGH"
)

// Config holds one Huawei certificate.
type Config struct {
	// AppID is the app's OAuth 2.0 client id (the AppGallery Connect APP ID).
	// It is the client_id of the token request and part of the send URL.
	// Required.
	AppID string
	// AppSecret is the client secret. Required.
	AppSecret string
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Category is android.category; empty means CategoryIM.
	Category string
	// Importance is android.notification.importance; empty means
	// ImportanceNormal.
	Importance string
	// BadgeClass is the full class name of the app's entry Activity
	// (badge.class). Without it OfflinePushInfo.Badge is not sent: the
	// launcher needs the class to know which icon to badge.
	BadgeClass string
	// ChannelID is the Android 8+ notification channel the app created
	// (android.notification.channel_id). Optional.
	ChannelID string
	// TTL is the default offline cache time when the message has none;
	// zero means DefaultTTL. Capped at MaxTTL.
	TTL time.Duration
	// Host is the send API host; empty means Host. The token host is
	// AuthHost; push.WithEndpoint replaces both.
	Host string
}

// String masks the secret, so a Config never prints it.
func (c Config) String() string {
	return fmt.Sprintf("huawei.Config{AppID:%q Category:%q Importance:%q BadgeClass:%q ChannelID:%q Host:%q AppSecret:%s}",
		c.AppID, c.Category, c.Importance, c.BadgeClass, c.ChannelID, c.Host, secret.Mask(c.AppSecret))
}

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Huawei certificate. It is safe for concurrent use.
type Client struct {
	base    // Vendor, String, GoString, Format: never a secret
	cfg     Config
	kit     client.Kit // options, transport, misconfiguration guard
	tokens  *auth.Cache
	sendURL string
	now     func() time.Time
	oauth   *auth.ClientCredentials
}

type base = client.Base

// New validates cfg and builds a client. It does no I/O: the first Push
// fetches the access token.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.Huawei
	if cfg.Category == "" {
		cfg.Category = CategoryIM
	}
	if cfg.Importance == "" {
		cfg.Importance = ImportanceNormal
	}
	switch {
	case strings.TrimSpace(cfg.AppID) == "":
		return nil, reject.Config(v, "AppID", "is required")
	case !pushkit.SafeID(cfg.AppID):
		return nil, reject.Config(v, "AppID", "must be the app's client id (letters, digits, '.', '_' or '-')")
	case strings.TrimSpace(cfg.AppSecret) == "":
		return nil, reject.Config(v, "AppSecret", "is required")
	case !categories[cfg.Category]:
		return nil, reject.Config(v, "Category", "must be one of Huawei's notification categories, such as IM")
	case cfg.Importance != ImportanceLow && cfg.Importance != ImportanceNormal && cfg.Importance != ImportanceHigh:
		return nil, reject.Config(v, "Importance", "must be LOW, NORMAL or HIGH")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if cfg.BadgeClass != "" {
		if err := payload.CheckActivity(cfg.BadgeClass); err != nil {
			return nil, reject.Config(v, "BadgeClass", err.Error())
		}
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(push.Huawei, err)
	}
	if _, err := clickOf(shape.Click(cfg.Click, push.ClickAction{})); err != nil {
		return nil, reject.AsConfig(push.Huawei, err)
	}
	if cfg.Host == "" {
		cfg.Host = Host
	} else if err := payload.CheckURL(cfg.Host, false); err != nil {
		return nil, reject.Config(v, "Host", err.Error())
	}
	cfg.Host = strings.TrimSuffix(cfg.Host, "/")
	o, hc, err := client.Transport(v, opts, 16, cfg.AppSecret)
	if err != nil {
		return nil, err
	}

	c := &Client{base: client.Named(v, "huawei.Client{"+cfg.AppID+"}"), cfg: cfg, kit: client.Kit{Opts: o, HTTP: hc}, sendURL: cfg.Host + SendPath(cfg.AppID), now: time.Now}
	c.oauth = &auth.ClientCredentials{Vendor: v, HTTP: hc, URL: AuthHost + TokenPath,
		ClientID: cfg.AppID, ClientSecret: cfg.AppSecret, DefaultLifetime: time.Hour, // documented lifetime
		Now: func() time.Time { return c.now() }}
	c.tokens = auth.For(o, string(v)+"/"+cfg.AppID, auth.SourceFunc(c.fetchToken), RefreshEarly)
	// What a client whose every token is "invalid" should check.
	// (Huawei's v1 causes for 80300007: tokens of another app, a package
	// name or app id that does not match AppGallery Connect.)
	c.kit.Guard = batch.NewGuard(v, o.MisconfigGuard, "that Config.AppID is the app whose package name and AppGallery Connect entry made the tokens")
	return c, nil
}

// Push sends info to every token: batches of up to 1000, sent concurrently.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	return batch.Push(ctx, c.plan(), info, tokens, c.build, c.send)
}

// DryRun returns the requests Push would send, sending nothing (push.DryRunner).
func (c *Client) DryRun(info *push.OfflinePushInfo, tokens ...string) (*push.Preview, error) {
	return batch.DryRun(c.plan(), info, tokens, c.build, func(req *request, toks []string) []push.Request {
		return []push.Request{c.kit.HTTP.Show(c.request(req.body(toks), transport.Unfetched), toks)}
	})
}

func (c *Client) plan() batch.Plan {
	return c.kit.Plan(push.Huawei, MaxTokens, nil)
}

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// send sends one batch; the tokens an 80300007 answer left unjudged (it
// named others) are sent once more on their own (pushkit.Resend).
func (c *Client) send(ctx context.Context, req *request, tokens []string) []push.Outcome {
	once := func(ctx context.Context, toks []string) []push.Outcome { return c.sendOnce(ctx, req, toks) }
	return pushkit.Resend(ctx, push.Huawei, c.kit.Guard, once(ctx, tokens), once)
}

func (c *Client) sendOnce(ctx context.Context, req *request, tokens []string) []push.Outcome {
	body := req.body(tokens)
	return c.kit.SendBatch(ctx, c.tokens, tokens,
		func(at string) *transport.Request { return c.request(body, at) },
		func(resp *transport.Response) ([]push.Outcome, error) { return decode(resp, tokens) })
}

// request is the send request of one batch's body.
func (c *Client) request(body []byte, accessToken string) *transport.Request {
	return &transport.Request{
		URL: c.sendURL,
		Header: map[string][]string{
			"Authorization": {"Bearer " + accessToken},
			"Content-Type":  {"application/json; charset=UTF-8"},
		},
		Body: body,
		Busy: checkBusy, // Push Kit has no dedupe key, so only answered attempts are retried
	}
}

package honor

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/client"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
)

// Hosts and paths.
const (
	// Host is the push API host (the older push-api.cloud.hihonor.com is legacy).
	Host = "https://push-api.cloud.honor.com"
	// SendPath is the send endpoint; %s is the URL-escaped App ID.
	SendPath = "/api/v1/%s/sendMessage"

	// DefaultTokenURL is the token endpoint of Honor's own "send downlink
	// messages" guide. Which of it and ShortTokenURL is canonical is
	// UNVERIFIED (third-party clients use both and both seem to work); the
	// guide's realm path is the one Honor documents, so it is the default and
	// Config.TokenURL can switch.
	DefaultTokenURL = "https://iam.developer.honor.com/auth/realms/developer/protocol/openid-connect/token"
	// ShortTokenURL is the short token path several third-party clients use.
	ShortTokenURL = "https://iam.developer.honor.com/auth/token"
)

// Limits.
const (
	// MaxTokens is the number of tokens per request. Honor's maximum is
	// UNVERIFIED; 1000 is the HMS limit the API was forked from, and no source
	// shows a smaller one.
	MaxTokens = 1000
	// MaxBodyBytes bounds the JSON body without the token list. Honor's limit
	// is UNVERIFIED; 4096 is the HMS bound (80300008) and is used as the safe
	// one: a longer Desc (then Title) is shortened with "…" to fit, as
	// shape.Body does for every vendor; Ext is never cut. Honor publishes no
	// title or body field limits (UNVERIFIED), so this bound is the only one.
	MaxBodyBytes = 4096
	// MaxTTL is the longest offline cache (android.ttl "1296000s", 15 days).
	MaxTTL = 15 * 24 * time.Hour
	// MaxBadge is the largest badge.addNum Honor accepts (1..99).
	MaxBadge = 99
)

// Notification classes (android.notification.importance).
const (
	// ImportanceNormal is "service and communication": IM messages. It needs
	// Honor's self-classification entitlement; without it Honor treats every
	// message as marketing (since 2024-12-31).
	ImportanceNormal = "NORMAL"
	// ImportanceLow is "news and marketing", capped per device per day.
	ImportanceLow = "LOW"
)

// Config holds one Honor certificate, as the Honor developer console shows it.
type Config struct {
	// AppID is the app's App ID (in the send URL). Required.
	AppID string
	// ClientID and ClientSecret buy the access token. Required.
	ClientID     string
	ClientSecret string
	// Click is the default tap action (zero: open the app). URLs must be https.
	Click push.ClickAction
	// Importance is the notification class: ImportanceNormal (the default,
	// right for IM) or ImportanceLow.
	Importance string
	// BadgeClass is the app's entry Activity (com.example.MainActivity). When
	// set, OfflinePushInfo.Badge adds to the icon badge; when empty, badges are
	// not sent (Honor needs the class to place one).
	BadgeClass string
	// TTL is the default offline cache time when the message has none; zero
	// leaves Honor's default (one day).
	TTL time.Duration
	// TokenURL is the access-token endpoint; empty means DefaultTokenURL.
	// push.WithEndpoint replaces its scheme and host like every other URL.
	TokenURL string
}

// String masks the credentials, so a Config never prints them.
func (c Config) String() string {
	return fmt.Sprintf("honor.Config{AppID:%q ClientID:%s ClientSecret:%s Importance:%q BadgeClass:%q TokenURL:%q}",
		c.AppID, secret.Mask(c.ClientID), secret.Mask(c.ClientSecret), c.Importance, c.BadgeClass, c.TokenURL)
}

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Honor certificate. It is safe for concurrent use.
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
	v := push.Honor
	switch {
	case strings.TrimSpace(cfg.AppID) == "":
		return nil, reject.Config(v, "AppID", "is required")
	case strings.ContainsAny(cfg.AppID, "/?# \t\r\n"):
		return nil, reject.Config(v, "AppID", "must not contain '/', '?', '#' or white space")
	case strings.TrimSpace(cfg.ClientID) == "":
		return nil, reject.Config(v, "ClientID", "is required")
	case strings.TrimSpace(cfg.ClientSecret) == "":
		return nil, reject.Config(v, "ClientSecret", "is required")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	switch cfg.Importance {
	case "":
		cfg.Importance = ImportanceNormal
	case ImportanceNormal, ImportanceLow:
	default:
		return nil, reject.Config(v, "Importance", `must be "NORMAL" (IM) or "LOW"`)
	}
	if cfg.BadgeClass != "" {
		if err := payload.CheckActivity(cfg.BadgeClass); err != nil {
			return nil, reject.Config(v, "BadgeClass", err.Error())
		}
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	if cfg.Click.Kind == push.ClickOpenURL {
		if err := payload.CheckURL(cfg.Click.URL, true); err != nil {
			return nil, reject.Config(v, "Click.URL", err.Error())
		}
	}
	if cfg.Click.Kind == push.ClickOpenPage && cfg.Click.Intent == "" {
		return nil, reject.Config(v, "Click.Intent", "is required for Honor open-page (clickAction.intent)")
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	} else if err := payload.CheckURL(cfg.TokenURL, true); err != nil {
		return nil, reject.Config(v, "TokenURL", err.Error())
	}
	o, hc, err := client.Transport(v, opts, 8, cfg.ClientSecret, cfg.ClientID)
	if err != nil {
		return nil, err
	}

	c := &Client{base: client.Named(v, "honor.Client{AppID:"+cfg.AppID+"}"), cfg: cfg, kit: client.Kit{Opts: o, HTTP: hc}, now: time.Now,
		sendURL: Host + fmt.Sprintf(SendPath, url.PathEscape(cfg.AppID))}
	c.oauth = &auth.ClientCredentials{Vendor: v, HTTP: hc, URL: cfg.TokenURL,
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, DefaultLifetime: DefaultTokenLifetime,
		Now: func() time.Time { return c.now() }}
	c.tokens = auth.For(o, string(v)+"/"+cfg.AppID, auth.SourceFunc(c.fetchToken), RefreshEarly)
	// What a client whose every token is "invalid" should check.
	c.kit.Guard = batch.NewGuard(v, o.MisconfigGuard, "Config.AppID and that the tokens belong to this app")
	return c, nil
}

// Push sends info to every token: batches of up to MaxTokens, sent
// concurrently, each with the cached access token (refreshed once if Honor
// says it expired).
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	return batch.Push(ctx, c.plan(), info, tokens, c.prepare, c.send)
}

// DryRun returns the requests Push would send, sending nothing (push.DryRunner).
func (c *Client) DryRun(info *push.OfflinePushInfo, tokens ...string) (*push.Preview, error) {
	return batch.DryRun(c.plan(), info, tokens, c.prepare, func(sp wire.Splice, toks []string) []push.Request {
		return []push.Request{c.kit.HTTP.Show(c.request(body(sp, toks), transport.Unfetched), toks)}
	})
}

func (c *Client) plan() batch.Plan {
	return c.kit.Plan(push.Honor, MaxTokens, nil)
}

// Authenticate gets an access token (from the cache, or fetched now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.tokens.Token(ctx)
	return err
}

// send sends one batch: the prepared message with its tokens.
func (c *Client) send(ctx context.Context, sp wire.Splice, toks []string) []push.Outcome {
	b := body(sp, toks)
	return c.kit.SendBatch(ctx, c.tokens, toks,
		func(at string) *transport.Request { return c.request(b, at) },
		func(resp *transport.Response) ([]push.Outcome, error) { return decode(resp, toks) })
}

// request is the send request of one batch's body with an access token,
// stamped now.
func (c *Client) request(body []byte, accessToken string) *transport.Request {
	return &transport.Request{
		URL: c.sendURL,
		Header: map[string][]string{
			"Authorization": {"Bearer " + accessToken},
			// lower case as Honor's guide writes it (the transport keeps keys as given)
			"timestamp":    {strconv.FormatInt(c.now().UnixMilli(), 10)},
			"Content-Type": {"application/json; charset=UTF-8"},
		},
		Body: body,
		// Not Idempotent: Honor has no message key, so a send that may have
		// arrived is not repeated (it could show twice).
		Busy: checkBusy,
	}
}

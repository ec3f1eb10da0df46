package harmony

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
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
	"github.com/offlinepush/push/internal/pemkey"
	"github.com/offlinepush/push/internal/pushkit"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/transport"
)

// Host is the Push Kit API host.
const Host = "https://push-api.cloud.huawei.com"

// sendPath returns the v3 send endpoint for a project:
// /v3/{projectId}/messages:send.
func sendPath(projectID string) string {
	return "/v3/" + url.PathEscape(projectID) + "/messages:send"
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
	// MaxBadge bounds badge.addNum (1..99).
	MaxBadge = 99
	// JWTLifetime is how long a signed JWT is valid: Huawei recommends an
	// hour and refuses more than a day (80300036).
	JWTLifetime = time.Hour
	// RefreshEarly is how long before expiry a new JWT is signed.
	RefreshEarly = 5 * time.Minute
)

// Push types (the push-type header). This package builds the notification
// payloads of PushTypeAlert and PushTypeExtension only.
const (
	PushTypeAlert     = 0 // notification
	PushTypeExtension = 2 // notification extension (needs the entitlement)
)

// CategoryIM is the notification category for chat messages. Categories
// take effect once the app holds the self-classification entitlement.
const CategoryIM = "IM"

var categories = map[string]bool{
	"IM": true, "VOIP": true, "MISS_CALL": true, "SUBSCRIPTION": true, "TRAVEL": true, "HEALTH": true,
	"WORK": true, "ACCOUNT": true, "EXPRESS": true, "FINANCE": true, "DEVICE_REMINDER": true,
	"SYSTEM_REMINDER": true, "MAIL": true, "CUSTOMER_SERVICE": true, "MARKETING": true, "NEWS": true,
	"CONTENT_RECOMMENDATION": true, "SOCIAL_DYNAMICS": true, "PROMO": true, "PLAY_VOICE": true,
}

// Config holds one HarmonyOS NEXT certificate.
type Config struct {
	// CredentialsJSON is the service-account key file downloaded from the
	// Huawei developer API Console ("服务账号密钥"): project_id, key_id,
	// sub_account and private_key are read from it. Required.
	CredentialsJSON []byte
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Category is payload.notification.category; empty means CategoryIM.
	Category string
	// TTL is the default offline cache time when the message has none;
	// zero means DefaultTTL. Capped at MaxTTL.
	TTL time.Duration
	// PushType is the push-type header: PushTypeAlert (the default) or
	// PushTypeExtension.
	PushType int
	// Host is the API host; empty means Host.
	Host string
}

// String masks the credentials, so a Config never prints them.
func (c Config) String() string {
	creds := `""`
	if len(c.CredentialsJSON) > 0 {
		creds = fmt.Sprintf("<redacted %d bytes>", len(c.CredentialsJSON))
	}
	return fmt.Sprintf("harmony.Config{Category:%q PushType:%d Host:%q CredentialsJSON:%s}", c.Category, c.PushType, c.Host, creds)
}

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// serviceAccount is the key file. Only the fields used are read.
type serviceAccount struct {
	ProjectID  string `json:"project_id"`
	KeyID      string `json:"key_id"`
	PrivateKey string `json:"private_key"`
	SubAccount string `json:"sub_account"`
}

// Client sends to one HarmonyOS NEXT project. It is safe for concurrent use.
type Client struct {
	base       // Vendor, String, GoString, Format: never a secret
	cfg        Config
	kit        client.Kit // options, transport, misconfiguration guard
	tokens     *auth.Cache
	projectID  string
	keyID      string
	subAccount string
	key        *rsa.PrivateKey
	sendURL    string
	now        func() time.Time
}

type base = client.Base

// New validates cfg, reads the key file and builds a client. It does no I/O.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.Harmony
	if len(bytes.TrimSpace(cfg.CredentialsJSON)) == 0 {
		return nil, reject.Config(v, "CredentialsJSON", "is required (the service-account key file from the Huawei API Console)")
	}
	var sa serviceAccount
	// The decoder's error text may quote the file, so it is not passed on.
	if json.Unmarshal(cfg.CredentialsJSON, &sa) != nil {
		return nil, reject.Config(v, "CredentialsJSON", "is not a valid JSON object")
	}
	for _, f := range []struct{ name, val string }{{"project_id", sa.ProjectID}, {"key_id", sa.KeyID}, {"sub_account", sa.SubAccount}, {"private_key", sa.PrivateKey}} {
		if strings.TrimSpace(f.val) == "" {
			return nil, reject.Config(v, "CredentialsJSON", "has no "+f.name)
		}
	}
	if !pushkit.SafeID(sa.ProjectID) {
		return nil, reject.Config(v, "CredentialsJSON", "has a project_id with characters other than letters, digits, '.', '_' or '-'")
	}
	key, err := pemkey.RSA([]byte(sa.PrivateKey))
	if err != nil {
		return nil, reject.Config(v, "CredentialsJSON", "private_key "+err.Error()+" (HarmonyOS signs with PS256, an RSA key)")
	}
	if cfg.Category == "" {
		cfg.Category = CategoryIM
	}
	switch {
	case !categories[cfg.Category]:
		return nil, reject.Config(v, "Category", "must be one of the HarmonyOS notification categories, such as IM")
	case cfg.PushType != PushTypeAlert && cfg.PushType != PushTypeExtension:
		return nil, reject.Config(v, "PushType", "must be 0 (alert) or 2 (notification extension); other push types carry payloads this package does not build")
	case cfg.Category == "PLAY_VOICE" && cfg.PushType != PushTypeExtension:
		return nil, reject.Config(v, "Category", "PLAY_VOICE needs PushType 2 (notification extension)")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(push.Harmony, err)
	}
	if _, err := clickOf(shape.Click(cfg.Click, push.ClickAction{}), ""); err != nil {
		return nil, reject.AsConfig(push.Harmony, err)
	}
	if cfg.Host == "" {
		cfg.Host = Host
	} else if err := payload.CheckURL(cfg.Host, false); err != nil {
		return nil, reject.Config(v, "Host", err.Error())
	}
	cfg.Host = strings.TrimSuffix(cfg.Host, "/")
	o, hc, err := client.Transport(v, opts, 16)
	if err != nil {
		return nil, err
	}
	c := &Client{base: client.Named(v, "harmony.Client{project "+sa.ProjectID+"}"), cfg: cfg, kit: client.Kit{Opts: o, HTTP: hc},
		projectID: sa.ProjectID, keyID: sa.KeyID, subAccount: sa.SubAccount, key: key,
		sendURL: cfg.Host + sendPath(sa.ProjectID), now: time.Now}
	c.tokens = auth.For(o, "harmony/"+sa.ProjectID+"/"+sa.KeyID, auth.SourceFunc(c.signJWT), RefreshEarly)
	// What a client whose every token is "invalid" should check.
	c.kit.Guard = batch.NewGuard(v, o.MisconfigGuard, "that Config.CredentialsJSON is the key of the project the tokens belong to, and its push entitlement")
	return c, nil
}

// ProjectID is the project the key file belongs to (the send URL's).
func (c *Client) ProjectID() string { return c.projectID }

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
	return c.kit.Plan(push.Harmony, MaxTokens, nil)
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
	return pushkit.Resend(ctx, push.Harmony, c.kit.Guard, once(ctx, tokens), once)
}

func (c *Client) sendOnce(ctx context.Context, req *request, tokens []string) []push.Outcome {
	body := req.body(tokens)
	return c.kit.SendBatch(ctx, c.tokens, tokens,
		func(jwt string) *transport.Request { return c.request(body, jwt) },
		func(resp *transport.Response) ([]push.Outcome, error) { return decode(resp, tokens) })
}

// request is the send request of one batch's body, signed with jwt.
func (c *Client) request(body []byte, jwt string) *transport.Request {
	return &transport.Request{
		URL: c.sendURL,
		Header: map[string][]string{
			"Authorization": {"Bearer " + jwt},
			"Content-Type":  {"application/json; charset=UTF-8"},
			"push-type":     {strconv.Itoa(c.cfg.PushType)},
		},
		Body: body,
		Busy: checkBusy, // Push Kit has no dedupe key, so only answered attempts are retried
	}
}

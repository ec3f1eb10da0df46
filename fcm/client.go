package fcm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/client"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/transport"
)

// Endpoint and auth.
const (
	// Host is the FCM API host.
	Host = "https://fcm.googleapis.com"
	// SendPath is the send endpoint; %s is the project id.
	SendPath = "/v1/projects/%s/messages:send"
	// Scope is the OAuth2 scope the access token is asked for.
	Scope = "https://www.googleapis.com/auth/firebase.messaging"
)

// Limits FCM documents.
const (
	// MaxPayload bounds a message's title, body and data, keys and values
	// together (and, by Apple's rule, the APNs payload FCM builds).
	MaxPayload = 4096
	// MaxTTL is the longest time FCM keeps a message for an offline device.
	MaxTTL = 28 * 24 * time.Hour
	// MaxCollapseID is the longest apns-collapse-id APNs accepts.
	MaxCollapseID = 64
	// DefaultConcurrency bounds the send requests in flight per client when
	// WithConcurrency is not given. Each request carries one token.
	DefaultConcurrency = 64
	// MaxConns bounds the connections per host of the client New builds
	// (NewHTTPClient): Google's front ends take about 100 streams per
	// connection, so a second opens only when every stream of the first is
	// in use.
	MaxConns = 4
)

// Android delivery priorities.
const (
	PriorityHigh   = "high"
	PriorityNormal = "normal"
)

// Config holds one FCM certificate: a Firebase project's service account.
type Config struct {
	// CredentialsJSON is the service-account key JSON (Firebase console →
	// Project settings → Service accounts → Generate new private key).
	// Required. Its project_id is the project messages are sent from.
	CredentialsJSON []byte
	// ProjectID, when set, overrides the project_id of CredentialsJSON
	// (a service account may send for another project it has rights on).
	ProjectID string
	// ChannelID is the Android 8+ notification channel the app created for
	// chat messages (android.notification.channel_id). Empty leaves the
	// channel named in the app's manifest.
	ChannelID string
	// Click is the default tap action (zero: open the app).
	Click push.ClickAction
	// Priority is the Android delivery priority, PriorityHigh (the
	// default: deliver at once and wake the device, as a chat message
	// needs) or PriorityNormal.
	Priority string
	// TTL is the default offline-storage time when the message has none;
	// zero leaves FCM's default (four weeks).
	TTL time.Duration
}

// String masks the credentials, so a Config never prints the private key.
func (c Config) String() string {
	return fmt.Sprintf("fcm.Config{ProjectID:%q ChannelID:%q Priority:%q CredentialsJSON:%s}", c.ProjectID, c.ChannelID, c.Priority, secret.Mask(c.CredentialsJSON))
}

// Format masks the secrets under every verb (%d, %x, %+v…), not only %v and %s.
func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Client sends to one Firebase project. It is safe for concurrent use.
type Client struct {
	base    // Vendor, String, GoString, Format: never a secret
	cfg     Config
	kit     client.Kit // options, transport, misconfiguration guard
	auth    *auth.Cache
	project string
	sendURL string
	headers *auth.Header     // per access token, shared by every send
	now     func() time.Time // for apns-expiration; tests pin it
	exch    *tokenExchange   // nil when WithTokenSource replaces it
}

type base = client.Base

// earlyRefresh is how long before expiry a cached access token is replaced.
// Google's tokens live an hour; a minute keeps sends clear of the edge.
const earlyRefresh = time.Minute

// New validates cfg and builds a client. It does no I/O: the first Push
// fetches the access token.
func New(cfg Config, opts ...push.Option) (*Client, error) {
	v := push.FCM
	o := settings.New(opts...)
	var sa *serviceAccount
	if len(cfg.CredentialsJSON) == 0 {
		// A shared token source (WithTokenSource) needs no key, only the project.
		if o.TokenSource == nil || cfg.ProjectID == "" {
			return nil, reject.Config(v, "CredentialsJSON", "is required (the service-account key JSON)")
		}
	} else {
		var err error
		if sa, err = parseServiceAccount(cfg.CredentialsJSON); err != nil {
			return nil, err
		}
	}
	project := cfg.ProjectID
	if project == "" {
		project = sa.ProjectID
	}
	switch {
	case strings.TrimSpace(project) == "":
		return nil, reject.Config(v, "ProjectID", "is required: the service-account JSON has no project_id")
	case strings.ContainsAny(project, "/?#% \t\r\n") || !utf8.ValidString(project):
		return nil, reject.Config(v, "ProjectID", "must be a project id or number, without '/', '?', '#', '%' or spaces")
	case cfg.TTL < 0:
		return nil, reject.Config(v, "TTL", "must not be negative")
	}
	cfg.Priority = strings.ToLower(cfg.Priority)
	switch cfg.Priority {
	case "":
		cfg.Priority = PriorityHigh
	case PriorityHigh, PriorityNormal:
	default:
		return nil, reject.Config(v, "Priority", `must be "high" or "normal"`)
	}
	if err := cfg.Click.Validate(); err != nil {
		return nil, reject.AsConfig(v, err)
	}
	if cfg.Click.Kind == push.ClickOpenPage {
		if _, err := clickAction(cfg.Click); err != nil {
			return nil, reject.AsConfig(v, err)
		}
	}
	if o.HTTPClient == nil {
		o.HTTPClient = NewHTTPClient()
	}
	hc, err := transport.New(v, o, DefaultConcurrency)
	if err != nil {
		return nil, err
	}
	c := &Client{base: client.Named(v, "fcm.Client{"+project+"}"), cfg: cfg, kit: client.Kit{Opts: o, HTTP: hc}, project: project, now: time.Now,
		sendURL: Host + fmt.Sprintf(SendPath, url.PathEscape(project)), headers: auth.NewHeader(sendHeader)}
	var own auth.Source // nil only with WithTokenSource, which auth.For prefers
	if sa != nil {
		x, err := newTokenExchange(cfg.CredentialsJSON, sa, hc)
		if err != nil {
			return nil, err
		}
		own, c.exch = x, x
	}
	c.auth = auth.For(o, "fcm/"+project, own, earlyRefresh)
	// What a client whose every token is "invalid" should check.
	c.kit.Guard = batch.NewGuard(v, o.MisconfigGuard, "that the tokens are FCM registration tokens of the Firebase project "+
		"of Config.CredentialsJSON or Config.ProjectID, from the app's google-services.json of that project")
	return c, nil
}

// NewHTTPClient returns the HTTP client New uses when push.WithHTTPClient is
// not given: its own connections, TLS 1.2 or later, HTTP/2 with PING health
// checks (no frame for 15 s: ping; no answer in 15 s: close), pooled
// (internal/transport.Pool) so that a burst of sends on a cold client
// shares one dial instead of a TLS handshake per request, requests wait for
// a free stream, at most MaxConns connections per host are open, and
// reconnects after a GOAWAY or a failed dial back off. A client given with
// WithHTTPClient manages its connections its own way.
func NewHTTPClient() *http.Client {
	t := transport.NewHTTP2Transport()
	t.IdleConnTimeout = 5 * time.Minute
	return &http.Client{Transport: transport.NewPool(t, transport.PoolConfig{MaxConns: MaxConns})}
}

// Push sends info to every token: one request per token (FCM has no batch
// endpoint), up to the client's concurrency at a time over shared HTTP/2
// connections, all with one cached access token.
func (c *Client) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tmpl, err := c.build(info)
	if err != nil {
		return nil, err
	}
	p := c.plan()
	if !slices.ContainsFunc(tokens, func(t string) bool { return p.Check(t) == nil }) {
		return batch.RunChecked(ctx, p.Vendor, tokens, p.Size, 1, p.Guard, p.Check, nil), nil // nothing to send
	}
	// Get the access token once before fanning out: when it cannot be had,
	// every token gets that one error, instead of each send trying again.
	if _, err := c.auth.Token(ctx); err != nil {
		return batch.Run(ctx, p.Vendor, tokens, max(len(tokens), 1), 1, p.Guard, func(_ context.Context, toks []string) []push.Outcome {
			return batch.All(toks, "", err)
		}), nil
	}
	return batch.RunChecked(ctx, p.Vendor, tokens, p.Size, p.Parallel, p.Guard, p.Check, func(ctx context.Context, toks []string) []push.Outcome {
		out := make([]push.Outcome, len(toks))
		for i, t := range toks {
			out[i] = c.send(ctx, tmpl, t)
		}
		return out
	}), nil
}

// DryRun returns the requests Push would send, sending nothing (push.DryRunner).
func (c *Client) DryRun(info *push.OfflinePushInfo, tokens ...string) (*push.Preview, error) {
	return batch.DryRun(c.plan(), info, tokens, c.build, func(t template, toks []string) []push.Request {
		return []push.Request{c.kit.HTTP.Show(c.request(t, toks[0], transport.Unfetched), toks)}
	})
}

// plan is how Push and DryRun take tokens: one per request.
func (c *Client) plan() batch.Plan {
	return c.kit.Plan(push.FCM, 1, checkToken)
}

// build maps info onto the message (wireMessage) and encodes it once,
// without a token, for Push and DryRun.
func (c *Client) build(info *push.OfflinePushInfo) (template, error) {
	m, err := c.wireMessage(info)
	if err != nil {
		return template{}, err
	}
	return newTemplate(m), nil
}

// Authenticate gets an access token (from the cache, or exchanged now), to
// check the credentials without sending a message (pushctl check --auth).
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.auth.Token(ctx)
	return err
}

// ProjectID is the project messages are sent from.
func (c *Client) ProjectID() string { return c.project }

// request is the send request of one token's body.
func (c *Client) request(t template, token, access string) *transport.Request {
	return &transport.Request{
		URL:    c.sendURL,
		Header: c.headers.For(access),
		Body:   t.body(token),
		// FCM has no dedupe key: a send that may have reached it is not
		// resent (Idempotent false); 429 and 5xx answers are.
	}
}

// checkToken refuses a token that cannot be a registration token.
func checkToken(t string) error {
	if t == "" || !utf8.ValidString(t) {
		return errors.New("a registration token is non-empty UTF-8 text")
	}
	return nil
}

// send delivers to one token, refreshing the access token once if FCM
// says it expired.
func (c *Client) send(ctx context.Context, t template, token string) push.Outcome {
	o, err := auth.Do(ctx, c.auth, func(ctx context.Context, access string) (push.Outcome, error) {
		resp, err := c.kit.HTTP.Do(ctx, c.request(t, token, access))
		if err != nil {
			return push.Outcome{Token: token, Err: err}, nil
		}
		o := decode(resp, token)
		if errors.Is(o.Err, auth.ErrExpired) {
			return o, o.Err
		}
		return o, nil
	})
	if o.Token == "" { // the token fetch failed
		o = push.Outcome{Token: token, Err: err}
	}
	return o
}

package pushconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/fcm"
	"github.com/offlinepush/push/harmony"
	"github.com/offlinepush/push/honor"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/meizu"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/vivo"
	"github.com/offlinepush/push/xiaomi"
)

// Router builds every certificate's client and registers it under its ID.
// opts apply to every client, before each certificate's own endpoint,
// timeout and concurrency.
func (f *File) Router(opts ...push.Option) (*push.Router, error) {
	r := push.NewRouter()
	for _, c := range f.Certificates {
		p, err := c.Pusher(opts...)
		if err != nil {
			return nil, err
		}
		r.Register(c.ID, p)
	}
	return r, nil
}

// LoadRouter is Load followed by Router.
func LoadRouter(path string, opts ...push.Option) (*push.Router, error) {
	f, err := Load(path)
	if err != nil {
		return nil, err
	}
	return f.Router(opts...)
}

// Certificate returns the entry with the given ID.
func (f *File) Certificate(id string) (Certificate, bool) {
	for _, c := range f.Certificates {
		if c.ID == id {
			return c, true
		}
	}
	return Certificate{}, false
}

// Options returns the certificate's own client options (endpoint, timeout,
// concurrency, default title, misconfiguration guard).
func (c *Certificate) Options() []push.Option {
	var o []push.Option
	if c.DefaultTitle != "" {
		o = append(o, push.WithDefaultTitle(c.DefaultTitle))
	}
	if c.MisconfigGuard != nil {
		o = append(o, push.WithMisconfigGuard(*c.MisconfigGuard))
	}
	if c.Endpoint != "" {
		o = append(o, push.WithEndpoint(c.Endpoint))
	}
	if c.Timeout > 0 {
		o = append(o, push.WithTimeout(time.Duration(c.Timeout)))
	}
	if c.Concurrency > 0 {
		o = append(o, push.WithConcurrency(c.Concurrency))
	}
	return o
}

// Pusher builds the certificate's vendor client: secrets are resolved, the
// vendor's Config is filled and validated by the vendor's New.
func (c *Certificate) Pusher(opts ...push.Option) (push.Pusher, error) {
	return c.build(append(append([]push.Option(nil), opts...), c.Options()...))
}

func (c *Certificate) build(opts []push.Option) (push.Pusher, error) {
	click, err := c.click()
	if err != nil {
		return nil, err
	}
	ttl := time.Duration(c.TTL)
	s := func(key, v string) (string, error) {
		b, err := c.secret(key, v)
		return string(b), err
	}
	var p push.Pusher
	switch c.Vendor {
	case push.Xiaomi:
		cfg := xiaomi.Config{PackageName: c.PackageName, ChannelID: c.ChannelID, Click: click, Host: c.Host, TTL: ttl}
		if cfg.AppSecret, err = s("appSecret", c.AppSecret); err == nil {
			p, err = xiaomi.New(cfg, opts...)
		}
	case push.Huawei:
		cfg := huawei.Config{AppID: c.AppID, Click: click, Category: c.Category, Importance: c.Importance,
			BadgeClass: c.BadgeClass, ChannelID: c.ChannelID, TTL: ttl, Host: c.Host}
		if cfg.AppSecret, err = s("appSecret", c.AppSecret); err == nil {
			p, err = huawei.New(cfg, opts...)
		}
	case push.Harmony:
		cfg := harmony.Config{Click: click, Category: c.Category, TTL: ttl, PushType: c.PushType, Host: c.Host}
		if cfg.CredentialsJSON, err = c.secret("credentialsJson", c.CredentialsJSON); err == nil {
			p, err = harmony.New(cfg, opts...)
		}
	case push.Honor:
		cfg := honor.Config{AppID: c.AppID, ClientID: c.ClientID, Click: click, Importance: c.Importance,
			BadgeClass: c.BadgeClass, TTL: ttl, TokenURL: c.TokenURL}
		if cfg.ClientSecret, err = s("clientSecret", c.ClientSecret); err == nil {
			p, err = honor.New(cfg, opts...)
		}
	case push.OPPO:
		cfg := oppo.Config{AppKey: c.AppKey, ChannelID: c.ChannelID, Category: c.Category, NotifyLevel: c.NotifyLevel,
			Click: click, Host: c.Host, TTL: ttl}
		if cfg.MasterSecret, err = s("masterSecret", c.MasterSecret); err == nil {
			p, err = oppo.New(cfg, opts...)
		}
	case push.Vivo:
		cfg := vivo.Config{AppID: c.AppID, AppKey: c.AppKey, Category: c.Category, NotifyType: vivo.NotifyType(c.NotifyType),
			Click: click, TTL: ttl, Host: c.Host}
		switch c.Classification {
		case "":
		case "system":
			cfg.Classification = vivo.System
		case "operational":
			cfg.Classification = vivo.Operational
		default:
			return nil, &Error{Certificate: quote(c.ID), Key: "classification", Rule: `must be "system" or "operational"`}
		}
		switch c.PushMode {
		case "", "production":
		case "test":
			cfg.PushMode = vivo.Test
		default:
			return nil, &Error{Certificate: quote(c.ID), Key: "pushMode", Rule: `must be "production" or "test"`}
		}
		if cfg.AppSecret, err = s("appSecret", c.AppSecret); err == nil {
			p, err = vivo.New(cfg, opts...)
		}
	case push.Meizu:
		cfg := meizu.Config{AppID: c.AppID, Click: click, Host: c.Host, TTL: ttl}
		switch c.NoticeMsgType {
		case "", "private":
		case "public":
			cfg.NoticeMsgType = meizu.NoticePublic
		default:
			return nil, &Error{Certificate: quote(c.ID), Key: "noticeMsgType", Rule: `must be "private" or "public"`}
		}
		if cfg.AppSecret, err = s("appSecret", c.AppSecret); err == nil {
			p, err = meizu.New(cfg, opts...)
		}
	case push.FCM:
		cfg := fcm.Config{ProjectID: c.ProjectID, ChannelID: c.ChannelID, Click: click, TTL: ttl}
		if len(c.Priority) > 0 && json.Unmarshal(c.Priority, &cfg.Priority) != nil {
			return nil, &Error{Certificate: quote(c.ID), Key: "priority", Rule: `must be "high" or "normal"`}
		}
		if cfg.CredentialsJSON, err = c.secret("credentialsJson", c.CredentialsJSON); err == nil {
			p, err = fcm.New(cfg, opts...)
		}
	case push.APNs:
		cfg := apns.Config{TeamID: c.TeamID, KeyID: c.KeyID, Topic: c.Topic, Sandbox: c.Sandbox, Click: click,
			MutableContent: c.MutableContent, TTL: ttl}
		if len(c.Priority) > 0 && json.Unmarshal(c.Priority, &cfg.Priority) != nil {
			return nil, &Error{Certificate: quote(c.ID), Key: "priority", Rule: "must be 10, 5 or 1"}
		}
		if cfg.PrivateKey, err = c.secret("privateKey", c.PrivateKey); err == nil {
			p, err = apns.New(cfg, opts...)
		}
	default:
		return nil, &Error{Certificate: quote(c.ID), Key: "vendor", Rule: fmt.Sprintf("%q is not one of %v", c.Vendor, push.Vendors())}
	}
	if err != nil {
		return nil, c.wrap(err)
	}
	return p, nil
}

// wrap names the certificate and the JSON key in a vendor's config error.
func (c *Certificate) wrap(err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	var fe *push.FieldError
	if errors.As(err, &fe) {
		return &Error{Certificate: quote(c.ID), Key: jsonKey(fe.Field), Rule: fe.Rule}
	}
	return &Error{Certificate: quote(c.ID), Rule: err.Error()}
}

// jsonKey turns a Go Config field name ("ChannelID", "Click.URL") into the
// file's key ("channelId", "click.url").
func jsonKey(field string) string {
	parts := strings.Split(field, ".")
	for i, p := range parts {
		p = strings.ReplaceAll(p, "ID", "Id")
		p = strings.ReplaceAll(p, "JSON", "Json")
		p = strings.ReplaceAll(p, "URL", "Url")
		p = strings.ReplaceAll(p, "TTL", "Ttl")
		if p != "" {
			p = strings.ToLower(p[:1]) + p[1:]
		}
		parts[i] = p
	}
	return strings.Join(parts, ".")
}

func (c *Certificate) click() (push.ClickAction, error) {
	if c.Click == nil {
		return push.ClickAction{}, nil
	}
	a := push.ClickAction{URL: c.Click.URL, Intent: c.Click.Intent, Activity: c.Click.Activity}
	switch c.Click.Kind {
	case "app", "":
		a.Kind = push.ClickOpenApp
	case "url":
		a.Kind = push.ClickOpenURL
	case "page":
		a.Kind = push.ClickOpenPage
	default:
		return a, &Error{Certificate: quote(c.ID), Key: "click.kind", Rule: `must be "app", "url" or "page"`}
	}
	if err := a.Validate(); err != nil {
		var fe *push.FieldError
		if errors.As(err, &fe) {
			return a, &Error{Certificate: quote(c.ID), Key: jsonKey(fe.Field), Rule: fe.Rule}
		}
		return a, err
	}
	return a, nil
}

// Authenticator is implemented by vendor clients that fetch an access
// token; pushctl check --auth calls it.
type Authenticator interface {
	Authenticate(ctx context.Context) error
}

// CheckResult is what Check found for one certificate.
type CheckResult struct {
	ID     string
	Vendor push.Vendor
	// Err is nil when the certificate is valid (and, when asked, its vendor
	// issued an access token). With auth, an *AuthError is the vendor's
	// refusal of the credentials, an *UnreachableError a vendor that could
	// not be asked.
	Err error
	// Authenticated is set when an access token was fetched (or, for
	// APNs and HarmonyOS, signed).
	Authenticated bool
}

// Check builds every certificate and, with auth, asks each client that has
// an access token to fetch one. It returns one result per certificate, in
// file order.
func (f *File) Check(ctx context.Context, auth bool, opts ...push.Option) []CheckResult {
	out := make([]CheckResult, len(f.Certificates))
	var wg sync.WaitGroup
	for i, c := range f.Certificates {
		out[i] = CheckResult{ID: c.ID, Vendor: c.Vendor}
		p, err := c.Pusher(opts...)
		if err != nil || !auth {
			out[i].Err = err
			continue
		}
		a, ok := p.(Authenticator)
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Authenticate(ctx); err != nil {
				out[i].Err = authFailure(c.ID, err)
				return
			}
			out[i].Authenticated = true
		}()
	}
	wg.Wait()
	return out
}

// authFailure sorts a failed Authenticate: the vendor's verdict on the
// credentials (ErrAuth, or a config the client refused) is an AuthError;
// anything else (no connection, DNS, TLS, a timeout, a 5xx, a rate limit)
// left them unchecked: an UnreachableError.
func authFailure(id string, err error) error {
	if errors.Is(err, push.ErrAuth) || errors.Is(err, push.ErrConfig) {
		return &AuthError{Certificate: id, Err: err}
	}
	return &UnreachableError{Certificate: id, Err: err}
}

// AuthError is a certificate whose vendor refused to authenticate it.
type AuthError struct {
	Certificate string
	Err         error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("certificate %q: authentication failed: %v", e.Certificate, e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

// UnreachableError is a certificate whose credentials could not be
// checked: the vendor's token endpoint was not reached or gave no verdict
// (connection refused, DNS, TLS, a timeout, a 5xx, a rate limit). Nothing
// is known about the credentials; try again later.
type UnreachableError struct {
	Certificate string
	Err         error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("certificate %q: credentials not checked: the vendor was not reached or gave no verdict: %v", e.Certificate, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

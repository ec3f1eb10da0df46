package conformance

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/secret/secrettest"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/transport"
)

// TestSecretsUnderEveryVerb formats every vendor's Config (value and
// pointer), its *Client (after a push, so it holds an access token), a
// Router holding the client (plain and with limits) and the Pusher the
// Router hands out, alone and inside a slice, a map and an exported struct
// field, under every fmt verb (secrettest.Render), and finds no credential
// or issued token in any form (raw, quoted, hex, byte numbers). fmt calls
// String only for %v %s %q %x %X; %d, %t… printed the fields themselves.
func TestSecretsUnderEveryVerb(t *testing.T) {
	for _, v := range vendors {
		t.Run(string(v.name), func(t *testing.T) {
			e := v.start(t)
			values := map[string]any{}
			for i, c := range e.configs {
				name := "Config"
				if i > 0 {
					name = "wrong Config"
				}
				values[name] = c
				values["*"+name] = pointerTo(c)
			}
			p, err := e.build(push.WithEndpoint(e.srv.URL()), push.WithHTTPClient(e.hc))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			e.push(t, p, v.tokens(0, 2)) // now it holds an access token
			values["*Client"] = p
			for _, x := range []any{e.configs[0], p} {
				// %v is the type's own masked String, not a bare mask
				if got, want := fmt.Sprintf("%v", x), x.(fmt.Stringer).String(); got != want {
					t.Errorf("%%v of %T = %q, want its String %q", x, got, want)
				}
			}
			r := push.NewRouter()
			r.Register("cert-"+string(v.name), p)
			values["*Router"] = r
			limited := push.NewRouter()
			limited.Register("cert-limited", p)
			limited.SetLimits("cert-limited", push.Limits{Rate: 100, QuotaBreaker: true})
			values["*Router with limits"] = limited
			lp, _ := limited.Pusher("cert-limited")
			values["Router.Pusher with limits"] = lp
			for name, x := range values {
				values["[]"+name] = []any{x}
				values["map of "+name] = map[string]any{"k": x}
				values["field of "+name] = struct{ X any }{x}
			}

			secrets := map[string]string{}
			for k, s := range e.secrets {
				secrets[k] = s
			}
			for k, s := range issued(e.srv) {
				secrets[k] = s
			}
			if len(issued(e.srv)) == 0 && v.authPath != "" {
				t.Fatalf("no access token was issued: the client holds none to leak")
			}
			checkFormats(t, values, secrets)
		})
	}
}

// TestSecretsUnderEveryVerbInternal does the same for the internal types
// a vendor client keeps its credentials in: the transport (every form of
// the secrets, for redaction), the client-credentials exchange, the token
// cache and the header cache, each holding a token.
func TestSecretsUnderEveryVerbInternal(t *testing.T) {
	const clientSecret, clientID, token = "internal-client-secret-0a9b8c7d", "internal-client-id-6e5f4a3b", "issued-access-token-1f2e3d4c"
	hc, err := transport.New(push.Huawei, settings.New(push.WithEndpoint("https://user:proxy-pass-9d8c7b6a@proxy.example.com")), 1)
	if err != nil {
		t.Fatal(err)
	}
	hc.Redact(clientSecret)
	cc := &auth.ClientCredentials{Vendor: push.Huawei, HTTP: hc, URL: "https://oauth-login.cloud.huawei.com/oauth2/v3/token", ClientID: clientID, ClientSecret: clientSecret}
	cache := auth.New(auth.SourceFunc(func(context.Context) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: token, Expiry: time.Now().Add(time.Hour)}, nil
	}), time.Minute)
	if _, err := cache.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	header := auth.NewHeader(func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} })
	header.For(token)
	values := map[string]any{"*transport.Client": hc, "*auth.ClientCredentials": cc, "*auth.Cache": cache, "*auth.Header": header}
	for name, x := range values {
		values["[]"+name] = []any{x}
		values["field of "+name] = struct{ X any }{x}
	}
	checkFormats(t, values, map[string]string{"client secret": clientSecret, "client id": clientID, "access token": token, "proxy password": "proxy-pass-9d8c7b6a"})
}

// checkFormats fails for every value, verb and secret whose rendering
// shows the secret, naming them (never printing the secret).
func checkFormats(t *testing.T, values map[string]any, secrets map[string]string) {
	t.Helper()
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	checked := 0
	for _, n := range names {
		for verb, out := range secrettest.Render(values[n]) {
			for what, s := range secrets {
				if len(s) < 8 {
					continue
				}
				checked++
				if form, ok := secrettest.Find(out, s); ok {
					t.Errorf("%s of %s shows the %s (%s)", verb, n, what, form)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatalf("nothing was checked")
	}
}

// pointerTo returns a pointer to a copy of v.
func pointerTo(v any) any {
	ptr := reflect.New(reflect.TypeOf(v))
	ptr.Elem().Set(reflect.ValueOf(v))
	return ptr.Interface()
}

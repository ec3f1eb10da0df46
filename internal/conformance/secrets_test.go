package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
)

// knownLeaks are leaks found by this test and reported, not yet fixed:
// where → the bug. A leak listed here skips its check ("bug: …") instead
// of failing, so the suite stays green and the bug stays visible; once
// fixed, the check passes and the entry is reported stale.
var knownLeaks = map[string]string{}

// capture is a slog.Handler that keeps every record, debug included, as
// text with raw (unquoted) values.
type capture struct {
	mu     *sync.Mutex
	lines  *[]string
	attrs  []slog.Attr
	groups string
}

func newCapture() *capture { return &capture{mu: new(sync.Mutex), lines: new([]string)} }

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }

func (c *capture) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	for _, a := range c.attrs {
		writeAttr(&b, "", a)
	}
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, c.groups, a)
		return true
	})
	c.mu.Lock()
	*c.lines = append(*c.lines, b.String())
	c.mu.Unlock()
	return nil
}

func writeAttr(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		for _, g := range v.Group() {
			writeAttr(b, prefix+a.Key+".", g)
		}
		return
	}
	fmt.Fprintf(b, " %s%s=%s", prefix, a.Key, v.String())
	if v.Kind() == slog.KindAny {
		fmt.Fprintf(b, " (%+v)", v.Any())
	}
}

func (c *capture) WithAttrs(as []slog.Attr) slog.Handler {
	cp := *c
	for _, a := range as {
		cp.attrs = append(slices(cp.attrs), slog.Attr{Key: c.groups + a.Key, Value: a.Value})
	}
	return &cp
}

func (c *capture) WithGroup(name string) slog.Handler {
	cp := *c
	cp.groups += name + "."
	return &cp
}

func slices(a []slog.Attr) []slog.Attr { return append([]slog.Attr(nil), a...) }

func (c *capture) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), *c.lines...)
}

// texts collects every string the library produced, labelled by where.
type texts struct {
	mu sync.Mutex
	m  map[string][]string // where → texts
}

func (x *texts) add(where string, s ...string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.m[where] = append(x.m[where], s...)
}

// formats renders v with every verb a caller might log it with.
func formats(v any) []string {
	return []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v)}
}

func (x *texts) result(where string, res *push.Result, err error) {
	if err != nil {
		x.add(where+": Push error", append(formats(err), err.Error())...)
	}
	if res == nil {
		return
	}
	x.add(where+": Result", formats(res)...)
	for _, o := range res.Outcomes {
		if o.Err != nil {
			x.add(where+": outcome error", append(formats(o.Err), o.Err.Error())...)
		}
	}
}

// TestSecretsNeverLeak drives every failure path of every vendor (each
// cell of the fault matrix, wrong credentials, hostile endpoints that
// reflect the request, invalid messages, tokens and configs) with a
// capturing debug-level logger, then checks that no secret appears in any
// log line, any error, or %v/%+v/%#v of results, configs and clients. The
// secrets are the credentials of each Config (and the wrong ones), every
// form of the private keys, and every access token, JWT and assertion that
// went over the wire (read from the fakes' records).
func TestSecretsNeverLeak(t *testing.T) {
	pool := newPool(cellWorkers)
	pool.each(t, len(vendors), func(i int) string { return string(vendors[i].name) }, func(t *testing.T, i int) {
		v := vendors[i]
		{
			log := newCapture()
			got := &texts{m: map[string][]string{}}
			var envs []*env
			var envMu sync.Mutex
			start := func(t *testing.T) *env {
				e := v.start(t)
				e.opts = []push.Option{push.WithLogger(slog.New(log))}
				where := t.Name()
				e.seen = func(res *push.Result, err error) { got.result(where, res, err) }
				envMu.Lock()
				envs = append(envs, e)
				envMu.Unlock()
				return e
			}

			// Every cell of the matrix but the cancellations, with the logger on.
			var cells []fault
			for _, f := range faults {
				if !f.sequential && f.skipReason(v) == "" {
					cells = append(cells, f)
				}
			}
			t.Run("matrix", func(t *testing.T) {
				pool.each(t, len(cells), func(i int) string { return cells[i].name }, func(t *testing.T, i int) {
					pool.slot(func() { cells[i].run(t, v, start(t)) })
				})
			})
			t.Run("more", func(t *testing.T) {
				pool.each(t, len(drives), func(i int) string { return drives[i].name }, func(t *testing.T, i int) {
					pool.slot(func() { drives[i].run(t, v, start(t), got) })
				})
			})

			// Configs, clients and New's errors.
			e := start(t)
			for i, c := range e.configs {
				got.add(fmt.Sprintf("Config %d", i), formats(c)...)
				ptr := reflect.New(reflect.TypeOf(c))
				ptr.Elem().Set(reflect.ValueOf(c))
				got.add(fmt.Sprintf("*Config %d", i), formats(ptr.Interface())...)
			}
			for _, err := range e.invalidConfigs() {
				if err == nil {
					t.Errorf("an invalid config was accepted")
					continue
				}
				got.add("New error", append(formats(err), err.Error())...)
			}
			for _, build := range []func(...push.Option) (push.Pusher, error){e.build, e.wrong} {
				p, err := build(push.WithEndpoint(e.srv.URL()), push.WithHTTPClient(e.hc))
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				// a client that has fetched (and holds) an access token
				e.push(t, p, v.tokens(0, 1))
				got.add("client", formats(p)...)
			}
			got.add("log", log.all()...)

			secrets := map[string]string{}
			for _, e := range envs {
				for k, s := range e.secrets {
					secrets[k] = s
				}
				for k, s := range issued(e.srv) {
					secrets[k] = s
				}
			}
			checkLeaks(t, v, secrets, got)
		}
	})
}

// issued reads the access tokens, JWTs and assertions that went over the
// wire from a fake's records: bearer values, auth token headers and form
// fields, and the token fields of answers.
func issued(srv *pushtest.Server) map[string]string {
	out := map[string]string{}
	add := func(kind, s string) {
		if len(s) >= 12 {
			out[kind+" "+s[:6]+"…"] = s
		}
	}
	for _, r := range srv.Records() {
		if a := r.Header.Get("Authorization"); a != "" {
			if _, tok, ok := strings.Cut(a, " "); ok {
				add("bearer token", tok)
			}
		}
		add("authToken header", r.Header.Get("authToken"))
		add("auth_token header", r.Header.Get("auth_token"))
		if f, err := url.ParseQuery(string(r.Body)); err == nil {
			add("auth_token field", f.Get("auth_token"))
			add("assertion", f.Get("assertion"))
			add("client_secret field", f.Get("client_secret"))
		}
		var ans any
		if json.Unmarshal(r.Response, &ans) == nil {
			walkJSON(ans, func(k, s string) {
				switch k {
				case "access_token", "auth_token", "authToken":
					add("issued "+k, s)
				}
			})
		}
	}
	return out
}

func walkJSON(v any, f func(key, s string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok {
				f(k, s)
			}
			walkJSON(x, f)
		}
	case []any:
		for _, x := range v {
			walkJSON(x, f)
		}
	}
}

// checkLeaks fails for every secret found in a text, naming where and
// which secret (never printing it). Texts are grouped by category: the
// drive or cell that produced them, the reflecting proxy by target.
func checkLeaks(t *testing.T, v *vendorCase, secrets map[string]string, got *texts) {
	t.Helper()
	names := make([]string, 0, len(secrets))
	for k, s := range secrets {
		if len(s) >= 8 {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	n := 0
	for _, ss := range got.m {
		n += len(ss)
	}
	t.Logf("%d secrets checked in %d texts (%d log lines)", len(names), n, len(got.m["log"]))
	if len(got.m["log"]) == 0 {
		t.Errorf("the debug logger captured nothing: the failure paths were not logged")
	}
	type leak struct {
		secrets, modes []string
		texts          int
		sample         string
	}
	leaks := map[string]*leak{} // category → what leaked
	for w, ss := range got.m {
		cat, modeName := category(w)
		for _, s := range ss {
			for _, name := range names {
				if !strings.Contains(s, secrets[name]) {
					continue
				}
				l := leaks[cat]
				if l == nil {
					l = &leak{sample: mask(s, secrets)}
					leaks[cat] = l
				}
				l.secrets = appendOnce(l.secrets, name)
				l.modes = appendOnce(l.modes, modeName)
				l.texts++
			}
		}
	}
	for key, bug := range knownLeaks {
		if vendor, cat, _ := strings.Cut(key, " "); vendor == string(v.name) && leaks[cat] == nil {
			t.Logf("known leak %q is no longer seen: remove it from knownLeaks (%s)", cat, bug)
		}
	}
	cats := make([]string, 0, len(leaks))
	for c := range leaks {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		l := leaks[c]
		sort.Strings(l.modes)
		msg := fmt.Sprintf("%s: %d texts leak %s (in %s); e.g., secrets masked: %.300s",
			c, l.texts, strings.Join(l.secrets, ", "), strings.Join(l.modes, " "), l.sample)
		if bug, ok := knownLeaks[string(v.name)+" "+c]; ok {
			t.Run("known-bug/"+c, func(t *testing.T) { t.Skipf("bug: %s\n%s", bug, msg) })
			continue
		}
		t.Error(msg)
	}
}

// category names where a text came from for knownLeaks: the drive or cell,
// and for the reflecting proxy its target ("reflecting-proxy/send"); mode
// is the rest.
func category(where string) (cat, mode string) {
	_, rest, ok := strings.Cut(where, "TestSecretsNeverLeak/")
	if !ok {
		return where, where
	}
	parts := strings.Split(rest, "/") // vendor, matrix|more, cell, …
	if len(parts) >= 5 && parts[2] == "reflecting-proxy" {
		return parts[2] + "/" + parts[3], strings.Join(parts[4:], "/")
	}
	if len(parts) >= 3 {
		return parts[2], strings.Join(parts[3:], "/")
	}
	return rest, rest
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func mask(s string, secrets map[string]string) string {
	for name, sec := range secrets {
		if len(sec) >= 8 {
			s = strings.ReplaceAll(s, sec, "<"+name+">")
		}
	}
	return s
}

// drive is a failure path the matrix does not cover.
type drive struct {
	name string
	run  func(t *testing.T, v *vendorCase, e *env, got *texts)
}

var drives = []drive{
	{"wrong-credentials", func(t *testing.T, v *vendorCase, e *env, got *texts) {
		p, err := e.wrong(append([]push.Option{push.WithEndpoint(e.srv.URL()), push.WithHTTPClient(e.hc), push.WithRetry(fastRetry)}, e.opts...)...)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		res := e.push(t, p, v.tokens(0, nTokens))
		checkOutcomes(t, v.tokens(0, nTokens), res, all(push.ErrAuth))
	}},
	{"invalid-message", func(t *testing.T, v *vendorCase, e *env, got *texts) {
		p := e.client(t)
		for _, in := range []*push.OfflinePushInfo{
			{Title: "t"},
			{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x"}},
			{Title: "t", Desc: "d", Ext: "{not json"},
		} {
			res, err := p.Push(context.Background(), in, v.tokens(0, 1)...)
			got.result(t.Name(), res, err)
		}
	}},
	{"malformed-tokens", func(t *testing.T, v *vendorCase, e *env, got *texts) {
		p := e.client(t)
		res, err := p.Push(context.Background(), info(), "", "bad,token with spaces", "\xff\xfe", strings.Repeat("f", 600))
		got.result(t.Name(), res, err)
	}},
	{"context-done", func(t *testing.T, v *vendorCase, e *env, got *texts) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res, err := e.client(t).Push(ctx, info(), v.tokens(0, 1)...)
		got.result(t.Name(), res, err)
	}},
	{"reflecting-proxy", reflecting},
}

// reflecting puts a broken proxy in front of the fake that answers a
// request with the request itself (its body, its headers, or both) under
// several statuses, for auth requests and for sends.
func reflecting(t *testing.T, v *vendorCase, e *env, got *texts) {
	type mode struct {
		name   string
		status int
		ctype  string
		render func(r *http.Request, body []byte) []byte
	}
	dumpHeaders := func(r *http.Request) []byte {
		var b bytes.Buffer
		if a := r.Header.Get("Authorization"); a != "" {
			fmt.Fprintf(&b, "Authorization: %s\n", a) // first, inside any snippet
		}
		r.Header.Write(&b)
		return b.Bytes()
	}
	var modes []mode
	for _, st := range []int{200, 400, 401, 500} {
		for _, ct := range []string{"text/plain", "application/json"} {
			modes = append(modes,
				mode{fmt.Sprintf("body-%d-%s", st, ct), st, ct, func(_ *http.Request, b []byte) []byte { return b }},
				mode{fmt.Sprintf("headers-%d-%s", st, ct), st, ct, func(r *http.Request, _ []byte) []byte { return dumpHeaders(r) }},
				mode{fmt.Sprintf("json-%d-%s", st, ct), st, ct, func(r *http.Request, b []byte) []byte {
					msg := string(dumpHeaders(r)) + "\n" + string(b)
					out, _ := json.Marshal(map[string]any{"code": "80100003", "result": 10008, "msg": msg, "message": msg,
						"reason": msg, "desc": msg, "description": msg, "error": map[string]any{"code": st, "message": msg, "status": "INVALID_ARGUMENT"},
						"error_description": msg})
					return out
				}},
			)
		}
	}
	for _, target := range []string{"auth", "send"} {
		if target == "auth" && v.authPath == "" {
			continue
		}
		for _, m := range modes {
			rt := reflector{base: baseTransport(e.hc), hit: func(r *http.Request) bool {
				return (r.URL.Path == v.authPath) == (target == "auth")
			}, status: m.status, ctype: m.ctype, render: m.render}
			p := e.client(t, push.WithHTTPClient(&http.Client{Transport: rt}), push.WithRetry(push.NoRetry()))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			res, err := p.Push(ctx, info(), v.tokens(0, 2)...)
			cancel()
			got.result(t.Name()+"/"+target+"/"+m.name, res, err)
		}
	}
}

// reflector answers the requests hit selects with render(request) and
// passes the others on.
type reflector struct {
	base   http.RoundTripper
	hit    func(*http.Request) bool
	status int
	ctype  string
	render func(*http.Request, []byte) []byte
}

func (x reflector) RoundTrip(r *http.Request) (*http.Response, error) {
	if !x.hit(r) {
		return x.base.RoundTrip(r)
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	out := x.render(r, body)
	return &http.Response{
		Status: fmt.Sprintf("%d %s", x.status, http.StatusText(x.status)), StatusCode: x.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {x.ctype}},
		Body:          io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)), Request: r,
	}, nil
}

// TestDumpsMaskIssuedTokens: the fakes' Record dumps (what the quickstart
// and pushctl --sandbox print) never show an access token a fake issued,
// in the auth answer or in the requests that use it.
func TestDumpsMaskIssuedTokens(t *testing.T) {
	for _, v := range vendors {
		if v.authPath == "" {
			continue // HarmonyOS and APNs sign JWTs; their Authorization header is masked
		}
		t.Run(string(v.name), func(t *testing.T) {
			e := v.start(t)
			p := e.client(t)
			toks := []string{v.token(0), v.token(1)}
			if _, err := p.Push(context.Background(), info(), toks...); err != nil {
				t.Fatal(err)
			}
			var issued []string
			for _, r := range e.srv.Records() {
				if !strings.HasSuffix(r.Path, v.authPath) {
					continue
				}
				for _, k := range []string{"access_token", "authToken", "auth_token"} {
					if tok := jsonField(r.Response, k); tok != "" {
						issued = append(issued, tok)
					}
					var wrapped struct{ Data map[string]any }
					if json.Unmarshal(r.Response, &wrapped) == nil {
						if tok, ok := wrapped.Data[k].(string); ok && tok != "" {
							issued = append(issued, tok)
						}
					}
				}
			}
			if len(issued) == 0 {
				t.Fatalf("no access token found in the answers of %s", v.authPath)
			}
			for _, r := range e.srv.Records() {
				for _, tok := range issued {
					if strings.Contains(r.Dump(), tok) || strings.Contains(r.ResponseDump(), tok) {
						t.Errorf("%s %s: the dump shows the access token %q", r.Method, r.Path, tok)
					}
				}
			}
		})
	}
}

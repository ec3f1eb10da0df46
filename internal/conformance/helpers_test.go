package conformance

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
)

// info is the message every suite pushes.
func info() *push.OfflinePushInfo {
	return &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"conversation":"c2c_alice"}`,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"},
	}
}

// sentinels are the classes every failed outcome must match exactly one of.
var sentinels = []error{push.ErrInvalidMessage, push.ErrInvalidToken, push.ErrDisabled, push.ErrAuth, push.ErrQuota,
	push.ErrRateLimited, push.ErrUnavailable, push.ErrConfig}

// classOf names the one sentinel err matches ("" for nil, "none" or
// "several: …" when it does not match exactly one).
func classOf(err error) string {
	if err == nil {
		return ""
	}
	var hit []string
	for _, s := range sentinels {
		if errors.Is(err, s) {
			hit = append(hit, s.Error())
		}
	}
	// A context error is a class of its own only when no sentinel matched:
	// a per-attempt timeout is ErrUnavailable and wraps DeadlineExceeded.
	if len(hit) == 0 && errors.Is(err, context.Canceled) {
		hit = append(hit, context.Canceled.Error())
	}
	if len(hit) == 0 && errors.Is(err, context.DeadlineExceeded) {
		hit = append(hit, context.DeadlineExceeded.Error())
	}
	switch len(hit) {
	case 0:
		return "none"
	case 1:
		return hit[0]
	}
	return "several: " + strings.Join(hit, ", ")
}

func className(kind error) string {
	if kind == nil {
		return "delivered"
	}
	return kind.Error()
}

// checkOutcomes asserts exactly one outcome per token, in order, and that
// each matches exactly one class: want(i) (nil: delivered).
func checkOutcomes(t *testing.T, tokens []string, res *push.Result, want func(i int) error) {
	t.Helper()
	if res == nil {
		t.Fatalf("nil result")
	}
	if len(res.Outcomes) != len(tokens) {
		t.Fatalf("%d outcomes for %d tokens", len(res.Outcomes), len(tokens))
	}
	bad := 0
	for i, o := range res.Outcomes {
		if o.Token != tokens[i] {
			t.Errorf("outcome %d is for token %q, want %q (order lost)", i, o.Token, tokens[i])
			bad++
		}
		w := want(i)
		got := classOf(o.Err)
		if w == nil && o.Err != nil || w != nil && got != w.Error() {
			t.Errorf("token %d (%s): got %s (%v), want %s", i, o.Token, orDelivered(got), o.Err, className(w))
			bad++
		}
		if bad > 5 {
			t.Fatalf("more outcomes wrong; stopping")
		}
	}
}

func orDelivered(s string) string {
	if s == "" {
		return "delivered"
	}
	return s
}

func all(kind error) func(int) error { return func(int) error { return kind } }

// vendorErr returns the VendorError of an outcome, failing when there is none.
func vendorErr(t *testing.T, err error) *push.VendorError {
	t.Helper()
	var ve *push.VendorError
	if !errors.As(err, &ve) {
		t.Fatalf("%v (%T) is not a *push.VendorError", err, err)
	}
	return ve
}

// sendsSince returns the send requests the fake received after the first
// `from` of them.
func sendsSince(srv *pushtest.Server, from int) []pushtest.Record {
	s := srv.Sends()
	if from > len(s) {
		return nil
	}
	return s[from:]
}

// chainKey groups the attempts of one request: same path, same body.
func chainKey(r pushtest.Record) string { return r.Path + "\x00" + string(r.Body) }

// chainsOf groups send records by request, in order of first arrival.
func chainsOf(recs []pushtest.Record) [][]pushtest.Record {
	idx := map[string]int{}
	var out [][]pushtest.Record
	for _, r := range recs {
		k := chainKey(r)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], r)
	}
	return out
}

// checkChains asserts that the send requests form `chains` requests of
// `attempts` attempts each, spaced at least minGap apart.
func checkChains(t *testing.T, recs []pushtest.Record, chains, attempts int, minGap time.Duration) {
	t.Helper()
	got := chainsOf(recs)
	if len(got) != chains {
		t.Errorf("%d distinct send requests, want %d (%d attempts in all)", len(got), chains, len(recs))
	}
	for i, c := range got {
		if len(c) != attempts {
			t.Errorf("send request %d (%s) was attempted %d times, want %d", i, c[0].Path, len(c), attempts)
		}
		for j := 1; j < len(c); j++ {
			if gap := c[j].Time.Sub(c[j-1].Time); gap < minGap {
				t.Errorf("send request %d: attempt %d came %s after the previous one, want at least %s", i, j+1, gap, minGap)
			}
		}
	}
}

// checkNoDuplicates asserts that the fake accepted no token twice.
func checkNoDuplicates(t *testing.T, srv *pushtest.Server) {
	t.Helper()
	for tok, n := range srv.Delivered() {
		if n > 1 {
			t.Errorf("token %s was delivered %d times", tok, n)
		}
	}
}

// checkDelivered asserts that exactly the outcomes without error were
// accepted by the fake, each once.
func checkDelivered(t *testing.T, srv *pushtest.Server, res *push.Result) {
	t.Helper()
	d := srv.Delivered()
	for _, o := range res.Outcomes {
		switch n := d[o.Token]; {
		case o.Err == nil && n != 1:
			t.Errorf("token %s reported delivered, the fake accepted it %d times", o.Token, n)
		case o.Err != nil && n > 0 && !possiblyDelivered(o.Err):
			t.Errorf("token %s reported failed (%v) although the fake accepted it", o.Token, o.Err)
		}
	}
	checkNoDuplicates(t, srv)
}

func possiblyDelivered(err error) bool {
	var ve *push.VendorError
	return errors.As(err, &ve) && ve.PossiblyDelivered
}

// hookTransport calls after with each answer of the base transport.
type hookTransport struct {
	base  http.RoundTripper
	after func(*http.Request, *http.Response)
}

func (h hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(r)
	if err == nil && h.after != nil {
		h.after(r, resp)
	}
	return resp, err
}

func baseTransport(hc *http.Client) http.RoundTripper {
	if hc.Transport != nil {
		return hc.Transport
	}
	return http.DefaultTransport
}

// ---- key material, for the secrets test ----

// jsonField reads one string field of a JSON object.
func jsonField(b []byte, key string) string {
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	s, _ := m[key].(string)
	return s
}

// replaceJSONField returns b with one string field replaced.
func replaceJSONField(b []byte, key, val string) []byte {
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m[key] = val
	out, _ := json.Marshal(m)
	return out
}

// corruptPEM keeps the PEM armour but breaks the DER inside, so a parser
// gets past the PEM and fails on the key: its error must not quote the key.
func corruptPEM(p string) string {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return p + "x"
	}
	der := bytes.Clone(block.Bytes)
	for i := 8; i < len(der) && i < 24; i++ {
		der[i] ^= 0x5a
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der}))
}

// addKeySecrets registers a PEM private key in every form it could leak
// in: the PEM, its JSON-escaped form, each base64 line, the whole base64
// body, the DER, its hex, and the private scalars as fmt prints big ints.
func addKeySecrets(m map[string]string, name, p string) {
	m[name+" (PEM)"] = p
	m[name+" (PEM, JSON-escaped)"] = strings.ReplaceAll(p, "\n", `\n`)
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return
	}
	b64 := base64.StdEncoding.EncodeToString(block.Bytes)
	m[name+" (base64 body)"] = b64
	for i, line := range strings.Split(p, "\n") {
		if len(line) >= 32 && !strings.HasPrefix(line, "-----") {
			m[fmt.Sprintf("%s (PEM line %d)", name, i)] = line
		}
	}
	m[name+" (DER bytes)"] = string(block.Bytes)
	m[name+" (DER hex)"] = hex.EncodeToString(block.Bytes)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		m[name+" (RSA D, decimal)"] = k.D.String()
		m[name+" (RSA D, hex)"] = k.D.Text(16)
		for i, p := range k.Primes {
			m[fmt.Sprintf("%s (RSA prime %d)", name, i)] = p.String()
		}
	case *ecdsa.PrivateKey:
		if d, err := k.Bytes(); err == nil {
			m[name+" (EC D, hex)"] = hex.EncodeToString(d)
			m[name+" (EC D, base64url)"] = base64.RawURLEncoding.EncodeToString(d)
		}
		m[name+" (EC D, decimal)"] = k.D.String()
	}
}

// ---- goroutines ----

// settleGoroutines waits until at most n goroutines run, calling idle
// (closing idle connections) as it goes, and returns the count and, when it
// never got there, every stack.
func settleGoroutines(n int, within time.Duration, idle func()) (int, string) {
	deadline := time.Now().Add(within)
	for {
		idle()
		got := numGoroutine()
		if got <= n {
			return got, ""
		}
		if time.Now().After(deadline) {
			return got, allStacks()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitSends waits until the fake has recorded at least want send requests
// after the first from, and returns them.
func waitSends(srv *pushtest.Server, from, want int, within time.Duration) []pushtest.Record {
	deadline := time.Now().Add(within)
	for {
		s := sendsSince(srv, from)
		if len(s) >= want || time.Now().After(deadline) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

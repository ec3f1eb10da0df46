// Package pushtest runs fake vendor push servers in-process. Each fake
// checks requests the way its vendor does (method, content type, auth or
// signature, required fields, types and limits) and answers in the vendor's
// own format, so a client that passes against the fake sends what the
// vendor accepts. Faults can be injected on command (HTTP errors, vendor
// busy/quota/token-expired codes, slow answers, dropped connections), device
// tokens can be marked invalid, and every request is recorded for tests to
// assert on.
//
// The fakes serve this module's own tests and the quickstart, and are meant
// for users' tests too: point a client at one with push.WithEndpoint.
package pushtest

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/offlinepush/push/internal/httpdump"
)

// Fault is a failure the server answers with instead of doing its job.
// Faults are queued; each applies to the next Times matching requests.
type Fault struct {
	// Path limits the fault to requests whose path ends with it. Empty
	// means the vendor's send endpoints (not auth).
	Path string
	// Status is the HTTP status to answer with. 0 means 200.
	Status int
	// Code is a vendor error code, answered inside a well-formed vendor body
	// (e.g. Xiaomi "10002" busy, "200001" quota).
	Code string
	// RetryAfter sets the Retry-After header (whole seconds).
	RetryAfter time.Duration
	// Delay waits before answering (or before applying the rest).
	Delay time.Duration
	// Reset drops the connection after reading the request, with no answer.
	Reset bool
	// Body, when set, is answered as is (with ContentType), e.g. an HTML
	// error page or broken JSON.
	Body        string
	ContentType string
	// Times is how many requests the fault hits: 0 means 1, -1 means all.
	Times int
}

// Record is one request the server received.
type Record struct {
	Time   time.Time
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// Form is the parsed form body, for form-encoded vendors.
	Form url.Values
	// Tokens are the device tokens the request targeted (send requests).
	Tokens []string
	// Accepted are the tokens the server accepted for delivery.
	Accepted []string
	// Status is the HTTP status answered (0 when the connection was reset).
	Status int
	// Response is the body answered.
	Response []byte
	// Fault is set when an injected fault answered this request.
	Fault bool

	secrets []string
}

// Dump renders the request for a person, with credentials masked: the
// request line, the headers that matter, and the body.
func (r Record) Dump() string {
	return httpdump.Dump(r.Method, r.Path, r.Header, r.Body, r.mask)
}

// ResponseDump is the answer body with credentials masked (for example an
// access token a fake auth endpoint issued).
func (r Record) ResponseDump() string { return r.mask(string(r.Response)) }

func (r Record) mask(s string) string {
	for _, sec := range r.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "<redacted>")
			s = strings.ReplaceAll(s, url.QueryEscape(sec), "<redacted>")
		}
	}
	return s
}

// Server is the machinery every fake shares: an httptest server, the fault
// queue, the invalid-token set and the request log.
type Server struct {
	ts *httptest.Server

	mu       sync.Mutex
	faults   []Fault
	invalid  map[string]bool
	misconf  bool
	records  []Record
	secrets  []string
	sendPath func(path string) bool

	conns atomic.Int64 // connections accepted
}

// vendorHandler is a fake's own logic for a request that no fault took.
// It returns the status, headers and body to answer and fills rec.
type vendorHandler func(rec *Record, r *http.Request) (int, http.Header, []byte)

// faultBody renders a vendor code in the vendor's answer format.
type faultBody func(f Fault) (int, []byte)

func newServer(tlsHTTP2 bool, isSend func(path string) bool, h vendorHandler, fb faultBody) *Server {
	s := &Server{invalid: map[string]bool{}, sendPath: isSend}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, h, fb)
	})
	s.ts = httptest.NewUnstartedServer(handler)
	// Clients dropping connections when a test ends is normal here; keep
	// the server's log quiet about it.
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if tlsHTTP2 {
		s.ts.EnableHTTP2 = true
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	return s
}

// URL is the server's base URL, for push.WithEndpoint.
func (s *Server) URL() string { return s.ts.URL }

// Client returns an HTTP client that trusts the server (for TLS fakes).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Connections returns how many client connections the server has accepted
// (each a TCP connect, and a TLS handshake for the TLS fakes), whether or
// not they carried a request. A client that keeps its connections, as APNs
// asks, keeps it low.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// Inject queues faults.
func (s *Server) Inject(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range faults {
		if f.Times == 0 {
			f.Times = 1
		}
		s.faults = append(s.faults, f)
	}
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() { s.mu.Lock(); s.faults = nil; s.mu.Unlock() }

// Invalidate marks device tokens as unregistered: the server reports them
// the way the vendor reports dead tokens.
func (s *Server) Invalidate(tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range tokens {
		s.invalid[t] = true
	}
}

// SetMisconfigured sets the app up wrong at the vendor (a wrong package
// name, project id, APNs environment or topic): every send request then
// gets the vendor's own answer for that case, which calls live tokens
// invalid (Xiaomi 20301, Huawei and HarmonyOS 80300007, APNs
// BadDeviceToken, …). A client should not report them as dead.
func (s *Server) SetMisconfigured(on bool) { s.mu.Lock(); s.misconf = on; s.mu.Unlock() }

// Misconfigured reports whether SetMisconfigured(true) is in force; each
// vendor's fake answers accordingly.
func (s *Server) Misconfigured() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.misconf }

// IsInvalid reports whether a token was marked invalid.
func (s *Server) IsInvalid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.invalid[token]
}

// Records returns a copy of every request received, in arrival order.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records)
}

// Sends returns the recorded requests to send endpoints.
func (s *Server) Sends() []Record {
	var out []Record
	for _, r := range s.Records() {
		if s.sendPath(r.Path) {
			out = append(out, r)
		}
	}
	return out
}

// Count returns how many requests had a path ending in suffix.
func (s *Server) Count(suffix string) int {
	n := 0
	for _, r := range s.Records() {
		if strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

// Delivered returns how many times each token was accepted for delivery.
// A correct client makes every value 1.
func (s *Server) Delivered() map[string]int {
	out := map[string]int{}
	for _, r := range s.Records() {
		for _, t := range r.Accepted {
			out[t]++
		}
	}
	return out
}

// Reset forgets the records, faults and invalid tokens.
func (s *Server) Reset() {
	s.mu.Lock()
	s.records, s.faults, s.invalid, s.misconf = nil, nil, map[string]bool{}, false
	s.mu.Unlock()
}

// addSecrets registers values that Record.Dump must mask. Safe to call
// while the server runs (a fake registers each access token it issues).
func (s *Server) addSecrets(v ...string) {
	s.mu.Lock()
	s.secrets = append(slices.Clip(s.secrets), v...)
	s.mu.Unlock()
}

func (s *Server) takeFault(path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		match := (f.Path == "" && s.sendPath(path)) || (f.Path != "" && strings.HasSuffix(path, f.Path))
		if !match {
			continue
		}
		if f.Times > 0 {
			s.faults[i].Times--
			if s.faults[i].Times == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		return f, true
	}
	return Fault{}, false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, h vendorHandler, fb faultBody) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := Record{Time: time.Now(), Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	defer func() {
		s.mu.Lock()
		rec.secrets = s.secrets // including any the handler just issued
		s.records = append(s.records, rec)
		s.mu.Unlock()
	}()

	if f, ok := s.takeFault(r.URL.Path); ok {
		rec.Fault = true
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Reset {
			panic(http.ErrAbortHandler) // drops the connection (or the HTTP/2 stream)
		}
		status, out := f.Status, []byte(f.Body)
		ctype := f.ContentType
		if f.Body == "" && f.Code != "" {
			st, b := fb(f)
			if status == 0 {
				status = st
			}
			out, ctype = b, "application/json;charset=UTF-8"
		}
		if status == 0 {
			status = http.StatusOK
		}
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(int(f.RetryAfter/time.Second)))
		}
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		rec.Status, rec.Response = status, out
		w.WriteHeader(status)
		w.Write(out)
		return
	}
	status, hdr, out := h(&rec, r)
	for k, v := range hdr {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	}
	rec.Status, rec.Response = status, out
	w.WriteHeader(status)
	w.Write(out)
}

// jsonHeader is the usual answer header.
func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
}

// judge splits a request's tokens: the empty and invalidated ones are
// returned, the others recorded in rec as accepted.
func (s *Server) judge(tokens []string, rec *Record) (invalid []string) {
	for _, t := range tokens {
		if t == "" || s.IsInvalid(t) {
			invalid = append(invalid, t)
		} else {
			rec.Accepted = append(rec.Accepted, t)
		}
	}
	return invalid
}

// goingAway answers under SetGoAway: as usual (code "") or with the fault
// code, and either way with "Connection: close", for which net/http's
// HTTP/2 server sends a GOAWAY.
func goingAway(code string, normal func() (int, http.Header, []byte), fault func(code string) (int, http.Header, []byte)) (int, http.Header, []byte) {
	var status int
	var h http.Header
	var body []byte
	if code == "" {
		status, h, body = normal()
	} else {
		status, h, body = fault(code)
	}
	if h == nil {
		h = http.Header{}
	}
	h.Set("Connection", "close")
	return status, h, body
}

package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
)

var fast = push.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

func newClient(t *testing.T, endpoint string, opts ...push.Option) *Client {
	t.Helper()
	o := settings.New(append([]push.Option{push.WithEndpoint(endpoint), push.WithRetry(fast)}, opts...)...)
	c, err := New("testvendor", o, 4)
	require.NoError(t, err)
	return c
}

// script answers the i-th request with steps[i] (the last step repeats).
func script(t *testing.T, steps ...func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		steps[min(i, len(steps)-1)](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, body string, hdr ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		w.Write([]byte(body))
	}
}

func reset(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name       string
		steps      []func(http.ResponseWriter, *http.Request)
		idempotent bool
		busy       func([]byte) (bool, any)
		wantCalls  int64
		wantStatus int
		wantErr    error
		possibly   bool
	}{
		{"503 then success", []func(http.ResponseWriter, *http.Request){status(503, ""), status(200, "ok")}, false, nil, 2, 200, nil, false},
		{"500 502 504 then success", []func(http.ResponseWriter, *http.Request){status(500, ""), status(502, ""), status(504, ""), status(200, "ok")}, false, nil, 4, 200, nil, false},
		{"429 then success", []func(http.ResponseWriter, *http.Request){status(429, ""), status(200, "ok")}, false, nil, 2, 200, nil, false},
		{"400 is never retried", []func(http.ResponseWriter, *http.Request){status(400, "bad")}, false, nil, 1, 400, nil, false},
		{"401 is never retried", []func(http.ResponseWriter, *http.Request){status(401, "")}, false, nil, 1, 401, nil, false},
		{"404 is never retried", []func(http.ResponseWriter, *http.Request){status(404, "")}, false, nil, 1, 404, nil, false},
		{"retries are bounded", []func(http.ResponseWriter, *http.Request){status(503, "")}, false, nil, 4, 503, nil, false},
		{"busy code in a 200 is retried", []func(http.ResponseWriter, *http.Request){status(200, "busy"), status(200, "ok")}, false,
			func(b []byte) (bool, any) { return string(b) == "busy", nil }, 2, 200, nil, false},
		{"Retry-After beyond the cap is handed back", []func(http.ResponseWriter, *http.Request){status(429, "", "Retry-After", "60"), status(200, "ok")}, false, nil, 1, 429, nil, false},
		{"reset after write is not retried without dedupe", []func(http.ResponseWriter, *http.Request){reset, status(200, "ok")}, false, nil, 1, 0, push.ErrUnavailable, true},
		{"reset after write is retried when the vendor dedupes", []func(http.ResponseWriter, *http.Request){reset, status(200, "ok")}, true, nil, 2, 200, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := script(t, tt.steps...)
			c := newClient(t, srv.URL)
			resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Body: []byte("x"), Idempotent: tt.idempotent, Busy: tt.busy})
			assert.Equal(t, tt.wantCalls, n.Load(), "requests the server saw")
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				var ve *push.VendorError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.possibly, ve.PossiblyDelivered)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.Status)
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var first time.Time
	var gap time.Duration
	srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
		first = time.Now()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(429)
	}, func(w http.ResponseWriter, r *http.Request) {
		gap = time.Since(first)
		w.WriteHeader(200)
	})
	c := newClient(t, srv.URL)
	resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.GreaterOrEqual(t, gap, 900*time.Millisecond, "the retry must wait the Retry-After")
}

// A dial that outlives the per-attempt timeout (a host that drops packets)
// never sent anything: it is retried even where the vendor cannot dedupe.
// Through a transport that does not report connections the same timeout
// proves nothing, and counts as possibly delivered.
func TestTimeoutBeforeAConnectionIsRetried(t *testing.T) {
	srv, n := script(t, status(200, "ok"))
	var dials atomic.Int64
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			<-ctx.Done() // the first dial hangs until the attempt is cut
			return nil, ctx.Err()
		}
		return d.DialContext(ctx, network, addr)
	}}
	c := newClient(t, srv.URL, push.WithTimeout(100*time.Millisecond), push.WithHTTPClient(&http.Client{Transport: tr}))
	resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Body: []byte("x")})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.EqualValues(t, 2, c.Attempts())
	assert.EqualValues(t, 1, n.Load(), "the vendor saw the request once")

	hang := roundTripper(func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	c = newClient(t, srv.URL, push.WithTimeout(100*time.Millisecond), push.WithHTTPClient(&http.Client{Transport: hang}))
	_, err = c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Body: []byte("x")})
	var ve *push.VendorError
	require.ErrorAs(t, err, &ve)
	assert.ErrorIs(t, err, ErrAttemptTimeout)
	assert.True(t, ve.PossiblyDelivered, "an untraced transport may have sent it")
	assert.EqualValues(t, 1, c.Attempts())
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial is refused, nothing was sent
	c := newClient(t, "http://"+addr)
	_, err = c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
	require.ErrorIs(t, err, push.ErrUnavailable)
	var ve *push.VendorError
	require.ErrorAs(t, err, &ve)
	assert.False(t, ve.PossiblyDelivered, "a refused dial never reached the vendor")
	assert.EqualValues(t, 4, c.Attempts())
}

func TestPerAttemptTimeout(t *testing.T) {
	srv, n := script(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	c := newClient(t, srv.URL, push.WithTimeout(50*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
	require.ErrorIs(t, err, push.ErrUnavailable)
	var ve *push.VendorError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.PossiblyDelivered, "a timeout after the body was written may have delivered")
	assert.EqualValues(t, 1, n.Load(), "not retried: the vendor cannot dedupe it")
	assert.ErrorIs(t, err, ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())
}

// A body that stalls after the headers is cut by the same per-attempt
// deadline, and a vendor that dedupes gets the request again.
func TestPerAttemptTimeoutCoversTheBody(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		w.Write([]byte(`{"code":`))
		w.(http.Flusher).Flush()
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}
	srv, n := script(t, stall, status(200, `{"code":0}`))
	c := newClient(t, srv.URL, push.WithTimeout(100*time.Millisecond))
	resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Idempotent: true})
	require.NoError(t, err)
	assert.Equal(t, `{"code":0}`, string(resp.Body))
	assert.EqualValues(t, 2, n.Load())

	srv, n = script(t, stall)
	c = newClient(t, srv.URL, push.WithTimeout(100*time.Millisecond))
	_, err = c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
	require.ErrorIs(t, err, ErrAttemptTimeout, "a cut body is a failed read, not an answer")
	assert.EqualValues(t, 1, n.Load(), "not retried: the vendor cannot dedupe it")
}

// The answer Busy parsed reaches the decoder: parsed once, and only the
// final attempt's parse.
func TestBusyParseIsHandedOn(t *testing.T) {
	type answer struct{ Code int }
	srv, n := script(t, status(200, `{"Code":7}`), status(200, `{"Code":0}`))
	var parses int
	busy := BusyJSON(func(a *answer) bool { parses++; return a.Code == 7 })
	c := newClient(t, srv.URL)
	resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Busy: busy})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n.Load())
	assert.Equal(t, 2, parses)
	a, err := DecodeJSON[answer](resp)
	require.NoError(t, err)
	assert.Same(t, &resp.Parsed.(*parsed[answer]).v, a, "the busy check's parse is reused")
	assert.Equal(t, 0, a.Code)

	// A field of another type: still asked (the code may say busy), and
	// DecodeJSON reports the same error json.Unmarshal does.
	type typed struct {
		Code int
		Data []int
	}
	b, p := BusyJSON(func(a *typed) bool { return a.Code == 7 })([]byte(`{"Code":7,"Data":"x"}`))
	assert.True(t, b)
	got, err := DecodeJSON[typed](&Response{Parsed: p})
	var te *json.UnmarshalTypeError
	assert.ErrorAs(t, err, &te)
	assert.Equal(t, 7, got.Code)

	// Without a busy check (or on an unreadable answer) DecodeJSON parses.
	a, err = DecodeJSON[answer](&Response{Status: 200, Body: []byte(`{"Code":3}`)})
	require.NoError(t, err)
	assert.Equal(t, 3, a.Code)
	_, err = DecodeJSON[answer](&Response{Status: 200, Body: []byte(`{`)})
	assert.Error(t, err)
	b, p = busy([]byte(`nope`))
	assert.False(t, b)
	assert.Nil(t, p)
}

func TestReadBody(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 4096, MaxResponseBytes} {
		body := strings.Repeat("x", n)
		for _, cl := range []int64{int64(n), -1} {
			got, err := readBody(&http.Response{ContentLength: cl, Body: io.NopCloser(strings.NewReader(body))})
			require.NoError(t, err)
			assert.Equal(t, n, len(got), "length %d, announced %d", n, cl)
		}
	}
	_, err := readBody(&http.Response{ContentLength: -1, Body: io.NopCloser(strings.NewReader(strings.Repeat("x", MaxResponseBytes+1)))})
	assert.ErrorContains(t, err, "answer larger than")
}

func TestContextCancelEndsPromptly(t *testing.T) {
	srv, _ := script(t, status(503, ""))
	o := settings.New(push.WithEndpoint(srv.URL), push.WithRetry(push.RetryPolicy{MaxRetries: 5, MinBackoff: 10 * time.Second, MaxBackoff: 10 * time.Second}))
	c, err := New("testvendor", o, 1)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Do(ctx, &Request{URL: "https://vendor.example/send"})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestEndpointRewrite(t *testing.T) {
	var got string
	srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) { got = r.URL.RequestURI() })
	c := newClient(t, srv.URL+"/prefix/")
	_, err := c.Do(context.Background(), &Request{URL: "https://api.vendor.example/v1/app%2F1/messages:send?x=1"})
	require.NoError(t, err)
	assert.Equal(t, "/prefix/v1/app%2F1/messages:send?x=1", got)

	_, err = New("v", settings.New(push.WithEndpoint("not a url")), 1)
	assert.ErrorIs(t, err, push.ErrConfig)
}

func TestURL(t *testing.T) {
	tests := []struct{ endpoint, vendor, want string }{
		{"", "https://api.push.example/v1/send?a=1", "https://api.push.example/v1/send?a=1"},
		{"http://127.0.0.1:9", "https://api.push.example/v1/send", "http://127.0.0.1:9/v1/send"},
		{"http://127.0.0.1:9/", "https://api.push.example/v1/send", "http://127.0.0.1:9/v1/send"},
		{"https://proxy.example/base/", "https://api.push.example/v1/app%2F1/x:send?q=a%20b#f", "https://proxy.example/base/v1/app%2F1/x:send?q=a%20b#f"},
		{"https://proxy.example/a%2Fb", "https://api.push.example/3/device/abc", "https://proxy.example/a%2Fb/3/device/abc"},
		{"https://proxy.example", "https://api.push.example", "https://proxy.example"},
		{"https://proxy.example", "https://api.push.example?x=1", "https://proxy.example?x=1"},
		{"https://proxy.example", "not a url", "not a url"},
	}
	for _, tt := range tests {
		var opts []push.Option
		if tt.endpoint != "" {
			opts = append(opts, push.WithEndpoint(tt.endpoint))
		}
		c, err := New("v", settings.New(opts...), 1)
		require.NoError(t, err)
		assert.Equal(t, tt.want, c.URL(tt.vendor), "%s + %s", tt.endpoint, tt.vendor)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
	}))
	defer other.Close()
	srv, _ := script(t, status(307, "", "Location", other.URL+"/steal"))
	c := newClient(t, srv.URL)
	resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Header: http.Header{"Authorization": {"Bearer secret"}}})
	require.NoError(t, err)
	assert.Equal(t, 307, resp.Status)
	assert.False(t, leaked.Load())
	assert.ErrorIs(t, StatusError("v", resp, "", ""), push.ErrUnavailable)
}

func TestResponseSizeLimit(t *testing.T) {
	srv, _ := script(t, status(200, strings.Repeat("x", MaxResponseBytes+10)))
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
	require.ErrorIs(t, err, push.ErrUnavailable)
	assert.Contains(t, err.Error(), "larger than")
}

func TestConcurrencyBound(t *testing.T) {
	var inflight, peak atomic.Int64
	srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		inflight.Add(-1)
	})
	c := newClient(t, srv.URL, push.WithConcurrency(3))
	done := make(chan struct{})
	for range 30 {
		go func() {
			c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
			done <- struct{}{}
		}()
	}
	for range 30 {
		<-done
	}
	assert.LessOrEqual(t, peak.Load(), int64(3))
}

func TestLogsCarryNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, _ := script(t, status(503, "secret-in-body"), status(200, "ok"))
	c := newClient(t, srv.URL, push.WithLogger(log))
	_, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send?key=SECRETQ",
		Header: http.Header{"Authorization": {"key=SECRETH"}}, Body: []byte("app_secret=SECRETB")})
	require.NoError(t, err)
	out := buf.String()
	assert.Contains(t, out, "push http attempt")
	assert.Contains(t, out, "status=503")
	for _, s := range []string{"SECRETQ", "SECRETH", "SECRETB", "secret-in-body"} {
		assert.NotContains(t, out, s)
	}
}

func TestStatusError(t *testing.T) {
	tests := []struct {
		status int
		want   error
	}{{401, push.ErrAuth}, {403, push.ErrAuth}, {429, push.ErrRateLimited}, {500, push.ErrUnavailable}, {503, push.ErrUnavailable}, {400, push.ErrInvalidMessage}, {413, push.ErrInvalidMessage}}
	for _, tt := range tests {
		e := StatusError("v", &Response{Status: tt.status, Header: http.Header{"Retry-After": {"7"}}, Body: []byte("<html>oops</html>")}, "", "")
		assert.True(t, errors.Is(e, tt.want), "status %d", tt.status)
		assert.Equal(t, tt.status, e.HTTPStatus)
	}
	e := StatusError("v", &Response{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, "", "")
	assert.Equal(t, 7*time.Second, e.RetryAfter)
}

func TestRetryAfterParsing(t *testing.T) {
	date := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(http.TimeFormat) }
	tests := []struct {
		name, value string
		want        time.Duration
	}{
		{"seconds", "3", 3 * time.Second},
		{"spaces", " 7 ", 7 * time.Second},
		{"zero", "0", 0},
		{"plus sign", "+3", 3 * time.Second},
		{"negative", "-3", 0},
		{"huge negative", "-99999999999999999999", 0},
		{"not a number", "soon", 0},
		{"fraction", "1.5", 0},
		{"exponent", "1e3", 0},
		{"empty", "", 0},
		{"one day", "86400", 24 * time.Hour},
		{"over a day", "86401", RetryAfterLimit},
		// 18446744074 s × 1e9 wraps an int64 to 290 ms: the retry came at once.
		{"wraps a Duration", "18446744074", RetryAfterLimit},
		{"just over MaxInt64 ns", "9223372037", RetryAfterLimit},
		{"overflows uint64", "99999999999999999999999", RetryAfterLimit},
		{"date in 30s", date(30 * time.Second), 30 * time.Second},
		{"date in a year", date(365 * 24 * time.Hour), RetryAfterLimit},
		{"date in year 9999", "Fri, 31 Dec 9999 23:59:59 GMT", RetryAfterLimit},
		{"date in the past", date(-time.Hour), 0},
		{"RFC 850 date", time.Now().Add(time.Minute).UTC().Format("Monday, 02-Jan-06 15:04:05 GMT"), time.Minute},
		{"asctime date", time.Now().Add(time.Minute).UTC().Format(time.ANSIC), time.Minute},
		{"year 1", "Mon, 01 Jan 0001 00:00:00 GMT", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RetryAfter(http.Header{"Retry-After": {tt.value}})
			assert.GreaterOrEqual(t, got, time.Duration(0))
			assert.LessOrEqual(t, got, RetryAfterLimit)
			assert.InDelta(t, tt.want.Seconds(), got.Seconds(), 2, "got %s", got)
		})
	}
}

// A Retry-After too large for a Duration is a long wait, not a short one:
// the 503 is handed to the caller with the clamped wait, not retried after
// the 290 ms it used to wrap to.
func TestHugeRetryAfterIsNotRetriedAtOnce(t *testing.T) {
	srv, n := script(t, status(503, "busy", "Retry-After", "18446744074"), status(200, "ok"))
	c := newClient(t, srv.URL)
	resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
	require.NoError(t, err)
	assert.Equal(t, 503, resp.Status)
	assert.EqualValues(t, 1, n.Load(), "not retried: the wait is longer than MaxRetryAfter")
	e := StatusError("v", resp, "", "")
	assert.Equal(t, RetryAfterLimit, e.RetryAfter)
	assert.ErrorIs(t, e, push.ErrUnavailable)
}

// Over HTTP/2 the write of a request is reported asynchronously; a retry
// must not race with (or be misled by) the report of an earlier attempt.
func TestRetryOverHTTP2(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			w.WriteHeader(505)
			return
		}
		if n.Add(1) < 3 {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(200)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	c := newClient(t, srv.URL, push.WithHTTPClient(srv.Client()))
	for range 20 {
		n.Store(0)
		resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Body: []byte("payload")})
		require.NoError(t, err)
		assert.Equal(t, 200, resp.Status)
	}
}

func TestRetryPossiblyDeliveredIsConfigurable(t *testing.T) {
	srv, n := script(t, reset, status(200, "ok"))
	p := fast
	p.RetryPossiblyDelivered = true
	c := newClient(t, srv.URL, push.WithRetry(p))
	resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Body: []byte("x")})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.EqualValues(t, 2, n.Load(), "at-least-once: the reset request is sent again")
}

func TestHTMLAnswerIsAClearError(t *testing.T) {
	srv, _ := script(t, status(200, "<html><body>Welcome to the hotel wifi</body></html>", "Content-Type", "text/html; charset=utf-8"))
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
	require.ErrorIs(t, err, push.ErrUnavailable)
	assert.Contains(t, err.Error(), "unexpected answer of type text/html")
	assert.Contains(t, err.Error(), "hotel wifi")
	var ve *push.VendorError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.PossiblyDelivered)
}

func TestAnswerQuotingTheRequestIsRedacted(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":"bad request","you_sent":%q,"auth":%q}`, string(b), r.Header.Get("Authorization"))
	}
	srv, _ := script(t, echo)
	c := newClient(t, srv.URL)
	c.Redact("app-s3cret+/=", "tiny")
	resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send",
		Header: http.Header{"Authorization": {"Bearer access-token-123"}},
		Body:   []byte("client_secret=" + url.QueryEscape("app-s3cret+/=") + "&x=tiny")})
	require.NoError(t, err)
	body := string(resp.Body)
	assert.NotContains(t, body, "app-s3cret")
	assert.NotContains(t, body, "access-token-123")
	assert.Contains(t, body, "<redacted>")
	assert.Contains(t, body, "tiny", "values shorter than 6 bytes are left alone")
	assert.NotContains(t, StatusError("v", resp, "", "").Error(), "access-token-123")
}

// A credential with bytes to escape is found raw, form-escaped and
// JSON-escaped in an answer; an answer without it is left as it came.
func TestEscapedCredentialIsRedacted(t *testing.T) {
	const tok = "ya29.a0/b+c=<d>"
	for _, quoted := range []string{tok, url.QueryEscape(tok), `ya29.a0/b+c=\u003cd\u003e`} {
		c := newClient(t, "http://127.0.0.1:1")
		r := &Request{Header: http.Header{"Authorization": {"Bearer " + tok}, "auth_token": {tok}}}
		got := string(c.redact(r, []byte(`{"echo":"`+quoted+`"}`)))
		assert.NotContains(t, got, "a0", quoted)
		assert.Contains(t, got, "<redacted>", quoted)
	}
	c := newClient(t, "http://127.0.0.1:1")
	r := &Request{Header: http.Header{"Authorization": {"Bearer " + tok}}}
	in := []byte(`{"name":"projects/p/messages/1"}`)
	assert.Equal(t, string(in), string(c.redact(r, in)))
}

// A transport that reports nothing (a custom RoundTripper) and fails after
// sending must not be mistaken for one that never connected.
func TestUntracedFailureCountsAsPossiblySent(t *testing.T) {
	var calls atomic.Int64
	rt := roundTripper(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		return nil, errors.New("custom transport: stream reset")
	})
	c := newClient(t, "http://127.0.0.1:1", push.WithHTTPClient(&http.Client{Transport: rt}))
	_, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Body: []byte("x")})
	var ve *push.VendorError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.PossiblyDelivered)
	assert.EqualValues(t, 1, calls.Load(), "not retried: it may have reached the vendor")
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A proxy that reflects the request into the answer's headers — the
// credential in Content-Type on an HTML page, in any other header — puts it
// into the error text ("unexpected answer of type …") and into what the
// vendor decoders read (APNs takes apns-id as the message id): every header
// value is redacted like the body.
func TestReflectedHeaderIsRedacted(t *testing.T) {
	const secret, access = "app-s3cret+/=", "access-token-123"
	tests := []struct {
		name   string
		status int
		header func(r *http.Request) http.Header
	}{
		{"bearer in Content-Type of an HTML page", 200, func(r *http.Request) http.Header {
			return http.Header{"Content-Type": {"text/html; charset=" + r.Header.Get("Authorization")}}
		}},
		{"raw token in Content-Type", 200, func(r *http.Request) http.Header {
			return http.Header{"Content-Type": {"text/html; x=" + r.Header.Get("auth_token")}}
		}},
		{"form-escaped secret in Content-Type", 200, func(r *http.Request) http.Header {
			b, _ := io.ReadAll(r.Body)
			return http.Header{"Content-Type": {"text/html; echo=" + string(b)}}
		}},
		{"in other headers of an error", 502, func(r *http.Request) http.Header {
			b, _ := io.ReadAll(r.Body)
			return http.Header{"Content-Type": {"text/plain"}, "X-Echo": {r.Header.Get("Authorization"), string(b)},
				"Apns-Id": {r.Header.Get("auth_token")}, "Www-Authenticate": {"Bearer realm=" + access}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := script(t, func(w http.ResponseWriter, r *http.Request) {
				for k, vs := range tt.header(r) {
					w.Header()[k] = vs
				}
				w.WriteHeader(tt.status)
				w.Write([]byte("<html>proxy error</html>"))
			})
			c := newClient(t, srv.URL, push.WithRetry(push.NoRetry()))
			c.Redact(secret)
			resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send",
				Header: http.Header{"Authorization": {"Bearer " + access}, "auth_token": {access}},
				Body:   []byte("client_secret=" + url.QueryEscape(secret))})
			var texts []string // where the reflection shows, redacted
			if tt.status == 200 {
				require.Error(t, err, "an HTML page is not an answer")
				assert.Contains(t, err.Error(), "unexpected answer of type text/html")
				texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
			} else {
				require.NoError(t, err)
				assert.NotContains(t, StatusError("v", resp, "", "").Error(), access)
				texts = append(texts, fmt.Sprint(resp.Header))
			}
			for _, s := range texts {
				assert.NotContains(t, s, "s3cret")
				assert.NotContains(t, s, access)
				assert.Contains(t, s, "<redacted>")
			}
		})
	}
}

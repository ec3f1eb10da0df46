package transport

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
)

// h2Server starts an HTTP/2 TLS server counting the connections it accepts.
func h2Server(t *testing.T, h http.HandlerFunc, conf func(*http.Server)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	if conf != nil {
		conf(srv.Config)
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// poolFor returns a Pool whose base trusts srv.
func poolFor(t *testing.T, roots *x509.CertPool, cfg PoolConfig) *Pool {
	t.Helper()
	base := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}
	p := NewPool(base, cfg)
	t.Cleanup(p.CloseIdleConnections)
	return p
}

func rootsOf(srv *httptest.Server) *x509.CertPool {
	return srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
}

func get(ctx context.Context, rt http.RoundTripper, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("body"))
	if err != nil {
		return nil, err
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

// TestPoolColdSharesOneDial: many requests on a cold pool share one dial and
// one connection, and all get through.
func TestPoolColdSharesOneDial(t *testing.T) {
	srv, conns := h2Server(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		if r.ProtoMajor != 2 {
			w.WriteHeader(505)
		}
	}, nil)
	p := poolFor(t, rootsOf(srv), PoolConfig{})
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 64 {
		wg.Go(func() {
			resp, err := get(context.Background(), p, srv.URL)
			if assert.NoError(t, err) && assert.Equal(t, 200, resp.StatusCode) {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 64, ok.Load())
	assert.EqualValues(t, 1, conns.Load(), "one connection")
	assert.Equal(t, 1, p.Dials())
}

// TestPoolWaitsForStreams: a server allowing one stream per connection gets
// requests one after another on at most MaxConns connections, not a
// connection per request.
func TestPoolWaitsForStreams(t *testing.T) {
	srv, conns := h2Server(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
	}, func(s *http.Server) { s.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: 1} })
	p := poolFor(t, rootsOf(srv), PoolConfig{MaxConns: 2})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := get(context.Background(), p, srv.URL)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, conns.Load(), int64(2))
}

// TestPoolSharedDialError: requests waiting for a dial that fails all get
// its error, after one dial. A refused dial is a dial error (known unsent).
func TestPoolSharedDialError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() { // accepts, and hangs up 200 ms later, during the TLS handshake
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			time.AfterFunc(200*time.Millisecond, func() { c.Close() })
		}
	}()
	p := poolFor(t, nil, PoolConfig{})
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = get(context.Background(), p, "https://"+ln.Addr().String()+"/") })
	}
	wg.Wait()
	for _, err := range errs {
		require.Error(t, err)
		assert.Equal(t, errs[0].Error(), err.Error(), "the shared dial's error")
	}
	assert.Equal(t, 1, p.Dials(), "the waiting requests share the dial")

	refused, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := refused.Addr().String()
	refused.Close() // nothing listens: connection refused
	_, err = get(context.Background(), poolFor(t, nil, PoolConfig{}), "https://"+addr+"/")
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "dial", op.Op)
}

// TestPoolBacksOffReconnects: a server that ends every connection after one
// answer (a GOAWAY, then the close) is redialed with growing waits, not in
// a loop.
func TestPoolBacksOffReconnects(t *testing.T) {
	srv, conns := h2Server(t, func(w http.ResponseWriter, r *http.Request) {}, nil)
	p := poolFor(t, rootsOf(srv), PoolConfig{MinBackoff: 20 * time.Millisecond, MaxBackoff: 400 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	srv.Config.SetKeepAlivesEnabled(false) // every answer ends its connection (HTTP/2: GOAWAY)
	n := 0
	for ctx.Err() == nil {
		if _, err := get(ctx, p, srv.URL); err == nil {
			n++
		}
	}
	t.Logf("%d requests answered on %d connections in 1 s", n, conns.Load())
	// Without backoff every request would dial: hundreds. With it: 0, then
	// ~20, 40, 80, 160, 320, 400 ms (jittered to half): about ten.
	assert.LessOrEqual(t, conns.Load(), int64(16))
	assert.Positive(t, n)
}

// TestPoolCancelWhileWaitingForDial: a request waiting for a dial that hangs
// returns at once when its context ends; the dial goes on for the others.
func TestPoolCancelWhileWaitingForDial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() { // accepts, never answers the TLS handshake
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	p := poolFor(t, nil, PoolConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = get(ctx, p, "https://"+ln.Addr().String()+"/")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}

// TestPoolHTTP1Host: a TLS host without HTTP/2 is handed to the base
// Transport after its first answer, so requests are not bound to MaxConns
// connections.
func TestPoolHTTP1Host(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		if r.ProtoMajor != 1 {
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	p := poolFor(t, rootsOf(srv), PoolConfig{MaxConns: 1})
	resp, err := get(context.Background(), p, srv.URL)
	require.NoError(t, err)
	assert.Equal(t, 1, resp.ProtoMajor)
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			resp, err := get(context.Background(), p, srv.URL)
			if assert.NoError(t, err) {
				assert.Equal(t, 200, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	assert.Less(t, time.Since(start), 400*time.Millisecond, "in parallel, not one at a time")
}

// TestPoolPlainHTTP: plain HTTP goes to the base Transport.
func TestPoolPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	p := poolFor(t, nil, PoolConfig{})
	resp, err := get(context.Background(), p, srv.URL)
	require.NoError(t, err)
	assert.Equal(t, 204, resp.StatusCode)
	assert.Zero(t, p.Dials())
}

// TestPoolCloseIdleConnections closes the pool's idle connections.
func TestPoolCloseIdleConnections(t *testing.T) {
	var closed atomic.Int64
	srv, _ := h2Server(t, func(w http.ResponseWriter, r *http.Request) {}, func(s *http.Server) {
		s.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateClosed {
				closed.Add(1)
			}
		}
	})
	p := poolFor(t, rootsOf(srv), PoolConfig{})
	_, err := get(context.Background(), p, srv.URL)
	require.NoError(t, err)
	// As with net/http, a connection whose last stream is still being
	// cleaned up is not idle yet: callers ask again (the suites' leak
	// checks do).
	require.Eventually(t, func() bool { p.CloseIdleConnections(); return closed.Load() == 1 }, 2*time.Second, 5*time.Millisecond)
	_, err = get(context.Background(), p, srv.URL)
	require.NoError(t, err, "a new connection after")
}

// TestPoolThroughClient: a transport.Client over a Pool still tells a
// request that never got a connection (not sent, retried) from one that
// may have been sent.
func TestPoolThroughClient(t *testing.T) {
	srv, conns := h2Server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, nil)
	p := poolFor(t, rootsOf(srv), PoolConfig{})
	o := settings.New(push.WithEndpoint(srv.URL), push.WithRetry(fast), push.WithHTTPClient(&http.Client{Transport: p}))
	c, err := New("testvendor", o, 8)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			resp, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/x", Body: []byte("b")})
			if assert.NoError(t, err) {
				assert.Equal(t, 204, resp.Status)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, conns.Load())
	assert.True(t, reportsConn(p))
}

// TestPoolResendsAfterGoAway: a request whose stream a GOAWAY excludes was
// not processed: the pool sends it again on a new connection, once. (It
// matches net/http's error texts: this fails if they change.)
func TestPoolResendsAfterGoAway(t *testing.T) {
	raw := newRawH2(t)
	p := poolFor(t, raw.roots, PoolConfig{})
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Go(func() {
			resp, err := get(context.Background(), p, "https://"+raw.addr+"/")
			if assert.NoError(t, err) {
				codes[i] = resp.StatusCode
			}
		})
	}
	wg.Wait()
	assert.Equal(t, []int{200, 200}, codes)
	assert.EqualValues(t, 2, raw.conns.Load(), "the refused request went on a second connection")
	assert.EqualValues(t, 2, raw.answered.Load(), "the first on the first connection, the refused one once, on the second")
}

func TestUnprocessed(t *testing.T) {
	for s, want := range map[string][2]bool{
		"http2: Transport received Server's graceful shutdown GOAWAY":                                       {true, true},
		"http2: client conn not usable":                                                                     {true, true},
		"stream error: stream ID 3; REFUSED_STREAM":                                                         {true, false},
		"stream error: stream ID 5; REFUSED_STREAM; received from peer":                                     {true, false},
		"stream error: stream ID 3; INTERNAL_ERROR":                                                         {false, false},
		"http2: server sent GOAWAY and closed the connection; LastStreamID=5, ErrCode=NO_ERROR, debug=\"\"": {false, false},
		"unexpected EOF": {false, false},
	} {
		resend, drain := unprocessed(errors.New(s))
		assert.Equal(t, want, [2]bool{resend, drain}, s)
	}
}

// rawH2 is a minimal HTTP/2 server over TLS, written frame by frame, for
// what net/http's server will not do on command: on its first connection
// it waits for two requests, sends GOAWAY naming only the first as
// processed, answers the first and closes; later connections answer every
// request with 200.
type rawH2 struct {
	addr     string
	roots    *x509.CertPool
	conns    atomic.Int64
	answered atomic.Int64
}

func newRawH2(t *testing.T) *rawH2 {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	s := &rawH2{roots: x509.NewCertPool()}
	s.roots.AddCert(cert)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{NextProtos: []string{"h2"},
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	s.addr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := s.conns.Add(1)
			go s.serve(c, n == 1)
		}
	}()
	return s
}

const (
	frameData     = 0x0
	frameHeaders  = 0x1
	frameSettings = 0x4
	framePing     = 0x6
	frameGoAway   = 0x7
	flagEndStream = 0x1
	flagAck       = 0x1
	flagEndHeader = 0x4
)

func writeFrame(w io.Writer, typ, flags byte, stream uint32, payload []byte) error {
	var h [9]byte
	h[0], h[1], h[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	h[3], h[4] = typ, flags
	binary.BigEndian.PutUint32(h[5:], stream)
	_, err := w.Write(append(h[:], payload...))
	return err
}

func (s *rawH2) serve(c net.Conn, goAway bool) {
	defer c.Close()
	r := bufio.NewReader(c)
	preface := make([]byte, 24)
	if _, err := io.ReadFull(r, preface); err != nil {
		return
	}
	if writeFrame(c, frameSettings, 0, 0, nil) != nil {
		return
	}
	var mu sync.Mutex
	answer := func(stream uint32) {
		mu.Lock()
		defer mu.Unlock()
		s.answered.Add(1) // before the client can see the answer
		// :status 200 is entry 8 of HPACK's static table
		writeFrame(c, frameHeaders, flagEndHeader|flagEndStream, stream, []byte{0x88})
	}
	var requests []uint32 // streams whose request is complete
	for {
		var h [9]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return
		}
		n := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
		typ, flags, stream := h[3], h[4], binary.BigEndian.Uint32(h[5:])&0x7fffffff
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		switch {
		case typ == frameSettings && flags&flagAck == 0:
			writeFrame(c, frameSettings, flagAck, 0, nil)
		case typ == framePing && flags&flagAck == 0:
			writeFrame(c, framePing, flagAck, 0, payload)
		case (typ == frameHeaders || typ == frameData) && flags&flagEndStream != 0:
			requests = append(requests, stream)
		}
		if !goAway {
			for _, st := range requests {
				answer(st)
			}
			requests = requests[:0]
			continue
		}
		if len(requests) == 2 {
			first := min(requests[0], requests[1])
			var g [8]byte
			binary.BigEndian.PutUint32(g[:4], first) // last stream processed; error code 0 (NO_ERROR)
			writeFrame(c, frameGoAway, 0, 0, g[:])
			answer(first)
			time.Sleep(50 * time.Millisecond) // let the client read it all before the close
			return
		}
	}
}

// The base Transport of the APNs and FCM pools: one set of HTTP/2 health
// checks for both, on a copy of the default Transport.
func TestNewHTTP2Transport(t *testing.T) {
	tr := NewHTTP2Transport()
	assert.NotSame(t, http.DefaultTransport, tr)
	assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	assert.True(t, tr.ForceAttemptHTTP2)
	require.NotNil(t, tr.HTTP2)
	assert.Equal(t, 15*time.Second, tr.HTTP2.SendPingTimeout)
	assert.Equal(t, 15*time.Second, tr.HTTP2.PingTimeout)
	assert.Equal(t, 30*time.Second, tr.HTTP2.WriteByteTimeout)
	assert.True(t, tr.HTTP2.StrictMaxConcurrentRequests, "requests wait for a stream")
	assert.NotSame(t, tr.HTTP2, NewHTTP2Transport().HTTP2, "each caller gets its own settings")
}

package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Pool is an http.RoundTripper that keeps few, long-lived HTTP/2
// connections per host, for vendors that ask for it: APNs treats opening
// and closing connections rapidly as a denial-of-service attack, and both
// APNs and FCM multiplex many requests on one connection.
//
// net/http's Transport opens a connection per request while none is ready
// (eight requests to a cold client: eight TLS handshakes, seven thrown
// away), and after a GOAWAY every retry dials at once. A Pool instead:
//
//   - dials one connection at a time per host; the requests that arrive
//     meanwhile wait for that dial and share it (and its error);
//   - sends on the connection with the most free streams, or waits on the
//     least busy one for a stream: a second connection is opened only when
//     every connection is at its stream limit after answering a request
//     (not during APNs' one-stream start), up to PoolConfig.MaxConns;
//   - backs off reconnects: after a connection that lived less than
//     PoolConfig.Young, or a failed dial, the next dial waits, doubling from
//     MinBackoff to MaxBackoff; a connection that lived long resets it;
//   - resends a request the server refused unprocessed (a GOAWAY that
//     excludes its stream, a refused stream), as net/http's HTTP/2 does.
//
// Connections are made by the base Transport's NewClientConn, with its
// dialer, proxy, TLS and HTTP/2 settings (ping health checks, idle
// timeout). Plain-HTTP requests, and hosts that answer over HTTP/1, go to
// the base Transport itself. A Pool calls httptrace's GotConn (with a nil
// Conn) when it hands a request to a connection.
type Pool struct {
	base  *http.Transport
	cfg   PoolConfig
	mu    sync.Mutex
	hosts map[string]*hostConns
	dials atomic.Int64
}

// PoolConfig tunes a Pool; zero fields take the defaults.
type PoolConfig struct {
	// MaxConns bounds the connections per host (default 4).
	MaxConns int
	// MinBackoff and MaxBackoff bound the wait before a reconnect after
	// churn (defaults 100 ms and 10 s).
	MinBackoff, MaxBackoff time.Duration
	// Young is the lifetime under which a closed connection counts as churn
	// (default 10 s).
	Young time.Duration
}

// Pool defaults.
const (
	DefaultMaxConns   = 4
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 10 * time.Second
	DefaultYoung      = 10 * time.Second
	// dialTimeout bounds one shared dial (TCP, TLS, HTTP/2 preface); the
	// base Transport's own timeouts apply inside it.
	dialTimeout = 30 * time.Second
	// maxResends bounds the resends of a request refused unprocessed.
	maxResends = 3
)

// NewHTTP2Transport returns the base Transport of an HTTP/2 vendor's Pool
// (APNs, FCM), so that both watch their long-lived connections alike: TLS
// 1.2 or later, HTTP/2, PING health checks (no frame for 15 s: ping; no
// answer in 15 s: close) so that a dead connection is noticed instead of
// hung on, a 30 s bound on a blocked write, and requests that wait for a
// free stream rather than open more connections. The vendor sets its idle
// timeout and protocols on it.
func NewHTTP2Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.ForceAttemptHTTP2 = true
	t.HTTP2 = &http.HTTP2Config{
		SendPingTimeout:             15 * time.Second,
		PingTimeout:                 15 * time.Second,
		WriteByteTimeout:            30 * time.Second,
		StrictMaxConcurrentRequests: true,
	}
	return t
}

// NewPool returns a Pool that dials through base. base must not be used by
// anything else that relies on its connection limits; configure it before
// the first request.
func NewPool(base *http.Transport, cfg PoolConfig) *Pool {
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.Young <= 0 {
		cfg.Young = DefaultYoung
	}
	return &Pool{base: base, cfg: cfg, hosts: map[string]*hostConns{}}
}

// Transport returns the base Transport, to configure it (TLS roots, proxy)
// before the first request.
func (p *Pool) Transport() *http.Transport { return p.base }

// Dials returns how many connections the Pool has dialed, failed dials
// included.
func (p *Pool) Dials() int { return int(p.dials.Load()) }

// RoundTrip sends req on one of the Pool's connections to its host.
func (p *Pool) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || req.URL.Scheme != "https" {
		return p.base.RoundTrip(req)
	}
	port := req.URL.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(req.URL.Hostname(), port)
	p.mu.Lock()
	h := p.hosts[addr]
	if h == nil {
		h = &hostConns{p: p, addr: addr}
		p.hosts[addr] = h
	}
	p.mu.Unlock()
	return h.roundTrip(req)
}

// CloseIdleConnections closes the connections that carry no request, the
// base Transport's too.
func (p *Pool) CloseIdleConnections() {
	p.mu.Lock()
	hosts := make([]*hostConns, 0, len(p.hosts))
	for _, h := range p.hosts {
		hosts = append(hosts, h)
	}
	p.mu.Unlock()
	for _, h := range hosts {
		h.closeIdle()
	}
	p.base.CloseIdleConnections()
}

// reportsConn reports whether rt tells httptrace's GotConn when a request
// gets its connection, before anything is written (see mayHaveSent).
func reportsConn(rt http.RoundTripper) bool {
	switch rt.(type) {
	case *http.Transport, *Pool:
		return true
	}
	return false
}

// errUseBase sends a request to the base Transport: the host speaks HTTP/1.
var errUseBase = errors.New("transport: host speaks HTTP/1")

// hostConns are a Pool's connections to one host.
type hostConns struct {
	p    *Pool
	addr string
	sig  signal // fired when a connection frees a stream, closes, or a dial ends

	mu       sync.Mutex
	conns    []*poolConn
	dialing  bool
	dialSeq  uint64 // dials started
	failSeq  uint64 // the last dial that failed, and its error
	failErr  error
	strikes  int // young deaths and failed dials since a connection lived long
	lastDial time.Time
	http1    bool
}

type poolConn struct {
	cc       *http.ClientConn
	born     time.Time
	answered atomic.Int64 // responses received on it
	closing  atomic.Bool  // it refused a request unprocessed: draining after a GOAWAY
}

// signal wakes every goroutine waiting on it. It has its own lock: a
// ClientConn's state hook fires it, and may run inside calls made under
// hostConns.mu.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) fire() {
	s.mu.Lock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
	s.mu.Unlock()
}

func (h *hostConns) roundTrip(req *http.Request) (*http.Response, error) {
	for resends := 0; ; resends++ {
		c, err := h.get(req.Context())
		if err == errUseBase {
			return h.p.base.RoundTrip(req)
		}
		if err != nil {
			return nil, err
		}
		if trace := httptrace.ContextClientTrace(req.Context()); trace != nil && trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{Reused: c.answered.Load() > 0})
		}
		resp, err := c.cc.RoundTrip(req)
		if err == nil {
			c.answered.Add(1)
			if resp.ProtoMajor < 2 {
				h.sawHTTP1(c, resp)
			}
			return resp, nil
		}
		again, drain := unprocessed(err)
		if !again {
			return nil, err
		}
		if drain {
			c.closing.Store(true)
		}
		if resends == maxResends {
			return nil, err
		}
		next, ok := rewind(req)
		if !ok {
			return nil, err
		}
		req = next
	}
}

// get returns the connection to send a request on: the open one with the
// most free streams. When all are at their stream limit the request waits
// on one of them inside net/http (which waits for a free stream), while a
// new connection is dialed if needConn says so. Only with no open
// connection does get wait, for the dial in progress, which the waiting
// requests share.
//
// No stream is reserved (ClientConn.Reserve): reservations count against
// the server's stream limit, and when the server lowers it after they were
// made (as APNs does: one stream until the first authenticated request)
// the requests holding them deadlock in net/http, each waiting for a slot
// the others' reservations hold.
func (h *hostConns) get(ctx context.Context) (*poolConn, error) {
	var waitFor uint64 // the dial this caller waits for
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		wake := h.sig.wait() // before looking, so no change is missed
		h.mu.Lock()
		if h.http1 {
			h.mu.Unlock()
			return nil, errUseBase
		}
		if waitFor != 0 && h.failSeq == waitFor {
			err := h.failErr
			h.mu.Unlock()
			return nil, err
		}
		h.prune()
		var delay time.Duration
		if !h.dialing && h.needConn() {
			if delay = h.backoff(); delay <= 0 {
				h.dialing = true
				h.dialSeq++
				h.lastDial = time.Now()
				go h.dial(h.dialSeq)
			}
		}
		if c := h.pick(); c != nil {
			h.mu.Unlock()
			return c, nil
		}
		if h.dialing {
			waitFor = h.dialSeq
		}
		h.mu.Unlock()
		var tick <-chan time.Time
		if delay > 0 {
			if timer == nil {
				timer = time.NewTimer(delay)
			} else {
				timer.Reset(delay)
			}
			tick = timer.C
		}
		select {
		case <-wake:
		case <-tick:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// prune drops the closed connections, counting the young ones as churn;
// one that lived long, closed or not, ends the churn. h.mu is held.
func (h *hostConns) prune() {
	live := h.conns[:0]
	for _, c := range h.conns {
		if c.cc.Err() == nil {
			live = append(live, c)
			if time.Since(c.born) >= h.p.cfg.Young {
				h.strikes = 0
			}
			continue
		}
		if time.Since(c.born) < h.p.cfg.Young {
			h.strikes++
		} else {
			h.strikes = 0
		}
	}
	clear(h.conns[len(live):])
	h.conns = live
}

// pick returns the open connection with the most free streams (the fewest
// requests in flight among full ones), or nil. A connection that refused a
// request unprocessed (after a GOAWAY) takes no more. h.mu is held.
func (h *hostConns) pick() *poolConn {
	var best *poolConn
	bestFree, bestBusy := 0, 0
	for _, c := range h.conns {
		if c.closing.Load() {
			continue
		}
		free, busy := c.cc.Available(), c.cc.InFlight()
		if best == nil || free > bestFree || (free == bestFree && busy < bestBusy) {
			best, bestFree, bestBusy = c, free, busy
		}
	}
	return best
}

// needConn reports whether a new connection is wanted: none is open, or
// each is at its stream limit after having answered (one that has not
// answered yet may be in APNs' one-stream start: its limit rises after the
// first answer), and MaxConns allows one more. h.mu is held.
func (h *hostConns) needConn() bool {
	open := 0
	for _, c := range h.conns {
		if c.closing.Load() {
			continue
		}
		open++
		if c.cc.Available() > 0 || c.answered.Load() == 0 {
			return false
		}
	}
	return open < h.p.cfg.MaxConns
}

// backoff returns how long the next dial must still wait. h.mu is held.
func (h *hostConns) backoff() time.Duration {
	if h.strikes == 0 {
		return 0
	}
	d := h.p.cfg.MinBackoff << min(h.strikes-1, 20)
	if d > h.p.cfg.MaxBackoff || d <= 0 {
		d = h.p.cfg.MaxBackoff
	}
	d = d/2 + rand.N(d/2+1) // jitter: clients of one server do not reconnect in step
	return time.Until(h.lastDial.Add(d))
}

// dial makes one connection for every request waiting on it. It does not
// take the context of the request that started it: the others share it.
func (h *hostConns) dial(seq uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
	defer cancel()
	cc, err := h.p.base.NewClientConn(ctx, "https", h.addr)
	h.p.dials.Add(1)
	h.mu.Lock()
	h.dialing = false
	if err != nil {
		h.failSeq, h.failErr = seq, err
		h.strikes++
	} else {
		h.conns = append(h.conns, &poolConn{cc: cc, born: time.Now()})
	}
	h.mu.Unlock()
	if cc != nil {
		cc.SetStateHook(func(*http.ClientConn) { h.sig.fire() })
	}
	h.sig.fire()
}

// sawHTTP1 hands the host to the base Transport for good: the server does
// not speak HTTP/2, so one request per connection would bind every request
// to MaxConns connections. c is closed once its answer is read.
func (h *hostConns) sawHTTP1(c *poolConn, resp *http.Response) {
	h.mu.Lock()
	h.http1 = true
	h.conns = slicesDelete(h.conns, c)
	h.mu.Unlock()
	h.sig.fire()
	resp.Body = &closeConnBody{ReadCloser: resp.Body, cc: c.cc}
}

func slicesDelete(conns []*poolConn, c *poolConn) []*poolConn {
	out := conns[:0]
	for _, x := range conns {
		if x != c {
			out = append(out, x)
		}
	}
	clear(conns[len(out):])
	return out
}

type closeConnBody struct {
	io.ReadCloser
	cc *http.ClientConn
}

func (b *closeConnBody) Close() error {
	err := b.ReadCloser.Close()
	b.cc.Close()
	return err
}

// closeIdle closes the connections without a request in flight. They are
// closed on purpose, so they are not churn.
func (h *hostConns) closeIdle() {
	h.mu.Lock()
	var idle []*poolConn
	live := h.conns[:0]
	for _, c := range h.conns {
		if c.cc.Err() == nil && c.cc.InFlight() == 0 {
			idle = append(idle, c)
		} else {
			live = append(live, c)
		}
	}
	clear(h.conns[len(live):])
	h.conns = live
	h.mu.Unlock()
	for _, c := range idle {
		c.cc.Close()
	}
	h.sig.fire()
}

// unprocessed reports an HTTP/2 error that proves the server did not
// process the request, so it may be sent again: a GOAWAY whose last stream
// id is below the request's, or a connection that could not take it (drain:
// the connection takes no more); or the stream reset by the server with
// REFUSED_STREAM, or with PROTOCOL_ERROR, which servers send for a stream
// over their limit when it crossed their SETTINGS on the wire (the cases
// net/http's own HTTP/2 pool resends, golang/go#47635). Its errors are not
// exported values, so their texts are matched (TestPoolResendsAfterGoAway
// and TestPoolWaitsForStreams fail if they change).
func unprocessed(err error) (resend, drain bool) {
	s := err.Error()
	switch s {
	case "http2: Transport received Server's graceful shutdown GOAWAY",
		"http2: client conn not usable",
		"http2: client conn could not be established":
		return true, true
	}
	if !strings.HasPrefix(s, "stream error: ") {
		return false, false
	}
	return strings.Contains(s, "; REFUSED_STREAM") || strings.HasSuffix(s, "; PROTOCOL_ERROR; received from peer"), false
}

// rewind returns req ready to be sent again, when its body can be had again.
func rewind(req *http.Request) (*http.Request, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	next := *req
	next.Body = body
	return &next, true
}

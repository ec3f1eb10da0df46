package transport

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
)

// countingListener counts the connections a server accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// tlsServer starts an httptest server, TLS or plain, whose handler counts
// the requests that reached it and whose listener counts connections.
func tlsServer(t *testing.T, useTLS bool, cfg *tls.Config) (*httptest.Server, *countingListener, *atomic.Int64) {
	t.Helper()
	var handled atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled.Add(1)
		w.WriteHeader(200)
	}))
	cl := &countingListener{Listener: srv.Listener}
	srv.Listener = cl
	if useTLS {
		srv.TLS = cfg
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, cl, &handled
}

// TestFailedTLSIsKnownUnsent: a TLS setup that fails — a certificate the
// client does not trust, a certificate for another name, a plain-HTTP
// server addressed as https, a handshake the server refuses — sent nothing
// and cannot get better by retrying inside the Push: one attempt, never
// possibly delivered, ErrUnavailable with the cause named. Idempotent
// requests (auth) are not retried either. Both through the default
// transport (which reports connections) and through a wrapper that does
// not (the cause is then read from the error).
func TestFailedTLSIsKnownUnsent(t *testing.T) {
	untrusted, _, untrustedHits := tlsServer(t, true, nil)
	plain, _, plainHits := tlsServer(t, false, nil)
	old, _, oldHits := tlsServer(t, true, &tls.Config{MaxVersion: tls.VersionTLS11})
	// The test server's certificate names 127.0.0.1 and example.com, not localhost.
	_, port, _ := net.SplitHostPort(untrusted.Listener.Addr().String())
	trusting := untrusted.Client().Transport.(*http.Transport)

	tests := []struct {
		name     string
		endpoint string
		base     *http.Transport // nil: the client's default transport
		hits     *atomic.Int64
		want     string
		untraced bool // also through a transport that does not report connections
	}{
		{"untrusted certificate", untrusted.URL, nil, untrustedHits,
			"TLS certificate verification failed for " + untrusted.Listener.Addr().String(), true},
		{"certificate for another name", "https://localhost:" + port, trusting, untrustedHits,
			"TLS certificate verification failed for localhost:" + port, true},
		{"plain HTTP server addressed as https", "https://" + plain.Listener.Addr().String(), nil, plainHits,
			"answered plain HTTP to an HTTPS request", true},
		{"handshake refused (TLS 1.1 server)", "https://" + old.Listener.Addr().String(), nil, oldHits,
			"TLS handshake with " + old.Listener.Addr().String() + " failed", false},
	}
	for _, tt := range tests {
		for _, untraced := range []bool{false, true} {
			if untraced && !tt.untraced {
				continue
			}
			for _, idempotent := range []bool{false, true} {
				name := tt.name
				if untraced {
					name += "/untraced"
				}
				if idempotent {
					name += "/idempotent"
				}
				t.Run(name, func(t *testing.T) {
					base := defaultTransport
					if tt.base != nil {
						base = tt.base
					}
					var opts []push.Option
					switch {
					case untraced:
						opts = append(opts, push.WithHTTPClient(&http.Client{Transport: roundTripper(base.RoundTrip)}))
					case tt.base != nil:
						opts = append(opts, push.WithHTTPClient(&http.Client{Transport: base}))
					}
					c := newClient(t, tt.endpoint, opts...)
					before := tt.hits.Load()
					_, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Body: []byte("x"), Idempotent: idempotent})
					require.Error(t, err)
					assert.ErrorIs(t, err, push.ErrUnavailable)
					for _, other := range []error{push.ErrAuth, push.ErrInvalidMessage, push.ErrInvalidToken, push.ErrConfig} {
						assert.NotErrorIs(t, err, other)
					}
					var ve *push.VendorError
					require.ErrorAs(t, err, &ve)
					assert.False(t, ve.PossiblyDelivered, "nothing was sent: %v", err)
					assert.EqualValues(t, 1, c.Attempts(), "not retried: it cannot get better")
					assert.Contains(t, err.Error(), tt.want)
					assert.Contains(t, err.Error(), "(nothing was sent")
					assert.NotContains(t, err.Error(), "possibly delivered")
					assert.Equal(t, before, tt.hits.Load(), "no request reached the server's handler")
				})
			}
		}
	}

	t.Run("certificate error is reachable with errors.As", func(t *testing.T) {
		c := newClient(t, untrusted.URL)
		_, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send"})
		var ce *tls.CertificateVerificationError
		assert.ErrorAs(t, err, &ce)
	})

	t.Run("no secret of the request in the error", func(t *testing.T) {
		for _, u := range []string{untrusted.URL, "https://" + plain.Listener.Addr().String(), "https://" + old.Listener.Addr().String()} {
			c := newClient(t, u)
			_, err := c.Do(context.Background(), &Request{URL: "https://vendor.example/send?access_token=SECRET-IN-QUERY",
				Header: http.Header{"Authorization": {"Bearer SECRET-BEARER"}}, Body: []byte("client_secret=SECRET-IN-BODY")})
			require.Error(t, err)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), "SECRET")
		}
	})
}

// TestHandshakeCutIsRetried: a connection closed during the TLS handshake
// (an overloaded front end, a middlebox) is a network failure, not a TLS
// verdict: nothing was sent, so it is retried even for a request the vendor
// cannot deduplicate, and never reported possibly delivered.
func TestHandshakeCutIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var accepted atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conn.Close() // before the ServerHello
		}
	}()
	c := newClient(t, "https://"+ln.Addr().String())
	_, err = c.Do(context.Background(), &Request{URL: "https://vendor.example/send", Body: []byte("x")})
	require.ErrorIs(t, err, push.ErrUnavailable)
	var ve *push.VendorError
	require.ErrorAs(t, err, &ve)
	assert.False(t, ve.PossiblyDelivered, "a handshake cut before it ended sent nothing: %v", err)
	assert.EqualValues(t, fast.MaxRetries+1, c.Attempts(), "a network failure before sending is retried")
}

package fcm

import (
	"crypto/x509"
	"net/http"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/transport"
)

// SetClock pins the clock that apns-expiration is computed from, so golden
// bodies do not depend on the time of day.
func SetClock(c *Client, now func() time.Time) { c.now = now }

// Fetches returns how many access-token fetches the client's cache made.
func Fetches(c *Client) int64 { return c.auth.Fetches() }

// TokenURL is the URL the JWT is posted to (and its audience).
func TokenURL(c *Client) string {
	if c.exch == nil {
		return ""
	}
	return c.exch.conf.TokenURL
}

// Sizes returns the message's size as FCM counts it and as APNs counts
// the payload FCM builds from it.
func Sizes(m *message) (fcmBytes, apnsBytes int) { return fcmSize(m), apnsSize(m) }

// Trusting is the client NewHTTPClient builds, taught only to trust roots
// (a fake's certificate).
func Trusting(roots *x509.CertPool) *http.Client {
	hc := NewHTTPClient()
	hc.Transport.(*transport.Pool).Transport().TLSClientConfig.RootCAs = roots
	return hc
}

// Test hooks: the wire structs and the mapping, for the external tests.
type (
	SendRequest  = sendRequest
	Message      = message
	Notification = notification
)

// Message maps info as Push does (the message before encoding).
func (c *Client) Message(info *push.OfflinePushInfo) (*message, error) { return c.wireMessage(info) }

// Duration is protoDuration.
func Duration(d time.Duration) string { return protoDuration(d) }

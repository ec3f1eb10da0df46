package transport

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShowMasksCredentials: a dry run's request has the endpoint applied
// and no credential left, in any header or in the body.
func TestShowMasksCredentials(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:9999/base")
	c.Redact("app-secret-value")
	r := &Request{
		URL: "https://api.vendor.example/v1/send?x=1",
		Header: http.Header{
			"Authorization": {"Bearer live-access-token"},
			"Authtoken":     {"vivo-token-123"},
			"X-Echo":        {"key app-secret-value"},
			"Content-Type":  {"application/x-www-form-urlencoded"},
		},
		Body: []byte("auth_token=live-access-token&secret=app-secret-value&title=hi"),
	}
	got := c.Show(r, []string{"tok"})
	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "http://127.0.0.1:9999/base/v1/send?x=1", got.URL)
	assert.Equal(t, "Bearer <redacted>", got.Header.Get("Authorization"))
	assert.Equal(t, "<redacted>", got.Header.Get("Authtoken"))
	assert.Equal(t, "key <redacted>", got.Header.Get("X-Echo"))
	assert.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
	assert.Equal(t, "auth_token=<redacted>&secret=<redacted>&title=hi", string(got.Body))
	assert.Equal(t, []string{"tok"}, got.Tokens)
	require.Equal(t, "Bearer live-access-token", r.Header.Get("Authorization"), "the request itself is not changed")
	assert.Contains(t, got.String(), "POST http://127.0.0.1:9999/base/v1/send?x=1\n")
	assert.NotContains(t, got.String(), "live-access-token")
}

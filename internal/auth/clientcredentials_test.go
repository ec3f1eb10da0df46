package auth

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/transport"
)

func TestClientCredentials(t *testing.T) {
	const secret = "s3cr&t=+%/é"
	tests := []struct {
		name     string
		status   int
		body     string
		wantLife time.Duration
		wantErr  error
		wantCode string
	}{
		{"expires_in number", 200, `{"access_token":"at","expires_in":3600,"token_type":"Bearer"}`, time.Hour, nil, ""},
		{"expires_in string", 200, `{"access_token":"at","expires_in":"7200"}`, 2 * time.Hour, nil, ""},
		{"expires_in missing", 200, `{"access_token":"at"}`, 30 * time.Minute, nil, ""},
		{"expires_in capped", 200, `{"access_token":"at","expires_in":9999999}`, 24 * time.Hour, nil, ""},
		{"huawei numeric error", 400, `{"error":1101,"sub_error":20001,"error_description":"invalid client"}`, 0, push.ErrAuth, "1101/20001"},
		{"oauth error in a 200", 200, `{"error":"invalid_client"}`, 0, push.ErrAuth, "invalid_client"},
		{"401", 401, ``, 0, push.ErrAuth, ""},
		{"503", 503, `<html>down</html>`, 0, push.ErrUnavailable, ""},
		{"garbage 200", 200, `not json`, 0, push.ErrUnavailable, ""},
		{"no token 200", 200, `{}`, 0, push.ErrUnavailable, ""},
		{"echoing proxy", 400, `{"error":"client_id=cid&client_secret=` + url.QueryEscape(secret) + `","error_description":"` + secret + `"}`, 0, push.ErrAuth, "client_id=<redacted>&client_secret=<redacted>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var form url.Values
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				form, _ = url.ParseQuery(string(b))
				assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			hc, err := transport.New("v", settings.New(push.WithEndpoint(srv.URL), push.WithRetry(push.NoRetry())), 1)
			require.NoError(t, err)
			now := time.Unix(1_700_000_000, 0)
			cc := &ClientCredentials{Vendor: "v", HTTP: hc, URL: "https://auth.example/token", ClientID: "cid", ClientSecret: secret,
				DefaultLifetime: 30 * time.Minute, Now: func() time.Time { return now }}
			tok, err := cc.Fetch(context.Background())
			assert.Equal(t, secret, form.Get("client_secret"), "the secret is form-encoded and decodes back exactly")
			assert.Equal(t, "client_credentials", form.Get("grant_type"))
			assert.Equal(t, "cid", form.Get("client_id"))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				var ve *push.VendorError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.wantCode, ve.Code)
				assert.NotContains(t, err.Error(), secret)
				assert.NotContains(t, err.Error(), url.QueryEscape(secret))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "at", tok.AccessToken)
			assert.Equal(t, now.Add(tt.wantLife), tok.Expiry)
		})
	}
}

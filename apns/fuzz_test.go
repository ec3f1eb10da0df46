package apns

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/fuzzkit"
	"github.com/offlinepush/push/pushtest"
)

// fuzzDeviceToken is a 32-byte device token in hex, as iOS reports them.
func fuzzDeviceToken(device string) string {
	sum := sha256.Sum256([]byte(device))
	return hex.EncodeToString(sum[:])
}

// fuzzJWT is a provider token shape with the given iat (decode reads only
// the claims, not the signature).
func fuzzJWT(iat int64) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"ES256","kid":"KEY1234567"}`)) + "." +
		enc.EncodeToString([]byte(`{"iss":"TEAM123456","iat":`+strconv.FormatInt(iat, 10)+`}`)) + ".c2ln"
}

// FuzzDecode: any answer for one device token decodes to one outcome for
// that token, accepted or of exactly one error class (an expired provider
// token is an ErrAuth, wrapping auth.ErrExpired when it may be re-signed).
func FuzzDecode(f *testing.F) {
	devTok := fuzzDeviceToken("alice-iphone")
	old, young := fuzzJWT(time.Now().Add(-2*time.Hour).Unix()), fuzzJWT(time.Now().Unix())
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, ``},
		{200, `{"junk":true}`},
		{400, `{"reason":"BadDeviceToken"}`},
		{400, `{"reason":"DeviceTokenNotForTopic"}`},
		{410, `{"reason":"Unregistered","timestamp":1700000000000}`},
		{410, `{"reason":"ExpiredToken","timestamp":-5}`},
		{410, `{"reason":"Unregistered","timestamp":9223372036854775807}`},
		{429, `{"reason":"TooManyRequests"}`},
		{429, `{"reason":"TooManyProviderTokenUpdates"}`},
		{403, `{"reason":"ExpiredProviderToken"}`},
		{403, `{"reason":"InvalidProviderToken"}`},
		{403, `{"reason":"MissingProviderToken"}`},
		{403, `{"reason":"BadCertificateEnvironment"}`},
		{413, `{"reason":"PayloadTooLarge"}`},
		{400, `{"reason":"BadTopic"}`},
		{400, `{"reason":"BadCollapseId"}`},
		{404, `{"reason":"BadPath"}`},
		{400, `{"reason":"IdleTimeout"}`},
		{500, `{"reason":"InternalServerError"}`},
		{503, `{"reason":"ServiceUnavailable"}`},
		{503, `{"reason":"Shutdown"}`},
		{400, `{"reason":5}`},
		{502, `<html>bad gateway</html>`},
	} {
		f.Add(s.status, "", []byte(s.body), devTok, old)
	}
	f.Add(403, "", []byte(`{"reason":"ExpiredProviderToken"}`), devTok, young)
	f.Add(403, "", []byte(`{"reason":"ExpiredProviderToken"}`), devTok, "not.a.jwt")
	f.Add(403, "", []byte(`{"reason":"ExpiredProviderToken"}`), devTok, "")
	f.Add(429, "7", []byte(`{"reason":"TooManyRequests"}`), "ab", old)
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff", "\xff.\xfe.\xfd")

	c, err := New(Config{TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: pushtest.APNsKey(), Topic: "com.example.chat"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, token, jwt string) {
		if token == "" {
			token = devTok // an empty token is never sent
		}
		fuzzkit.RequireOutcomes(t, []string{token}, []push.Outcome{c.decode(fuzzkit.Response(status, retryAfter, body), token, jwt)})
	})
}

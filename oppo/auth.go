package oppo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/transport"
)

// sign returns the auth signature: lowercase hex SHA-256 of appKey,
// timestamp (decimal milliseconds, as sent) and masterSecret, concatenated.
func sign(appKey, timestamp, masterSecret string) string {
	sum := sha256.Sum256([]byte(appKey + timestamp + masterSecret))
	return hex.EncodeToString(sum[:])
}

// authData is the data of the answer to /server/v1/auth. create_time is
// left out: it is a string in the PDF and a number in practice, and the
// expiry is counted from our own clock anyway.
type authData struct {
	AuthToken string `json:"auth_token"`
}

// fetchToken asks OPPO for an auth token. The request has no side effect,
// so it is retried even after a timeout.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	start := c.now()
	ts := strconv.FormatInt(start.UnixMilli(), 10)
	form := url.Values{
		"app_key":   {c.cfg.AppKey},
		"timestamp": {ts},
		"sign":      {sign(c.cfg.AppKey, ts, c.cfg.MasterSecret)},
	}
	resp, err := c.kit.HTTP.Do(ctx, &transport.Request{
		URL:        c.cfg.Host + AuthPath,
		Header:     formHeader(),
		Body:       []byte(form.Encode()),
		Idempotent: true,
		Auth:       true,
		Busy:       authBusy,
	})
	if err != nil {
		return nil, err
	}
	r, err := head[authData](resp, push.ErrUnavailable) // no device token here
	if err != nil {
		return nil, err
	}
	if r.Data.AuthToken == "" {
		return nil, &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Code: "0", Kind: push.ErrUnavailable,
			Message: "auth answer without data.auth_token"}
	}
	return &oauth2.Token{AccessToken: r.Data.AuthToken, Expiry: start.Add(TokenLifetime)}, nil
}

func formHeader() map[string][]string {
	return map[string][]string{"Content-Type": {"application/x-www-form-urlencoded;charset=UTF-8"}}
}

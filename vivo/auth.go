package vivo

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/internal/wire"
)

// sign returns the auth signature: the lowercase hex MD5 of appId, appKey,
// timestamp (Unix milliseconds, decimal) and appSecret, trimmed and
// concatenated.
func sign(appID, appKey string, timestamp int64, appSecret string) string {
	h := md5.New()
	h.Write([]byte(strings.TrimSpace(appID)))
	h.Write([]byte(strings.TrimSpace(appKey)))
	h.Write(strconv.AppendInt(nil, timestamp, 10))
	h.Write([]byte(strings.TrimSpace(appSecret)))
	return hex.EncodeToString(h.Sum(nil))
}

// authRequest is the body of /message/auth; appId and timestamp are JSON
// numbers, as the official SDK sends them.
type authRequest struct {
	AppID     int64  `json:"appId"`
	AppKey    string `json:"appKey"`
	Timestamp int64  `json:"timestamp"`
	Sign      string `json:"sign"`
}

// fetchToken gets a new authToken.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	resp, err := c.kit.HTTP.Do(ctx, &transport.Request{
		URL:        c.cfg.Host + AuthPath,
		Header:     http.Header{"Content-Type": {contentType}},
		Body:       c.authBody(c.now().UnixMilli()),
		Idempotent: true, // no side effect
		Auth:       true,
	})
	if err != nil {
		return nil, err
	}
	ans, err := decode(resp)
	if err != nil {
		var ve *push.VendorError
		if errors.As(err, &ve) {
			e := *ve
			e.Cause = nil // never auth.ErrExpired here: that would re-fetch in a loop
			e.Message = "auth: " + e.Message
			if e.HTTPStatus >= 400 && e.HTTPStatus < 500 && e.HTTPStatus != http.StatusTooManyRequests {
				e.Kind = push.ErrAuth
			}
			// The auth request carries no regId: its answer is never a
			// verdict on the token that was about to be pushed.
			return nil, noVerdict(&e, "the auth request carries no regId")
		}
		return nil, err
	}
	if ans.AuthToken == "" {
		return nil, &push.VendorError{Vendor: push.Vivo, HTTPStatus: resp.Status, Kind: push.ErrUnavailable,
			Message: "auth: the answer carries no authToken"}
	}
	// The expiry is counted from now on our clock, not the signing clock.
	return &oauth2.Token{AccessToken: ans.AuthToken, Expiry: time.Now().Add(TokenLifetime)}, nil
}

func (c *Client) authBody(timestamp int64) []byte {
	b, _ := wire.JSON(authRequest{
		AppID:     c.appID,
		AppKey:    c.cfg.AppKey,
		Timestamp: timestamp,
		Sign:      sign(strconv.FormatInt(c.appID, 10), c.cfg.AppKey, timestamp, c.cfg.AppSecret),
	})
	return b
}

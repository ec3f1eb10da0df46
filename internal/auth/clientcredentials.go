package auth

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/transport"
)

// ClientCredentials buys OAuth2 access tokens with the client-credentials
// grant (Huawei, Honor) through the vendor's transport, so the exchange gets
// the endpoint override, retries and timeouts of every other request. It is
// a Source for a Cache.
type ClientCredentials struct {
	Vendor       push.Vendor
	HTTP         *transport.Client
	URL          string // the token endpoint
	ClientID     string
	ClientSecret string
	// DefaultLifetime is assumed when the answer has no expires_in.
	DefaultLifetime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// tokenAnswer is an OAuth2 token answer, or an OAuth2 error. Vendors write
// error codes as strings or numbers (Huawei: {"error":1101,"sub_error":20001}).
type tokenAnswer struct {
	AccessToken string          `json:"access_token"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	Error       json.RawMessage `json:"error"`
	SubError    json.RawMessage `json:"sub_error"`
	Description string          `json:"error_description"`
}

// Fetch implements Source.
func (cc *ClientCredentials) Fetch(ctx context.Context) (*oauth2.Token, error) {
	now := time.Now
	if cc.Now != nil {
		now = cc.Now
	}
	start := now() // the lifetime counts from before the request: the safe end
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {cc.ClientID},
		"client_secret": {cc.ClientSecret},
	}
	resp, err := cc.HTTP.Do(ctx, &transport.Request{
		URL:        cc.URL,
		Header:     map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:       []byte(form.Encode()),
		Idempotent: true, // buying a token has no side effect
		Auth:       true,
	})
	if err != nil {
		return nil, err
	}
	var a tokenAnswer
	jerr := json.Unmarshal(resp.Body, &a)
	code := text(a.Error)
	if sub := text(a.SubError); sub != "" && code != "" {
		code += "/" + sub
	}
	code = payload.Truncate(cc.scrub(code), 64, payload.Bytes) // a code, not a document
	// Never echo the answer body itself: a broken proxy could reflect the form.
	msg := cc.scrub(a.Description)
	if msg == "" {
		msg = "access token request refused"
	}
	msg = "token request: " + msg
	switch {
	case resp.Status != 200:
		e := transport.StatusError(cc.Vendor, resp, code, msg)
		if e.Kind == push.ErrInvalidMessage {
			e.Kind = push.ErrAuth // a 4xx here means the credentials were refused
		}
		return nil, e
	case jerr != nil:
		return nil, &push.VendorError{Vendor: cc.Vendor, HTTPStatus: 200, Kind: push.ErrUnavailable, Message: "token request: unreadable answer"}
	case a.AccessToken == "" && code != "": // an OAuth error inside a 200
		return nil, &push.VendorError{Vendor: cc.Vendor, HTTPStatus: 200, Code: code, Kind: push.ErrAuth, Message: msg}
	case a.AccessToken == "":
		return nil, &push.VendorError{Vendor: cc.Vendor, HTTPStatus: 200, Kind: push.ErrUnavailable, Message: "token request: no access_token in the answer"}
	}
	life := cc.DefaultLifetime
	if secs, err := strconv.ParseFloat(text(a.ExpiresIn), 64); err == nil && secs > 0 {
		life = time.Duration(secs * float64(time.Second))
	}
	if life <= 0 {
		life = time.Hour
	}
	return &oauth2.Token{AccessToken: a.AccessToken, TokenType: "Bearer", Expiry: start.Add(min(life, 24*time.Hour))}, nil
}

// text reads a JSON string or number as text.
func text(raw json.RawMessage) string {
	return strings.Trim(strings.TrimSpace(string(raw)), `"`)
}

// scrub removes the credentials from vendor text before it goes into an
// error, in case an answer ever echoes the request.
func (cc *ClientCredentials) scrub(s string) string {
	for _, sec := range []string{cc.ClientSecret, cc.ClientID} {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "<redacted>")
			s = strings.ReplaceAll(s, url.QueryEscape(sec), "<redacted>")
		}
	}
	return strings.TrimSpace(s)
}

package fcm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"golang.org/x/oauth2/jwt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/pemkey"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/transport"
)

// serviceAccount is the part of the service-account key JSON this package
// reads itself, to name a missing field and the project before any I/O. The
// token exchange proper is golang.org/x/oauth2/google's.
type serviceAccount struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// parseServiceAccount checks the key JSON. Its errors never quote the key:
// they name the field and the rule only.
func parseServiceAccount(b []byte) (*serviceAccount, error) {
	v := push.FCM
	var sa serviceAccount
	if err := json.Unmarshal(b, &sa); err != nil {
		rule := "must be the service-account key JSON downloaded from the Firebase console"
		var se *json.SyntaxError
		if errors.As(err, &se) {
			rule += fmt.Sprintf(" (invalid JSON at byte %d)", se.Offset)
		}
		return nil, reject.Config(v, "CredentialsJSON", rule)
	}
	switch {
	case sa.Type != "service_account":
		return nil, reject.Config(v, "CredentialsJSON", fmt.Sprintf(`must be a service-account key ("type": "service_account"), not %q`, sa.Type))
	case strings.TrimSpace(sa.ClientEmail) == "":
		return nil, reject.Config(v, "CredentialsJSON", "has no client_email")
	case strings.TrimSpace(sa.PrivateKey) == "":
		return nil, reject.Config(v, "CredentialsJSON", "has no private_key")
	}
	if _, err := pemkey.RSA([]byte(sa.PrivateKey)); err != nil {
		return nil, reject.Config(v, "CredentialsJSON", "private_key "+err.Error()+" (Google signs with RS256, an RSA key)")
	}
	if sa.TokenURI == "" {
		sa.TokenURI = google.JWTTokenURL
	}
	if u, err := url.Parse(sa.TokenURI); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, reject.Config(v, "CredentialsJSON", "token_uri must be an absolute http(s) URL")
	}
	return &sa, nil
}

// tokenExchange is the auth.Source of a Client: it signs an RS256 JWT with
// the service account's key and exchanges it for an access token at the
// token URL, through the client's own transport (so WithEndpoint,
// WithHTTPClient, retries, timeouts and logging apply to it too).
type tokenExchange struct {
	// conf is the jwt.Config from google.JWTConfigFromJSON, its TokenURL
	// rewritten by WithEndpoint: the JWT audience names the URL it is
	// posted to.
	conf *jwt.Config
	// tokenURI is the credentials' own token URL; the transport applies the
	// endpoint rewrite to it once.
	tokenURI string
	http     *transport.Client
}

func newTokenExchange(creds []byte, sa *serviceAccount, hc *transport.Client) (*tokenExchange, error) {
	conf, err := google.JWTConfigFromJSON(creds, Scope)
	if err != nil {
		// parseServiceAccount has accepted the same JSON; do not echo the
		// library's text, which is not ours to keep free of key material.
		return nil, reject.Config(push.FCM, "CredentialsJSON", "is not a usable service-account key")
	}
	conf.TokenURL = hc.URL(sa.TokenURI)
	return &tokenExchange{conf: conf, tokenURI: sa.TokenURI, http: hc}, nil
}

// Fetch does one exchange. A fresh jwt TokenSource is made on every call:
// its ReuseTokenSource would otherwise keep serving a token the auth cache
// has dropped after FCM rejected it. The auth cache owns reuse.
func (x *tokenExchange) Fetch(ctx context.Context) (*oauth2.Token, error) {
	rt := &viaTransport{ctx: ctx, http: x.http, url: x.tokenURI}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: rt})
	tok, err := x.conf.TokenSource(hctx).Token()
	if err == nil && tok.AccessToken == "" && rt.resp != nil {
		// A 2xx answer without an access token (the jwt package does not
		// look for an OAuth error inside a 200, as some servers send).
		return nil, emptyTokenError(rt.resp)
	}
	if err == nil {
		return tok, nil
	}
	if rt.err != nil { // no answer at all: the transport's own error says why
		return nil, rt.err
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		return nil, tokenError(re.Response.StatusCode, re.Response.Header, re.Body)
	}
	// A 2xx answer we could not read. The library's text carries no secret
	// (it wraps a JSON syntax error), but keep it short.
	return nil, &push.VendorError{Vendor: push.FCM, HTTPStatus: http.StatusOK, Kind: push.ErrUnavailable,
		Message: "unreadable access-token answer", Cause: err}
}

// tokenError maps a non-2xx answer of the token endpoint. Google answers
// RFC 6749 errors ({"error":"invalid_grant","error_description":…}); a
// 4xx other than 429 means the key, the clock or the account is wrong.
func tokenError(status int, h http.Header, body []byte) error {
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &oe)
	e := transport.StatusError(push.FCM, &transport.Response{Status: status, Header: h, Body: body}, oe.Error, oe.Description)
	if status >= 400 && status < 500 && status != http.StatusTooManyRequests {
		e.Kind = push.ErrAuth
	}
	e.Message = "access token: " + e.Message
	return e
}

// emptyTokenError maps a 2xx token answer that has no access token. An
// RFC 6749 error code in it ({"error":"invalid_client"}) refused the
// service account like a 400 would: ErrAuth, but for the two codes that
// mean "try again" (server_error, temporarily_unavailable). Without a code
// the answer is broken: ErrUnavailable.
func emptyTokenError(r *transport.Response) error {
	var oe struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(r.Body, &oe)
	e := &push.VendorError{Vendor: push.FCM, HTTPStatus: r.Status, Code: oe.Error, Kind: push.ErrAuth,
		Message: "access token: " + oe.Error + " (in a 2xx answer without an access token)"}
	if oe.Description != "" {
		e.Message += ": " + oe.Description
	}
	switch oe.Error {
	case "":
		e.Kind, e.Message = push.ErrUnavailable, "access token: the answer has none"
	case "server_error", "temporarily_unavailable":
		e.Kind = push.ErrUnavailable
	}
	return e
}

// viaTransport is the http.RoundTripper the oauth2 library posts the
// assertion through: it hands the request to the client's transport.
type viaTransport struct {
	ctx  context.Context // the fetch's context; the library's request has none
	http *transport.Client
	url  string
	err  error               // the transport's error, when it got no answer
	resp *transport.Response // the answer, when there was one
}

func (t *viaTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	resp, err := t.http.Do(t.ctx, &transport.Request{
		Method:     req.Method,
		URL:        t.url,
		Header:     req.Header.Clone(),
		Body:       body,
		Idempotent: true, // a token request has no side effect
		Auth:       true,
	})
	if err != nil {
		t.err = err
		return nil, err
	}
	t.resp = resp
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", resp.Status, http.StatusText(resp.Status)),
		StatusCode:    resp.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        resp.Header,
		Body:          io.NopCloser(bytes.NewReader(resp.Body)),
		ContentLength: int64(len(resp.Body)),
		Request:       req,
	}, nil
}

// sendHeader is the header of every send made with one access token.
func sendHeader(access string) http.Header {
	return http.Header{
		"Authorization": {"Bearer " + access},
		"Content-Type":  {"application/json; charset=UTF-8"},
	}
}

package apns

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push/internal/pemkey"
)

// Provider token (JWT), as Apple specifies it:
//
//	header  {"alg":"ES256","kid":"<KeyID>"}
//	claims  {"iss":"<TeamID>","iat":<unix seconds>}
//
// signed with ECDSA P-256 over SHA-256, the signature being r||s (32 bytes
// each), every part base64url without padding.

// parseKey reads the .p8 PEM. Errors never quote the key.
func parseKey(p8 []byte) (*ecdsa.PrivateKey, error) {
	k, err := pemkey.P256(p8)
	switch {
	case errors.Is(err, pemkey.ErrNotPEM):
		return nil, errors.New("is not PEM: want the content of the .p8 file (-----BEGIN PRIVATE KEY-----)")
	case err != nil:
		return nil, fmt.Errorf("%w (APNs signs with ES256: the .p8 file's P-256 key)", err)
	}
	return k, nil
}

// signer makes provider tokens. It holds the parsed key behind a pointer, so
// even a raw print of a Client shows an address, not the key.
type signer struct {
	key    *ecdsa.PrivateKey
	header string // base64url of the JOSE header, fixed per key
	teamID string
	now    func() time.Time
}

func newSigner(key *ecdsa.PrivateKey, keyID, teamID string, now func() time.Time) *signer {
	h, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}{"ES256", keyID})
	return &signer{key: key, header: base64.RawURLEncoding.EncodeToString(h), teamID: teamID, now: now}
}

// String keeps the key out of any print.
func (s *signer) String() string { return "apns.signer{<redacted>}" }

// sign returns a provider token issued at iat.
func (s *signer) sign(iat time.Time) (string, error) {
	claims, _ := json.Marshal(struct {
		Iss string `json:"iss"`
		Iat int64  `json:"iat"`
	}{s.teamID, iat.Unix()})
	in := s.header + "." + base64.RawURLEncoding.EncodeToString(claims)
	sum := sha256.Sum256([]byte(in))
	r, ss, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		return "", errors.New("apns: signing the provider token failed")
	}
	var sig [64]byte
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return in + "." + base64.RawURLEncoding.EncodeToString(sig[:]), nil
}

// Fetch is the auth.Source of the token cache: a new token, valid for
// TokenLifetime from its iat.
func (s *signer) Fetch(context.Context) (*oauth2.Token, error) {
	iat := time.Unix(s.now().Unix(), 0) // whole seconds, as in the claim
	jwt, err := s.sign(iat)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: jwt, TokenType: "bearer", Expiry: iat.Add(TokenLifetime)}, nil
}

// issuedAt reads the iat claim of a provider token. ok is false for a token
// that is not a readable JWT (one from a caller's TokenSource, say).
func issuedAt(jwt string) (time.Time, bool) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var c struct {
		Iat *int64 `json:"iat"`
	}
	if json.Unmarshal(b, &c) != nil || c.Iat == nil {
		return time.Time{}, false
	}
	return time.Unix(*c.Iat, 0), true
}

func bearer(jwt string) http.Header { return http.Header{"Authorization": {"bearer " + jwt}} }

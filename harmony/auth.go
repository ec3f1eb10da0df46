package harmony

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
)

// Audience is the JWT "aud" claim Huawei requires (fixed by the docs; the
// key file's token_uri holds the same URL).
const Audience = "https://oauth-login.cloud.huawei.com/oauth2/v3/token"

type jwtHeader struct {
	KeyID string `json:"kid"`
	Type  string `json:"typ"`
	Alg   string `json:"alg"`
}

type jwtClaims struct {
	Aud string `json:"aud"`
	Iss string `json:"iss"`
	Exp int64  `json:"exp"`
	Iat int64  `json:"iat"`
}

// signJWT is the auth.Source: it signs a fresh JWT (no HTTP). The cache
// keeps it until RefreshEarly before exp.
func (c *Client) signJWT(context.Context) (*oauth2.Token, error) {
	now := c.now()
	jwt, err := c.sign(now)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: jwt, TokenType: "Bearer", Expiry: now.Add(JWTLifetime)}, nil
}

// sign returns header.payload.signature, signed RSASSA-PSS with SHA-256
// and a 32-byte salt (PS256, RFC 7518 §3.5).
func (c *Client) sign(now time.Time) (string, error) {
	iat := now.Unix()
	h, _ := json.Marshal(jwtHeader{KeyID: c.keyID, Type: "JWT", Alg: "PS256"})
	p, _ := json.Marshal(jwtClaims{Aud: Audience, Iss: c.subAccount, Exp: iat + int64(JWTLifetime/time.Second), Iat: iat})
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, c.key, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	if err != nil {
		return "", &push.VendorError{Vendor: push.Harmony, Kind: push.ErrAuth, Message: "signing the JWT failed", Cause: err}
	}
	return input + "." + enc.EncodeToString(sig), nil
}

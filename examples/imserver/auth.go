package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Auth tells who sent a request. KeyAuth is the example's scheme; an IM
// server with its own sessions implements these methods over them.
type Auth interface {
	// Backend reports whether r carries the IM backend's credentials.
	Backend(r *http.Request) bool
	// User returns the app user r is signed in as.
	User(r *http.Request) (user string, ok bool)
	// Login issues a token the app of user signs its requests with.
	Login(user string) (token string, expires time.Time, err error)
	// Logout makes every token issued to user so far stop working.
	Logout(user string)
}

// KeyAuth is a small Auth: the IM backend sends "Authorization: Bearer
// <API key>"; an app sends "Authorization: Bearer <user token>", a token
// the backend got for it from /v1/login: the user id, an expiry and the
// user's session generation, signed with HMAC-SHA256 under a key that never
// leaves the server. Logout bumps the generation, so the user's earlier
// tokens stop working. The generations are kept in memory: a restart
// forgets logouts (tokens still expire), and several instances need the
// same signing key and a shared session store.
type KeyAuth struct {
	apiKey  [sha256.Size]byte // hashed: compared in constant time whatever its length
	signing []byte
	ttl     time.Duration
	now     func() time.Time

	mu  sync.Mutex
	gen map[string]uint64
}

var _ Auth = (*KeyAuth)(nil)

// NewKeyAuth returns a KeyAuth. apiKey is given to the IM backend (at
// least 16 characters); signingKey signs user tokens (at least 32 bytes,
// random); user tokens last ttl.
func NewKeyAuth(apiKey string, signingKey []byte, ttl time.Duration) (*KeyAuth, error) {
	if len(apiKey) < 16 {
		return nil, errors.New("the API key must have at least 16 characters")
	}
	if len(signingKey) < 32 {
		return nil, errors.New("the signing key must have at least 32 bytes")
	}
	if ttl <= 0 {
		return nil, errors.New("the token lifetime must be positive")
	}
	return &KeyAuth{apiKey: sha256.Sum256([]byte(apiKey)), signing: signingKey, ttl: ttl, now: time.Now, gen: map[string]uint64{}}, nil
}

// RandomKey returns n random bytes, for a signing key.
func RandomKey(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// Backend implements Auth.
func (a *KeyAuth) Backend(r *http.Request) bool {
	got := sha256.Sum256([]byte(bearer(r)))
	return subtle.ConstantTimeCompare(got[:], a.apiKey[:]) == 1
}

// claims are what a user token says, signed.
type claims struct {
	User    string `json:"sub"`
	Expires int64  `json:"exp"` // Unix seconds
	Gen     uint64 `json:"gen"`
}

// MaxUserLen bounds a user id.
const MaxUserLen = 128

// Login implements Auth.
func (a *KeyAuth) Login(user string) (string, time.Time, error) {
	if user == "" || len(user) > MaxUserLen || !utf8.ValidString(user) {
		return "", time.Time{}, errors.New("user must be 1 to 128 bytes of UTF-8")
	}
	a.mu.Lock()
	gen := a.gen[user]
	a.mu.Unlock()
	exp := a.now().Add(a.ttl).Truncate(time.Second)
	payload, _ := json.Marshal(claims{User: user, Expires: exp.Unix(), Gen: gen})
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(a.sign(p)), exp, nil
}

func (a *KeyAuth) sign(payload string) []byte {
	m := hmac.New(sha256.New, a.signing)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// User implements Auth: the token's signature, expiry and generation are
// checked, in that order (nothing of an unsigned token is believed).
func (a *KeyAuth) User(r *http.Request) (string, bool) {
	p, sig, ok := strings.Cut(bearer(r), ".")
	if !ok {
		return "", false
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, a.sign(p)) {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	var c claims
	if err != nil || json.Unmarshal(raw, &c) != nil || c.User == "" {
		return "", false
	}
	if a.now().Unix() >= c.Expires {
		return "", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c.Gen != a.gen[c.User] {
		return "", false // logged out since
	}
	return c.User, true
}

// Logout implements Auth.
func (a *KeyAuth) Logout(user string) {
	a.mu.Lock()
	a.gen[user]++
	a.mu.Unlock()
}

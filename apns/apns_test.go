package apns

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/pushtest"
)

const (
	teamID = "TEAM123456"
	keyID  = "KEY1234567"
	topic  = "com.example.chat"
)

// t0 is the reference example's iat.
var t0 = time.Unix(1700000000, 0)

// clock is a settable clock shared by the client and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	srv *pushtest.APNs
	c   *Client
	clk *clock
	key []byte
}

var fastRetry = push.WithRetry(push.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: 2 * time.Second})

// newEnv starts a fake APNs and a client pointed at it, both on one clock.
func newEnv(t testing.TB, mod func(*Config), opts ...push.Option) *env {
	t.Helper()
	key := pushtest.APNsKey()
	srv := pushtest.NewAPNs(teamID, keyID, key, topic)
	t.Cleanup(srv.Close)
	cfg := Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic}
	if mod != nil {
		mod(&cfg)
	}
	opts = append([]push.Option{push.WithEndpoint(srv.URL()), push.WithHTTPClient(srv.Client()), fastRetry}, opts...)
	c, err := New(cfg, opts...)
	require.NoError(t, err)
	clk := &clock{t: t0}
	c.setClock(clk.Now)
	srv.SetClock(clk.Now)
	return &env{srv: srv, c: c, clk: clk, key: key}
}

// tok returns a realistic 32-byte hex device token.
func tok(name string) string {
	s := sha256.Sum256([]byte(name))
	return fmt.Sprintf("%x", s[:])
}

func info() *push.OfflinePushInfo {
	return &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"}
}

// dumps renders the recorded send requests, ordered by path, for golden files.
func dumps(srv *pushtest.APNs) []byte {
	recs := srv.Sends()
	slices.SortFunc(recs, func(a, b pushtest.Record) int { return strings.Compare(a.Path, b.Path) })
	var b bytes.Buffer
	for _, r := range recs {
		b.WriteString(r.Dump())
		b.WriteString("\n----\n")
	}
	return b.Bytes()
}

func TestGoldenWire(t *testing.T) {
	ext := `{"entity":{"chatType":1,"sender":"alice"}}`
	cases := []struct {
		name   string
		mod    func(*Config)
		info   push.OfflinePushInfo
		tokens int
	}{
		{name: "default", info: push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"}, tokens: 1},
		{name: "default_3tokens", info: push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"}, tokens: 3},
		{name: "open_app", info: push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Click: push.ClickAction{Kind: push.ClickOpenApp}}, tokens: 1},
		{name: "sound_ext", info: push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", IOSSound: "apns.mp3", Ext: ext}, tokens: 1},
		{name: "no_sound", info: push.OfflinePushInfo{Desc: "no title, silent", IOSSound: NoSound}, tokens: 1},
		{name: "url", info: push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: ext,
			Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat?u=alice&x=<1>"}}, tokens: 1},
		{name: "url_from_config", mod: func(c *Config) {
			c.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/inbox"}
		}, info: push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"}, tokens: 1},
		{name: "page", info: push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: ext,
			Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent://chat#Intent;component=com.example.chat/.ChatActivity;end"}}, tokens: 1},
		{name: "full_3tokens", mod: func(c *Config) {
			c.MutableContent, c.Priority, c.Sandbox = true, PriorityNormal, true
		}, info: push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: ext, IOSSound: "default",
			Badge: 3, CollapseID: "c2c_alice", TTL: time.Hour, ID: "msg-42"}, tokens: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.mod)
			var tokens []string
			for i := range tc.tokens {
				tokens = append(tokens, tok(fmt.Sprint("device", i)))
			}
			in := tc.info
			res, err := e.c.Push(context.Background(), &in, tokens...)
			require.NoError(t, err)
			require.Equal(t, tc.tokens, res.Delivered(), "%v", res.Err())
			require.Len(t, e.srv.Sends(), tc.tokens, "one request per token")
			golden.Assert(t, tc.name+".golden", dumps(e.srv))
		})
	}
}

// TestReferenceExample checks the fields of the reference's example request
// one by one.
func TestReferenceExample(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MutableContent = true })
	in := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", IOSSound: "default", Badge: 3,
		CollapseID: "c2c_alice", TTL: 24 * time.Hour, Ext: `{"entity":{"chatType":1}}`}
	token := tok("alice")
	res, err := e.c.Push(context.Background(), in, token)
	require.NoError(t, err)
	require.NoError(t, res.Err())

	sends := e.srv.Sends()
	require.Len(t, sends, 1)
	r := sends[0]
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/3/device/"+token, r.Path)
	assert.Equal(t, topic, r.Header.Get("apns-topic"))
	assert.Equal(t, "alert", r.Header.Get("apns-push-type"))
	assert.Equal(t, "10", r.Header.Get("apns-priority"))
	assert.Equal(t, fmt.Sprint(t0.Add(24*time.Hour).Unix()), r.Header.Get("apns-expiration"))
	assert.Equal(t, "c2c_alice", r.Header.Get("apns-collapse-id"))
	assert.Empty(t, r.Header.Get("apns-id"), "no ID: APNs makes the apns-id")
	assert.True(t, strings.HasPrefix(r.Header.Get("authorization"), "bearer ey"))

	var p struct {
		APS struct {
			Alert struct {
				Title, Body string
			} `json:"alert"`
			Sound          string `json:"sound"`
			Badge          int    `json:"badge"`
			MutableContent int    `json:"mutable-content"`
		} `json:"aps"`
		Ext string `json:"ext"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &p))
	assert.Equal(t, "Alice", p.APS.Alert.Title)
	assert.Equal(t, "See you at 8?", p.APS.Alert.Body)
	assert.Equal(t, "default", p.APS.Sound)
	assert.Equal(t, 3, p.APS.Badge)
	assert.Equal(t, 1, p.APS.MutableContent)
	assert.Equal(t, `{"entity":{"chatType":1}}`, p.Ext, "ext is a top-level string")
	assert.Len(t, res.Outcomes[0].MessageID, 36, "the apns-id answer header is the MessageID")
}

// TestProviderTokenVector checks the JWT against the reference example:
// header {"alg":"ES256","kid":"ABC123DEFG"}, claims {"iss":"DEF123GHIJ",
// "iat":1700000000}, and an r||s signature that verifies.
func TestProviderTokenVector(t *testing.T) {
	k, err := parseKey(pushtest.APNsKey())
	require.NoError(t, err)
	s := newSigner(k, "ABC123DEFG", "DEF123GHIJ", func() time.Time { return t0.Add(700 * time.Millisecond) })
	tk, err := s.Fetch(context.Background())
	require.NoError(t, err)
	parts := strings.Split(tk.AccessToken, ".")
	require.Len(t, parts, 3)
	assert.Equal(t, "eyJhbGciOiJFUzI1NiIsImtpZCI6IkFCQzEyM0RFRkcifQ", parts[0])
	assert.Equal(t, "eyJpc3MiOiJERUYxMjNHSElKIiwiaWF0IjoxNzAwMDAwMDAwfQ", parts[1])
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	require.Len(t, sig, 64)
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	assert.True(t, ecdsa.Verify(&k.PublicKey, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])))
	assert.Equal(t, t0.Add(TokenLifetime), tk.Expiry, "re-signed 50 minutes after iat")
	iat, ok := issuedAt(tk.AccessToken)
	assert.True(t, ok)
	assert.Equal(t, t0, iat)
	_, ok = issuedAt("opaque-token")
	assert.False(t, ok)
}

func TestNewRejectsBadConfig(t *testing.T) {
	key := pushtest.APNsKey()
	p384 := func() []byte { // an EC key on the wrong curve
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		require.NoError(t, err)
		der, err := x509.MarshalPKCS8PrivateKey(k)
		require.NoError(t, err)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}()
	good := Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic}
	cases := []struct {
		field string
		mod   func(*Config)
		opts  []push.Option
	}{
		{"TeamID", func(c *Config) { c.TeamID = "" }, nil},
		{"TeamID", func(c *Config) { c.TeamID = "TEAM" }, nil},
		{"KeyID", func(c *Config) { c.KeyID = "KEY 123456" }, nil},
		{"PrivateKey", func(c *Config) { c.PrivateKey = nil }, nil},
		{"PrivateKey", func(c *Config) { c.PrivateKey = []byte("MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg") }, nil},
		{"PrivateKey", func(c *Config) { c.PrivateKey = p384 }, nil},
		{"PrivateKey", func(c *Config) { c.PrivateKey = bytes.ReplaceAll(key, []byte("PRIVATE"), []byte("PUBLIC")) }, nil},
		{"PrivateKey", func(c *Config) { c.PrivateKey = bytes.Replace(key, []byte("M"), []byte("A"), 1) }, nil},
		{"Topic", func(c *Config) { c.Topic = "" }, nil},
		{"Topic", func(c *Config) { c.Topic = "com.example.chat.voip" }, nil},
		{"Priority", func(c *Config) { c.Priority = 7 }, nil},
		{"TTL", func(c *Config) { c.TTL = -time.Second }, nil},
		{"Click", func(c *Config) { c.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "chat/alice"} }, nil},
		{"WithEndpoint", nil, []push.Option{push.WithEndpoint("ftp://proxy")}},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			cfg := good
			if tc.mod != nil {
				tc.mod(&cfg)
			}
			_, err := New(cfg, tc.opts...)
			require.Error(t, err)
			assert.ErrorIs(t, err, push.ErrConfig)
			assert.Contains(t, err.Error(), tc.field)
			assertNoKey(t, key, err.Error())
		})
	}
	_, err := New(good)
	assert.NoError(t, err)
}

// assertNoKey fails when s holds any line of the PEM key.
func assertNoKey(t *testing.T, key []byte, s string) {
	t.Helper()
	for _, line := range strings.Split(string(key), "\n") {
		if len(line) > 16 && !strings.HasPrefix(line, "-----") {
			assert.NotContains(t, s, line)
			assert.NotContains(t, s, line[:16])
		}
	}
}

func TestPrintsNoSecrets(t *testing.T) {
	e := newEnv(t, nil)
	cfg := Config{TeamID: teamID, KeyID: keyID, PrivateKey: e.key, Topic: topic}
	jwt, err := e.c.auth.Token(context.Background())
	require.NoError(t, err)
	var out []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		out = append(out, fmt.Sprintf(f, cfg), fmt.Sprintf(f, &cfg), fmt.Sprintf(f, e.c), fmt.Sprintf(f, []Config{cfg}),
			fmt.Sprintf(f, struct{ C Config }{cfg}), fmt.Sprintf(f, e.c.signer))
	}
	all := strings.Join(out, "\n")
	assertNoKey(t, e.key, all)
	assert.NotContains(t, all, jwt.AccessToken)
	assert.Contains(t, fmt.Sprint(cfg), "<redacted>")
	assert.Contains(t, fmt.Sprint(e.c), topic)
}

func TestInvalidTokensExactly(t *testing.T) {
	e := newEnv(t, nil)
	good1, good2, gone := tok("good1"), tok("good2"), tok("uninstalled")
	short := "abcd" // hex, but no APNs token: the fake answers BadDeviceToken
	e.srv.Invalidate(gone)
	tokens := []string{good1, "not-hex/../x", short, gone, good2, "", good1}
	res, err := e.c.Push(context.Background(), info(), tokens...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(tokens))
	for i, o := range res.Outcomes {
		assert.Equal(t, tokens[i], o.Token)
	}
	assert.Equal(t, []string{"not-hex/../x", short, gone, ""}, res.InvalidTokens())
	assert.Equal(t, 3, res.Delivered())
	assert.NoError(t, res.Outcomes[0].Err)
	assert.NoError(t, res.Outcomes[4].Err)
	assert.NoError(t, res.Outcomes[6].Err)
	assert.Equal(t, res.Outcomes[0].MessageID, res.Outcomes[6].MessageID, "a duplicate shares the one send")

	var ve *push.VendorError
	require.ErrorAs(t, res.Outcomes[2].Err, &ve)
	assert.Equal(t, 400, ve.HTTPStatus)
	assert.Equal(t, "BadDeviceToken", ve.Code)

	require.ErrorAs(t, res.Outcomes[3].Err, &ve)
	assert.Equal(t, 410, ve.HTTPStatus)
	assert.Equal(t, "Unregistered", ve.Code)
	var ie *InactiveError
	require.ErrorAs(t, res.Outcomes[3].Err, &ie)
	assert.Equal(t, t0, ie.Since)

	require.ErrorAs(t, res.Outcomes[1].Err, &ve)
	assert.Equal(t, 0, ve.HTTPStatus, "not sent")

	// not-hex and empty tokens never reach the wire
	assert.Len(t, e.srv.Sends(), 4)
	assert.Equal(t, map[string]int{good1: 1, good2: 1}, e.srv.Delivered())
}

func TestConcurrentPushesShareOneProviderToken(t *testing.T) {
	e := newEnv(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.c.Push(context.Background(), info(), tok(fmt.Sprint("a", i)), tok(fmt.Sprint("b", i)))
			if err == nil {
				err = res.Err()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, e.c.auth.Fetches(), "one signature")
	assert.Equal(t, 1, e.srv.Signatures(), "one distinct JWT on the wire")
	assert.Len(t, e.srv.Delivered(), 100)
}

func TestProviderTokenReSignedAfter50Minutes(t *testing.T) {
	e := newEnv(t, nil)
	push1 := func() {
		t.Helper()
		res, err := e.c.Push(context.Background(), info(), tok("x"))
		require.NoError(t, err)
		require.NoError(t, res.Err())
	}
	push1()
	e.clk.Add(49 * time.Minute)
	push1()
	assert.Equal(t, 1, e.srv.Signatures(), "still the first token at 49 min")
	e.clk.Add(2 * time.Minute)
	push1()
	assert.Equal(t, 2, e.srv.Signatures(), "re-signed at 50 min")
	assert.EqualValues(t, 2, e.c.auth.Fetches())
}

func TestExpiredProviderTokenReSignsOnce(t *testing.T) {
	e := newEnv(t, nil)
	token := tok("x")
	_, err := e.c.Push(context.Background(), info(), tok("warm-up"))
	require.NoError(t, err)
	e.clk.Add(30 * time.Minute) // old enough to re-sign (≥ 20 min), not yet due (< 50)
	e.srv.Inject(pushtest.Fault{Code: "ExpiredProviderToken"})
	res, err := e.c.Push(context.Background(), info(), token)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.EqualValues(t, 2, e.c.auth.Fetches(), "exactly one re-sign")
	assert.Equal(t, 2, e.srv.Signatures())
	assert.Len(t, e.srv.Sends(), 3, "warm-up, rejected, resent")
	assert.Equal(t, 1, e.srv.Delivered()[token], "delivered once")
}

// TestExpiredProviderTokenClockSkew lets the fake's clock run 35 minutes
// ahead: it rejects the 30-minute-old token for real; the fresh one passes.
func TestExpiredProviderTokenClockSkew(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.c.Push(context.Background(), info(), tok("warm-up"))
	require.NoError(t, err)
	e.clk.Add(30 * time.Minute)
	e.srv.SetClock(func() time.Time { return e.clk.Now().Add(35 * time.Minute) })
	token := tok("x")
	res, err := e.c.Push(context.Background(), info(), token)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.EqualValues(t, 2, e.c.auth.Fetches())
	assert.Equal(t, 1, e.srv.Delivered()[token])
}

// TestExpiredProviderTokenTooYoung: a token signed less than 20 minutes ago
// is not re-signed (Apple would answer TooManyProviderTokenUpdates); the
// error says to check the clock.
func TestExpiredProviderTokenTooYoung(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.c.Push(context.Background(), info(), tok("warm-up"))
	require.NoError(t, err)
	e.clk.Add(5 * time.Minute)
	e.srv.Inject(pushtest.Fault{Code: "ExpiredProviderToken", Times: -1})
	res, err := e.c.Push(context.Background(), info(), tok("x"))
	require.NoError(t, err)
	err = res.Err()
	assert.ErrorIs(t, err, push.ErrAuth)
	assert.NotErrorIs(t, err, auth.ErrExpired)
	assert.Contains(t, err.Error(), "clock")
	assert.EqualValues(t, 1, e.c.auth.Fetches(), "not re-signed")
	assert.Len(t, e.srv.Sends(), 2)
}

// TestExpiredProviderTokenTwice: after one re-sign the second rejection is
// returned, and the new (young) token is not re-signed again.
func TestExpiredProviderTokenTwice(t *testing.T) {
	e := newEnv(t, nil)
	_, err := e.c.Push(context.Background(), info(), tok("warm-up"))
	require.NoError(t, err)
	e.clk.Add(30 * time.Minute)
	e.srv.Inject(pushtest.Fault{Code: "ExpiredProviderToken", Times: 3})
	res, err := e.c.Push(context.Background(), info(), tok("x"))
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	assert.EqualValues(t, 2, e.c.auth.Fetches())
	res, err = e.c.Push(context.Background(), info(), tok("y"))
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	assert.EqualValues(t, 2, e.c.auth.Fetches(), "young token: no second re-sign")
	assert.Len(t, e.srv.Sends(), 4)
}

// TestErrorMapping walks the whole verdict table: the fake answers each
// reason with the status Apple uses, and the outcome gets the table's class.
func TestErrorMapping(t *testing.T) {
	// Pinned here as well as in the table, so a change of either shows.
	want := map[string]error{
		"BadDeviceToken": push.ErrInvalidToken, "Unregistered": push.ErrInvalidToken, "ExpiredToken": push.ErrInvalidToken,
		"DeviceTokenNotForTopic": push.ErrAuth, "BadTopic": push.ErrAuth, "TopicDisallowed": push.ErrAuth, "MissingTopic": push.ErrAuth,
		"TooManyRequests": push.ErrRateLimited, "TooManyProviderTokenUpdates": push.ErrRateLimited,
		"InvalidProviderToken": push.ErrAuth, "MissingProviderToken": push.ErrAuth, "BadCertificate": push.ErrAuth,
		"BadCertificateEnvironment": push.ErrAuth, "Forbidden": push.ErrAuth, "UnrelatedKeyIdInToken": push.ErrAuth,
		"BadEnvironmentKeyIdInToken": push.ErrAuth, "ExpiredProviderToken": push.ErrAuth,
		"PayloadTooLarge": push.ErrInvalidMessage, "BadCollapseId": push.ErrInvalidMessage, "BadExpirationDate": push.ErrInvalidMessage,
		"BadMessageId": push.ErrInvalidMessage, "BadPriority": push.ErrInvalidMessage, "DuplicateHeaders": push.ErrInvalidMessage,
		"InvalidPushType": push.ErrInvalidMessage, "MissingDeviceToken": push.ErrInvalidMessage, "PayloadEmpty": push.ErrInvalidMessage,
		"BadPath": push.ErrInvalidMessage, "MethodNotAllowed": push.ErrInvalidMessage,
		"IdleTimeout": push.ErrUnavailable, "InternalServerError": push.ErrUnavailable,
		"ServiceUnavailable": push.ErrUnavailable, "Shutdown": push.ErrUnavailable,
		"SomethingNew": push.ErrInvalidMessage, // unknown reason on a 400: by the status
	}
	for reason := range reasons {
		require.Contains(t, want, reason, "a reason of the table is not pinned here")
	}
	for reason, kind := range want {
		t.Run(reason, func(t *testing.T) {
			e := newEnv(t, nil, push.WithRetry(push.NoRetry()))
			e.srv.Inject(pushtest.Fault{Code: reason})
			res, err := e.c.Push(context.Background(), info(), tok("x"))
			require.NoError(t, err)
			err = res.Err()
			require.ErrorIs(t, err, kind)
			var ve *push.VendorError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, push.APNs, ve.Vendor)
			if r, ok := reasons[reason]; ok {
				assert.Equal(t, r.Status, ve.HTTPStatus, "the table's status is the one APNs (and the fake) answer")
				assert.Equal(t, r.Class, kind)
				if reason != "ExpiredProviderToken" { // a young token: the message says why it is not re-signed
					assert.Contains(t, ve.Message, r.Meaning)
				}
			}
			assert.Equal(t, reason, ve.Code)
			assert.Equal(t, kind == push.ErrRateLimited || kind == push.ErrUnavailable, push.IsRetryable(err))
			assert.EqualValues(t, 1, e.c.auth.Fetches(), "no re-sign")
			assert.Len(t, e.srv.Sends(), 1)
		})
	}
}

// TestDeviceTokenNotForTopicKeepsToken (issue 12 finding 4): a token of
// another topic is a configuration problem (Config.Topic), never a dead
// token, even for one token alone and with the guard off.
func TestDeviceTokenNotForTopicKeepsToken(t *testing.T) {
	e := newEnv(t, nil, push.WithRetry(push.NoRetry()), push.WithMisconfigGuard(0))
	e.srv.Inject(pushtest.Fault{Code: "DeviceTokenNotForTopic"})
	res, err := e.c.Push(context.Background(), info(), tok("x"))
	require.NoError(t, err)
	err = res.Err()
	require.ErrorIs(t, err, push.ErrAuth)
	assert.NotErrorIs(t, err, push.ErrInvalidToken)
	assert.Empty(t, res.InvalidTokens())
	assert.Contains(t, err.Error(), "Config.Topic")
	assert.Contains(t, err.Error(), "token kept")
}

// TestWrongEnvironmentKeepsTokens (issue 12 finding 4): with Config.Sandbox
// wrong, Apple answers BadDeviceToken for every token. One such answer is a
// verdict; a run of them with none accepted is a misconfiguration: at most
// the guard's limit of tokens is reported dead, the rest are ErrAuth naming
// Config.Sandbox and Config.Topic. A genuine dead token among live ones
// stays dead.
func TestWrongEnvironmentKeepsTokens(t *testing.T) {
	tokens := make([]string, 40)
	for i := range tokens {
		tokens[i] = tok(fmt.Sprint("live-", i))
	}
	t.Run("misconfigured", func(t *testing.T) {
		e := newEnv(t, nil, push.WithConcurrency(1)) // one at a time: the run is counted in order
		e.srv.SetMisconfigured(true)
		res, err := e.c.Push(context.Background(), info(), tokens...)
		require.NoError(t, err)
		dead := res.InvalidTokens()
		assert.Len(t, dead, push.DefaultMisconfigGuard, "the first verdicts stand, the run trips the guard")
		for _, o := range res.Outcomes {
			require.Error(t, o.Err)
			if errors.Is(o.Err, push.ErrInvalidToken) {
				continue
			}
			require.ErrorIs(t, o.Err, push.ErrAuth)
			var ve *push.VendorError
			require.ErrorAs(t, o.Err, &ve)
			assert.Equal(t, "BadDeviceToken", ve.Code)
			assert.Contains(t, ve.Message, "likely a misconfiguration")
			assert.Contains(t, ve.Message, "Config.Sandbox")
			assert.Contains(t, ve.Message, "Config.Topic")
		}
	})
	t.Run("genuine dead token among live ones", func(t *testing.T) {
		e := newEnv(t, nil)
		e.srv.Inject(pushtest.Fault{Code: "BadDeviceToken"})
		res, err := e.c.Push(context.Background(), info(), tokens[0])
		require.NoError(t, err)
		assert.Equal(t, []string{tokens[0]}, res.InvalidTokens(), "one token, one verdict")
		e.srv.Invalidate(tokens[1], tokens[2])
		res, err = e.c.Push(context.Background(), info(), tokens...)
		require.NoError(t, err)
		assert.ElementsMatch(t, tokens[1:3], res.InvalidTokens())
	})
}

func TestTooManyProviderTokenUpdatesDoesNotReSign(t *testing.T) {
	e := newEnv(t, nil)
	e.clk.Add(0)
	e.srv.Inject(pushtest.Fault{Code: "TooManyProviderTokenUpdates", Times: -1})
	res, err := e.c.Push(context.Background(), info(), tok("x"))
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrRateLimited)
	assert.EqualValues(t, 1, e.c.auth.Fetches())
	assert.Equal(t, 3, len(e.srv.Sends()), "429 retried with the same token (2 retries), never re-signed")
}

func TestRetryAfterHonoured(t *testing.T) {
	e := newEnv(t, nil, push.WithRetry(push.RetryPolicy{MaxRetries: 1, MinBackoff: time.Millisecond,
		MaxBackoff: time.Millisecond, MaxRetryAfter: 2 * time.Second}))
	e.srv.Inject(pushtest.Fault{Code: "TooManyRequests", RetryAfter: time.Second})
	token := tok("x")
	start := time.Now()
	res, err := e.c.Push(context.Background(), info(), token)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "waited as Retry-After asked")
	assert.Len(t, e.srv.Sends(), 2)
	assert.Equal(t, 1, e.srv.Delivered()[token])
}

func TestRetryAfterTooLongIsReturned(t *testing.T) {
	e := newEnv(t, nil, push.WithRetry(push.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond,
		MaxBackoff: time.Millisecond, MaxRetryAfter: 100 * time.Millisecond}))
	e.srv.Inject(pushtest.Fault{Code: "TooManyRequests", RetryAfter: 30 * time.Second})
	res, err := e.c.Push(context.Background(), info(), tok("x"))
	require.NoError(t, err)
	var ve *push.VendorError
	require.ErrorAs(t, res.Err(), &ve)
	assert.ErrorIs(t, ve, push.ErrRateLimited)
	assert.Equal(t, 30*time.Second, ve.RetryAfter)
	assert.Len(t, e.srv.Sends(), 1, "not slept, not retried")
}

func TestServerErrorThenSuccessDeliveredOnce(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Inject(pushtest.Fault{Code: "ServiceUnavailable"}, pushtest.Fault{Code: "InternalServerError"})
	token := tok("x")
	res, err := e.c.Push(context.Background(), info(), token)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Len(t, e.srv.Sends(), 3)
	assert.Equal(t, map[string]int{token: 1}, e.srv.Delivered())
}

// TestResetNotResent: APNs does not dedupe, so a request that may have
// arrived is reported, not sent twice.
func TestResetNotResent(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.Inject(pushtest.Fault{Reset: true})
	res, err := e.c.Push(context.Background(), info(), tok("x"))
	require.NoError(t, err)
	var ve *push.VendorError
	require.ErrorAs(t, res.Err(), &ve)
	assert.ErrorIs(t, ve, push.ErrUnavailable)
	assert.True(t, ve.PossiblyDelivered)
	assert.Len(t, e.srv.Sends(), 1)
}

// alertOf decodes a payload's alert.
func alertOf(t *testing.T, body []byte) alert {
	t.Helper()
	var p payload
	require.NoError(t, json.Unmarshal(body, &p))
	return p.APS.Alert
}

// TestLongTextsFitPayload (issue 12 finding 8): a message over APNs' 4096
// bytes is shortened to fit (the body first, then the title, at a
// character boundary, ending with "…") and delivered, for CJK, emoji and
// mixed text; Ext and Click.URL are never cut. Exactly 4096 bytes is sent as
// is.
func TestLongTextsFitPayload(t *testing.T) {
	e := newEnv(t, nil)
	base, err := e.c.build(&push.OfflinePushInfo{Title: "Alice", Desc: "hi", Ext: "x"})
	require.NoError(t, err)
	fill := MaxPayload - len(base.Payload) + 1 // Ext length that makes exactly MaxPayload bytes
	ext := strings.Repeat("x", fill)
	mixed := strings.Repeat("Hi \"你好\" 😀 <b>&\\\n", 300)
	for _, tc := range []struct {
		name        string
		in          push.OfflinePushInfo
		title, body string // exact alert after fitting
	}{
		{"exactly the limit", push.OfflinePushInfo{Title: "Alice", Desc: "hi", Ext: ext}, "Alice", "hi"},
		// "hi!" is shorter than a character and "…": the title gives the byte
		{"one byte over", push.OfflinePushInfo{Title: "Alice", Desc: "hi!", Ext: ext}, "A…", "hi!"},
		{"one byte over, longer Desc", push.OfflinePushInfo{Title: "Alice", Desc: "hi you", Ext: ext[3:]}, "Alice", "hi…"},
		// the finding: 1,400 CJK characters are 4,200 bytes
		{"CJK", push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("長", 1400)}, "Alice", strings.Repeat("長", 1343) + "…"},
		{"emoji", push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("😀", 2000)}, "Alice", strings.Repeat("😀", 1007) + "…"},
		{"title too", push.OfflinePushInfo{Title: strings.Repeat("标", 2000), Desc: strings.Repeat("题", 2000)},
			strings.Repeat("标", 1343) + "…", "题…"},
		{"big Ext kept whole", push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("長", 100), Ext: `{"k":"` + strings.Repeat("x", 3900) + `"}`},
			"Alice", strings.Repeat("長", 36) + "…"},
		{"mixed, escaped", push.OfflinePushInfo{Title: "Alice", Desc: mixed}, "Alice", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := e.c.build(&tc.in)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(n.Payload), MaxPayload)
			assert.True(t, utf8.Valid(n.Payload))
			a := alertOf(t, n.Payload)
			assert.Equal(t, tc.title, a.Title)
			if tc.body != "" {
				assert.Equal(t, tc.body, a.Body)
			} else { // escapes make the cut depend on the text: a prefix and "…"
				assert.True(t, strings.HasSuffix(a.Body, "…"))
				assert.True(t, strings.HasPrefix(tc.in.Desc, strings.TrimSuffix(a.Body, "…")))
			}
			if tc.in.Ext != "" {
				assert.Contains(t, string(n.Payload), `"ext":`+string(mustJSON(t, tc.in.Ext)))
			}
			if tc.name != "exactly the limit" {
				// cut as little as needed: one more character (at most 4
				// bytes, or 2 escaped) would not have fitted
				assert.Greater(t, len(n.Payload), MaxPayload-4, "cut close to the limit")
			}
			res, err := e.c.Push(context.Background(), &tc.in, tok(tc.name))
			require.NoError(t, err)
			require.NoError(t, res.Err(), "the fake (413 over 4096 bytes) accepts it")
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestOversizeRefusedBeforeSending: what cannot fit by shortening the texts
// (Ext or Click.URL alone over the limit), and with WithStrictLength any
// oversize message, is refused naming the field, and nothing is sent.
func TestOversizeRefusedBeforeSending(t *testing.T) {
	e := newEnv(t, nil)
	strict := newEnv(t, nil, push.WithStrictLength())
	for _, tc := range []struct {
		name, field string
		c           *Client
		in          *push.OfflinePushInfo
	}{
		{"Ext alone too big", "Ext", e.c, &push.OfflinePushInfo{Title: "Alice", Desc: "hi", Ext: strings.Repeat("x", MaxPayload)}},
		{"Click.URL alone too big", "Click.URL", e.c, &push.OfflinePushInfo{Title: "Alice", Desc: "hi",
			Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/" + strings.Repeat("a", 4100)}}},
		{"strict", "Title+Desc+Ext", strict.c, &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("長", 1400)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.c.Push(context.Background(), tc.in, tok("x"))
			assert.Nil(t, res)
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			var fe *push.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.Contains(t, err.Error(), "4096")
		})
	}
	assert.Empty(t, e.srv.Records(), "nothing sent")
	assert.Empty(t, strict.srv.Records(), "nothing sent")
}

// TestEmptyTitleSentAsNone: APNs needs no title (iOS shows the app's name):
// an empty Title stays empty, even with a default title configured.
func TestEmptyTitleSentAsNone(t *testing.T) {
	e := newEnv(t, nil, push.WithDefaultTitle("Chat"))
	n, err := e.c.build(&push.OfflinePushInfo{Desc: "See you at 8?"})
	require.NoError(t, err)
	assert.Equal(t, `{"aps":{"alert":{"body":"See you at 8?"},"sound":"default"}}`, string(n.Payload))
}

func TestInvalidInputBeforeAnyRequest(t *testing.T) {
	e := newEnv(t, nil)
	cases := map[string]*push.OfflinePushInfo{
		"OfflinePushInfo": nil,
		"Desc":            {Title: "Alice"},
		"CollapseID":      {Desc: "hi", CollapseID: strings.Repeat("c", 65)},
		"Badge":           {Desc: "hi", Badge: -1},
		"TTL":             {Desc: "hi", TTL: -time.Second},
		"Ext":             {Desc: "hi", Ext: "\xff"},
		"Click.URL":       {Desc: "hi", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "/relative"}},
	}
	for field, in := range cases {
		t.Run(field, func(t *testing.T) {
			res, err := e.c.Push(context.Background(), in, tok("x"))
			assert.Nil(t, res)
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			assert.Contains(t, err.Error(), field)
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.c.Push(ctx, info(), tok("x"))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, e.srv.Records())
}

func TestTTL(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TTL = 2 * time.Hour })
	n, err := e.c.build(info())
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprint(t0.Add(2*time.Hour).Unix()), n.Header.Get("apns-expiration"), "Config.TTL is the default")
	in := info()
	in.TTL = 1500 * time.Millisecond
	n, err = e.c.build(in)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprint(t0.Unix()+2), n.Header.Get("apns-expiration"), "rounded up, never early")
	in.TTL = 365 * 24 * time.Hour
	n, err = e.c.build(in)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprint(t0.Add(MaxTTL).Unix()), n.Header.Get("apns-expiration"), "capped")

	e = newEnv(t, nil)
	n, err = e.c.build(info())
	require.NoError(t, err)
	_, ok := n.Header["Apns-Expiration"]
	assert.False(t, ok, "no TTL: no header (0 would mean now-or-never)")
}

func TestMessageID(t *testing.T) {
	a, b := tok("a"), tok("b")
	id := messageID("msg-1", a)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	assert.Equal(t, id, messageID("msg-1", a), "stable for the same message and device")
	assert.NotEqual(t, id, messageID("msg-1", b))
	assert.Empty(t, messageID("", a))
}

func TestSandboxAndHosts(t *testing.T) {
	key := pushtest.APNsKey()
	prod, err := New(Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic})
	require.NoError(t, err)
	sb, err := New(Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic, Sandbox: true})
	require.NoError(t, err)
	n, err := prod.build(info())
	require.NoError(t, err)
	assert.Equal(t, "https://api.push.apple.com/3/device/abcd", prod.request(n, "abcd", "jwt").URL)
	assert.Equal(t, "https://api.sandbox.push.apple.com/3/device/abcd", sb.request(n, "abcd", "jwt").URL)
	assert.Equal(t, push.APNs, prod.Vendor())
}

func TestDefaultHTTPClient(t *testing.T) {
	key := pushtest.APNsKey()
	cfg := Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic}
	a, err := New(cfg)
	require.NoError(t, err)
	b, err := New(cfg)
	require.NoError(t, err)
	require.NotNil(t, a.hc)
	pool, ok := a.hc.Transport.(*transport.Pool)
	require.True(t, ok, "connections pooled: few, long-lived, reconnects backed off")
	assert.NotSame(t, pool, b.hc.Transport, "a connection pool per client: one team per connection")
	tr := pool.Transport()
	require.NotNil(t, tr.HTTP2)
	assert.Greater(t, tr.HTTP2.SendPingTimeout, time.Duration(0), "HTTP/2 health checks")
	assert.Greater(t, tr.HTTP2.PingTimeout, time.Duration(0))
	assert.GreaterOrEqual(t, tr.TLSClientConfig.MinVersion, uint16(0x0303), "TLS 1.2+")
	assert.True(t, tr.Protocols.HTTP2())
	assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)

	own := &http.Client{}
	c, err := New(cfg, push.WithHTTPClient(own))
	require.NoError(t, err)
	assert.Nil(t, c.hc, "the caller's client is used")
}

func TestNoSecretsInLogsOrErrors(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, nil, push.WithLogger(logger))
	jwt, err := e.c.auth.Token(context.Background())
	require.NoError(t, err)
	e.clk.Add(time.Minute)
	e.srv.Inject(
		pushtest.Fault{Code: "InvalidProviderToken"},
		pushtest.Fault{Code: "ExpiredProviderToken"},
		pushtest.Fault{Reset: true},
		pushtest.Fault{Code: "ServiceUnavailable", Times: 3},
	)
	var texts []string
	for i := range 5 {
		res, err := e.c.Push(context.Background(), info(), tok(fmt.Sprint(i)), "bad token")
		require.NoError(t, err)
		for _, o := range res.Outcomes {
			if o.Err != nil {
				texts = append(texts, o.Err.Error(), fmt.Sprintf("%+v", o.Err))
			}
		}
	}
	_, err = New(Config{TeamID: teamID, KeyID: keyID, PrivateKey: e.key[:len(e.key)-40], Topic: topic})
	texts = append(texts, err.Error())
	require.Greater(t, logs.Len(), 0, "debug records were written")
	all := strings.Join(texts, "\n") + logs.String()
	assertNoKey(t, e.key, all)
	assert.NotContains(t, all, jwt.AccessToken)
	for _, r := range e.srv.Records() {
		assert.NotContains(t, r.Dump(), jwt.AccessToken)
	}
}

func BenchmarkNotification(b *testing.B) {
	e := newEnv(b, nil)
	in := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"entity":{"chatType":1,"sender":"alice"}}`,
		IOSSound: "default", Badge: 1, CollapseID: "c2c_alice"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.c.build(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequest builds the HTTP request of one token from a built
// notification: the per-token cost of a Push.
func BenchmarkRequest(b *testing.B) {
	e := newEnv(b, nil)
	n, err := e.c.build(&push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", ID: "msg-1"})
	if err != nil {
		b.Fatal(err)
	}
	token := tok("x")
	b.ReportAllocs()
	for b.Loop() {
		_ = e.c.request(n, token, "jwt")
	}
}

// TestDefaultTransportSpeaksHTTP2 sends through the client New builds (only
// taught to trust the fake's certificate); the fake refuses anything but
// HTTP/2.
func TestDefaultTransportSpeaksHTTP2(t *testing.T) {
	key := pushtest.APNsKey()
	srv := pushtest.NewAPNs(teamID, keyID, key, topic)
	defer srv.Close()
	c, err := New(Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic},
		push.WithEndpoint(srv.URL()), push.WithHTTPClient(trusting(t, srv)))
	require.NoError(t, err)
	res, err := c.Push(context.Background(), info(), tok("x"))
	require.NoError(t, err)
	require.NoError(t, res.Err())
}

// TestManyTokens: one request per token, one outcome per token in input
// order, dead tokens reported exactly.
func TestManyTokens(t *testing.T) {
	e := newEnv(t, nil)
	tokens := make([]string, 2500)
	var dead []string
	for i := range tokens {
		tokens[i] = tok(fmt.Sprint("device", i))
		if i%500 == 7 {
			dead = append(dead, tokens[i])
		}
	}
	e.srv.Invalidate(dead...)
	res, err := e.c.Push(context.Background(), info(), tokens...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(tokens))
	for i, o := range res.Outcomes {
		require.Equal(t, tokens[i], o.Token)
	}
	assert.Equal(t, dead, res.InvalidTokens())
	assert.Equal(t, len(tokens)-len(dead), res.Delivered())
	assert.Len(t, e.srv.Sends(), len(tokens))
	assert.Equal(t, 1, e.srv.Signatures())
}

type failingSource struct{}

func (failingSource) Token() (*oauth2.Token, error) { return nil, errors.New("token service down") }

func TestWithTokenSource(t *testing.T) {
	e := newEnv(t, nil, push.WithTokenSource(failingSource{}))
	res, err := e.c.Push(context.Background(), info(), tok("x"))
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	assert.Contains(t, res.Err().Error(), "token service down")
	assert.Empty(t, e.srv.Records())

	// a caller's own provider token is used as is
	k, err := parseKey(e.key)
	require.NoError(t, err)
	jwt, err := newSigner(k, keyID, teamID, nil).sign(t0)
	require.NoError(t, err)
	c, err := New(Config{TeamID: teamID, KeyID: keyID, PrivateKey: e.key, Topic: topic},
		push.WithEndpoint(e.srv.URL()), push.WithHTTPClient(e.srv.Client()),
		push.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: jwt})))
	require.NoError(t, err)
	res, err = c.Push(context.Background(), info(), tok("y"))
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, "bearer "+jwt, e.srv.Sends()[0].Header.Get("Authorization"))
}

// trusting returns the HTTP client New builds (NewHTTPClient), taught only
// to trust the fake's certificate.
func trusting(t testing.TB, srv *pushtest.APNs) *http.Client {
	t.Helper()
	hc := NewHTTPClient()
	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	switch tr := hc.Transport.(type) {
	case *http.Transport:
		tr.TLSClientConfig.RootCAs = roots
	case interface{ Transport() *http.Transport }:
		tr.Transport().TLSClientConfig.RootCAs = roots
	default:
		t.Fatalf("unexpected transport %T", tr)
	}
	t.Cleanup(hc.CloseIdleConnections)
	return hc
}

// TestColdClientFewConnections (issue 13 finding 9): a cold client pushing
// to many tokens at once opens one connection and waits for free streams on
// it, instead of a TLS handshake per request in flight (APNs treats
// connection churn as abuse).
func TestColdClientFewConnections(t *testing.T) {
	for _, n := range []int{8, 256} {
		t.Run(fmt.Sprint(n, " tokens"), func(t *testing.T) {
			key := pushtest.APNsKey()
			srv := pushtest.NewAPNs(teamID, keyID, key, topic)
			defer srv.Close()
			c, err := New(Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic},
				push.WithEndpoint(srv.URL()), push.WithHTTPClient(trusting(t, srv)))
			require.NoError(t, err)
			tokens := make([]string, n)
			for i := range tokens {
				tokens[i] = tok(fmt.Sprint("cold-", i))
			}
			res, err := c.Push(context.Background(), info(), tokens...)
			require.NoError(t, err)
			require.NoError(t, res.Err())
			assert.Len(t, srv.Delivered(), n)
			t.Logf("%d tokens: %d connections", n, srv.Connections())
			assert.LessOrEqual(t, srv.Connections(), 2, "connections for %d tokens", n)
		})
	}
}

// TestGoAwayReconnectsBackedOff (issue 13 finding 9): a server that shuts
// every connection down (GOAWAY) with 503 Shutdown after one answer makes
// the client reconnect for its retries, but with backoff and one dial
// shared by the requests waiting: a handful of connections in 2 s, not one
// per retry. Every token still gets exactly one outcome.
func TestGoAwayReconnectsBackedOff(t *testing.T) {
	key := pushtest.APNsKey()
	srv := pushtest.NewAPNs(teamID, keyID, key, topic)
	defer srv.Close()
	c, err := New(Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic},
		push.WithEndpoint(srv.URL()), push.WithHTTPClient(trusting(t, srv)),
		push.WithRetry(push.RetryPolicy{MaxRetries: 20, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}))
	require.NoError(t, err)
	srv.SetGoAway(true, "Shutdown")
	tokens := make([]string, 5)
	for i := range tokens {
		tokens[i] = tok(fmt.Sprint("goaway-", i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	res, err := c.Push(ctx, info(), tokens...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(tokens))
	for _, o := range res.Outcomes {
		require.Error(t, o.Err)
	}
	conns := srv.Connections()
	t.Logf("%d connections, %d send requests in 2 s", conns, len(srv.Sends()))
	assert.LessOrEqual(t, conns, 8, "reconnects backed off")
	assert.Empty(t, srv.Delivered())

	// Set up right again, the client recovers.
	srv.SetGoAway(false, "")
	res, err = c.Push(context.Background(), info(), tokens...)
	require.NoError(t, err)
	require.NoError(t, res.Err())
}

// TestDryRunShowsWhatPushSends: DryRun of a two-request push (APNs takes one
// token per request; an empty token and a duplicate too) shows one request
// per token with the host, the headers and the payload the fake receives
// from Push of the same message, the provider token masked, and nothing
// secret.
func TestDryRunShowsWhatPushSends(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MutableContent = true })
	in := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"k":"<v>&"}`, ID: "msg-1", CollapseID: "c2c_alice", TTL: time.Hour}
	a, b := tok("a"), tok("b")
	tokens := []string{a, b, "", a}

	pv, err := e.c.DryRun(in, tokens...)
	require.NoError(t, err)
	require.Len(t, pv.Requests, 2, "one request per distinct sendable token")
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)

	_, err = e.c.Push(context.Background(), in, tokens...)
	require.NoError(t, err)
	sends := e.srv.Sends()
	require.Len(t, sends, 2)
	byPath := map[string]pushtest.Record{}
	for _, r := range sends {
		byPath[r.Path] = r
	}
	for i, want := range []string{a, b} {
		t.Run(want[:8], func(t *testing.T) {
			r := pv.Requests[i]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, e.srv.URL()+DevicePath+want, r.URL)
			assert.Equal(t, []string{want}, r.Tokens)
			assert.Equal(t, "bearer <redacted>", r.Header.Get("Authorization"))
			rec, ok := byPath[DevicePath+want]
			require.True(t, ok, "Push sent to %s", want)
			assert.Equal(t, string(rec.Body), string(r.Body), "the payload Push sends")
			for k := range r.Header {
				if k != "Authorization" {
					assert.Equal(t, rec.Header.Values(k), r.Header.Values(k), k)
				}
			}
			assert.NotEmpty(t, r.Header.Get("Apns-Id"))
		})
	}
	all := fmt.Sprint(pv.Requests)
	for _, r := range sends {
		jwt := strings.TrimPrefix(r.Header.Get("Authorization"), "bearer ")
		require.NotEmpty(t, jwt)
		assert.NotContains(t, all, jwt, "the provider token")
	}
	assert.NotContains(t, all, "eyJ", "no JWT at all")
	assert.NotContains(t, all, "PRIVATE KEY")
	assert.NotContains(t, all, strings.Split(string(e.key), "\n")[1], "no line of the key")
}

// TestDryRunShowsTheEnvironment: without an endpoint override the URL is
// Apple's, and production and development differ; a dry run signs nothing.
func TestDryRunShowsTheEnvironment(t *testing.T) {
	key := pushtest.APNsKey()
	for _, tc := range []struct {
		sandbox bool
		host    string
	}{{false, HostProduction}, {true, HostSandbox}} {
		t.Run(tc.host, func(t *testing.T) {
			c, err := New(Config{TeamID: teamID, KeyID: keyID, PrivateKey: key, Topic: topic, Sandbox: tc.sandbox})
			require.NoError(t, err)
			pv, err := c.DryRun(info(), tok("a"))
			require.NoError(t, err)
			require.Len(t, pv.Requests, 1)
			assert.Equal(t, tc.host+DevicePath+tok("a"), pv.Requests[0].URL)
			assert.Equal(t, "bearer <redacted>", pv.Requests[0].Header.Get("Authorization"))
			assert.Zero(t, c.auth.Fetches(), "no provider token signed")
		})
	}
}

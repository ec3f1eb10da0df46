package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/xiaomi"
)

const apiKey = "test-api-key-0123456789"

type env struct {
	t     *testing.T
	api   *httptest.Server
	mi    *pushtest.Xiaomi
	ios   *pushtest.APNs
	store *MemoryStore
	auth  *KeyAuth
	srv   *Server
}

func setup(t *testing.T) *env {
	mi := pushtest.NewXiaomi("mi-secret", "com.example.chat")
	t.Cleanup(mi.Close)
	key := pushtest.APNsKey()
	ios := pushtest.NewAPNs("TEAM123456", "KEY1234567", key, "com.example.chat")
	t.Cleanup(ios.Close)

	miClient, err := xiaomi.New(xiaomi.Config{AppSecret: "mi-secret", PackageName: "com.example.chat", ChannelID: "im"}, push.WithEndpoint(mi.URL()))
	require.NoError(t, err)
	iosClient, err := apns.New(apns.Config{TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: key, Topic: "com.example.chat"},
		push.WithEndpoint(ios.URL()), push.WithHTTPClient(ios.Client()))
	require.NoError(t, err)
	r := push.NewRouter()
	r.Register("mi-prod", miClient)
	r.Register("apns-prod", iosClient)

	auth, err := NewKeyAuth(apiKey, RandomKey(32), time.Hour)
	require.NoError(t, err)
	store := NewMemoryStore()
	srv := &Server{Store: store, Router: r, Auth: auth}
	api := httptest.NewServer(srv.Handler())
	t.Cleanup(api.Close)
	return &env{t: t, api: api, mi: mi, ios: ios, store: store, auth: auth, srv: srv}
}

// post sends body with "Authorization: Bearer <bearer>" (none when empty).
func (e *env) post(path, bearer string, body any) (int, map[string]any) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, e.api.URL+path, bytes.NewReader(b))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// login returns a user token from /v1/login, as the backend gets it for the app.
func (e *env) login(user string) string {
	code, res := e.post("/v1/login", apiKey, map[string]string{"user": user})
	require.Equal(e.t, 200, code)
	tok, _ := res["token"].(string)
	require.NotEmpty(e.t, tok)
	return tok
}

// register reports a device token as user's app.
func (e *env) register(user, cert, token string) {
	code, _ := e.post("/v1/devices", e.login(user), map[string]string{"certificateId": cert, "token": token})
	require.Equal(e.t, 200, code)
}

func (e *env) message(to, desc string) (int, map[string]any) {
	return e.post("/v1/messages", apiKey, map[string]string{"from": "alice", "to": to, "desc": desc})
}

var iphone = strings.Repeat("ab", 32)

func TestOfflineUserGetsPushedOnEveryVendor(t *testing.T) {
	e := setup(t)
	e.register("bob", "mi-prod", "regid-bob")
	e.register("bob", "apns-prod", iphone)
	code, _ := e.post("/v1/presence", apiKey, map[string]any{"user": "bob", "online": false})
	require.Equal(t, 200, code)

	code, res := e.post("/v1/messages", apiKey, map[string]string{"from": "alice", "to": "bob", "desc": "See you at 8?", "ext": `{"chat":"alice"}`})
	require.Equal(t, 200, code)
	assert.Equal(t, true, res["pushed"])
	assert.EqualValues(t, 2, res["delivered"])

	require.Len(t, e.mi.Sends(), 1)
	f := e.mi.Sends()[0].Form
	assert.Equal(t, "alice", f.Get("title"))
	assert.Equal(t, "See you at 8?", f.Get("description"))
	assert.Equal(t, `{"chat":"alice"}`, f.Get("extra.ext"))
	require.Len(t, e.ios.Sends(), 1)
	assert.Contains(t, string(e.ios.Sends()[0].Body), `"ext":"{\"chat\":\"alice\"}"`)
}

func TestOnlineUserIsNotPushed(t *testing.T) {
	e := setup(t)
	e.register("bob", "mi-prod", "regid-bob")
	e.post("/v1/presence", apiKey, map[string]any{"user": "bob", "online": true})
	_, res := e.message("bob", "hi")
	assert.Equal(t, false, res["pushed"])
	assert.Contains(t, res["reason"], "online")
	assert.Empty(t, e.mi.Records())
}

func TestLogoutMeansNoPush(t *testing.T) {
	e := setup(t)
	bob := e.login("bob")
	code, _ := e.post("/v1/devices", bob, map[string]string{"certificateId": "mi-prod", "token": "regid-bob"})
	require.Equal(t, 200, code)
	code, _ = e.post("/v1/logout", bob, map[string]string{})
	require.Equal(t, 200, code)
	_, res := e.message("bob", "hi")
	assert.Equal(t, false, res["pushed"])
	assert.Empty(t, e.mi.Records(), "a logged-out user gets nothing")

	code, _ = e.post("/v1/devices", bob, map[string]string{"certificateId": "mi-prod", "token": "regid-bob"})
	assert.Equal(t, 401, code, "logout ended the token")
	e.register("bob", "mi-prod", "regid-bob") // signed in again
	_, res = e.message("bob", "hi")
	assert.Equal(t, true, res["pushed"])
}

func TestCustomMessageWithoutDescIsNotPushed(t *testing.T) {
	e := setup(t)
	e.register("bob", "mi-prod", "regid-bob")
	_, res := e.post("/v1/messages", apiKey, map[string]string{"from": "alice", "to": "bob", "ext": `{"type":"typing"}`})
	assert.Equal(t, false, res["pushed"])
	assert.Equal(t, "no desc", res["reason"])
	assert.Empty(t, e.mi.Records())
}

func TestDeadTokensAreDeleted(t *testing.T) {
	e := setup(t)
	e.register("bob", "mi-prod", "regid-old")
	e.register("bob", "mi-prod", "regid-new")
	e.mi.Invalidate("regid-old")
	_, res := e.message("bob", "hi")
	assert.EqualValues(t, 1, res["deadTokensRemoved"])
	assert.EqualValues(t, 1, res["delivered"])
	assert.Equal(t, []push.Device{{CertificateID: "mi-prod", Token: "regid-new"}}, e.store.Devices("bob"))
}

func TestBadRequests(t *testing.T) {
	e := setup(t)
	bob := e.login("bob")
	code, _ := e.post("/v1/devices", bob, map[string]string{"certificateId": "nope", "token": "t"})
	assert.Equal(t, 400, code)
	code, _ = e.post("/v1/devices", bob, map[string]string{})
	assert.Equal(t, 400, code)
	code, _ = e.post("/v1/devices", apiKey, map[string]string{"certificateId": "mi-prod", "token": "t"})
	assert.Equal(t, 400, code, "the backend names the user")
	code, _ = e.post("/v1/login", apiKey, map[string]string{"user": ""})
	assert.Equal(t, 400, code)
	code, _ = e.post("/v1/presence", apiKey, map[string]any{"online": true})
	assert.Equal(t, 400, code)
	e.register("bob", "mi-prod", "t")
	code, _ = e.post("/v1/messages", apiKey, map[string]string{"to": "bob", "desc": "d", "url": "ftp://x"})
	assert.Equal(t, 400, code, "an invalid message is the caller's error")
}

// TestUnauthenticatedRequestsAreRefused: without the right credentials no
// endpoint does anything: no device, no presence, no push, no logout.
func TestUnauthenticatedRequestsAreRefused(t *testing.T) {
	e := setup(t)
	e.register("bob", "mi-prod", "regid-bob")
	bob := e.login("bob")
	bodies := map[string]any{
		"/v1/login":    map[string]string{"user": "bob"},
		"/v1/devices":  map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "regid-mallory"},
		"/v1/logout":   map[string]string{"user": "bob"},
		"/v1/presence": map[string]any{"user": "bob", "online": true},
		"/v1/messages": map[string]string{"from": "bank", "to": "bob", "desc": "Your account is locked", "url": "https://evil.example"},
	}
	creds := []struct {
		name, bearer string
		backendOnly  bool // refused on the backend's endpoints only
	}{
		{"none", "", false},
		{"wrong API key", "test-api-key-0123456780", false},
		{"API key prefix", apiKey[:len(apiKey)-1], false},
		{"API key and more", apiKey + "x", false},
		{"garbage", "x.y", false},
		{"user token on a backend endpoint", bob, true},
	}
	for _, c := range creds {
		for path, body := range bodies {
			if c.backendOnly && (path == "/v1/devices" || path == "/v1/logout") {
				continue
			}
			t.Run(c.name+path, func(t *testing.T) {
				code, _ := e.post(path, c.bearer, body)
				assert.Equal(t, 401, code)
			})
		}
	}
	req, _ := http.NewRequest(http.MethodPost, e.api.URL+"/v1/messages", strings.NewReader(`{"to":"bob","desc":"x"}`))
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("bob:"+apiKey)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode, "only a bearer API key")
	assert.Equal(t, `Bearer realm="imserver"`, resp.Header.Get("WWW-Authenticate"))

	assert.Equal(t, []push.Device{{CertificateID: "mi-prod", Token: "regid-bob"}}, e.store.Devices("bob"), "devices untouched")
	assert.False(t, e.store.Online("bob"))
	assert.Empty(t, e.mi.Records(), "nothing pushed")
	code, _ := e.post("/v1/devices", bob, map[string]string{"certificateId": "mi-prod", "token": "regid-bob"})
	assert.Equal(t, 200, code, "bob's token still works: nobody logged him out")
}

// TestUserCannotActForAnother: bob's token registers and logs out bob only.
func TestUserCannotActForAnother(t *testing.T) {
	e := setup(t)
	e.register("alice", "mi-prod", "regid-alice")
	bob := e.login("bob")
	code, _ := e.post("/v1/devices", bob, map[string]string{"user": "alice", "certificateId": "mi-prod", "token": "regid-bob"})
	assert.Equal(t, 403, code)
	code, _ = e.post("/v1/logout", bob, map[string]string{"user": "alice"})
	assert.Equal(t, 403, code)
	assert.Equal(t, []push.Device{{CertificateID: "mi-prod", Token: "regid-alice"}}, e.store.Devices("alice"))

	code, _ = e.post("/v1/devices", bob, map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "regid-bob"})
	assert.Equal(t, 200, code, "naming oneself is fine")
	assert.Equal(t, []push.Device{{CertificateID: "mi-prod", Token: "regid-bob"}}, e.store.Devices("bob"))
}

// TestForgedAndExpiredTokensAreRefused: a token whose claims were changed,
// signed with another key, unsigned, expired or logged out is refused.
func TestForgedAndExpiredTokensAreRefused(t *testing.T) {
	e := setup(t)
	bob := e.login("bob")
	payload, sig, _ := strings.Cut(bob, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	aliceClaims := base64.RawURLEncoding.EncodeToString(bytes.Replace(raw, []byte(`"bob"`), []byte(`"alice"`), 1))
	var c claims
	require.NoError(t, json.Unmarshal(raw, &c))
	c.Expires += 365 * 24 * 3600
	later, _ := json.Marshal(c)
	other, err := NewKeyAuth(apiKey, RandomKey(32), time.Hour)
	require.NoError(t, err)
	foreign, _, err := other.Login("alice")
	require.NoError(t, err)

	expired, err := NewKeyAuth(apiKey, e.auth.signing, time.Hour)
	require.NoError(t, err)
	expired.now = func() time.Time { return time.Now().Add(-time.Hour - time.Second) }
	old, _, err := expired.Login("alice")
	require.NoError(t, err)

	loggedOut := e.login("carol")
	code, _ := e.post("/v1/logout", loggedOut, nil)
	require.Equal(t, 200, code)

	cases := map[string]string{
		"claims changed to alice":  aliceClaims + "." + sig,
		"expiry pushed out":        base64.RawURLEncoding.EncodeToString(later) + "." + sig,
		"signed with another key":  foreign,
		"no signature":             payload,
		"empty signature":          payload + ".",
		"signature alone":          "." + sig,
		"expired":                  old,
		"logged out":               loggedOut,
		"signature not base64":     payload + ".!!!",
		"the API key as the token": apiKey + "." + sig,
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			code, _ := e.post("/v1/devices", tok, map[string]string{"certificateId": "mi-prod", "token": "regid-mallory"})
			assert.Equal(t, 401, code)
		})
	}
	assert.Empty(t, e.store.Devices("alice"))
	assert.Empty(t, e.store.Devices("bob"))
	assert.Empty(t, e.store.Devices("carol"))
	code, _ = e.post("/v1/devices", bob, map[string]string{"certificateId": "mi-prod", "token": "regid-bob"})
	assert.Equal(t, 200, code, "the genuine token works")
}

// TestTokenMovesToItsNewUser: bob signs in on alice's old phone and
// reports its token; alice's messages no longer reach that phone.
func TestTokenMovesToItsNewUser(t *testing.T) {
	e := setup(t)
	e.register("alice", "mi-prod", "regid-phone")
	e.register("alice", "apns-prod", iphone)
	e.register("bob", "mi-prod", "regid-phone")

	assert.Equal(t, []push.Device{{CertificateID: "apns-prod", Token: iphone}}, e.store.Devices("alice"))
	assert.Equal(t, []push.Device{{CertificateID: "mi-prod", Token: "regid-phone"}}, e.store.Devices("bob"))
	_, res := e.message("alice", "for alice only")
	assert.EqualValues(t, 1, res["devices"])
	assert.Empty(t, e.mi.Sends(), "not to the phone bob now uses")
	_, res = e.message("bob", "for bob")
	assert.EqualValues(t, 1, res["delivered"])
	require.Len(t, e.mi.Sends(), 1)
	assert.Equal(t, "for bob", e.mi.Sends()[0].Form.Get("description"))
}

// TestServerTimeouts: every timeout of the server is set, and the push of a
// message fits in the write timeout.
func TestServerTimeouts(t *testing.T) {
	hs := newHTTPServer(":0", http.NotFoundHandler(), DefaultTimeouts())
	assert.Positive(t, hs.ReadHeaderTimeout)
	assert.Positive(t, hs.ReadTimeout)
	assert.Positive(t, hs.IdleTimeout)
	assert.Greater(t, hs.WriteTimeout, MessageTimeout)
	assert.Positive(t, hs.MaxHeaderBytes)
}

// TestSlowBodyIsCut: a client that sends its headers and then trickles
// (or withholds) its body is cut at the read timeout, and nothing is done.
func TestSlowBodyIsCut(t *testing.T) {
	e := setup(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := newHTTPServer("", e.srv.Handler(), Timeouts{Header: 200 * time.Millisecond, Read: 300 * time.Millisecond, Write: 2 * time.Second, Idle: time.Second})
	go hs.Serve(l)
	defer hs.Close()

	for _, name := range []string{"withheld body", "slow headers"} {
		t.Run(name, func(t *testing.T) {
			c, err := net.Dial("tcp", l.Addr().String())
			require.NoError(t, err)
			defer c.Close()
			start := time.Now()
			if name == "withheld body" {
				fmt.Fprintf(c, "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 1000\r\n\r\n{\"to\":\"bob\",", apiKey)
			} else {
				fmt.Fprint(c, "POST /v1/messages HTTP/1.1\r\nHost: x\r\n")
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			took := time.Since(start)
			if err == nil {
				resp.Body.Close()
				assert.GreaterOrEqual(t, resp.StatusCode, 400, "answered with an error")
			}
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server still held the connection after %v", took)
			t.Logf("%s: cut after %v", name, took.Round(time.Millisecond))
			assert.Less(t, took, 2*time.Second)
		})
	}
	assert.Empty(t, e.mi.Records())
}

// TestLargeBodyIsRefused: a body over MaxBody is refused with 413 (read no
// further than the limit).
func TestLargeBodyIsRefused(t *testing.T) {
	e := setup(t)
	code, _ := e.post("/v1/messages", apiKey, map[string]string{"to": "bob", "desc": strings.Repeat("x", MaxBody)})
	assert.Equal(t, 413, code)
}

func TestSandboxRouter(t *testing.T) {
	r, closeAll, err := buildRouter("", true)
	require.NoError(t, err)
	defer closeAll()
	assert.Len(t, r.Certificates(), 9)
	_, _, err = buildRouter("", false)
	assert.Error(t, err)
}

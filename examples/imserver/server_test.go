package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/xiaomi"
)

type env struct {
	t     *testing.T
	api   *httptest.Server
	mi    *pushtest.Xiaomi
	ios   *pushtest.APNs
	store *MemoryStore
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

	store := NewMemoryStore()
	api := httptest.NewServer((&Server{Store: store, Router: r}).Handler())
	t.Cleanup(api.Close)
	return &env{t: t, api: api, mi: mi, ios: ios, store: store}
}

func (e *env) post(path string, body any) (int, map[string]any) {
	b, _ := json.Marshal(body)
	resp, err := http.Post(e.api.URL+path, "application/json", bytes.NewReader(b))
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

var iphone = strings.Repeat("ab", 32)

func TestOfflineUserGetsPushedOnEveryVendor(t *testing.T) {
	e := setup(t)
	code, _ := e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "regid-bob"})
	require.Equal(t, 200, code)
	e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "apns-prod", "token": iphone})
	e.post("/v1/presence", map[string]any{"user": "bob", "online": false})

	code, res := e.post("/v1/messages", map[string]string{"from": "alice", "to": "bob", "desc": "See you at 8?", "ext": `{"chat":"alice"}`})
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
	e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "regid-bob"})
	e.post("/v1/presence", map[string]any{"user": "bob", "online": true})
	_, res := e.post("/v1/messages", map[string]string{"from": "alice", "to": "bob", "desc": "hi"})
	assert.Equal(t, false, res["pushed"])
	assert.Contains(t, res["reason"], "online")
	assert.Empty(t, e.mi.Records())
}

func TestLogoutMeansNoPush(t *testing.T) {
	e := setup(t)
	e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "regid-bob"})
	e.post("/v1/logout", map[string]string{"user": "bob"})
	_, res := e.post("/v1/messages", map[string]string{"from": "alice", "to": "bob", "desc": "hi"})
	assert.Equal(t, false, res["pushed"])
	assert.Empty(t, e.mi.Records(), "a logged-out user gets nothing")
}

func TestCustomMessageWithoutDescIsNotPushed(t *testing.T) {
	e := setup(t)
	e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "regid-bob"})
	_, res := e.post("/v1/messages", map[string]string{"from": "alice", "to": "bob", "ext": `{"type":"typing"}`})
	assert.Equal(t, false, res["pushed"])
	assert.Equal(t, "no desc", res["reason"])
	assert.Empty(t, e.mi.Records())
}

func TestDeadTokensAreDeleted(t *testing.T) {
	e := setup(t)
	e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "regid-old"})
	e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "regid-new"})
	e.mi.Invalidate("regid-old")
	_, res := e.post("/v1/messages", map[string]string{"from": "alice", "to": "bob", "desc": "hi"})
	assert.EqualValues(t, 1, res["deadTokensRemoved"])
	assert.EqualValues(t, 1, res["delivered"])
	assert.Equal(t, []push.Device{{CertificateID: "mi-prod", Token: "regid-new"}}, e.store.Devices("bob"))
}

func TestBadRequests(t *testing.T) {
	e := setup(t)
	code, _ := e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "nope", "token": "t"})
	assert.Equal(t, 400, code)
	code, _ = e.post("/v1/devices", map[string]string{"user": "bob"})
	assert.Equal(t, 400, code)
	e.post("/v1/devices", map[string]string{"user": "bob", "certificateId": "mi-prod", "token": "t"})
	code, _ = e.post("/v1/messages", map[string]string{"to": "bob", "desc": "d", "url": "ftp://x"})
	assert.Equal(t, 400, code, "an invalid message is the caller's error")
}

func TestSandboxRouter(t *testing.T) {
	r, closeAll, err := buildRouter("", true)
	require.NoError(t, err)
	defer closeAll()
	assert.Len(t, r.Certificates(), 9)
	_, _, err = buildRouter("", false)
	assert.Error(t, err)
}

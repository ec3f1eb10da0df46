package pushtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	apnsTeam  = "TEAM123456"
	apnsKeyID = "KEY1234567"
	apnsTopic = "com.example.chat"
)

var apnsDevice = strings.Repeat("a1", 32)

// testJWT signs a provider token with the given header and claims JSON.
func testJWT(t *testing.T, key []byte, header, claims string) string {
	t.Helper()
	block, _ := pem.Decode(key)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	in := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	sum := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, k.(*ecdsa.PrivateKey), sum[:])
	if err != nil {
		t.Fatal(err)
	}
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return in + "." + enc.EncodeToString(sig[:])
}

func goodJWT(t *testing.T, key []byte, iat time.Time) string {
	return testJWT(t, key, `{"alg":"ES256","kid":"`+apnsKeyID+`"}`, fmt.Sprintf(`{"iss":%q,"iat":%d}`, apnsTeam, iat.Unix()))
}

type apnsReq struct {
	method, path string
	header       map[string]string
	body         string
}

func doAPNs(t *testing.T, c *http.Client, srv *APNs, r apnsReq) (int, http.Header, string) {
	t.Helper()
	if r.method == "" {
		r.method = "POST"
	}
	req, err := http.NewRequest(r.method, srv.URL()+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func reasonOf(body string) string {
	var r struct{ Reason string }
	json.Unmarshal([]byte(body), &r)
	return r.Reason
}

func TestAPNsChecksRequests(t *testing.T) {
	key := APNsKey()
	other := APNsKey()
	srv := NewAPNs(apnsTeam, apnsKeyID, key, apnsTopic)
	defer srv.Close()
	now := time.Now()
	jwt := goodJWT(t, key, now)
	hdr := func(kv ...string) map[string]string {
		m := map[string]string{"authorization": "bearer " + jwt, "apns-topic": apnsTopic, "apns-push-type": "alert", "apns-priority": "10"}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	good := `{"aps":{"alert":{"title":"Alice","body":"hi"}}}`
	dev := "/3/device/" + apnsDevice
	cases := []struct {
		name   string
		req    apnsReq
		status int
		reason string
	}{
		{"ok", apnsReq{path: dev, header: hdr(), body: good}, 200, ""},
		{"method", apnsReq{method: "PUT", path: dev, header: hdr(), body: good}, 405, "MethodNotAllowed"},
		{"path", apnsReq{path: "/2/device/" + apnsDevice, header: hdr(), body: good}, 404, "BadPath"},
		{"no auth", apnsReq{path: dev, header: hdr("authorization", ""), body: good}, 403, "MissingProviderToken"},
		{"not bearer", apnsReq{path: dev, header: hdr("authorization", "basic "+jwt), body: good}, 403, "InvalidProviderToken"},
		{"other key", apnsReq{path: dev, header: hdr("authorization", "bearer "+goodJWT(t, other, now)), body: good}, 403, "InvalidProviderToken"},
		{"wrong kid", apnsReq{path: dev, header: hdr("authorization", "bearer "+testJWT(t, key, `{"alg":"ES256","kid":"KEY0000000"}`,
			fmt.Sprintf(`{"iss":%q,"iat":%d}`, apnsTeam, now.Unix()))), body: good}, 403, "InvalidProviderToken"},
		{"wrong alg", apnsReq{path: dev, header: hdr("authorization", "bearer "+testJWT(t, key, `{"alg":"HS256","kid":"`+apnsKeyID+`"}`,
			fmt.Sprintf(`{"iss":%q,"iat":%d}`, apnsTeam, now.Unix()))), body: good}, 403, "InvalidProviderToken"},
		{"wrong iss", apnsReq{path: dev, header: hdr("authorization", "bearer "+testJWT(t, key, `{"alg":"ES256","kid":"`+apnsKeyID+`"}`,
			fmt.Sprintf(`{"iss":"TEAM000000","iat":%d}`, now.Unix()))), body: good}, 403, "InvalidProviderToken"},
		{"iat string", apnsReq{path: dev, header: hdr("authorization", "bearer "+testJWT(t, key, `{"alg":"ES256","kid":"`+apnsKeyID+`"}`,
			fmt.Sprintf(`{"iss":%q,"iat":"%d"}`, apnsTeam, now.Unix()))), body: good}, 403, "InvalidProviderToken"},
		{"unsigned", apnsReq{path: dev, header: hdr("authorization", "bearer "+jwt[:strings.LastIndex(jwt, ".")+1]), body: good}, 403, "InvalidProviderToken"},
		{"old iat", apnsReq{path: dev, header: hdr("authorization", "bearer "+goodJWT(t, key, now.Add(-61*time.Minute))), body: good}, 403, "ExpiredProviderToken"},
		{"no topic", apnsReq{path: dev, header: hdr("apns-topic", ""), body: good}, 400, "MissingTopic"},
		{"other topic", apnsReq{path: dev, header: hdr("apns-topic", "com.other.app"), body: good}, 400, "TopicDisallowed"},
		{"push type", apnsReq{path: dev, header: hdr("apns-push-type", "bogus"), body: good}, 400, "InvalidPushType"},
		{"priority", apnsReq{path: dev, header: hdr("apns-priority", "7"), body: good}, 400, "BadPriority"},
		{"expiration", apnsReq{path: dev, header: hdr("apns-expiration", "soon"), body: good}, 400, "BadExpirationDate"},
		{"collapse id", apnsReq{path: dev, header: hdr("apns-collapse-id", strings.Repeat("c", 65)), body: good}, 400, "BadCollapseId"},
		{"apns-id", apnsReq{path: dev, header: hdr("apns-id", "not-a-uuid"), body: good}, 400, "BadMessageId"},
		{"no token", apnsReq{path: "/3/device/", header: hdr(), body: good}, 400, "MissingDeviceToken"},
		{"short token", apnsReq{path: "/3/device/abcd", header: hdr(), body: good}, 400, "BadDeviceToken"},
		{"non-hex token", apnsReq{path: "/3/device/" + strings.Repeat("zz", 32), header: hdr(), body: good}, 400, "BadDeviceToken"},
		{"empty payload", apnsReq{path: dev, header: hdr()}, 400, "PayloadEmpty"},
		{"large payload", apnsReq{path: dev, header: hdr(), body: `{"aps":{},"x":"` + strings.Repeat("x", 4090) + `"}`}, 413, "PayloadTooLarge"},
		{"not json", apnsReq{path: dev, header: hdr(), body: `{"aps":`}, 400, "BadPayload"},
		{"no aps", apnsReq{path: dev, header: hdr(), body: `{"ext":"x"}`}, 400, "BadPayload"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := doAPNs(t, srv.Client(), srv, tc.req)
			if status != tc.status || reasonOf(body) != tc.reason {
				t.Fatalf("got %d %s, want %d %q", status, body, tc.status, tc.reason)
			}
			if len(h.Get("apns-id")) != 36 {
				t.Errorf("apns-id %q", h.Get("apns-id"))
			}
			if status == 200 && (body != "" || h.Get("apns-unique-id") == "") {
				t.Errorf("success answer: body %q, apns-unique-id %q", body, h.Get("apns-unique-id"))
			}
		})
	}
	if n := srv.Signatures(); n != 1 {
		t.Errorf("Signatures() = %d, want 1 (only the valid JWT counts)", n)
	}
	if d := srv.Delivered(); d[apnsDevice] != 1 || len(d) != 1 {
		t.Errorf("Delivered() = %v", d)
	}
	for _, r := range srv.Records() {
		if strings.Contains(r.Dump(), jwt) {
			t.Fatal("Dump shows the provider token")
		}
	}
}

func TestAPNsEchoesIDAndInvalidates(t *testing.T) {
	key := APNsKey()
	srv := NewAPNs(apnsTeam, apnsKeyID, key, apnsTopic)
	defer srv.Close()
	srv.Invalidate(apnsDevice)
	h := map[string]string{"authorization": "bearer " + goodJWT(t, key, time.Now()), "apns-topic": apnsTopic,
		"apns-id": "123e4567-e89b-12d3-a456-426655440000"}
	status, hdr, body := doAPNs(t, srv.Client(), srv, apnsReq{path: "/3/device/" + apnsDevice, header: h, body: `{"aps":{"alert":"hi"}}`})
	var r struct {
		Reason    string
		Timestamp int64
	}
	json.Unmarshal([]byte(body), &r)
	if status != 410 || r.Reason != "Unregistered" || r.Timestamp < time.Now().Add(-time.Minute).UnixMilli() {
		t.Fatalf("got %d %s", status, body)
	}
	if hdr.Get("apns-id") != h["apns-id"] {
		t.Errorf("apns-id not echoed: %q", hdr.Get("apns-id"))
	}
}

func TestAPNsFaults(t *testing.T) {
	key := APNsKey()
	srv := NewAPNs(apnsTeam, apnsKeyID, key, apnsTopic)
	defer srv.Close()
	h := map[string]string{"authorization": "bearer " + goodJWT(t, key, time.Now()), "apns-topic": apnsTopic}
	for code, status := range map[string]int{"TooManyRequests": 429, "ExpiredProviderToken": 403, "ServiceUnavailable": 503,
		"Unregistered": 410, "PayloadTooLarge": 413, "InternalServerError": 500, "SomethingNew": 400} {
		srv.Inject(Fault{Code: code, RetryAfter: 2 * time.Second})
		st, hdr, body := doAPNs(t, srv.Client(), srv, apnsReq{path: "/3/device/" + apnsDevice, header: h, body: `{"aps":{}}`})
		if st != status || reasonOf(body) != code || hdr.Get("Retry-After") != "2" {
			t.Errorf("%s: got %d %s (Retry-After %q), want %d", code, st, body, hdr.Get("Retry-After"), status)
		}
		if code == "Unregistered" && !strings.Contains(body, `"timestamp":`) {
			t.Errorf("410 without timestamp: %s", body)
		}
	}
}

// TestAPNsRequiresHTTP2: APNs speaks only HTTP/2.
func TestAPNsRequiresHTTP2(t *testing.T) {
	key := APNsKey()
	srv := NewAPNs(apnsTeam, apnsKeyID, key, apnsTopic)
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.ForceAttemptHTTP2 = false
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP1(true)
	tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
	h1 := &http.Client{Transport: tr}
	h := map[string]string{"authorization": "bearer " + goodJWT(t, key, time.Now()), "apns-topic": apnsTopic}
	st, _, body := doAPNs(t, h1, srv, apnsReq{path: "/3/device/" + apnsDevice, header: h, body: `{"aps":{}}`})
	if st != 505 || reasonOf(body) != "HTTP2Required" {
		t.Fatalf("HTTP/1.1 got %d %s", st, body)
	}
	if len(srv.Delivered()) != 0 {
		t.Fatal("delivered over HTTP/1.1")
	}
}

func TestAPNsKeyIsP8(t *testing.T) {
	k := APNsKey()
	if !bytes.HasPrefix(k, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Fatalf("not a .p8 PEM: %.30s", k)
	}
	block, _ := pem.Decode(k)
	pk, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pk.(*ecdsa.PrivateKey); !ok {
		t.Fatalf("%T", pk)
	}
	if bytes.Equal(k, APNsKey()) {
		t.Fatal("APNsKey returned the same key twice")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("NewAPNs accepted a bad key")
		}
	}()
	NewAPNs(apnsTeam, apnsKeyID, []byte("nope"), apnsTopic)
}

// TestAPNsMisconfigured: set misconfigured, the fake answers every valid
// request as the wrong environment does (400 BadDeviceToken), and accepts
// again once unset.
func TestAPNsMisconfigured(t *testing.T) {
	key := APNsKey()
	srv := NewAPNs(apnsTeam, apnsKeyID, key, apnsTopic)
	defer srv.Close()
	h := map[string]string{"authorization": "bearer " + goodJWT(t, key, time.Now()), "apns-topic": apnsTopic}
	send := func() (int, string) {
		st, _, body := doAPNs(t, srv.Client(), srv, apnsReq{path: "/3/device/" + apnsDevice, header: h, body: `{"aps":{}}`})
		return st, reasonOf(body)
	}
	srv.SetMisconfigured(true)
	for range 3 {
		if st, reason := send(); st != 400 || reason != "BadDeviceToken" {
			t.Fatalf("misconfigured: got %d %s, want 400 BadDeviceToken", st, reason)
		}
	}
	if len(srv.Delivered()) != 0 {
		t.Fatal("a misconfigured app delivered")
	}
	srv.SetMisconfigured(false)
	if st, reason := send(); st != 200 {
		t.Fatalf("set up right again: got %d %s", st, reason)
	}
}

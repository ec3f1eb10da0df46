package pushtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

var fcmCreds = FCMCredentials("fake-proj")

type saKey struct {
	key   *rsa.PrivateKey
	kid   string
	email string
}

func loadSA(t *testing.T, creds []byte) saKey {
	t.Helper()
	var sa map[string]string
	if err := json.Unmarshal(creds, &sa); err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(sa["private_key"]))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return saKey{k.(*rsa.PrivateKey), sa["private_key_id"], sa["client_email"]}
}

// signJWT builds an RS256 assertion; edit changes header or claims first.
func signJWT(t *testing.T, k saKey, edit func(h, c map[string]any)) string {
	t.Helper()
	now := time.Now().Unix()
	h := map[string]any{"alg": "RS256", "typ": "JWT", "kid": k.kid}
	c := map[string]any{"iss": k.email, "scope": "https://www.googleapis.com/auth/firebase.messaging",
		"aud": "https://oauth2.googleapis.com/token", "iat": now, "exp": now + 3600}
	if edit != nil {
		edit(h, c)
	}
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(c)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func postForm(t *testing.T, f *FCM, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := f.Client().Post(f.URL()+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func TestFCMTokenEndpoint(t *testing.T) {
	f := NewFCM(fcmCreds)
	defer f.Close()
	k := loadSA(t, fcmCreds)
	other := loadSA(t, FCMCredentials("fake-proj"))
	now := time.Now().Unix()
	for _, tc := range []struct {
		name   string
		jwt    string
		grant  string
		status int
		err    string
	}{
		{"ok", signJWT(t, k, nil), "", 200, ""},
		{"aud is the fake's own url", signJWT(t, k, func(_, c map[string]any) { c["aud"] = f.URL() + "/token" }), "", 200, ""},
		{"cloud-platform scope", signJWT(t, k, func(_, c map[string]any) { c["scope"] = "https://www.googleapis.com/auth/cloud-platform" }), "", 200, ""},
		{"other key", signJWT(t, other, func(h, _ map[string]any) { h["kid"] = k.kid }), "", 400, "invalid_grant"},
		{"other kid", signJWT(t, k, func(h, _ map[string]any) { h["kid"] = "nope" }), "", 400, "invalid_grant"},
		{"HS256", signJWT(t, k, func(h, _ map[string]any) { h["alg"] = "HS256" }), "", 400, "invalid_grant"},
		{"wrong iss", signJWT(t, k, func(_, c map[string]any) { c["iss"] = "someone@else.iam.gserviceaccount.com" }), "", 400, "invalid_grant"},
		{"wrong aud", signJWT(t, k, func(_, c map[string]any) { c["aud"] = "https://example.com/token" }), "", 400, "invalid_grant"},
		{"two hours", signJWT(t, k, func(_, c map[string]any) { c["exp"] = now + 7200 }), "", 400, "invalid_grant"},
		{"expired", signJWT(t, k, func(_, c map[string]any) { c["iat"], c["exp"] = now-4000, now-400 }), "", 400, "invalid_grant"},
		{"from the future", signJWT(t, k, func(_, c map[string]any) { c["iat"], c["exp"] = now+1000, now+2000 }), "", 400, "invalid_grant"},
		{"no iat", signJWT(t, k, func(_, c map[string]any) { delete(c, "iat") }), "", 400, "invalid_grant"},
		{"no scope", signJWT(t, k, func(_, c map[string]any) { delete(c, "scope") }), "", 400, "invalid_scope"},
		{"garbage", "a.b.c", "", 400, "invalid_grant"},
		{"wrong grant", signJWT(t, k, nil), "client_credentials", 400, "unsupported_grant_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			grant := tc.grant
			if grant == "" {
				grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
			}
			status, out := postForm(t, f, "/token", url.Values{"grant_type": {grant}, "assertion": {tc.jwt}})
			if status != tc.status {
				t.Fatalf("status %d, want %d (%v)", status, tc.status, out)
			}
			if tc.err != "" {
				if out["error"] != tc.err {
					t.Errorf("error %v, want %s", out["error"], tc.err)
				}
				return
			}
			if tok, _ := out["access_token"].(string); !strings.HasPrefix(tok, "ya29.") {
				t.Errorf("access_token %v", out["access_token"])
			}
			if out["expires_in"] != float64(3600) || out["token_type"] != "Bearer" {
				t.Errorf("answer %v", out)
			}
		})
	}
	// the assertion is masked in the dumps
	for _, r := range f.Records() {
		if a := r.Form.Get("assertion"); len(a) > 10 && strings.Contains(r.Dump(), a) {
			t.Errorf("assertion in dump")
		}
	}
}

func fcmAccessToken(t *testing.T, f *FCM, scope string) string {
	t.Helper()
	k := loadSA(t, fcmCreds)
	status, out := postForm(t, f, "/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion": {signJWT(t, k, func(_, c map[string]any) { c["scope"] = scope })}})
	if status != 200 {
		t.Fatalf("token: %d %v", status, out)
	}
	return out["access_token"].(string)
}

type fcmAnswer struct {
	status  int
	name    string
	gstatus string
	fcmCode string
	message string
}

func fcmPost(t *testing.T, f *FCM, path, bearer, body string) fcmAnswer {
	t.Helper()
	req, _ := http.NewRequest("POST", f.URL()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := f.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Name  string `json:"name"`
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Status  string `json:"status"`
			Details []struct {
				Type      string `json:"@type"`
				ErrorCode string `json:"errorCode"`
			} `json:"details"`
		} `json:"error"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer is not JSON: %s", b)
	}
	a := fcmAnswer{status: resp.StatusCode, name: out.Name, gstatus: out.Error.Status, message: out.Error.Message}
	for _, d := range out.Error.Details {
		if d.Type == "type.googleapis.com/google.firebase.fcm.v1.FcmError" {
			a.fcmCode = d.ErrorCode
		}
	}
	if out.Error.Code != 0 && out.Error.Code != resp.StatusCode {
		t.Errorf("error.code %d != HTTP %d", out.Error.Code, resp.StatusCode)
	}
	return a
}

func TestFCMSendChecks(t *testing.T) {
	f := NewFCM(fcmCreds)
	defer f.Close()
	f.Invalidate("dead-token")
	tok := fcmAccessToken(t, f, "https://www.googleapis.com/auth/firebase.messaging")
	narrow := fcmAccessToken(t, f, "https://www.googleapis.com/auth/userinfo.email")
	const path = "/v1/projects/fake-proj/messages:send"
	msg := func(inner string) string { return `{"message":{` + inner + `}}` }
	ok := msg(`"token":"tok-1","notification":{"title":"t","body":"b"},"data":{"ext":"{}"},
		"android":{"priority":"high","ttl":"86400s","collapse_key":"c","notification":{"channel_id":"im","click_action":"OPEN","tag":"c","sound":"default"}},
		"apns":{"headers":{"apns-priority":"10","apns-push-type":"alert","apns-collapse-id":"c","apns-expiration":"1767225600"},
		        "payload":{"aps":{"sound":"default","badge":3},"ext":"{}"}}`)
	for _, tc := range []struct {
		name, path, bearer, body string
		status                   int
		gstatus, fcmCode         string
	}{
		{"ok", path, tok, ok, 200, "", ""},
		{"validate only", path, tok, `{"validate_only":true,` + ok[1:], 200, "", ""},
		{"no bearer", path, "", ok, 401, "UNAUTHENTICATED", ""},
		{"unknown bearer", path, "ya29.nope", ok, 401, "UNAUTHENTICATED", ""},
		{"narrow scope", path, narrow, ok, 403, "PERMISSION_DENIED", ""},
		{"other project", "/v1/projects/other/messages:send", tok, ok, 403, "PERMISSION_DENIED", ""},
		{"unregistered", path, tok, msg(`"token":"dead-token","notification":{"body":"b"}`), 404, "NOT_FOUND", "UNREGISTERED"},
		{"malformed token", path, tok, msg(`"token":"bad token","notification":{"body":"b"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"no target", path, tok, msg(`"notification":{"body":"b"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"two targets", path, tok, msg(`"token":"tok-1","topic":"news","notification":{"body":"b"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"number in data", path, tok, msg(`"token":"tok-1","data":{"n":1}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"reserved data key", path, tok, msg(`"token":"tok-1","data":{"google.sent_time":"1"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"unknown field", path, tok, msg(`"token":"tok-1","android":{"prio":"high"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"bad priority", path, tok, msg(`"token":"tok-1","android":{"priority":"urgent"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"ttl without s", path, tok, msg(`"token":"tok-1","android":{"ttl":"3600"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"ttl over 4 weeks", path, tok, msg(`"token":"tok-1","android":{"ttl":"2419201s"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"ttl fraction", path, tok, msg(`"token":"tok-1","android":{"ttl":"1.5s"}`), 200, "", ""},
		{"apns priority", path, tok, msg(`"token":"tok-1","apns":{"headers":{"apns-priority":"7"}}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"apns collapse id", path, tok, msg(`"token":"tok-1","apns":{"headers":{"apns-collapse-id":"` + strings.Repeat("c", 65) + `"}}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"negative badge", path, tok, msg(`"token":"tok-1","apns":{"payload":{"aps":{"badge":-1}}}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"too big", path, tok, msg(`"token":"tok-1","data":{"ext":"` + strings.Repeat("x", 4096) + `"}`), 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
		{"not json", path, tok, `{"message":`, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := fcmPost(t, f, tc.path, tc.bearer, tc.body)
			if a.status != tc.status || a.gstatus != tc.gstatus || a.fcmCode != tc.fcmCode {
				t.Fatalf("got %d %s/%s (%s), want %d %s/%s", a.status, a.gstatus, a.fcmCode, a.message, tc.status, tc.gstatus, tc.fcmCode)
			}
			if tc.status == 200 && !strings.HasPrefix(a.name, "projects/fake-proj/messages/") {
				t.Errorf("name %q", a.name)
			}
		})
	}
	if d := f.Delivered(); d["tok-1"] != 2 || d["dead-token"] != 0 {
		t.Errorf("delivered %v: want tok-1 twice (ok, ttl fraction), validate_only not delivered", d)
	}
	if p := f.Protocols(); p["HTTP/2.0"] == 0 || p["HTTP/1.1"] != 0 {
		t.Errorf("protocols %v, want HTTP/2 only", p)
	}

	f.ExpireTokens()
	if a := fcmPost(t, f, path, tok, ok); a.status != 401 || a.gstatus != "UNAUTHENTICATED" {
		t.Errorf("after ExpireTokens: %d %s", a.status, a.gstatus)
	}
}

func TestFCMFaults(t *testing.T) {
	f := NewFCM(fcmCreds)
	defer f.Close()
	tok := fcmAccessToken(t, f, "https://www.googleapis.com/auth/firebase.messaging")
	body := `{"message":{"token":"tok-1","notification":{"body":"b"}}}`
	for _, tc := range []struct {
		code             string
		status           int
		gstatus, fcmCode string
	}{
		{"QUOTA_EXCEEDED", 429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"},
		{"UNAVAILABLE", 503, "UNAVAILABLE", "UNAVAILABLE"},
		{"INTERNAL", 500, "INTERNAL", "INTERNAL"},
		{"UNREGISTERED", 404, "NOT_FOUND", "UNREGISTERED"},
		{"SENDER_ID_MISMATCH", 403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"},
		{"THIRD_PARTY_AUTH_ERROR", 401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"},
		{"UNAUTHENTICATED", 401, "UNAUTHENTICATED", ""},
		{"PERMISSION_DENIED", 403, "PERMISSION_DENIED", ""},
	} {
		f.Inject(Fault{Code: tc.code})
		a := fcmPost(t, f, "/v1/projects/fake-proj/messages:send", tok, body)
		if a.status != tc.status || a.gstatus != tc.gstatus || a.fcmCode != tc.fcmCode {
			t.Errorf("%s: got %d %s/%s", tc.code, a.status, a.gstatus, a.fcmCode)
		}
	}
	f.Inject(Fault{Path: "/token", Code: "invalid_grant"})
	k := loadSA(t, fcmCreds)
	status, out := postForm(t, f, "/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {signJWT(t, k, nil)}})
	if status != 400 || out["error"] != "invalid_grant" {
		t.Errorf("token fault: %d %v", status, out)
	}
	if f.Conns() < 1 {
		t.Errorf("no connections counted")
	}
}

func TestFCMCredentialsShape(t *testing.T) {
	var sa map[string]string
	if err := json.Unmarshal(fcmCreds, &sa); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"type", "project_id", "private_key_id", "private_key", "client_email", "token_uri"} {
		if sa[k] == "" {
			t.Errorf("%s missing", k)
		}
	}
	if sa["type"] != "service_account" || sa["project_id"] != "fake-proj" || sa["token_uri"] != "https://oauth2.googleapis.com/token" {
		t.Errorf("credentials %v", sa)
	}
	if string(FCMCredentials("fake-proj")) == string(fcmCreds) {
		t.Error("credentials are not fresh")
	}
}

// TestFCMMisconfigured: set misconfigured, the fake answers every send as
// FCM answers tokens of another project (403 SENDER_ID_MISMATCH), and
// accepts again once unset.
func TestFCMMisconfigured(t *testing.T) {
	f := NewFCM(fcmCreds)
	defer f.Close()
	tok := fcmAccessToken(t, f, "https://www.googleapis.com/auth/firebase.messaging")
	body := `{"message":{"token":"tok-1","notification":{"body":"b"}}}`
	f.SetMisconfigured(true)
	for range 3 {
		a := fcmPost(t, f, "/v1/projects/fake-proj/messages:send", tok, body)
		if a.status != 403 || a.gstatus != "PERMISSION_DENIED" || a.fcmCode != "SENDER_ID_MISMATCH" {
			t.Fatalf("misconfigured: got %d %s/%s", a.status, a.gstatus, a.fcmCode)
		}
	}
	if len(f.Delivered()) != 0 {
		t.Fatal("a misconfigured app delivered")
	}
	f.SetMisconfigured(false)
	if a := fcmPost(t, f, "/v1/projects/fake-proj/messages:send", tok, body); a.status != 200 {
		t.Fatalf("set up right again: got %d %s/%s", a.status, a.gstatus, a.fcmCode)
	}
}

package fcm

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/pushtest"
)

// TestDecode maps FCM answers, as documented and as seen in the wild, to
// outcomes.
func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		header  http.Header
		body    string
		kind    error // nil: accepted
		code    string
		msgID   string
		expired bool
		retry   time.Duration
	}{
		{name: "ok", status: 200, body: `{"name": "projects/my-proj/messages/0:1500415314455276%31bd1c9631bd1c96"}`,
			msgID: "projects/my-proj/messages/0:1500415314455276%31bd1c9631bd1c96"},
		{name: "ok unreadable body", status: 200, body: `<html>`},
		// the reference's error-model example
		{name: "unregistered", status: 404, kind: push.ErrInvalidToken, code: "UNREGISTERED",
			body: `{"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}]}}`},
		// firebase-admin-java#1064, healthjoy/async-firebase#15
		{name: "invalid registration token", status: 400, kind: push.ErrInvalidToken, code: "INVALID_ARGUMENT",
			body: `{"error": {"code": 400, "message": "The registration token is not a valid FCM registration token", "status": "INVALID_ARGUMENT",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "INVALID_ARGUMENT"}]}}`},
		{name: "bad request on message.token", status: 400, kind: push.ErrInvalidToken, code: "INVALID_ARGUMENT",
			body: `{"error": {"code": 400, "message": "Request contains an invalid argument.", "status": "INVALID_ARGUMENT",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "INVALID_ARGUMENT"},
			    {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}]}]}}`},
		{name: "invalid data value", status: 400, kind: push.ErrInvalidMessage, code: "INVALID_ARGUMENT",
			body: `{"error": {"code": 400, "message": "Invalid value at 'message.data[0].value' (TYPE_STRING), 1", "status": "INVALID_ARGUMENT",
			  "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.data[0].value", "description": "Invalid value"}]}]}}`},
		{name: "sender id mismatch", status: 403, kind: push.ErrAuth, code: "SENDER_ID_MISMATCH",
			body: `{"error": {"code": 403, "message": "SenderId mismatch", "status": "PERMISSION_DENIED",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "SENDER_ID_MISMATCH"}]}}`},
		{name: "third party auth", status: 401, kind: push.ErrAuth, code: "THIRD_PARTY_AUTH_ERROR",
			body: `{"error": {"code": 401, "message": "Auth error from APNS or Web Push Service", "status": "UNAUTHENTICATED",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "THIRD_PARTY_AUTH_ERROR"}]}}`},
		{name: "access token expired", status: 401, kind: push.ErrAuth, code: "UNAUTHENTICATED", expired: true,
			body: `{"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}}`},
		{name: "quota", status: 429, header: http.Header{"Retry-After": {"60"}}, kind: push.ErrRateLimited, code: "QUOTA_EXCEEDED", retry: time.Minute,
			body: `{"error": {"code": 429, "message": "Quota exceeded.", "status": "RESOURCE_EXHAUSTED",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "QUOTA_EXCEEDED"}]}}`},
		{name: "unavailable", status: 503, header: http.Header{"Retry-After": {"2"}}, kind: push.ErrUnavailable, code: "UNAVAILABLE", retry: 2 * time.Second,
			body: `{"error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNAVAILABLE"}]}}`},
		{name: "internal", status: 500, kind: push.ErrUnavailable, code: "INTERNAL",
			body: `{"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "INTERNAL"}]}}`},
		{name: "permission denied", status: 403, kind: push.ErrAuth, code: "PERMISSION_DENIED",
			body: `{"error": {"code": 403, "message": "Permission 'cloudmessaging.messages.create' denied", "status": "PERMISSION_DENIED"}}`},
		{name: "unspecified", status: 500, kind: push.ErrUnavailable, code: "UNKNOWN",
			body: `{"error": {"code": 500, "message": "?", "status": "UNKNOWN",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNSPECIFIED_ERROR"}]}}`},
		// issue 12: a NOT_FOUND without UNREGISTERED does not name the token
		{name: "not found without FcmError", status: 404, kind: push.ErrAuth, code: "NOT_FOUND",
			body: `{"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}`},
		{name: "invalid argument without FcmError naming the token", status: 400, kind: push.ErrInvalidToken, code: "INVALID_ARGUMENT",
			body: `{"error": {"code": 400, "message": "The registration token is not a valid FCM registration token", "status": "INVALID_ARGUMENT"}}`},
		{name: "legacy APNS_AUTH_ERROR", status: 401, kind: push.ErrAuth, code: "APNS_AUTH_ERROR",
			body: `{"error": {"code": 401, "message": "Auth error from APNS", "status": "UNAUTHENTICATED",
			  "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "APNS_AUTH_ERROR"}]}}`},
		{name: "unknown status 401", status: 401, kind: push.ErrAuth, code: "SOMETHING", expired: true,
			body: `{"error": {"code": 401, "message": "?", "status": "SOMETHING"}}`},
		{name: "unknown status 429", status: 429, header: http.Header{"Retry-After": {"3"}}, kind: push.ErrRateLimited, code: "SOMETHING", retry: 3 * time.Second,
			body: `{"error": {"code": 429, "message": "?", "status": "SOMETHING"}}`},
		{name: "proxy html 502", status: 502, kind: push.ErrUnavailable, body: `<html><body>Bad Gateway</body></html>`},
		{name: "empty 400", status: 400, kind: push.ErrInvalidMessage, body: ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := decode(&transport.Response{Status: tc.status, Header: tc.header, Body: []byte(tc.body)}, "tok")
			if o.Token != "tok" {
				t.Fatalf("token %q", o.Token)
			}
			if tc.kind == nil {
				if o.Err != nil || o.MessageID != tc.msgID {
					t.Fatalf("got %v %q, want accepted %q", o.Err, o.MessageID, tc.msgID)
				}
				return
			}
			if !errors.Is(o.Err, tc.kind) {
				t.Fatalf("got %v, want %v", o.Err, tc.kind)
			}
			var ve *push.VendorError
			if !errors.As(o.Err, &ve) {
				t.Fatalf("not a VendorError: %T", o.Err)
			}
			if ve.Code != tc.code || ve.HTTPStatus != tc.status || ve.RetryAfter != tc.retry {
				t.Errorf("code %q status %d retry %v; want %q %d %v", ve.Code, ve.HTTPStatus, ve.RetryAfter, tc.code, tc.status, tc.retry)
			}
			if got := errors.Is(o.Err, auth.ErrExpired); got != tc.expired {
				t.Errorf("ErrExpired %v, want %v", got, tc.expired)
			}
			// one class only
			n := 0
			for _, k := range []error{push.ErrInvalidToken, push.ErrInvalidMessage, push.ErrAuth, push.ErrQuota, push.ErrRateLimited, push.ErrUnavailable} {
				if errors.Is(o.Err, k) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%v matches %d classes", o.Err, n)
			}
		})
	}
}

// TestVerdictTables: every row of the verdict tables, answered as FCM
// answers it, gets the row's class, exactly one sentinel, and a dead-token
// verdict only for UNREGISTERED. SENDER_ID_MISMATCH says why the token is
// kept.
func TestVerdictTables(t *testing.T) {
	fcmErr := func(st int, status, code string) string {
		return fmt.Sprintf(`{"error":{"code":%d,"message":"m","status":%q,"details":[{"@type":%q,"errorCode":%q}]}}`, st, status, fcmErrorType, code)
	}
	for code, v := range verdicts {
		t.Run(code, func(t *testing.T) {
			o := decode(&transport.Response{Status: v.Status, Body: []byte(fcmErr(v.Status, "X", code))}, "tok")
			if !errors.Is(o.Err, v.Class) || classes(o.Err) != 1 {
				t.Fatalf("%s: got %v, want only %v", code, o.Err, v.Class)
			}
			if errors.Is(o.Err, push.ErrInvalidToken) != (code == CodeUnregistered) {
				t.Errorf("%s: dead-token verdict %v", code, o.Err)
			}
		})
	}
	for status, v := range canonicalVerdicts {
		t.Run(status, func(t *testing.T) {
			o := decode(&transport.Response{Status: v.Status, Body: []byte(fmt.Sprintf(`{"error":{"code":%d,"message":"m","status":%q}}`, v.Status, status))}, "tok")
			if !errors.Is(o.Err, v.Class) || classes(o.Err) != 1 || errors.Is(o.Err, push.ErrInvalidToken) {
				t.Fatalf("%s: got %v, want only %v", status, o.Err, v.Class)
			}
		})
	}
	o := decode(&transport.Response{Status: 403, Body: []byte(fcmErr(403, "PERMISSION_DENIED", CodeSenderIDMismatch))}, "tok")
	for _, want := range []string{"likely a misconfiguration", "Config.CredentialsJSON", "token kept"} {
		if !strings.Contains(o.Err.Error(), want) {
			t.Errorf("SENDER_ID_MISMATCH: %q lacks %q", o.Err, want)
		}
	}
}

func classes(err error) int {
	n := 0
	for _, k := range []error{push.ErrInvalidToken, push.ErrInvalidMessage, push.ErrAuth, push.ErrQuota, push.ErrRateLimited, push.ErrUnavailable, push.ErrDisabled} {
		if errors.Is(err, k) {
			n++
		}
	}
	return n
}

// TestBodyIsMarshalledMessage: the spliced body equals encoding/json's
// output for the same message with the token set, for plain and for
// escaped tokens.
func TestBodyIsMarshalledMessage(t *testing.T) {
	c := benchClient(t)
	m, err := c.wireMessage(&push.OfflinePushInfo{Title: "A", Desc: "B", Ext: `{"k":"<v>"}`, Badge: 2, CollapseID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := newTemplate(m)
	for _, tok := range []string{"abc:APA91b-_x", `q"uote\`, "a<b>&c", "ünï", "tab\there"} {
		mm := *m
		mm.Token = tok
		want, err := json.Marshal(&sendRequest{Message: &mm})
		if err != nil {
			t.Fatal(err)
		}
		if got := tmpl.body(tok); string(got) != string(want) {
			t.Errorf("token %q:\n got %s\nwant %s", tok, got, want)
		}
	}
}

var benchCreds = pushtest.FCMCredentials("bench-proj")

func benchClient(tb testing.TB) *Client {
	c, err := New(Config{CredentialsJSON: benchCreds, ChannelID: "im_msg"})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Benchmark results go to these, so that the compiler cannot keep on the
// stack what a real send hands to the transport.
var (
	sinkTmpl template
	sinkReq  *transport.Request
)

// BenchmarkBuild measures building the requests of one Push: mapping the
// message once, then one body and header set per token.
func BenchmarkBuild(b *testing.B) {
	c := benchClient(b)
	info := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"entity":{"chatType":1,"sender":"alice"}}`,
		IOSSound: "default", CollapseID: "c2c_alice", TTL: time.Hour,
		Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;action=OPEN_CHAT;end"}}
	token := "d3vIc3T0k3n:APA91b" + strings.Repeat("x", 140)
	b.Run("message", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := c.wireMessage(info)
			if err != nil {
				b.Fatal(err)
			}
			sinkTmpl = newTemplate(m)
		}
	})
	m, _ := c.wireMessage(info)
	tmpl := newTemplate(m)
	b.Run("per-token-request", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkReq = c.request(tmpl, token, "ya29.access-token")
		}
	})
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("push-of-%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, _ := c.wireMessage(info)
				tmpl := newTemplate(m)
				for range n {
					sinkReq = c.request(tmpl, token, "ya29.access-token")
				}
			}
		})
	}
}

// TestDefaultHTTPClientIsPooled: without WithHTTPClient a client gets its
// own pooled connections (NewHTTPClient), never net/http's shared default.
func TestDefaultHTTPClientIsPooled(t *testing.T) {
	a, err := New(Config{CredentialsJSON: benchCreds})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{CredentialsJSON: benchCreds})
	if err != nil {
		t.Fatal(err)
	}
	pa, ok := a.kit.Opts.HTTPClient.Transport.(*transport.Pool)
	if !ok {
		t.Fatalf("transport %T, want a *transport.Pool", a.kit.Opts.HTTPClient.Transport)
	}
	if pb, _ := b.kit.Opts.HTTPClient.Transport.(*transport.Pool); pb == pa {
		t.Error("two clients share one pool")
	}
	tr := pa.Transport()
	if tr.TLSClientConfig.MinVersion < tls.VersionTLS12 || tr.TLSClientConfig.InsecureSkipVerify || tr.HTTP2 == nil || tr.HTTP2.SendPingTimeout <= 0 {
		t.Errorf("transport settings: TLS %x, HTTP2 %+v", tr.TLSClientConfig.MinVersion, tr.HTTP2)
	}
}

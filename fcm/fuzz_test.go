package fcm

import (
	"strconv"
	"testing"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/fuzzkit"
)

// FuzzDecode: any answer for one token decodes to one outcome for that
// token, accepted or of exactly one error class (an expired access token is
// an ErrAuth wrapping auth.ErrExpired).
func FuzzDecode(f *testing.F) {
	fcmErr := func(code int, status, msg, details string) string {
		return `{"error": {"code": ` + strconv.Itoa(code) + `, "message": "` + msg + `", "status": "` + status + `", "details": [` + details + `]}}`
	}
	detail := func(code string) string {
		return `{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "` + code + `"}`
	}
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"name": "projects/my-proj/messages/0:1500415314455276%31bd1c9631bd1c96"}`},
		{200, `<html>`},
		{404, fcmErr(404, "NOT_FOUND", "Requested entity was not found.", detail("UNREGISTERED"))},
		{400, fcmErr(400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", detail("INVALID_ARGUMENT"))},
		{400, fcmErr(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", detail("INVALID_ARGUMENT")+
			`,{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.token", "description": "Invalid registration token"}]}`)},
		{400, fcmErr(400, "INVALID_ARGUMENT", "Invalid value at 'message.data[0].value' (TYPE_STRING), 1",
			`{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "message.data[0].value", "description": "Invalid value"}]}`)},
		{403, fcmErr(403, "PERMISSION_DENIED", "SenderId mismatch", detail("SENDER_ID_MISMATCH"))},
		{401, fcmErr(401, "UNAUTHENTICATED", "Auth error from APNS or Web Push Service", detail("THIRD_PARTY_AUTH_ERROR"))},
		{401, `{"error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}}`},
		{429, fcmErr(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", detail("QUOTA_EXCEEDED"))},
		{503, fcmErr(503, "UNAVAILABLE", "The service is currently unavailable.", detail("UNAVAILABLE"))},
		{500, fcmErr(500, "INTERNAL", "Internal error encountered.", detail("INTERNAL"))},
		{403, `{"error": {"code": 403, "message": "Permission 'cloudmessaging.messages.create' denied", "status": "PERMISSION_DENIED"}}`},
		{500, fcmErr(500, "UNKNOWN", "?", detail("UNSPECIFIED_ERROR"))},
		{400, fcmErr(400, "FAILED_PRECONDITION", "?", detail("APNS_AUTH_ERROR"))},
		{502, `<html><body>Bad Gateway</body></html>`},
		{400, ``},
		{404, `{"error": null}`},
		{400, `{"error": {"details": [null, 5, {"fieldViolations": null}]}, "status": 7}`},
	} {
		f.Add(s.status, "", []byte(s.body), "fcm-token-alice-phone")
	}
	f.Add(503, "7", []byte(`{}`), "tok")
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte{0xff, 0x00}, "\xff")

	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, token string) {
		if token == "" {
			token = "tok" // an empty token is never sent
		}
		fuzzkit.RequireOutcomes(t, []string{token}, []push.Outcome{decode(fuzzkit.Response(status, retryAfter, body), token)})
	})
}

package fcm

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/transport"
)

// FCM error codes (google.firebase.fcm.v1.FcmError.errorCode).
const (
	CodeUnregistered        = "UNREGISTERED"
	CodeInvalidArgument     = "INVALID_ARGUMENT"
	CodeSenderIDMismatch    = "SENDER_ID_MISMATCH"
	CodeQuotaExceeded       = "QUOTA_EXCEEDED"
	CodeUnavailable         = "UNAVAILABLE"
	CodeInternal            = "INTERNAL"
	CodeThirdPartyAuthError = "THIRD_PARTY_AUTH_ERROR"
)

const fcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError"

// rpcStatus is google.rpc.Status, the body of every FCM error answer.
type rpcStatus struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"` // canonical code: INVALID_ARGUMENT, NOT_FOUND, …
		Details []struct {
			Type            string `json:"@type"`
			ErrorCode       string `json:"errorCode"` // FcmError
			FieldViolations []struct {
				Field       string `json:"field"`
				Description string `json:"description"`
			} `json:"fieldViolations"` // google.rpc.BadRequest
		} `json:"details"`
	} `json:"error"`
}

// fcmCode returns the FcmError code of the details, if any.
func (s *rpcStatus) fcmCode() string {
	for _, d := range s.Error.Details {
		if d.Type == fcmErrorType {
			return d.ErrorCode
		}
	}
	return ""
}

// namesToken reports whether an INVALID_ARGUMENT is about the registration
// token rather than the message. FCM answers a malformed token with
// "The registration token is not a valid FCM registration token", and
// sometimes a google.rpc.BadRequest violation on message.token.
func (s *rpcStatus) namesToken() bool {
	for _, d := range s.Error.Details {
		for _, fv := range d.FieldViolations {
			if fv.Field == "message.token" {
				return true
			}
		}
	}
	return strings.Contains(strings.ToLower(s.Error.Message), "registration token")
}

// decode maps FCM's answer for one token.
func decode(resp *transport.Response, token string) push.Outcome {
	if resp.Status >= 200 && resp.Status < 300 {
		// 200 means FCM took the message. An unreadable body costs the id,
		// not the delivery: reporting a failure could make the caller send
		// it twice.
		var r struct {
			Name string `json:"name"` // projects/{id}/messages/{message_id}
		}
		_ = json.Unmarshal(resp.Body, &r)
		return push.Outcome{Token: token, MessageID: r.Name}
	}
	return push.Outcome{Token: token, Err: statusError(resp)}
}

// verdict is one row of the verdict table: the class of an FCM error and
// why.
type verdict struct {
	Status  int    // the HTTP status FCM answers it with
	Class   error  // the push sentinel of the outcome
	Meaning string // what FCM means by it, in short
}

// verdicts is the verdict table for the FcmError codes FCM documents
// (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode, the error-codes
// guide, firebase-admin-go's handleFCMError). A token is reported dead
// (ErrInvalidToken: delete it) only where FCM names it: UNREGISTERED, and an
// INVALID_ARGUMENT about the registration token (a google.rpc.BadRequest
// violation on message.token, or a message naming the registration token);
// any other INVALID_ARGUMENT is the message's fault. Every send carries one
// token, so such an answer is about that token; a long run of them with no
// success (tokens of another app, say) is turned into ErrAuth by the
// misconfiguration guard. SENDER_ID_MISMATCH is never death: see the row.
//
// An answer without an FcmError code (or UNSPECIFIED_ERROR) is classed by
// its canonical status (canonicalVerdicts), then by its HTTP status.
var verdicts = map[string]verdict{
	CodeUnregistered: {404, push.ErrInvalidToken,
		"the registration token is no longer valid (app uninstalled, token expired or rotated)"},
	CodeInvalidArgument: {400, push.ErrInvalidMessage,
		"invalid message (ErrInvalidToken instead when it names the registration token)"},
	// A token issued for another Firebase project. Read as a token problem
	// it would be deleted; but it is also what every token gets when the
	// certificate has the wrong project or key, and deleting every token
	// would be a disaster. The code stays in Code for callers who know better.
	CodeSenderIDMismatch: {403, push.ErrAuth,
		"the token belongs to another Firebase project"},
	CodeQuotaExceeded: {429, push.ErrRateLimited,
		"message rate exceeded (project, device or topic); not a daily quota"},
	CodeUnavailable: {503, push.ErrUnavailable, "FCM overloaded"},
	CodeInternal:    {500, push.ErrUnavailable, "FCM internal error"},
	// The APNs key or certificate in the Firebase console is missing or
	// wrong: fix the console; a fresh access token would not help.
	CodeThirdPartyAuthError: {401, push.ErrAuth,
		"the APNs (or web push) credentials in the Firebase console were rejected"},
	"APNS_AUTH_ERROR": {401, push.ErrAuth, "legacy name of THIRD_PARTY_AUTH_ERROR"},
}

// canonicalVerdicts classes an answer without an FcmError code by its
// canonical google.rpc.Code. UNAUTHENTICATED is an expired or revoked access
// token: the client fetches a new one and sends once more before reporting
// ErrAuth. NOT_FOUND without UNREGISTERED does not name the token (a wrong
// project id, an endpoint that is not FCM's): the token is kept.
var canonicalVerdicts = map[string]verdict{
	"INVALID_ARGUMENT":    {400, push.ErrInvalidMessage, "invalid request"},
	"FAILED_PRECONDITION": {400, push.ErrInvalidMessage, "request not possible in the current state"},
	"OUT_OF_RANGE":        {400, push.ErrInvalidMessage, "value out of range"},
	"UNAUTHENTICATED":     {401, push.ErrAuth, "access token invalid or expired"},
	"PERMISSION_DENIED":   {403, push.ErrAuth, "no permission to send for this project (check Config.ProjectID and the service account's role)"},
	"NOT_FOUND":           {404, push.ErrAuth, "not found, without an FcmError naming the token (check Config.ProjectID and the endpoint); token kept"},
	"RESOURCE_EXHAUSTED":  {429, push.ErrRateLimited, "rate exceeded"},
	"UNKNOWN":             {500, push.ErrUnavailable, "unknown server error"},
	"INTERNAL":            {500, push.ErrUnavailable, "internal server error"},
	"UNAVAILABLE":         {503, push.ErrUnavailable, "service unavailable"},
	"DEADLINE_EXCEEDED":   {504, push.ErrUnavailable, "server deadline exceeded"},
}

// senderHint is what a SENDER_ID_MISMATCH asks the caller to check.
const senderHint = "likely a misconfiguration, not a dead token (check that the tokens belong to the project of " +
	"Config.CredentialsJSON or Config.ProjectID); token kept"

// statusError maps a non-2xx answer by the verdict tables: the FcmError
// code decides when there is one; else the canonical status; else the HTTP
// status.
func statusError(resp *transport.Response) *push.VendorError {
	var s rpcStatus
	if json.Unmarshal(resp.Body, &s) != nil || (s.Error.Status == "" && s.Error.Message == "") {
		return transport.StatusError(push.FCM, resp, "", "")
	}
	fc := s.fcmCode()
	code := fc
	if code == "" || code == "UNSPECIFIED_ERROR" {
		code = s.Error.Status
	}
	e := &push.VendorError{Vendor: push.FCM, HTTPStatus: resp.Status, Code: code, Message: s.Error.Message}
	v, ok := verdicts[fc]
	if !ok {
		v, ok = canonicalVerdicts[s.Error.Status]
	}
	if !ok {
		// Neither code is known: the HTTP status decides (401 then is an
		// expired access token, as UNAUTHENTICATED).
		v.Class = transport.StatusError(push.FCM, resp, "", "").Kind
		if resp.Status == http.StatusUnauthorized {
			code = "UNAUTHENTICATED"
		}
	}
	e.Kind = v.Class
	if e.Message == "" {
		e.Message = v.Meaning
	}
	switch {
	case e.Kind == push.ErrInvalidMessage && s.namesToken():
		e.Kind = push.ErrInvalidToken
	case fc == CodeSenderIDMismatch:
		e.Message += ": " + senderHint
	case code == "NOT_FOUND":
		e.Message += " (" + v.Meaning + ")"
	case code == "UNAUTHENTICATED":
		// The access token expired or was revoked: auth.Do fetches a new
		// one and sends once more.
		e.Cause = auth.ErrExpired
	case e.Kind == push.ErrRateLimited || e.Kind == push.ErrUnavailable:
		e.RetryAfter = transport.RetryAfter(resp.Header)
	}
	return e
}

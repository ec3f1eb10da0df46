package apns

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/transport"
)

// errorBody is APNs' failure answer.
type errorBody struct {
	Reason string `json:"reason"`
	// Timestamp (410 only) is when APNs last confirmed the token invalid,
	// in milliseconds since the epoch.
	Timestamp int64 `json:"timestamp"`
}

// InactiveError is the Cause of a 410 Unregistered/ExpiredToken outcome: the
// token has not been valid for the topic since Since. Apple's advice: delete
// the token unless the device reported it again after Since.
type InactiveError struct {
	Since time.Time
}

func (e *InactiveError) Error() string {
	return "inactive since " + e.Since.UTC().Format(time.RFC3339)
}

// decode maps one answer to the token's Outcome, by the verdict table below
// (reasons). The status decides only for a reason the table does not know.
func (c *Client) decode(resp *transport.Response, token, jwt string) push.Outcome {
	id := resp.Header.Get("apns-id")
	if resp.Status >= 200 && resp.Status < 300 {
		return push.Outcome{Token: token, MessageID: id}
	}
	var b errorBody
	_ = json.Unmarshal(resp.Body, &b) // an unreadable body leaves the status to decide
	r, known := reasons[b.Reason]
	e := transport.StatusError(push.APNs, resp, b.Reason, r.Meaning)
	if known {
		e.Kind = r.Class
	}
	switch b.Reason {
	case "Unregistered", "ExpiredToken":
		if b.Timestamp > 0 {
			e.Cause = &InactiveError{Since: time.UnixMilli(b.Timestamp)}
		}
	case "DeviceTokenNotForTopic":
		e.Message = fmt.Sprintf("%s: likely a misconfiguration, not a dead token (check Config.Topic %q: the app's bundle id); token kept", r.Meaning, c.cfg.Topic)
	case "BadTopic", "MissingTopic", "TopicDisallowed":
		e.Message = fmt.Sprintf("%s (check Config.Topic %q)", r.Meaning, c.cfg.Topic)
	case "TooManyRequests", "TooManyProviderTokenUpdates":
		// Not re-signing on TooManyProviderTokenUpdates: only time helps.
		e.RetryAfter = transport.RetryAfter(resp.Header)
	case "ExpiredProviderToken":
		// Apple counts "expired" from iat by its own clock. A token we signed
		// less than MinTokenAge ago can only be called expired when the clocks
		// disagree; a new one from the same clock would fail too, and signing
		// it would break the 20-minute rule (TooManyProviderTokenUpdates,
		// which blocks the connection). So only an older token is re-signed.
		// The age is that of the token Apple rejected, not the cached one: a
		// request that raced a fresh re-sign still gets one retry with it.
		if iat, ok := issuedAt(jwt); ok && c.now().Sub(iat) < MinTokenAge {
			e.Message = fmt.Sprintf("provider token rejected as expired although signed %s ago; "+
				"check this server's clock (not re-signed: APNs allows a new token every %s at most)",
				c.now().Sub(iat).Round(time.Second), MinTokenAge)
		} else {
			e.Cause = auth.ErrExpired
		}
	}
	return push.Outcome{Token: token, MessageID: id, Err: e}
}

// reason is one row of the verdict table: what an APNs failure reason means
// and the class its outcome gets.
type reason struct {
	Status  int    // the HTTP status Apple answers it with
	Class   error  // the push sentinel of the outcome
	Meaning string // Apple's meaning, in short (the VendorError's Message)
}

// reasons is the verdict table: every reason Apple documents ("Handling
// error responses from APNs"; the reason list of sideshow/apns2
// response.go and of the a2 and apns-h2 crates, which add the scoped-key
// reasons), mapped to a class. A token is reported dead (ErrInvalidToken:
// delete it) only where Apple says it is about that token:
//
//   - 410 Unregistered / ExpiredToken: the token is no longer active for the
//     topic: proof of death (Cause *InactiveError says since when).
//   - 400 BadDeviceToken: APNs takes one token per request, so the answer is
//     about that token; but it is also the answer to every token when
//     Config.Sandbox names the wrong environment, so the client's
//     misconfiguration guard turns a long run of them with no success into
//     ErrAuth (check Config.Sandbox and Config.Topic), keeping the tokens.
//
// DeviceTokenNotForTopic is read as ErrAuth, never as death: the token is a
// live token of another app (topic). Sent by this client, that means either
// Config.Topic is wrong, and every token of the app gets it, or the caller
// registered another app's token under this certificate; in neither case
// would deleting it be right for the device, and the first case must not
// wipe the app's tokens. Topic reasons are configuration (ErrAuth, "check
// Config.Topic"); request reasons are ErrInvalidMessage; IdleTimeout, 500
// and 503 are ErrUnavailable (5xx retried first); 429 is ErrRateLimited.
var reasons = map[string]reason{
	"BadCollapseId":               {400, push.ErrInvalidMessage, "apns-collapse-id longer than 64 bytes"},
	"BadDeviceToken":              {400, push.ErrInvalidToken, "malformed device token, or one of the other environment (check Config.Sandbox)"},
	"BadExpirationDate":           {400, push.ErrInvalidMessage, "bad apns-expiration"},
	"BadMessageId":                {400, push.ErrInvalidMessage, "bad apns-id"},
	"BadPriority":                 {400, push.ErrInvalidMessage, "bad apns-priority"},
	"BadTopic":                    {400, push.ErrAuth, "apns-topic invalid"},
	"DeviceTokenNotForTopic":      {400, push.ErrAuth, "device token belongs to another app (topic)"},
	"DuplicateHeaders":            {400, push.ErrInvalidMessage, "a header repeated"},
	"IdleTimeout":                 {400, push.ErrUnavailable, "idle connection closed by APNs"},
	"InvalidPushType":             {400, push.ErrInvalidMessage, "bad apns-push-type"},
	"MissingDeviceToken":          {400, push.ErrInvalidMessage, "no device token in the path"},
	"MissingTopic":                {400, push.ErrAuth, "apns-topic missing"},
	"PayloadEmpty":                {400, push.ErrInvalidMessage, "empty payload"},
	"TopicDisallowed":             {400, push.ErrAuth, "pushing to this topic is not allowed for this key"},
	"BadCertificate":              {403, push.ErrAuth, "bad certificate"},
	"BadCertificateEnvironment":   {403, push.ErrAuth, "certificate of the other environment"},
	"ExpiredProviderToken":        {403, push.ErrAuth, "provider token older than one hour"},
	"Forbidden":                   {403, push.ErrAuth, "forbidden"},
	"InvalidProviderToken":        {403, push.ErrAuth, "provider token invalid (key id, team id, key or signature)"},
	"MissingProviderToken":        {403, push.ErrAuth, "no provider token"},
	"UnrelatedKeyIdInToken":       {403, push.ErrAuth, "the key is not allowed for this topic"},
	"BadEnvironmentKeyIdInToken":  {403, push.ErrAuth, "the key is for the other environment (check Config.Sandbox)"},
	"BadPath":                     {404, push.ErrInvalidMessage, "bad request path"},
	"MethodNotAllowed":            {405, push.ErrInvalidMessage, "method not allowed"},
	"ExpiredToken":                {410, push.ErrInvalidToken, "device token has expired"},
	"Unregistered":                {410, push.ErrInvalidToken, "device token is no longer active for this topic"},
	"PayloadTooLarge":             {413, push.ErrInvalidMessage, "payload larger than 4096 bytes"},
	"TooManyProviderTokenUpdates": {429, push.ErrRateLimited, "provider token changed too often"},
	"TooManyRequests":             {429, push.ErrRateLimited, "too many notifications to this device token"},
	"InternalServerError":         {500, push.ErrUnavailable, "APNs internal error"},
	"ServiceUnavailable":          {503, push.ErrUnavailable, "APNs temporarily unavailable"},
	"Shutdown":                    {503, push.ErrUnavailable, "APNs server shutting down"},
}

// Package fcm sends offline pushes through Firebase Cloud Messaging, HTTP
// v1 API.
//
// FCM authenticates with OAuth2 access tokens: the client signs an RS256 JWT
// with the service account's private key (Config.CredentialsJSON, the key
// JSON downloaded from the Firebase console), exchanges it at Google's token
// URL for an access token that lives about an hour, and sends
//
//	POST https://fcm.googleapis.com/v1/projects/{project_id}/messages:send
//	Authorization: Bearer <access token>
//
// with one device token per request: FCM's batch endpoint is gone, so a
// push to many devices is many requests. They are multiplexed over few
// HTTP/2 connections (NewHTTPClient) by a bounded worker pool
// (WithConcurrency, default 64), and one cached access token serves them
// all.
//
// This package maps a push.OfflinePushInfo onto the v1 Message (the
// notification block, the data map carrying "ext", the android and apns
// blocks) and decodes FCM's google.rpc.Status errors, with their FcmError
// code, into one outcome per token, by the verdict tables in answer.go
// (verdicts and canonicalVerdicts):
//
//   - UNREGISTERED, and INVALID_ARGUMENT about the registration token:
//     push.ErrInvalidToken (delete the token); a run of more than
//     push.DefaultMisconfigGuard of them with none accepted becomes ErrAuth
//     (push.WithMisconfigGuard), the tokens kept
//   - other INVALID_ARGUMENT: push.ErrInvalidMessage
//   - QUOTA_EXCEEDED / 429: push.ErrRateLimited (a rate, not a daily
//     quota), after the retries Retry-After allows
//   - UNAVAILABLE, INTERNAL / 5xx: retried, then push.ErrUnavailable
//   - 401 UNAUTHENTICATED: a fresh access token and one more try
//   - SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR, PERMISSION_DENIED, and
//     NOT_FOUND without UNREGISTERED: push.ErrAuth. SENDER_ID_MISMATCH (a
//     token of another Firebase project) is not reported as a dead token:
//     when the certificate has the wrong project or key, every token gets
//     it, and deleting them all would be worse than a failed push;
//     VendorError.Code keeps it.
//
// A token endpoint that refuses the service account, even inside a 200
// answer ({"error":"invalid_client"}), is ErrAuth for every token.
//
// FCM does not deduplicate messages, so a send that may have reached FCM
// is never retried blindly.
//
// Tap actions: open-app is FCM's default; open-page sets click_action to the
// action= of Click.Intent (FCM launches activities by intent-filter action);
// FCM has no open-URL action for apps, so the app opens and finds the URL
// under the data key "url" (URLKey).
package fcm

// Package apns sends offline pushes through the Apple Push Notification
// service (APNs provider API: HTTP/2, token-based authentication).
//
// A Config holds one .p8 signing key (TeamID, KeyID, PrivateKey) and the
// app's bundle id (Topic). The client signs one ES256 provider token (JWT)
// with it, shares that token between all goroutines and re-signs it every
// 50 minutes: Apple rejects tokens older than one hour and answers
// TooManyProviderTokenUpdates when a new one comes more often than every 20
// minutes. An ExpiredProviderToken answer re-signs and resends once, but
// only when the rejected token is at least 20 minutes old; a younger one is
// reported as ErrAuth (the clocks disagree, and a new token would break the
// 20-minute rule). push.WithTokenSource replaces the signing with the
// caller's own tokens (shared between processes, say).
//
// APNs takes one device token per request, so Push sends one
// POST /3/device/<token> per token, many at once over one HTTP/2
// connection (WithConcurrency, default 64 in flight). The payload is built
// once per Push:
//
//	{"aps":{"alert":{"title":…,"body":…},"sound":"default","badge":n,"mutable-content":1},
//	 "ext":"<OfflinePushInfo.Ext>","url":"<Click.URL>"}
//
// Ext travels as the top-level key "ext", where Tencent-style iOS clients
// read it (userInfo["ext"]). iOS has no server-side tap action: a tap opens
// the app. A ClickOpenURL action is therefore carried as the top-level key
// "url" for the app to open itself; ClickOpenPage (an Android intent or
// Activity) means nothing on iOS and is dropped; the default opens the app.
//
// APNs has no per-field length limits, only MaxPayload (4096 bytes) for the
// whole payload. A message over it is fitted: the alert body, then the
// title, is shortened as little as needed, at a character boundary and
// ended with "…"; Ext and Click.URL are never cut, and a message they leave
// no room in is refused naming the field. WithStrictLength refuses every
// oversize message instead. An empty Title is sent as none: iOS shows the
// app's name above the text.
//
// With no TTL no apns-expiration is sent and APNs stores the notification
// for an offline device under its own policy (an explicit 0 would mean
// "now or never").
//
// Apple answers 200 with an apns-id header (the Outcome's MessageID), or a
// status and {"reason": "…"} (the VendorError's Code), classed by the
// verdict table (the reasons map in answer.go):
//
//	Unregistered, ExpiredToken (410)         ErrInvalidToken (Cause *InactiveError)
//	BadDeviceToken (400)                     ErrInvalidToken, misconfiguration-guarded
//	DeviceTokenNotForTopic, BadTopic,
//	TopicDisallowed, MissingTopic            ErrAuth (check Config.Topic; token kept)
//	TooManyRequests, TooManyProviderTokenUpdates  ErrRateLimited
//	ExpiredProviderToken                     re-signed once as above, else ErrAuth
//	InvalidProviderToken and other 403       ErrAuth
//	IdleTimeout, 5xx                         ErrUnavailable (5xx and 429 retried first)
//	PayloadTooLarge, BadCollapseId, other 4xx  ErrInvalidMessage
//
// A wrong Config.Sandbox makes Apple answer BadDeviceToken for every token:
// after more than push.DefaultMisconfigGuard of them in a row with none
// accepted (push.WithMisconfigGuard), the client reports ErrAuth naming
// Config.Sandbox and Config.Topic instead, and the tokens are kept.
//
// APNs does not deduplicate requests (apns-id is only echoed back),
// so a request that may have reached Apple is never resent automatically.
package apns

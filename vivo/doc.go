// Package vivo sends offline pushes through vivo Push (the server API at
// api-push.vivo.com.cn).
//
// vivo authenticates with a token: POST /message/auth carrying
// sign = md5(appId + appKey + timestamp + appSecret) returns an authToken
// that lives a day and goes in the "authToken" header of every later call.
// One device is pushed with /message/send. Several take two calls: the
// notification is saved with /message/saveListPayload, which answers a
// taskId, and that task is pushed to 2..1000 regIds with /message/pushToList.
// Every call carries a requestId that vivo uses to drop duplicates; this
// package derives it from the message and its targets, so a retry of the
// same request (ours after a dropped connection, or the caller's with the
// same OfflinePushInfo.ID) is not shown twice.
//
// The client maps a push.OfflinePushInfo onto vivo's message (category IM,
// system classification by default), caches the token, splits the tokens
// into lists of 1000 sent concurrently, and decodes the per-regId answers
// (invalidUser, invalidUsers) into one outcome per token. When vivo will not
// save more list bodies today (10252), lists go out one regId at a time
// until vivo's day ends.
//
// Verdicts: a token is reported push.ErrInvalidToken only when vivo names
// it dead: 10302 to /message/send (one regId), or the regId listed in
// invalidUser(s) with status 1 ("does not exist") or none. Status 2
// (uninstalled or push turned off: vivo does not say which) and 3 (offline
// for 90 days) keep the token (push.ErrDisabled); status 4 (not a test
// device) is Config.PushMode (push.ErrAuth). An answer to a request that
// carries no regId (auth, saveListPayload), or a list answer that does not
// name the regId, is never a verdict on a token. codeTable maps every code
// vivo documents, with its sources. Title and content are fitted to 40 and
// 100 UTF-16 units, cut at a character boundary with "…"; Ext is never cut.
package vivo

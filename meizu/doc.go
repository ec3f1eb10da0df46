// Package meizu sends offline pushes through Meizu Flyme Push.
//
// Flyme Push has no access token. Every form request carries sign: the
// lowercase hex MD5 of the request's other parameters, sorted by name and
// written as raw (not URL-encoded) "key=value" pairs with no separator,
// followed by the AppSecret. A notification goes to 1..100 pushIds per
// request (pushByPushId, ids joined with commas); the notification itself is
// the compact JSON text of the form field messageJson, and the text that is
// signed is exactly the text that is sent.
//
// Meizu answers {"code":"200","value":{…},"msgId":"…"}: "code" is a string,
// and "value" lists only the pushIds that failed, grouped by a per-id code
// ("110003": [ids…]). Meizu has no deduplication key, so a send that may have
// reached Meizu is never repeated by this package.
//
// Only 110003 ("pushId非法") reports a pushId dead (push.ErrInvalidToken);
// an unsubscribed pushId (110002) or one whose user switched notifications
// off (per-id 110010) is push.ErrDisabled: keep it. A top-level 110002 or
// 110003 names no pushId: batch.Run makes it the verdict of a single pushId
// and asks about each pushId of a batch alone (see codeError for every
// code).
//
// Its files are the rooms of every vendor package: client.go (config, New,
// Push, DryRun), message.go (the messageJson wire structs and the mapping),
// auth.go (the signature and the signed request) and answer.go (decoding and
// the verdict table).
package meizu

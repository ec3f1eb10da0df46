// Package oppo sends offline pushes through OPPO Push (OPush, also called
// HeyTap Push), server API v1.
//
// OPPO hands out an access token: POST /server/v1/auth with the app key, a
// millisecond timestamp and sign = hex(SHA-256(AppKey + timestamp +
// MasterSecret)) answers an auth_token valid for 24 hours. Every send then
// carries that token in the form field auth_token; OPPO answers code 11 when
// it no longer accepts it, and the client fetches a new one once and sends
// again.
//
// Sends are form posts whose payload is JSON inside a form field: one device
// through .../notification/unicast (message = one JSON object), several
// through .../notification/unicast_batch (messages = a JSON array of up to
// 1000 objects, one per device, answered per device with errorCode). Each
// message carries app_message_id, OPPO's dedupe key: the same key is shown
// at most once per device, so a request retried after a timeout cannot
// show a notification twice.
//
// Its files are the rooms of every vendor package: client.go (config, New,
// Push), message.go (wire structs and mapping), auth.go (the auth token) and
// answer.go (decoding and the verdict table).
package oppo

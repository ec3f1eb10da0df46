// Package xiaomi sends offline pushes through Xiaomi Mi Push (server API v3).
//
// Mi Push authenticates every request with the app's AppSecret in the header
// "Authorization: key=<AppSecret>" (no token exchange), takes a form body,
// and accepts up to 1000 regIds per request. This package maps a
// push.OfflinePushInfo onto the notification form Xiaomi documents, sends
// batches concurrently, and decodes per-regId results (data.bad_regids).
//
// A regId is reported dead (push.ErrInvalidToken) only when Xiaomi names it
// (data.bad_regids) or answers 20301 "No valid targets!" to a request of
// that regId alone: 20301 on a batch names nobody and is also the answer to
// a wrong package name, so the batch is settled by asking about each regId
// alone, or reported as a likely misconfiguration (see response.err for
// every code). A message counts as delivered only when the answer says it
// was accepted (code 0 with the message's id).
package xiaomi

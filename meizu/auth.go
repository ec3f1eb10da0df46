package meizu

import (
	"crypto/md5"
	"encoding/hex"

	"github.com/offlinepush/push/internal/form"
	"github.com/offlinepush/push/internal/transport"
)

var formHeader = []string{"application/x-www-form-urlencoded;charset=UTF-8"}

// signature is the lowercase hex MD5 of the sorted raw pairs appId,
// messageJson and pushIds (ids comma-joined), followed by the AppSecret.
// It writes what the plain Sign (a test hook) gives, without url.Values.
func (c *Client) signature(msg, ids string) [2 * md5.Size]byte {
	signed := make([]byte, 0, len(c.cfg.AppID)+len(msg)+len(ids)+len(c.cfg.AppSecret)+32)
	signed = append(append(signed, "appId="...), c.cfg.AppID...)
	signed = append(append(signed, "messageJson="...), msg...)
	signed = append(append(signed, "pushIds="...), ids...)
	signed = append(signed, c.cfg.AppSecret...)
	sum := md5.Sum(signed)
	var sign [2 * md5.Size]byte
	hex.Encode(sign[:], sum[:])
	return sign
}

// request returns the HTTP request for one batch of pushIds (ids
// comma-joined) signed by sign: the signature, or transport.Unfetched in a
// dry run. It writes what the plain form (a test hook) gives without
// url.Values.
func (c *Client) request(msg, ids, sign string) *transport.Request {
	body := make([]byte, 0, len(c.cfg.AppID)+len(msg)*3/2+len(ids)+len(sign)+64)
	body = form.AppendField(body, "appId", c.cfg.AppID)
	body = form.AppendField(body, "messageJson", msg)
	body = form.AppendField(body, "pushIds", ids)
	body = form.AppendField(body, "sign", sign)
	return &transport.Request{
		URL:    c.sendURL,
		Header: map[string][]string{"Content-Type": formHeader},
		Body:   body,
		// Not Idempotent: Meizu has no request id or dedupe key, so a request
		// that may have arrived is not sent again.
		Busy: checkBusy,
	}
}

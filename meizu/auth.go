package meizu

import (
	"crypto/md5"
	"encoding/hex"
	"strings"

	"github.com/offlinepush/push/internal/form"
	"github.com/offlinepush/push/internal/transport"
)

var formHeader = []string{"application/x-www-form-urlencoded;charset=UTF-8"}

// request returns the HTTP request for one batch of pushIds. It writes what
// form and Sign would give (a test holds them equal) without url.Values.
func (c *Client) request(msg string, pushIDs []string) *transport.Request {
	ids := strings.Join(pushIDs, ",")
	// sign: MD5 of the sorted raw pairs appId, messageJson, pushIds + secret
	signed := make([]byte, 0, len(c.cfg.AppID)+len(msg)+len(ids)+len(c.cfg.AppSecret)+32)
	signed = append(append(signed, "appId="...), c.cfg.AppID...)
	signed = append(append(signed, "messageJson="...), msg...)
	signed = append(append(signed, "pushIds="...), ids...)
	signed = append(signed, c.cfg.AppSecret...)
	sum := md5.Sum(signed)
	var sign [2 * md5.Size]byte
	hex.Encode(sign[:], sum[:])

	body := make([]byte, 0, len(signed)+len(msg)/2+64)
	body = form.AppendField(body, "appId", c.cfg.AppID)
	body = form.AppendField(body, "messageJson", msg)
	body = form.AppendField(body, "pushIds", ids)
	body = form.AppendField(body, "sign", string(sign[:]))
	return &transport.Request{
		URL:    c.sendURL,
		Header: map[string][]string{"Content-Type": formHeader},
		Body:   body,
		// Not Idempotent: Meizu has no request id or dedupe key, so a request
		// that may have arrived is not sent again.
		Busy: checkBusy,
	}
}

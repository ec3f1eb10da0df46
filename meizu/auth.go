package meizu

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/form"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/transport"
)

// Sign returns Meizu's signature of a request: every parameter but "sign",
// sorted by name (byte order, as Java's TreeMap sorts ASCII names), written
// as name=value with no separator and the raw, un-encoded value (the first
// one, when a name has several), then appSecret; the lowercase hex MD5 of
// those UTF-8 bytes.
func Sign(params url.Values, appSecret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "sign" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := md5.New()
	for _, k := range keys {
		io.WriteString(h, k)
		io.WriteString(h, "=")
		io.WriteString(h, params.Get(k))
	}
	io.WriteString(h, appSecret)
	var sum [md5.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// Form returns the complete signed form of one request to pushIDs (1..100),
// for tools that show the wire request (dry run).
func (c *Client) Form(info *push.OfflinePushInfo, pushIDs ...string) (url.Values, error) {
	if len(pushIDs) == 0 || len(pushIDs) > MaxTokens {
		return nil, reject.Message(push.Meizu, "pushIds", fmt.Sprintf("must hold 1..%d ids per request, got %d", MaxTokens, len(pushIDs)))
	}
	msg, err := c.MessageJSON(info)
	if err != nil {
		return nil, err
	}
	return c.form(msg, pushIDs), nil
}

func (c *Client) form(msg string, pushIDs []string) url.Values {
	f := url.Values{
		"appId":       {c.cfg.AppID},
		"messageJson": {msg},
		"pushIds":     {strings.Join(pushIDs, ",")},
	}
	f["sign"] = []string{Sign(f, c.cfg.AppSecret)}
	return f
}

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

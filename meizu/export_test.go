package meizu

// Test hooks: the mapping, and the signature and form computed the plain
// way, against which request's hand-built body is checked.

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/reject"
)

type PushTimeInfo = pushTimeInfo

func (c *Client) Message(info *push.OfflinePushInfo) (*message, error) { return c.build(info) }

func (c *Client) MessageJSON(info *push.OfflinePushInfo) (string, error) { return c.messageJSON(info) }

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

// Form returns the complete signed form of one request to pushIDs (1..100):
// what request writes (TestRequestEqualsForm).
func (c *Client) Form(info *push.OfflinePushInfo, pushIDs ...string) (url.Values, error) {
	if len(pushIDs) == 0 || len(pushIDs) > MaxTokens {
		return nil, reject.Message(push.Meizu, "pushIds", fmt.Sprintf("must hold 1..%d ids per request, got %d", MaxTokens, len(pushIDs)))
	}
	msg, err := c.messageJSON(info)
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

package oppo

import (
	"fmt"
	"net/url"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/reject"
)

// Test hooks: the wire structs, the mapping and the signature, for the
// external tests.
type (
	Message      = message
	Notification = notification
)

var Sign = sign

func (c *Client) Notification(info *push.OfflinePushInfo) (*notification, error) {
	return c.notification(info)
}

// Form returns the path and form body of the request that sends info to
// tokens (1 to MaxTokens of them), without auth_token.
func (c *Client) Form(info *push.OfflinePushInfo, tokens ...string) (path string, form url.Values, err error) {
	if len(tokens) == 0 || len(tokens) > MaxTokens {
		return "", nil, reject.Message(push.OPPO, "tokens", fmt.Sprintf("must number 1 to %d per request", MaxTokens))
	}
	e, err := c.build(info)
	if err != nil {
		return "", nil, err
	}
	path, key, val := encode(e, tokens)
	return path, url.Values{key: {string(val)}}, nil
}

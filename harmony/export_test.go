package harmony

import "github.com/offlinepush/push"

// Test hooks: the wire structs and the mapping, for the external tests.
type (
	Request     = request
	ClickAction = clickAction
)

func (c *Client) Build(info *push.OfflinePushInfo) (*request, error) { return c.build(info) }

func (r *request) Body(tokens []string) []byte { return r.body(tokens) }

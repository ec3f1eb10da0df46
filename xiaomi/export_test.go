package xiaomi

import (
	"net/url"

	"github.com/offlinepush/push"
)

// Test hooks.

// Form is the notification form for info, without registration_id.
func (c *Client) Form(info *push.OfflinePushInfo) (url.Values, error) {
	fs, err := c.fields(info)
	if err != nil {
		return nil, err
	}
	f := make(url.Values, len(fs))
	for _, kv := range fs {
		f.Set(kv.k, kv.v)
	}
	return f, nil
}

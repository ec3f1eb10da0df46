package xiaomi

import "github.com/offlinepush/push/internal/transport"

var formHeader = []string{"application/x-www-form-urlencoded;charset=UTF-8"}

// request returns the HTTP request for one batch of regIds.
func (c *Client) request(b body, regIDs []string) *transport.Request {
	return &transport.Request{
		URL: c.url,
		Header: map[string][]string{
			"Authorization": c.auth,
			"Content-Type":  formHeader,
		},
		Body:       b.with(regIDs),
		Idempotent: true, // extra.jobkey makes the device drop a repeat
		Busy:       checkBusy,
	}
}

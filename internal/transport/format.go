package transport

import (
	"fmt"

	"github.com/offlinepush/push/internal/secret"
)

// String names the vendor and the endpoint override, never the
// credentials the client redacts.
func (c *Client) String() string {
	if c == nil {
		return "transport.Client(nil)"
	}
	if c.endpoint == nil {
		return fmt.Sprintf("transport.Client{%s}", c.vendor)
	}
	return fmt.Sprintf("transport.Client{%s endpoint %s}", c.vendor, c.endpoint.Redacted())
}

// Format keeps every fmt verb on String (see secret.Format): the client
// holds every form of its vendor's credentials, for redaction.
func (c *Client) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

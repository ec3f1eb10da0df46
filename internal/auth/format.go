package auth

import (
	"fmt"

	"github.com/offlinepush/push/internal/secret"
)

// These types hold a client secret or access tokens. Their Format keeps
// every fmt verb on a masked String (see secret.Format), so a vendor
// client's internals never print a credential.

// String names the vendor and the endpoint, never the secret.
func (cc *ClientCredentials) String() string {
	if cc == nil {
		return "auth.ClientCredentials(nil)"
	}
	return fmt.Sprintf("auth.ClientCredentials{Vendor:%s URL:%q ClientID:%s ClientSecret:%s}",
		cc.Vendor, cc.URL, secret.Mask(cc.ClientID), secret.Mask(cc.ClientSecret))
}

// Format masks the secret under every verb.
func (cc *ClientCredentials) Format(f fmt.State, verb rune) { secret.Format(f, verb, cc.String()) }

// Format never shows the cached token. (It takes no lock: a fetch holds
// one, and a log line written during it must not wait for it.)
func (c *Cache) Format(f fmt.State, verb rune) { secret.Format(f, verb, "auth.Cache{<redacted>}") }

// Format never shows the header's token.
func (h *Header) Format(f fmt.State, verb rune) { secret.Format(f, verb, "auth.Header{<redacted>}") }

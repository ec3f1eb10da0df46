// Package client holds what every vendor Client shares besides its own
// mapping and decoding: the methods that name the client and never print
// a secret. A vendor embeds Base (through an unexported alias, so no field
// is exported) and gets Vendor, String, GoString and Format.
package client

import (
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/secret"
)

// Base names a client: its vendor and a description without secrets.
type Base struct {
	vendor push.Vendor
	desc   string
}

// Named is the Base of a vendor client described as desc, which must hold
// no secret (an app id, a project, a bundle id).
func Named(v push.Vendor, desc string) Base { return Base{vendor: v, desc: desc} }

// Vendor returns the client's vendor.
func (b *Base) Vendor() push.Vendor { return b.vendor }

// String describes the client without secrets.
func (b *Base) String() string { return b.desc }

// GoString describes the client without secrets in %#v too.
func (b *Base) GoString() string { return b.desc }

// Format describes the client without secrets under every verb.
func (b *Base) Format(f fmt.State, verb rune) { secret.Format(f, verb, b.desc) }

// Package client holds what every vendor Client shares besides its own
// mapping and decoding: the methods that name the client and never print
// a secret. A vendor embeds Base (through an unexported alias, so no field
// is exported) and gets Vendor, String, GoString and Format.
package client

import (
	"context"
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/secret"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/transport"
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

// Transport resolves a client's options and builds the transport it sends
// through, defaultConcurrency requests at a time unless an option says
// otherwise. secrets are the credentials the client sends: an answer that
// quotes the request never carries them on (transport.Client.Redact).
func Transport(v push.Vendor, opts []push.Option, defaultConcurrency int, secrets ...string) (settings.Settings, *transport.Client, error) {
	o := settings.New(opts...)
	hc, err := transport.New(v, o, defaultConcurrency)
	if err != nil {
		return o, nil, err
	}
	hc.Redact(secrets...)
	return o, hc, nil
}

// Kit is what every vendor client holds besides its own configuration:
// the resolved options, the transport, and the misconfiguration guard that
// trusts dead-token verdicts only when the vendor proves them. A client
// keeps it in an unexported field.
type Kit struct {
	Opts  settings.Settings
	HTTP  *transport.Client
	Guard *batch.Guard
}

// Plan is how Push (and DryRun) split tokens for a vendor whose requests
// carry size tokens; check is its token form check (nil takes any).
func (k *Kit) Plan(v push.Vendor, size int, check func(token string) error) batch.Plan {
	return batch.Plan{Vendor: v, Size: size, Parallel: k.HTTP.Concurrency(), Guard: k.Guard, Check: check}
}

// SendBatch sends one batch of tokens with the cached access token (or
// JWT), getting a new one once if the vendor refuses it (auth.Do), and
// decodes the answer into one outcome per token. A batch that got no
// answer has the error as the outcome of each of its tokens.
func (k *Kit) SendBatch(ctx context.Context, cache *auth.Cache, tokens []string,
	request func(credential string) *transport.Request, decode func(*transport.Response) ([]push.Outcome, error)) []push.Outcome {
	out, err := auth.Do(ctx, cache, func(ctx context.Context, credential string) ([]push.Outcome, error) {
		resp, err := k.HTTP.Do(ctx, request(credential))
		if err != nil {
			return nil, err
		}
		return decode(resp)
	})
	if err != nil {
		return batch.All(tokens, "", err)
	}
	return out
}

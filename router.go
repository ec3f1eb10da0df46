package push

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/offlinepush/push/internal/secret"
)

// ErrUnknownCertificate is the outcome of a device whose certificate ID has
// no registered Pusher. It matches ErrConfig too.
var ErrUnknownCertificate = fmt.Errorf("%w: unknown certificate ID", ErrConfig)

// Device is one push target as the app reported it: the certificate (the
// app + vendor credentials it registered with) and its device token.
type Device struct {
	CertificateID string
	Token         string
}

// Router delivers one message to devices of many certificates at once.
// An IM server serving several apps, or both vendor environments, registers
// one Pusher per certificate ID and hands the Router (certificate, token)
// pairs exactly as the apps reported them.
//
// A Router is safe for concurrent use; Register may be called while pushes
// are in flight.
type Router struct {
	// Concurrency bounds how many certificates are pushed at once by one
	// Push call (each client bounds its own requests). 0 means 16.
	Concurrency int

	mu      sync.RWMutex
	pushers map[string]Pusher // as used: wrapped by Limit when limits are set
	plain   map[string]Pusher // as registered
	limits  map[string]Limits
}

// NewRouter returns an empty Router.
func NewRouter() *Router { return &Router{} }

// Register makes p serve certificateID, replacing any earlier one.
// A nil p removes the certificate.
func (r *Router) Register(certificateID string, p Pusher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.plain == nil {
		r.pushers, r.plain = map[string]Pusher{}, map[string]Pusher{}
	}
	if p == nil {
		delete(r.pushers, certificateID)
		delete(r.plain, certificateID)
		return
	}
	r.plain[certificateID] = p
	r.pushers[certificateID] = r.wrap(certificateID, p)
}

// SetLimits applies a send rate and the quota breaker to one certificate
// (see Limits), now and for any Pusher registered for it later.
func (r *Router) SetLimits(certificateID string, l Limits) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.limits == nil {
		r.limits = map[string]Limits{}
	}
	l.Name = certificateID
	r.limits[certificateID] = l
	if p, ok := r.plain[certificateID]; ok {
		r.pushers[certificateID] = r.wrap(certificateID, p)
	}
}

func (r *Router) wrap(certificateID string, p Pusher) Pusher {
	if l, ok := r.limits[certificateID]; ok {
		return Limit(p, l)
	}
	return p
}

// Pusher returns the Pusher registered for certificateID (wrapped by its
// limits, if any).
func (r *Router) Pusher(certificateID string) (Pusher, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.pushers[certificateID]
	return p, ok
}

// Certificates lists the registered certificate IDs, sorted.
func (r *Router) Certificates() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, 0, len(r.pushers))
	for id := range r.pushers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// String lists the registered certificates and their vendors, never a
// client's fields: they hold the credentials.
func (r *Router) String() string {
	if r == nil {
		return "push.Router(nil)"
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, 0, len(r.pushers))
	for id := range r.pushers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	b.WriteString("push.Router{")
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%q:%s", id, r.pushers[id].Vendor())
	}
	b.WriteByte('}')
	return b.String()
}

// Format prints String under every verb: without it fmt prints each
// client's fields, secrets included, under %s, %d and the like.
func (r *Router) Format(f fmt.State, verb rune) { secret.Format(f, verb, r.String()) }

// DeviceOutcome is what happened to one device.
type DeviceOutcome struct {
	Device
	Vendor    Vendor // empty for an unknown certificate
	MessageID string
	Err       error
}

// DeviceResult holds one DeviceOutcome per device, in input order.
type DeviceResult struct {
	Outcomes []DeviceOutcome
}

// Delivered counts the devices the vendors accepted.
func (r *DeviceResult) Delivered() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Err == nil {
			n++
		}
	}
	return n
}

// InvalidTokens returns, per certificate ID, the tokens the vendors reported
// dead: delete them from the device registry.
func (r *DeviceResult) InvalidTokens() map[string][]string {
	out := map[string][]string{}
	for _, o := range r.Outcomes {
		if errors.Is(o.Err, ErrInvalidToken) {
			out[o.CertificateID] = append(out[o.CertificateID], o.Token)
		}
	}
	return out
}

// Failed returns every device outcome with an error.
func (r *DeviceResult) Failed() []DeviceOutcome {
	var out []DeviceOutcome
	for _, o := range r.Outcomes {
		if o.Err != nil {
			out = append(out, o)
		}
	}
	return out
}

// Retryable returns the failed devices a later retry could reach.
func (r *DeviceResult) Retryable() []DeviceOutcome {
	var out []DeviceOutcome
	for _, o := range r.Outcomes {
		if IsRetryable(o.Err) {
			out = append(out, o)
		}
	}
	return out
}

// Push delivers info to every device: devices are grouped by certificate,
// each certificate's client batches its tokens, and certificates are pushed
// concurrently. The result has one outcome per device in input order.
// err != nil only when nothing could be attempted (an invalid message, a
// context already done); a message one vendor refuses becomes the outcome
// of that vendor's devices.
func (r *Router) Push(ctx context.Context, info *OfflinePushInfo, devices ...Device) (*DeviceResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := info.Validate(); err != nil {
		return nil, err
	}
	res := &DeviceResult{Outcomes: make([]DeviceOutcome, len(devices))}
	type group struct {
		p     Pusher
		idx   []int
		token []string
	}
	groups := map[string]*group{}
	var order []string
	r.mu.RLock()
	for i, d := range devices {
		res.Outcomes[i].Device = d
		g, ok := groups[d.CertificateID]
		if !ok {
			p, found := r.pushers[d.CertificateID]
			if !found {
				res.Outcomes[i].Err = fmt.Errorf("certificate %q: %w", d.CertificateID, ErrUnknownCertificate)
				continue
			}
			g = &group{p: p}
			groups[d.CertificateID] = g
			order = append(order, d.CertificateID)
		}
		g.idx = append(g.idx, i)
		g.token = append(g.token, d.Token)
	}
	r.mu.RUnlock()

	limit := r.Concurrency
	if limit <= 0 {
		limit = 16
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, id := range order {
		g := groups[id]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			vendor := g.p.Vendor()
			out, err := g.p.Push(ctx, info, g.token...)
			for k, i := range g.idx {
				o := &res.Outcomes[i]
				o.Vendor = vendor
				switch {
				case err != nil:
					o.Err = err
				case out == nil || len(out.Outcomes) != len(g.token):
					o.Err = &VendorError{Vendor: vendor, Kind: ErrUnavailable, Message: "the client returned a wrong number of outcomes"}
				default:
					o.MessageID, o.Err = out.Outcomes[k].MessageID, out.Outcomes[k].Err
				}
			}
		}()
	}
	wg.Wait()
	return res, nil
}

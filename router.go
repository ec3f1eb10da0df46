package push

import (
	"context"
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
	concurrency int // set by NewRouter only: read without the lock

	mu      sync.RWMutex
	pushers map[string]Pusher // as used: wrapped by Limit when limits are set
	plain   map[string]Pusher // as registered
	limits  map[string]Limits
}

// DefaultRouterConcurrency is how many certificates one Push sends to at
// once when WithRouterConcurrency is not given.
const DefaultRouterConcurrency = 16

// RouterOption configures a Router made by NewRouter.
type RouterOption func(*Router)

// WithRouterConcurrency bounds how many certificates one Push sends to at
// once (each client bounds its own requests in turn); n <= 0 keeps
// DefaultRouterConcurrency. It is fixed for the Router's life, so pushes in
// flight never see it change.
func WithRouterConcurrency(n int) RouterOption {
	return func(r *Router) { r.concurrency = n }
}

// NewRouter returns an empty Router. The zero Router works too, with the
// defaults.
func NewRouter(opts ...RouterOption) *Router {
	r := &Router{}
	for _, o := range opts {
		o(r)
	}
	return r
}

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
	r.limits[certificateID] = l
	if p, ok := r.plain[certificateID]; ok {
		r.pushers[certificateID] = r.wrap(certificateID, p)
	}
}

func (r *Router) wrap(certificateID string, p Pusher) Pusher {
	if l, ok := r.limits[certificateID]; ok {
		return newLimited(p, l, certificateID)
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

// Push delivers info to every device: devices are grouped by certificate,
// each certificate's client batches its tokens, and certificates are pushed
// concurrently. The result has one outcome per device in input order.
// err != nil only when nothing could be attempted (an invalid message, a
// context already done); a message one vendor refuses becomes the outcome
// of that vendor's devices, and so does a ctx that ends while certificates
// wait for their turn.
func (r *Router) Push(ctx context.Context, info *OfflinePushInfo, devices ...Device) (*DeviceResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := info.Validate(); err != nil {
		return nil, err
	}
	res := &DeviceResult{Outcomes: make([]DeviceOutcome, len(devices))}
	r.fanOut(ctx, info, r.group(devices, res.Outcomes), res.Outcomes)
	return res, nil
}

// group is one certificate's share of a push: its Pusher, its tokens, and
// where their outcomes go in the result.
type group struct {
	p      Pusher
	idx    []int
	tokens []string
}

// group splits devices by certificate, in the order each certificate first
// appears, and fills out's devices; a device of an unknown certificate gets
// its outcome here and joins no group.
func (r *Router) group(devices []Device, out []DeviceOutcome) []*group {
	byID := map[string]*group{}
	var groups []*group
	r.mu.RLock()
	defer r.mu.RUnlock()
	for i, d := range devices {
		out[i].CertificateID, out[i].Token = d.CertificateID, d.Token
		g, ok := byID[d.CertificateID]
		if !ok {
			p, found := r.pushers[d.CertificateID]
			if !found {
				out[i].Err = fmt.Errorf("certificate %q: %w", d.CertificateID, ErrUnknownCertificate)
				continue
			}
			g = &group{p: p}
			byID[d.CertificateID] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
		g.tokens = append(g.tokens, d.Token)
	}
	return groups
}

// fanOut pushes the groups, at most the Router's concurrency at once, and
// writes their outcomes into out. When ctx ends, the groups still waiting
// for a slot are not sent: their devices get ctx's error at once.
func (r *Router) fanOut(ctx context.Context, info *OfflinePushInfo, groups []*group, out []DeviceOutcome) {
	limit := r.concurrency
	if limit <= 0 {
		limit = DefaultRouterConcurrency
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	defer wg.Wait()
	for i, g := range groups {
		if err := acquire(ctx, sem); err != nil {
			for _, g := range groups[i:] {
				g.record(out, nil, err)
			}
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			res, err := g.p.Push(ctx, info, g.tokens...)
			g.record(out, res, err)
		})
	}
}

// acquire takes a slot of sem, or returns ctx's error when ctx ends first
// (or has ended: a free slot does not send a push that cannot go).
func acquire(ctx context.Context, sem chan struct{}) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// record writes the group's outcomes into out: the client's, or err for
// every device when the client attempted nothing.
func (g *group) record(out []DeviceOutcome, res *Result, err error) {
	vendor := g.p.Vendor()
	for k, i := range g.idx {
		o := &out[i]
		o.Vendor = vendor
		switch {
		case err != nil:
			o.Err = err
		case res == nil || len(res.Outcomes) != len(g.tokens):
			o.Err = &VendorError{Vendor: vendor, Kind: ErrUnavailable, Message: "the client returned a wrong number of outcomes"}
		default:
			o.MessageID, o.Err = res.Outcomes[k].MessageID, res.Outcomes[k].Err
		}
	}
}

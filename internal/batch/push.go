package batch

import (
	"context"

	"github.com/offlinepush/push"
)

// Plan is how a vendor's requests take tokens: what Push hands to
// RunChecked besides the tokens.
type Plan struct {
	Vendor   push.Vendor
	Size     int                      // tokens per request
	Parallel int                      // requests in flight (the client's concurrency)
	Guard    *Guard                   // the misconfiguration guard; nil is off
	Check    func(token string) error // the vendor's token form check; nil takes any
}

// Push is the frame of a vendor client's Push, so that each vendor writes
// only what is its own, build and send: nothing is done once ctx has ended;
// the message is built once, before anything is sent (build refuses an
// invalid one, which is Push's error); then every batch of tokens is sent
// by send with that message (RunChecked).
func Push[M any](ctx context.Context, p Plan, info *push.OfflinePushInfo, tokens []string,
	build func(*push.OfflinePushInfo) (M, error), send func(ctx context.Context, m M, tokens []string) []push.Outcome) (*push.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := build(info)
	if err != nil {
		return nil, err
	}
	return RunChecked(ctx, p.Vendor, tokens, p.Size, p.Parallel, p.Guard, p.Check, func(ctx context.Context, toks []string) []push.Outcome {
		return send(ctx, m, toks)
	}), nil
}

// DryRun is Push without sending: the message is built and checked as Push
// builds it, the tokens are planned as RunChecked plans them (duplicates
// once, refused ones in Unsent), and requests returns, for each batch in
// order, the requests send would make for it.
func DryRun[M any](p Plan, info *push.OfflinePushInfo, tokens []string,
	build func(*push.OfflinePushInfo) (M, error), requests func(m M, tokens []string) []push.Request) (*push.Preview, error) {
	m, err := build(info)
	if err != nil {
		return nil, err
	}
	out := make([]push.Outcome, len(tokens))
	for i, t := range tokens {
		out[i].Token = t
	}
	uniq, _ := plan(p.Vendor, tokens, p.Check, out)
	pv := &push.Preview{}
	for _, o := range out {
		if o.Err != nil {
			pv.Unsent = append(pv.Unsent, o)
		}
	}
	size := max(p.Size, 1)
	for lo := 0; lo < len(uniq); lo += size {
		pv.Requests = append(pv.Requests, requests(m, uniq[lo:min(lo+size, len(uniq))])...)
	}
	return pv, nil
}

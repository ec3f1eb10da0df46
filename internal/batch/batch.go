// Package batch turns "push to these N tokens" into vendor-sized batches
// sent concurrently, and puts the answers back as exactly one outcome per
// input token, in input order. Every vendor client's Push goes through Run,
// framed by Push (FCM, which gets its access token before it fans out,
// calls Run itself).
package batch

import (
	"context"
	"fmt"
	"hash/maphash"
	"sync"
	"unicode/utf8"

	"github.com/offlinepush/push"
)

// Send delivers one batch of distinct, non-empty tokens and returns one
// outcome per token, in the same order. It must not return fewer.
type Send func(ctx context.Context, tokens []string) []push.Outcome

// Run sends tokens in batches of at most size through send, at most
// parallel batches at a time (the transport bounds requests across calls).
//
// Duplicate tokens are sent once and every copy gets that outcome; empty
// tokens and tokens that are not valid UTF-8 (a JSON body would alter them)
// get ErrInvalidToken without being sent. A batch not started before ctx
// ends gets ctx's error for each of its tokens. Every answer's dead-token
// verdicts pass through guard (see Guard; nil is off).
func Run(ctx context.Context, vendor push.Vendor, tokens []string, size, parallel int, guard *Guard, send Send) *push.Result {
	return RunChecked(ctx, vendor, tokens, size, parallel, guard, nil, send)
}

// RunChecked is Run with a vendor check of each token's form: a token that
// fails it gets ErrInvalidToken (with the reason) and is not sent, e.g. a
// Xiaomi regId with a comma, which would split into two targets.
func RunChecked(ctx context.Context, vendor push.Vendor, tokens []string, size, parallel int, guard *Guard, check func(token string) error, send Send) *push.Result {
	res := &push.Result{Outcomes: make([]push.Outcome, len(tokens))}
	if size <= 0 {
		size = 1
	}
	if parallel <= 0 {
		parallel = 1
	}
	for i, t := range tokens {
		res.Outcomes[i].Token = t
	}

	// The common case — distinct, well-formed tokens — is sent straight from
	// the caller's slice into the result: a million tokens cost no copies.
	uniq, from := plan(vendor, tokens, check, res.Outcomes)
	out := res.Outcomes
	if from != nil {
		out = make([]push.Outcome, len(uniq))
	}
	nb := (len(uniq) + size - 1) / size
	if nb == 1 {
		sendOne(ctx, vendor, uniq, out, guard, send)
	} else if nb > 1 {
		parallel = min(parallel, nb)
		var wg sync.WaitGroup
		next := make(chan int)
		for w := 0; w < parallel; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range next {
					lo := b * size
					hi := min(lo+size, len(uniq))
					sendOne(ctx, vendor, uniq[lo:hi], out[lo:hi], guard, send)
				}
			}()
		}
		for b := 0; b < nb; b++ {
			next <- b
		}
		close(next)
		wg.Wait()
	}

	for i, j := range from {
		if j < 0 {
			continue
		}
		res.Outcomes[i].MessageID = out[j].MessageID
		res.Outcomes[i].Err = out[j].Err
	}
	return res
}

// plan returns the tokens to send. When every token is distinct and
// well-formed it returns tokens itself and a nil from. Otherwise it returns
// the distinct sendable tokens and, for each input position, the index in
// them whose outcome it shares (-1: not sent; its outcome is set in res).
func plan(vendor push.Vendor, tokens []string, check func(string) error, res []push.Outcome) ([]string, []int32) {
	reject := func(i int, msg string) {
		res[i].Err = &push.VendorError{Vendor: vendor, Kind: push.ErrInvalidToken, Message: msg}
	}
	seen := newIndex(tokens)
	var uniq []string
	var from []int32
	split := func(upTo int) { // leave the fast path: copy what was seen
		uniq = append(make([]string, 0, len(tokens)), tokens[:upTo]...)
		from = make([]int32, len(tokens))
		for k := range upTo {
			from[k] = int32(k)
		}
	}
	for i, t := range tokens {
		bad := ""
		if t == "" {
			bad = "empty device token (not sent)"
		} else if !utf8.ValidString(t) {
			bad = "malformed device token (not sent): not valid UTF-8"
		} else if check != nil {
			if err := check(t); err != nil {
				bad = "malformed device token (not sent): " + err.Error()
			}
		}
		dup := int32(-1)
		if bad == "" {
			dup = seen.firstOf(i)
		}
		if from == nil && (bad != "" || dup >= 0) {
			split(i)
		}
		switch {
		case bad != "":
			reject(i, bad)
			from[i] = -1
		case dup >= 0:
			from[i] = from[dup] // the first copy's place in uniq
		case from != nil:
			from[i] = int32(len(uniq))
			uniq = append(uniq, t)
		}
	}
	if from == nil {
		return tokens, nil
	}
	return uniq, from
}

// index finds the first position of each token: an open-addressing table
// of positions (int32, at most half full), 8 MB for a million tokens where
// a map keyed by hash took about 35 MB. Tokens are compared in full, so a
// hash collision can never merge two tokens.
type index struct {
	tokens []string
	slots  []int32 // position+1; 0 is empty
	seed   maphash.Seed
}

func newIndex(tokens []string) *index {
	n := 8
	for n < 2*len(tokens) {
		n <<= 1
	}
	return &index{tokens: tokens, slots: make([]int32, n), seed: maphash.MakeSeed()}
}

// firstOf records tokens[i] and returns the position of an earlier copy of
// it, or -1 when it is the first.
func (x *index) firstOf(i int) int32 {
	t := x.tokens[i]
	mask := uint64(len(x.slots) - 1)
	for h := maphash.String(x.seed, t) & mask; ; h = (h + 1) & mask {
		j := x.slots[h]
		if j == 0 {
			x.slots[h] = int32(i) + 1
			return -1
		}
		if x.tokens[j-1] == t {
			return j - 1
		}
	}
}

func sendOne(ctx context.Context, vendor push.Vendor, tokens []string, out []push.Outcome, guard *Guard, send Send) {
	if err := ctx.Err(); err != nil {
		Fill(out, tokens, "", fmt.Errorf("%s: %w", vendor, err))
		return
	}
	got := send(ctx, tokens)
	if len(got) != len(tokens) {
		// a decoder bug must not lose tokens: account for every one
		Fill(out, tokens, "", &push.VendorError{Vendor: vendor, Kind: push.ErrUnavailable,
			Message: fmt.Sprintf("internal: %d outcomes for %d tokens", len(got), len(tokens))})
		return
	}
	copy(out, got)
	if _, ok := unnamedOf(out); ok {
		guard.settle(ctx, tokens, out, send)
		return
	}
	guard.judge(out)
}

// Fill sets every outcome of a batch to the same message id and error.
func Fill(out []push.Outcome, tokens []string, msgID string, err error) []push.Outcome {
	for i, t := range tokens {
		out[i] = push.Outcome{Token: t, MessageID: msgID, Err: err}
	}
	return out
}

// All returns one outcome per token, all with msgID and err.
func All(tokens []string, msgID string, err error) []push.Outcome {
	return Fill(make([]push.Outcome, len(tokens)), tokens, msgID, err)
}

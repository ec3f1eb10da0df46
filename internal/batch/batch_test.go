package batch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
)

func TestRunSplitsAndKeepsOrder(t *testing.T) {
	tokens := make([]string, 2500)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("t%04d", i)
	}
	var mu sync.Mutex
	var sizes []int
	res := Run(context.Background(), "v", tokens, 1000, 4, nil, func(_ context.Context, b []string) []push.Outcome {
		mu.Lock()
		sizes = append(sizes, len(b))
		mu.Unlock()
		out := All(b, "", nil)
		for i := range out {
			out[i].MessageID = "id-" + b[i]
		}
		return out
	})
	assert.ElementsMatch(t, []int{1000, 1000, 500}, sizes)
	require.Len(t, res.Outcomes, 2500)
	for i, o := range res.Outcomes {
		assert.Equal(t, tokens[i], o.Token)
		assert.Equal(t, "id-"+tokens[i], o.MessageID)
		assert.NoError(t, o.Err)
	}
}

func TestRunDedupesAndRejectsEmpty(t *testing.T) {
	var sent []string
	res := Run(context.Background(), "v", []string{"a", "", "b", "a"}, 10, 1, nil, func(_ context.Context, b []string) []push.Outcome {
		sent = append(sent, b...)
		out := All(b, "m", nil)
		out[1].Err = push.ErrInvalidToken // b
		return out
	})
	assert.Equal(t, []string{"a", "b"}, sent, "a duplicate token is sent once")
	require.Len(t, res.Outcomes, 4)
	assert.NoError(t, res.Outcomes[0].Err)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	assert.Equal(t, "", res.Outcomes[1].Token)
	assert.ErrorIs(t, res.Outcomes[2].Err, push.ErrInvalidToken)
	assert.NoError(t, res.Outcomes[3].Err)
	assert.Equal(t, "a", res.Outcomes[3].Token)
	assert.Equal(t, []string{"", "b"}, res.InvalidTokens())
}

func TestRunAccountsForAShortDecoder(t *testing.T) {
	res := Run(context.Background(), "v", []string{"a", "b"}, 10, 1, nil, func(_ context.Context, b []string) []push.Outcome {
		return nil // a buggy decoder
	})
	for _, o := range res.Outcomes {
		assert.ErrorIs(t, o.Err, push.ErrUnavailable)
	}
}

func TestRunCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls atomic.Int64
	res := Run(ctx, "v", []string{"a", "b", "c"}, 1, 2, nil, func(_ context.Context, b []string) []push.Outcome {
		calls.Add(1)
		return All(b, "", nil)
	})
	assert.Zero(t, calls.Load())
	for _, o := range res.Outcomes {
		assert.True(t, errors.Is(o.Err, context.Canceled))
	}
}

func TestRunBoundsParallelBatches(t *testing.T) {
	var inflight, peak atomic.Int64
	tokens := make([]string, 100)
	for i := range tokens {
		tokens[i] = fmt.Sprint(i)
	}
	Run(context.Background(), "v", tokens, 1, 5, nil, func(_ context.Context, b []string) []push.Outcome {
		n := inflight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		inflight.Add(-1)
		return All(b, "", nil)
	})
	assert.LessOrEqual(t, peak.Load(), int64(5))
}

func TestRunNoTokens(t *testing.T) {
	res := Run(context.Background(), "v", nil, 10, 1, nil, func(_ context.Context, b []string) []push.Outcome {
		t.Fatal("nothing to send")
		return nil
	})
	assert.Empty(t, res.Outcomes)
}

func TestRunCheckedRejectsMalformed(t *testing.T) {
	var sent []string
	res := RunChecked(context.Background(), "v", []string{"a", "b,c", "d"}, 10, 1, nil, func(tok string) error {
		if strings.Contains(tok, ",") {
			return errors.New("must not contain a comma")
		}
		return nil
	}, func(_ context.Context, b []string) []push.Outcome {
		sent = append(sent, b...)
		return All(b, "", nil)
	})
	assert.Equal(t, []string{"a", "d"}, sent)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	assert.Contains(t, res.Outcomes[1].Err.Error(), "must not contain a comma")
}

func TestRunMixedDuplicatesAndRejects(t *testing.T) {
	tokens := []string{"a", "b", "", "a", "c,", "b", "d", "d"}
	var sent []string
	res := RunChecked(context.Background(), "v", tokens, 2, 1, nil, func(tok string) error {
		if strings.Contains(tok, ",") {
			return errors.New("comma")
		}
		return nil
	}, func(_ context.Context, b []string) []push.Outcome {
		sent = append(sent, b...)
		out := All(b, "", nil)
		for i := range out {
			out[i].MessageID = "m-" + b[i]
		}
		return out
	})
	assert.Equal(t, []string{"a", "b", "d"}, sent)
	want := []string{"m-a", "m-b", "", "m-a", "", "m-b", "m-d", "m-d"}
	for i, o := range res.Outcomes {
		assert.Equal(t, tokens[i], o.Token)
		assert.Equal(t, want[i], o.MessageID, i)
	}
	assert.ErrorIs(t, res.Outcomes[2].Err, push.ErrInvalidToken)
	assert.ErrorIs(t, res.Outcomes[4].Err, push.ErrInvalidToken)
}

func BenchmarkRunMillion(b *testing.B) {
	tokens := make([]string, 1_000_000)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("regid-%040d", i)
	}
	b.ReportAllocs()
	for b.Loop() {
		Run(context.Background(), "v", tokens, 1000, 8, nil, func(_ context.Context, t []string) []push.Outcome { return All(t, "", nil) })
	}
}

// The dedupe index agrees with a plain map on many tokens with many
// repeats: every token is sent once and every copy gets its outcome.
func TestDedupeAtScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := make([]string, 20000)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("tok-%d", rng.IntN(7000))
	}
	var mu sync.Mutex
	sent := map[string]int{}
	res := Run(context.Background(), "v", tokens, 100, 4, nil, func(_ context.Context, ts []string) []push.Outcome {
		mu.Lock()
		for _, t := range ts {
			sent[t]++
		}
		mu.Unlock()
		out := All(ts, "", nil)
		for i := range out {
			out[i].MessageID = "m-" + ts[i]
		}
		return out
	})
	distinct := map[string]bool{}
	for i, o := range res.Outcomes {
		distinct[tokens[i]] = true
		require.Equal(t, tokens[i], o.Token)
		require.Equal(t, "m-"+tokens[i], o.MessageID)
	}
	assert.Len(t, sent, len(distinct))
	for tok, n := range sent {
		require.Equal(t, 1, n, tok)
	}
}

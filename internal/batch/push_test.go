package batch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
)

func TestPush(t *testing.T) {
	refused := errors.New("refused")
	noComma := func(tok string) error {
		if strings.Contains(tok, ",") {
			return errors.New("a comma")
		}
		return nil
	}
	info := &push.OfflinePushInfo{Title: "T", Desc: "D"}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		buildErr  error
		tokens    []string
		wantErr   error
		wantSent  [][]string // the batches send got
		wantBuilt int
		invalid   []string // tokens refused without being sent
	}{
		{name: "batches", ctx: context.Background(), tokens: []string{"a", "b", "c"}, wantSent: [][]string{{"a", "b"}, {"c"}}, wantBuilt: 1},
		{name: "checked", ctx: context.Background(), tokens: []string{"a", "b,c"}, wantSent: [][]string{{"a"}}, wantBuilt: 1, invalid: []string{"b,c"}},
		{name: "build refuses", ctx: context.Background(), buildErr: refused, tokens: []string{"a"}, wantErr: refused, wantBuilt: 1},
		{name: "ctx ended: nothing built", ctx: cancelled, tokens: []string{"a"}, wantErr: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var sent [][]string
			built := 0
			build := func(got *push.OfflinePushInfo) (string, error) {
				built++
				assert.Same(t, info, got)
				return "msg", tc.buildErr
			}
			send := func(_ context.Context, m string, toks []string) []push.Outcome {
				assert.Equal(t, "msg", m, "every batch gets the message built once")
				mu.Lock()
				sent = append(sent, append([]string(nil), toks...))
				mu.Unlock()
				return All(toks, "id", nil)
			}
			plan := Plan{Vendor: push.Xiaomi, Size: 2, Parallel: 1, Check: noComma}
			res, err := Push(tc.ctx, plan, info, tc.tokens, build, send)
			assert.Equal(t, tc.wantBuilt, built)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Nil(t, res)
				assert.Empty(t, sent)
				return
			}
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.wantSent, sent)
			require.Len(t, res.Outcomes, len(tc.tokens))
			for i, o := range res.Outcomes {
				assert.Equal(t, tc.tokens[i], o.Token)
			}
			assert.Equal(t, tc.invalid, res.InvalidTokens())
		})
	}
}

func TestDryRunPlansAsPush(t *testing.T) {
	p := Plan{Vendor: "v", Size: 2, Check: func(tok string) error {
		if strings.Contains(tok, ",") {
			return errors.New("has a comma")
		}
		return nil
	}}
	build := func(info *push.OfflinePushInfo) (string, error) {
		if info.Desc == "" {
			return "", errors.New("no desc")
		}
		return info.Desc, nil
	}
	requests := func(m string, toks []string) []push.Request {
		return []push.Request{{Method: "POST", URL: "https://v.example/send", Body: []byte(m), Tokens: toks}}
	}
	pv, err := DryRun(p, &push.OfflinePushInfo{Desc: "hi"}, []string{"a", "", "b", "a", "c,d", "e"}, build, requests)
	require.NoError(t, err)
	require.Len(t, pv.Requests, 2)
	assert.Equal(t, []string{"a", "b"}, pv.Requests[0].Tokens)
	assert.Equal(t, []string{"e"}, pv.Requests[1].Tokens)
	assert.Equal(t, "hi", string(pv.Requests[1].Body))
	require.Len(t, pv.Unsent, 2)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.Equal(t, "c,d", pv.Unsent[1].Token)
	for _, o := range pv.Unsent {
		assert.ErrorIs(t, o.Err, push.ErrInvalidToken)
	}

	_, err = DryRun(p, &push.OfflinePushInfo{}, []string{"a"}, build, requests)
	assert.EqualError(t, err, "no desc")
}

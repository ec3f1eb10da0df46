package pushkit

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
)

func TestCodeStringOrNumber(t *testing.T) {
	var r Response
	require.NoError(t, json.Unmarshal([]byte(`{"code":80000000,"requestId":"r1"}`), &r))
	assert.Equal(t, Code(CodeSuccess), r.Code)
	assert.False(t, r.CodeIn(CodeInternalError))
	assert.True(t, r.CodeIn(CodeInternalError, CodeSuccess))
}

func TestMarkFailed(t *testing.T) {
	out := []push.Outcome{{Token: "a"}, {Token: "b"}, {Token: "c"}, {Token: "d"}}
	// v1 lists illegal_tokens; v3 keys them by reason
	msg := `{"success":1,"failure":3,"illegal_tokens":["a"],"illegalTokens":{"tokenFormatError":["b"],"noPushTypeRight":["c"]}}`
	out = MarkFailed(out, push.Huawei, 200, CodePartial, msg)
	assert.ErrorIs(t, out[0].Err, push.ErrInvalidToken)
	assert.ErrorIs(t, out[1].Err, push.ErrInvalidToken)
	assert.ErrorIs(t, out[2].Err, push.ErrAuth, "an app-level reason never deletes the token")
	assert.NoError(t, out[3].Err)
	assert.EqualError(t, out[0].Err, "huawei: invalid device token (HTTP 200, code 80100000): illegal token (success 1, failure 3)")
	assert.Contains(t, out[1].Err.Error(), "tokenFormatError (success 1, failure 3)")

	kept := MarkFailed([]push.Outcome{{Token: "a"}}, push.Harmony, 200, CodePartial, "not json")
	assert.NoError(t, kept[0].Err, "an unreadable msg leaves the outcomes as given")
}

func TestReasonKind(t *testing.T) {
	for reason, want := range map[string]error{
		"tokenFormatError": push.ErrInvalidToken, "noRight": push.ErrInvalidToken,
		"disableSendHuaweiMsgBecauseOfPenalty": push.ErrAuth, "notSupportPlayVoice": push.ErrInvalidMessage,
		"countryNotSupport": push.ErrUnavailable, "somethingNew": push.ErrUnavailable,
	} {
		assert.Equal(t, want, ReasonKind(reason), reason)
	}
}

func TestLenientTypes(t *testing.T) {
	var r Response
	require.NoError(t, json.Unmarshal([]byte(`{"code":"80100000","msg":{"success":"1","illegal_tokens":["a"]},"requestId":123}`), &r))
	assert.Equal(t, Text("123"), r.RequestID)
	assert.JSONEq(t, `{"success":"1","illegal_tokens":["a"]}`, string(r.Msg))
	require.NoError(t, json.Unmarshal([]byte(`{"code":"80000000","msg":null}`), &r))
	assert.Equal(t, Text(""), r.Msg)

	f, ok := readFailed(`{"success":"2","failure":1.5,"illegal_tokens":["a"]}`)
	require.True(t, ok, "an odd count does not lose the token list")
	assert.Equal(t, "success 2, failure 0", f.summary())
	assert.Equal(t, []string{"a"}, f.Illegal)
}

// TestAllInvalid: 80300007 proves only what it names (issue 12 findings 1
// and 2, issue 13 finding 4).
func TestAllInvalid(t *testing.T) {
	tokens := []string{"a", "b", "c"}
	t.Run("plain: batch.AllInvalid", func(t *testing.T) {
		out := AllInvalid(tokens, push.Harmony, 200, "All the tokens are invalid.", "r1")
		require.Len(t, out, 3)
		for i, o := range out {
			assert.Equal(t, tokens[i], o.Token)
			assert.ErrorIs(t, o.Err, push.ErrInvalidToken)
		}
		// batch.Run recognises the answer: a batch of 3 is re-sent one by one
		var calls atomic.Int32 // the single re-sends run concurrently
		res := batch.Run(context.Background(), push.Harmony, tokens, 3, 1, batch.NewGuard(push.Harmony, 10, "x"), func(_ context.Context, toks []string) []push.Outcome {
			calls.Add(1)
			if len(toks) > 1 {
				return out
			}
			return batch.All(toks, "", nil)
		})
		assert.NoError(t, res.Err())
		assert.Equal(t, int32(4), calls.Load())
	})
	t.Run("app-level reasons", func(t *testing.T) {
		for msg, want := range map[string]string{
			`{"illegalTokens":{"noRight":["a","b","c"]}}`:                                               "check the project id",
			`{"illegalTokens":{"noPushTypeRight":["a"]}}`:                                               "push-type",
			`{"illegalTokens":{"appinfoError":["a","b","c"]}}`:                                          "not created",
			`All the tokens are invalid. NORIGHT`:                                                       "check the project id",
			`disableSendHuaweiMsgBecauseOfPenalty`:                                                      "penalty",
			`{"illegalTokens":{"tokenFormatError":["a"],"disableSendHuaweiMsgBecauseOfPenalty":["b"]}}`: "penalty",
		} {
			out := AllInvalid(tokens, push.Harmony, 200, msg, "r1")
			for _, o := range out {
				assert.ErrorIs(t, o.Err, push.ErrAuth, msg)
				assert.ErrorContains(t, o.Err, want, msg)
				assert.ErrorContains(t, o.Err, "token kept", msg)
			}
		}
		out := AllInvalid(tokens, push.Harmony, 200, `{"illegalTokens":{"notSupportPlayVoice":["a","b","c"]}}`, "r1")
		for _, o := range out {
			assert.ErrorIs(t, o.Err, push.ErrInvalidMessage)
			assert.ErrorContains(t, o.Err, "PLAY_VOICE needs push-type 2")
		}
	})
	t.Run("named tokens", func(t *testing.T) {
		out := AllInvalid(tokens, push.Huawei, 400, `{"success":0,"failure":1,"illegal_tokens":["b"]}`, "r1")
		assert.ErrorIs(t, out[1].Err, push.ErrInvalidToken)
		assert.EqualError(t, out[1].Err, "huawei: invalid device token (HTTP 400, code 80300007): illegal token (success 0, failure 1)")
		for _, i := range []int{0, 2} {
			assert.ErrorIs(t, out[i].Err, ErrNotJudged)
			assert.ErrorIs(t, out[i].Err, push.ErrUnavailable)
			assert.NotErrorIs(t, out[i].Err, push.ErrInvalidToken)
		}
		out = AllInvalid(tokens, push.Harmony, 200, `{"illegalTokens":{"tokenFormatError":["a","b"],"countryNotSupport":["c"]}}`, "r1")
		assert.ErrorIs(t, out[0].Err, push.ErrInvalidToken)
		assert.ErrorIs(t, out[1].Err, push.ErrInvalidToken)
		assert.ErrorIs(t, out[2].Err, push.ErrUnavailable)
		assert.NotErrorIs(t, out[2].Err, ErrNotJudged, "named, with a reason that keeps the token")
	})
	t.Run("names none of ours", func(t *testing.T) {
		out := AllInvalid(tokens, push.Huawei, 200, `{"illegal_tokens":["zzz"]}`, "r1")
		calls := 0
		res := batch.Run(context.Background(), push.Huawei, tokens, 3, 1, nil, func(_ context.Context, toks []string) []push.Outcome {
			calls++
			return out
		})
		assert.Equal(t, 1, calls)
		assert.Len(t, res.InvalidTokens(), 3, "guard off: an unnamed answer stands, as batch.AllInvalid says")
	})
}

// TestResend: the unjudged tokens are sent once more, together, and a
// second answer naming others again leaves them retryable.
func TestResend(t *testing.T) {
	tokens := []string{"a", "b", "c", "d"}
	named := func(toks []string, dead string) []push.Outcome {
		return AllInvalid(toks, push.Huawei, 200, `{"illegal_tokens":["`+dead+`"]}`, "r1")
	}
	var sent [][]string
	send := func(_ context.Context, toks []string) []push.Outcome {
		sent = append(sent, toks)
		return batch.All(toks, "r2", nil)
	}
	out := Resend(context.Background(), push.Huawei, nil, named(tokens, "b"), send)
	assert.Equal(t, [][]string{{"a", "c", "d"}}, sent)
	assert.ErrorIs(t, out[1].Err, push.ErrInvalidToken)
	for _, i := range []int{0, 2, 3} {
		assert.NoError(t, out[i].Err)
		assert.Equal(t, tokens[i], out[i].Token)
		assert.Equal(t, "r2", out[i].MessageID)
	}

	sent = nil
	again := func(_ context.Context, toks []string) []push.Outcome {
		sent = append(sent, toks)
		return named(toks, "c")
	}
	out = Resend(context.Background(), push.Huawei, nil, named(tokens, "b"), again)
	assert.Len(t, sent, 1, "once")
	assert.ErrorIs(t, out[1].Err, push.ErrInvalidToken)
	assert.ErrorIs(t, out[2].Err, push.ErrInvalidToken)
	assert.ErrorIs(t, out[0].Err, ErrNotJudged)
	assert.ErrorIs(t, out[3].Err, ErrNotJudged)

	sent = nil
	ok := batch.All(tokens, "r1", nil)
	assert.Equal(t, ok, Resend(context.Background(), push.Huawei, nil, ok, again))
	assert.Empty(t, sent, "nothing unjudged, nothing sent")
}

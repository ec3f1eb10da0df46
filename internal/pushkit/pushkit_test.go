package pushkit

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
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

package lenient

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`"0"`, "0"},
		{`0`, "0"},
		{`-1`, "-1"},
		{`12345678901234567890123`, "12345678901234567890123"}, // a 23-digit regId, not rounded
		{`" ok "`, "ok"},
		{`"a\"b"`, `a"b`},
		{`"\u4e2d"`, "中"},
		{`true`, "true"},
		{`null`, ""},
		{`{"illegal_tokens":["t1"]}`, `{"illegal_tokens":["t1"]}`},
		{`[1,2]`, "[1,2]"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			var v struct{ X Text }
			require.NoError(t, json.Unmarshal([]byte(`{"X":`+tt.in+`}`), &v))
			assert.Equal(t, tt.want, string(v.X))
		})
	}
	var v struct{ X Text }
	require.NoError(t, json.Unmarshal([]byte(`{}`), &v))
	assert.Empty(t, v.X, "absent is empty")
}

func TestScalar(t *testing.T) {
	var v struct{ X Scalar }
	require.NoError(t, json.Unmarshal([]byte(`{"X":20301}`), &v))
	assert.Equal(t, Scalar("20301"), v.X)
	require.NoError(t, json.Unmarshal([]byte(`{"X":"20301"}`), &v))
	assert.Equal(t, Scalar("20301"), v.X)
	assert.Error(t, json.Unmarshal([]byte(`{"X":{}}`), &v))
	assert.Error(t, json.Unmarshal([]byte(`{"X":[1]}`), &v))
}

package wire

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"html kept", map[string]string{"url": "https://example.com/?a=1&b=<2>"}, `{"url":"https://example.com/?a=1&b=<2>"}`},
		{"no newline", []string{"t1", "t2"}, `["t1","t2"]`},
		{"struct order", struct {
			B string `json:"b"`
			A int    `json:"a,omitempty"`
		}{B: "x"}, `{"b":"x"}`},
		{"escapes what JSON needs", "line\n\"q\"\\", `"line\n\"q\"\\"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := JSON(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
			assert.True(t, json.Valid(got))
		})
	}
}

func TestJSONError(t *testing.T) {
	_, err := JSON(math.NaN())
	require.Error(t, err)
}

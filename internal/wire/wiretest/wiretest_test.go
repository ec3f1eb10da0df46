package wiretest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFillSetsEveryField(t *testing.T) {
	type inner struct {
		N *int              `json:"n,omitempty"`
		M map[string]string `json:"m,omitempty"`
	}
	type outer struct {
		S    string   `json:"s,omitempty"`
		B    bool     `json:"b,omitempty"`
		L    []string `json:"l,omitempty"`
		In   *inner   `json:"in,omitempty"`
		Skip string   `json:"-"`
		priv string
	}
	var v outer
	Fill(&v)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.ElementsMatch(t, []string{"s", "b", "l", "in"}, keys(m))
	assert.ElementsMatch(t, []string{"n", "m"}, keys(m["in"].(map[string]any)))
	assert.Empty(t, v.Skip)
	assert.Empty(t, v.priv)
	assert.Contains(t, v.S, "<&>", "strings carry what JSON escapes")
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

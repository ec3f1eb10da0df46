package wire

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpliceEqualsEncoding(t *testing.T) {
	type body struct {
		Title  string   `json:"title"`
		Tokens []string `json:"token,omitempty"`
		One    string   `json:"one,omitempty"`
	}
	for _, tc := range []struct {
		name   string
		hole   body
		tokens []string
		want   func(toks []string) body
	}{
		{"list", body{Title: "a&b", Tokens: []string{Hole()}}, []string{"t1", "t<2>"}, func(toks []string) body { return body{Title: "a&b", Tokens: toks} }},
		{"one", body{Title: "x", One: Hole()}, []string{"only"}, func(toks []string) body { return body{Title: "x", One: toks[0]} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := JSON(tc.hole)
			require.NoError(t, err)
			s, ok := NewSplice(enc)
			require.True(t, ok)
			want, err := JSON(tc.want(tc.tokens))
			require.NoError(t, err)
			got := s.Append(nil, tc.tokens...)
			assert.Equal(t, string(want), string(got))
			assert.True(t, json.Valid(got))
		})
	}
}

func TestSpliceRefusesAmbiguousHole(t *testing.T) {
	enc, _ := JSON([]string{Hole(), Hole()})
	_, ok := NewSplice(enc)
	assert.False(t, ok, "two holes")
	_, ok = NewSplice([]byte(`{"token":"x"}`))
	assert.False(t, ok, "no hole")
}

func TestAppendStringMatchesJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "a<b>&c", "q\"\\", "\x00\x1f\t\n\r\b\f", "\u2028\u2029", "bad \xff utf8", "中文😀"} {
		want, _ := json.Marshal(s)
		assert.Equal(t, string(want), string(AppendString(nil, s)), "%q", s)
		text, _ := JSON(s)
		assert.Equal(t, string(text), string(AppendText(nil, s)), "%q", s)
	}
}

// BenchmarkSplice1000 is a batch body of 1,000 tokens spliced into a body
// encoded once (what AppendText costs per token).
func BenchmarkSplice1000(b *testing.B) {
	enc, _ := JSON(struct {
		Title  string   `json:"title"`
		Tokens []string `json:"token"`
	}{"Alice", []string{Hole()}})
	s, _ := NewSplice(enc)
	tokens := make([]string, 1000)
	for i := range tokens {
		tokens[i] = "IQAAAACy0alice-phone-token-0000000000000000000000000000000000000000"
	}
	buf := make([]byte, 0, s.Len()+1000*71)
	b.ReportAllocs()
	for b.Loop() {
		buf = s.Append(buf[:0], tokens...)
	}
}

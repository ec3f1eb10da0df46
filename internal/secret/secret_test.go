package secret

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"": `""`, "s3cret": "<redacted>"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %s, want %s", in, got, want)
		}
		if got := Mask([]byte(in)); got != want {
			t.Errorf("Mask([]byte(%q)) = %s, want %s", in, got, want)
		}
	}
}

// holder is a type with a secret that formats through Format.
type holder struct{ key string }

func (h holder) String() string                { return "holder{key:" + Mask(h.key) + "}" }
func (h holder) Format(f fmt.State, verb rune) { Format(f, verb, h.String()) }

// TestFormatKeepsTheSecretUnderEveryVerb: every verb prints the masked
// text (quoted, hex, padded as asked), never the field.
func TestFormatKeepsTheSecretUnderEveryVerb(t *testing.T) {
	h := holder{key: "s3cr3t-value"}
	const text = "holder{key:<redacted>}"
	for _, tc := range []struct{ format, want string }{
		{"%v", text},
		{"%+v", text},
		{"%#v", text},
		{"%s", text},
		{"%q", fmt.Sprintf("%q", text)},
		{"%#q", "`" + text + "`"},
		{"%x", fmt.Sprintf("%x", text)},
		{"%X", fmt.Sprintf("%X", text)},
		{"% x", fmt.Sprintf("% x", text)},
		{"%30s", fmt.Sprintf("%30s", text)},
		{"%-30v|", fmt.Sprintf("%-30s|", text)},
		{"%.6s", "holder"},
		{"%d", "%!d(" + text + ")"},
		{"%t", "%!t(" + text + ")"},
		{"%08b", "%!b(" + text + ")"},
		{"%e", "%!e(" + text + ")"},
		{"%c", "%!c(" + text + ")"},
		{"%U", "%!U(" + text + ")"},
		{"%T", "secret.holder"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			got := fmt.Sprintf(tc.format, h)
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, h.key)
			// and inside containers, pointers and exported fields
			for _, v := range []any{[]holder{h}, &h, map[string]holder{"k": h}, struct{ H holder }{h}} {
				assert.NotContains(t, fmt.Sprintf(tc.format, v), h.key)
			}
		})
	}
}

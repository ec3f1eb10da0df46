// Package secrettest checks that formatting a value never shows a secret:
// it renders a value under every fmt verb and finds a secret in the text
// in any form fmt could print it (raw, quoted, hex, as byte numbers…).
package secrettest

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// verbs are the formats a caller might log a value with: every fmt verb
// of every kind, with common flags, widths and precisions, and a verb fmt
// does not know.
var verbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%+q", "%#q", "%x", "%X", "% x", "%#x",
	"%d", "%+d", "%t", "%b", "%o", "%O", "%c", "%U", "%#U",
	"%e", "%E", "%f", "%F", "%g", "%G", "%T",
	"%10d", "%-40s", "%.3s", "%08x", "%z",
}

// Render returns v formatted under each of verbs, keyed by the format;
// %p too when v is a pointer (fmt prints a non-pointer's fields raw under
// %p before any method is asked, and go vet reports that call).
func Render(v any) map[string]string {
	out := make(map[string]string, len(verbs)+1)
	for _, f := range verbs {
		out[f] = fmt.Sprintf(f, v)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
		out["%p"] = fmt.Sprintf("%p", v)
	}
	return out
}

// Forms returns the texts that show secret, one per way fmt prints a
// string or a []byte: the secret itself, Go-quoted, in hex (plain, upper
// case, spaced) and as byte numbers (decimal, octal, binary, U+). A long
// secret is probed by a 16-byte piece from its middle so that a form
// split across fields, or a secret cut short, is still found.
func Forms(secret string) map[string]string {
	piece := secret
	if len(piece) > 16 {
		mid := len(piece)/2 - 8
		piece = piece[mid : mid+16]
	}
	nums := func(f string) string {
		parts := make([]string, len(piece))
		for i := 0; i < len(piece); i++ {
			parts[i] = fmt.Sprintf(f, piece[i])
		}
		return strings.Join(parts, " ")
	}
	quoted := strconv.Quote(piece)
	return map[string]string{
		"raw":     piece,
		"quoted":  quoted[1 : len(quoted)-1],
		"hex":     fmt.Sprintf("%x", piece),
		"HEX":     fmt.Sprintf("%X", piece),
		"% x":     fmt.Sprintf("% x", piece),
		"decimal": nums("%d"),
		"octal":   nums("%o"),
		"binary":  nums("%b"),
		"U+":      nums("%U"),
	}
}

// Find reports the first form of secret that text contains.
func Find(text, secret string) (form string, found bool) {
	forms := Forms(secret)
	for _, name := range []string{"raw", "quoted", "hex", "HEX", "% x", "decimal", "octal", "binary", "U+"} {
		if strings.Contains(text, forms[name]) {
			return name, true
		}
	}
	return "", false
}

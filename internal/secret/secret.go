// Package secret prints credentials for people: a Config's String shows
// whether a secret is set, never the secret, and Format keeps every fmt
// verb on that String.
package secret

import "fmt"

// Mask returns `""` for an empty secret and <redacted> for any other.
func Mask[T ~string | ~[]byte](s T) string {
	if len(s) == 0 {
		return `""`
	}
	return "<redacted>"
}

// Format writes text, a type's masked description (its String), under
// every verb. A type that holds a secret calls it from its Format method:
//
//	func (c Config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }
//
// Why: fmt calls String only for %v, %s, %q, %x and %X; under %d, %t, %o…
// (and under every verb for a value held in an unexported field) it prints
// the struct's fields themselves, secrets included, e.g. %!d(string=…).
// A Formatter is asked for every verb.
//
// %v (with any flag) and %s print text, %q quotes it, %x and %X print it
// in hex, each with the flags, width and precision given; any other verb
// prints %!verb(text), as fmt marks a verb that does not fit. %T and %p
// never reach a Formatter: %T prints the type, %p the address of a
// pointer (for a value that is not a pointer fmt prints its fields raw as
// %!p(…), which go vet reports as a mistake).
func Format(f fmt.State, verb rune, text string) {
	switch verb {
	case 'v', 's':
		fmt.Fprintf(f, fmt.FormatString(f, 's'), text)
	case 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), text)
	default:
		fmt.Fprintf(f, "%%!%c(%s)", verb, text)
	}
}

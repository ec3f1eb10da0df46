// Package lenient reads the JSON values of vendor answers whose type the
// vendors' own SDKs disagree on (a code that is a number in one SDK and a
// string in another, a regId of 23 digits sent as a number). Reading such
// a value strictly makes the whole answer unreadable, and an unreadable
// answer loses its successes and its dead tokens; so it is read as text.
package lenient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Text is a JSON value read as text: a string as its text, a number or a
// bool as its literal (every digit kept: nothing is rounded), null as "",
// and an object or an array as its JSON text, so that an answer with an odd
// type stays readable (a code of that shape is simply an unknown code, and
// a msg holding an object can still be parsed). White space around a
// string's text is trimmed.
type Text string

// UnmarshalJSON reads any JSON value; encoding/json has checked that b is
// one.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		if raw := b[1 : len(b)-1]; bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			*t = Text(bytes.TrimSpace(raw)) // no escapes: the text is the bytes (the common case)
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(bytes.TrimSpace([]byte(s)))
	default:
		*t = Text(b)
	}
	return nil
}

// Scalar is Text for a value that must be a string, a number or a bool:
// an object or an array is an error, so that an answer whose code has
// such a shape is unreadable (and judged as such) rather than an unknown
// code.
type Scalar string

// UnmarshalJSON reads a string, number, bool or null as Text does, and
// refuses any other value.
func (s *Scalar) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return fmt.Errorf("want a string or a number, got %.20s", b)
	}
	var t Text
	err := t.UnmarshalJSON(b)
	*s = Scalar(t)
	return err
}

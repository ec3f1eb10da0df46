package wire

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
)

// A Splice is a request body encoded once with a hole where the device
// tokens go: the message is the same for every batch of a Push, so each
// batch only appends its tokens ("encode once, splice tokens in"). It is
// made from the real encoding of the wire struct, so the fields around
// the hole are whatever the struct holds: a field added to it cannot be
// left out of the spliced body.
type Splice struct {
	head, tail []byte
}

// Hole is the placeholder token to encode the wire struct with: a string
// (or a one-element list) set where the tokens go. It is random per
// process, so no message text can imitate it.
var Hole = func() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "splice-" + hex.EncodeToString(b)
}()

// quotedHole is Hole as a JSON string, made once: NewSplice runs on every
// Push.
var quotedHole = []byte(`"` + Hole + `"`)

// NewSplice cuts encoded, a body encoded with Hole in the token field, at
// the hole. ok is false when Hole does not appear exactly once (the caller
// then encodes each batch in full).
func NewSplice(encoded []byte) (s Splice, ok bool) {
	q := quotedHole
	i := bytes.Index(encoded, q)
	if i < 0 || bytes.Count(encoded, q) != 1 {
		return Splice{}, false
	}
	return Splice{head: encoded[:i], tail: encoded[i+len(q):]}, true
}

// Append appends the body with tokens in the hole, as JSON strings (as
// AppendText writes them) separated by commas: a list field takes any
// number, a string field one.
func (s Splice) Append(b []byte, tokens ...string) []byte {
	b = append(b, s.head...)
	for i, t := range tokens {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendText(b, t)
	}
	return append(b, s.tail...)
}

// Len is the body's length without the tokens' strings.
func (s Splice) Len() int { return len(s.head) + len(s.tail) }

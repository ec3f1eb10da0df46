package wire

import (
	"slices"
	"unicode/utf8"
)

// The hand-written JSON encoders' pieces. A vendor whose message is hot
// (FCM: one request per token) appends its wire struct with these instead
// of encoding/json, which reaches maps through reflection and copies every
// key and value to the heap. Each such encoder is held to encoding/json by
// a differential test over a struct wiretest.Fill has set field by field,
// so a field added to the struct and forgotten by the encoder fails it.

// Key appends a field name and colon, after a comma unless the field is
// the first of the object whose content starts at b[open].
func Key(b []byte, open int, name string) []byte {
	if len(b) > open {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// Field appends a string field tagged omitempty: nothing when v is empty.
func Field(b []byte, open int, name, v string) []byte {
	if v == "" {
		return b
	}
	return AppendString(Key(b, open, name), v)
}

// Map appends a string map with its keys sorted, as encoding/json sorts
// them.
func Map(b []byte, m map[string]string) []byte {
	var arr [8]string // the vendors' maps have a few keys: no allocation
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(AppendString(b, k), ':')
		b = AppendString(b, m[k])
	}
	return append(b, '}')
}

// AppendString appends s as a JSON string escaped as json.Marshal escapes
// it: <, > and & as \u003c…, so the body is safe to embed in HTML; U+2028
// and U+2029 escaped for JavaScript; invalid UTF-8 as U+FFFD.
func AppendString(b []byte, s string) []byte { return appendString(b, s, true) }

// AppendText appends s as JSON writes it: <, > and & as they are.
func AppendText(b []byte, s string) []byte { return appendString(b, s, false) }

// plain[html][c] reports an ASCII byte written as it is.
var plain = func() (t [2][256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[0][c] = c != '"' && c != '\\'
		t[1][c] = t[0][c] && c != '<' && c != '>' && c != '&'
	}
	return t
}()

func appendString(b []byte, s string, html bool) []byte {
	const hex = "0123456789abcdef"
	safe := &plain[0]
	if html {
		safe = &plain[1]
	}
	b = append(b, '"')
	start := 0 // s[start:i] is pending, needs no escape
	for i := 0; i < len(s); {
		c := s[i]
		if safe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

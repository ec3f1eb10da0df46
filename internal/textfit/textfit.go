// Package textfit shortens the texts of a request body as little as needed
// to fit a byte limit that counts the encoded body.
//
// internal/shape.Body applies the same rule (the body text first, then the
// title, each cut at a character boundary and ended with "…"; nothing else
// is cut) with one estimate per text: the raw bytes to drop are the encoded
// bytes over the limit. When the encoding expands the text (JSON escapes
// quotes, backslashes and newlines to two bytes, and an HTML-safe encoder
// "<", ">" and "&" to six), that estimate drops far too much: 2,000 "<&>"
// over FCM's limit came out as "<…". Fit searches for the longest prefix
// that fits instead, so the result does not depend on the escapes. Callers
// still hand the fitted texts to shape.Body, which keeps the refusals
// (WithStrictLength, and Ext that leaves no room) the same for every vendor.
package textfit

import "github.com/offlinepush/push/payload"

// Fit shortens the texts in order until size() is at most limit: the first
// text to its longest prefix (at a character boundary, ended with
// payload.Ellipsis, as payload.Shorten cuts) that lets the body fit; when
// even one character and the ellipsis do not fit, that text stays so short
// and the next is shortened. size measures the body with the texts as they
// are; Fit's last call of it is with the texts it leaves (so a size that
// also encodes leaves the final body). It reports whether the body fits.
func Fit(limit int, size func() int, texts ...*string) bool {
	if size() <= limit {
		return true
	}
	for _, t := range texts {
		orig := *t
		shortest := len(firstRune(orig)) + len(payload.Ellipsis)
		if len(orig) <= shortest {
			continue // cannot get shorter
		}
		*t = payload.Shorten(orig, shortest, payload.Bytes)
		if size() > limit {
			continue // not even so: the next text gives its share too
		}
		// Shorten(orig, n) grows with n, and so does the body: the largest
		// n that fits lies in [shortest, len(orig)), where orig was over.
		good, bad := shortest, len(orig)
		for bad-good > 1 {
			mid := good + (bad-good)/2
			*t = payload.Shorten(orig, mid, payload.Bytes)
			if size() <= limit {
				good = mid
			} else {
				bad = mid
			}
		}
		*t = payload.Shorten(orig, good, payload.Bytes)
		return size() <= limit
	}
	return size() <= limit
}

func firstRune(s string) string {
	for i := range s {
		if i > 0 {
			return s[:i]
		}
	}
	return s
}

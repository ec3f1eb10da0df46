// Package form writes application/x-www-form-urlencoded bodies without the
// map and the allocations of url.Values, for the vendors whose requests are
// forms (Xiaomi, Meizu, OPPO). The output equals url.Values.Encode.
package form

// AppendEscaped appends s (text or bytes) escaped exactly as url.QueryEscape would. Runs
// of unreserved bytes (a whole token, usually) are copied in one append:
// it runs on every token of every batch.
func AppendEscaped[S ~string | ~[]byte](dst []byte, s S) []byte {
	const hex = "0123456789ABCDEF"
	i := 0
	for i < len(s) && unreserved[s[i]] { // most tokens end here: one copy
		i++
	}
	if i == len(s) {
		return append(dst, s...)
	}
	start := 0 // of the run not yet appended
	for ; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		if c == ' ' {
			dst = append(dst, '+')
		} else {
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// unreserved marks the bytes a query keeps as they are (RFC 3986 §2.3).
var unreserved = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

// AppendField appends "&key=value" (without the '&' when dst is empty).
func AppendField(dst []byte, key, value string) []byte {
	if len(dst) > 0 {
		dst = append(dst, '&')
	}
	dst = AppendEscaped(dst, key)
	dst = append(dst, '=')
	return AppendEscaped(dst, value)
}

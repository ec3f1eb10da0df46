// Package form writes application/x-www-form-urlencoded bodies without the
// map and the allocations of url.Values, for the vendors whose requests are
// forms (Xiaomi, Meizu, OPPO). The output equals url.Values.Encode.
package form

// AppendEscaped appends s escaped exactly as url.QueryEscape would.
func AppendEscaped(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// AppendField appends "&key=value" (without the '&' when dst is empty).
func AppendField(dst []byte, key, value string) []byte {
	if len(dst) > 0 {
		dst = append(dst, '&')
	}
	dst = AppendEscaped(dst, key)
	dst = append(dst, '=')
	return AppendEscaped(dst, value)
}

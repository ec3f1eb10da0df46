// Package payload holds the vendor-neutral shaping every vendor client
// applies to an OfflinePushInfo: length limits that never split a UTF-8
// sequence, the ext passthrough conventions, intent-URI parsing and URL
// checks. It does no I/O and imports nothing from this module, so both the
// root package and every vendor package can use it.
package payload

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Unit is how a vendor counts a length limit.
type Unit int

const (
	// Runes counts Unicode code points: "a CJK or Latin character counts 1".
	Runes Unit = iota
	// UTF16 counts UTF-16 code units, as Java's String.length() does: an
	// emoji outside the BMP counts 2. Xiaomi, OPPO, vivo and Meizu count
	// "characters" on Java servers, so text cut to this count fits whether
	// they count code points or units.
	UTF16
	// Bytes counts UTF-8 bytes.
	Bytes
)

func (u Unit) String() string {
	switch u {
	case Runes:
		return "characters"
	case UTF16:
		return "UTF-16 units"
	case Bytes:
		return "bytes"
	}
	return "units"
}

// Len returns the length of s in unit u.
func Len(s string, u Unit) int {
	switch u {
	case Bytes:
		return len(s)
	case UTF16:
		n := 0
		for _, r := range s {
			n += utf16.RuneLen(r)
		}
		return n
	default:
		return utf8.RuneCountInString(s)
	}
}

// Truncate returns the longest prefix of s whose length in unit u is at most
// max. It never splits a UTF-8 sequence (or a surrogate pair, for UTF16), so
// the result is valid UTF-8 whenever s is. max <= 0 yields "".
func Truncate(s string, max int, u Unit) string {
	if max <= 0 {
		return ""
	}
	if u == Bytes && len(s) <= max {
		return s
	}
	n := 0
	for i, r := range s {
		w := 1
		switch u {
		case Bytes:
			w = utf8.RuneLen(r)
			if w < 0 { // invalid byte decoded as RuneError: one byte wide
				w = 1
			}
		case UTF16:
			w = utf16.RuneLen(r)
		}
		if n+w > max {
			return s[:i]
		}
		n += w
	}
	return s
}

// ErrTooLong is returned by Fit when strict is set and s is over the limit.
var ErrTooLong = errors.New("too long")

// Ellipsis ends a text that Shorten cut, so the reader sees it goes on.
const Ellipsis = "…"

// Shorten returns s when it fits in max units, else its longest prefix that
// fits with Ellipsis appended (trailing white space of the prefix dropped).
// Like Truncate it never splits a character, and it does not cut inside what
// a reader sees as one: an emoji keeps its skin tone and its ZWJ partners,
// a flag its two letters, a letter its combining marks. When max is too
// small to hold the ellipsis, the plain truncation is returned.
func Shorten(s string, max int, u Unit) string {
	if Len(s, u) <= max {
		return s
	}
	room := max - Len(Ellipsis, u)
	if room <= 0 {
		return Truncate(s, max, u)
	}
	kept := Truncate(s, room, u)
	kept = wholeClusters(kept, s[len(kept):])
	return strings.TrimRight(kept, " \t\r\n") + Ellipsis
}

// wholeClusters drops the end of kept while the cut before rest would split
// a character sequence that displays as one.
func wholeClusters(kept, rest string) string {
	for kept != "" {
		next, _ := utf8.DecodeRuneInString(rest)
		last, n := utf8.DecodeLastRuneInString(kept)
		split := extendsPrevious(next) || last == zwj ||
			isRegional(last) && isRegional(next) && regionalRun(kept)%2 == 1
		if !split {
			return kept
		}
		rest = kept[len(kept)-n:] + rest
		kept = kept[:len(kept)-n]
	}
	return kept
}

const zwj = '\u200d'

// extendsPrevious reports runes that attach to the one before them: the
// zero-width joiner, variation selectors, emoji skin tones, tag characters
// (subdivision flags) and combining marks.
func extendsPrevious(r rune) bool {
	return r == zwj || r >= 0xFE00 && r <= 0xFE0F || r >= 0x1F3FB && r <= 0x1F3FF ||
		r >= 0xE0020 && r <= 0xE007F || unicode.In(r, unicode.Mn, unicode.Me)
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// regionalRun counts the regional-indicator letters that end s: flags are
// pairs of them, so an odd count means the last one starts a flag.
func regionalRun(s string) int {
	n := 0
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		if !isRegional(r) {
			break
		}
		n++
		s = s[:len(s)-size]
	}
	return n
}

// Fit applies a limit of max units to s: it shortens s (see Shorten), or
// with strict returns an error wrapping ErrTooLong that states the limit.
func Fit(s string, max int, u Unit, strict bool) (string, error) {
	if Len(s, u) <= max {
		return s, nil
	}
	if strict {
		return "", fmt.Errorf("is %w: %d %s, the limit is %d", ErrTooLong, Len(s, u), u, max)
	}
	return Shorten(s, max, u), nil
}

// ExtKey is the key under which every vendor carries OfflinePushInfo.Ext,
// because that is where the Tencent-style client SDKs look for it.
const ExtKey = "ext"

// ExtMap returns {"ext": ext}, or nil when ext is empty, for vendors whose
// custom data is a string map (FCM data, vivo clientCustomMap).
func ExtMap(ext string) map[string]string {
	if ext == "" {
		return nil
	}
	return map[string]string{ExtKey: ext}
}

// ExtJSON returns the JSON text {"ext":"<ext>"}, or "" when ext is empty,
// for vendors whose custom data is a JSON string (Huawei/Honor data, OPPO
// action_parameters).
func ExtJSON(ext string) string {
	if ext == "" {
		return ""
	}
	b, _ := json.Marshal(map[string]string{ExtKey: ext}) // a string map cannot fail
	return string(b)
}

// CheckJSONObject reports an error unless s is the text of one JSON object.
// Some Android vendors drop a message whose ext is not a JSON object.
func CheckJSONObject(s string) error {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&m); err != nil || m == nil {
		return errors.New("must be the text of a JSON object")
	}
	if dec.More() {
		return errors.New("must be exactly one JSON object")
	}
	return nil
}

// CheckURL reports an error unless s is an absolute http or https URL with
// a host (https only when httpsOnly).
func CheckURL(s string, httpsOnly bool) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errors.New("must be an absolute http(s) URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if httpsOnly {
			return errors.New("must use https")
		}
		return nil
	}
	return errors.New("must use the http or https scheme")
}

// CheckIntent reports an error unless s looks like an Android intent URI:
// "intent:…#Intent;…;end" (also "scheme://…#Intent;…;end").
func CheckIntent(s string) error {
	i := strings.Index(s, "#Intent;")
	if i < 0 || !strings.HasSuffix(s, ";end") || i+len("#Intent;") > len(s)-len("end") {
		return errors.New(`must be an Android intent URI "intent://…#Intent;…;end"`)
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return errors.New("must not contain white space")
	}
	return nil
}

// ActivityFromIntent returns the Activity class named by the intent URI's
// component= entry: "component=com.pkg/.ChatActivity" gives
// "com.pkg.ChatActivity", "component=com.pkg/com.other.Cls" gives
// "com.other.Cls". It fails when the URI has no component.
func ActivityFromIntent(intent string) (string, error) {
	i := strings.Index(intent, "#Intent;")
	if i < 0 {
		return "", errors.New("is not an intent URI")
	}
	for _, part := range strings.Split(intent[i+len("#Intent;"):], ";") {
		v, ok := strings.CutPrefix(part, "component=")
		if !ok {
			continue
		}
		if dec, err := url.PathUnescape(v); err == nil {
			v = dec
		}
		pkg, cls, ok := strings.Cut(v, "/")
		if !ok || pkg == "" || cls == "" || cls == "." {
			return "", fmt.Errorf("has a malformed component %q (want package/Class)", v)
		}
		if strings.HasPrefix(cls, ".") {
			cls = pkg + cls
		}
		return cls, nil
	}
	return "", errors.New("has no component= entry")
}

// CheckActivity reports an error unless s looks like a Java class name
// "pkg.Name".
func CheckActivity(s string) error {
	if s == "" || !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return errors.New("must be a full Activity class name such as com.example.ChatActivity")
	}
	for _, r := range s {
		if !(r == '.' || r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("must be a Java class name; %q is not allowed", r)
		}
	}
	return nil
}

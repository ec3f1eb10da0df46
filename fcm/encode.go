package fcm

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// A hand-written encoder for the wire structs. encoding/json reaches the
// data and apns.headers maps through reflection, copying every key and value
// out to the heap: most of a push's allocations. These functions produce
// exactly json.Marshal's bytes (field order, omitempty, sorted map keys,
// HTML-safe escaping); TestEncodeMatchesJSON and FuzzEncode hold them to it.

// appendMessage appends m as json.Marshal(m) would.
func appendMessage(b []byte, m *Message) []byte {
	b = append(b, '{')
	o := len(b)
	if m.Token != "" {
		b = appendString(key(b, o, "token"), m.Token)
	}
	if n := m.Notification; n != nil {
		b = appendNotification(key(b, o, "notification"), n)
	}
	if len(m.Data) > 0 {
		b = appendMap(key(b, o, "data"), m.Data)
	}
	if a := m.Android; a != nil {
		b = appendAndroid(key(b, o, "android"), a)
	}
	if a := m.APNS; a != nil {
		b = key(b, o, "apns")
		b = append(b, '{')
		o := len(b)
		if len(a.Headers) > 0 {
			b = appendMap(key(b, o, "headers"), a.Headers)
		}
		if a.Payload != nil {
			b = appendAPNSPayload(key(b, o, "payload"), a.Payload, nil)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendNotification(b []byte, n *Notification) []byte {
	b = append(b, '{')
	o := len(b)
	b = appendField(b, o, "title", n.Title)
	b = appendField(b, o, "body", n.Body)
	return append(b, '}')
}

func appendAndroid(b []byte, a *AndroidConfig) []byte {
	b = append(b, '{')
	o := len(b)
	b = appendField(b, o, "collapse_key", a.CollapseKey)
	b = appendField(b, o, "priority", a.Priority)
	b = appendField(b, o, "ttl", a.TTL)
	if n := a.Notification; n != nil {
		b = key(b, o, "notification")
		b = append(b, '{')
		o := len(b)
		b = appendField(b, o, "channel_id", n.ChannelID)
		b = appendField(b, o, "sound", n.Sound)
		b = appendField(b, o, "click_action", n.ClickAction)
		b = appendField(b, o, "tag", n.Tag)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendAPNSPayload appends p. A non-nil alert goes first in aps, as FCM
// adds it from the notification: apnsSize measures that payload.
func appendAPNSPayload(b []byte, p *APNSPayload, alert *Notification) []byte {
	b = append(b, `{"aps":{`...)
	o := len(b)
	if alert != nil {
		b = appendNotification(key(b, o, "alert"), alert)
	}
	b = appendField(b, o, "sound", p.Aps.Sound)
	if p.Aps.Badge != nil {
		b = strconv.AppendInt(key(b, o, "badge"), int64(*p.Aps.Badge), 10)
	}
	b = append(b, '}')
	b = appendField(b, 0, "ext", p.Ext) // 0: never first, after aps
	b = appendField(b, 0, "url", p.URL)
	return append(b, '}')
}

// appendMap appends a string map with its keys sorted, as json.Marshal
// sorts them.
func appendMap(b []byte, m map[string]string) []byte {
	var arr [8]string // our maps have at most 4 keys: no allocation
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
		b = append(appendString(b, k), ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// appendField appends a string field tagged omitempty: nothing when v is
// empty.
func appendField(b []byte, open int, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(key(b, open, name), v)
}

// key appends a field name and colon, after a comma unless the field is the
// first of the object whose content starts at b[open].
func key(b []byte, open int, name string) []byte {
	if len(b) > open {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// appendString appends s as a JSON string escaped as json.Marshal escapes
// it: <, > and & as \u003c…, so the body is safe to embed in HTML; U+2028
// and U+2029 escaped for JavaScript; invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] is pending, needs no escape
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
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

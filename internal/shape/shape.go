// Package shape holds the first step every Android vendor's mapping shares:
// validate the message, require a title, and fit title and body to the
// vendor's limits; and the rules every vendor applies to the message's tap
// action and TTL. It lives once here rather than in each vendor package.
package shape

import (
	"fmt"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/settings"
)

// Limits are a vendor's title and body limits.
type Limits struct {
	Title, Desc int
	Unit        payload.Unit
}

// Texts validates info and returns its title and body fitted to lim:
// shortened without splitting a character and ended with "…", or refused
// when o.StrictLength (push.WithStrictLength). Both are trimmed first: cut
// to the limit, a text padded with white space would keep only the
// padding, which vendors refuse as blank. The vendors using it require a
// title: an empty one is replaced by Title.
func Texts(v push.Vendor, info *push.OfflinePushInfo, lim Limits, o settings.Settings) (title, desc string, err error) {
	if err := info.Validate(); err != nil {
		return "", "", err
	}
	strict := o.StrictLength
	title, err = payload.Fit(Title(info, o), lim.Title, lim.Unit, strict)
	if err != nil {
		return "", "", reject.Message(v, "Title", err.Error())
	}
	desc, err = payload.Fit(strings.TrimSpace(info.Desc), lim.Desc, lim.Unit, strict)
	if err != nil {
		return "", "", reject.Message(v, "Desc", err.Error())
	}
	return title, desc, nil
}

// Title is the title a vendor that requires one shows: the message's own
// (trimmed), else the client's default title (push.WithDefaultTitle), else
// the message's Desc, so a chat message is never refused for lacking one.
func Title(info *push.OfflinePushInfo, o settings.Settings) string {
	if t := strings.TrimSpace(info.Title); t != "" {
		return t
	}
	if t := strings.TrimSpace(o.DefaultTitle); t != "" {
		return t
	}
	return strings.TrimSpace(info.Desc)
}

// Body fits a request body into limit bytes, as measured by size after the
// title and desc it points to have been set: it shortens *desc first, then
// *title, each cut at a character boundary and ended with "…", until the
// body fits. Everything else (Ext above all) is never cut: when the body
// cannot fit with one character of each, the error names Ext. With strict
// (push.WithStrictLength) an oversize body is refused instead. what names
// what the limit counts, for the error, e.g. "the body without tokens".
func Body(v push.Vendor, limit int, what string, strict bool, title, desc *string, size func() int) error {
	n := size()
	if n <= limit {
		return nil
	}
	if strict {
		return reject.Message(v, "Title+Desc+Ext", fmt.Sprintf("make %s %d bytes; %s allows %d", what, n, v, limit))
	}
	for _, text := range []*string{desc, title} {
		if n <= limit || text == nil || *text == "" {
			continue
		}
		// The longest prefix that fits, by bisection over its byte length:
		// the encoded size grows with the prefix, and escaping makes it
		// grow unevenly (a quote or a newline costs two bytes).
		orig := *text
		set := func(keep int) int { *text = payload.Shorten(orig, keep, payload.Bytes); return size() }
		lo, hi := len(firstRune(orig))+len(payload.Ellipsis), len(orig) // set(hi) is over the limit
		if n = set(lo); n > limit {
			continue // even one character does not fit: cut the next text too
		}
		for hi-lo > 1 {
			if mid := (lo + hi) / 2; set(mid) <= limit {
				lo = mid
			} else {
				hi = mid
			}
		}
		n = set(lo)
	}
	if n > limit {
		return reject.Message(v, "Ext", fmt.Sprintf("leaves no room for the text: %s is %d bytes with Title and Desc cut to one character, %s allows %d (Ext is never cut)", what, n, v, limit))
	}
	return nil
}

func firstRune(s string) string {
	for i := range s {
		if i > 0 {
			return s[:i]
		}
	}
	return s
}

// Click returns the tap action a message gets: its own, or def (the
// certificate's Config.Click) when it has the zero ClickDefault, or "open
// the app" when both are unset.
func Click(c, def push.ClickAction) push.ClickAction {
	if c.Kind != push.ClickDefault {
		return c
	}
	if def.Kind != push.ClickDefault {
		return def
	}
	return push.ClickAction{Kind: push.ClickOpenApp}
}

// PageActivity returns the Activity class for an open-page action: Activity
// when set, else the component of Intent. Vendors that open pages by class
// name (OPPO, Meizu) use it.
func PageActivity(v push.Vendor, c push.ClickAction) (string, error) {
	if c.Activity != "" {
		return c.Activity, nil
	}
	a, err := payload.ActivityFromIntent(c.Intent)
	if err != nil {
		return "", reject.Message(v, "Click.Intent", err.Error()+" (needed for the Activity; or set Click.Activity)")
	}
	return a, nil
}

// TTL returns how long a message is kept for an offline device: its own
// TTL, else def (the certificate's Config.TTL), capped at max, the longest
// the vendor keeps one (longer is capped rather than refused, as vendors
// do themselves). Zero means neither is set: the vendor's default applies.
func TTL(msg, def, max time.Duration) time.Duration {
	ttl := msg
	if ttl == 0 {
		ttl = def
	}
	return min(ttl, max)
}

// Seconds returns d in whole seconds, rounded up so that a message is never
// kept shorter than asked: a positive d is at least 1.
func Seconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}

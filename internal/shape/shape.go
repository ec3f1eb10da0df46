// Package shape holds the first step every Android vendor's mapping shares:
// validate the message, require a title, and fit title and body to the
// vendor's limits. It lives once here rather than in each vendor package.
package shape

import (
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/payload"
)

// Limits are a vendor's title and body limits.
type Limits struct {
	Title, Desc int
	Unit        payload.Unit
}

// Texts validates info and returns its title and body fitted to lim:
// truncated without splitting a character, or refused when strict
// (push.WithStrictLength). Both are trimmed first: cut to the limit, a text
// padded with white space would keep only the padding, which vendors refuse
// as blank. The vendors using it require a title.
func Texts(v push.Vendor, info *push.OfflinePushInfo, lim Limits, strict bool) (title, desc string, err error) {
	if err := info.Validate(); err != nil {
		return "", "", err
	}
	if strings.TrimSpace(info.Title) == "" {
		return "", "", v.InvalidMessage("Title", "must not be empty ("+string(v)+" requires a title)")
	}
	title, err = payload.Fit(strings.TrimSpace(info.Title), lim.Title, lim.Unit, strict)
	if err != nil {
		return "", "", v.InvalidMessage("Title", err.Error())
	}
	desc, err = payload.Fit(strings.TrimSpace(info.Desc), lim.Desc, lim.Unit, strict)
	if err != nil {
		return "", "", v.InvalidMessage("Desc", err.Error())
	}
	return title, desc, nil
}

package push

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/offlinepush/push/internal/payload"
)

// Validate checks the vendor-neutral rules every channel shares. Vendor
// clients call it first and add their own rules (https-only URLs, size
// limits). The error names the field and the rule and unwraps to
// ErrInvalidMessage.
func (m *OfflinePushInfo) Validate() error {
	if m == nil {
		return invalidMessage("OfflinePushInfo", "must not be nil")
	}
	if strings.TrimSpace(m.Desc) == "" {
		return invalidMessage("Desc", "must not be empty (a message without Desc is not pushed)")
	}
	for _, f := range []struct{ name, val string }{{"Title", m.Title}, {"Desc", m.Desc}, {"Ext", m.Ext}, {"IOSSound", m.IOSSound}, {"CollapseID", m.CollapseID}, {"ID", m.ID}} {
		if !utf8.ValidString(f.val) {
			return invalidMessage(f.name, "must be valid UTF-8")
		}
	}
	// These travel in HTTP headers and file names (apns-collapse-id, sound).
	for _, f := range []struct{ name, val string }{{"CollapseID", m.CollapseID}, {"IOSSound", m.IOSSound}} {
		if strings.ContainsFunc(f.val, unicode.IsControl) {
			return invalidMessage(f.name, "must not contain control characters")
		}
	}
	if m.TTL < 0 {
		return invalidMessage("TTL", "must not be negative")
	}
	if m.Badge < 0 {
		return invalidMessage("Badge", "must not be negative")
	}
	return m.Click.Validate()
}

// Validate checks a click action on its own (also used for Config.Click).
func (c ClickAction) Validate() error {
	switch c.Kind {
	case ClickDefault, ClickOpenApp:
		return nil
	case ClickOpenURL:
		if err := payload.CheckURL(c.URL, false); err != nil {
			return invalidMessage("Click.URL", err.Error())
		}
	case ClickOpenPage:
		if c.Intent == "" && c.Activity == "" {
			return invalidMessage("Click", "open-page needs Intent or Activity")
		}
		if c.Intent != "" {
			if err := payload.CheckIntent(c.Intent); err != nil {
				return invalidMessage("Click.Intent", err.Error())
			}
		}
		if c.Activity != "" {
			if err := payload.CheckActivity(c.Activity); err != nil {
				return invalidMessage("Click.Activity", err.Error())
			}
		}
	default:
		return invalidMessage("Click.Kind", "must be one of ClickDefault, ClickOpenApp, ClickOpenURL, ClickOpenPage")
	}
	return nil
}

// invalidMessage names a vendor-neutral rule a message broke.
func invalidMessage(field, rule string) error {
	return &FieldError{Kind: ErrInvalidMessage, Field: field, Rule: rule}
}

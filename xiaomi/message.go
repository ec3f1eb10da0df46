package xiaomi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/form"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
)

// prepare maps info and encodes its form once, for every batch.
func (c *Client) prepare(info *push.OfflinePushInfo) (body, error) {
	fs, err := c.fields(info)
	if err != nil {
		return body{}, err
	}
	b := newBody(fs)
	b.keyed = info.ID != ""
	return b, nil
}

// field is one form field. The mapping builds a slice of them rather than
// url.Values: the push path encodes it without a map per message.
type field struct{ k, v string }

// fields maps info onto the form, sorted by key.
func (c *Client) fields(info *push.OfflinePushInfo) ([]field, error) {
	v := push.Xiaomi
	title, desc, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxDescription, Unit: unit}, c.kit.Opts)
	if err != nil {
		return nil, err
	}
	f := make([]field, 0, 16)
	f = append(f,
		field{"restricted_package_name", c.cfg.PackageName},
		field{"title", title},
		field{"description", desc},
		field{"pass_through", "0"},
		field{"notify_type", "-1"}, // sound, vibration and lights as the device allows
		field{"notify_id", strconv.Itoa(int(ids.NotifyID(info.CollapseID)))},
		field{"extra.channel_id", c.cfg.ChannelID},
		// The device shows only the first message of a jobkey, so a message
		// we (or the caller, with the same ID) send again is not shown twice.
		field{"extra.jobkey", ids.Key(info.ID, 20)},
	)
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		f = append(f, field{"time_to_live", strconv.FormatInt(ttl.Milliseconds(), 10)})
	}

	// Always send notify_effect: since 2024-09-30 a notification without one
	// only launches the home screen and its extras are lost.
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if payload.Len(click.URL, unit) > MaxExtra {
			return nil, reject.Message(v, "Click.URL", fmt.Sprintf("must be at most %d characters", MaxExtra))
		}
		f = append(f, field{"extra.notify_effect", "3"}, field{"extra.web_uri", click.URL})
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, reject.Message(v, "Click.Intent", "is required for Xiaomi open-page (extra.intent_uri)")
		}
		if payload.Len(click.Intent, unit) > MaxExtra {
			return nil, reject.Message(v, "Click.Intent", fmt.Sprintf("must be at most %d characters", MaxExtra))
		}
		f = append(f, field{"extra.notify_effect", "2"}, field{"extra.intent_uri", click.Intent})
	default:
		f = append(f, field{"extra.notify_effect", "1"})
	}
	if info.Ext != "" {
		// Ext is never cut (the app could not parse a cut one).
		if n := payload.Len(info.Ext, unit); n > MaxExtra {
			return nil, reject.Message(v, "Ext", fmt.Sprintf("is %d characters (UTF-16 units); Xiaomi allows %d per extra value (Ext is never cut)", n, MaxExtra))
		}
		f = append(f, field{"extra." + payload.ExtKey, info.Ext}) // the client reads getExtra().get("ext")
	}
	slices.SortFunc(f, func(a, b field) int { return strings.Compare(a.k, b.k) })
	return f, nil
}

// unit is how Xiaomi counts the length of a text (see the limits).
const unit = payload.UTF16

// body is a message's form encoded once, split where registration_id goes,
// so each batch only encodes its regIds. The result equals url.Values.Encode
// of the whole form (keys sorted).
type body struct {
	before, after []byte
	// keyed says extra.jobkey comes from OfflinePushInfo.ID, so a resend by
	// the caller carries the same jobkey and the device shows it once.
	keyed bool
}

func newBody(fs []field) body {
	var b body
	for _, kv := range fs {
		dst := &b.after
		if kv.k < "registration_id" {
			dst = &b.before
		}
		*dst = form.AppendEscaped(append(form.AppendEscaped(*dst, kv.k), '='), kv.v)
		*dst = append(*dst, '&')
	}
	return b
}

func (b body) with(regIDs []string) []byte {
	n := len(b.before) + len(b.after) + len("registration_id=")
	for _, id := range regIDs {
		n += len(id) + 3
	}
	buf := make([]byte, 0, n)
	buf = append(buf, b.before...)
	buf = append(buf, "registration_id="...)
	for i, id := range regIDs {
		if i > 0 {
			buf = append(buf, "%2C"...) // an escaped comma
		}
		buf = form.AppendEscaped(buf, id)
	}
	if len(b.after) > 0 {
		buf = append(buf, '&')
		buf = append(buf, b.after[:len(b.after)-1]...) // without the last '&'
	}
	return buf
}

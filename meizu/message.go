package meizu

import (
	"fmt"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/wire"
)

// message is the messageJson of a notification. Field order follows Meizu's
// documentation; numbers are ints (the HTTP doc's form; the Java SDK sends
// booleans for the on/off flags, and the sign covers whichever text is sent).
type message struct {
	NoticeBarInfo noticeBarInfo `json:"noticeBarInfo"`
	ClickTypeInfo clickTypeInfo `json:"clickTypeInfo"`
	PushTimeInfo  pushTimeInfo  `json:"pushTimeInfo"`
	AdvanceInfo   *advanceInfo  `json:"advanceInfo,omitempty"`
}

// noticeBarInfo is the notification itself.
type noticeBarInfo struct {
	NoticeMsgType int    `json:"noticeMsgType"` // 0 公信, 1 私信
	NoticeBarType int    `json:"noticeBarType"` // 0 standard
	Title         string `json:"title"`         // 1..32 characters
	Content       string `json:"content"`       // 1..100 characters
}

// Click types (clickTypeInfo.clickType). Type 3, app-defined, must not be
// used since Android 12, so this package never sends it.
const (
	ClickTypeOpenApp  = 0
	ClickTypeActivity = 1 // activity = "pkg.Activity"
	ClickTypeURL      = 2 // url = a URI or H5 page
)

// clickTypeInfo is the tap action, and Parameters the passthrough data.
type clickTypeInfo struct {
	ClickType int    `json:"clickType"`
	URL       string `json:"url,omitempty"`
	Activity  string `json:"activity,omitempty"`
	// Parameters is a JSON object ("透传参数【JSON格式】"); OfflinePushInfo.Ext
	// goes here under "ext", where the Tencent-style client reads it from
	// the opened Activity's extras.
	Parameters map[string]string `json:"parameters,omitempty"`
}

// pushTimeInfo keeps the message for an offline device.
type pushTimeInfo struct {
	OffLine   int `json:"offLine"`   // 1: keep for offline devices
	ValidTime int `json:"validTime"` // hours, 1..72
}

// advanceInfo carries the collapse key. Every other field in it is optional
// and Meizu's defaults (heads-up, clearable, vibrate, lights, sound) are
// what an IM message wants, so only notifyKey is sent.
type advanceInfo struct {
	NotifyKey string `json:"notifyKey,omitempty"`
}

// build maps info onto Meizu's messageJson (DryRun shows what it builds).
func (c *Client) build(info *push.OfflinePushInfo) (*message, error) {
	v := push.Meizu
	title, content, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxContent, Unit: payload.UTF16}, c.kit.Opts)
	if err != nil {
		return nil, err
	}
	click, err := clickInfo(shape.Click(info.Click, c.cfg.Click))
	if err != nil {
		return nil, err
	}
	if info.Ext != "" {
		click.Parameters = map[string]string{payload.ExtKey: info.Ext}
	}
	m := &message{
		NoticeBarInfo: noticeBarInfo{NoticeMsgType: c.cfg.NoticeMsgType.wire(), Title: title, Content: content},
		ClickTypeInfo: click,
		PushTimeInfo:  pushTimeInfo{OffLine: 1, ValidTime: validTime(info.TTL, c.cfg.TTL)},
	}
	if info.CollapseID != "" {
		m.AdvanceInfo = &advanceInfo{NotifyKey: notifyKey(info.CollapseID)}
	}
	return m, nil
}

// messageJSON returns the compact messageJson text for info: the exact
// bytes that are both signed and sent.
func (c *Client) messageJSON(info *push.OfflinePushInfo) (string, error) {
	m, err := c.build(info)
	if err != nil {
		return "", err
	}
	return m.json(), nil
}

// json returns m as compact JSON. HTML characters are left as they are (as
// the Java SDK writes them), so a URL reads the same on the wire.
func (m *message) json() string {
	b, _ := wire.JSON(m) // structs of strings and ints cannot fail
	return string(b)
}

// clickInfo maps a resolved click action onto clickTypeInfo.
func clickInfo(click push.ClickAction) (clickTypeInfo, error) {
	v := push.Meizu
	switch click.Kind {
	case push.ClickOpenURL:
		if len(click.URL) > MaxClickTarget {
			return clickTypeInfo{}, reject.Message(v, "Click.URL", fmt.Sprintf("is %d bytes; Meizu allows %d", len(click.URL), MaxClickTarget))
		}
		return clickTypeInfo{ClickType: ClickTypeURL, URL: click.URL}, nil
	case push.ClickOpenPage:
		act, err := shape.PageActivity(v, click)
		if err != nil {
			return clickTypeInfo{}, meizuField(err)
		}
		if len(act) > MaxClickTarget {
			return clickTypeInfo{}, reject.Message(v, "Click.Activity", fmt.Sprintf("is %d bytes; Meizu allows %d", len(act), MaxClickTarget))
		}
		return clickTypeInfo{ClickType: ClickTypeActivity, Activity: act}, nil
	}
	return clickTypeInfo{ClickType: ClickTypeOpenApp}, nil
}

// meizuField restates a vendor-neutral field error as Meizu's.
func meizuField(err error) error {
	if fe, ok := err.(*push.FieldError); ok {
		return reject.Message(push.Meizu, fe.Field, fe.Rule)
	}
	return err
}

// validTime turns a TTL into whole hours, rounded up so a message is never
// kept shorter than asked, within Meizu's 1..72.
func validTime(msg, def time.Duration) int {
	ttl := shape.TTL(msg, def, MaxValidTime*time.Hour)
	if ttl <= 0 {
		return DefaultValidTime
	}
	return int(max((ttl+time.Hour-1)/time.Hour, MinValidTime))
}

// notifyKey returns the collapse id itself when Meizu accepts it as a
// notifyKey (1..8 of [0-9a-zA-Z_-]), else an 8-hex-digit key derived from it,
// so the same collapse id always gives the same key.
func notifyKey(collapse string) string {
	if len(collapse) <= MaxNotifyKey && strings.Trim(collapse, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == "" {
		return collapse
	}
	return ids.Key(collapse, MaxNotifyKey)
}

package honor

import (
	"strconv"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/wire"
)

// Message is Honor's send body: the HMS message fields in camelCase at the
// top level (no "message" wrapper, no validate_only).
type Message struct {
	// Data is the custom payload: for a notification, the text of a JSON
	// object. It carries OfflinePushInfo.Ext as {"ext":"<ext>"}.
	Data    string   `json:"data,omitempty"`
	Android *Android `json:"android"`
	// Token lists the device tokens; it is last so a prepared body can have
	// each batch's tokens appended.
	Token []string `json:"token,omitempty"`
}

// Android is the android block.
type Android struct {
	// TTL is the offline cache time, "<seconds>s".
	TTL          string        `json:"ttl,omitempty"`
	Notification *Notification `json:"notification"`
}

// Notification is android.notification.
type Notification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// ClickAction is required for a notification.
	ClickAction ClickAction `json:"clickAction"`
	Importance  string      `json:"importance,omitempty"`
	// NotifyID identifies the notification on the device: the same id
	// replaces the shown notification.
	NotifyID int32  `json:"notifyId,omitempty"`
	Badge    *Badge `json:"badge,omitempty"`
}

// Click types.
const (
	ClickTypePage = 1 // open an app page: Intent (or Action)
	ClickTypeURL  = 2 // open an https URL
	ClickTypeApp  = 3 // open the app
)

// ClickAction is android.notification.clickAction.
type ClickAction struct {
	Type   int    `json:"type"`
	Intent string `json:"intent,omitempty"`
	URL    string `json:"url,omitempty"`
	Action string `json:"action,omitempty"`
}

// Badge is android.notification.badge.
type Badge struct {
	AddNum     int    `json:"addNum,omitempty"`
	BadgeClass string `json:"badgeClass"`
}

// Message maps info onto Honor's send body, without tokens, its title and
// body fitted to MaxBodyBytes. It is exported so tools can show the wire
// request (dry run).
func (c *Client) Message(info *push.OfflinePushInfo) (*Message, error) {
	v := push.Honor
	// Validates, and gives an empty Title the fallback (push.WithDefaultTitle,
	// else the Desc): Honor shows title and body. No field limit of its own:
	// the body bound below is what binds.
	title, body, err := shape.Texts(v, info, shape.Limits{Title: MaxBodyBytes, Desc: MaxBodyBytes, Unit: payload.Bytes}, c.opts)
	if err != nil {
		return nil, err
	}
	n := &Notification{
		Title:      title,
		Body:       body,
		Importance: c.cfg.Importance,
		NotifyID:   ids.NotifyID(info.CollapseID), // same CollapseID, same slot; else a new one
	}
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if err := payload.CheckURL(click.URL, true); err != nil {
			return nil, reject.Message(v, "Click.URL", err.Error())
		}
		n.ClickAction = ClickAction{Type: ClickTypeURL, URL: click.URL}
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, reject.Message(v, "Click.Intent", "is required for Honor open-page (clickAction.intent; Honor cannot open a page by class name)")
		}
		n.ClickAction = ClickAction{Type: ClickTypePage, Intent: click.Intent}
	default:
		n.ClickAction = ClickAction{Type: ClickTypeApp}
	}
	if info.Badge > 0 && c.cfg.BadgeClass != "" {
		n.Badge = &Badge{AddNum: min(info.Badge, MaxBadge), BadgeClass: c.cfg.BadgeClass}
	}
	m := &Message{
		// The HMS convention the Tencent-style client reads; how the Honor
		// client hands data to the Activity on tap is UNVERIFIED.
		Data:    payload.ExtJSON(info.Ext),
		Android: &Android{Notification: n},
	}
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		m.Android.TTL = strconv.FormatInt(shape.Seconds(ttl), 10) + "s"
	}
	if err := shape.Body(v, MaxBodyBytes, "the body without tokens", c.opts.StrictLength, &n.Title, &n.Body,
		func() int { b, _ := wire.JSON(m); return len(b) }); err != nil {
		return nil, err
	}
	return m, nil
}

// Body returns the exact JSON body sent for one batch of tokens.
func (c *Client) Body(info *push.OfflinePushInfo, tokens ...string) ([]byte, error) {
	head, err := c.prepare(info)
	if err != nil {
		return nil, err
	}
	return withTokens(head, tokens), nil
}

// prepare maps info (fitted to MaxBodyBytes) and encodes it once, without
// tokens; each batch then only appends its tokens.
func (c *Client) prepare(info *push.OfflinePushInfo) ([]byte, error) {
	m, err := c.Message(info)
	if err != nil {
		return nil, err
	}
	return wire.JSON(m)
}

// withTokens appends "token":[…] to an encoded Message without tokens. The
// result equals encoding the Message with Token set, because Token is its
// last field.
func withTokens(head []byte, tokens []string) []byte {
	list, _ := wire.JSON(tokens) // a string slice cannot fail
	b := make([]byte, 0, len(head)+len(list)+10)
	b = append(b, head[:len(head)-1]...)
	b = append(b, `,"token":`...)
	b = append(b, list...)
	return append(b, '}')
}

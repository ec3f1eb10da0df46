package huawei

import (
	"cmp"
	"strconv"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/wire"
)

// request is the body of POST /v1/{appId}/messages:send.
type request struct {
	// ValidateOnly asks Huawei to check the message and deliver nothing.
	ValidateOnly bool    `json:"validate_only"`
	Message      message `json:"message"`
}

// message is request.message.
type message struct {
	// Data is the JSON text {"ext":"<ext>"}. On a tap Huawei hands its keys
	// to the opened Activity as intent extras, where the Tencent-style client
	// reads getStringExtra("ext").
	Data    string         `json:"data,omitempty"`
	Android *androidConfig `json:"android"`
	Token   []string       `json:"token,omitempty"`
}

// androidConfig is message.android.
type androidConfig struct {
	Category     string               `json:"category,omitempty"`
	TTL          string               `json:"ttl,omitempty"` // "86400s"
	Notification *androidNotification `json:"notification"`
}

// androidNotification is message.android.notification.
type androidNotification struct {
	Title        string      `json:"title,omitempty"`
	Body         string      `json:"body"`
	ClickAction  clickAction `json:"click_action"` // required for notifications
	ChannelID    string      `json:"channel_id,omitempty"`
	Importance   string      `json:"importance,omitempty"`
	NotifyID     int32       `json:"notify_id"`
	Badge        *badge      `json:"badge,omitempty"`
	DefaultSound bool        `json:"default_sound"`
}

// Click action types.
const (
	ClickTypePage = 1 // intent or action
	ClickTypeURL  = 2 // https url
	ClickTypeApp  = 3 // open the app
)

// clickAction is android.notification.click_action.
type clickAction struct {
	Type   int    `json:"type"`
	Intent string `json:"intent,omitempty"`
	Action string `json:"action,omitempty"`
	URL    string `json:"url,omitempty"`
}

// badge is android.notification.badge.
type badge struct {
	AddNum int    `json:"add_num,omitempty"`
	Class  string `json:"class,omitempty"`
}

// build maps info onto Huawei's send body, without tokens; request.Body
// adds them. DryRun shows what it builds.
//
// Lengths: Huawei documents one limit, 4096 bytes for the body without the
// tokens (80300008); no per-field limit is documented (third-party tables
// disagree: 40/80, 40/1024 characters, or none), so none is applied. A body
// over the limit has its Desc, then its Title shortened with "…" until it
// fits; Ext is never cut (an Ext that cannot fit is refused, naming Ext);
// push.WithStrictLength refuses instead. An empty Title stays empty:
// Huawei shows the notification without one.
func (c *Client) build(info *push.OfflinePushInfo) (*request, error) {
	v := push.Huawei
	if err := info.Validate(); err != nil {
		return nil, err
	}
	click, err := clickOf(shape.Click(info.Click, c.cfg.Click))
	if err != nil {
		return nil, err
	}
	n := &androidNotification{
		Title:        info.Title,
		Body:         info.Desc,
		ClickAction:  click,
		ChannelID:    c.cfg.ChannelID,
		Importance:   c.cfg.Importance,
		NotifyID:     ids.NotifyID(info.CollapseID), // a new message does not replace the last
		DefaultSound: true,
	}
	if info.Badge > 0 && c.cfg.BadgeClass != "" {
		n.Badge = &badge{AddNum: min(info.Badge, MaxBadge), Class: c.cfg.BadgeClass}
	}
	req := &request{Message: message{
		Data: payload.ExtJSON(info.Ext),
		Android: &androidConfig{
			Category:     c.cfg.Category,
			TTL:          ttlString(info.TTL, c.cfg.TTL),
			Notification: n,
		},
	}}
	// Counted: everything but the token strings (an empty list is).
	size := func() int { return len(req.body(nil)) + len(`,"token":[]`) }
	if err := shape.Body(v, MaxBody, "the body without tokens", c.kit.Opts.StrictLength, &n.Title, &n.Body, size); err != nil {
		return nil, err
	}
	return req, nil
}

func clickOf(click push.ClickAction) (clickAction, error) {
	v := push.Huawei
	switch click.Kind {
	case push.ClickOpenURL:
		if err := payload.CheckURL(click.URL, true); err != nil {
			return clickAction{}, reject.Message(v, "Click.URL", err.Error()+" (Huawei opens https URLs only)")
		}
		return clickAction{Type: ClickTypeURL, URL: click.URL}, nil
	case push.ClickOpenPage:
		if click.Intent == "" {
			// type 1 also takes an Activity action string, which a class name
			// is not; an intent URI names the Activity precisely.
			return clickAction{}, reject.Message(v, "Click.Intent", "is required for Huawei open-page (click_action.intent)")
		}
		return clickAction{Type: ClickTypePage, Intent: click.Intent}, nil
	default:
		return clickAction{Type: ClickTypeApp}, nil
	}
}

// ttlString is android.ttl: always sent, DefaultTTL when neither the
// message nor the Config sets one.
func ttlString(msg, def time.Duration) string {
	ttl := shape.TTL(msg, cmp.Or(def, DefaultTTL), MaxTTL)
	return strconv.FormatInt(shape.Seconds(ttl), 10) + "s"
}

// body returns the JSON body for tokens. HTML characters are not escaped
// (Huawei counts bytes: "&" stays one byte).
func (r *request) body(tokens []string) []byte {
	cp := *r
	cp.Message.Token = tokens
	b, _ := wire.JSON(&cp) // plain structs of strings and numbers cannot fail
	return b
}

package oppo

import (
	"errors"
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/wire"
)

// message is one element of a send: the target device and its notification
// (the JSON of the unicast "message" field, or one element of the
// unicast_batch "messages" array).
type message struct {
	TargetType   int           `json:"target_type"`  // 2: registration_id
	TargetValue  string        `json:"target_value"` // the regId
	Notification *notification `json:"notification"`
}

// notification is OPPO's notification object, snake_case as the official
// SDK sends it (the web doc's camelCase sample is UNVERIFIED).
type notification struct {
	Title               string `json:"title"`
	Content             string `json:"content"`
	ClickActionType     int    `json:"click_action_type"` // 0 app, 2 URL, 4 Activity class
	ClickActionActivity string `json:"click_action_activity,omitempty"`
	ClickActionURL      string `json:"click_action_url,omitempty"`
	// ActionParameters is JSON text, handed to the opened page as Intent
	// extras: {"ext":"<Ext>"}.
	ActionParameters string `json:"action_parameters,omitempty"`
	ChannelID        string `json:"channel_id"`
	Category         string `json:"category,omitempty"`
	NotifyLevel      int    `json:"notify_level,omitempty"`
	// AppMessageID is OPPO's dedupe key: one message per key and device.
	AppMessageID string `json:"app_message_id"`
	OffLineTTL   int    `json:"off_line_ttl,omitempty"` // seconds
	NotifyID     int32  `json:"notify_id,omitempty"`    // same id replaces
}

// Click action types.
const (
	clickApp      = 0
	clickURL      = 2
	clickActivity = 4
)

// appMessageIDLen is the length of app_message_id. OPPO publishes no limit
// (UNVERIFIED); 32 hex characters is as long as a UUID without dashes.
const appMessageIDLen = 32

// notification maps info onto OPPO's notification object. With info.ID
// empty the app_message_id is random, so two calls differ.
func (c *Client) notification(info *push.OfflinePushInfo) (*notification, error) {
	v := push.OPPO
	title, content, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxContent, Unit: payload.UTF16}, c.kit.Opts)
	if err != nil {
		return nil, err
	}
	n := &notification{
		Title:     title,
		Content:   content,
		ChannelID: c.cfg.ChannelID,
		// OPPO shows a message once per app_message_id and device, so a
		// retried request, or the caller's own resend with the same ID,
		// shows nothing twice. The current doc scopes it to the target
		// ("只会对同一个目标推送一次"), so one key serves every device.
		AppMessageID: ids.Key(info.ID, appMessageIDLen),
	}
	if c.cfg.Category != CategoryNone {
		n.Category, n.NotifyLevel = c.cfg.Category, c.cfg.NotifyLevel
	}
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		n.OffLineTTL = int(shape.Seconds(ttl))
	}
	if info.CollapseID != "" {
		n.NotifyID = ids.NotifyID(info.CollapseID)
	}

	withExt := true
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if payload.Len(click.URL, payload.UTF16) > MaxClickTarget {
			return nil, reject.Message(v, "Click.URL", fmt.Sprintf("must be at most %d characters", MaxClickTarget))
		}
		n.ClickActionType, n.ClickActionURL = clickURL, click.URL
		// OPPO appends action_parameters to a URL as its query: the app
		// never sees them and the web site would receive the chat's Ext.
		withExt = false
	case push.ClickOpenPage:
		act, err := shape.PageActivity(v, click)
		if err != nil {
			var fe *push.FieldError
			if errors.As(err, &fe) {
				return nil, reject.Message(v, fe.Field, fe.Rule)
			}
			return nil, reject.Message(v, "Click", err.Error())
		}
		if err := payload.CheckActivity(act); err != nil {
			return nil, reject.Message(v, "Click.Intent", "component "+err.Error())
		}
		if payload.Len(act, payload.UTF16) > MaxClickTarget {
			return nil, reject.Message(v, "Click.Activity", fmt.Sprintf("must be at most %d characters", MaxClickTarget))
		}
		n.ClickActionType, n.ClickActionActivity = clickActivity, act
	default:
		n.ClickActionType = clickApp
	}
	if withExt && info.Ext != "" {
		// {"ext":"<Ext>"}: the Tencent-style client reads the Intent extra
		// "ext" first. (Tencent's own server spreads a JSON Ext's top-level
		// keys as separate extras instead; one key keeps any Ext text, JSON
		// or not, and the 4000 limit, predictable.)
		n.ActionParameters = payload.ExtJSON(info.Ext)
		if l := payload.Len(n.ActionParameters, payload.UTF16); l > MaxActionParameters {
			return nil, reject.Message(v, "Ext", fmt.Sprintf("is too long: carried as action_parameters it is %d characters, OPPO allows %d", l, MaxActionParameters))
		}
	}
	return n, nil
}

// encoded is the message of a Push, mapped and encoded once: one device's
// message with wire.Hole() as its regId, which each device of the Push gets
// with its own regId spliced in. A batch body repeats it for every regId.
type encoded struct {
	one wire.Splice
	n   *notification // the fallback when the text holds the hole (never in practice)
	ok  bool
}

// build maps info and encodes the message once, without HTML escaping so
// that URLs read as sent. DryRun shows what it builds.
func (c *Client) build(info *push.OfflinePushInfo) (encoded, error) {
	n, err := c.notification(info)
	if err != nil {
		return encoded{}, err
	}
	return encodedOf(n)
}

// encodedOf encodes n once, in a message to wire.Hole().
func encodedOf(n *notification) (encoded, error) {
	b, err := wire.JSON(message{TargetType: 2, TargetValue: wire.Hole(), Notification: n})
	if err != nil {
		return encoded{}, reject.Message(push.OPPO, "notification", "cannot be encoded: "+err.Error())
	}
	e := encoded{n: n}
	e.one, e.ok = wire.NewSplice(b)
	return e, nil
}

// appendMessage appends the message to regID.
func (e encoded) appendMessage(b []byte, regID string) []byte {
	if e.ok {
		return e.one.Append(b, regID)
	}
	j, _ := wire.JSON(message{TargetType: 2, TargetValue: regID, Notification: e.n})
	return append(b, j...)
}

// encode builds the JSON of one request: the path, the form key and its
// value (one message through unicast, an array through unicast_batch).
func encode(e encoded, tokens []string) (path, key string, val []byte) {
	if len(tokens) == 1 {
		return UnicastPath, "message", e.appendMessage(make([]byte, 0, e.one.Len()+len(tokens[0])+2), tokens[0])
	}
	b := make([]byte, 0, len(tokens)*(e.one.Len()+48)+2) // a regId is about 35 bytes
	b = append(b, '[')
	for i, t := range tokens {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.appendMessage(b, t)
	}
	return BatchPath, "messages", append(b, ']')
}

package oppo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/wire"
)

// Message is one element of a send: the target device and its notification
// (the JSON of the unicast "message" field, or one element of the
// unicast_batch "messages" array).
type Message struct {
	TargetType   int           `json:"target_type"`  // 2: registration_id
	TargetValue  string        `json:"target_value"` // the regId
	Notification *Notification `json:"notification"`
}

// Notification is OPPO's notification object, snake_case as the official
// SDK sends it (the web doc's camelCase sample is UNVERIFIED).
type Notification struct {
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

// Notification maps info onto OPPO's notification object. It is exported so
// tools can show the wire request (dry run). With info.ID empty the
// app_message_id is random, so two calls differ.
func (c *Client) Notification(info *push.OfflinePushInfo) (*Notification, error) {
	v := push.OPPO
	title, content, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxContent, Unit: payload.UTF16}, c.opts)
	if err != nil {
		return nil, err
	}
	n := &Notification{
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

// Form returns the path and form body of the request that sends info to
// tokens (1 to MaxTokens of them), without auth_token. It is exported so
// tools can show the wire request (dry run).
func (c *Client) Form(info *push.OfflinePushInfo, tokens ...string) (path string, form url.Values, err error) {
	if len(tokens) == 0 || len(tokens) > MaxTokens {
		return "", nil, reject.Message(push.OPPO, "tokens", fmt.Sprintf("must number 1 to %d per request", MaxTokens))
	}
	nj, err := c.notificationJSON(info)
	if err != nil {
		return "", nil, err
	}
	path, key, val := encode(nj, tokens)
	return path, url.Values{key: {string(val)}}, nil
}

// notificationJSON maps info and encodes the notification once, without
// HTML escaping so that URLs read as sent: every device's message carries
// these bytes.
func (c *Client) notificationJSON(info *push.OfflinePushInfo) ([]byte, error) {
	n, err := c.Notification(info)
	if err != nil {
		return nil, err
	}
	b, err := wire.JSON(n)
	if err != nil {
		return nil, reject.Message(push.OPPO, "notification", "cannot be encoded: "+err.Error())
	}
	return b, nil
}

// encode builds the JSON of one request from the notification's JSON
// (shared by every device, encoded once per Push): the path, the form key
// and its value.
func encode(notification []byte, tokens []string) (path, key string, val []byte) {
	one := func(b []byte, token string) []byte {
		b = append(b, `{"target_type":2,"target_value":`...)
		b = appendString(b, token)
		b = append(b, `,"notification":`...)
		b = append(b, notification...)
		return append(b, '}')
	}
	if len(tokens) == 1 {
		return UnicastPath, "message", one(make([]byte, 0, len(notification)+96), tokens[0])
	}
	b := make([]byte, 0, len(tokens)*(len(notification)+96))
	b = append(b, '[')
	for i, t := range tokens {
		if i > 0 {
			b = append(b, ',')
		}
		b = one(b, t)
	}
	return BatchPath, "messages", append(b, ']')
}

// appendString appends token as a JSON string. regIds are plain ASCII, so
// the quoting is usually a copy.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string cannot fail
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

package vivo

import (
	"fmt"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
)

// message is vivo's notification: the body of /message/send (with RegID)
// and /message/saveListPayload (without). Field order follows the SDK.
type message struct {
	AppID       int64  `json:"appId"`
	RegID       string `json:"regId,omitempty"`
	NotifyType  int    `json:"notifyType"`
	Title       string `json:"title"`
	Content     string `json:"content"`
	TimeToLive  int    `json:"timeToLive,omitempty"` // seconds; omitted: vivo's default
	SkipType    int    `json:"skipType"`             // 1 open app, 2 URL, 4 intent URI
	SkipContent string `json:"skipContent,omitempty"`
	NetworkType int    `json:"networkType"` // -1: any network
	// ClientCustomMap carries Ext under "ext", where the app reads it
	// (UPSNotificationMessage.getParams().get("ext")).
	ClientCustomMap map[string]string `json:"clientCustomMap,omitempty"`
	// Classification is always sent: sources disagree on its default.
	Classification int    `json:"classification"`
	Category       string `json:"category,omitempty"`
	// NotifyID, when set, makes this notification replace an earlier one
	// with the same id (from OfflinePushInfo.CollapseID).
	NotifyID  int32  `json:"notifyId,omitempty"`
	RequestID string `json:"requestId"`
	PushMode  int    `json:"pushMode"`
}

// listRequest is the body of /message/pushToList.
type listRequest struct {
	AppID     int64    `json:"appId"`
	RegIDs    []string `json:"regIds"`
	TaskID    string   `json:"taskId"`
	RequestID string   `json:"requestId"`
	PushMode  int      `json:"pushMode"`
}

// message maps info onto vivo's notification, without regId and requestId
// (Push sets them per request, and raises timeToLive to MinListTTL for list
// pushes). DryRun shows the requests made of it.
func (c *Client) message(info *push.OfflinePushInfo) (*message, error) {
	v := push.Vivo
	title, content, err := shape.Texts(v, info, shape.Limits{Title: MaxTitle, Desc: MaxContent, Unit: payload.UTF16}, c.kit.Opts)
	if err != nil {
		return nil, err
	}
	m := &message{
		AppID:          c.appID,
		NotifyType:     int(c.cfg.NotifyType),
		Title:          title,
		Content:        content,
		NetworkType:    -1,
		Classification: c.classification,
		Category:       c.cfg.Category,
		PushMode:       int(c.cfg.PushMode),
	}
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		m.TimeToLive = int(max(shape.Seconds(ttl), int64(MinTTL/time.Second)))
	}
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if n := payload.Len(click.URL, payload.Runes); n > MaxURL {
			return nil, reject.Message(v, "Click.URL", fmt.Sprintf("is %d characters; vivo allows %d", n, MaxURL))
		}
		m.SkipType, m.SkipContent = 2, click.URL
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, reject.Message(v, "Click.Intent", "is required for open-page: vivo opens app pages by intent URI (skipType 4)")
		}
		if n := payload.Len(click.Intent, payload.Runes); n > MaxIntent {
			return nil, reject.Message(v, "Click.Intent", fmt.Sprintf("is %d characters; vivo allows %d", n, MaxIntent))
		}
		m.SkipType, m.SkipContent = 4, click.Intent
	default:
		m.SkipType = 1
	}
	if info.Ext != "" {
		// ≤10 pairs, and keys plus values ≤1024 characters in all.
		if n := len(payload.ExtKey) + payload.Len(info.Ext, payload.Runes); n > MaxCustom {
			return nil, reject.Message(v, "Ext", fmt.Sprintf("is %d characters; vivo allows %d for clientCustomMap keys and values together", n-len(payload.ExtKey), MaxCustom-len(payload.ExtKey)))
		}
		m.ClientCustomMap = payload.ExtMap(info.Ext)
	}
	if info.CollapseID != "" {
		m.NotifyID = ids.NotifyID(info.CollapseID)
	}
	return m, nil
}

package harmony

import (
	"cmp"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/wire"
)

// request is the body of POST /v3/{projectId}/messages:send.
type request struct {
	Payload     alertPayload `json:"payload"`
	Target      target       `json:"target"`
	PushOptions *pushOptions `json:"pushOptions,omitempty"`
}

// alertPayload is request.payload: the AlertPayload (push-type 0) or ExtensionPayload (2).
type alertPayload struct {
	Notification *notification `json:"notification"`
	// ExtraData is handed to the app's notification extension (push-type 2).
	ExtraData string `json:"extraData,omitempty"`
}

// notification is payload.notification.
type notification struct {
	Category    string      `json:"category"`
	Title       string      `json:"title"`
	Body        string      `json:"body"`
	ClickAction clickAction `json:"clickAction"`
	NotifyID    int32       `json:"notifyId"`
	Badge       *badge      `json:"badge,omitempty"`
}

// Click action types of clickAction.actionType.
const (
	ActionOpenApp  = 0 // the app's home page
	ActionOpenPage = 1 // an ability found by action and/or uri
)

// clickAction is payload.notification.clickAction.
type clickAction struct {
	ActionType int    `json:"actionType"`
	Action     string `json:"action,omitempty"`
	URI        string `json:"uri,omitempty"`
	// Data is handed to the opened ability in its Want parameters; the
	// Tencent-style client reads "ext" there.
	Data map[string]string `json:"data,omitempty"`
}

// badge is payload.notification.badge.
type badge struct {
	AddNum int `json:"addNum,omitempty"`
}

// target is request.target.
type target struct {
	Token []string `json:"token"`
}

// pushOptions is request.pushOptions.
type pushOptions struct {
	TTL int64 `json:"ttl,omitempty"` // seconds
}

// build maps info onto the v3 send body, without tokens; request.body adds
// them. DryRun shows what it builds.
//
// Title: HarmonyOS requires one (the official server SDK refuses a
// notification without it), so an empty Title becomes shape.Title: the
// client's push.WithDefaultTitle, else the Desc.
//
// Lengths: Huawei documents one limit, 4096 bytes for the body without the
// tokens (80300008); no per-field limit is documented, so none is applied.
// A body over the limit has its Desc, then its Title shortened with "…"
// until it fits (a title taken from the Desc is shortened first, since the
// body carries the same text); Ext is never cut (an Ext that cannot fit is
// refused, naming Ext); push.WithStrictLength refuses instead.
func (c *Client) build(info *push.OfflinePushInfo) (*request, error) {
	v := push.Harmony
	if err := info.Validate(); err != nil {
		return nil, err
	}
	click, err := clickOf(shape.Click(info.Click, c.cfg.Click), info.Ext)
	if err != nil {
		return nil, err
	}
	title, fromDesc := info.Title, false
	if strings.TrimSpace(title) == "" {
		title = shape.Title(info, c.kit.Opts)
		fromDesc = strings.TrimSpace(c.kit.Opts.DefaultTitle) == ""
	}
	n := &notification{
		Category:    c.cfg.Category,
		Title:       title,
		Body:        info.Desc,
		ClickAction: click,
		NotifyID:    ids.NotifyID(info.CollapseID), // a new message does not replace the last
	}
	if info.Badge > 0 {
		n.Badge = &badge{AddNum: min(info.Badge, MaxBadge)}
	}
	req := &request{Payload: alertPayload{Notification: n}, PushOptions: &pushOptions{
		TTL: shape.Seconds(shape.TTL(info.TTL, cmp.Or(c.cfg.TTL, DefaultTTL), MaxTTL)), // always sent: DefaultTTL without one
	}}
	if c.cfg.PushType == PushTypeExtension {
		req.Payload.ExtraData = info.Ext
	}
	size := func() int { return len(req.body(nil)) } // the body with an empty token list
	cutFirst, cutThen := &n.Body, &n.Title
	if fromDesc {
		cutFirst, cutThen = &n.Title, &n.Body
	}
	// shape.Body shortens its desc argument (cutFirst) before its title one.
	if err := shape.Body(v, MaxBody, "the body without tokens", c.kit.Opts.StrictLength, cutThen, cutFirst, size); err != nil {
		return nil, err
	}
	return req, nil
}

// clickOf maps a click. HarmonyOS has no Android intents and no
// open-URL action, so:
//   - open app: actionType 0.
//   - open URL: actionType 1 with uri = the https URL: the Want then opens
//     the app's ability whose skills declare that URL (App Linking), the
//     way Huawei's own sample passes an https uri. The app must declare it;
//     the browser is not a target. http is refused, as for Huawei.
//   - open page: actionType 1 with action = Click.Activity (put the target
//     ability's skill action there) and/or uri = the data URI the intent
//     carries ("intent://chat/1#Intent;scheme=myapp;end" gives
//     "myapp://chat/1"). An intent with only a component= names an Android
//     class, which HarmonyOS cannot open, and is refused.
//
// ext goes to clickAction.data as {"ext": ext}.
func clickOf(click push.ClickAction, ext string) (clickAction, error) {
	v := push.Harmony
	ca := clickAction{ActionType: ActionOpenApp, Data: payload.ExtMap(ext)}
	switch click.Kind {
	case push.ClickOpenURL:
		if err := payload.CheckURL(click.URL, true); err != nil {
			return clickAction{}, reject.Message(v, "Click.URL", err.Error()+" (HarmonyOS opens https URLs only)")
		}
		ca.ActionType, ca.URI = ActionOpenPage, click.URL
	case push.ClickOpenPage:
		ca.ActionType, ca.Action = ActionOpenPage, click.Activity
		if click.Intent != "" {
			ca.URI = intentDataURI(click.Intent)
		}
		if ca.Action == "" && ca.URI == "" {
			return clickAction{}, reject.Message(v, "Click.Intent", "has no data URI for HarmonyOS (use intent://host/path#Intent;scheme=…;end, or set Click.Activity to the ability's skill action)")
		}
	}
	return ca, nil
}

// intentDataURI returns the data URI of an Android intent URI, or "".
func intentDataURI(intent string) string {
	head, params, ok := strings.Cut(intent, "#Intent;")
	if !ok {
		return ""
	}
	rest, isIntent := strings.CutPrefix(head, "intent:")
	if !isIntent {
		return head // "myapp://chat/1#Intent;…;end": the data URI is the head
	}
	if !strings.HasPrefix(rest, "//") || len(rest) <= 2 {
		return "" // "intent:#Intent;…": no data
	}
	scheme := ""
	for _, p := range strings.Split(params, ";") {
		if s, ok := strings.CutPrefix(p, "scheme="); ok {
			scheme = s
		}
	}
	if scheme == "" {
		return ""
	}
	return scheme + ":" + rest
}

// body returns the JSON body for tokens. HTML characters are not escaped
// (Huawei counts bytes: "&" stays one byte).
func (r *request) body(tokens []string) []byte {
	cp := *r
	cp.Target.Token = tokens
	if cp.Target.Token == nil {
		cp.Target.Token = []string{}
	}
	b, _ := wire.JSON(&cp) // plain structs of strings and numbers cannot fail
	return b
}

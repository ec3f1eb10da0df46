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

// message is Honor's send body: the HMS message fields in camelCase at the
// top level (no "message" wrapper, no validate_only).
type message struct {
	// Data is the custom payload: for a notification, the text of a JSON
	// object. It carries OfflinePushInfo.Ext as {"ext":"<ext>"}.
	Data    string   `json:"data,omitempty"`
	Android *android `json:"android"`
	// Token lists the device tokens: one batch's, spliced into the message
	// encoded once (prepare, body).
	Token []string `json:"token,omitempty"`
}

// android is the android block.
type android struct {
	// TTL is the offline cache time, "<seconds>s".
	TTL          string        `json:"ttl,omitempty"`
	Notification *notification `json:"notification"`
}

// notification is android.notification.
type notification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// ClickAction is required for a notification.
	ClickAction clickAction `json:"clickAction"`
	Importance  string      `json:"importance,omitempty"`
	// NotifyID identifies the notification on the device: the same id
	// replaces the shown notification.
	NotifyID int32  `json:"notifyId,omitempty"`
	Badge    *badge `json:"badge,omitempty"`
}

// Click types.
const (
	ClickTypePage = 1 // open an app page: Intent (or Action)
	ClickTypeURL  = 2 // open an https URL
	ClickTypeApp  = 3 // open the app
)

// clickAction is android.notification.clickAction.
type clickAction struct {
	Type   int    `json:"type"`
	Intent string `json:"intent,omitempty"`
	URL    string `json:"url,omitempty"`
	Action string `json:"action,omitempty"`
}

// badge is android.notification.badge.
type badge struct {
	AddNum     int    `json:"addNum,omitempty"`
	BadgeClass string `json:"badgeClass"`
}

// build maps info onto Honor's send body, without tokens, its title and
// body fitted to MaxBodyBytes. DryRun shows what it builds. holed is the
// message encoded with wire.Hole as its token list, the encoding the fitting
// measured last (so a Push encodes its message once); prepare cuts it.
func (c *Client) build(info *push.OfflinePushInfo) (m *message, holed []byte, err error) {
	v := push.Honor
	// Validates, and gives an empty Title the fallback (push.WithDefaultTitle,
	// else the Desc): Honor shows title and body. No field limit of its own:
	// the body bound below is what binds.
	title, body, err := shape.Texts(v, info, shape.Limits{Title: MaxBodyBytes, Desc: MaxBodyBytes, Unit: payload.Bytes}, c.kit.Opts)
	if err != nil {
		return nil, nil, err
	}
	n := &notification{
		Title:      title,
		Body:       body,
		Importance: c.cfg.Importance,
		NotifyID:   ids.NotifyID(info.CollapseID), // same CollapseID, same slot; else a new one
	}
	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if err := payload.CheckURL(click.URL, true); err != nil {
			return nil, nil, reject.Message(v, "Click.URL", err.Error())
		}
		n.ClickAction = clickAction{Type: ClickTypeURL, URL: click.URL}
	case push.ClickOpenPage:
		if click.Intent == "" {
			return nil, nil, reject.Message(v, "Click.Intent", "is required for Honor open-page (clickAction.intent; Honor cannot open a page by class name)")
		}
		n.ClickAction = clickAction{Type: ClickTypePage, Intent: click.Intent}
	default:
		n.ClickAction = clickAction{Type: ClickTypeApp}
	}
	if info.Badge > 0 && c.cfg.BadgeClass != "" {
		n.Badge = &badge{AddNum: min(info.Badge, MaxBadge), BadgeClass: c.cfg.BadgeClass}
	}
	m = &message{
		// The HMS convention the Tencent-style client reads; how the Honor
		// client hands data to the Activity on tap is UNVERIFIED.
		Data:    payload.ExtJSON(info.Ext),
		Android: &android{Notification: n},
	}
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		m.Android.TTL = strconv.FormatInt(shape.Seconds(ttl), 10) + "s"
	}
	// The size counted is the body without its token field; Token is the
	// last field, so that is the holed encoding less the field.
	m.Token = []string{wire.Hole()}
	field := len(`,"token":["` + wire.Hole() + `"]`)
	var holedTitle, holedBody string // the texts holed was encoded with
	size := func() int {
		holed, _ = wire.JSON(m) // plain structs of strings and numbers cannot fail
		holedTitle, holedBody = n.Title, n.Body
		return len(holed) - field
	}
	if err := shape.Body(v, MaxBodyBytes, "the body without tokens", c.kit.Opts.StrictLength, &n.Title, &n.Body, size); err != nil {
		return nil, nil, err
	}
	if n.Title != holedTitle || n.Body != holedBody { // shape.Body measures the texts it keeps last; in case not
		size()
	}
	m.Token = nil
	return m, holed, nil
}

// prepare maps info (fitted to MaxBodyBytes) and encodes it once, with
// wire.Hole for the token list; each batch then only splices its tokens in
// (body).
func (c *Client) prepare(info *push.OfflinePushInfo) (wire.Splice, error) {
	_, holed, err := c.build(info)
	if err != nil {
		return wire.Splice{}, err
	}
	sp, ok := wire.NewSplice(holed)
	if !ok { // only a text quoting this process's random wire.Hole
		return wire.Splice{}, reject.Message(push.Honor, "OfflinePushInfo", "holds the token placeholder of this process")
	}
	return sp, nil
}

// body is the exact JSON body sent for one batch: the prepared message
// with tokens in its token list, byte for byte what encoding the message
// with Token set gives.
func body(sp wire.Splice, tokens []string) []byte {
	n := sp.Len()
	for _, t := range tokens {
		n += len(t) + 3 // quotes and comma; an escape only grows the slice
	}
	return sp.Append(make([]byte, 0, n), tokens...)
}

package apns

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/ids"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/wire"
)

// NoSound is the IOSSound value that asks for a silent alert (Tencent IM's
// IOS_OFFLINE_PUSH_NO_SOUND). The payload then carries no "sound" key: sent
// as a file name the app does not bundle, iOS would play the default sound.
const NoSound = "push.no_sound"

// DefaultSound is the sound sent when IOSSound is empty.
const DefaultSound = "default"

// Top-level payload keys beside "aps".
const (
	ExtKey = "ext" // OfflinePushInfo.Ext, read by the client as userInfo["ext"]
	URLKey = "url" // Click.URL of a ClickOpenURL action, for the app to open
)

// Wire structs: the JSON payload of an alert push. Field order follows
// Apple's examples; zero values are left out.
type (
	// payload is the whole body: the aps dictionary and custom keys.
	payload struct {
		APS aps    `json:"aps"`
		Ext string `json:"ext,omitempty"` // OfflinePushInfo.Ext (ExtKey)
		URL string `json:"url,omitempty"` // ClickOpenURL's URL (URLKey)
	}
	// aps is the dictionary iOS reads to show the notification.
	aps struct {
		Alert          alert  `json:"alert"`
		Sound          string `json:"sound,omitempty"`
		Badge          int    `json:"badge,omitempty"`
		MutableContent int    `json:"mutable-content,omitempty"`
	}
	// alert is the text shown.
	alert struct {
		Title string `json:"title,omitempty"`
		Body  string `json:"body"`
	}
)

// notification is the wire form of one message, the same for every device
// token: the JSON payload and the apns-* headers (without authorization and
// the per-token apns-id).
type notification struct {
	Header  http.Header
	Payload []byte
	id      string // OfflinePushInfo.ID, for the per-token apns-id
}

// build maps info onto APNs headers and payload, the same for every token;
// DryRun shows what it builds. The payload is fitted into MaxPayload here
// (see fit), before anything is sent.
func (c *Client) build(info *push.OfflinePushInfo) (*notification, error) {
	v := push.APNs
	if err := info.Validate(); err != nil {
		return nil, err
	}
	if len(info.CollapseID) > MaxCollapseID {
		return nil, reject.Message(v, "CollapseID", fmt.Sprintf("is %d bytes; apns-collapse-id allows %d", len(info.CollapseID), MaxCollapseID))
	}
	// It is sent as a header value, where a control character cannot go:
	// net/http would refuse the request, reported as a temporary failure
	// (fuzz finding).
	if strings.ContainsFunc(info.CollapseID, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, reject.Message(v, "CollapseID", "must not contain control characters (it is the apns-collapse-id header)")
	}
	p := payload{
		APS: aps{
			Alert: alert{Title: info.Title, Body: info.Desc},
			Sound: soundOf(info.IOSSound),
			Badge: info.Badge,
		},
		Ext: info.Ext,
	}
	if c.cfg.MutableContent {
		p.APS.MutableContent = 1
	}
	// iOS opens the app on a tap whatever the server says; a URL is handed
	// to the app to open, an Android page cannot be expressed.
	if click := shape.Click(info.Click, c.cfg.Click); click.Kind == push.ClickOpenURL {
		p.URL = click.URL
	}
	body, err := c.fit(&p)
	if err != nil {
		return nil, err
	}

	h := maps.Clone(c.headers)
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		// 0 would mean "deliver now or never" and lose the message for an
		// offline device, so no TTL sends no header (APNs stores it).
		exp := c.now().Add(ttl)
		s := exp.Unix()
		if exp.Nanosecond() > 0 {
			s++ // never expire before the TTL asked for
		}
		h["Apns-Expiration"] = []string{strconv.FormatInt(s, 10)}
	}
	if info.CollapseID != "" {
		h["Apns-Collapse-Id"] = []string{info.CollapseID}
	}
	return &notification{Header: h, Payload: body, id: info.ID}, nil
}

// fit encodes p within MaxPayload. Over it, the alert body and then the
// title are shortened as little as needed, each cut at a character boundary
// and ended with "…" (textfit, by shape.Body's rule), so a long chat message
// still reaches the phone; Ext,
// Click.URL and the rest are never cut, and a payload they leave no room in
// is refused naming the bigger of them. WithStrictLength refuses any
// oversize payload instead.
func (c *Client) fit(p *payload) ([]byte, error) {
	v := push.APNs
	var body []byte
	var encErr error
	size := func() int { // encodes p into body, "<", ">" and "&" as is: smaller, and what the user wrote
		body, encErr = wire.JSON(p)
		return len(body)
	}
	if size() > MaxPayload { // else, the usual case, it is encoded once
		// The shared rule: the body, then the title, shortened as little as
		// needed; strict refuses; what the texts leave no room for is named.
		if err := shape.Body(v, MaxPayload, "the APNs payload", c.kit.Opts.StrictLength, &p.APS.Alert.Title, &p.APS.Alert.Body, size); err != nil {
			// shape.Body blames Ext; here Click.URL is the other part that
			// is never cut.
			var fe *push.FieldError
			if errors.As(err, &fe) && fe.Field == "Ext" && len(p.URL) > len(p.Ext) {
				return nil, reject.Message(v, "Click.URL", fmt.Sprintf("leaves no room for the text: the APNs payload is %d bytes "+
					"with Title and Desc cut to one character, the limit is %d (Click.URL is never cut)", len(body), MaxPayload))
			}
			return nil, err
		}
	}
	if encErr != nil {
		return nil, reject.Message(v, "OfflinePushInfo", "cannot be encoded as JSON: "+encErr.Error())
	}
	return body, nil
}

func soundOf(s string) string {
	switch s {
	case "":
		return DefaultSound
	case NoSound:
		return ""
	}
	return s
}

// messageID returns the apns-id for one token: derived from the caller's
// message ID and the token, so a resend of the same message to the same
// device carries the same id (Apple echoes it back; it does not dedupe).
// Without an ID none is sent and APNs makes one.
func messageID(id, token string) string {
	if id == "" {
		return ""
	}
	k := []byte(ids.Key(id+"\x00"+token, 32))
	k[12] = '8'                                           // UUID version 8 (custom)
	k[16] = "89ab"[strings.IndexByte(hexDigits, k[16])&3] // RFC 9562 variant
	s := string(k)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

const hexDigits = "0123456789abcdef"

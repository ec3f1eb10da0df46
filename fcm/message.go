package fcm

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/reject"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/internal/wire"
)

// Custom keys of the data map (and of the APNs payload, where the iOS
// client finds them as userInfo keys).
const (
	// ExtKey carries OfflinePushInfo.Ext.
	ExtKey = payload.ExtKey
	// URLKey carries the URL of a ClickOpenURL action. FCM has no "open this
	// URL" tap action for Android or iOS (only webpush has fcm_options.link),
	// so the notification opens the app, which finds the URL under this key
	// in its launch intent's extras (iOS: userInfo).
	URLKey = "url"
)

// sendRequest is the body of messages:send.
type sendRequest struct {
	// ValidateOnly asks FCM to check the message without delivering it.
	ValidateOnly bool     `json:"validate_only,omitempty"`
	Message      *message `json:"message"`
}

// message is the v1 Message, with the fields an IM server uses.
type message struct {
	// Token is the device registration token: the one target.
	Token        string            `json:"token,omitempty"`
	Notification *notification     `json:"notification,omitempty"`
	Data         map[string]string `json:"data,omitempty"` // string values only
	Android      *androidConfig    `json:"android,omitempty"`
	APNS         *apnsConfig       `json:"apns,omitempty"`
}

// notification is shown by every platform.
type notification struct {
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
}

// androidConfig is the android block.
type androidConfig struct {
	// CollapseKey makes FCM keep only the newest of a group while the
	// device is offline.
	CollapseKey  string               `json:"collapse_key,omitempty"`
	Priority     string               `json:"priority,omitempty"`
	TTL          string               `json:"ttl,omitempty"` // protobuf Duration, "3600s"
	Notification *androidNotification `json:"notification,omitempty"`
}

// androidNotification is android.notification.
type androidNotification struct {
	ChannelID string `json:"channel_id,omitempty"`
	Sound     string `json:"sound,omitempty"`
	// ClickAction is the intent-filter action the tap launches.
	ClickAction string `json:"click_action,omitempty"`
	// Tag makes a later notification with the same tag replace this one.
	Tag string `json:"tag,omitempty"`
}

// apnsConfig is the apns block: APNs headers and payload for iOS devices.
type apnsConfig struct {
	Headers map[string]string `json:"headers,omitempty"`
	Payload *apnsPayload      `json:"payload,omitempty"`
}

// apnsPayload is the APNs payload: aps plus the custom keys the iOS client
// reads from userInfo.
type apnsPayload struct {
	Aps aps    `json:"aps"`
	Ext string `json:"ext,omitempty"`
	URL string `json:"url,omitempty"`
}

// aps is the aps dictionary. FCM fills aps.alert from the notification.
type aps struct {
	Sound string `json:"sound,omitempty"`
	Badge *int   `json:"badge,omitempty"`
}

// NoSound is the IOSSound value (Tencent IM's constant) for an iOS
// notification without sound. An empty IOSSound plays the default sound.
const NoSound = "push.no_sound"

// wireMessage maps info onto the v1 Message, without the token. Push sends
// exactly this, one copy per token (build encodes it once; DryRun shows it).
func (c *Client) wireMessage(info *push.OfflinePushInfo) (*message, error) {
	v := push.FCM
	if err := info.Validate(); err != nil {
		return nil, err
	}
	// The message and its blocks in one allocation instead of seven: they
	// are built on every push and live exactly as long as each other.
	blk := new(struct {
		m     message
		n     notification
		a     androidConfig
		an    androidNotification
		apns  apnsConfig
		ap    apnsPayload
		badge int
	})
	m, an, ap := &blk.m, &blk.an, &blk.ap
	blk.n = notification{Title: info.Title, Body: info.Desc}
	*an = androidNotification{ChannelID: c.cfg.ChannelID, Sound: "default"}
	blk.a = androidConfig{Priority: c.cfg.Priority, Notification: an}
	ap.Ext = info.Ext
	blk.apns = apnsConfig{
		Headers: map[string]string{"apns-priority": "10", "apns-push-type": "alert"},
		Payload: ap,
	}
	*m = message{Notification: &blk.n, Data: payload.ExtMap(info.Ext), Android: &blk.a, APNS: &blk.apns}

	// TTL: zero keeps FCM's default (four weeks), the rest is capped there.
	if ttl := shape.TTL(info.TTL, c.cfg.TTL, MaxTTL); ttl > 0 {
		m.Android.TTL = protoDuration(ttl)
		// APNs has no TTL, only an expiry time.
		m.APNS.Headers["apns-expiration"] = strconv.FormatInt(c.now().Add(ttl).Unix(), 10)
	}
	if id := info.CollapseID; id != "" {
		if len(id) > MaxCollapseID {
			return nil, reject.Message(v, "CollapseID", fmt.Sprintf("must be at most %d bytes (apns-collapse-id)", MaxCollapseID))
		}
		m.Android.CollapseKey = id // offline: keep only the newest
		an.Tag = id                // shown: the newest replaces the old
		m.APNS.Headers["apns-collapse-id"] = id
	}

	switch info.IOSSound {
	case "":
		ap.Aps.Sound = "default"
	case NoSound:
	default:
		ap.Aps.Sound = info.IOSSound
	}
	if info.Badge > 0 {
		blk.badge = info.Badge
		ap.Aps.Badge = &blk.badge
	}

	switch click := shape.Click(info.Click, c.cfg.Click); click.Kind {
	case push.ClickOpenURL:
		if m.Data == nil {
			m.Data = map[string]string{}
		}
		m.Data[URLKey] = click.URL
		ap.URL = click.URL
	case push.ClickOpenPage:
		a, err := clickAction(click)
		if err != nil {
			return nil, err
		}
		an.ClickAction = a
	}

	if err := c.fit(m); err != nil {
		return nil, err
	}
	return m, nil
}

// clickAction returns the intent-filter action of an open-page click: the
// action= of its intent URI. FCM launches a page by action, not by class.
func clickAction(click push.ClickAction) (string, error) {
	v := push.FCM
	if click.Intent == "" {
		return "", reject.Message(v, "Click.Intent", "is required for FCM open-page: FCM opens a page by its intent-filter action (click_action), taken from the intent's action=")
	}
	i := strings.Index(click.Intent, "#Intent;")
	if i >= 0 {
		for part := range strings.SplitSeq(click.Intent[i+len("#Intent;"):], ";") {
			if a, ok := strings.CutPrefix(part, "action="); ok && a != "" {
				if dec, err := url.PathUnescape(a); err == nil {
					a = dec
				}
				return a, nil
			}
		}
	}
	return "", reject.Message(v, "Click.Intent", "needs an action=… entry: FCM opens a page by its intent-filter action (click_action)")
}

// protoDuration formats d as a protobuf Duration in JSON: whole seconds, or 3,
// 6 or 9 fractional digits ("86400s", "1.500s").
func protoDuration(d time.Duration) string {
	s, ns := int64(d/time.Second), int64(d%time.Second)
	if ns == 0 { // the usual case, in one allocation
		var buf [24]byte
		return string(append(strconv.AppendInt(buf[:0], s, 10), 's'))
	}
	frac := fmt.Sprintf("%09d", ns)
	switch {
	case ns%1e6 == 0:
		frac = frac[:3]
	case ns%1e3 == 0:
		frac = frac[:6]
	}
	return strconv.FormatInt(s, 10) + "." + frac + "s"
}

// fit keeps the message within MaxPayload, as FCM counts it (title, body,
// and data keys and values) and as APNs counts the payload FCM builds from
// it. Over the limit the body and then the title are shortened as little as
// needed, at a character boundary and ended with "…" (shape.Body), so a
// long chat message
// still reaches the phone; the data (Ext, Click.URL) is never cut, and a
// message it leaves no room in is refused naming the bigger of them. With
// WithStrictLength an oversize message is refused instead.
func (c *Client) fit(m *message) error {
	v := push.FCM
	size := func() int { return max(fcmSize(m), apnsSize(m)) }
	n := m.Notification
	if size() <= MaxPayload { // the usual case: measured once
		return nil
	}
	// The shared rule: the body, then the title, shortened as little as
	// needed; strict refuses; what the texts leave no room for is named.
	err := shape.Body(v, MaxPayload, "the message (title, body and data, keys and values; and the APNs payload)",
		c.kit.Opts.StrictLength, &n.Title, &n.Body, size)
	var fe *push.FieldError
	if url := m.Data[URLKey]; errors.As(err, &fe) && fe.Field == "Ext" && len(url) > len(m.Data[ExtKey]) {
		// shape.Body blames Ext; here Click.URL is the other part that is
		// never cut.
		return reject.Message(v, "Click.URL", fmt.Sprintf("leaves no room for the text: the message is %d bytes with Title "+
			"and Desc cut to one character, FCM allows %d (Click.URL is never cut)", size(), MaxPayload))
	}
	return err
}

func fcmSize(m *message) int {
	n := 0
	if m.Notification.Title != "" {
		n += len("title") + len(m.Notification.Title)
	}
	n += len("body") + len(m.Notification.Body)
	for k, v := range m.Data {
		n += len(k) + len(v)
	}
	return n
}

// apnsSize estimates the APNs payload FCM sends: ours plus the alert.
func apnsSize(m *message) int {
	var buf [1024]byte // a usual payload is measured without allocating
	return len(appendAPNSPayload(buf[:0], m.APNS.Payload, m.Notification))
}

// template is a message's request body encoded once with a hole for the
// token (wire.Splice): each request's body is the template with its one
// token spliced in, the bytes json.Marshal gives sendRequest{Message: m}
// with m.Token set.
type template struct {
	m  *message // without a token; for a token the splice cannot write
	s  wire.Splice
	ok bool // s holds the one hole (no message text imitates it)
}

// newTemplate encodes m, which has no token.
func newTemplate(m *message) template {
	mm := *m
	mm.Token = wire.Hole()
	// One allocation for a usual message: keys, punctuation and the short
	// values (a collapse id of up to 64 bytes three times) take under 768
	// bytes, and twice fcmSize covers ext and url, which appear twice, with
	// ext's quotes escaped.
	enc := appendRequest(make([]byte, 0, 768+len(wire.Hole())+2*fcmSize(m)), &sendRequest{Message: &mm})
	s, ok := wire.NewSplice(enc)
	return template{m: m, s: s, ok: ok}
}

// body returns the request body for one token.
func (t template) body(token string) []byte {
	if !t.ok || !spliceable(token) {
		mm := *t.m
		mm.Token = token
		return appendRequest(nil, &sendRequest{Message: &mm})
	}
	return t.s.Append(make([]byte, 0, t.s.Len()+len(token)+2), token)
}

// spliceable reports whether the splice writes token as json.Marshal does:
// the splice leaves <, > and & as they are, and U+2028 and U+2029 (0xE2
// leads both), which json.Marshal escapes. A registration token has none.
func spliceable(token string) bool {
	// four vectorized scans: a token is usually 150 bytes and more
	return strings.IndexByte(token, '<') < 0 && strings.IndexByte(token, '>') < 0 &&
		strings.IndexByte(token, '&') < 0 && strings.IndexByte(token, 0xE2) < 0
}

// A hand-written encoder for the wire structs. encoding/json reaches the
// data and apns.headers maps through reflection, copying every key and value
// out to the heap: most of a push's allocations. These functions produce
// exactly json.Marshal's bytes (field order, omitempty, sorted map keys,
// HTML-safe escaping); TestEncodeMatchesJSON, TestEncodeFilledStructs
// (every field, by wiretest.Fill) and FuzzEncode hold them to it.

// appendRequest appends r as json.Marshal(r) would.
func appendRequest(b []byte, r *sendRequest) []byte {
	b = append(b, '{')
	o := len(b)
	if r.ValidateOnly {
		b = append(wire.Key(b, o, "validate_only"), "true"...)
	}
	b = wire.Key(b, o, "message")
	if r.Message == nil {
		b = append(b, "null"...)
	} else {
		b = appendMessage(b, r.Message)
	}
	return append(b, '}')
}

// appendMessage appends m as json.Marshal(m) would.
func appendMessage(b []byte, m *message) []byte {
	b = append(b, '{')
	o := len(b)
	if m.Token != "" {
		b = wire.AppendString(wire.Key(b, o, "token"), m.Token)
	}
	if n := m.Notification; n != nil {
		b = appendNotification(wire.Key(b, o, "notification"), n)
	}
	if len(m.Data) > 0 {
		b = wire.Map(wire.Key(b, o, "data"), m.Data)
	}
	if a := m.Android; a != nil {
		b = appendAndroid(wire.Key(b, o, "android"), a)
	}
	if a := m.APNS; a != nil {
		b = wire.Key(b, o, "apns")
		b = append(b, '{')
		o := len(b)
		if len(a.Headers) > 0 {
			b = wire.Map(wire.Key(b, o, "headers"), a.Headers)
		}
		if a.Payload != nil {
			b = appendAPNSPayload(wire.Key(b, o, "payload"), a.Payload, nil)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendNotification(b []byte, n *notification) []byte {
	b = append(b, '{')
	o := len(b)
	b = wire.Field(b, o, "title", n.Title)
	b = wire.Field(b, o, "body", n.Body)
	return append(b, '}')
}

func appendAndroid(b []byte, a *androidConfig) []byte {
	b = append(b, '{')
	o := len(b)
	b = wire.Field(b, o, "collapse_key", a.CollapseKey)
	b = wire.Field(b, o, "priority", a.Priority)
	b = wire.Field(b, o, "ttl", a.TTL)
	if n := a.Notification; n != nil {
		b = wire.Key(b, o, "notification")
		b = append(b, '{')
		o := len(b)
		b = wire.Field(b, o, "channel_id", n.ChannelID)
		b = wire.Field(b, o, "sound", n.Sound)
		b = wire.Field(b, o, "click_action", n.ClickAction)
		b = wire.Field(b, o, "tag", n.Tag)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendAPNSPayload appends p. A non-nil alert goes first in aps, as FCM
// adds it from the notification: apnsSize measures that payload.
func appendAPNSPayload(b []byte, p *apnsPayload, alert *notification) []byte {
	b = append(b, `{"aps":{`...)
	o := len(b)
	if alert != nil {
		b = appendNotification(wire.Key(b, o, "alert"), alert)
	}
	b = wire.Field(b, o, "sound", p.Aps.Sound)
	if p.Aps.Badge != nil {
		b = strconv.AppendInt(wire.Key(b, o, "badge"), int64(*p.Aps.Badge), 10)
	}
	b = append(b, '}')
	b = wire.Field(b, 0, "ext", p.Ext) // 0: never first, after aps
	b = wire.Field(b, 0, "url", p.URL)
	return append(b, '}')
}

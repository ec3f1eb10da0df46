package fcm

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push/internal/wire"
	"github.com/offlinepush/push/internal/wire/wiretest"
)

// requireEncodesLikeJSON fails unless the hand-written encoder produces
// exactly json.Marshal's bytes for m: the message, a request body for
// token, and the APNs payload apnsSize measures.
func requireEncodesLikeJSON(t testing.TB, m *message, token string) {
	t.Helper()
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendMessage(nil, m); string(got) != string(want) {
		t.Fatalf("message:\n got %s\nwant %s", got, want)
	}
	for _, s := range []string{m.Token, token} {
		want, _ := json.Marshal(s)
		if got := wire.AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("string %q:\n got %s\nwant %s", s, got, want)
		}
	}
	if m.Token == "" && m.Notification != nil && token != "" {
		mm := *m
		mm.Token = token
		want, _ := json.Marshal(&sendRequest{Message: &mm})
		if got := newTemplate(m).body(token); string(got) != string(want) {
			t.Fatalf("body:\n got %s\nwant %s", got, want)
		}
	}
	if m.Notification != nil && m.APNS != nil && m.APNS.Payload != nil {
		if got, want := apnsSize(m), len(marshalAPNSWithAlert(m)); got != want {
			t.Fatalf("apnsSize %d, json.Marshal of the payload is %d bytes", got, want)
		}
	}
}

// marshalAPNSWithAlert is how apnsSize measured the payload before it had
// its own encoder: json.Marshal of ours plus the alert FCM adds.
func marshalAPNSWithAlert(m *message) []byte {
	p := struct {
		Aps struct {
			Alert notification `json:"alert"`
			aps
		} `json:"aps"`
		Ext string `json:"ext,omitempty"`
		URL string `json:"url,omitempty"`
	}{Ext: m.APNS.Payload.Ext, URL: m.APNS.Payload.URL}
	p.Aps.Alert, p.Aps.aps = *m.Notification, m.APNS.Payload.Aps
	b, _ := json.Marshal(p)
	return b
}

// tricky are the strings whose escaping differs between JSON encoders, or
// between JSON and Go quoting.
var tricky = []string{
	"", "a", "plain ascii", `{"entity":{"chatType":1,"sender":"alice"}}`,
	`"`, `\`, `\"`, "/", "<script>", "a&b", ">", "\u007f", "~",
	"\x00", "\x01", "\b", "\f", "\n", "\r", "\t", "\v", "\x1b", "\x1f",
	"é", "中文", "😀", "\u2028", "\u2029", "a\u2028b\u2029c", "\ufffd", "\u00a0", "\ufeff",
	"\x80", "\xff", "\xc3", "a\xc3", "\xc3(", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\xe2\x80", "😀"[:3],
	"https://example.com/chat/alice?x=1&y=2", strings.Repeat(`{"k":"<v>"}`, 500),
}

// randString joins random tricky fragments and random bytes.
func randString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(6) {
		if r.IntN(4) == 0 {
			b.WriteByte(byte(r.UintN(256)))
		} else {
			b.WriteString(tricky[r.IntN(len(tricky))])
		}
	}
	return b.String()
}

func randMap(r *rand.Rand) map[string]string {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return map[string]string{}
	}
	m := map[string]string{}
	for range 1 + r.IntN(12) { // past the 8 keys appendMap sorts on the stack
		m[randString(r)] = randString(r)
	}
	return m
}

// randMessage fills a random subset of the fields, blocks left nil or
// zero included.
func randMessage(r *rand.Rand) *message {
	s := func() string {
		if r.IntN(3) == 0 {
			return ""
		}
		return randString(r)
	}
	m := &message{Token: s(), Data: randMap(r)}
	if r.IntN(5) > 0 {
		m.Notification = &notification{Title: s(), Body: s()}
	}
	if r.IntN(5) > 0 {
		m.Android = &androidConfig{CollapseKey: s(), Priority: s(), TTL: s()}
		if r.IntN(5) > 0 {
			m.Android.Notification = &androidNotification{ChannelID: s(), Sound: s(), ClickAction: s(), Tag: s()}
		}
	}
	if r.IntN(5) > 0 {
		m.APNS = &apnsConfig{Headers: randMap(r)}
		if r.IntN(5) > 0 {
			m.APNS.Payload = &apnsPayload{Aps: aps{Sound: s()}, Ext: s(), URL: s()}
			if r.IntN(2) == 0 {
				b := r.IntN(2000) - 1000 // 0 and negatives too: the pointer decides
				m.APNS.Payload.Aps.Badge = &b
			}
		}
	}
	return m
}

// TestEncodeMatchesJSON: the hand-written encoder and json.Marshal agree
// byte for byte on every tricky string in every field, and on random
// messages.
func TestEncodeMatchesJSON(t *testing.T) {
	badge := 7
	for _, s := range tricky {
		m := &message{
			Notification: &notification{Title: s, Body: s},
			Data:         map[string]string{ExtKey: s, s: s, URLKey: s},
			Android: &androidConfig{CollapseKey: s, Priority: s, TTL: s,
				Notification: &androidNotification{ChannelID: s, Sound: s, ClickAction: s, Tag: s}},
			APNS: &apnsConfig{Headers: map[string]string{"apns-priority": "10", s: s},
				Payload: &apnsPayload{Aps: aps{Sound: s, Badge: &badge}, Ext: s, URL: s}},
		}
		requireEncodesLikeJSON(t, m, s)
		m.Token = s
		requireEncodesLikeJSON(t, m, s)
	}
	requireEncodesLikeJSON(t, &message{}, "tok")
	requireEncodesLikeJSON(t, &message{APNS: &apnsConfig{Payload: &apnsPayload{}}}, "tok")

	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		requireEncodesLikeJSON(t, randMessage(r), randString(r))
	}
}

// FuzzEncode: for any field values, including invalid UTF-8 that Message
// refuses but a caller could put in a Message of its own, the hand-written
// encoder agrees with json.Marshal.
func FuzzEncode(f *testing.F) {
	for i, s := range tricky {
		f.Add(s, tricky[(i+1)%len(tricky)], tricky[(i+2)%len(tricky)], i)
	}
	f.Fuzz(func(t *testing.T, a, b, c string, badge int) {
		m := &message{
			Notification: &notification{Title: a, Body: b},
			Data:         map[string]string{ExtKey: c, a: b, b: c},
			Android:      &androidConfig{CollapseKey: a, TTL: c, Notification: &androidNotification{ChannelID: b, Tag: a}},
			APNS: &apnsConfig{Headers: map[string]string{"apns-collapse-id": a, c: a},
				Payload: &apnsPayload{Aps: aps{Sound: b, Badge: &badge}, Ext: c, URL: a}},
		}
		requireEncodesLikeJSON(t, m, c)
		m.Token, m.APNS.Payload.Aps.Badge, m.Data = b, nil, nil
		requireEncodesLikeJSON(t, m, a)
	})
}

// TestEncodeFilledStructs: with every field of the wire structs set
// (wiretest.Fill), the hand-written encoder writes json.Marshal's bytes, so
// a field added to a struct and forgotten by the encoder fails here.
func TestEncodeFilledStructs(t *testing.T) {
	var r sendRequest
	wiretest.Fill(&r)
	want, err := json.Marshal(&r)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(appendRequest(nil, &r)), "the request")

	var m message
	wiretest.Fill(&m)
	requireEncodesLikeJSON(t, &m, "tok")
	assert.Equal(t, len(marshalAPNSWithAlert(&m)), apnsSize(&m), "the APNs payload apnsSize measures")

	token := m.Token
	m.Token = ""
	for _, tok := range []string{"abc:APA91b-_x", token} { // spliced, and encoded in full
		t.Run(tok, func(t *testing.T) {
			mm := m
			mm.Token = tok
			want, err := json.Marshal(&sendRequest{Message: &mm})
			require.NoError(t, err)
			assert.Equal(t, string(want), string(newTemplate(&m).body(tok)))
		})
	}
}

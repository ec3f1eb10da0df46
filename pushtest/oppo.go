package pushtest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// OPPO is a fake OPPO Push server: POST /server/v1/auth,
// /server/v1/message/notification/unicast and …/unicast_batch.
//
// Auth checks the form fields app_key (else code 14), timestamp in
// milliseconds within 10 minutes of now (18, 19) and sign =
// hex(SHA-256(app_key + timestamp + MasterSecret)) (17, 16), and answers a
// fresh auth_token. Sends need a form body with an auth_token this server
// issued and has not expired (29 missing, 11 invalid; the header auth_token
// is accepted too, as the PDF allows). unicast takes one JSON object in the
// form field message, unicast_batch a JSON array of 1 to 1000 of them in
// messages. Each object must have exactly the documented snake_case keys
// with their JSON types (an unknown key such as a camelCase one is rejected,
// stricter than OPPO, to catch typos), target_type 2, a target_value, and a
// notification with a non-blank title and content of at most 50 UTF-16
// units, a channel_id, click_action_type 0, 1, 2, 4 or 5 with its
// click_action_activity or click_action_url (at most 500), action_parameters
// that is the text of a JSON object of at most 4000, a known category, and
// notify_level 1, 2 or 16 only with a category. A broken request fails as a
// whole with code 40 (missing) or 41 (invalid).
//
// Tokens marked with Invalidate get code 10000: top-level for unicast, per
// item (errorCode) for a batch. SetMisconfigured gives every regId that
// answer: OPPO documents no app-level "all invalid" answer, and regIds of
// another app (the AppKey of a debug build, say) pass the format check of
// OPPO's SDK but not OPPO's own, which is what 10000 reports (UNVERIFIED:
// the page only says "registration_id格式不正确"). With StringCodes the
// top-level code and each errorCode are JSON strings, as the official Java
// SDK types errorCode (PushResult). Like OPPO, a message whose app_message_id
// was already delivered to the same device is not delivered again (the
// answer repeats the first messageId and the token is not counted again in
// Delivered). SetQuota limits deliveries (code 33 beyond it), ExpireTokens
// makes every issued auth_token answer code 11. Fault codes are answered as
// {"code":<code>,"message":"injected fault"} with HTTP 200, e.g. "-1" busy,
// "-2" flow control, "13"/"55" call limits, "11" token expired, "33" quota.
//
// The regId format is not checked, so tests may use readable tokens.
type OPPO struct {
	*Server
	AppKey       string
	MasterSecret string
	// StringCodes answers code and errorCode as JSON strings ("10000")
	// instead of numbers. Set it before the first request.
	StringCodes bool

	mu     sync.Mutex
	now    func() time.Time
	issued map[string]bool   // auth tokens handed out and still valid
	seen   map[string]string // app_message_id + "\x00" + regId → messageId
	quota  int               // deliveries left; -1: no limit
	seq    int64
	authN  int

	tokenBase string
}

// The OPPO paths the fake serves.
const (
	oppoAuthPath    = "/server/v1/auth"
	oppoUnicastPath = "/server/v1/message/notification/unicast"
	oppoBatchPath   = "/server/v1/message/notification/unicast_batch"
)

// NewOPPO starts a fake OPPO Push server for one app.
func NewOPPO(appKey, masterSecret string) *OPPO {
	o := &OPPO{AppKey: appKey, MasterSecret: masterSecret, now: time.Now,
		issued: map[string]bool{}, seen: map[string]string{}, quota: -1}
	o.Server = newServer(false, func(p string) bool {
		return strings.HasSuffix(p, oppoUnicastPath) || strings.HasSuffix(p, oppoBatchPath)
	}, o.handle, oppoFault)
	var b [16]byte
	rand.Read(b[:])
	o.tokenBase = hex.EncodeToString(b[:])
	o.addSecrets(masterSecret)
	return o
}

// ExpireTokens makes every auth_token issued so far invalid: the next send
// with one of them gets code 11, as after OPPO's 24 hours.
func (o *OPPO) ExpireTokens() {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.issued)
}

// SetQuota sets how many more deliveries today's quota allows; beyond it a
// device gets code 33. A negative n removes the limit (the default).
func (o *OPPO) SetQuota(n int) {
	o.mu.Lock()
	o.quota = n
	o.mu.Unlock()
}

// AuthCalls returns how many auth tokens the server has issued.
func (o *OPPO) AuthCalls() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.authN
}

// SetClock replaces the server's clock (for the timestamp check).
func (o *OPPO) SetClock(now func() time.Time) {
	o.mu.Lock()
	o.now = now
	o.mu.Unlock()
}

func oppoFault(f Fault) (int, []byte) {
	return 200, oppoAnswer(f.Code, "injected fault", nil)
}

// oppoAnswer renders {"code":…,"message":…[,"data":…]}.
func oppoAnswer(code, msg string, data any) []byte {
	m := map[string]any{"code": json.Number(code), "message": msg}
	if data != nil {
		m["data"] = data
	}
	b, _ := json.Marshal(m)
	return b
}

func (o *OPPO) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	fail := func(code int, msg string) (int, http.Header, []byte) {
		return 200, jsonHeader(), o.answer(code, msg, nil)
	}
	switch r.URL.Path {
	case oppoAuthPath, oppoUnicastPath, oppoBatchPath:
	default:
		return 404, jsonHeader(), []byte(`{"code":404,"message":"not found"}`)
	}
	if r.Method != http.MethodPost {
		return fail(12, "Http Action Not Allowed")
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return fail(41, "Invalid Arguments: content type must be application/x-www-form-urlencoded")
	}
	if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
		return fail(25, "Invalid Encoding")
	}
	form, err := url.ParseQuery(string(rec.Body))
	if err != nil {
		return fail(41, "Invalid Arguments: malformed form body")
	}
	rec.Form = form
	for k, vs := range form {
		if len(vs) != 1 {
			return fail(41, "Invalid Arguments: parameter "+k+" given more than once")
		}
	}
	if r.URL.Path == oppoAuthPath {
		return o.auth(form)
	}

	token := form.Get("auth_token")
	if token == "" {
		token = r.Header.Get("auth_token")
	}
	if token == "" {
		return fail(29, "Missing Auth Token")
	}
	o.mu.Lock()
	ok := o.issued[token]
	o.mu.Unlock()
	if !ok {
		return fail(11, "Invalid AuthToken")
	}

	var msgs []oppoMessage
	if r.URL.Path == oppoUnicastPath {
		raw := form.Get("message")
		if raw == "" {
			return fail(40, "Missing Required Arguments: message")
		}
		var m oppoMessage
		if err := strictJSON(raw, &m); err != nil {
			return fail(41, "Invalid Arguments: message: "+err.Error())
		}
		msgs = []oppoMessage{m}
	} else {
		raw := form.Get("messages")
		if raw == "" {
			return fail(40, "Missing Required Arguments: messages")
		}
		if err := strictJSON(raw, &msgs); err != nil {
			return fail(41, "Invalid Arguments: messages: "+err.Error())
		}
		if len(msgs) == 0 || len(msgs) > 1000 {
			return fail(41, fmt.Sprintf("Invalid Arguments: messages must hold 1 to 1000 messages, got %d", len(msgs)))
		}
	}
	for i, m := range msgs {
		if code, msg := m.check(); code != 0 {
			if len(msgs) > 1 {
				msg = fmt.Sprintf("messages[%d]: %s", i, msg)
			}
			return fail(code, msg)
		}
		rec.Tokens = append(rec.Tokens, *m.TargetValue)
	}

	// deliver
	type result struct {
		MessageID      string `json:"messageId,omitempty"`
		RegistrationID string `json:"registrationId"`
		ErrorCode      int    `json:"-"`
		Code           any    `json:"errorCode,omitempty"` // ErrorCode as sent
		ErrorMessage   string `json:"errorMessage,omitempty"`
	}
	results := make([]result, len(msgs))
	misconf := o.Misconfigured()
	o.mu.Lock()
	for i, m := range msgs {
		t := *m.TargetValue
		results[i].RegistrationID = t
		key := ""
		if m.Notification.AppMessageID != nil && *m.Notification.AppMessageID != "" {
			key = *m.Notification.AppMessageID + "\x00" + t
		}
		switch {
		case o.Server.IsInvalid(t) || misconf:
			results[i].ErrorCode, results[i].ErrorMessage = 10000, "Invalid Registration_id"
		case key != "" && o.seen[key] != "":
			results[i].MessageID = o.seen[key] // shown once already: not again
		case o.quota == 0:
			results[i].ErrorCode, results[i].ErrorMessage = 33, "The number of messages exceeds the daily limit"
		default:
			if o.quota > 0 {
				o.quota--
			}
			o.seq++
			id := fmt.Sprintf("FAKEAPPID-1-1-%024x", o.seq)
			if key != "" {
				o.seen[key] = id
			}
			results[i].MessageID = id
			rec.Accepted = append(rec.Accepted, t)
		}
	}
	o.mu.Unlock()

	if r.URL.Path == oppoUnicastPath {
		if res := results[0]; res.ErrorCode != 0 {
			return fail(res.ErrorCode, res.ErrorMessage)
		}
		return 200, jsonHeader(), o.answer(0, "success", map[string]string{"messageId": results[0].MessageID})
	}
	for i := range results {
		if c := results[i].ErrorCode; c != 0 {
			results[i].Code = o.code(c)
		}
	}
	return 200, jsonHeader(), o.answer(0, "success", results)
}

// code is an OPPO code as this fake sends it: a number, or with
// StringCodes its decimal text.
func (o *OPPO) code(c int) any {
	if o.StringCodes {
		return strconv.Itoa(c)
	}
	return c
}

// answer renders {"code":…,"message":…[,"data":…]} with code as o.code.
func (o *OPPO) answer(code int, msg string, data any) []byte {
	m := map[string]any{"code": o.code(code), "message": msg}
	if data != nil {
		m["data"] = data
	}
	b, _ := json.Marshal(m)
	return b
}

func (o *OPPO) auth(form url.Values) (int, http.Header, []byte) {
	fail := func(code int, msg string) (int, http.Header, []byte) {
		return 200, jsonHeader(), o.answer(code, msg, nil)
	}
	appKey, ts, sign := form.Get("app_key"), form.Get("timestamp"), form.Get("sign")
	switch {
	case appKey == "":
		return fail(15, "Missing App Key")
	case appKey != o.AppKey:
		return fail(14, "Invalid App Key")
	case ts == "":
		return fail(18, "Missing Timestamp")
	case sign == "":
		return fail(17, "Missing Signature")
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	o.mu.Lock()
	now := o.now()
	o.mu.Unlock()
	if err != nil || len(ts) != 13 {
		return fail(19, "Invalid Timestamp: want 13-digit milliseconds since the epoch")
	}
	if d := now.Sub(time.UnixMilli(ms)); d > 10*time.Minute || d < -10*time.Minute {
		return fail(19, "Invalid Timestamp: more than 10 minutes from the server time")
	}
	sum := sha256.Sum256([]byte(appKey + ts + o.MasterSecret))
	if subtle.ConstantTimeCompare([]byte(sign), []byte(hex.EncodeToString(sum[:]))) != 1 {
		return fail(16, "Invalid Signature")
	}
	o.mu.Lock()
	o.authN++
	token := fmt.Sprintf("%s%08d", o.tokenBase, o.authN)
	o.issued[token] = true
	o.mu.Unlock()
	o.addSecrets(token) // masked in Record dumps
	return 200, jsonHeader(), o.answer(0, "success", map[string]any{"auth_token": token, "create_time": now.UnixMilli()})
}

// oppoMessage and oppoNotification hold every documented key with its JSON
// type; pointers tell "absent" from zero.
type oppoMessage struct {
	TargetType           *int              `json:"target_type"`
	TargetValue          *string           `json:"target_value"`
	Notification         *oppoNotification `json:"notification"`
	VerifyRegistrationID *bool             `json:"verify_registration_id"`
}

type oppoNotification struct {
	AppMessageID             *string `json:"app_message_id"`
	Style                    *int    `json:"style"`
	BigPictureID             *string `json:"big_picture_id"`
	SmallPictureID           *string `json:"small_picture_id"`
	Title                    *string `json:"title"`
	SubTitle                 *string `json:"sub_title"`
	Content                  *string `json:"content"`
	ClickActionType          *int    `json:"click_action_type"`
	ClickActionActivity      *string `json:"click_action_activity"`
	ClickActionURL           *string `json:"click_action_url"`
	ActionParameters         *string `json:"action_parameters"`
	ShowTimeType             *int    `json:"show_time_type"`
	ShowStartTime            *int64  `json:"show_start_time"`
	ShowEndTime              *int64  `json:"show_end_time"`
	OffLine                  *bool   `json:"off_line"`
	OffLineTTL               *int    `json:"off_line_ttl"`
	PushTimeType             *int    `json:"push_time_type"`
	PushStartTime            *int64  `json:"push_start_time"`
	TimeZone                 *string `json:"time_zone"`
	FixSpeed                 *bool   `json:"fix_speed"`
	FixSpeedRate             *int64  `json:"fix_speed_rate"`
	NetworkType              *int    `json:"network_type"`
	CallBackURL              *string `json:"call_back_url"`
	CallBackParameter        *string `json:"call_back_parameter"`
	ChannelID                *string `json:"channel_id"`
	ShowTTL                  *int    `json:"show_ttl"`
	NotifyID                 *int32  `json:"notify_id"`
	Category                 *string `json:"category"`
	NotifyLevel              *int    `json:"notify_level"`
	PrivateMsgTemplateID     *string `json:"private_msg_template_id"`
	PrivateTitleParameters   *string `json:"private_title_parameters"`
	PrivateContentParameters *string `json:"private_content_parameters"`
}

// strictJSON decodes exactly one JSON value with only known keys.
func strictJSON(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

var oppoCategories = map[string]bool{"IM": true, "ACCOUNT": true, "TODO": true, "DEVICE_REMINDER": true,
	"ORDER": true, "SUBSCRIPTION": true, "NEWS": true, "CONTENT": true, "MARKETING": true, "SOCIAL": true}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// check returns 0 or the OPPO code and message for a bad message.
func (m *oppoMessage) check() (int, string) {
	missing := func(f string) (int, string) { return 40, "Missing Required Arguments: " + f }
	invalid := func(f string) (int, string) { return 41, "Invalid Arguments: " + f }
	switch {
	case m.TargetType == nil:
		return missing("target_type")
	case *m.TargetType != 2:
		return invalid("target_type must be 2 (registration_id)")
	case m.TargetValue == nil || *m.TargetValue == "":
		return missing("target_value")
	case m.Notification == nil:
		return missing("notification")
	}
	n := m.Notification
	switch {
	case n.Title == nil || strings.TrimSpace(*n.Title) == "":
		return missing("title")
	case utf16Len(*n.Title) > 50:
		return invalid("title longer than 50")
	case n.Content == nil || strings.TrimSpace(*n.Content) == "":
		return missing("content")
	case utf16Len(*n.Content) > 50:
		return invalid("content longer than 50")
	case n.ChannelID == nil || *n.ChannelID == "":
		return missing("channel_id")
	}
	typ := 0
	if n.ClickActionType != nil {
		typ = *n.ClickActionType
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	act, link := str(n.ClickActionActivity), str(n.ClickActionURL)
	switch typ {
	case 0:
	case 1, 4:
		if act == "" {
			return missing("click_action_activity (click_action_type 1 and 4)")
		}
	case 2, 5:
		if link == "" {
			return missing("click_action_url (click_action_type 2 and 5)")
		}
		if typ == 2 {
			if u, err := url.Parse(link); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				return invalid("click_action_url must be an http(s) URL for click_action_type 2")
			}
		}
	default:
		return invalid("click_action_type must be 0, 1, 2, 4 or 5")
	}
	if utf16Len(act) > 500 || utf16Len(link) > 500 {
		return invalid("click_action_activity and click_action_url are limited to 500")
	}
	if p := str(n.ActionParameters); p != "" {
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(p), &obj) != nil || obj == nil {
			return invalid("action_parameters must be the text of a JSON object")
		}
		if utf16Len(p) > 4000 {
			return invalid("action_parameters longer than 4000")
		}
	}
	if n.Category != nil && !oppoCategories[*n.Category] {
		return 67, "category error"
	}
	if n.NotifyLevel != nil {
		if n.Category == nil {
			return 67, "notify_level needs category"
		}
		if l := *n.NotifyLevel; l != 1 && l != 2 && l != 16 {
			return 67, "notify_level must be 1, 2 or 16"
		}
	}
	if n.OffLineTTL != nil && *n.OffLineTTL < 0 {
		return invalid("off_line_ttl must not be negative")
	}
	return 0, ""
}

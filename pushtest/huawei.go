package pushtest

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Huawei is a fake Huawei Push Kit v1 server: the OAuth token endpoint
// (POST /oauth2/v3/token) and the send endpoint
// (POST /v1/{appId}/messages:send).
//
// The token endpoint checks a form body with grant_type=client_credentials,
// client_id=AppID and client_secret=AppSecret, and issues bearer tokens that
// live TokenTTL. The send endpoint checks: POST; a JSON content type; a
// bearer token it issued and that has not expired (80200001 unknown,
// 80200003 expired, both HTTP 401); the appId in the path; the body shape
// and types (unknown fields are refused); a string message.data holding a
// JSON object; a notification with a body, a click_action of type 1 (intent
// or action), 2 (an https url) or 3; category, importance, ttl, notify_id
// and badge ranges; 1..1000 tokens (80300010 above); and the 4096-byte
// limit on the body without the tokens (80300008). It answers 80000000,
// 80100000 with the invalid tokens in msg's illegal_tokens, or 80300007
// "All the tokens are invalid" (naming none) when every token is invalid.
// SetMisconfigured(true) answers every well-formed send with that 80300007,
// live tokens included: Huawei's answer when the tokens were made by
// another app, or the package name or app id does not match AppGallery
// Connect. Fault codes are answered as
// {"code":"<code>","msg":"injected fault","requestId":…}.
type Huawei struct {
	*Server
	AppID     string
	AppSecret string
	// TokenTTL is the lifetime of issued access tokens (expires_in).
	// Zero means one hour, as Huawei does. Set it before the first request.
	TokenTTL time.Duration

	mu     sync.Mutex
	issued map[string]time.Time // access token -> expiry
	seq    atomic.Int64
}

// NewHuawei starts a fake Huawei Push Kit server for one app.
func NewHuawei(appID, appSecret string) *Huawei {
	h := &Huawei{AppID: appID, AppSecret: appSecret, issued: map[string]time.Time{}}
	h.Server = newServer(false, func(p string) bool { return strings.HasSuffix(p, "/messages:send") }, h.handle, huaweiFault)
	h.addSecrets(appSecret)
	return h
}

// ExpireTokens makes every access token issued so far expired: the next
// send with one is answered 80200003, as Huawei does after an hour.
func (h *Huawei) ExpireTokens() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for t := range h.issued {
		h.issued[t] = time.Time{}
	}
}

// TokenRequests counts the requests to the token endpoint.
func (h *Huawei) TokenRequests() int { return h.Count("/oauth2/v3/token") }

func huaweiFault(f Fault) (int, []byte) {
	status := 200
	switch f.Code {
	case "80200001", "80200003":
		status = 401
	}
	return status, huaweiAnswer(f.Code, "injected fault", "fault0000000000000")
}

func huaweiAnswer(code, msg, requestID string) []byte {
	b, _ := json.Marshal(map[string]string{"code": code, "msg": msg, "requestId": requestID})
	return b
}

func (h *Huawei) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	switch {
	case r.URL.Path == "/oauth2/v3/token":
		return h.token(rec, r)
	case strings.HasPrefix(r.URL.Path, "/v1/") && strings.HasSuffix(r.URL.Path, "/messages:send"):
		return h.send(rec, r)
	}
	return 404, jsonHeader(), []byte(`{"code":"404","msg":"not found"}`)
}

func hwOAuthError(status, code, sub int, desc string) (int, http.Header, []byte) {
	b, _ := json.Marshal(map[string]any{"error": code, "sub_error": sub, "error_description": desc})
	return status, jsonHeader(), b
}

func (h *Huawei) token(rec *Record, r *http.Request) (int, http.Header, []byte) {
	if r.Method != http.MethodPost {
		return hwOAuthError(405, 1101, 20001, "method must be POST")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return hwOAuthError(400, 1101, 20001, "content type must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(rec.Body))
	if err != nil {
		return hwOAuthError(400, 1101, 20001, "malformed form body")
	}
	rec.Form = form
	switch {
	case form.Get("grant_type") != "client_credentials":
		return hwOAuthError(400, 1101, 20001, "grant_type must be client_credentials")
	case form.Get("client_id") == "" || form.Get("client_secret") == "":
		return hwOAuthError(400, 1102, 20001, "missing required parameter: client_id or client_secret")
	case form.Get("client_id") != h.AppID || form.Get("client_secret") != h.AppSecret:
		return hwOAuthError(401, 1101, 20068, "invalid client: client_id or client_secret is wrong")
	}
	ttl := h.TokenTTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	var rnd [12]byte
	rand.Read(rnd[:])
	tok := fmt.Sprintf("DQEBA%d%s", h.seq.Add(1), hex.EncodeToString(rnd[:]))
	h.mu.Lock()
	h.issued[tok] = time.Now().Add(ttl)
	h.mu.Unlock()
	h.addSecrets(tok) // masked in Record dumps
	b, _ := json.Marshal(map[string]any{"access_token": tok, "expires_in": int64(ttl / time.Second), "token_type": "Bearer"})
	return 200, jsonHeader(), b
}

// The v1 body, as far as the fake checks it. Unknown fields are refused so
// that a misspelt field is caught.
type hwRequest struct {
	ValidateOnly *bool      `json:"validate_only"`
	Review       any        `json:"review"`
	Message      *hwMessage `json:"message"`
}

type hwMessage struct {
	Data         *string         `json:"data"`
	Notification *hwNotification `json:"notification"`
	Android      *hwAndroid      `json:"android"`
	APNs         any             `json:"apns"`
	WebPush      any             `json:"webpush"`
	Token        json.RawMessage `json:"token"`
	Topic        *string         `json:"topic"`
	Condition    *string         `json:"condition"`
}

type hwNotification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Image string `json:"image"`
}

type hwAndroid struct {
	CollapseKey    *int            `json:"collapse_key"`
	Urgency        string          `json:"urgency"`
	Category       string          `json:"category"`
	TTL            *string         `json:"ttl"`
	BiTag          string          `json:"bi_tag"`
	ReceiptID      string          `json:"receipt_id"`
	TargetUserType *int            `json:"target_user_type"`
	FastAppTarget  *int            `json:"fast_app_target"`
	Data           *string         `json:"data"`
	Notification   *hwAndroidNotif `json:"notification"`
}

type hwAndroidNotif struct {
	Title             string         `json:"title"`
	Body              string         `json:"body"`
	Icon              string         `json:"icon"`
	Color             string         `json:"color"`
	Sound             string         `json:"sound"`
	DefaultSound      *bool          `json:"default_sound"`
	Tag               string         `json:"tag"`
	ClickAction       *hwClickAction `json:"click_action"`
	BodyLocKey        string         `json:"body_loc_key"`
	BodyLocArgs       []string       `json:"body_loc_args"`
	TitleLocKey       string         `json:"title_loc_key"`
	TitleLocArgs      []string       `json:"title_loc_args"`
	MultiLangKey      any            `json:"multi_lang_key"`
	ChannelID         string         `json:"channel_id"`
	NotifySummary     string         `json:"notify_summary"`
	Image             string         `json:"image"`
	Style             *int           `json:"style"`
	BigTitle          string         `json:"big_title"`
	BigBody           string         `json:"big_body"`
	AutoClear         *int           `json:"auto_clear"`
	NotifyID          *int64         `json:"notify_id"`
	Group             string         `json:"group"`
	Badge             *hwBadge       `json:"badge"`
	Ticker            string         `json:"ticker"`
	When              string         `json:"when"`
	Importance        string         `json:"importance"`
	UseDefaultVibrate *bool          `json:"use_default_vibrate"`
	UseDefaultLight   *bool          `json:"use_default_light"`
	VibrateConfig     []string       `json:"vibrate_config"`
	Visibility        string         `json:"visibility"`
	LightSettings     any            `json:"light_settings"`
	ForegroundShow    *bool          `json:"foreground_show"`
	InboxContent      []string       `json:"inbox_content"`
	Buttons           []any          `json:"buttons"`
	ProfileID         string         `json:"profile_id"`
	AutoCancel        *bool          `json:"auto_cancel"`
}

type hwClickAction struct {
	Type         *int   `json:"type"`
	Intent       string `json:"intent"`
	Action       string `json:"action"`
	URL          string `json:"url"`
	RichResource string `json:"rich_resource"`
}

type hwBadge struct {
	AddNum *int   `json:"add_num"`
	SetNum *int   `json:"set_num"`
	Class  string `json:"class"`
}

var (
	hwTTL        = regexp.MustCompile(`^(\d+|\d+[sS]|\d+\.\d{1,9}|\d+\.\d{1,9}[sS])$`)
	hwCategories = map[string]bool{"IM": true, "VOIP": true, "SUBSCRIPTION": true, "TRAVEL": true, "HEALTH": true,
		"WORK": true, "ACCOUNT": true, "EXPRESS": true, "FINANCE": true, "DEVICE_REMINDER": true,
		"SYSTEM_REMINDER": true, "MAIL": true, "PLAY_VOICE": true, "MARKETING": true}
)

func (h *Huawei) send(rec *Record, r *http.Request) (int, http.Header, []byte) {
	reqID := fmt.Sprintf("1717%015d", h.seq.Add(1))
	bad := func(code, msg string) (int, http.Header, []byte) {
		return 400, jsonHeader(), huaweiAnswer(code, msg, reqID)
	}
	if r.Method != http.MethodPost {
		return 405, jsonHeader(), huaweiAnswer("80100001", "method must be POST", reqID)
	}
	// auth first, as the vendor does
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	h.mu.Lock()
	exp, known := h.issued[bearer]
	h.mu.Unlock()
	switch {
	case !ok || !known:
		return 401, jsonHeader(), huaweiAnswer("80200001", "Oauth authentication error", reqID)
	case !time.Now().Before(exp):
		return 401, jsonHeader(), huaweiAnswer("80200003", "Oauth Token expired", reqID)
	}
	if r.URL.Path != "/v1/"+h.AppID+"/messages:send" {
		// a token of this app used with another app id
		return 401, jsonHeader(), huaweiAnswer("80200001", "Oauth authentication error: app id does not match the token", reqID)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return bad("80100001", "content type must be application/json")
	}
	var req hwRequest
	dec := json.NewDecoder(bytes.NewReader(rec.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return bad("80100003", "Illegal payload: "+err.Error())
	}
	m := req.Message
	if m == nil {
		return bad("80100003", "Illegal payload: message is required")
	}
	// size without the tokens
	if size := len(rec.Body) - len(m.Token) + len("[]"); size > 4096 {
		return bad("80300008", fmt.Sprintf("Push message size is too long: %d bytes without tokens", size))
	}
	var tokens []string
	if len(m.Token) > 0 {
		if err := json.Unmarshal(m.Token, &tokens); err != nil {
			return bad("80100003", "Illegal payload: token must be an array of strings")
		}
	}
	targets := 0
	if tokens != nil {
		targets++
	}
	if m.Topic != nil {
		targets++
	}
	if m.Condition != nil {
		targets++
	}
	if targets != 1 {
		return bad("80100001", "exactly one of token, topic and condition must be set")
	}
	if len(tokens) == 0 || len(tokens) > 1000 {
		return bad("80300010", fmt.Sprintf("token count should within 1 and 1000, got %d", len(tokens)))
	}
	rec.Tokens = tokens
	if m.Data != nil && *m.Data != "" {
		var obj map[string]any
		if json.Unmarshal([]byte(*m.Data), &obj) != nil || obj == nil {
			return bad("80100001", "message.data must be a JSON object text for notification messages")
		}
	}
	a := m.Android
	if a == nil || a.Notification == nil {
		if m.Notification == nil {
			return bad("80100003", "Illegal payload: a notification message needs android.notification")
		}
	}
	if a != nil {
		if a.Category != "" && !hwCategories[a.Category] {
			return bad("80100001", "android.category is not a known category: "+a.Category)
		}
		if a.TTL != nil {
			if !hwTTL.MatchString(*a.TTL) {
				return bad("80100001", "android.ttl must look like 86400s")
			}
			var secs float64
			fmt.Sscanf(strings.TrimRight(*a.TTL, "sS"), "%g", &secs)
			if secs > 1296000 {
				return bad("80100001", "android.ttl must be at most 1296000s")
			}
		}
		if a.CollapseKey != nil && (*a.CollapseKey < -1 || *a.CollapseKey > 100) {
			return bad("80100013", "collapse_key must be -1..100")
		}
	}
	if a != nil && a.Notification != nil {
		n := a.Notification
		title, body := n.Title, n.Body
		if m.Notification != nil {
			title, body = cmp.Or(title, m.Notification.Title), cmp.Or(body, m.Notification.Body)
		}
		if title == "" && body == "" {
			return bad("80100001", "a notification needs a title or a body")
		}
		ca := n.ClickAction
		if ca == nil || ca.Type == nil {
			return bad("80100001", "android.notification.click_action.type is required")
		}
		switch *ca.Type {
		case 1:
			if ca.Intent == "" && ca.Action == "" {
				return bad("80100001", "click_action type 1 needs intent or action")
			}
		case 2:
			if !strings.HasPrefix(ca.URL, "https") {
				return bad("80100001", "click_action.url must start with https")
			}
			if u, err := url.Parse(ca.URL); err != nil || u.Host == "" {
				return bad("80100001", "click_action.url must be an absolute URL")
			}
		case 3:
		case 4:
			if !strings.HasPrefix(ca.RichResource, "https") {
				return bad("80100001", "click_action.rich_resource must start with https")
			}
		default:
			return bad("80100001", "click_action.type must be 1, 2, 3 or 4")
		}
		switch n.Importance {
		case "", "LOW", "NORMAL", "HIGH":
		default:
			return bad("80100001", "importance must be LOW, NORMAL or HIGH")
		}
		if n.DefaultSound != nil && !*n.DefaultSound && n.Sound == "" {
			return bad("80100001", "sound is required when default_sound is false")
		}
		if n.NotifyID != nil && (*n.NotifyID < -1 || *n.NotifyID > 2147483647) {
			return bad("80100001", "notify_id must be a 32-bit int")
		}
		if b := n.Badge; b != nil {
			if b.AddNum != nil && (*b.AddNum < 1 || *b.AddNum > 99) {
				return bad("80100001", "badge.add_num must be 1..99")
			}
			if b.SetNum != nil && (*b.SetNum < 0 || *b.SetNum > 99) {
				return bad("80100001", "badge.set_num must be 0..99")
			}
		}
	}

	if h.Misconfigured() {
		// Huawei's v1 error-code list gives these causes for 80300007: tokens
		// of another app, a package name or app id that does not match
		// AppGallery Connect, a wrong send URL.
		return 200, jsonHeader(), huaweiAnswer("80300007", "All the tokens are invalid", reqID)
	}
	illegal := h.judge(tokens, rec)
	if req.ValidateOnly != nil && *req.ValidateOnly {
		rec.Accepted = nil // checked, not delivered
	}
	switch {
	case len(illegal) == 0:
		return 200, jsonHeader(), huaweiAnswer("80000000", "Success", reqID)
	case len(illegal) == len(tokens):
		return 200, jsonHeader(), huaweiAnswer("80300007", "All the tokens are invalid", reqID)
	}
	msg, _ := json.Marshal(map[string]any{"success": len(tokens) - len(illegal), "failure": len(illegal), "illegal_tokens": illegal})
	return 200, jsonHeader(), huaweiAnswer("80100000", string(msg), reqID)
}

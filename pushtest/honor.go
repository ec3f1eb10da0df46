package pushtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Honor token and send paths. The fake serves both token paths in use (the
// guide's realm path and the short one).
const (
	HonorTokenPath      = "/auth/realms/developer/protocol/openid-connect/token"
	HonorShortTokenPath = "/auth/token"
)

// Honor is a fake Honor Push server: the IAM token endpoint and
// POST /api/v1/{appId}/sendMessage.
//
// The token endpoint checks: POST, a form body, grant_type=client_credentials
// and the client id and secret (else HTTP 401 invalid_client, as Keycloak
// answers); it answers {"access_token","expires_in","token_type":"Bearer"}.
//
// The send endpoint checks: POST to this app's id; application/json;
// "Authorization: Bearer <token>" with a token it issued and that has not
// expired (else HTTP 401 with code 80200003, or 80200001 for a token it never
// issued); a "timestamp" header in milliseconds within 10 minutes of now;
// only the camelCase fields Honor documents, at the top level (no HMS
// "message" wrapper or snake_case names); data as the text of a JSON object;
// 1..1000 non-empty tokens; android.ttl as "<seconds>s" up to 15 days;
// android.notification with title or body, a clickAction of type 1 (intent
// or action), 2 (an https url) or 3, importance LOW or NORMAL, an integer
// notifyId, badge.addNum 1..99 with badgeClass; and a body of at most 4096
// bytes without the token list. A broken rule gets HTTP 400 with code
// 80100001 or 80300008 (size) or 80300010 (token count).
//
// It answers {"code":200,"message":"success","data":{"sendResult":true,
// "requestId":…}}; tokens marked with Invalidate come back in
// data.expireTokens and tokens marked with FailTokens in data.failTokens
// (code 80100000, partial success; code 80300007 with sendResult false when
// no token was accepted). Honor's code table is not public: the codes are the
// HMS ones its API was forked from. SetMisconfigured answers every send as
// if no token belonged to the app (HMS answers tokens of another app with
// 80300007, per Huawei's FAQ): code 80300007, sendResult false and every
// token in data.expireTokens, the only list in which Honor calls a token
// dead (UNVERIFIED that Honor lists them there).
//
// Fault codes are answered as {"code":<code>,"message":…,"data":
// {"sendResult":false,…}}: 80200001 and 80200003 (token rejected / expired)
// with HTTP 401, anything else (81000001 busy, …) with HTTP 200.
type Honor struct {
	*Server
	AppID        string
	ClientID     string
	ClientSecret string
	// TokenLifetime is the expires_in answered (default one hour). Set it
	// before the first token request.
	TokenLifetime time.Duration
	// OmitExpiresIn answers tokens without expires_in.
	OmitExpiresIn bool

	mu     sync.Mutex
	issued map[string]time.Time // access token -> expiry
	fail   map[string]bool
	seq    atomic.Int64
}

// NewHonor starts a fake Honor server for one app.
func NewHonor(appID, clientID, clientSecret string) *Honor {
	h := &Honor{AppID: appID, ClientID: clientID, ClientSecret: clientSecret,
		TokenLifetime: time.Hour, issued: map[string]time.Time{}, fail: map[string]bool{}}
	h.Server = newServer(false, func(p string) bool { return strings.HasSuffix(p, "/sendMessage") }, h.handle, honorFault)
	h.addSecrets(clientID, clientSecret)
	return h
}

// FailTokens marks device tokens that Honor fails to send to without calling
// them dead: they come back in data.failTokens.
func (h *Honor) FailTokens(tokens ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range tokens {
		h.fail[t] = true
	}
}

// ExpireAccessTokens makes every access token issued so far expire now, as
// if their lifetime had run out on the server's side.
func (h *Honor) ExpireAccessTokens() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for t := range h.issued {
		h.issued[t] = time.Time{}
	}
}

// TokenRequests counts the requests to the token endpoints.
func (h *Honor) TokenRequests() int {
	return h.Count(HonorTokenPath) + h.Count(HonorShortTokenPath)
}

func honorFault(f Fault) (int, []byte) {
	status := 200
	if f.Code == "80200001" || f.Code == "80200003" {
		status = http.StatusUnauthorized
	}
	return status, honorAnswer(f.Code, "injected fault", false, "", nil, nil)
}

func honorAnswer(code, msg string, sendResult bool, requestID string, fail, expire []string) []byte {
	data := map[string]any{"sendResult": sendResult}
	if requestID != "" {
		data["requestId"] = requestID
	}
	if len(fail) > 0 {
		data["failTokens"] = fail
	}
	if len(expire) > 0 {
		data["expireTokens"] = expire
	}
	var c any = code
	if n, err := strconv.Atoi(code); err == nil {
		c = n
	}
	b, _ := json.Marshal(map[string]any{"code": c, "message": msg, "data": data})
	return b
}

func (h *Honor) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	switch {
	case r.URL.Path == HonorTokenPath || r.URL.Path == HonorShortTokenPath:
		return h.token(rec, r)
	case strings.HasSuffix(r.URL.Path, "/sendMessage"):
		return h.sendMessage(rec, r)
	}
	return 404, jsonHeader(), []byte(`{"code":404,"message":"not found"}`)
}

func (h *Honor) token(rec *Record, r *http.Request) (int, http.Header, []byte) {
	oauthErr := func(status int, code, desc string) (int, http.Header, []byte) {
		b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
		return status, jsonHeader(), b
	}
	if r.Method != http.MethodPost {
		return oauthErr(405, "invalid_request", "HTTP method must be POST")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return oauthErr(400, "invalid_request", "content type must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(rec.Body))
	if err != nil {
		return oauthErr(400, "invalid_request", "malformed form body")
	}
	rec.Form = form
	for k, vs := range form {
		if len(vs) != 1 {
			return oauthErr(400, "invalid_request", "parameter "+k+" given more than once")
		}
	}
	if form.Get("grant_type") != "client_credentials" {
		return oauthErr(400, "unsupported_grant_type", "grant_type must be client_credentials")
	}
	if form.Get("client_id") != h.ClientID || form.Get("client_secret") != h.ClientSecret {
		return oauthErr(401, "unauthorized_client", "Invalid client or Invalid client credentials")
	}
	var b [12]byte
	rand.Read(b[:])
	at := "fake-honor-at-" + hex.EncodeToString(b[:])
	life := h.TokenLifetime
	if life <= 0 {
		life = time.Hour
	}
	h.mu.Lock()
	h.issued[at] = time.Now().Add(life)
	h.mu.Unlock()
	h.addSecrets(at) // masked in Record dumps
	ans := map[string]any{"access_token": at, "token_type": "Bearer"}
	if !h.OmitExpiresIn {
		ans["expires_in"] = int(life / time.Second)
	}
	out, _ := json.Marshal(ans)
	return 200, jsonHeader(), out
}

// honorFields lists the JSON names Honor documents, per object.
var honorFields = map[string]map[string]bool{
	"":                                 set("data", "notification", "android", "token"),
	"notification":                     set("title", "body", "image"),
	"android":                          set("ttl", "biTag", "data", "notification", "targetUserType"),
	"android.notification":             set("title", "body", "clickAction", "image", "style", "bigTitle", "bigBody", "importance", "when", "buttons", "badge", "notifyId", "tag", "group"),
	"android.notification.clickAction": set("type", "intent", "url", "action"),
	"android.notification.badge":       set("addNum", "setNum", "badgeClass"),
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

var ttlPattern = regexp.MustCompile(`^\d+(\.\d{1,9})?[sS]?$`)

func (h *Honor) sendMessage(rec *Record, r *http.Request) (int, http.Header, []byte) {
	bad := func(code, msg string) (int, http.Header, []byte) {
		return 400, jsonHeader(), honorAnswer(code, msg, false, "", nil, nil)
	}
	if r.URL.Path != "/api/v1/"+h.AppID+"/sendMessage" {
		return 403, jsonHeader(), honorAnswer("80300002", "the app has no permission to send (unknown app id)", false, "", nil, nil)
	}
	if r.Method != http.MethodPost {
		return 405, jsonHeader(), honorAnswer("80100001", "method must be POST", false, "", nil, nil)
	}
	// Auth first, as the gateway does.
	at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	h.mu.Lock()
	exp, known := h.issued[at]
	h.mu.Unlock()
	switch {
	case !ok || !known:
		return 401, jsonHeader(), honorAnswer("80200001", "Oauth authentication error", false, "", nil, nil)
	case !time.Now().Before(exp):
		return 401, jsonHeader(), honorAnswer("80200003", "Oauth Token expired", false, "", nil, nil)
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return bad("80100001", "content type must be application/json")
	}
	ts := r.Header.Get("timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return bad("80100001", "the timestamp header must be the current time in milliseconds")
	}
	if d := time.Since(time.UnixMilli(ms)); d > 10*time.Minute || d < -10*time.Minute {
		return bad("80100001", fmt.Sprintf("the timestamp header %s is not the current time in milliseconds", ts))
	}

	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(rec.Body))
	if err := dec.Decode(&top); err != nil || top == nil || dec.More() {
		return bad("80100003", "the body must be one JSON object")
	}
	if msg := checkFields("", top); msg != "" {
		return bad("80100003", msg)
	}
	var tokens []string
	if err := json.Unmarshal(top["token"], &tokens); err != nil {
		return bad("80300010", "token must be an array of strings")
	}
	if len(tokens) == 0 || len(tokens) > 1000 {
		return bad("80300010", fmt.Sprintf("1..1000 tokens per request, got %d", len(tokens)))
	}
	for _, t := range tokens {
		if strings.TrimSpace(t) == "" {
			return bad("80300010", "empty token")
		}
	}
	delete(top, "token")
	if size := len(marshalRaw(top)); size > 4096 {
		return bad("80300008", fmt.Sprintf("the message body is %d bytes without tokens; at most 4096", size))
	}
	if msg := checkHonorMessage(top); msg != "" {
		return bad("80100001", msg)
	}

	rec.Tokens = tokens
	var failed, expired []string
	misconf := h.Misconfigured()
	h.mu.Lock()
	for _, t := range tokens {
		switch {
		case h.IsInvalid(t) || misconf:
			expired = append(expired, t)
		case h.fail[t]:
			failed = append(failed, t)
		default:
			rec.Accepted = append(rec.Accepted, t)
		}
	}
	h.mu.Unlock()
	id := fmt.Sprintf("%d%07d", time.Now().UnixMilli(), h.seq.Add(1))
	switch {
	case len(rec.Accepted) == 0:
		return 200, jsonHeader(), honorAnswer("80300007", "all the tokens are invalid", false, id, failed, expired)
	case len(failed)+len(expired) > 0:
		return 200, jsonHeader(), honorAnswer("80100000", "some tokens failed", true, id, failed, expired)
	}
	return 200, jsonHeader(), honorAnswer("200", "success", true, id, nil, nil)
}

// marshalRaw re-encodes an object of raw values, unescaped: its length is
// the body's length without what was deleted.
func marshalRaw(m map[string]json.RawMessage) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(m)
	return bytes.TrimSpace(buf.Bytes())
}

// checkFields rejects names Honor does not document (snake_case HMS names,
// the "message" wrapper, validate_only) in the object at path and below.
func checkFields(path string, obj map[string]json.RawMessage) string {
	allowed := honorFields[path]
	for k, v := range obj {
		if !allowed[k] {
			where := path
			if where == "" {
				where = "the top level"
			}
			return fmt.Sprintf("unknown field %q in %s", k, where)
		}
		child := k
		if path != "" {
			child = path + "." + k
		}
		if _, nested := honorFields[child]; nested {
			var sub map[string]json.RawMessage
			if err := json.Unmarshal(v, &sub); err != nil || sub == nil {
				return child + " must be an object"
			}
			if msg := checkFields(child, sub); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// checkHonorMessage checks the types and rules of a message whose field
// names already passed checkFields.
func checkHonorMessage(top map[string]json.RawMessage) string {
	var m struct {
		Data         *string `json:"data"`
		Notification *struct {
			Title, Body string
		} `json:"notification"`
		Android *struct {
			TTL          *string `json:"ttl"`
			Data         *string `json:"data"`
			Notification *struct {
				Title       string `json:"title"`
				Body        string `json:"body"`
				ClickAction *struct {
					Type   *int   `json:"type"`
					Intent string `json:"intent"`
					URL    string `json:"url"`
					Action string `json:"action"`
				} `json:"clickAction"`
				Importance *string `json:"importance"`
				NotifyID   *int64  `json:"notifyId"`
				Badge      *struct {
					AddNum     *int   `json:"addNum"`
					SetNum     *int   `json:"setNum"`
					BadgeClass string `json:"badgeClass"`
				} `json:"badge"`
			} `json:"notification"`
		} `json:"android"`
	}
	if err := json.Unmarshal(marshalRaw(top), &m); err != nil {
		return "a field has the wrong type: " + err.Error()
	}
	var n = m.Android
	if n == nil || n.Notification == nil {
		if m.Notification != nil {
			return "android.notification (with clickAction) is required for a notification"
		}
		if m.Data == nil || *m.Data == "" {
			return "a message needs android.notification or data"
		}
		return "" // a passthrough (data) message
	}
	an := n.Notification
	title, body := an.Title, an.Body
	if m.Notification != nil {
		title, body = title+m.Notification.Title, body+m.Notification.Body
	}
	if strings.TrimSpace(title) == "" && strings.TrimSpace(body) == "" {
		return "a notification needs a title or a body"
	}
	for _, d := range []*string{m.Data, n.Data} {
		if d != nil && *d != "" {
			var obj map[string]any
			if json.Unmarshal([]byte(*d), &obj) != nil || obj == nil {
				return "data must be the text of a JSON object for a notification"
			}
		}
	}
	if n.TTL != nil {
		if !ttlPattern.MatchString(*n.TTL) {
			return `android.ttl must look like "86400s"`
		}
		secs, _ := strconv.ParseFloat(strings.TrimRight(*n.TTL, "sS"), 64)
		if secs > 1296000 {
			return "android.ttl must be at most 1296000s (15 days)"
		}
	}
	ca := an.ClickAction
	if ca == nil || ca.Type == nil {
		return "android.notification.clickAction with a type is required"
	}
	switch *ca.Type {
	case 1:
		if ca.Intent == "" && ca.Action == "" {
			return "clickAction type 1 needs intent or action"
		}
	case 2:
		u, err := url.Parse(ca.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return "clickAction type 2 needs an https url"
		}
	case 3:
	default:
		return "clickAction.type must be 1, 2 or 3"
	}
	if an.Importance != nil && *an.Importance != "LOW" && *an.Importance != "NORMAL" {
		return `importance must be "LOW" or "NORMAL"`
	}
	if an.NotifyID != nil && (*an.NotifyID < -1 || *an.NotifyID > 1<<31-1) {
		return "notifyId must be -1 or a 32-bit non-negative integer"
	}
	if b := an.Badge; b != nil {
		if b.BadgeClass == "" {
			return "badge.badgeClass is required"
		}
		if b.AddNum != nil && (*b.AddNum < 1 || *b.AddNum > 99) {
			return "badge.addNum must be 1..99"
		}
		if b.SetNum != nil && (*b.SetNum < 0 || *b.SetNum > 99) {
			return "badge.setNum must be 0..99"
		}
	}
	return ""
}

package pushtest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/offlinepush/push/internal/pemkey"
)

// HarmonyAudience is the "aud" claim HarmonyOS Push Kit requires.
const HarmonyAudience = "https://oauth-login.cloud.huawei.com/oauth2/v3/token"

// Harmony is a fake HarmonyOS NEXT Push Kit v3 server
// (POST /v3/{projectId}/messages:send).
//
// It checks the service-account JWT the way Huawei does: "Bearer" + three
// base64url parts; header alg PS256, typ JWT and kid = the key file's
// key_id; claims iss = sub_account, aud = HarmonyAudience, numeric iat and
// exp, exp after now (else 80200005), exp-iat at most a day (else
// 80300036); an RSASSA-PSS SHA-256 signature that verifies with the key
// file's public key (else 80200001, HTTP 401). Then: the project id in the
// path; a push-type header of 0 or 2; a JSON body with no unknown fields;
// payload.notification with a known category, a title, a body and a
// clickAction (actionType 0, 1 with action or uri, 3 or 5 with data.tel);
// notifyId, badge and pushOptions ranges; 1..1000 target tokens (80300010);
// and the 4096-byte limit on the body without the tokens (80300008). It
// answers 80000000, or 80100000 / 80300007 (every token invalid) with msg
// {"illegalTokens":{"tokenFormatError":[…]},"success":n,"failure":m} for
// tokens marked with Invalidate. SetMisconfigured(true) answers every
// well-formed send with 80300007 "All the tokens are invalid." (plain text,
// naming no token), live tokens included: the v3 answer when the key file
// is of a project the tokens' app is not in (noRight), or the app lacks an
// entitlement. Fault codes are answered as
// {"code":"<code>","msg":"injected fault","requestId":…}.
type Harmony struct {
	*Server
	ProjectID  string
	KeyID      string
	SubAccount string
	PublicKey  *rsa.PublicKey

	mu      sync.Mutex
	seen    map[string]bool // JWTs used so far
	expired map[string]bool // JWTs made expired by ExpireTokens
	seq     atomic.Int64
}

// HarmonyCredentials returns a service-account key file shaped like the
// one the Huawei API Console issues, with a fresh 2048-bit RSA key (Huawei's
// are 4096-bit; 2048 keeps tests fast), project id "388421841222199046",
// so tests and demos need no files. Use it for both harmony.Config and
// NewHarmony. It returns nil only if the system's random source fails.
func HarmonyCredentials() []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil
	}
	var id [8]byte
	rand.Read(id[:])
	b, _ := json.MarshalIndent(map[string]string{
		"project_id":             "388421841222199046",
		"key_id":                 fmt.Sprintf("%x", id),
		"private_key":            string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"sub_account":            "1101224567",
		"auth_uri":               "https://oauth-login.cloud.huawei.com/oauth2/v3/authorize",
		"token_uri":              HarmonyAudience,
		"auth_provider_cert_uri": "https://oauth-login.cloud.huawei.com/oauth2/v3/certs",
		"client_cert_uri":        "https://oauth-login.cloud.huawei.com/oauth2/v3/x509?client_id=1101224567",
	}, "", "  ")
	return b
}

// NewHarmony starts a fake HarmonyOS Push Kit server for the project of a
// service-account key file (from HarmonyCredentials, or your own): it
// verifies JWTs with that file's public key.
func NewHarmony(credentialsJSON []byte) (*Harmony, error) {
	var sa struct {
		ProjectID  string `json:"project_id"`
		KeyID      string `json:"key_id"`
		PrivateKey string `json:"private_key"`
		SubAccount string `json:"sub_account"`
	}
	if json.Unmarshal(credentialsJSON, &sa) != nil {
		return nil, errors.New("pushtest: harmony credentials are not a JSON object")
	}
	if sa.ProjectID == "" || sa.KeyID == "" || sa.SubAccount == "" || sa.PrivateKey == "" {
		return nil, errors.New("pushtest: harmony credentials need project_id, key_id, sub_account and private_key")
	}
	rk, err := pemkey.RSA([]byte(sa.PrivateKey))
	if err != nil {
		return nil, errors.New("pushtest: harmony private_key " + err.Error())
	}
	h := &Harmony{ProjectID: sa.ProjectID, KeyID: sa.KeyID, SubAccount: sa.SubAccount, PublicKey: &rk.PublicKey,
		seen: map[string]bool{}, expired: map[string]bool{}}
	h.Server = newServer(false, func(p string) bool { return strings.HasSuffix(p, "/messages:send") }, h.handle, harmonyFault)
	h.addSecrets(sa.PrivateKey, strings.ReplaceAll(sa.PrivateKey, "\n", `\n`))
	return h, nil
}

// ExpireTokens makes every JWT used so far expired: the next send with one
// is answered 80200005, as Huawei does when exp has passed.
func (h *Harmony) ExpireTokens() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for t := range h.seen {
		h.expired[t] = true
	}
}

// JWTs counts the distinct JWTs the server has seen.
func (h *Harmony) JWTs() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.seen)
}

func harmonyFault(f Fault) (int, []byte) {
	status := 200
	switch f.Code {
	case "80200001", "80200005":
		status = 401
	}
	return status, huaweiAnswer(f.Code, "injected fault", "fault0000000000000")
}

// checkJWT returns "" and 0 when the JWT is good, else the v3 code and
// message.
func (h *Harmony) checkJWT(auth string) (string, string) {
	jwt, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || jwt == "" {
		return "80200001", "Authentication Error: no Bearer JWT"
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "80200001", "Authentication Error: a JWT has three parts"
	}
	enc := base64.RawURLEncoding
	hb, err1 := enc.DecodeString(parts[0])
	pb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return "80200001", "Authentication Error: JWT parts must be unpadded base64url"
	}
	var hdr struct {
		Alg, Typ, Kid string
	}
	if json.Unmarshal(hb, &hdr) != nil || hdr.Alg != "PS256" || hdr.Typ != "JWT" || hdr.Kid != h.KeyID {
		return "80200001", "Authentication Error: JWT header must be {kid:<key_id>, typ:JWT, alg:PS256}"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPSS(h.PublicKey, crypto.SHA256, sum[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) != nil {
		return "80200001", "Authentication Error: JWT signature does not verify (PS256)"
	}
	var claims struct {
		Iss string          `json:"iss"`
		Aud string          `json:"aud"`
		Iat json.RawMessage `json:"iat"`
		Exp json.RawMessage `json:"exp"`
	}
	if json.Unmarshal(pb, &claims) != nil {
		return "80200001", "Authentication Error: JWT payload is not JSON"
	}
	iat, errI := strconv.ParseInt(string(claims.Iat), 10, 64)
	exp, errE := strconv.ParseInt(string(claims.Exp), 10, 64)
	switch {
	case claims.Iss != h.SubAccount:
		return "80200001", "Authentication Error: iss must be the sub_account"
	case claims.Aud != HarmonyAudience:
		return "80200001", "Authentication Error: aud must be " + HarmonyAudience
	case errI != nil || errE != nil:
		return "80200001", "Authentication Error: iat and exp must be integer seconds"
	case exp-iat > 86400:
		return "80300036", "JWT expire period over threshold."
	case iat > time.Now().Unix()+300:
		return "80200001", "Authentication Error: iat is in the future"
	}
	h.mu.Lock()
	h.seen[jwt] = true
	gone := h.expired[jwt]
	h.mu.Unlock()
	if gone || exp <= time.Now().Unix() {
		return "80200005", "Jwt token expired."
	}
	return "", ""
}

// The v3 notification body, as far as the fake checks it. Unknown fields are
// refused so that a misspelt field is caught.
type hmRequest struct {
	Payload     *hmPayload     `json:"payload"`
	Target      *hmTarget      `json:"target"`
	PushOptions *hmPushOptions `json:"pushOptions"`
}

type hmPayload struct {
	Notification *hmNotification `json:"notification"`
	ExtraData    *string         `json:"extraData"`
}

type hmTarget struct {
	Token json.RawMessage `json:"token"`
}

type hmPushOptions struct {
	TestMessage *bool  `json:"testMessage"`
	TTL         *int64 `json:"ttl"`
	BiTag       string `json:"biTag"`
	ReceiptID   string `json:"receiptId"`
	CollapseKey *int   `json:"collapseKey"`
}

type hmNotification struct {
	Category       string         `json:"category"`
	Title          *string        `json:"title"`
	Body           *string        `json:"body"`
	Image          string         `json:"image"`
	Style          *int           `json:"style"`
	InboxContent   []string       `json:"inboxContent"`
	ClickAction    *hmClickAction `json:"clickAction"`
	NotifyID       *int64         `json:"notifyId"`
	AppMessageID   string         `json:"appMessageId"`
	ProfileID      string         `json:"profileId"`
	Badge          *hmBadge       `json:"badge"`
	Sound          string         `json:"sound"`
	SoundDuration  *int           `json:"soundDuration"`
	ForegroundShow *bool          `json:"foregroundShow"`
}

type hmClickAction struct {
	ActionType *int           `json:"actionType"`
	Action     string         `json:"action"`
	URI        string         `json:"uri"`
	Data       map[string]any `json:"data"`
}

type hmBadge struct {
	AddNum *int `json:"addNum"`
	SetNum *int `json:"setNum"`
}

var hmCategories = map[string]bool{
	"IM": true, "VOIP": true, "MISS_CALL": true, "SUBSCRIPTION": true, "TRAVEL": true, "HEALTH": true,
	"WORK": true, "ACCOUNT": true, "EXPRESS": true, "FINANCE": true, "DEVICE_REMINDER": true,
	"SYSTEM_REMINDER": true, "MAIL": true, "CUSTOMER_SERVICE": true, "MARKETING": true, "NEWS": true,
	"CONTENT_RECOMMENDATION": true, "SOCIAL_DYNAMICS": true, "PROMO": true, "PLAY_VOICE": true,
}

func (h *Harmony) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	if !strings.HasPrefix(r.URL.Path, "/v3/") || !strings.HasSuffix(r.URL.Path, "/messages:send") {
		return 404, jsonHeader(), []byte(`{"code":"404","msg":"not found"}`)
	}
	reqID := fmt.Sprintf("1736%015d", h.seq.Add(1))
	bad := func(code, msg string) (int, http.Header, []byte) {
		return 400, jsonHeader(), huaweiAnswer(code, msg, reqID)
	}
	if r.Method != http.MethodPost {
		return 405, jsonHeader(), huaweiAnswer("80100001", "method must be POST", reqID)
	}
	if code, msg := h.checkJWT(r.Header.Get("Authorization")); code != "" {
		status := 401
		if code == "80300036" {
			status = 400
		}
		return status, jsonHeader(), huaweiAnswer(code, msg, reqID)
	}
	if r.URL.Path != "/v3/"+h.ProjectID+"/messages:send" {
		return 401, jsonHeader(), huaweiAnswer("80200001", "Authentication Error: the project id in the URL is not the JWT's project", reqID)
	}
	pushType := r.Header.Get("push-type")
	if pushType != "0" && pushType != "2" {
		return bad("80100001", "push-type header must be 0 (alert) or 2 (extension) for a notification payload, got "+strconv.Quote(pushType))
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return bad("80100001", "content type must be application/json")
	}
	var req hmRequest
	dec := json.NewDecoder(bytes.NewReader(rec.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return bad("80100003", "Illegal payload, "+err.Error())
	}
	if req.Payload == nil || req.Target == nil {
		return bad("80100003", "Illegal payload, payload and target are required")
	}
	if size := len(rec.Body) - len(req.Target.Token) + len("[]"); size > 4096 {
		return bad("80300008", fmt.Sprintf("Push message size is too long: %d bytes without tokens", size))
	}
	var tokens []string
	if json.Unmarshal(req.Target.Token, &tokens) != nil {
		return bad("80100003", "Illegal payload, target.token must be an array of strings")
	}
	if len(tokens) == 0 || len(tokens) > 1000 {
		return bad("80300010", fmt.Sprintf("token count should within 1 and 1000, got %d", len(tokens)))
	}
	rec.Tokens = tokens
	if pushType == "0" && req.Payload.ExtraData != nil {
		return bad("80100003", "Illegal payload, extraData belongs to push-type 2")
	}
	n := req.Payload.Notification
	switch {
	case n == nil:
		return bad("80100003", "Illegal payload, payload.notification is required")
	case !hmCategories[n.Category]:
		return bad("80100001", "notification.category is required and must be a known category")
	case n.Category == "PLAY_VOICE" && pushType != "2":
		return 200, jsonHeader(), hmTokensAnswer("80300007", "notSupportPlayVoice", tokens, tokens, reqID)
	case n.Title == nil || *n.Title == "":
		return bad("80100001", "notification.title is required")
	case n.Body == nil || *n.Body == "":
		return bad("80100001", "notification.body is required")
	case n.ClickAction == nil || n.ClickAction.ActionType == nil:
		return bad("80100001", "notification.clickAction.actionType is required")
	}
	ca := n.ClickAction
	switch *ca.ActionType {
	case 0, 3:
	case 1:
		if ca.Action == "" && ca.URI == "" {
			return bad("80100001", "clickAction actionType 1 needs action or uri")
		}
	case 5:
		if tel, _ := ca.Data["tel"].(string); tel == "" || len(tel) > 20 {
			return bad("80100001", "clickAction actionType 5 needs data.tel")
		}
	default:
		return bad("80100001", "clickAction.actionType must be 0, 1, 3 or 5")
	}
	if n.NotifyID != nil && (*n.NotifyID < -1 || *n.NotifyID > 2147483647) {
		return bad("80100001", "notifyId must be a 32-bit int")
	}
	if b := n.Badge; b != nil {
		if b.AddNum != nil && (*b.AddNum < 1 || *b.AddNum > 99) {
			return bad("80100001", "badge.addNum must be 1..99")
		}
		if b.SetNum != nil && (*b.SetNum < 0 || *b.SetNum > 99) {
			return bad("80100001", "badge.setNum must be 0..99")
		}
	}
	test := false
	if o := req.PushOptions; o != nil {
		if o.TTL != nil && (*o.TTL < 1 || *o.TTL > 1296000) {
			return bad("80100001", "pushOptions.ttl must be 1..1296000 seconds")
		}
		if o.CollapseKey != nil && (*o.CollapseKey < -1 || *o.CollapseKey > 100) {
			return bad("80100001", "pushOptions.collapseKey must be -1..100")
		}
		test = o.TestMessage != nil && *o.TestMessage
	}
	if test && len(tokens) > 10 {
		return bad("80300030", "When send test message, token count exceed limit.")
	}

	if h.Misconfigured() {
		// The v3 response-code page's message for 80300007; its causes
		// include noRight (the tokens' app is not in the URL's project),
		// noPushTypeRight and appinfoError.
		return 200, jsonHeader(), huaweiAnswer("80300007", "All the tokens are invalid.", reqID)
	}
	illegal := h.judge(tokens, rec)
	switch {
	case len(illegal) == 0:
		return 200, jsonHeader(), huaweiAnswer("80000000", "Success", reqID)
	case len(illegal) == len(tokens):
		return 200, jsonHeader(), hmTokensAnswer("80300007", "tokenFormatError", tokens, illegal, reqID)
	}
	return 200, jsonHeader(), hmTokensAnswer("80100000", "tokenFormatError", tokens, illegal, reqID)
}

func hmTokensAnswer(code, reason string, tokens, illegal []string, reqID string) []byte {
	msg, _ := json.Marshal(map[string]any{
		"success":       len(tokens) - len(illegal),
		"failure":       len(illegal),
		"illegalTokens": map[string][]string{reason: illegal},
	})
	return huaweiAnswer(code, string(msg), reqID)
}

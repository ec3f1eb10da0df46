package pushtest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/offlinepush/push/internal/pemkey"
)

// FCM is a fake Firebase Cloud Messaging server: Google's OAuth2 token
// endpoint (POST /token) and the HTTP v1 send endpoint
// (POST /v1/projects/{project}/messages:send), served over TLS with HTTP/2
// like the real one. Point a client at it with push.WithEndpoint(f.URL())
// and push.WithHTTPClient(f.Client()) (which trusts its certificate).
//
// The token endpoint checks grant_type jwt-bearer and the RS256 JWT
// assertion: the signature against the service account's public key, kid =
// private_key_id, iss = client_email, aud = the token URL it was posted to
// (or the credentials' token_uri), a scope, and sane iat/exp (at most an
// hour apart, not in the future, not expired). It issues access tokens with
// expires_in (TokenTTL) or answers {"error":"invalid_grant",…}.
//
// The send endpoint checks POST, a JSON content type, a live bearer token
// with the firebase.messaging (or cloud-platform) scope, the project in the
// path, then the message: known field names only, exactly one target, data
// values strings with no reserved keys, android.priority, android.ttl as a
// protobuf Duration of at most four weeks, apns headers and payload shape,
// and the 4096-byte payload limit. It answers 200 {"name":…}, or
// google.rpc.Status errors with FcmError details: UNREGISTERED (404) for
// tokens marked with Invalidate, INVALID_ARGUMENT (400) for a malformed
// token or message, UNAUTHENTICATED (401) for a bad or expired access token,
// and SENDER_ID_MISMATCH (403) for every token while SetMisconfigured(true)
// is in force (FCM's answer to tokens of another Firebase project: the
// certificate's project is not the app's).
//
// Fault.Code is an FcmError code ("UNREGISTERED", "QUOTA_EXCEEDED",
// "UNAVAILABLE", "INTERNAL", "SENDER_ID_MISMATCH",
// "THIRD_PARTY_AUTH_ERROR", "INVALID_ARGUMENT") or a canonical status
// without FcmError details ("UNAUTHENTICATED", "PERMISSION_DENIED",
// "RESOURCE_EXHAUSTED", …), answered with its HTTP status. A fault with
// Path "/token" answers the token endpoint, Code as the OAuth error.
type FCM struct {
	*Server
	ProjectID   string
	ClientEmail string
	// TokenTTL is the lifetime of the access tokens issued (expires_in).
	// Set it before the first request. Zero means one hour.
	TokenTTL time.Duration

	keyID    string
	pub      *rsa.PublicKey
	tokenURI string
	seq      atomic.Int64

	mu     sync.Mutex
	access map[string]fcmAccess // issued access tokens
	conns  map[string]bool      // remote addresses seen
	protos map[string]int       // requests by protocol
	goAway *string              // SetGoAway: the code answered, "" to handle as usual; nil: off
}

type fcmAccess struct {
	expiry time.Time
	scopes []string
}

// FCM OAuth and API constants the fake checks.
const (
	fcmScope         = "https://www.googleapis.com/auth/firebase.messaging"
	cloudScope       = "https://www.googleapis.com/auth/cloud-platform"
	jwtBearerGrant   = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	fcmErrorTypeURL  = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
	badRequestType   = "type.googleapis.com/google.rpc.BadRequest"
	googleTokenURL   = "https://oauth2.googleapis.com/token"
	fcmMaxPayload    = 4096
	fcmMaxTTLSeconds = 2419200 // four weeks
)

// FCMCredentials returns a fresh service-account key JSON for projectID,
// shaped like the file the Firebase console downloads, with a new 2048-bit
// RSA key. Its token_uri is Google's; push.WithEndpoint sends the exchange
// to the fake instead. Give the same JSON to NewFCM and to the client.
func FCMCredentials(projectID string) []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("pushtest: generating an RSA key: " + err.Error())
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic("pushtest: encoding the RSA key: " + err.Error())
	}
	var kid [20]byte
	rand.Read(kid[:])
	email := "firebase-adminsdk-fake@" + projectID + ".iam.gserviceaccount.com"
	b, _ := json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  projectID,
		"private_key_id":              hex.EncodeToString(kid[:]),
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                email,
		"client_id":                   "100000000000000000001",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   googleTokenURL,
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"client_x509_cert_url":        "https://www.googleapis.com/robot/v1/metadata/x509/" + url.PathEscape(email),
		"universe_domain":             "googleapis.com",
	}, "", "  ")
	return b
}

// NewFCM starts a fake FCM server for the project and service account of
// credentialsJSON (from FCMCredentials, or any service-account key JSON).
// It panics on JSON that is not a service-account key.
func NewFCM(credentialsJSON []byte) *FCM {
	var sa struct {
		Type         string `json:"type"`
		ProjectID    string `json:"project_id"`
		PrivateKeyID string `json:"private_key_id"`
		PrivateKey   string `json:"private_key"`
		ClientEmail  string `json:"client_email"`
		TokenURI     string `json:"token_uri"`
	}
	if err := json.Unmarshal(credentialsJSON, &sa); err != nil || sa.Type != "service_account" || sa.ProjectID == "" || sa.ClientEmail == "" {
		panic("pushtest: NewFCM needs a service-account key JSON with project_id and client_email")
	}
	pub, err := rsaPublicKey(sa.PrivateKey)
	if err != nil {
		panic("pushtest: NewFCM: private_key " + err.Error())
	}
	f := &FCM{ProjectID: sa.ProjectID, ClientEmail: sa.ClientEmail, keyID: sa.PrivateKeyID, pub: pub,
		tokenURI: sa.TokenURI, access: map[string]fcmAccess{}, conns: map[string]bool{}, protos: map[string]int{}}
	if f.tokenURI == "" {
		f.tokenURI = googleTokenURL
	}
	f.Server = newServer(true, isFCMSend, f.handle, fcmFault)
	f.addSecrets(sa.PrivateKey)
	return f
}

func rsaPublicKey(pemKey string) (*rsa.PublicKey, error) {
	k, err := pemkey.RSA([]byte(pemKey))
	if err != nil {
		return nil, err
	}
	return &k.PublicKey, nil
}

func isFCMSend(p string) bool { return strings.HasSuffix(p, "/messages:send") }

// TokenRequests returns how many requests reached the token endpoint.
func (f *FCM) TokenRequests() int { return f.Count("/token") }

// ExpireTokens revokes every access token issued so far, as if they had
// expired: the next send with one is answered 401 UNAUTHENTICATED.
func (f *FCM) ExpireTokens() {
	f.mu.Lock()
	clear(f.access)
	f.mu.Unlock()
}

// SetGoAway makes the fake shut down every connection after its next send
// answer, as Google's front ends do when they drain a connection: an HTTP/2
// GOAWAY, then the close once the streams already accepted are answered.
// With code "" each send is handled as usual; else it is answered with that
// FcmError code or canonical status (e.g. "UNAVAILABLE", 503). Connections
// counts the reconnects. SetGoAway(false, "") ends it.
func (f *FCM) SetGoAway(on bool, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.goAway = nil
	if on {
		f.goAway = &code
	}
}

// Conns returns how many distinct client connections sent requests (by
// remote address). With HTTP/2 many requests share one connection.
func (f *FCM) Conns() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}

// Protocols returns how many requests arrived by each protocol
// ("HTTP/2.0", "HTTP/1.1").
func (f *FCM) Protocols() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.protos))
	for k, v := range f.protos {
		out[k] = v
	}
	return out
}

// ---- answers in Google's formats ------------------------------------------

// fcmStatus is a google.rpc.Status answer. fcmCode adds FcmError details;
// field adds a google.rpc.BadRequest violation.
func fcmStatus(httpStatus int, status, fcmCode, msg, field string) (int, http.Header, []byte) {
	e := map[string]any{"code": httpStatus, "message": msg, "status": status}
	var details []any
	if fcmCode != "" {
		details = append(details, map[string]any{"@type": fcmErrorTypeURL, "errorCode": fcmCode})
	}
	if field != "" {
		details = append(details, map[string]any{"@type": badRequestType,
			"fieldViolations": []any{map[string]string{"field": field, "description": msg}}})
	}
	if details != nil {
		e["details"] = details
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return httpStatus, jsonHeader(), b
}

// fcmCodes maps FcmError codes to their HTTP status and canonical status.
var fcmCodes = map[string]struct {
	http   int
	status string
}{
	"UNSPECIFIED_ERROR":      {500, "UNKNOWN"},
	"INVALID_ARGUMENT":       {400, "INVALID_ARGUMENT"},
	"UNREGISTERED":           {404, "NOT_FOUND"},
	"SENDER_ID_MISMATCH":     {403, "PERMISSION_DENIED"},
	"QUOTA_EXCEEDED":         {429, "RESOURCE_EXHAUSTED"},
	"UNAVAILABLE":            {503, "UNAVAILABLE"},
	"INTERNAL":               {500, "INTERNAL"},
	"THIRD_PARTY_AUTH_ERROR": {401, "UNAUTHENTICATED"},
}

// canonical maps canonical status codes (answered without FcmError) to HTTP.
var canonical = map[string]int{
	"INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400,
	"UNAUTHENTICATED": 401, "PERMISSION_DENIED": 403, "NOT_FOUND": 404,
	"ABORTED": 409, "ALREADY_EXISTS": 409, "RESOURCE_EXHAUSTED": 429,
	"CANCELLED": 499, "UNKNOWN": 500, "INTERNAL": 500, "UNIMPLEMENTED": 501,
	"UNAVAILABLE": 503, "DEADLINE_EXCEEDED": 504,
}

func fcmFault(f Fault) (int, []byte) {
	if strings.HasSuffix(f.Path, "/token") {
		status := 400
		if f.Code == "invalid_client" {
			status = 401
		}
		b, _ := json.Marshal(map[string]string{"error": f.Code, "error_description": "injected fault"})
		return status, b
	}
	if c, ok := fcmCodes[f.Code]; ok {
		st, _, b := fcmStatus(c.http, c.status, f.Code, "injected fault: "+f.Code, "")
		return st, b
	}
	if h, ok := canonical[f.Code]; ok {
		st, _, b := fcmStatus(h, f.Code, "", "injected fault: "+f.Code, "")
		return st, b
	}
	st, _, b := fcmStatus(500, "UNKNOWN", "UNSPECIFIED_ERROR", "injected fault: "+f.Code, "")
	return st, b
}

func (f *FCM) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	f.mu.Lock()
	f.conns[r.RemoteAddr] = true
	f.protos[r.Proto]++
	f.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/token"):
		return f.token(rec, r)
	case isFCMSend(r.URL.Path):
		f.mu.Lock()
		goAway := f.goAway
		f.mu.Unlock()
		if goAway == nil {
			return f.send(rec, r)
		}
		return goingAway(*goAway, func() (int, http.Header, []byte) { return f.send(rec, r) }, func(code string) (int, http.Header, []byte) {
			status, body := fcmFault(Fault{Code: code})
			return status, jsonHeader(), body
		})
	}
	return fcmStatus(404, "NOT_FOUND", "", "The requested URL "+r.URL.Path+" was not found on this server.", "")
}

// ---- token endpoint -------------------------------------------------------

func oauthError(status int, code, desc string) (int, http.Header, []byte) {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	return status, jsonHeader(), b
}

func (f *FCM) token(rec *Record, r *http.Request) (int, http.Header, []byte) {
	if r.Method != http.MethodPost {
		return oauthError(405, "invalid_request", "token requests must be POST")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return oauthError(400, "invalid_request", "content type must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(rec.Body))
	if err != nil {
		return oauthError(400, "invalid_request", "malformed form body")
	}
	rec.Form = form
	assertion := form.Get("assertion")
	// The assertion is a credential for an hour: keep it out of Dump.
	f.addSecrets(assertion)
	if g := form.Get("grant_type"); g != jwtBearerGrant {
		return oauthError(400, "unsupported_grant_type", "Invalid grant_type: "+g)
	}
	claims, err := f.verifyJWT(assertion)
	if err != nil {
		return oauthError(400, "invalid_grant", err.Error())
	}
	self := "https://" + r.Host + r.URL.Path
	if claims.Aud != self && claims.Aud != f.tokenURI {
		return oauthError(400, "invalid_grant", "Invalid JWT: Failed audience check. The expected value was "+self)
	}
	now := time.Now().Unix()
	if claims.Iat == 0 || claims.Exp == 0 || claims.Iat > now+300 || claims.Exp <= now ||
		claims.Exp-claims.Iat > 3600 || claims.Exp <= claims.Iat {
		return oauthError(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
	}
	scopes := strings.Fields(claims.Scope)
	if len(scopes) == 0 {
		return oauthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
	}
	var raw [24]byte
	rand.Read(raw[:])
	tok := "ya29.fake-" + base64.RawURLEncoding.EncodeToString(raw[:])
	ttl := f.TokenTTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	f.mu.Lock()
	f.access[tok] = fcmAccess{expiry: time.Now().Add(ttl), scopes: scopes}
	f.mu.Unlock()
	f.addSecrets(tok)
	b, _ := json.Marshal(map[string]any{"access_token": tok, "expires_in": int(ttl / time.Second), "token_type": "Bearer"})
	return 200, jsonHeader(), b
}

type jwtClaims struct {
	Iss   string `json:"iss"`
	Scope string `json:"scope"`
	Aud   string `json:"aud"`
	Exp   int64  `json:"exp"`
	Iat   int64  `json:"iat"`
	Sub   string `json:"sub"`
}

// verifyJWT checks an RS256 JWT signed by the service account's key and
// returns its claims.
func (f *FCM) verifyJWT(s string) (*jwtClaims, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, errors.New("Invalid JWT: not three dot-separated parts")
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, errors.New("Invalid JWT: parts must be unpadded base64url")
	}
	var h struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
		Kid string `json:"kid"`
	}
	if json.Unmarshal(hb, &h) != nil {
		return nil, errors.New("Invalid JWT: header is not JSON")
	}
	if h.Alg != "RS256" {
		return nil, fmt.Errorf("Invalid JWT: alg must be RS256, not %q", h.Alg)
	}
	if h.Kid != "" && f.keyID != "" && h.Kid != f.keyID {
		return nil, errors.New("Invalid JWT Signature.") // unknown key id
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, sum[:], sig) != nil {
		return nil, errors.New("Invalid JWT Signature.")
	}
	var c jwtClaims
	dec := json.NewDecoder(bytes.NewReader(cb))
	if dec.Decode(&c) != nil {
		return nil, errors.New("Invalid JWT: claim set is not JSON")
	}
	if c.Iss != f.ClientEmail {
		return nil, errors.New("Invalid grant: account not found")
	}
	return &c, nil
}

// ---- send endpoint --------------------------------------------------------

// The message as FCM's JSON mapping defines it. Unknown names are refused
// (DisallowUnknownFields), as FCM refuses them ("Cannot find field").
type fcmSendBody struct {
	ValidateOnly bool        `json:"validate_only"`
	Message      *fcmMessage `json:"message"`
}

type fcmMessage struct {
	Name         string            `json:"name"`
	Token        string            `json:"token"`
	Topic        string            `json:"topic"`
	Condition    string            `json:"condition"`
	Fid          string            `json:"fid"`
	Data         map[string]string `json:"data"`
	Notification *struct {
		Title string `json:"title"`
		Body  string `json:"body"`
		Image string `json:"image"`
	} `json:"notification"`
	Android    *fcmAndroid     `json:"android"`
	APNS       *fcmAPNS        `json:"apns"`
	Webpush    json.RawMessage `json:"webpush"`
	FcmOptions *struct {
		AnalyticsLabel string `json:"analytics_label"`
	} `json:"fcm_options"`
}

type fcmAndroid struct {
	CollapseKey           string            `json:"collapse_key"`
	Priority              string            `json:"priority"`
	TTL                   string            `json:"ttl"`
	RestrictedPackageName string            `json:"restricted_package_name"`
	Data                  map[string]string `json:"data"`
	Notification          *struct {
		Title                 string   `json:"title"`
		Body                  string   `json:"body"`
		Icon                  string   `json:"icon"`
		Color                 string   `json:"color"`
		Sound                 string   `json:"sound"`
		Tag                   string   `json:"tag"`
		ClickAction           string   `json:"click_action"`
		BodyLocKey            string   `json:"body_loc_key"`
		BodyLocArgs           []string `json:"body_loc_args"`
		TitleLocKey           string   `json:"title_loc_key"`
		TitleLocArgs          []string `json:"title_loc_args"`
		ChannelID             string   `json:"channel_id"`
		Ticker                string   `json:"ticker"`
		Sticky                bool     `json:"sticky"`
		EventTime             string   `json:"event_time"`
		LocalOnly             bool     `json:"local_only"`
		NotificationPriority  string   `json:"notification_priority"`
		DefaultSound          bool     `json:"default_sound"`
		DefaultVibrateTimings bool     `json:"default_vibrate_timings"`
		DefaultLightSettings  bool     `json:"default_light_settings"`
		VibrateTimings        []string `json:"vibrate_timings"`
		Visibility            string   `json:"visibility"`
		NotificationCount     *int     `json:"notification_count"`
		LightSettings         any      `json:"light_settings"`
		Image                 string   `json:"image"`
		Proxy                 string   `json:"proxy"`
	} `json:"notification"`
	FcmOptions   any  `json:"fcm_options"`
	DirectBootOk bool `json:"direct_boot_ok"`
}

type fcmAPNS struct {
	Headers           map[string]string          `json:"headers"`
	Payload           map[string]json.RawMessage `json:"payload"`
	FcmOptions        any                        `json:"fcm_options"`
	LiveActivityToken string                     `json:"live_activity_token"`
}

var (
	ttlFormat   = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,9})?s$`)
	tokenFormat = regexp.MustCompile(`^[A-Za-z0-9_:.\-]+$`)
	apnsTypes   = map[string]bool{"alert": true, "background": true, "voip": true, "location": true, "complication": true,
		"fileprovider": true, "mdm": true, "liveactivity": true, "pushtotalk": true, "controls": true, "widgets": true}
)

func (f *FCM) send(rec *Record, r *http.Request) (int, http.Header, []byte) {
	if r.Method != http.MethodPost {
		return fcmStatus(405, "INVALID_ARGUMENT", "", "messages:send must be POST", "")
	}
	// Auth first, as Google does.
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	acc, known := f.access[bearer]
	f.mu.Unlock()
	if !ok || !known || time.Now().After(acc.expiry) {
		return fcmStatus(401, "UNAUTHENTICATED", "", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "")
	}
	if !slices.Contains(acc.scopes, fcmScope) && !slices.Contains(acc.scopes, cloudScope) {
		return fcmStatus(403, "PERMISSION_DENIED", "", "Request had insufficient authentication scopes.", "")
	}
	project := strings.TrimSuffix(r.URL.Path[strings.LastIndex(r.URL.Path, "/projects/")+len("/projects/"):], "/messages:send")
	if !strings.Contains(r.URL.Path, "/v1/projects/") || project != f.ProjectID {
		return fcmStatus(403, "PERMISSION_DENIED", "", fmt.Sprintf("Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/%s' (or it may not exist).", project), "")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return fcmStatus(400, "INVALID_ARGUMENT", "", "Invalid JSON payload received. Content type must be application/json.", "")
	}
	invalid := func(msg, field string) (int, http.Header, []byte) {
		return fcmStatus(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", msg, field)
	}

	var body fcmSendBody
	dec := json.NewDecoder(bytes.NewReader(rec.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return invalid(fmt.Sprintf("Invalid value at '%s' (TYPE_%s)", te.Field, strings.ToUpper(te.Type.Kind().String())), te.Field)
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return invalid("Invalid JSON payload received. Unknown name "+name+": Cannot find field.", "")
		}
		return invalid("Invalid JSON payload received. "+err.Error(), "")
	}
	if dec.More() {
		return invalid("Invalid JSON payload received. Unexpected data after the message.", "")
	}
	m := body.Message
	if m == nil {
		return invalid("Request contains an invalid argument: message is required.", "message")
	}
	targets := 0
	for _, t := range []string{m.Token, m.Topic, m.Condition, m.Fid} {
		if t != "" {
			targets++
		}
	}
	if targets != 1 {
		return invalid("Request contains an invalid argument: exactly one of token, topic, condition, fid is required.", "message")
	}
	if m.Token != "" {
		rec.Tokens = []string{m.Token}
		if !tokenFormat.MatchString(m.Token) {
			return invalid("The registration token is not a valid FCM registration token", "message.token")
		}
	}

	size := 0
	if n := m.Notification; n != nil {
		if n.Title != "" {
			size += len("title") + len(n.Title)
		}
		if n.Body != "" {
			size += len("body") + len(n.Body)
		}
	}
	for k, v := range m.Data {
		if k == "from" || k == "message_type" || strings.HasPrefix(k, "google") || strings.HasPrefix(k, "gcm") {
			return invalid("Invalid data payload key: "+k, "message.data")
		}
		size += len(k) + len(v)
	}
	if a := m.Android; a != nil {
		switch a.Priority {
		case "", "normal", "high", "NORMAL", "HIGH":
		default:
			return invalid(fmt.Sprintf("Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), %q", a.Priority), "message.android.priority")
		}
		if a.TTL != "" {
			if !ttlFormat.MatchString(a.TTL) {
				return invalid("Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), Field 'ttl', Illegal duration format; duration must end with 's'", "message.android.ttl")
			}
			secs, _ := strconv.ParseFloat(strings.TrimSuffix(a.TTL, "s"), 64)
			if secs > fcmMaxTTLSeconds {
				return invalid("Invalid value at 'message.android.ttl': must be between 0 and 2419200 seconds (4 weeks)", "message.android.ttl")
			}
		}
	}
	if a := m.APNS; a != nil {
		if msg, field := checkAPNS(a); msg != "" {
			return invalid(msg, field)
		}
	}
	if size > fcmMaxPayload {
		return invalid(fmt.Sprintf("Message is too big: %d bytes, the limit is %d (title, body and data, keys and values)", size, fcmMaxPayload), "message")
	}

	if m.Token != "" && f.Misconfigured() {
		// The client's project is not the one the app's tokens were issued
		// for (a wrong service-account JSON or ProjectID): FCM's answer names
		// the sender, not a dead token.
		return fcmStatus(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch", "")
	}
	if m.Token != "" && f.IsInvalid(m.Token) {
		return fcmStatus(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.", "")
	}
	n := f.seq.Add(1)
	if !body.ValidateOnly && m.Token != "" {
		rec.Accepted = []string{m.Token}
	}
	b, _ := json.Marshal(map[string]string{"name": fmt.Sprintf("projects/%s/messages/0:%016d%%fake%04x", f.ProjectID, n, n&0xffff)})
	return 200, jsonHeader(), b
}

// checkAPNS checks the apns block the way APNs would take it.
func checkAPNS(a *fcmAPNS) (msg, field string) {
	for k, v := range a.Headers {
		switch strings.ToLower(k) {
		case "apns-priority":
			if v != "1" && v != "5" && v != "10" {
				return "apns-priority must be 1, 5 or 10", "message.apns.headers"
			}
		case "apns-push-type":
			if !apnsTypes[v] {
				return "unknown apns-push-type " + strconv.Quote(v), "message.apns.headers"
			}
		case "apns-collapse-id":
			if len(v) > 64 {
				return "apns-collapse-id must be at most 64 bytes", "message.apns.headers"
			}
		case "apns-expiration":
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return "apns-expiration must be a UNIX time in seconds", "message.apns.headers"
			}
		}
	}
	if a.Payload == nil {
		return "", ""
	}
	raw, ok := a.Payload["aps"]
	if !ok {
		return "", ""
	}
	var aps map[string]json.RawMessage
	if json.Unmarshal(raw, &aps) != nil {
		return "apns.payload.aps must be an object", "message.apns.payload"
	}
	if b, ok := aps["badge"]; ok {
		var n int
		if json.Unmarshal(b, &n) != nil || n < 0 {
			return "aps.badge must be a non-negative integer", "message.apns.payload"
		}
	}
	if s, ok := aps["sound"]; ok {
		var str string
		var dict map[string]any
		if json.Unmarshal(s, &str) != nil && json.Unmarshal(s, &dict) != nil {
			return "aps.sound must be a string or a critical-sound dictionary", "message.apns.payload"
		}
	}
	if b, _ := json.Marshal(a.Payload); len(b) > fcmMaxPayload {
		return "APNs payload is too big", "message.apns.payload"
	}
	return "", ""
}

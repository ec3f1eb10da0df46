package pushtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/offlinepush/push/internal/pemkey"
)

// APNs is a fake Apple Push Notification service (provider API with token
// authentication): POST /3/device/<token> over TLS and HTTP/2.
//
// It checks, as APNs does: HTTP/2 (anything else is answered 505 with the
// fake's own reason "HTTP2Required"); POST (405 MethodNotAllowed); the path
// (404 BadPath); each apns-* header at most once (400 DuplicateHeaders);
// "authorization: bearer <JWT>" (403 MissingProviderToken), the JWT signed
// ES256 by the key's public half, with kid = KeyID, iss = TeamID and an
// integer iat (403 InvalidProviderToken) no older than one hour (403
// ExpiredProviderToken) and not more than 10 minutes ahead; apns-topic equal
// to Topic (400 MissingTopic / TopicDisallowed); a known apns-push-type (400
// InvalidPushType); apns-priority 10, 5 or 1 (400 BadPriority); a
// non-negative integer apns-expiration (400 BadExpirationDate);
// apns-collapse-id of at most 64 bytes (400 BadCollapseId); apns-id a UUID
// (400 BadMessageId); a device token of 64 to 200 hex digits, even length
// (400 MissingDeviceToken / BadDeviceToken); a non-empty payload (400
// PayloadEmpty) of at most 4096 bytes (413 PayloadTooLarge) that is a JSON
// object with an "aps" object (400 with the fake's own reason "BadPayload":
// Apple documents no reason for it).
//
// It answers 200 with apns-id (the request's, or a new UUID) and
// apns-unique-id and an empty body; 410 {"reason":"Unregistered",
// "timestamp":<ms>} for tokens marked with Invalidate; 400 BadDeviceToken
// for every token while SetMisconfigured(true) is in force (the answer of
// the wrong environment: a development build's tokens sent to production,
// or the reverse). Fault.Code is answered as {"reason": Code} with the
// status APNs uses for that reason (e.g. TooManyRequests 429,
// ExpiredProviderToken 403, ServiceUnavailable 503; an unknown reason 400).
//
// The client must trust the fake's certificate and speak HTTP/2: use
// push.WithHTTPClient(srv.Client()) with push.WithEndpoint(srv.URL()).
type APNs struct {
	*Server
	TeamID string
	KeyID  string
	Topic  string

	pub *ecdsa.PublicKey

	mu     sync.Mutex
	now    func() time.Time
	jwts   map[string]int64 // distinct provider tokens that verified, and their iat
	goAway *string          // SetGoAway: the reason answered, "" to handle as usual; nil: off
}

// NewAPNs starts a fake APNs server for one signing key and app. key is the
// .p8 PEM the client is configured with (or the PEM of its public key); the
// fake verifies provider tokens against its public half. It panics when key
// is not a P-256 key, like httptest does on setup failures: it is test code.
func NewAPNs(teamID, keyID string, key []byte, topic string) *APNs {
	pub, err := apnsPublicKey(key)
	if err != nil {
		panic("pushtest: NewAPNs: " + err.Error())
	}
	a := &APNs{TeamID: teamID, KeyID: keyID, Topic: topic, pub: pub, jwts: map[string]int64{}}
	a.Server = newServer(true, func(p string) bool { return strings.HasPrefix(p, "/3/device/") }, a.handleGoAway, apnsFault)
	a.addSecrets(string(key))
	return a
}

// APNsKey returns a fresh .p8 signing key: a PEM "PRIVATE KEY" (PKCS#8,
// ECDSA P-256), as Apple issues them. Tests and demos use it to need no key
// files.
func APNsKey() []byte {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("pushtest: APNsKey: " + err.Error())
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic("pushtest: APNsKey: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func apnsPublicKey(p []byte) (*ecdsa.PublicKey, error) {
	if block, _ := pem.Decode(p); block != nil && block.Type == "PUBLIC KEY" {
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if ek, ok := k.(*ecdsa.PublicKey); err == nil && ok && ek.Curve == elliptic.P256() {
			return ek, nil
		}
		return nil, errors.New("public key is not an ECDSA P-256 key")
	}
	k, err := pemkey.P256(p)
	if err != nil {
		return nil, errors.New("key " + err.Error())
	}
	return &k.PublicKey, nil
}

// SetClock replaces the clock the fake judges JWT ages with (nil: real time).
func (a *APNs) SetClock(now func() time.Time) { a.mu.Lock(); a.now = now; a.mu.Unlock() }

func (a *APNs) clock() time.Time {
	a.mu.Lock()
	now := a.now
	a.mu.Unlock()
	if now == nil {
		return time.Now()
	}
	return now()
}

// Signatures returns how many distinct provider tokens (JWTs) verified so
// far. A client that shares and caches its token keeps this at 1 for 50
// minutes.
func (a *APNs) Signatures() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.jwts)
}

// SetGoAway makes the fake shut down every connection after its next
// answer, as APNs does before it closes a connection: an HTTP/2 GOAWAY, then
// the close once the streams already accepted are answered. With reason ""
// each request is handled as usual; else it is answered with that reason
// and its status (e.g. "Shutdown", 503), as APNs gives the reason of a
// GOAWAY. A client that reconnects at once, again and again, is what APNs
// treats as abuse: Connections counts the reconnects. SetGoAway(false, "")
// ends it.
func (a *APNs) SetGoAway(on bool, reason string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.goAway = nil
	if on {
		a.goAway = &reason
	}
}

func (a *APNs) handleGoAway(rec *Record, r *http.Request) (int, http.Header, []byte) {
	a.mu.Lock()
	goAway := a.goAway
	a.mu.Unlock()
	if goAway == nil {
		return a.handle(rec, r)
	}
	return goingAway(*goAway, func() (int, http.Header, []byte) { return a.handle(rec, r) }, func(reason string) (int, http.Header, []byte) {
		status := apnsStatus[reason]
		if status == 0 {
			status = 400
		}
		rec.Tokens = []string{strings.TrimPrefix(r.URL.Path, "/3/device/")}
		return status, a.idHeader(r), apnsError(reason, time.Time{})
	})
}

// apnsStatus is the HTTP status APNs answers with each reason.
var apnsStatus = map[string]int{
	"BadCollapseId": 400, "BadDeviceToken": 400, "BadExpirationDate": 400, "BadMessageId": 400,
	"BadPriority": 400, "BadTopic": 400, "DeviceTokenNotForTopic": 400, "DuplicateHeaders": 400,
	"IdleTimeout": 400, "InvalidPushType": 400, "MissingDeviceToken": 400, "MissingTopic": 400,
	"PayloadEmpty": 400, "TopicDisallowed": 400,
	"BadCertificate": 403, "BadCertificateEnvironment": 403, "ExpiredProviderToken": 403,
	"Forbidden": 403, "InvalidProviderToken": 403, "MissingProviderToken": 403,
	"UnrelatedKeyIdInToken": 403, "BadEnvironmentKeyIdInToken": 403,
	"BadPath": 404, "MethodNotAllowed": 405,
	"ExpiredToken": 410, "Unregistered": 410,
	"PayloadTooLarge":             413,
	"TooManyProviderTokenUpdates": 429, "TooManyRequests": 429,
	"InternalServerError": 500, "ServiceUnavailable": 503, "Shutdown": 503,
}

func apnsFault(f Fault) (int, []byte) {
	status, ok := apnsStatus[f.Code]
	if !ok {
		status = 400
	}
	if status == 410 {
		return status, apnsError(f.Code, time.Now())
	}
	return status, apnsError(f.Code, time.Time{})
}

func apnsError(reason string, ts time.Time) []byte {
	m := map[string]any{"reason": reason}
	if !ts.IsZero() {
		m["timestamp"] = ts.UnixMilli()
	}
	b, _ := json.Marshal(m)
	return b
}

var apnsPushTypes = map[string]bool{"alert": true, "background": true, "voip": true, "location": true,
	"complication": true, "fileprovider": true, "mdm": true, "liveactivity": true, "pushtotalk": true,
	"controls": true, "widgets": true}

func (a *APNs) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	fail := func(reason string) (int, http.Header, []byte) {
		st, ok := apnsStatus[reason]
		if !ok {
			st = 400
		}
		return st, a.idHeader(r), apnsError(reason, time.Time{})
	}
	if r.ProtoMajor != 2 {
		return 505, nil, apnsError("HTTP2Required", time.Time{})
	}
	if r.Method != http.MethodPost {
		return fail("MethodNotAllowed")
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	if !ok || strings.Contains(token, "/") {
		return fail("BadPath")
	}
	for k, vs := range r.Header {
		if (strings.HasPrefix(k, "Apns-") || k == "Authorization") && len(vs) > 1 {
			return fail("DuplicateHeaders")
		}
	}
	if reason := a.checkJWT(r.Header.Get("Authorization")); reason != "" {
		return fail(reason)
	}
	switch topic := r.Header.Get("Apns-Topic"); {
	case topic == "":
		return fail("MissingTopic")
	case topic != a.Topic:
		return fail("TopicDisallowed")
	}
	if pt := r.Header.Get("Apns-Push-Type"); pt != "" && !apnsPushTypes[pt] {
		return fail("InvalidPushType")
	}
	if p, ok := r.Header["Apns-Priority"]; ok && p[0] != "10" && p[0] != "5" && p[0] != "1" {
		return fail("BadPriority")
	}
	if e, ok := r.Header["Apns-Expiration"]; ok {
		if n, err := strconv.ParseInt(e[0], 10, 64); err != nil || n < 0 {
			return fail("BadExpirationDate")
		}
	}
	if len(r.Header.Get("Apns-Collapse-Id")) > 64 {
		return fail("BadCollapseId")
	}
	if id, ok := r.Header["Apns-Id"]; ok && !isUUID(id[0]) {
		return fail("BadMessageId")
	}
	if token == "" {
		return fail("MissingDeviceToken")
	}
	rec.Tokens = []string{token}
	if !apnsToken(token) {
		return fail("BadDeviceToken")
	}
	if a.Misconfigured() {
		// The client sends to the other environment (Config.Sandbox wrong):
		// there, no token of this app is known, and Apple answers every one
		// as malformed.
		return fail("BadDeviceToken")
	}
	switch {
	case len(rec.Body) == 0:
		return fail("PayloadEmpty")
	case len(rec.Body) > 4096:
		return fail("PayloadTooLarge")
	}
	var body map[string]json.RawMessage
	var aps map[string]json.RawMessage
	if json.Unmarshal(rec.Body, &body) != nil || body == nil || json.Unmarshal(body["aps"], &aps) != nil || aps == nil {
		return fail("BadPayload")
	}
	if a.IsInvalid(token) {
		return 410, a.idHeader(r), apnsError("Unregistered", a.clock())
	}
	rec.Accepted = []string{token}
	h := a.idHeader(r)
	h.Set("Apns-Unique-Id", newUUID())
	return 200, h, nil
}

// idHeader echoes the request's apns-id, or makes one, as APNs does.
func (a *APNs) idHeader(r *http.Request) http.Header {
	id := r.Header.Get("Apns-Id")
	if id == "" || !isUUID(id) {
		id = newUUID()
	}
	return http.Header{"Apns-Id": {id}}
}

// checkJWT verifies a provider token and returns the APNs reason when it
// fails, or "".
func (a *APNs) checkJWT(authz string) string {
	scheme, tok, ok := strings.Cut(authz, " ")
	if authz == "" {
		return "MissingProviderToken"
	}
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "InvalidProviderToken"
	}
	a.mu.Lock()
	iat, seen := a.jwts[tok]
	a.mu.Unlock()
	if seen { // verified before: only its age can have changed
		return a.checkAge(iat)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "InvalidProviderToken"
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Iss string          `json:"iss"`
		Iat json.RawMessage `json:"iat"`
	}
	if !decodeSegment(parts[0], &hdr) || !decodeSegment(parts[1], &claims) {
		return "InvalidProviderToken"
	}
	if hdr.Alg != "ES256" || hdr.Kid != a.KeyID || claims.Iss != a.TeamID {
		return "InvalidProviderToken"
	}
	iat, err := strconv.ParseInt(string(claims.Iat), 10, 64)
	if err != nil {
		return "InvalidProviderToken"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return "InvalidProviderToken"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(a.pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return "InvalidProviderToken"
	}
	if reason := a.checkAge(iat); reason != "" {
		return reason
	}
	a.mu.Lock()
	a.jwts[tok] = iat
	a.mu.Unlock()
	return ""
}

func (a *APNs) checkAge(iat int64) string {
	now := a.clock()
	switch at := time.Unix(iat, 0); {
	case now.Sub(at) > time.Hour:
		return "ExpiredProviderToken"
	case at.Sub(now) > 10*time.Minute:
		return "InvalidProviderToken" // issued in the future
	}
	return ""
}

func decodeSegment(s string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && json.Unmarshal(b, v) == nil
}

// apnsToken reports whether t looks like an APNs device token: hex, even
// length, 32 to 100 bytes (today's tokens are 32 bytes).
func apnsToken(t string) bool {
	if len(t) < 64 || len(t) > 200 || len(t)%2 != 0 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

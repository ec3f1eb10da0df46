package pushtest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Vivo is a fake vivo Push server: POST /message/auth, /message/send,
// /message/saveListPayload and /message/pushToList, all JSON.
//
// Auth: appId must be a JSON number equal to the app's (10205), appKey
// equal (10201/10202), timestamp a number within 10 minutes of the server
// clock (10203/10207), and sign the lowercase hex MD5 of
// appId+appKey+timestamp+appSecret (10204/10206). It answers an authToken
// valid for TokenLifetime.
//
// Every other call needs a live token in the "authToken" header (else
// result 10000, vivo's "权限认证失败"), a body appId equal to the app's
// (10094) and a requestId of 1..64 characters (10352/10353). A requestId
// seen before on the same endpoint with a success is answered like the
// first time and nothing is delivered again, as vivo dedupes it.
//
// Messages (send, saveListPayload) are checked for field types and for
// notifyType 1..4, a non-blank title ≤40 and content ≤100 characters,
// skipType 1..4 with a matching skipContent (none for 1, an http(s) URL ≤1000
// for 2, an intent URI ≤1024 for 4), timeToLive 60 s (900 s for lists) to 7
// days, networkType -1 or 1, classification 0 or 1 agreeing with a known
// category, at most 10 clientCustomMap pairs of at most 1024 characters in
// all, notifyId 1..2147483647, pushMode 0 or 1. send needs a regId;
// saveListPayload answers a taskId; pushToList needs 2..1000 regIds and a
// saved, unexpired taskId (10153/10155).
//
// Tokens marked with Invalidate are answered as invalid: result 10302 with
// invalidUser for send, result 0 with invalidUsers for pushToList (status
// 1). With pushMode 1, regIds not registered with TestDevices are answered
// with status 4. With SetMisconfigured(true) (the regIds were registered by
// another vivo app) every regId is answered so, with status 1.
//
// Fault codes are answered as {"result":<code>,"desc":…} in an HTTP 200:
// "10000" token rejected, "10070"/"10073" daily quota, "10072" too fast,
// "10252" too many list bodies. vivo's "busy" is an HTTP 500
// (Fault{Status: 500, Body: "Internet server error!"}). DropAfterProcessing
// makes the server act on a request and then drop the connection.
type Vivo struct {
	*Server
	AppID     string
	AppKey    string
	AppSecret string
	// TokenLifetime is how long an issued authToken is accepted (24 h).
	TokenLifetime time.Duration
	// TaskLifetime is how long a saved list body can be pushed (24 h).
	TaskLifetime time.Duration

	appID int64

	mu      sync.Mutex
	seq     int64                // taskIds
	tokSeq  int64                // authTokens
	tokens  map[string]time.Time // authToken → expiry
	tasks   map[string]vivoTask
	seen    map[string]vivoSeen // path + requestId → first answer
	drops   map[string]int      // path suffix → requests still to drop
	testers map[string]bool
	deduped int
	reused  []string
}

type vivoTask struct {
	expiry   time.Time
	pushMode int64
}

type vivoSeen struct {
	body, answer []byte
}

// NewVivo starts a fake vivo server for one app. appID is the decimal app
// id, as in vivo.Config.
func NewVivo(appID, appKey, appSecret string) *Vivo {
	v := &Vivo{AppID: appID, AppKey: appKey, AppSecret: appSecret, TokenLifetime: 24 * time.Hour, TaskLifetime: 24 * time.Hour,
		tokens: map[string]time.Time{}, tasks: map[string]vivoTask{}, seen: map[string]vivoSeen{},
		drops: map[string]int{}, testers: map[string]bool{}}
	v.appID, _ = strconv.ParseInt(appID, 10, 64)
	v.Server = newServer(false, isVivoSend, v.handle, vivoFault)
	v.addSecrets(appKey, appSecret)
	return v
}

func isVivoSend(p string) bool {
	return strings.HasSuffix(p, "/message/send") || strings.HasSuffix(p, "/message/saveListPayload") ||
		strings.HasSuffix(p, "/message/pushToList")
}

// ExpireTokens makes every authToken issued so far invalid, as when a day
// has passed: the next call with one is answered 10000.
func (v *Vivo) ExpireTokens() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for t := range v.tokens {
		v.tokens[t] = time.Time{}
	}
}

// ExpireTasks makes every saved list body expire: pushToList with its
// taskId is answered 10155.
func (v *Vivo) ExpireTasks() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for id, t := range v.tasks {
		t.expiry = time.Time{}
		v.tasks[id] = t
	}
}

// TestDevices registers regIds as test devices, the only ones a pushMode 1
// (test) push reaches.
func (v *Vivo) TestDevices(regIDs ...string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, id := range regIDs {
		v.testers[id] = true
	}
}

// DropAfterProcessing makes the next n requests whose path ends in path be
// handled in full (tokens accepted, answer remembered for the requestId)
// and then drops the connection without an answer, as when the network
// fails after vivo acted. A client that retries with the same requestId is
// answered like the first time and nothing is delivered twice.
func (v *Vivo) DropAfterProcessing(path string, n int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.drops[path] += n
}

// Deduped returns how many requests were answered from the requestId memory
// (repeats that delivered nothing).
func (v *Vivo) Deduped() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.deduped
}

// ReusedRequestIDs returns the requestIds that came back with a different
// body than the first time. vivo drops such a request silently, so its new
// content is never delivered: a correct client leaves this empty.
func (v *Vivo) ReusedRequestIDs() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.reused...)
}

// Reset forgets the records, faults, invalid tokens, test devices, drops
// and requestIds. Issued authTokens and saved tasks stay valid.
func (v *Vivo) Reset() {
	v.Server.Reset()
	v.mu.Lock()
	v.seen, v.drops, v.testers, v.deduped, v.reused = map[string]vivoSeen{}, map[string]int{}, map[string]bool{}, 0, nil
	v.mu.Unlock()
}

func vivoFault(f Fault) (int, []byte) {
	return http.StatusOK, vivoAnswer(f.Code, "injected fault", nil)
}

// vivoAnswer renders {"result":code,"desc":desc,…extra}.
func vivoAnswer(code, desc string, extra map[string]any) []byte {
	m := map[string]any{"result": json.Number(code), "desc": desc}
	for k, val := range extra {
		m[k] = val
	}
	b, _ := json.Marshal(m)
	return b
}

// vivoError is a refusal: the code and a description.
type vivoError struct {
	code int
	desc string
}

func (e *vivoError) answer() (int, http.Header, []byte) {
	return http.StatusOK, jsonHeader(), vivoAnswer(strconv.Itoa(e.code), e.desc, nil)
}

func vfail(code int, format string, args ...any) *vivoError {
	return &vivoError{code, fmt.Sprintf(format, args...)}
}

func (v *Vivo) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	switch r.URL.Path {
	case "/message/auth", "/message/send", "/message/saveListPayload", "/message/pushToList":
	default:
		return http.StatusNotFound, jsonHeader(), []byte(`{"timestamp":0,"status":404,"error":"Not Found"}`)
	}
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, jsonHeader(), []byte(`{"status":405,"error":"Method Not Allowed"}`)
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return http.StatusUnsupportedMediaType, jsonHeader(), []byte(`{"status":415,"error":"Unsupported Media Type: the body must be application/json"}`)
	}
	var f vivoFields
	if err := json.Unmarshal(rec.Body, &f); err != nil || f == nil {
		return http.StatusBadRequest, jsonHeader(), []byte(`{"status":400,"error":"Bad Request: the body must be a JSON object"}`)
	}
	if r.URL.Path == "/message/auth" {
		return v.auth(f)
	}

	token := r.Header.Get("authToken")
	v.mu.Lock()
	exp, ok := v.tokens[token]
	v.mu.Unlock()
	if token == "" || !ok || !time.Now().Before(exp) {
		return vfail(10000, "权限认证失败").answer()
	}
	if id, ok, err := f.int("appId"); err != nil || !ok || id != v.appID {
		return vfail(10094, "appId must be the JSON number of the app whose authToken is used").answer()
	}
	reqID, ok, err := f.str("requestId")
	switch {
	case err != nil || !ok || reqID == "":
		return vfail(10352, "requestId is required").answer()
	case utf8.RuneCountInString(reqID) > 64:
		return vfail(10353, "requestId must be at most 64 characters").answer()
	}

	key := r.URL.Path + "\x00" + reqID
	v.mu.Lock()
	first, dup := v.seen[key]
	if dup {
		v.deduped++
		if !bytes.Equal(first.body, rec.Body) {
			v.reused = append(v.reused, reqID)
		}
	}
	v.mu.Unlock()
	if dup {
		if ids, _, err := f.strs("regIds"); err == nil && ids != nil {
			rec.Tokens = ids
		} else if id, _, _ := f.str("regId"); id != "" {
			rec.Tokens = []string{id}
		}
		return v.maybeDrop(rec, r, first.answer)
	}

	var out []byte
	var verr *vivoError
	switch r.URL.Path {
	case "/message/send":
		out, verr = v.send(rec, f)
	case "/message/saveListPayload":
		out, verr = v.saveList(f)
	case "/message/pushToList":
		out, verr = v.pushToList(rec, f)
	}
	if verr != nil {
		return verr.answer()
	}
	var res struct {
		Result int `json:"result"`
	}
	if json.Unmarshal(out, &res) == nil && res.Result == 0 {
		v.mu.Lock()
		v.seen[key] = vivoSeen{body: rec.Body, answer: out}
		v.mu.Unlock()
	}
	return v.maybeDrop(rec, r, out)
}

// maybeDrop answers out, or drops the connection after the work was done
// when DropAfterProcessing asked for it.
func (v *Vivo) maybeDrop(rec *Record, r *http.Request, out []byte) (int, http.Header, []byte) {
	v.mu.Lock()
	drop := false
	for p, n := range v.drops {
		if n > 0 && strings.HasSuffix(r.URL.Path, p) {
			v.drops[p]--
			drop = true
			break
		}
	}
	v.mu.Unlock()
	if drop {
		rec.Fault = true
		panic(http.ErrAbortHandler) // the record is kept with Status 0
	}
	return http.StatusOK, jsonHeader(), out
}

func (v *Vivo) auth(f vivoFields) (int, http.Header, []byte) {
	raw, ok := f["appId"]
	if !ok || string(raw) == "null" {
		return vfail(10200, "appId不能为空").answer()
	}
	id, _, err := f.int("appId")
	if err != nil {
		return vfail(10205, "appId must be a JSON number").answer()
	}
	if id != v.appID {
		return vfail(10205, "appId不存在").answer()
	}
	appKey, ok, err := f.str("appKey")
	if err != nil || !ok || appKey == "" {
		return vfail(10201, "appKey不能为空").answer()
	}
	if appKey != v.AppKey {
		return vfail(10202, "appKey不合法").answer()
	}
	ts, ok, err := f.int("timestamp")
	if err != nil || !ok {
		return vfail(10203, "timestamp must be a JSON number (Unix milliseconds)").answer()
	}
	if d := time.Since(time.UnixMilli(ts)); d > 10*time.Minute || d < -10*time.Minute {
		return vfail(10207, "timestamp不合法: more than 10 minutes from the server clock").answer()
	}
	sign, ok, err := f.str("sign")
	if err != nil || !ok || sign == "" {
		return vfail(10204, "sign不能为空").answer()
	}
	sum := md5.Sum([]byte(strconv.FormatInt(id, 10) + v.AppKey + strconv.FormatInt(ts, 10) + v.AppSecret))
	if sign != hex.EncodeToString(sum[:]) {
		return vfail(10206, "sign不正确").answer()
	}
	v.mu.Lock()
	v.tokSeq++
	// The counter is fixed-width so that no token is the start of
	// another, which Record.Dump's masking relies on.
	tok := fmt.Sprintf("fake-vivo-authtoken-%08d", v.tokSeq)
	v.tokens[tok] = time.Now().Add(v.TokenLifetime)
	v.mu.Unlock()
	v.addSecrets(tok) // masked in Record dumps
	return http.StatusOK, jsonHeader(), vivoAnswer("0", "请求成功", map[string]any{"authToken": tok})
}

// message checks the notification fields shared by send and saveListPayload.
func (v *Vivo) message(f vivoFields, minTTL int64) (pushMode int64, verr *vivoError) {
	nt, ok, err := f.int("notifyType")
	if err != nil || !ok || nt < 1 || nt > 4 {
		return 0, vfail(10054, "notifyType must be the number 1, 2, 3 or 4")
	}
	title, ok, err := f.str("title")
	switch {
	case err != nil || !ok || strings.TrimSpace(title) == "":
		return 0, vfail(10055, "title must be a non-blank string")
	case utf8.RuneCountInString(title) > 40:
		return 0, vfail(10056, "title must be at most 40 characters")
	}
	content, ok, err := f.str("content")
	switch {
	case err != nil || !ok || strings.TrimSpace(content) == "":
		return 0, vfail(10057, "content must be a non-blank string")
	case utf8.RuneCountInString(content) > 100:
		return 0, vfail(10058, "content must be at most 100 characters")
	}
	if ttl, ok, err := f.int("timeToLive"); err != nil || ok && (ttl < minTTL || ttl > 7*24*3600) {
		return 0, vfail(10059, "timeToLive must be a number of seconds from %d to 604800", minTTL)
	}
	st, ok, err := f.int("skipType")
	if err != nil || !ok || st < 1 || st > 4 {
		return 0, vfail(10060, "skipType must be the number 1, 2, 3 or 4")
	}
	sc, hasSC, err := f.str("skipContent")
	if err != nil {
		return 0, vfail(10061, "skipContent must be a string")
	}
	switch st {
	case 1:
		if hasSC && sc != "" {
			return 0, vfail(10061, "skipType 1 (open the app) takes no skipContent")
		}
	case 2:
		if !strings.HasPrefix(sc, "http://") && !strings.HasPrefix(sc, "https://") {
			return 0, vfail(10061, "skipType 2 needs an http(s) URL in skipContent")
		}
		if utf8.RuneCountInString(sc) > 1000 {
			return 0, vfail(10062, "skipContent must be at most 1000 characters for skipType 2")
		}
	case 3, 4:
		if sc == "" || st == 4 && !strings.Contains(sc, "#Intent;") {
			return 0, vfail(10061, "skipType %d needs skipContent (an intent URI for 4)", st)
		}
		if utf8.RuneCountInString(sc) > 1024 {
			return 0, vfail(10062, "skipContent must be at most 1024 characters for skipType %d", st)
		}
	}
	if nw, ok, err := f.int("networkType"); err != nil || ok && nw != -1 && nw != 1 {
		return 0, vfail(10063, "networkType must be -1 or 1")
	}
	if m, ok, err := f.strMap("clientCustomMap"); err != nil {
		return 0, vfail(10066, "clientCustomMap must be an object of strings")
	} else if ok {
		if len(m) > 10 {
			return 0, vfail(10066, "clientCustomMap takes at most 10 pairs")
		}
		n := 0
		for k, val := range m {
			n += utf8.RuneCountInString(k) + utf8.RuneCountInString(val)
		}
		if n > 1024 {
			return 0, vfail(10067, "clientCustomMap keys and values must be at most 1024 characters in all")
		}
	}
	class, hasClass, err := f.int("classification")
	if err != nil || hasClass && class != 0 && class != 1 {
		return 0, vfail(11000, "classification must be 0 or 1")
	}
	if cat, ok, err := f.str("category"); err != nil {
		return 0, vfail(10096, "category must be a string")
	} else if ok {
		want, known := vivoCategories[cat]
		if !known {
			return 0, vfail(10096, "category %q is not a vivo category", cat)
		}
		if hasClass && class != want {
			return 0, vfail(10097, "category %s does not match classification %d", cat, class)
		}
	}
	if id, ok, err := f.int("notifyId"); err != nil || ok && (id < 1 || id > 2147483647) {
		return 0, vfail(10095, "notifyId must be 1..2147483647")
	}
	pm, _, err := f.int("pushMode")
	if err != nil || pm != 0 && pm != 1 {
		return 0, vfail(10051, "pushMode must be 0 or 1")
	}
	return pm, nil
}

var vivoCategories = map[string]int64{
	"IM": 1, "ACCOUNT": 1, "TODO": 1, "DEVICE_REMINDER": 1, "ORDER": 1, "SUBSCRIPTION": 1,
	"CONTENT": 0, "MARKETING": 0, "SOCIAL": 0,
}

func (v *Vivo) send(rec *Record, f vivoFields) ([]byte, *vivoError) {
	regID, _, err := f.str("regId")
	if err != nil || regID == "" {
		return nil, vfail(10050, "regId is required (this fake does not serve alias)")
	}
	pm, verr := v.message(f, 60)
	if verr != nil {
		return nil, verr
	}
	rec.Tokens = []string{regID}
	if st := v.userStatus(regID, pm); st != 0 {
		return vivoAnswer("10302", "regId不合法", map[string]any{"invalidUser": map[string]any{"status": st, "userid": regID}}), nil
	}
	rec.Accepted = []string{regID}
	return vivoAnswer("0", "请求成功", map[string]any{"taskId": v.nextID()}), nil
}

func (v *Vivo) saveList(f vivoFields) ([]byte, *vivoError) {
	pm, verr := v.message(f, 900)
	if verr != nil {
		return nil, verr
	}
	id := v.nextID()
	v.mu.Lock()
	v.tasks[id] = vivoTask{expiry: time.Now().Add(v.TaskLifetime), pushMode: pm}
	v.mu.Unlock()
	return vivoAnswer("0", "请求成功", map[string]any{"taskId": id}), nil
}

func (v *Vivo) pushToList(rec *Record, f vivoFields) ([]byte, *vivoError) {
	ids, ok, err := f.strs("regIds")
	if err != nil || !ok {
		return nil, vfail(10150, "regIds must be an array of strings")
	}
	if len(ids) < 2 || len(ids) > 1000 {
		return nil, vfail(10153, "regIds must hold 2 to 1000 regIds, got %d", len(ids))
	}
	taskID, _, err := f.str("taskId")
	if err != nil || taskID == "" {
		return nil, vfail(10155, "taskId is required")
	}
	v.mu.Lock()
	task, ok := v.tasks[taskID]
	v.mu.Unlock()
	if !ok || !time.Now().Before(task.expiry) {
		return nil, vfail(10155, "taskId %s is unknown or expired", taskID)
	}
	pm, _, err := f.int("pushMode")
	if err != nil || pm != 0 && pm != 1 {
		return nil, vfail(10051, "pushMode must be 0 or 1")
	}
	if task.pushMode == 1 {
		pm = 1 // a body saved as a test message goes to test devices only
	}
	rec.Tokens = ids
	var invalid []map[string]any
	for _, id := range ids {
		if st := v.userStatus(id, pm); st != 0 {
			invalid = append(invalid, map[string]any{"status": st, "userid": id})
			continue
		}
		rec.Accepted = append(rec.Accepted, id)
	}
	extra := map[string]any{}
	if len(invalid) > 0 {
		extra["invalidUsers"] = invalid
	}
	return vivoAnswer("0", "请求成功", extra), nil
}

// userStatus is 0 for a regId that receives, else vivo's invalidUser status.
// A misconfigured app (SetMisconfigured: the regIds belong to another vivo
// app) finds none of them: vivo looks a regId up within the authToken's
// app, so each is answered as one that does not exist (status 1).
func (v *Vivo) userStatus(regID string, pushMode int64) int {
	if regID == "" || v.IsInvalid(regID) || v.Misconfigured() {
		return 1
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if pushMode == 1 && !v.testers[regID] {
		return 4
	}
	return 0
}

func (v *Vivo) nextID() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	return strconv.FormatInt(342982232646900000+v.seq, 10)
}

// vivoFields reads a JSON object field by field, checking JSON types the
// way vivo's Java server binds them (a number is not a string; a null is
// absent).
type vivoFields map[string]json.RawMessage

func (f vivoFields) raw(key string) (json.RawMessage, bool) {
	r, ok := f[key]
	if !ok || string(r) == "null" {
		return nil, false
	}
	return r, true
}

func (f vivoFields) int(key string) (int64, bool, error) {
	r, ok := f.raw(key)
	if !ok {
		return 0, false, nil
	}
	var n int64
	if err := json.Unmarshal(r, &n); err != nil {
		return 0, true, err
	}
	return n, true, nil
}

func (f vivoFields) str(key string) (string, bool, error) {
	r, ok := f.raw(key)
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", true, err
	}
	return s, true, nil
}

func (f vivoFields) strs(key string) ([]string, bool, error) {
	r, ok := f.raw(key)
	if !ok {
		return nil, false, nil
	}
	var s []string
	if err := json.Unmarshal(r, &s); err != nil {
		return nil, true, err
	}
	return s, true, nil
}

func (f vivoFields) strMap(key string) (map[string]string, bool, error) {
	r, ok := f.raw(key)
	if !ok {
		return nil, false, nil
	}
	var m map[string]string
	if err := json.Unmarshal(r, &m); err != nil {
		return nil, true, err
	}
	return m, true, nil
}

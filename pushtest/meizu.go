package pushtest

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// MeizuSendPath is the path the Meizu fake serves.
const MeizuSendPath = "/garcia/api/server/push/varnished/pushByPushId"

// Meizu is a fake Flyme Push server (POST
// /garcia/api/server/push/varnished/pushByPushId).
//
// It checks what Meizu checks: POST; a form content type; each parameter
// once; appId, pushIds, messageJson and sign present (else code 110004);
// appId (110000); sign, recomputed the way Meizu does it, the MD5 of every
// other parameter sorted by name as raw name=value pairs plus the AppSecret
// (1006); 1..100 comma-joined pushIds; and messageJson (1005): a JSON
// object whose noticeBarInfo has a title of 1..32 and a content of 1..100
// characters (counted as Java's String.length() counts them: an emoji is
// 2, the safe reading) and an int noticeMsgType 0/1; clickTypeInfo.clickType 0, 1
// with an activity "pkg.Class" or 2 with a url (each at most 1000 bytes;
// type 3 is refused, as Meizu retired it for Android 12); parameters, when
// present, a JSON object; pushTimeInfo.offLine 0/1 and validTime 1..72;
// advanceInfo.notifyKey of at most 8 [0-9a-zA-Z_-].
//
// It answers {"code":"200","message":"","value":{…},"redirect":"","msgId":…},
// listing Invalidate()d pushIds under "110003" ("pushId非法": Meizu's doc
// counts an unregistered pushId as invalid) and ids set with FailIDs under
// their code. While SetMisconfigured is on, every pushId of every send is
// listed under "110003": Meizu documents no answer for pushIds of another
// app (the usual misconfiguration: tokens registered under a different
// appId), and its own rule for an id it does not know is "invalid", so that
// is the realistic answer. Fault codes are answered as {"code":"<code>",
// "message":…,"value":"","redirect":""} with HTTP 200, as Meizu does.
type Meizu struct {
	*Server
	AppID     string
	AppSecret string
	seq       atomic.Int64

	mu      sync.Mutex
	idCodes map[string]string
}

// NewMeizu starts a fake Meizu server for one app.
func NewMeizu(appID, appSecret string) *Meizu {
	m := &Meizu{AppID: appID, AppSecret: appSecret, idCodes: map[string]string{}}
	m.Server = newServer(false, func(p string) bool { return strings.HasSuffix(p, "/varnished/pushByPushId") }, m.handle, meizuFault)
	m.addSecrets(appSecret)
	return m
}

// FailIDs makes the server report pushIDs under a per-id code in "value"
// instead of accepting them: e.g. "110002" (pushId unsubscribed), "110010"
// (notifications switched off), "110011" (daily public-message limit), "518"
// (rate), "520" (folded), "513" (push failed).
func (m *Meizu) FailIDs(code string, pushIDs ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range pushIDs {
		m.idCodes[id] = code
	}
}

func (m *Meizu) idCode(id string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.idCodes[id]
}

// Reset also forgets the FailIDs codes.
func (m *Meizu) Reset() {
	m.Server.Reset()
	m.mu.Lock()
	m.idCodes = map[string]string{}
	m.mu.Unlock()
}

var meizuMessages = map[string]string{
	"500": "其他异常", "1001": "系统错误", "1003": "服务器忙", "1005": "参数错误，请参考API文档",
	"1006": "签名认证失败", "110000": "appId不合法", "110001": "appKey不合法", "110002": "pushId未注册",
	"110003": "pushId非法", "110004": "参数不能为空", "110009": "应用被加入黑名单",
	"110010": "应用请求频率超过限制", "110019": "超过该应用每天推送次数限制", "110031": "packageName不合法",
	"110032": "非法的taskId", "110033": "非法的appSecret", "110051": "超过该应用的次数限制", "110053": "透传超过限制",
}

func meizuFault(f Fault) (int, []byte) {
	msg := meizuMessages[f.Code]
	if msg == "" {
		msg = "injected fault"
	}
	return 200, meizuError(f.Code, msg)
}

func meizuError(code, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"code": code, "message": msg, "value": "", "redirect": ""})
	return b
}

// MeizuSign computes Meizu's signature the way Meizu's server does: every
// parameter but sign, sorted by name, as raw name=value pairs with no
// separator, then the AppSecret; lowercase hex MD5.
func MeizuSign(form url.Values, appSecret string) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		if k != "sign" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + form.Get(k))
	}
	b.WriteString(appSecret)
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

func (m *Meizu) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	if r.URL.Path != MeizuSendPath {
		return 404, nil, []byte(`{"code":"404","message":"not found","value":"","redirect":""}`)
	}
	if r.Method != http.MethodPost {
		return 405, nil, meizuError("1005", "method must be POST")
	}
	answer := func(code, msg string) (int, http.Header, []byte) {
		return 200, jsonHeader(), meizuError(code, msg)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return answer("1005", "content type must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(rec.Body))
	if err != nil {
		return answer("1005", "malformed form body")
	}
	rec.Form = form
	for k, vs := range form {
		if len(vs) != 1 {
			return answer("1005", "parameter "+k+" given more than once")
		}
	}
	for _, k := range []string{"appId", "pushIds", "messageJson", "sign"} {
		if form.Get(k) == "" {
			return answer("110004", "参数不能为空: "+k)
		}
	}
	if form.Get("appId") != m.AppID {
		return answer("110000", meizuMessages["110000"])
	}
	if form.Get("sign") != MeizuSign(form, m.AppSecret) {
		return answer("1006", meizuMessages["1006"])
	}
	ids := strings.Split(form.Get("pushIds"), ",")
	if len(ids) > 100 {
		return answer("1005", fmt.Sprintf("pushIds: at most 100 per request, got %d", len(ids)))
	}
	for _, id := range ids {
		if id == "" {
			return answer("1005", "pushIds: empty id in the list")
		}
	}
	if msg := checkMeizuMessage(form.Get("messageJson")); msg != "" {
		return answer("1005", "messageJson: "+msg)
	}

	rec.Tokens = ids
	failed := map[string][]string{}
	for _, id := range ids {
		code := m.idCode(id)
		if code == "" && (m.IsInvalid(id) || m.Misconfigured()) {
			code = "110003"
		}
		if code != "" {
			failed[code] = append(failed[code], id)
			continue
		}
		rec.Accepted = append(rec.Accepted, id)
	}
	b, _ := json.Marshal(map[string]any{"code": "200", "message": "", "value": failed, "redirect": "",
		"msgId": fmt.Sprintf("NS%030d", m.seq.Add(1))})
	return 200, jsonHeader(), b
}

// checkMeizuMessage returns what is wrong with a notification messageJson,
// or "".
func checkMeizuMessage(s string) string {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var msg map[string]any
	if err := dec.Decode(&msg); err != nil || msg == nil {
		return "must be a JSON object"
	}
	if dec.More() {
		return "must be exactly one JSON object"
	}
	bar, ok := msg["noticeBarInfo"].(map[string]any)
	if !ok {
		return "noticeBarInfo (object) is required"
	}
	if e := checkInt(bar, "noticeMsgType", 0, 1); e != "" {
		return e
	}
	if e := checkInt(bar, "noticeBarType", 0, 2); e != "" {
		return e
	}
	for _, f := range []struct {
		key string
		max int
	}{{"title", 32}, {"content", 100}} {
		v, ok := bar[f.key].(string)
		if !ok {
			return "noticeBarInfo." + f.key + " (string) is required"
		}
		if n := javaLen(v); n < 1 || n > f.max {
			return fmt.Sprintf("noticeBarInfo.%s must be 1..%d characters, got %d", f.key, f.max, n)
		}
		// A blank text shows as an empty notification: the safe reading of
		// "1..32 characters" is that it must have something to show.
		if strings.TrimSpace(v) == "" {
			return "noticeBarInfo." + f.key + " must not be blank"
		}
	}
	if v, present := msg["clickTypeInfo"]; present {
		click, ok := v.(map[string]any)
		if !ok {
			return "clickTypeInfo must be an object"
		}
		if e := checkInt(click, "clickType", 0, 3); e != "" {
			return e
		}
		ct, _ := click["clickType"].(json.Number)
		switch ct.String() {
		case "1":
			a, ok := click["activity"].(string)
			if !ok || a == "" || len(a) > 1000 || !strings.Contains(a, ".") || strings.ContainsAny(a, "/ #") {
				return `clickType 1 needs activity "pkg.Activity" (string, at most 1000 bytes)`
			}
		case "2":
			u, ok := click["url"].(string)
			if !ok || u == "" || len(u) > 1000 {
				return "clickType 2 needs url (string, at most 1000 bytes)"
			}
		case "3":
			return "clickType 3 (app-defined) is retired since Android 12"
		}
		if p, present := click["parameters"]; present {
			if _, ok := p.(map[string]any); !ok {
				return "clickTypeInfo.parameters must be a JSON object"
			}
		}
	}
	if v, present := msg["pushTimeInfo"]; present {
		pt, ok := v.(map[string]any)
		if !ok {
			return "pushTimeInfo must be an object"
		}
		if e := checkFlag(pt, "offLine"); e != "" {
			return e
		}
		if e := checkInt(pt, "validTime", 1, 72); e != "" {
			return e
		}
	}
	if v, present := msg["advanceInfo"]; present {
		adv, ok := v.(map[string]any)
		if !ok {
			return "advanceInfo must be an object"
		}
		for _, k := range []string{"suspend", "clearNoticeBar", "fixDisplay"} {
			if e := checkFlag(adv, k); e != "" {
				return e
			}
		}
		if k, present := adv["notifyKey"]; present {
			s, ok := k.(string)
			if !ok || len(s) > 8 || strings.Trim(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-") != "" {
				return "advanceInfo.notifyKey must be at most 8 of [0-9a-zA-Z_-]"
			}
		}
	}
	return ""
}

// checkInt checks an optional int field against lo..hi.
func checkInt(obj map[string]any, key string, lo, hi int64) string {
	v, present := obj[key]
	if !present {
		return ""
	}
	n, ok := v.(json.Number)
	i, err := n.Int64()
	if !ok || err != nil || i < lo || i > hi {
		return fmt.Sprintf("%s must be an int in %d..%d", key, lo, hi)
	}
	return ""
}

// checkFlag checks an optional on/off field: 0/1 as the HTTP doc has it, or
// a boolean as Meizu's Java SDK sends it.
func checkFlag(obj map[string]any, key string) string {
	v, present := obj[key]
	if !present {
		return ""
	}
	if _, ok := v.(bool); ok {
		return ""
	}
	return checkInt(obj, key, 0, 1)
}

package pushtest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"unicode/utf16"
)

// Xiaomi is a fake Mi Push server (POST /v3/message/regid).
//
// It checks: POST; a form content type; "Authorization: key=<AppSecret>"
// (else code 21301); restricted_package_name; a non-blank title under 50
// characters and a description under 128; pass_through 0 or 1; 1..1000
// comma-joined regIds; notify_effect with its intent_uri or web_uri; at most
// 10 extras of at most 1024 characters each; numeric notify_id,
// notify_type and time_to_live. Characters are counted as Java's
// String.length() counts them (UTF-16 units: an emoji counts 2), the safe
// reading of Xiaomi's "characters". It answers code 0 with data.id, listing
// invalid regIds in data.bad_regids, or 20301 "No valid targets!" when every
// regId is invalid — and for every send while SetMisconfigured is on, as
// Xiaomi answers an app whose package name does not match its regIds.
// Fault codes are answered as {"result":"error","code":<code>,…}.
type Xiaomi struct {
	*Server
	AppSecret   string
	PackageName string
	seq         atomic.Int64
}

// NewXiaomi starts a fake Xiaomi server for one app.
func NewXiaomi(appSecret, packageName string) *Xiaomi {
	x := &Xiaomi{AppSecret: appSecret, PackageName: packageName}
	x.Server = newServer(false, func(p string) bool { return strings.HasSuffix(p, "/message/regid") }, x.handle, xiaomiFault)
	x.addSecrets(appSecret)
	return x
}

func xiaomiFault(f Fault) (int, []byte) {
	return 200, xiaomiError(f.Code, "injected fault")
}

func xiaomiError(code, reason string) []byte {
	b, _ := json.Marshal(map[string]any{"result": "error", "code": json.Number(code), "reason": reason,
		"description": reason, "trace_id": "Xfake0000000000000000"})
	return b
}

func (x *Xiaomi) handle(rec *Record, r *http.Request) (int, http.Header, []byte) {
	if r.URL.Path != "/v3/message/regid" {
		return 404, nil, []byte(`{"result":"error","code":404,"reason":"not found"}`)
	}
	if r.Method != http.MethodPost {
		return 405, nil, xiaomiError("10008", "method must be POST")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return 200, jsonHeader(), xiaomiError("10008", "content type must be application/x-www-form-urlencoded")
	}
	if r.Header.Get("Authorization") != "key="+x.AppSecret {
		return 200, jsonHeader(), xiaomiError("21301", "Invalid application secret.")
	}
	form, err := url.ParseQuery(string(rec.Body))
	if err != nil {
		return 200, jsonHeader(), xiaomiError("10008", "malformed form body")
	}
	rec.Form = form
	bad := func(msg string) (int, http.Header, []byte) {
		return 200, jsonHeader(), xiaomiError("10017", msg)
	}
	for k, vs := range form {
		if len(vs) != 1 {
			return bad("parameter " + k + " given more than once")
		}
	}
	if form.Get("restricted_package_name") != x.PackageName {
		return 200, jsonHeader(), xiaomiError("22022", "illegal package name")
	}
	title, desc := form.Get("title"), form.Get("description")
	if strings.TrimSpace(title) == "" || javaLen(title) >= 50 {
		return bad("title must be non-blank and shorter than 50 characters")
	}
	if strings.TrimSpace(desc) == "" || javaLen(desc) >= 128 {
		return bad("description must be non-blank and shorter than 128 characters")
	}
	if pt := form.Get("pass_through"); pt != "0" && pt != "1" {
		return bad("pass_through must be 0 or 1")
	}
	for _, k := range []string{"notify_id", "notify_type", "time_to_live"} {
		if v := form.Get(k); v != "" && !isInt(v) {
			return bad(k + " must be an integer")
		}
	}
	extras := 0
	for k, vs := range form {
		if strings.HasPrefix(k, "extra.") {
			extras++
			if javaLen(k) > 1024 || javaLen(vs[0]) > 1024 {
				return 200, jsonHeader(), xiaomiError("65015", "extra key or value too long")
			}
		}
	}
	if extras > 10 {
		return 200, jsonHeader(), xiaomiError("65014", "too many extra key/value pairs")
	}
	switch form.Get("extra.notify_effect") {
	case "1":
	case "2":
		if form.Get("extra.intent_uri") == "" {
			return bad("notify_effect 2 needs extra.intent_uri")
		}
	case "3":
		if u, err := url.Parse(form.Get("extra.web_uri")); err != nil || u.Host == "" {
			return bad("notify_effect 3 needs an absolute extra.web_uri")
		}
	case "":
	default:
		return bad("extra.notify_effect must be 1, 2 or 3")
	}
	ids := strings.Split(form.Get("registration_id"), ",")
	if form.Get("registration_id") == "" {
		return bad("registration_id is required")
	}
	if len(ids) > 1000 {
		return bad(fmt.Sprintf("at most 1000 regIds per request, got %d", len(ids)))
	}
	rec.Tokens = ids
	var badIDs []string
	for _, id := range ids {
		if id == "" || x.IsInvalid(id) || x.Misconfigured() {
			badIDs = append(badIDs, id)
		} else {
			rec.Accepted = append(rec.Accepted, id)
		}
	}
	if len(rec.Accepted) == 0 {
		b, _ := json.Marshal(map[string]any{"result": "error", "code": 20301, "reason": "No valid targets!",
			"description": "发送消息失败", "trace_id": "Xfake0000000000000000"})
		return 200, jsonHeader(), b
	}
	n := x.seq.Add(1)
	data := map[string]any{"id": fmt.Sprintf("slm%019d", n)}
	if len(badIDs) > 0 {
		data["bad_regids"] = strings.Join(badIDs, ",")
	}
	b, _ := json.Marshal(map[string]any{"result": "ok", "code": 0, "trace_id": fmt.Sprintf("Xlm%019d", n),
		"description": "成功", "info": fmt.Sprintf("Received push messages for %d REGID", len(ids)), "data": data})
	return 200, jsonHeader(), b
}

// javaLen is the length of s as Java's String.length() counts it.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func isInt(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

package meizu

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/transport"
)

// response is Meizu's answer envelope. The official SDKs disagree on types
// (the Java SDK reads code, value and msgId as strings, the Go SDK code as
// an int), so each is read leniently: code and msgId as a string or a
// number; value as an object of code → pushIds, or a string holding one
// (the Java SDK parses the string), or "" on error.
type response struct {
	Code    json.RawMessage `json:"code"`
	Message json.RawMessage `json:"message"`
	Value   json.RawMessage `json:"value"`
	MsgID   json.RawMessage `json:"msgId"`
}

// text reads a JSON string or number as text ("" for anything else).
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// failures reads value: per-id code → pushIds, each a list of strings (as
// documented; numbers are read as text) or one comma-joined string. ok is
// false when value holds something else: then which ids failed is unknown.
func failures(raw json.RawMessage) (out map[string][]string, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		if strings.TrimSpace(s) == "" {
			return nil, true // "" is the documented empty value
		}
		raw = []byte(s)
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	out = make(map[string][]string, len(m))
	for code, v := range m {
		v = bytes.TrimSpace(v)
		if string(v) == "null" {
			continue
		}
		if s := text(v); s != "" || string(v) == `""` {
			if s != "" {
				out[code] = strings.Split(s, ",")
			}
			continue
		}
		var list []json.RawMessage
		if json.Unmarshal(v, &list) != nil {
			return nil, false
		}
		ids := make([]string, 0, len(list))
		for _, id := range list {
			s := text(id)
			if s == "" {
				return nil, false
			}
			ids = append(ids, s)
		}
		out[code] = ids
	}
	return out, true
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// busy reports Meizu's "try again" codes inside an HTTP 200: system error,
// server busy, request rate too high. Meizu did not push anything then, so a
// retry cannot duplicate.
func busy(r *response) bool {
	switch text(r.Code) {
	case "1001", "1003", "110010":
		return true
	}
	return false
}

// decode maps Meizu's answer onto one outcome per pushId.
//
// Only code "200" says Meizu took the request; the ids it lists in value
// failed with their per-id code, the others were pushed. A 2xx that says
// less (no code, unreadable, or a value that cannot be read) is
// ErrUnavailable and possibly delivered: Meizu cannot deduplicate, so the
// caller decides whether to send again. A top-level pushId code (110002,
// 110003) names no id: batch.AllInvalid hands it to batch.Run, which makes
// it the verdict of a single pushId and asks about each pushId of a batch
// alone (or reports a likely misconfiguration for a large one).
func decode(resp *transport.Response, pushIDs []string) []push.Outcome {
	r, jerr := transport.DecodeJSON[response](resp)
	if resp.Status < 200 || resp.Status > 299 {
		code, msg := "", ""
		if jerr == nil {
			code, msg = text(r.Code), text(r.Message)
		}
		return batch.All(pushIDs, "", transport.StatusError(push.Meizu, resp, code, msg))
	}
	code := text(r.Code)
	if jerr != nil || code == "" {
		what := "unreadable answer"
		if jerr == nil {
			what = "answer without a code"
		}
		return batch.All(pushIDs, "", unsure(resp.Status, what, jerr))
	}
	msgID := text(r.MsgID)
	if code != "200" {
		e := codeError(code, text(r.Message), false)
		e.HTTPStatus = resp.Status
		if code == "110002" || code == "110003" {
			return batch.AllInvalid(pushIDs, e)
		}
		return batch.All(pushIDs, msgID, e)
	}
	failed, ok := failures(r.Value)
	if !ok {
		return batch.All(pushIDs, msgID, unsure(resp.Status, "answer with code 200 whose per-id results (value) cannot be read", nil))
	}
	out := batch.All(pushIDs, msgID, nil)
	if len(failed) == 0 {
		return out
	}
	at := make(map[string]int, len(pushIDs))
	for i, id := range pushIDs {
		at[id] = i
	}
	// Sorted codes: an id listed under two codes gets the same answer
	// every time.
	for _, c := range slices.Sorted(maps.Keys(failed)) {
		for _, id := range failed[c] {
			if i, ok := at[strings.TrimSpace(id)]; ok {
				e := codeError(c, "", true)
				e.HTTPStatus = resp.Status
				out[i].Err = e
			}
		}
	}
	return out
}

// unsure is the error of a 2xx that does not say what Meizu did. Meizu may
// have pushed the message, and cannot deduplicate a resend.
func unsure(status int, what string, cause error) *push.VendorError {
	return &push.VendorError{Vendor: push.Meizu, HTTPStatus: status, Kind: push.ErrUnavailable, Cause: cause,
		Message: what + ": the message may have been pushed", PossiblyDelivered: true}
}

// codeError maps a Meizu code to its class. perID says the code came from
// value (per pushId), where 110010 means "notifications switched off"
// rather than "request rate too high".
//
// Sources: the HTTP API doc's tables (MEIZUPUSH/PushAPI README, "Api
// returnCode定义" and "map部分code定义", as of 2025-04), the Java SDK's
// ErrorCode and PushResponseCode (MEIZUPUSH/JavaSdk) and the doc's history
// (commit d5c9d7b, 2017-12, split "pushId失效(未订阅或者消息开关关闭)" into
// 110002 and 110010). Only 110003 says a pushId is void: "pushId非法", and
// "一般情况下，pushId未注册则视为非法" (an unregistered pushId counts as
// invalid). 110002 is an unsubscribed pushId (Java UNSUBSCRIBE_PUSHID,
// "pushId未订阅"), and 110010 per id the user's switch: the token lives.
//
//	top-level code  meaning                                   class
//	200             OK; failed ids listed in value            accepted
//	1001 1003       system error, server busy                 ErrUnavailable, retried
//	110010          request rate too high                     ErrRateLimited, retried
//	500             other error (unknown whether pushed)      ErrUnavailable
//	1005 110004     parameter error, parameter empty          ErrInvalidMessage
//	110032          invalid taskId                            ErrInvalidMessage
//	1006            signature check failed                    ErrAuth
//	110000 110001   appId, appKey invalid                     ErrAuth
//	110009          app blacklisted                           ErrAuth
//	110031 110033   packageName, appSecret invalid            ErrAuth
//	110019 110051   daily / app push count limit              ErrQuota
//	110053          pass-through over the limit               ErrQuota
//	110002          pushId unsubscribed ("未注册"), none named ErrDisabled via batch.AllInvalid
//	110003          pushId invalid, none named                ErrInvalidToken via batch.AllInvalid
//
//	per-id code     meaning                                   class
//	110003          pushId invalid ("pushId非法")              ErrInvalidToken
//	110002          pushId unsubscribed ("pushId未订阅")       ErrDisabled
//	110010          pushId off: message switch off            ErrDisabled
//	110005          alias unsubscribed or switch off          ErrDisabled
//	110011          daily public (公信) messages of the id     ErrQuota
//	201             no permission, refused by the server      ErrAuth
//	518             over the configured push rate             ErrRateLimited
//	520             folded (over 5 in a minute to the device) ErrRateLimited, possibly delivered
//	501 513 519     push failed (db error, failed, overload)  ErrUnavailable
//	other           unknown                                   ErrUnavailable, code kept
func codeError(code, msg string, perID bool) *push.VendorError {
	e := &push.VendorError{Vendor: push.Meizu, Code: code, Message: msg}
	text := ""
	switch code {
	case "110003":
		e.Kind, text = push.ErrInvalidToken, "pushId invalid"
	case "110002":
		e.Kind, text = push.ErrDisabled, "pushId not subscribed (push switched off or unsubscribed on the device); token kept"
	case "110005":
		e.Kind, text = push.ErrDisabled, "alias not subscribed or push switched off"
	case "110010":
		if perID {
			// "pushId失效(消息开关关闭)": the user switched the app's
			// notifications off; the pushId works again when they turn on.
			e.Kind, text = push.ErrDisabled, "notifications switched off on the device; token kept"
		} else {
			e.Kind, text = push.ErrRateLimited, "request rate too high"
		}
	case "110011":
		e.Kind, text = push.ErrQuota, "daily limit of public (公信) messages for this device reached"
	case "110019":
		e.Kind, text = push.ErrQuota, "daily push limit of the app exceeded"
	case "110051":
		e.Kind, text = push.ErrQuota, "push count limit of the app exceeded"
	case "110053":
		e.Kind, text = push.ErrQuota, "pass-through limit exceeded"
	case "518":
		e.Kind, text = push.ErrRateLimited, "over the configured push rate"
	case "520":
		// Folded: the device had more than 5 messages of the app within a
		// minute. It may show folded, so a retry may show it twice.
		e.Kind, text = push.ErrRateLimited, "message folded: too many messages to this device within one minute"
		e.PossiblyDelivered = true
	case "1006":
		e.Kind, text = push.ErrAuth, "signature check failed (wrong AppSecret?)"
	case "110000":
		e.Kind, text = push.ErrAuth, "appId invalid"
	case "110001":
		e.Kind, text = push.ErrAuth, "appKey invalid"
	case "110009":
		e.Kind, text = push.ErrAuth, "app is blacklisted"
	case "110031":
		e.Kind, text = push.ErrAuth, "packageName invalid"
	case "110033":
		e.Kind, text = push.ErrAuth, "appSecret invalid"
	case "201":
		e.Kind, text = push.ErrAuth, "no permission, refused by the server"
	case "1005":
		e.Kind, text = push.ErrInvalidMessage, "parameter error"
	case "110004":
		e.Kind, text = push.ErrInvalidMessage, "a required parameter is empty"
	case "110032":
		e.Kind, text = push.ErrInvalidMessage, "invalid taskId"
	case "1001":
		e.Kind, text = push.ErrUnavailable, "system error"
	case "1003":
		e.Kind, text = push.ErrUnavailable, "server busy"
	case "500":
		// "其他异常": not retried here, since it is unknown whether anything
		// was pushed; the caller may retry.
		e.Kind, text = push.ErrUnavailable, "other error"
	case "501", "513":
		e.Kind, text = push.ErrUnavailable, "push failed"
	case "519":
		e.Kind, text = push.ErrUnavailable, "push failed: service overloaded"
	default:
		// An unknown code: report it as temporary rather than make the caller
		// drop a message or a token on a guess. The code is kept for logs.
		e.Kind = push.ErrUnavailable
	}
	if e.Message == "" {
		e.Message = text
	}
	return e
}

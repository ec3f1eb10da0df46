package xiaomi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/lenient"
	"github.com/offlinepush/push/internal/transport"
)

// text reads codes and ids whatever their JSON type: every Xiaomi SDK
// reads code as a number and the ids as strings, but either form is taken.
type text = lenient.Scalar

// unquote reads a JSON string; one without escapes (every Xiaomi answer)
// is sliced rather than decoded again.
func unquote(b []byte) (string, error) {
	if bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// note is a free-text field (description, reason): a string, else ignored.
type note string

func (n *note) UnmarshalJSON(b []byte) error {
	if b[0] == '"' {
		s, _ := unquote(b)
		*n = note(s)
	}
	return nil
}

// regIDList is data.bad_regids: a comma-joined string, as Xiaomi sends it,
// or a list of strings.
type regIDList []string

func (l *regIDList) UnmarshalJSON(b []byte) error {
	var s text
	if s.UnmarshalJSON(b) == nil {
		*l = nil
		if s != "" {
			*l = strings.Split(string(s), ",")
		}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("bad_regids: want a comma-joined string or a list of strings, got %.20s", b)
	}
	*l = list
	return nil
}

// response is Xiaomi's answer: {"result":"ok","code":0,"data":{"id":…},
// "trace_id":…} when the message was accepted, {"result":"error",
// "code":<code>,"reason":…} when not.
type response struct {
	Result      note  `json:"result"`
	Code        *text `json:"code"` // nil: no code in the answer
	Description note  `json:"description"`
	Reason      note  `json:"reason"`
	TraceID     text  `json:"trace_id"`
	Data        *struct {
		ID        text      `json:"id"`
		BadRegIDs regIDList `json:"bad_regids"`
	} `json:"data"`
}

func (r *response) code() string {
	if r.Code == nil {
		return ""
	}
	return string(*r.Code)
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// busy reports Xiaomi's "try again" codes inside an HTTP 200. Nothing was
// pushed then, and the jobkey makes even a repeat harmless.
func busy(r *response) bool {
	switch r.code() {
	case "10001", "10002", "10003", "10009", "10027":
		return true
	}
	return false
}

// decode maps Xiaomi's answer onto one outcome per regId. keyed says the
// message's jobkey comes from OfflinePushInfo.ID, so a resend by the caller
// carries the same jobkey and the device shows it once.
//
// Only an answer that says "accepted" — code 0 (and result "ok", when
// present) with the message's data.id — counts as delivered. A 200 that
// says less ({}, null, code 0 without an id, unreadable) is ErrUnavailable:
// the message may have arrived, and the error says whether a resend is
// shown twice (PossiblyDelivered, when the jobkey is random).
func decode(resp *transport.Response, regIDs []string, keyed bool) []push.Outcome {
	r, jerr := transport.DecodeJSON[response](resp)
	if resp.Status != 200 {
		code, msg := "", ""
		if jerr == nil && r.code() != "" && r.code() != "0" {
			code, msg = r.code(), r.reason()
		}
		return batch.All(regIDs, "", transport.StatusError(push.Xiaomi, resp, code, msg))
	}
	if jerr != nil {
		return batch.All(regIDs, "", unsure(keyed, "unreadable answer", jerr))
	}
	code := r.code()
	switch {
	case code == "20301":
		// "No valid targets!": every regId of the request is invalid, none
		// named. Xiaomi answers the same to a wrong package name, so it is
		// proof only for a request of one regId (batch.Run settles it).
		return batch.AllInvalid(regIDs, r.err())
	case code != "0" && code != "":
		return batch.All(regIDs, string(r.TraceID), r.err())
	case code == "":
		return batch.All(regIDs, "", unsure(keyed, "answer without a code", nil))
	case r.Result != "" && r.Result != "ok":
		return batch.All(regIDs, "", unsure(keyed, fmt.Sprintf("answer with code 0 but result %q", string(r.Result)), nil))
	}
	// code 0: the regIds Xiaomi names in bad_regids are dead; the others
	// were accepted if the answer carries the message's id.
	id, bad := "", map[string]bool(nil)
	if r.Data != nil {
		id = string(r.Data.ID)
		if len(r.Data.BadRegIDs) > 0 {
			bad = make(map[string]bool, len(r.Data.BadRegIDs))
			for _, t := range r.Data.BadRegIDs {
				bad[strings.TrimSpace(t)] = true
			}
		}
	}
	var rest error
	if id == "" {
		rest = unsure(keyed, "answer with code 0 but no message id (data.id)", nil)
	}
	out := batch.All(regIDs, id, rest)
	for i := range out {
		if bad != nil && bad[out[i].Token] {
			out[i].Err = &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Code: "bad_regids",
				Message: "regId is not valid for this app", Kind: push.ErrInvalidToken}
		}
	}
	return out
}

// unsure is the error of a 200 that does not say the message was accepted.
// It may have arrived. The client's own retries resend the same body, but a
// resend by the caller carries the same jobkey only when the message has an
// ID: without one, a resend may be shown twice (PossiblyDelivered).
func unsure(keyed bool, what string, cause error) *push.VendorError {
	e := &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Kind: push.ErrUnavailable, Cause: cause}
	if keyed {
		e.Message = what + ": the message may have arrived; a resend with the same ID is shown once (extra.jobkey)"
	} else {
		e.Message = what + ": the message may have arrived; set OfflinePushInfo.ID so that a resend is shown once"
		e.PossiblyDelivered = true
	}
	return e
}

func (r *response) reason() string {
	if r.Reason != "" {
		return string(r.Reason)
	}
	return string(r.Description)
}

// err maps a non-zero Xiaomi code to its class: Xiaomi's server error-code
// list (dev.mi.com pId=1560; "MiDoc1560" in the vendor reference), the
// official Java SDK's ErrorCode (xmpush-server-api, "MiJava") and the
// message-limit page (pId=1656). Only 20301 and data.bad_regids speak of
// regIds; every other code is about the request or the app.
//
//	code            meaning (source)                                   class
//	0               success: result "ok", data.id (MiJava Result)      accepted
//	bad_regids      per regId, code 0: not valid for the app (SDKs)    ErrInvalidToken
//	20301           "No valid targets!", none named (1560)             ErrInvalidToken via batch.AllInvalid
//	10001 10002     system error, service busy (1560, MiJava)          ErrUnavailable, retried
//	10003 10009     remote service error, system busy (1560, MiJava)   ErrUnavailable, retried
//	10010 10011     job timed out, RPC error (MiJava)                  ErrUnavailable
//	22102           sending the notification failed (MiJava)           ErrUnavailable
//	10027           app calls the API too often (1560, MiJava)         ErrRateLimited, retried
//	10022-10024     IP / user / API request rate over limit (MiJava)   ErrRateLimited
//	10028 22101     total API calls too frequent; too many
//	                notification messages (MiJava)                     ErrRateLimited
//	10034           too many messages today (1560)                     ErrQuota
//	200001          daily quota exceeded (1656)                        ErrQuota
//	21301           authentication failed: bad AppSecret (1560)        ErrAuth
//	22022           illegal package name (1560, MiJava)                ErrAuth
//	27001           channel info mismatch: Config.ChannelID (1560)     ErrAuth
//	10004-10006     IP not allowed, resource not granted to the app,
//	                appkey missing (MiJava)                            ErrAuth
//	10013 10014     invalid user, API access restricted (MiJava)       ErrAuth
//	10020           API does not exist: check Config.Host (MiJava)     ErrAuth
//	10026           app blacklisted (MiJava)                           ErrAuth
//	22000-22008     app illegal, missing, revoked; app id, key or
//	                secret invalid (MiJava)                            ErrAuth
//	22020 22021     app description invalid, app not authorised (MiJava) ErrAuth
//	100 10007 10008 empty parameter, unsupported mime type,
//	                parameter error (MiJava, 1560)                     ErrInvalidMessage
//	10012 10016     illegal request, missing parameter (MiJava, 1560)  ErrInvalidMessage
//	10017 10018     illegal parameter value, request too long          ErrInvalidMessage
//	10021 10025     HTTP method unsupported, bad callback URL (MiJava) ErrInvalidMessage
//	21305           missing required parameter (1560)                  ErrInvalidMessage
//	22100 22103     notification format invalid, bad notify_id         ErrInvalidMessage
//	65009           message content too long (1560)                    ErrInvalidMessage
//	65014 65015     too many extras, extras too long in total (1560)   ErrInvalidMessage
//	other           (10029 "invalid device" names no regId, 10037 …)   ErrUnavailable, code kept
func (r *response) err() *push.VendorError {
	code := r.code()
	e := &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Code: code, Message: r.reason()}
	switch code {
	case "20301":
		e.Kind = push.ErrInvalidToken
	case "10001", "10002", "10003", "10009", "10010", "10011", "22102":
		e.Kind = push.ErrUnavailable
	case "10027", "10022", "10023", "10024", "10028", "22101":
		e.Kind = push.ErrRateLimited
	case "10034", "200001":
		e.Kind = push.ErrQuota
	case "21301", "22022", "27001", "10004", "10005", "10006", "10013", "10014", "10020", "10026",
		"22000", "22001", "22002", "22003", "22004", "22005", "22006", "22007", "22008", "22020", "22021":
		e.Kind = push.ErrAuth
	case "100", "10007", "10008", "10012", "10016", "10017", "10018", "10021", "10025", "21305",
		"22100", "22103", "65009", "65014", "65015":
		e.Kind = push.ErrInvalidMessage
	default:
		// An unknown code: report it as temporary rather than make the caller
		// drop a message or a token on a guess. The code is kept for logs.
		e.Kind = push.ErrUnavailable
	}
	return e
}

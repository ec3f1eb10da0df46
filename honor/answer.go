package honor

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/lenient"
	"github.com/offlinepush/push/internal/transport"
)

// Verdict table. Honor's response-code page ("下行消息响应码") is not public;
// what is known of the answer comes from Honor's own guide (as copied on its
// developer blog) and two independent clients (zandala88/honor-push
// HonorSendResp, meetleev/go-multipush PushMessageResp):
//
//	answer                                            class
//	HTTP 401; code 80200001 or 80200003 (HMS OAuth)   ErrAuth: a new access token, once
//	HTTP 403                                          ErrAuth
//	HTTP 429                                          ErrRateLimited
//	HTTP 5xx; code 81000001 (HMS busy) in a 200       ErrUnavailable (busy: retried)
//	other HTTP 4xx                                    ErrInvalidMessage
//	an unreadable 2xx                                 ErrUnavailable, PossiblyDelivered
//	a token in data.expireTokens ("expired: remove")  ErrInvalidToken
//	a token in data.failTokens (no reason given)      ErrUnavailable, token kept
//	another token, the answer says accepted (*)       delivered
//	another token, the answer does not say so         ErrUnavailable, code kept;
//	                                                  PossiblyDelivered when it
//	                                                  listed some tokens
//	a token list that is not a list of tokens         ErrUnavailable, PossiblyDelivered
//
// (*) sendResult true; without sendResult, a success code (0, 200 or
// 80000000: which one is UNVERIFIED) or 80100000 (HMS partial success)
// beside the lists. sendResult false, or an unknown code without it, is
// not an acceptance, whatever the lists leave out.
//
// No code is a token verdict: an app-level failure (wrong App ID, tokens of
// another app: HMS's 80300007) cannot call a token dead unless Honor lists
// it in expireTokens, and then the misconfiguration guard watches the run.
// code and message have been seen as numbers and as strings, so every
// scalar is read as text, sendResult as a JSON or quoted bool.

// answer is Honor's reply: {"code":…,"message":…,"data":{"sendResult":…,
// "requestId":…,"failTokens":[…],"expireTokens":[…]}}.
type answer struct {
	Code      flexText        `json:"code"`
	Message   flexText        `json:"message"`
	Msg       flexText        `json:"msg"`       // the HMS name, in case
	RequestID flexText        `json:"requestId"` // the HMS place, in case
	Data      json.RawMessage `json:"data"`
}

type answerData struct {
	SendResult   flexBool        `json:"sendResult"`
	RequestID    flexText        `json:"requestId"`
	FailTokens   json.RawMessage `json:"failTokens"`
	ExpireTokens json.RawMessage `json:"expireTokens"`
}

// Codes Honor has not published (its response-code page is not public):
// these are the HMS codes of the API Honor forked, used only where reading
// them wrongly costs little.
const (
	codeAuthError    = "80200001" // HMS: OAuth authentication error
	codeTokenExpired = "80200003" // HMS: OAuth token expired
	codeInternal     = "81000001" // HMS: system internal error, retryable
	codePartial      = "80100000" // HMS: partial success, failures listed
)

// successCodes are the values clients have seen for success (UNVERIFIED:
// one checks 200, another 0; 80000000 is the HMS one). They matter only when
// the answer has no sendResult.
var successCodes = map[string]bool{"0": true, "200": true, "80000000": true}

// expired reports an answer saying the access token is expired or invalid:
// HTTP 401, or the HMS OAuth codes. Reading one wrongly costs a single token
// refresh, so the wide reading is the safe one.
func expired(status int, code string) bool {
	return status == 401 || code == codeTokenExpired || code == codeAuthError
}

// busy reports Honor's "try again" answer inside an HTTP 200.
func busy(a *answer) bool { return string(a.Code) == codeInternal }

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

func decode(resp *transport.Response, toks []string) ([]push.Outcome, error) {
	a, jerr := transport.DecodeJSON[answer](resp)
	code, msg := string(a.Code), a.message()
	if jerr != nil {
		code, msg = "", ""
	}
	if expired(resp.Status, code) {
		return nil, &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status, Code: code, Message: msg,
			Kind: push.ErrAuth, Cause: auth.ErrExpired}
	}
	if resp.Status < 200 || resp.Status > 299 {
		return batch.All(toks, "", transport.StatusError(push.Honor, resp, code, msg)), nil
	}
	if jerr != nil {
		// Honor took the request and said 2xx; whether it sent is unknown.
		return batch.All(toks, "", &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status,
			Kind: push.ErrUnavailable, Message: "unreadable answer", Cause: jerr, PossiblyDelivered: true}), nil
	}
	var d answerData
	if len(a.Data) > 0 && a.Data[0] == '{' {
		_ = json.Unmarshal(a.Data, &d) // a malformed data block reads as empty
	}
	id := string(d.RequestID)
	if id == "" {
		id = string(a.RequestID)
	}
	expire, okE := tokenSet(d.ExpireTokens)
	fail, okF := tokenSet(d.FailTokens)
	listed := len(expire) > 0 || len(fail) > 0
	readable := okE && okF

	// Trust sendResult and the token lists, not code, whose success value is
	// UNVERIFIED. A token not listed was accepted only when the answer says
	// the send was: sendResult true, or (without sendResult) a success code,
	// or HMS's partial-success code beside the lists of failures.
	var accepted bool
	switch d.SendResult {
	case saidTrue:
		accepted = true
	case saidNothing:
		accepted = successCodes[code] || (code == codePartial && listed)
	}
	var rest error // the outcome of a token in neither list
	switch {
	case !readable:
		// A list is there but not a list of tokens: which tokens failed is
		// unknown, so no token is reported delivered.
		rest = &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status, Code: code, Kind: push.ErrUnavailable,
			Message: "unreadable failTokens or expireTokens: whether this token was sent is unknown", PossiblyDelivered: true}
	case !accepted:
		e := codeError(resp.Status, code, msg, d.SendResult)
		// Honor named some tokens as failed but did not say the send was
		// accepted: the others may have been sent (a partial success read
		// wrongly) or not. Honor does not deduplicate, so say so.
		e.PossiblyDelivered = listed
		rest = e
	}
	out := batch.All(toks, id, rest)
	for i, t := range toks {
		switch {
		case expire[t]:
			out[i].Err = &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status, Code: code,
				Message: "token is in expireTokens (expired or unregistered)", Kind: push.ErrInvalidToken}
		case fail[t]:
			// failTokens says "sending failed" without a reason: it may be a
			// dead token, a per-device cap or a vendor hiccup. Deleting a live
			// token silences a user for good, so it is not reported as
			// invalid; expireTokens is Honor's list of dead tokens.
			out[i].Err = &push.VendorError{Vendor: push.Honor, HTTPStatus: resp.Status, Code: code,
				Message: "token is in failTokens (not delivered; reason not given)", Kind: push.ErrUnavailable}
		}
	}
	return out, nil
}

// codeError maps a failure code for the tokens the answer does not list.
// Honor's code table is not public, so an unknown code is reported as
// temporary (ErrUnavailable, code kept for logs) rather than make the caller
// drop a message or a token on a guess.
func codeError(status int, code, msg string, said flexBool) *push.VendorError {
	if msg == "" {
		msg = "the answer does not say the send was accepted"
		if said == saidFalse {
			msg = "send failed (sendResult false)"
		}
	}
	return &push.VendorError{Vendor: push.Honor, HTTPStatus: status, Code: code, Message: msg, Kind: push.ErrUnavailable}
}

func (a *answer) message() string {
	if a.Message != "" {
		return string(a.Message)
	}
	return string(a.Msg)
}

// tokenSet reads a token list: an array of strings (a number is read as
// its text; null entries are skipped). ok is false when the list is there
// but cannot be read as tokens (not an array, or an entry that is an object,
// an array or a bool): it names failed tokens that cannot be told apart.
func tokenSet(raw json.RawMessage) (set map[string]bool, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil, false
	}
	if len(list) == 0 {
		return nil, true
	}
	set = make(map[string]bool, len(list))
	ok = true
	for _, e := range list {
		e = bytes.TrimSpace(e)
		switch {
		case string(e) == "null":
		case e[0] == '"' || e[0] == '-' || (e[0] >= '0' && e[0] <= '9'):
			var t flexText
			if t.UnmarshalJSON(e) != nil {
				ok = false
			} else if t != "" {
				set[string(t)] = true
			}
		default:
			ok = false
		}
	}
	return set, ok
}

// flexText reads codes, messages and ids whatever their JSON type.
type flexText = lenient.Text

// flexBool is sendResult: true or false as a JSON bool or a quoted one
// ("true"); anything else, or nothing, is saidNothing.
type flexBool int8

const (
	saidNothing flexBool = iota
	saidTrue
	saidFalse
)

func (f *flexBool) UnmarshalJSON(b []byte) error {
	var t flexText
	_ = t.UnmarshalJSON(b) // a bad string reads as nothing said
	switch strings.ToLower(string(t)) {
	case "true":
		*f = saidTrue
	case "false":
		*f = saidFalse
	default:
		*f = saidNothing
	}
	return nil
}

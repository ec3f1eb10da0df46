package oppo

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/lenient"
	"github.com/offlinepush/push/internal/transport"
)

// Verdict table: every code OPPO documents and the class it maps to.
// Sources: [web] the current open.oppomobile.com pages "调用地址，公共参数和
// 返回码" and "单点推送" (unicast, unicast_batch); [pdf] OPPO推送平台服务端
// API-V1.9.3; [sdk] opush-server-sdk-1.0.6 (ReturnCode$ErrorCode).
//
//	code        meaning                                        class
//	0           success                                        accepted
//	-1          Service Currently Unavailable [web,pdf,sdk]    ErrUnavailable (retried)
//	-2          Service in Flow Control [web,pdf,sdk]          ErrRateLimited (retried)
//	11          Invalid AuthToken [web,pdf,sdk]                ErrAuth: a new token, once
//	12          Http Action Not Allowed                        ErrInvalidMessage
//	13          App Call Limited [web,pdf,sdk]                 ErrRateLimited (retried)
//	14, 15      Invalid / Missing App Key                      ErrAuth
//	16, 17      Invalid / Missing Signature                    ErrAuth
//	18, 19      Missing / Invalid Timestamp                    ErrAuth
//	20–24       method / version errors                        ErrInvalidMessage
//	25          Invalid Encoding                               ErrInvalidMessage
//	26          IP Black List                                  ErrAuth
//	27          Access Denied                                  ErrAuth
//	28          App Disabled                                   ErrAuth
//	29          Missing Auth Token                             ErrAuth
//	30          Api Permission Denied                          ErrAuth
//	31, 32      Data Not Exist / Data Duplicate                ErrInvalidMessage
//	33          messages over the daily limit [web,pdf,sdk]    ErrQuota
//	34          picture uploads over the daily limit           ErrQuota
//	40          Missing Required Arguments                     ErrInvalidMessage
//	41          Invalid Arguments (also sensitive words)       ErrInvalidMessage
//	42          saved messages over the daily limit (UNVERIFIED, Getui's table only) ErrQuota
//	51          Invalid Picture                                ErrInvalidMessage
//	55          App Call Frequency Limit [web]                 ErrRateLimited (retried)
//	59          UseSecondaryAction permission denied [web]     ErrAuth
//	67          category / private-channel notify_level error [web]  ErrInvalidMessage
//	10000       Invalid Registration_id [web,pdf,sdk]          ErrInvalidToken: unicast top-level
//	            (one regId) or a batch item's errorCode (names its regId); a
//	            top-level 10000 on a batch names none: batch.AllInvalid
//	10001       notifications switched off for the regId       ErrDisabled (token kept). UNVERIFIED:
//	            OPPO's pages list no 10001 (business codes are 10000–20000, "see each
//	            API"); issue 12 names it OPPO's switched-off code. Either reading keeps the token.
//	other       not documented                                 ErrUnavailable, code kept
//
// Only 10000 can call a regId dead, and only where the answer names it;
// app-level causes (wrong app key, no permission, a category or channel
// the app may not use) are ErrAuth or ErrInvalidMessage, never a token
// verdict. OPPO documents code as a number, but the official Java SDK
// declares a batch item's errorCode a String (PushResult), so every code,
// message id and message is read as a number or a string alike (text).

// response is OPPO's answer: data is a D, {"messageId":…} for unicast, an
// array of per-device results for unicast_batch, the token for auth. Typed,
// it is parsed in one pass; a data of another shape beside a non-zero code
// is ignored (see head). Code is a pointer: an answer without one (`{}`,
// `null`) says nothing, and is not read as code 0.
type response[D any] struct {
	Code    *text `json:"code"`
	Message text  `json:"message"`
	Data    D     `json:"data"`
}

type unicastData struct {
	MessageID text `json:"messageId"`
}

type batchItem struct {
	MessageID      text `json:"messageId"`
	RegistrationID text `json:"registrationId"`
	ErrorCode      text `json:"errorCode"` // a String in the Java SDK, a number in the docs
	ErrorMessage   text `json:"errorMessage"`
}

// The busy checks parse a 200 answer once, for busy and then for decode.
var (
	authBusy    = transport.BusyJSON(busy[authData])
	unicastBusy = transport.BusyJSON(busy[unicastData])
	batchBusy   = transport.BusyJSON(busy[[]batchItem])
)

// busy reports OPPO's "try again" codes inside an HTTP 200: service
// unavailable (-1), flow control (-2), call limits (13, 55). OPPO did not
// process such a request, so it is retried.
func busy[D any](r *response[D]) bool {
	if r.Code == nil {
		return false
	}
	n, err := strconv.Atoi(string(*r.Code))
	if err != nil {
		return false
	}
	switch n {
	case -1, -2, 13, 55:
		return true
	}
	return false
}

// isZero reports a code that says success: "0" (a number or a string).
func isZero(code string) bool {
	n, err := strconv.Atoi(code)
	return err == nil && n == 0
}

// head reads what every OPPO answer shares (auth, unicast, batch). It
// returns the parsed answer, or the error for the whole request (wrapping
// auth.ErrExpired for code 11). A top-level 10000 (invalid regId) is
// reported as regIDKind where the request names no regId it could mean
// (nil keeps ErrInvalidToken).
func head[D any](resp *transport.Response, regIDKind error) (*response[D], error) {
	r, jerr := transport.DecodeJSON[response[D]](resp)
	refusal := r.Code != nil && !isZero(string(*r.Code))
	var te *json.UnmarshalTypeError
	if jerr != nil && refusal && errors.As(jerr, &te) {
		jerr = nil // a refusal with a data of another shape: the code is what counts
	}
	if resp.Status != 200 {
		code, msg := "", ""
		if jerr == nil && refusal {
			code, msg = string(*r.Code), string(r.Message)
		}
		return nil, transport.StatusError(push.OPPO, resp, code, msg)
	}
	if jerr != nil {
		return nil, unreadable(jerr)
	}
	if r.Code == nil {
		// {}, null, or an object without code: not an acceptance.
		return nil, unreadable(errors.New("the answer has no code"))
	}
	if !isZero(string(*r.Code)) {
		e := codeError(string(*r.Code), string(r.Message))
		if e.Kind == push.ErrInvalidToken && regIDKind != nil {
			e.Kind = regIDKind
		}
		return nil, e
	}
	return r, nil
}

// decode maps an answer to one outcome per regId, or to an error for the
// whole request.
func decode(resp *transport.Response, regIDs []string, isBatch bool) ([]push.Outcome, error) {
	if isBatch {
		return decodeBatch(resp, regIDs)
	}
	return decodeUnicast(resp, regIDs)
}

// decodeUnicast maps a unicast answer to the regId's outcome: code 0 is
// OPPO's acceptance, 10000 is about the one regId sent.
func decodeUnicast(resp *transport.Response, regIDs []string) ([]push.Outcome, error) {
	r, err := head[unicastData](resp, nil)
	if err != nil {
		return nil, err
	}
	return batch.All(regIDs, string(r.Data.MessageID), nil), nil
}

// decodeBatch maps a unicast_batch answer to one outcome per regId.
func decodeBatch(resp *transport.Response, regIDs []string) ([]push.Outcome, error) {
	r, err := head[[]batchItem](resp, nil)
	if err != nil {
		// Batches report bad regIds per item. A top-level 10000 on a batch
		// is undocumented and names none of them: the batch rules decide
		// (re-sent one by one, or a misconfiguration), never "all dead".
		var ve *push.VendorError
		if errors.As(err, &ve) && ve.Kind == push.ErrInvalidToken {
			return batch.AllInvalid(regIDs, ve), nil
		}
		return nil, err
	}
	items := r.Data
	byID := make(map[string]*batchItem, len(items))
	for i := range items {
		if id := string(items[i].RegistrationID); id != "" {
			byID[id] = &items[i]
		}
	}
	out := make([]push.Outcome, len(regIDs))
	for i, t := range regIDs {
		it := byID[t]
		if it == nil && len(byID) == 0 && len(items) == len(regIDs) {
			it = &items[i] // items without registrationId: trust the order
		}
		out[i].Token = t
		switch {
		case it == nil:
			// Unknown fate; app_message_id makes a retry safe.
			out[i].Err = &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Kind: push.ErrUnavailable,
				Message: "the answer has no result for this regId"}
		case it.ErrorCode != "" && !isZero(string(it.ErrorCode)):
			out[i].MessageID = string(it.MessageID)
			out[i].Err = codeError(string(it.ErrorCode), string(it.ErrorMessage))
		case it.MessageID == "":
			// Neither an error nor the messageId OPPO gives what it took.
			out[i].Err = &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Kind: push.ErrUnavailable,
				Message: "the result for this regId has neither a messageId nor an errorCode"}
		default:
			out[i].MessageID = string(it.MessageID)
		}
	}
	return out, nil
}

func unreadable(err error) error {
	return &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Kind: push.ErrUnavailable,
		Message: "unreadable answer", Cause: err}
}

// codeError maps an OPPO code (top-level or per item, as text) to its
// class: see the verdict table above.
func codeError(code, msg string) *push.VendorError {
	e := &push.VendorError{Vendor: push.OPPO, HTTPStatus: 200, Code: code, Message: msg}
	n, err := strconv.Atoi(code)
	if err != nil {
		n = math.MinInt // not a number: an unknown code
	}
	switch n {
	case 10000: // Invalid Registration_id
		e.Kind = push.ErrInvalidToken
	case 10001: // notifications switched off (UNVERIFIED, see the table): the token lives
		e.Kind = push.ErrDisabled
	case 11: // Invalid AuthToken: fetch a new one once and send again
		e.Kind, e.Cause = push.ErrAuth, auth.ErrExpired
	case 33, 34, 42: // daily message / picture / saved-message limits (42 UNVERIFIED)
		e.Kind = push.ErrQuota
	case -2, 13, 55: // flow control, app call limit, call frequency limit
		e.Kind = push.ErrRateLimited
	case -1: // service currently unavailable
		e.Kind = push.ErrUnavailable
	case 14, 15, 16, 17, 18, 19, 26, 27, 28, 29, 30, 59:
		// app key, signature, timestamp, IP black list, access denied, app
		// disabled, missing token, API permission: the app, not a token
		e.Kind = push.ErrAuth
	case 12, 20, 21, 22, 23, 24, 25, 31, 32, 40, 41, 51, 67:
		// not allowed, method/version/encoding, data errors, missing or
		// invalid arguments (and sensitive words), bad category or level
		e.Kind = push.ErrInvalidMessage
	default:
		// An unknown code: report it as temporary rather than make the
		// caller drop a message or a token on a guess. The code is kept.
		e.Kind = push.ErrUnavailable
	}
	return e
}

// text reads codes, ids and messages whatever their JSON type: OPPO's
// docs and official SDK disagree on them.
type text = lenient.Text

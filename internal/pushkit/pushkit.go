// Package pushkit decodes the answer shape that Huawei Push Kit v1 (package
// huawei) and v3 (package harmony, HarmonyOS NEXT) share:
// {"code":"80000000","msg":"…","requestId":"…"}, where a partial success
// lists the failed tokens in a JSON text inside msg, and holds the rules
// both apply to the two answers that name tokens: 80100000 (some tokens
// failed) and 80300007 ("All the tokens are invalid."). Each vendor package
// keeps its own code table.
//
// 80300007 is not proof that a token is dead. Huawei's v3 response-code
// page lists app-level causes for it (noRight: the tokens' app is not in
// the URL's project; noPushTypeRight: no entitlement for the push-type; a
// penalty; appinfoError: the app is not created), and the v1 page adds a
// package name or app id that does not match AppGallery Connect. A wrong
// key file or app id therefore answers 80300007 for every live token, so
// AllInvalid trusts only what the answer names; see it.
//
// Sources: Huawei "响应参数-场景化消息" (v3 response codes,
// developer.huawei.com/consumer/cn/doc/harmonyos-references/push-scenariozed-api-response,
// copy in github.com/xiaobingtech/bark-server@d1759c3 HarmonyOS-PushKit/);
// Huawei "HTTPS下行消息" v1 error codes
// (developer.huawei.com/consumer/cn/doc/HMSCore-References/https-send-api-0000001050986197);
// HMS-Core/hms-flutter-plugin#150 (80300007 for a device that later answered
// success).
package pushkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/offlinepush/push/internal/lenient"
	"strconv"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
)

// Codes both versions answer.
const (
	CodeSuccess       = "80000000"
	CodePartial       = "80100000"
	CodeAllInvalid    = "80300007"
	CodeInternalError = "81000001"
)

// Code accepts Push Kit's string code, and a number too.
type Code string

// UnmarshalJSON reads "80000000" or 80000000.
func (c *Code) UnmarshalJSON(b []byte) error {
	*c = Code(strings.Trim(string(b), `"`))
	return nil
}

// Text is a field the docs type as a string (msg, requestId) that a server
// or proxy may send as another JSON value; an object in msg is kept as its
// JSON text, so that it still yields its tokens.
type Text = lenient.Text

// Count is a count inside msg ("success":1). The docs show numbers; a
// string ("1") is read too, and an unreadable count is 0 rather than a
// reason to lose the token lists beside it.
type Count int

// UnmarshalJSON reads 1, "1", or anything else as 0.
func (n *Count) UnmarshalJSON(b []byte) error {
	v, err := strconv.Atoi(strings.TrimSpace(strings.Trim(string(b), `"`)))
	if err != nil {
		v = 0
	}
	*n = Count(v)
	return nil
}

// SafeID reports whether an app or project id can stand in a Push Kit URL
// path as is: letters, digits, '.', '_' and '-'.
func SafeID(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Response is a Push Kit answer.
type Response struct {
	Code      Code `json:"code"`
	Msg       Text `json:"msg"`
	RequestID Text `json:"requestId"`
}

// CodeIn reports whether r has one of codes (for a vendor's "busy" check
// of a 200 answer).
func (r *Response) CodeIn(codes ...string) bool {
	for _, c := range codes {
		if string(r.Code) == c {
			return true
		}
	}
	return false
}

// failedTokens is the JSON inside msg of 80100000 and 80300007. v1 lists
// the failed tokens in illegal_tokens; v3 (and possibly newer v1 servers)
// key them by reason in illegalTokens.
type failedTokens struct {
	Success  Count               `json:"success"`
	Failure  Count               `json:"failure"`
	Illegal  []string            `json:"illegal_tokens"`
	ByReason map[string][]string `json:"illegalTokens"`
}

func readFailed(msg string) (*failedTokens, bool) {
	var f failedTokens
	if json.Unmarshal([]byte(msg), &f) != nil {
		return nil, false
	}
	return &f, true
}

func (f *failedTokens) summary() string {
	return fmt.Sprintf("success %d, failure %d", f.Success, f.Failure)
}

// each calls fn for every token f names, with its reason ("" for v1's
// illegal_tokens).
func (f *failedTokens) each(fn func(tok, reason string)) {
	for _, t := range f.Illegal {
		fn(t, "")
	}
	for reason, toks := range f.ByReason {
		for _, t := range toks {
			fn(t, reason)
		}
	}
}

// MarkFailed gives the tokens an 80100000 msg lists the outcome their
// reason says (ReasonKind); the other tokens stay as given (delivered: the
// vendor took them). When msg cannot be read the outcomes stay as given
// too: we cannot tell which tokens failed, and a dead token shows up again
// next time.
func MarkFailed(out []push.Outcome, vendor push.Vendor, status int, code, msg string) []push.Outcome {
	f, ok := readFailed(msg)
	if !ok {
		return out
	}
	index := indexOf(out)
	f.each(func(tok, reason string) {
		i, ok := index[tok]
		if !ok {
			return
		}
		kind, text := push.ErrInvalidToken, "illegal token"
		if reason != "" {
			kind, text = ReasonKind(reason), reason
		}
		out[i].Err = &push.VendorError{Vendor: vendor, HTTPStatus: status, Code: code,
			Message: text + " (" + f.summary() + ")", Kind: kind}
	})
	return out
}

func indexOf(out []push.Outcome) map[string]int {
	index := make(map[string]int, len(out))
	for i, o := range out {
		if _, dup := index[o.Token]; !dup {
			index[o.Token] = i
		}
	}
	return index
}

// ReasonKind classifies a per-token failure reason of a partial success
// (80100000), where the tokens the vendor accepted beside it prove that the
// app and project are right. Only reasons about the token itself make the
// caller delete it.
//
//	tokenFormatError          ErrInvalidToken  the token is malformed: the app must get a new one
//	tokenPlatformNotSupport   ErrInvalidToken  a third-party proxy token: the app must get a new one
//	noRight                   ErrInvalidToken  the token was made by an app outside this project (or
//	                                           before the phone moved to HarmonyOS NEXT); the others
//	                                           were accepted, so the project is right and this token
//	                                           can never be reached with it
//	noPushTypeRight, atomicUnableSendUnsubscribedMsg, disableSendHuaweiMsgBecauseOfPenalty,
//	appinfoError, noRightToSendThisLiveNotificationEvent
//	                          ErrAuth          entitlements, penalty, app not created: app-level
//	differentImgVerifyPolicy, notSupportPlayVoice
//	                          ErrInvalidMessage the message does not fit the push-type
//	countryNotSupport, other  ErrUnavailable   not the token's fault as far as we know: kept
//
// Push Kit's send answers have no "notifications switched off" reason (that
// only shows in receipts), so push.ErrDisabled is not used here.
func ReasonKind(reason string) error {
	switch reason {
	case "tokenFormatError", "tokenPlatformNotSupport", "noRight":
		return push.ErrInvalidToken
	case "noPushTypeRight", "atomicUnableSendUnsubscribedMsg", "disableSendHuaweiMsgBecauseOfPenalty",
		"appinfoError", "noRightToSendThisLiveNotificationEvent":
		return push.ErrAuth
	case "differentImgVerifyPolicy", "notSupportPlayVoice":
		return push.ErrInvalidMessage
	}
	// countryNotSupport and reasons we do not know: the token is not
	// deleted on a guess.
	return push.ErrUnavailable
}

// appReasons are the 80300007 causes that are about the app or the
// request, not the tokens, with what to check. In an 80300007 every token
// shares the one request, so one of them answers for all.
var appReasons = []struct {
	reason string
	kind   error
	check  string
}{
	{"noRightToSendThisLiveNotificationEvent", push.ErrAuth, "the app has no entitlement for this Live View event"},
	{"noPushTypeRight", push.ErrAuth, "the app has no entitlement for the push-type header (Config.PushType) in AppGallery Connect"},
	{"noRight", push.ErrAuth, "the tokens' app is not in the project of the send URL: check the project id (HarmonyOS: the key file's project_id; Huawei: Config.AppID) against AppGallery Connect, and that the devices' tokens were fetched again after an upgrade to HarmonyOS NEXT"},
	{"appinfoError", push.ErrAuth, "the app is not created in AppGallery Connect"},
	{"disableSendHuaweiMsgBecauseOfPenalty", push.ErrAuth, "the app is under a penalty: see AppGallery Connect"},
	{"penalty", push.ErrAuth, "the app is under a penalty: see AppGallery Connect"},
	{"atomicUnableSendUnsubscribedMsg", push.ErrAuth, "an atomic service may send only subscribed messages and card updates"},
	{"notSupportPlayVoice", push.ErrInvalidMessage, "category PLAY_VOICE needs push-type 2"},
	{"differentImgVerifyPolicy", push.ErrInvalidMessage, "the image was verified for another push-type"},
}

// appReason returns the app-level cause an 80300007 msg carries: a reason
// key of its JSON, or the reason's name in a plain-text msg (matched
// without regard to case, longest names first).
func appReason(f *failedTokens, msg string) (reason string, kind error, check string, ok bool) {
	lower := strings.ToLower(msg)
	for _, a := range appReasons {
		if f != nil {
			if _, listed := f.ByReason[a.reason]; listed {
				return a.reason, a.kind, a.check, true
			}
			continue
		}
		if strings.Contains(lower, strings.ToLower(a.reason)) {
			return a.reason, a.kind, a.check, true
		}
	}
	return "", nil, "", false
}

// ErrNotJudged is the cause of the outcome of a token that an 80300007
// answer did not name while it named others: the request was refused as a
// whole, so the token was not delivered, and the answer says nothing about
// it. Such an outcome is ErrUnavailable (send it again); Resend does so once.
var ErrNotJudged = errors.New("not delivered: the vendor refused the whole request, naming other tokens invalid; this token was not judged (send it again)")

// AllInvalid returns the outcomes of an 80300007 answer ("All the tokens
// are invalid.") to tokens. The answer only proves what it names:
//
//   - an app-level cause in msg (a reason key of its JSON, or its name in a
//     plain text: noRight, noPushTypeRight, appinfoError, a penalty, …):
//     that class (ErrAuth, or ErrInvalidMessage for a message that does not
//     fit the push-type) for every token, naming what to check; no token
//     is deleted;
//   - tokens msg names with token reasons (illegal_tokens, tokenFormatError,
//     tokenPlatformNotSupport): their verdict (ReasonKind); the tokens it
//     does not name were not delivered and are not judged: ErrUnavailable
//     wrapping ErrNotJudged, which Resend sends once more;
//   - nothing of ours named (a plain "All the tokens are invalid."):
//     batch.AllInvalid, so one token is dead, a batch is re-sent one token
//     at a time or, when large, reported as a likely misconfiguration.
func AllInvalid(tokens []string, vendor push.Vendor, status int, msg, requestID string) []push.Outcome {
	verr := func(kind error, text string) *push.VendorError {
		return &push.VendorError{Vendor: vendor, HTTPStatus: status, Code: CodeAllInvalid, Message: text, Kind: kind}
	}
	f, isJSON := readFailed(msg)
	if !isJSON {
		f = nil
	}
	if reason, kind, check, ok := appReason(f, msg); ok {
		text := msg
		if f != nil {
			text = reason + " (" + f.summary() + ")"
		}
		return batch.All(tokens, requestID, verr(kind, text+": "+check+"; not a token verdict, token kept"))
	}
	out := make([]push.Outcome, len(tokens))
	named := false
	if f != nil {
		index := make(map[string]int, len(tokens))
		for i, t := range tokens {
			if _, dup := index[t]; !dup {
				index[t] = i
			}
		}
		f.each(func(tok, reason string) {
			i, ok := index[tok]
			if !ok {
				return
			}
			named = true
			kind, text := push.ErrInvalidToken, "illegal token"
			if reason != "" {
				kind, text = ReasonKind(reason), reason
			}
			out[i] = push.Outcome{Token: tok, MessageID: requestID, Err: verr(kind, text+" ("+f.summary()+")")}
		})
	}
	if !named {
		return batch.AllInvalid(tokens, verr(push.ErrInvalidToken, msg))
	}
	for i, t := range tokens {
		if out[i].Err == nil {
			e := verr(push.ErrUnavailable, "")
			e.Cause = ErrNotJudged
			out[i] = push.Outcome{Token: t, MessageID: requestID, Err: e}
		}
	}
	return out
}

// Resend sends, once, the tokens of out that an 80300007 left unjudged
// (ErrNotJudged) in a request of their own, through batch.Run with guard so
// that its answer is judged by the same rules as any other, and puts their
// outcomes in place. Nothing was delivered to them, so nothing is shown
// twice. send must not call Resend itself: a token still unjudged after
// the second answer keeps its retryable outcome, so a client makes at most
// two requests for one batch. The verdicts of the re-sent tokens pass guard
// here and again in the caller's batch, which can only make it trip sooner.
func Resend(ctx context.Context, vendor push.Vendor, guard *batch.Guard, out []push.Outcome, send batch.Send) []push.Outcome {
	var rest []string
	var at []int
	for i, o := range out {
		if errors.Is(o.Err, ErrNotJudged) {
			rest = append(rest, o.Token)
			at = append(at, i)
		}
	}
	if len(rest) == 0 {
		return out
	}
	res := batch.Run(ctx, vendor, rest, len(rest), 1, guard, send)
	for j, i := range at {
		out[i] = res.Outcomes[j]
	}
	return out
}

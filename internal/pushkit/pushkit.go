// Package pushkit decodes the answer shape that Huawei Push Kit v1 (package
// huawei) and v3 (package harmony, HarmonyOS NEXT) share:
// {"code":"80000000","msg":"…","requestId":"…"}, where a partial success
// lists the failed tokens in a JSON text inside msg. Each vendor package
// keeps its own code table; the shape and the per-token reasons live here.
package pushkit

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/offlinepush/push"
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
	Code      Code   `json:"code"`
	Msg       string `json:"msg"`
	RequestID string `json:"requestId"`
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
	Success  int                 `json:"success"`
	Failure  int                 `json:"failure"`
	Illegal  []string            `json:"illegal_tokens"`
	ByReason map[string][]string `json:"illegalTokens"`
}

// MarkFailed gives the tokens msg lists the outcome their reason says.
// When msg cannot be read the outcomes stay as given: delivered for
// 80100000 (the vendor took the valid tokens and we cannot tell which
// failed; a dead token shows up again next time), invalid for 80300007.
func MarkFailed(out []push.Outcome, vendor push.Vendor, status int, code, msg string) []push.Outcome {
	var f failedTokens
	if json.Unmarshal([]byte(msg), &f) != nil {
		return out
	}
	summary := fmt.Sprintf("success %d, failure %d", f.Success, f.Failure)
	index := make(map[string]int, len(out))
	for i, o := range out {
		index[o.Token] = i
	}
	mark := func(tok, reason string, kind error) {
		if i, ok := index[tok]; ok {
			out[i].Err = &push.VendorError{Vendor: vendor, HTTPStatus: status, Code: code,
				Message: reason + " (" + summary + ")", Kind: kind}
		}
	}
	for _, t := range f.Illegal {
		mark(t, "illegal token", push.ErrInvalidToken)
	}
	for reason, toks := range f.ByReason {
		for _, t := range toks {
			mark(t, reason, ReasonKind(reason))
		}
	}
	return out
}

// ReasonKind classifies a per-token failure reason. Only reasons about the
// token itself make the caller delete it; app-level reasons (a missing
// entitlement, a penalty) would otherwise wipe every user's token.
func ReasonKind(reason string) error {
	switch reason {
	case "tokenFormatError", "tokenPlatformNotSupport",
		"noRight": // the token belongs to another project, or predates an upgrade to NEXT
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

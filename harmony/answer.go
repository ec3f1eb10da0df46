package harmony

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/pushkit"
	"github.com/offlinepush/push/internal/transport"
)

// Push Kit v3 codes.
const (
	CodeSuccess       = pushkit.CodeSuccess
	CodePartial       = pushkit.CodePartial
	CodeAuthError     = "80200001"
	CodeJWTExpired    = "80200005"
	CodeAllInvalid    = pushkit.CodeAllInvalid
	CodeTooLarge      = "80300008"
	CodeInternalError = pushkit.CodeInternalError
)

// busy reports the "try again" code inside an HTTP 200.
func busy(r *pushkit.Response) bool {
	return r.CodeIn(CodeInternalError)
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// decode maps one answer to one outcome per token. It returns an error only
// for an expired JWT, so that auth.Do signs a new one and sends once more.
//
// The verdict table (Huawei "响应参数-场景化消息", the v3 response codes,
// developer.huawei.com/consumer/cn/doc/harmonyos-references/push-scenariozed-api-response).
// ErrInvalidToken comes only from an answer that names the token, or from
// 80300007 to a request of that one token:
//
//	80000000  delivered
//	80100000  the tokens msg's illegalTokens lists, by reason
//	          (pushkit.ReasonKind: tokenFormatError, tokenPlatformNotSupport and
//	          noRight are dead, app-level reasons ErrAuth, …); the rest delivered
//	80300007  "All the tokens are invalid.": pushkit.AllInvalid. Its documented
//	          causes are mostly app-level (noRight: the tokens' app is not in the
//	          URL's project; noPushTypeRight; a penalty; appinfoError), so a
//	          recognised app-level reason is ErrAuth for every token, named
//	          tokens get their verdict (the others are sent again once), and a
//	          plain answer follows batch.AllInvalid (one token: dead; a batch:
//	          each token re-sent alone, or ErrAuth "likely a misconfiguration"
//	          above the guard's limit)
//	80200005  ErrAuth (JWT expired): a new JWT is signed and the request sent once more
//	80200001  ErrAuth (bad JWT, or its project is not the URL's)
//	80300002  ErrAuth (Push Kit not enabled, or the URL's project is not the app's)
//	80300036  ErrAuth (JWT valid over a day)
//	80300037  ErrAuth (the app is under a penalty)
//	80100001, 80100003, 80100004, 80100022, 80300008, 80300010, 80300030
//	          ErrInvalidMessage (parameters, structure, TTL, unverified image,
//	          body over 4096 bytes, token count, test-message token count)
//	80300029  ErrRateLimited (test messages too often), not retried
//	81000001  ErrUnavailable, retried (inner error)
//	HTTP 503  ErrRateLimited (flow control); 502 and 500 ErrUnavailable;
//	          a bare 401: a new JWT once, then ErrAuth
//	other     by HTTP status; an unknown code in a 200 is ErrUnavailable
func decode(resp *transport.Response, tokens []string) ([]push.Outcome, error) {
	v := push.Harmony
	r, jerr := transport.DecodeJSON[pushkit.Response](resp)
	if jerr != nil || r.Code == "" {
		switch {
		case resp.Status == 401:
			// A bare 401: sign a new JWT once (it may have expired in flight).
			return nil, &push.VendorError{Vendor: v, HTTPStatus: 401, Kind: push.ErrAuth, Message: "JWT refused", Cause: auth.ErrExpired}
		case resp.Status == 503:
			// v3 documents 503 as flow control.
			e := transport.StatusError(v, resp, "", "flow control")
			e.Kind = push.ErrRateLimited
			return batch.All(tokens, "", e), nil
		case resp.Status != 200:
			return batch.All(tokens, "", transport.StatusError(v, resp, "", "")), nil
		}
		return batch.All(tokens, "", &push.VendorError{Vendor: v, HTTPStatus: 200, Kind: push.ErrUnavailable, Message: "unreadable answer"}), nil
	}
	id, msg := string(r.RequestID), string(r.Msg)
	verr := func(kind error) *push.VendorError {
		return &push.VendorError{Vendor: v, HTTPStatus: resp.Status, Code: string(r.Code), Message: msg, Kind: kind}
	}
	var kind error
	switch r.Code {
	case CodeSuccess:
		return batch.All(tokens, id, nil), nil
	case CodePartial:
		return pushkit.MarkFailed(batch.All(tokens, id, nil), v, resp.Status, string(r.Code), msg), nil
	case CodeAllInvalid:
		return pushkit.AllInvalid(tokens, v, resp.Status, msg, id), nil
	case CodeJWTExpired:
		e := verr(push.ErrAuth)
		e.Cause = auth.ErrExpired
		return nil, e
	case CodeAuthError, "80300002", "80300036", "80300037":
		// bad JWT or project; no push right; JWT lifetime over a day; penalty
		kind = push.ErrAuth
	case "80100001", "80100003", "80100004", "80100022", CodeTooLarge, "80300010", "80300030":
		kind = push.ErrInvalidMessage
	case "80300029": // test messages sent too often
		kind = push.ErrRateLimited
	case CodeInternalError:
		kind = push.ErrUnavailable
	default:
		if resp.Status != 200 {
			return batch.All(tokens, id, transport.StatusError(v, resp, string(r.Code), msg)), nil
		}
		// An unknown code: report it as temporary rather than make the caller
		// drop a message or a token on a guess. The code is kept for logs.
		kind = push.ErrUnavailable
	}
	e := verr(kind)
	if resp.Status == 429 || resp.Status >= 500 {
		e.RetryAfter = transport.RetryAfter(resp.Header)
	}
	return batch.All(tokens, id, e), nil
}

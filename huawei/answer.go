package huawei

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/pushkit"
	"github.com/offlinepush/push/internal/transport"
)

// Huawei codes.
const (
	CodeSuccess          = pushkit.CodeSuccess
	CodePartial          = pushkit.CodePartial
	CodeAuthError        = "80200001"
	CodeTokenExpired     = "80200003"
	CodeJWTExpired       = "80200005"
	CodeAllInvalid       = pushkit.CodeAllInvalid
	CodeTooLarge         = "80300008"
	CodeInternalError    = pushkit.CodeInternalError
	CodeOAuthUnavailable = "80600003"
)

// busy reports Huawei's "try again" codes inside an HTTP 200.
func busy(r *pushkit.Response) bool {
	return r.CodeIn(CodeInternalError, CodeOAuthUnavailable)
}

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// decode maps one answer to one outcome per token. It returns an error only
// for a rejected access token, so that auth.Do refreshes it and sends once
// more.
//
// The verdict table (Huawei "HTTPS下行消息" v1 error codes,
// developer.huawei.com/consumer/cn/doc/HMSCore-References/https-send-api-0000001050986197;
// HMS-Core/hms-push-serverdemo-java ResponceCodeProcesser). ErrInvalidToken
// comes only from an answer that names the token, or from 80300007 to a
// request of that one token:
//
//	80000000  delivered
//	80100000  the tokens msg lists: illegal_tokens ErrInvalidToken, v3-style
//	          illegalTokens by reason (pushkit.ReasonKind); the rest delivered
//	80300007  "all the tokens are invalid": pushkit.AllInvalid. Huawei's causes
//	          include a package name or app id that does not match AppGallery
//	          Connect, so a batch is not marked dead on it: named tokens get
//	          their verdict (the others are sent again once), an app-level
//	          reason is ErrAuth, and an unnamed answer follows batch.AllInvalid
//	          (one token: dead; a batch: each token re-sent alone, or ErrAuth
//	          "likely a misconfiguration" above the guard's limit)
//	80200001, 80200003, 80200005
//	          ErrAuth (OAuth error, token expired, JWT expired): a new access
//	          token is fetched and the request sent once more
//	80300002  ErrAuth: the app may not send (Push Kit off, wrong app or project)
//	80300011  ErrAuth: no permission for high-importance notifications
//	          (Config.Importance HIGH needs it)
//	80300013  ErrAuth: the receipt address set up for the app is wrong
//	80100001, 80100002, 80100003, 80100004, 80100013, 80100016, 80100018,
//	80300008, 80300010
//	          ErrInvalidMessage (parameters, structure, TTL, collapse_key,
//	          sensitive content, signature, body over 4096 bytes, token count)
//	80100017  ErrRateLimited (over 100 concurrent topic tasks), not retried
//	81000001, 80600003
//	          ErrUnavailable, retried ("system internal error"; "request to the
//	          OAuth service failed": the doc says to check the client id and
//	          secret, but the token endpoint has just accepted them, so it is
//	          taken as the push server's own call failing)
//	other     by HTTP status (429 rate limited, 5xx unavailable, 4xx invalid
//	          message); an unknown code in a 200 is ErrUnavailable: nothing is
//	          deleted or refused on a guess
func decode(resp *transport.Response, tokens []string) ([]push.Outcome, error) {
	r, jerr := transport.DecodeJSON[pushkit.Response](resp)
	if jerr != nil || r.Code == "" {
		if resp.Status == 401 {
			// A bare 401 is the token being refused: refresh it once.
			return nil, &push.VendorError{Vendor: push.Huawei, HTTPStatus: 401, Kind: push.ErrAuth,
				Message: "access token refused", Cause: auth.ErrExpired}
		}
		if resp.Status != 200 {
			return batch.All(tokens, "", transport.StatusError(push.Huawei, resp, "", "")), nil
		}
		return batch.All(tokens, "", &push.VendorError{Vendor: push.Huawei, HTTPStatus: 200, Kind: push.ErrUnavailable,
			Message: "unreadable answer"}), nil
	}
	// msg never holds the AppSecret: the transport redacts it (Redact, in New).
	id, msg := string(r.RequestID), string(r.Msg)
	verr := func(kind error) *push.VendorError {
		return &push.VendorError{Vendor: push.Huawei, HTTPStatus: resp.Status, Code: string(r.Code), Message: msg, Kind: kind}
	}
	switch r.Code {
	case CodeSuccess:
		return batch.All(tokens, id, nil), nil
	case CodePartial:
		return pushkit.MarkFailed(batch.All(tokens, id, nil), push.Huawei, resp.Status, string(r.Code), msg), nil
	case CodeAllInvalid:
		return pushkit.AllInvalid(tokens, push.Huawei, resp.Status, msg, id), nil
	case CodeAuthError, CodeTokenExpired, CodeJWTExpired:
		e := verr(push.ErrAuth)
		e.Cause = auth.ErrExpired
		return nil, e
	}
	var kind error
	switch r.Code {
	case "80100001", "80100002", "80100003", "80100004", "80100013", "80100016", "80100018",
		CodeTooLarge, "80300010":
		kind = push.ErrInvalidMessage
	case "80100017": // too many concurrent topic tasks
		kind = push.ErrRateLimited
	case "80300002", "80300011", "80300013": // may not send; no high-importance right; bad receipt address
		kind = push.ErrAuth
	case CodeInternalError, CodeOAuthUnavailable:
		kind = push.ErrUnavailable
	default:
		if resp.Status != 200 {
			e := transport.StatusError(push.Huawei, resp, string(r.Code), msg)
			return batch.All(tokens, id, e), nil
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

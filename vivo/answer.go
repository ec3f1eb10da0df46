package vivo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/batch"
	"github.com/offlinepush/push/internal/lenient"
	"github.com/offlinepush/push/internal/transport"
)

// vivo result codes this package acts on by name; codeTable maps them all.
const (
	codeOK            = 0
	codeAuthFailed    = 10000 // authToken missing, wrong or expired
	codeNightTime     = 10071 // operational message outside 07:00–23:00
	codeTooFast       = 10072
	codeListBodyQuota = 10252 // too many saved list bodies today
	codeInvalidRegID  = 10302
)

// answer is vivo's reply to every call. It is read leniently (see
// UnmarshalJSON); hasResult tells a reply that says "result" from one that
// says nothing, which is no success.
type answer struct {
	Result       int
	Desc         string
	TaskID       string
	AuthToken    string
	InvalidUser  *invalidUser
	InvalidUsers []invalidUser
	hasResult    bool
}

// UnmarshalJSON reads result as a number or a string holding one, and
// taskId as a string or a number (kept as its digits): vivo's own SDK and
// the clients of it disagree on these types.
func (a *answer) UnmarshalJSON(b []byte) error {
	var w struct {
		Result       *number       `json:"result"`
		Desc         string        `json:"desc"`
		TaskID       text          `json:"taskId"`
		AuthToken    string        `json:"authToken"`
		InvalidUser  *invalidUser  `json:"invalidUser"`
		InvalidUsers []invalidUser `json:"invalidUsers"`
	}
	err := json.Unmarshal(b, &w)
	*a = answer{Desc: w.Desc, TaskID: string(w.TaskID), AuthToken: w.AuthToken, InvalidUser: w.InvalidUser, InvalidUsers: w.InvalidUsers}
	if w.Result != nil {
		a.Result, a.hasResult = int(*w.Result), true
	}
	return err
}

// invalidUser names a regId vivo refused and why (status; 0 when absent).
type invalidUser struct {
	Status int
	UserID string
}

// UnmarshalJSON reads status as a number or a string, and userid as a
// string or a number: the official SDK types it a string, modood/pushapi
// an int.
func (u *invalidUser) UnmarshalJSON(b []byte) error {
	var w struct {
		Status number `json:"status"`
		UserID text   `json:"userid"`
	}
	err := json.Unmarshal(b, &w)
	*u = invalidUser{Status: int(w.Status), UserID: string(w.UserID)}
	return err
}

// number is a JSON integer, or a string holding one.
type number int

func (n *number) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return fmt.Errorf("vivo: %.20q is not an integer code", s)
	}
	*n = number(v)
	return nil
}

// text reads a JSON string, or a number kept as its exact digits (a regId
// of 23 digits does not fit an int64, and must not be rounded).
type text = lenient.Scalar

// busy reports vivo's "sending too fast" inside an HTTP 200: the request
// was refused, so the transport may retry it after a backoff.
func busy(a *answer) bool { return a.hasResult && a.Result == codeTooFast }

// checkBusy parses a 200 answer once, for busy and then for decode.
var checkBusy = transport.BusyJSON(busy)

// decode reads an answer. A non-zero result is returned as an error along
// with the answer, which may still name the regIds at fault. An answer
// without a result (null, {}) does not say the request was accepted, so it
// is no success.
func decode(resp *transport.Response) (*answer, error) {
	a, jerr := transport.DecodeJSON[answer](resp)
	if resp.Status != http.StatusOK {
		code, msg := "", ""
		if jerr == nil && a.Result != 0 {
			code, msg = strconv.Itoa(a.Result), a.Desc
		}
		return nil, transport.StatusError(push.Vivo, resp, code, msg)
	}
	if jerr != nil {
		return nil, &push.VendorError{Vendor: push.Vivo, HTTPStatus: resp.Status, Kind: push.ErrUnavailable,
			Message: "unreadable answer", Cause: jerr}
	}
	if !a.hasResult {
		return nil, &push.VendorError{Vendor: push.Vivo, HTTPStatus: resp.Status, Kind: push.ErrUnavailable,
			Message: "the answer carries no result code"}
	}
	if a.Result != codeOK {
		return a, codeError(a.Result, a.Desc, time.Now())
	}
	return a, nil
}

// A codeRow is one line of vivo's verdict table: the codes from..to, the
// class they map to, what vivo means, and the sources (see codeTable).
type codeRow struct {
	from, to int
	kind     error
	meaning  string
	source   string
}

// codeTable is the verdict table: every result code vivo documents → its
// class. Sources: S = the official Java SDK vpush-server-sdk 2.2
// (ExceptionStatusEnum); A = vivo's server API doc v2.9.2; G = Getui's
// vendor code table; P = a production PHP vivo sender; X = xxgail/PushSDK;
// M = modood/pushapi (comments from the 2024 doc). A code not listed is
// ErrUnavailable with the code kept: nobody drops a message or a token on
// a guess.
//
// ErrInvalidToken (10302) and ErrDisabled (10311) are verdicts on a token,
// and vivo gives them with a token only on /message/send, whose request
// names one regId. On any other request (auth and saveListPayload carry no
// regId; a pushToList answer names its bad regIds in invalidUsers) they are
// restated as ErrUnavailable (noVerdict); invalidUser(s).status refines the
// verdict (userError).
var codeTable = []codeRow{
	{10000, 10000, push.ErrAuth, "权限认证失败: authToken missing, wrong or expired; re-authenticated once", "G, P (not in S)"},
	{10043, 10043, push.ErrAuth, "push is disabled for the app", "G"},
	{10045, 10045, push.ErrAuth, "app under review: only test pushes (PushMode Test)", "G"},
	{10050, 10069, push.ErrInvalidMessage, "request checks: target, message type, notifyType, title, content, timeToLive, skipType, skipContent, networkType, clientCustomMap", "S, G"},
	{10070, 10070, push.ErrQuota, "operational messages used up today", "A, G, P"},
	{10071, 10071, push.ErrRateLimited, "operational message outside 07:00–23:00 Beijing time (RetryAfter: until 07:00)", "G"},
	{10072, 10072, push.ErrRateLimited, "sending too fast (retried with backoff)", "G, P"},
	{10073, 10073, push.ErrQuota, "system messages used up today", "G"},
	{10082, 10082, push.ErrAuth, "system messages are not enabled for the app", "G"},
	{10094, 10094, push.ErrAuth, "the body's appId is not the authToken's", "A"},
	{10095, 10097, push.ErrInvalidMessage, "notifyId invalid; category invalid or not matching classification", "G, M"},
	{10103, 10104, push.ErrInvalidMessage, "sensitive content; content that looks like a test", "G"},
	{10150, 10154, push.ErrInvalidMessage, "list push: regIds, taskId or list size (2..1000)", "S, G"},
	{10155, 10155, push.ErrUnavailable, "saved list body missing or expired: a later push saves a new one", "S, G"},
	{10200, 10207, push.ErrAuth, "auth: appId, appKey, timestamp or sign empty or wrong", "X, G, A"},
	{10250, 10250, push.ErrRateLimited, "auth called too often", "X"},
	{10252, 10252, push.ErrQuota, "too many list bodies saved today: lists then go out one regId at a time", "A, G"},
	{10254, 10254, push.ErrQuota, "/message/all over its daily limit", "A"},
	{10301, 10301, push.ErrInvalidMessage, "alias too long", "S"},
	{10302, 10302, push.ErrInvalidToken, "regId不合法: on /message/send, the verdict on its regId (refined by invalidUser.status)", "S, A, G"},
	{10304, 10306, push.ErrInvalidMessage, "extra: callback or callback.param too long", "S, G"},
	{10311, 10311, push.ErrDisabled, "the device cannot receive now (notifications off or inactive): token kept", "G"},
	{10352, 10353, push.ErrInvalidMessage, "requestId empty or over 64 characters", "S"},
	{11000, 11000, push.ErrInvalidMessage, "classification invalid", "S"},
}

// codeError maps a vivo result code to its class (codeTable).
func codeError(code int, desc string, now time.Time) *push.VendorError {
	e := &push.VendorError{Vendor: push.Vivo, HTTPStatus: http.StatusOK, Code: strconv.Itoa(code), Message: desc,
		Kind: push.ErrUnavailable}
	for _, r := range codeTable {
		if code >= r.from && code <= r.to {
			e.Kind = r.kind
			if e.Message == "" {
				e.Message = r.meaning
			}
			break
		}
	}
	switch code {
	case codeAuthFailed:
		e.Cause = auth.ErrExpired // auth.Do re-authenticates once
	case codeNightTime:
		e.RetryAfter = nextCST(now, 7).Sub(now)
	}
	return e
}

// noVerdict restates a token verdict (ErrInvalidToken, ErrDisabled) given
// to a request that names no single token as ErrUnavailable, keeping the
// code: it proves nothing about any one token. why says which request.
func noVerdict(err error, why string) error {
	var ve *push.VendorError
	if !errors.As(err, &ve) || ve.Kind != push.ErrInvalidToken && ve.Kind != push.ErrDisabled {
		return err
	}
	e := *ve
	e.Kind = push.ErrUnavailable
	e.Message = strings.TrimPrefix(e.Message+"; ", "; ") + "not a verdict on any token: " + why
	return &e
}

// outcomes maps one answer onto its regIds: every regId gets the call's
// result, except the regIds vivo names in invalidUser(s). A code that
// judges a token is a verdict only on a request of one regId; on a list,
// only the regIds named are judged.
func outcomes(regIDs []string, taskID string, ans *answer, err error) []push.Outcome {
	if err != nil {
		taskID = ""
	}
	single := len(regIDs) == 1
	if err != nil && !single {
		err = noVerdict(err, "vivo did not name this regId")
	}
	out := batch.All(regIDs, taskID, err)
	if ans == nil || err != nil && ans.Result != codeInvalidRegID {
		return out
	}
	users := ans.InvalidUsers
	if ans.InvalidUser != nil {
		users = append(users, *ans.InvalidUser)
	}
	named := make(map[string]invalidUser, len(users))
	for _, u := range users {
		named[u.UserID] = u
	}
	for i := range out {
		u, ok := named[out[i].Token]
		if !ok && err != nil && single {
			// 10302 to one regId is about that regId, whatever userid the
			// answer prints (or none): its status, if any, still says why.
			u, ok = invalidUser{UserID: regIDs[0]}, true
			if len(users) > 0 {
				u.Status = users[0].Status
			}
		}
		if ok {
			out[i].Err = userError(u, ans)
		}
	}
	return out
}

// userError is the verdict on a regId vivo named invalid, by its status:
// dead only when vivo says it does not exist (status 1, or no status).
func userError(u invalidUser, ans *answer) error {
	e := &push.VendorError{Vendor: push.Vivo, HTTPStatus: http.StatusOK, Code: strconv.Itoa(codeInvalidRegID),
		Message: userStatus(u.Status)}
	if ans.Result == codeInvalidRegID && ans.Desc != "" {
		e.Message = ans.Desc + ": " + e.Message
	}
	switch u.Status {
	case 0, 1:
		e.Kind = push.ErrInvalidToken
	case 2:
		// vivo puts "uninstalled" and "unsubscribed (turnOffPush)" under
		// one status: the token may be alive and work again when its user
		// turns push back on, so it is kept.
		e.Kind = push.ErrDisabled
	case 3:
		// Offline for 90 days (2020 doc only): the device, not its
		// registration, is gone for now; the regId works when it is back.
		e.Kind = push.ErrDisabled
	case 4:
		// A live device that is not a registered test device: the cause
		// is Config.PushMode Test, an app setting.
		e.Kind = push.ErrAuth
	default:
		// A status this package does not know: no proof of death.
		e.Kind = push.ErrUnavailable
	}
	return e
}

func userStatus(s int) string {
	switch s {
	case 0:
		return "regId invalid"
	case 1:
		return "regId does not exist (status 1)"
	case 2:
		return "app uninstalled, push turned off or app data cleared (status 2): it may be a live token whose user turned push off: token kept"
	case 3:
		return "device offline for 90 days (status 3): token kept, it receives again when the device is back"
	case 4:
		return "not a test device (status 4): Config.PushMode is Test, which sends only to the test devices registered in the vivo console"
	}
	return fmt.Sprintf("regId refused with status %d, which this package does not know: token kept", s)
}

// code returns the vivo result code of err, or -1.
func code(err error) int {
	var ve *push.VendorError
	if errors.As(err, &ve) && ve.HTTPStatus == http.StatusOK {
		if n, perr := strconv.Atoi(ve.Code); perr == nil {
			return n
		}
	}
	return -1
}

// nextCST returns the next time it is hour:00 in Beijing after now: vivo
// counts its days and sending hours there, the China time the quota
// breaker resets on (push.NextMidnightChina). China has no daylight
// saving, so every day there is 24 hours.
func nextCST(now time.Time, hour int) time.Time {
	next := push.NextMidnightChina(now).Add(time.Duration(hour-24) * time.Hour) // today's hour:00
	if !next.After(now) {
		next = next.Add(24 * time.Hour)
	}
	return next
}

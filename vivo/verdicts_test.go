package vivo

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/fuzzkit"
	"github.com/offlinepush/push/pushtest"
)

// classOf names the one sentinel err matches ("" for nil), so a table can
// say what each token's outcome must be.
func classOf(t *testing.T, err error) error {
	t.Helper()
	if err == nil {
		return nil
	}
	var found []error
	for _, s := range []error{push.ErrInvalidToken, push.ErrDisabled, push.ErrInvalidMessage, push.ErrAuth,
		push.ErrQuota, push.ErrRateLimited, push.ErrUnavailable} {
		if errors.Is(err, s) {
			found = append(found, s)
		}
	}
	require.Len(t, found, 1, "%v matches %d classes", err, len(found))
	return found[0]
}

func vendorCode(t *testing.T, err error) string {
	t.Helper()
	var ve *push.VendorError
	require.ErrorAs(t, err, &ve)
	return ve.Code
}

// TestNoTokenNoVerdict (issue 13, finding 1): an answer to a request that
// carries no regId (auth, saveListPayload), or a list answer that names no
// regId, is never a verdict on a token: a saveListPayload answered 10302
// used to mark every regId of the list ErrInvalidToken (up to 1000 live
// tokens deleted per list), and an auth answered 10302 the pushed token.
func TestNoTokenNoVerdict(t *testing.T) {
	tests := []struct {
		name  string
		fault pushtest.Fault
		toks  []string
		code  string
		lists int // pushToList requests expected
	}{
		{"saveListPayload 10302", pushtest.Fault{Path: SaveListPath, Body: `{"result":10302,"desc":"regId不合法"}`}, []string{"a", "b", "c"}, "10302", 0},
		{"saveListPayload 10302 as a string", pushtest.Fault{Path: SaveListPath, Body: `{"result":"10302","desc":"regId不合法"}`}, []string{"a", "b"}, "10302", 0},
		{"saveListPayload 10311", pushtest.Fault{Path: SaveListPath, Body: `{"result":10311,"desc":"cannot receive"}`}, []string{"a", "b"}, "10311", 0},
		{"saveListPayload 10302 naming a regId", pushtest.Fault{Path: SaveListPath,
			Body: `{"result":10302,"desc":"regId不合法","invalidUser":{"status":1,"userid":"a"}}`}, []string{"a", "b"}, "10302", 0},
		{"auth 10302, one regId", pushtest.Fault{Path: AuthPath, Body: `{"result":10302,"desc":"regId不合法"}`}, []string{"a"}, "10302", 0},
		{"auth 10302, a list", pushtest.Fault{Path: AuthPath, Body: `{"result":10302,"desc":"regId不合法"}`}, []string{"a", "b", "c"}, "10302", 0},
		{"auth 10311, one regId", pushtest.Fault{Path: AuthPath, Body: `{"result":10311,"desc":"cannot receive"}`}, []string{"a"}, "10311", 0},
		{"pushToList 10302 naming none", pushtest.Fault{Path: PushToListPath, Body: `{"result":10302,"desc":"regId不合法"}`}, []string{"a", "b", "c"}, "10302", 1},
		{"pushToList 10311 naming none", pushtest.Fault{Path: PushToListPath, Body: `{"result":10311,"desc":"cannot receive"}`}, []string{"a", "b"}, "10311", 1},
	}
	for _, guard := range []int{push.DefaultMisconfigGuard, 0} {
		for _, tc := range tests {
			name := tc.name
			if guard == 0 {
				name += ", guard off"
			}
			t.Run(name, func(t *testing.T) {
				c, srv := newTest(t, Config{}, push.WithMisconfigGuard(guard))
				f := tc.fault
				f.ContentType, f.Times = "application/json", -1
				srv.Inject(f)
				res, err := c.Push(context.Background(), info(), tc.toks...)
				require.NoError(t, err)
				require.Len(t, res.Outcomes, len(tc.toks))
				for _, o := range res.Outcomes {
					assert.Equal(t, push.ErrUnavailable, classOf(t, o.Err), "%s: %v", o.Token, o.Err)
					assert.Equal(t, tc.code, vendorCode(t, o.Err), "the vendor's code is kept")
					assert.Empty(t, o.MessageID)
				}
				assert.Empty(t, res.InvalidTokens())
				assert.Equal(t, tc.lists, srv.Count(PushToListPath))
				assert.Zero(t, srv.Count(SendPath), "a list is not re-sent one by one on a code that judges no regId")
				assert.Empty(t, srv.Delivered())
			})
		}
	}
}

// TestUserStatusVerdicts: vivo's invalidUser(s).status says why a regId
// was refused. Only status 1 ("does not exist") and a bare 10302 to one
// regId prove the token dead; status 2 (uninstalled, or push turned off)
// and 3 (offline 90 days) may be a live token (ErrDisabled: keep it);
// status 4 (not a test device) is the app's PushMode (ErrAuth); a status
// this package does not know keeps the token.
func TestUserStatusVerdicts(t *testing.T) {
	tests := []struct {
		name   string
		status string // JSON value; "" for none
		want   error
		text   string // in the error
	}{
		{"no status", "", push.ErrInvalidToken, "regId不合法"},
		{"status 1", "1", push.ErrInvalidToken, "does not exist"},
		{"status 1 as a string", `"1"`, push.ErrInvalidToken, "does not exist"},
		{"status 2", "2", push.ErrDisabled, "token kept"},
		{"status 3", "3", push.ErrDisabled, "offline"},
		{"status 4", "4", push.ErrAuth, "PushMode"},
		{"status 4 as a string", `"4"`, push.ErrAuth, "PushMode"},
		{"unknown status", "9", push.ErrUnavailable, "status 9"},
	}
	user := func(status, id string) string {
		if status == "" {
			return `{"userid":"` + id + `"}`
		}
		return `{"status":` + status + `,"userid":"` + id + `"}`
	}
	for _, tc := range tests {
		t.Run("send "+tc.name, func(t *testing.T) {
			c, srv := newTest(t, Config{}, push.WithMisconfigGuard(0))
			body := `{"result":10302,"desc":"regId不合法","invalidUser":` + user(tc.status, "dead") + `}`
			if tc.status == "" {
				body = `{"result":10302,"desc":"regId不合法"}`
			}
			srv.Inject(pushtest.Fault{Path: SendPath, Body: body, ContentType: "application/json"})
			res := mustPush(t, c, info(), "dead")
			err := res.Outcomes[0].Err
			assert.Equal(t, tc.want, classOf(t, err), "%v", err)
			assert.Contains(t, err.Error(), tc.text)
			assert.Equal(t, "10302", vendorCode(t, err))
		})
		if tc.status == "" {
			continue
		}
		t.Run("pushToList "+tc.name, func(t *testing.T) {
			c, srv := newTest(t, Config{}, push.WithMisconfigGuard(0))
			srv.Inject(pushtest.Fault{Path: PushToListPath, ContentType: "application/json",
				Body: `{"result":0,"desc":"请求成功","invalidUsers":[` + user(tc.status, "b") + `]}`})
			res := mustPush(t, c, info(), "a", "b")
			assert.NoError(t, res.Outcomes[0].Err)
			err := res.Outcomes[1].Err
			assert.Equal(t, tc.want, classOf(t, err), "%v", err)
			assert.Contains(t, err.Error(), tc.text)
		})
	}
}

// TestTestModeIsConfig: a regId refused as "not a test user" (status 4,
// PushMode Test) is the app's configuration, never a dead token, from the
// fake as from vivo, for one regId and for a list.
func TestTestModeIsConfig(t *testing.T) {
	c, srv := newTest(t, Config{AppID: testAppID, AppKey: testKey, AppSecret: testSecret, PushMode: Test})
	srv.TestDevices("tester")
	res := mustPush(t, c, info(), "tester", "stranger")
	require.NoError(t, res.Outcomes[0].Err)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrAuth)
	assert.Contains(t, res.Outcomes[1].Err.Error(), "PushMode")
	res = mustPush(t, c, info(), "stranger")
	assert.ErrorIs(t, res.Outcomes[0].Err, push.ErrAuth)
	assert.Empty(t, res.InvalidTokens())
}

// TestLenientAnswers: vivo's SDKs disagree on JSON types (the official
// Result has a numeric result and string userid; modood types userid as an
// int; a taskId is a long in some clients). A number or a string is read
// for result, status, userid and taskId; before, such an answer was
// "unreadable": a success lost and a dead regId never reported.
func TestLenientAnswers(t *testing.T) {
	const regID = "15638535410301000000001" // over int64: kept as its digits
	tests := []struct {
		name string
		toks []string
		body string
		want []error
		task string
	}{
		{"result as a string", []string{"a"}, `{"result":"0","desc":"请求成功","taskId":"121397329"}`, []error{nil}, "121397329"},
		{"taskId as a number", []string{"a"}, `{"result":0,"desc":"请求成功","taskId":342982232646905856}`, []error{nil}, "342982232646905856"},
		{"userid as a number", []string{regID}, `{"result":10302,"desc":"regId不合法","invalidUser":{"status":1,"userid":` + regID + `}}`,
			[]error{push.ErrInvalidToken}, ""},
		{"list userid as a number", []string{regID, "b"}, `{"result":"0","desc":"ok","invalidUsers":[{"status":"1","userid":` + regID + `}]}`,
			[]error{push.ErrInvalidToken, nil}, ""},
		{"code as a string", []string{"a"}, `{"result":"10070","desc":"quota"}`, []error{push.ErrQuota}, ""},
		{"code not a number", []string{"a"}, `{"result":"ok"}`, []error{push.ErrUnavailable}, ""},
		{"status not a number", []string{"a", "b"}, `{"result":0,"invalidUsers":[{"status":"x","userid":"a"}]}`, []error{push.ErrUnavailable, push.ErrUnavailable}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans, err := decode(fuzzkit.Response(200, "", []byte(tc.body)))
			task := ""
			if ans != nil {
				task = string(ans.TaskID)
			}
			out := outcomes(tc.toks, task, ans, err)
			require.Len(t, out, len(tc.toks))
			for i, o := range out {
				assert.Equal(t, tc.want[i], classOf(t, o.Err), "%s: %v", o.Token, o.Err)
			}
			if tc.task != "" {
				assert.Equal(t, tc.task, out[0].MessageID)
			}
		})
	}
}

// TestAnswerWithoutResult: a 200 whose body does not say "result" (null,
// {}, a desc alone) does not say the request was accepted: no regId is
// reported delivered. It used to read as result 0, a lost message counted
// as a success.
func TestAnswerWithoutResult(t *testing.T) {
	for _, body := range []string{`null`, `{}`, `{"desc":"请求成功","taskId":"1"}`} {
		for _, path := range []string{SendPath, SaveListPath, PushToListPath} {
			t.Run(path+" "+body, func(t *testing.T) {
				c, srv := newTest(t, Config{})
				srv.Inject(pushtest.Fault{Path: path, Body: body, ContentType: "application/json", Times: -1})
				toks := []string{"a", "b"}
				if path == SendPath {
					toks = toks[:1]
				}
				res := mustPush(t, c, info(), toks...)
				for _, o := range res.Outcomes {
					assert.Equal(t, push.ErrUnavailable, classOf(t, o.Err), "%s: %v", o.Token, o.Err)
				}
			})
		}
	}
	// the auth answer too: no token is taken from it
	c, srv := newTest(t, Config{})
	srv.Inject(pushtest.Fault{Path: AuthPath, Body: `{"authToken":"x"}`, ContentType: "application/json", Times: -1})
	res := mustPush(t, c, info(), "a")
	assert.Equal(t, push.ErrUnavailable, classOf(t, res.Outcomes[0].Err), "%v", res.Outcomes[0].Err)
	assert.Zero(t, srv.Count(SendPath))
}

// TestCodeTable: every row of the verdict table maps its codes to its
// class (one class each), 10000 re-authenticates, and a code vivo does not
// document is ErrUnavailable with the code kept.
func TestCodeTable(t *testing.T) {
	for _, r := range codeTable {
		for _, code := range []int{r.from, r.to} {
			err := codeError(code, "", time.Now())
			assert.Equal(t, r.kind, classOf(t, err), "code %d", code)
			assert.Equal(t, strconv.Itoa(code), err.Code)
			assert.NotEmpty(t, err.Message, "code %d: the meaning stands in for an empty desc", code)
			assert.NotEmpty(t, r.source, "code %d has a source", code)
		}
	}
	assert.ErrorIs(t, codeError(codeAuthFailed, "", time.Now()), auth.ErrExpired)
	for _, code := range []int{1, 10001, 10299, 10303, 10310, 19999} {
		err := codeError(code, "?", time.Now())
		assert.Equal(t, push.ErrUnavailable, classOf(t, err), "code %d", code)
		assert.Equal(t, strconv.Itoa(code), err.Code)
	}
	// the token verdicts come from /message/send codes only
	for _, r := range codeTable {
		if r.kind == push.ErrInvalidToken || r.kind == push.ErrDisabled {
			assert.Contains(t, []int{codeInvalidRegID, 10311}, r.from)
		}
	}
}

// TestListBodyQuotaFallbackGuarded: when vivo saves no more list bodies
// (10252) a list goes out one regId at a time; those single-regId answers
// are verdicts, and the misconfiguration guard still judges them: another
// app's regIds (all "not existing") are not reported dead en masse.
func TestListBodyQuotaFallbackGuarded(t *testing.T) {
	c, srv := newTest(t, Config{})
	srv.SetMisconfigured(true)
	srv.Inject(pushtest.Fault{Path: SaveListPath, Code: "10252"})
	res := mustPush(t, c, info(), tokens(30)...)
	assert.Equal(t, 30, srv.Count(SendPath))
	assert.LessOrEqual(t, len(res.InvalidTokens()), push.DefaultMisconfigGuard)
	for _, o := range res.Outcomes {
		if !errors.Is(o.Err, push.ErrInvalidToken) {
			assert.ErrorIs(t, o.Err, push.ErrAuth)
			assert.Contains(t, o.Err.Error(), "Config.AppID")
		}
	}
}

// nextCST counts vivo's hours in Beijing time (UTC+8): the next hour:00
// strictly after now, today's when it is still ahead, else tomorrow's.
func TestNextCST(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return tm
	}
	for _, tc := range []struct {
		name string
		now  string
		hour int
		want string
	}{
		{"07:00 still ahead today", "2026-11-25T20:30:00Z", 7, "2026-11-25T23:00:00Z"},  // 04:30 Beijing
		{"07:00 passed: tomorrow's", "2026-11-25T02:00:00Z", 7, "2026-11-25T23:00:00Z"}, // 10:00 Beijing
		{"exactly 07:00: the next one", "2026-11-24T23:00:00Z", 7, "2026-11-25T23:00:00Z"},
		{"midnight", "2026-11-25T15:30:00Z", 0, "2026-11-25T16:00:00Z"}, // 23:30 Beijing
		{"just after midnight", "2026-11-25T16:00:01Z", 0, "2026-11-26T16:00:00Z"},
		{"UTC date behind Beijing's", "2026-12-31T17:00:00Z", 0, "2027-01-01T16:00:00Z"}, // 01:00 on Jan 1 in Beijing
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, utc(tc.want), nextCST(utc(tc.now), tc.hour).UTC())
		})
	}
}

package xiaomi_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/xiaomi"
)

const (
	secret = "xiaomi-test-secret-9f8e7d"
	pkg    = "com.example.app"
)

var fastRetry = push.WithRetry(push.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: time.Second})

func setup(t *testing.T, opts ...push.Option) (*xiaomi.Client, *pushtest.Xiaomi) {
	t.Helper()
	srv := pushtest.NewXiaomi(secret, pkg)
	t.Cleanup(srv.Close)
	c, err := xiaomi.New(xiaomi.Config{AppSecret: secret, PackageName: pkg, ChannelID: "im_private"},
		append([]push.Option{push.WithEndpoint(srv.URL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c, srv
}

// msg is deterministic: ID fixes the jobkey, CollapseID the notify_id.
func msg(click push.ClickAction) *push.OfflinePushInfo {
	return &push.OfflinePushInfo{Title: "Hello", Desc: "World", Ext: `{"k":"v"}`, Click: click,
		TTL: 24 * time.Hour, ID: "msg-1", CollapseID: "chat-42"}
}

var clicks = map[string]push.ClickAction{
	"default": {},
	"app":     {Kind: push.ClickOpenApp},
	"url":     {Kind: push.ClickOpenURL, URL: "https://example.com/page"},
	"page":    {Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.example.app/.ChatActivity;end"},
}

func TestGoldenBodies(t *testing.T) {
	for name, click := range clicks {
		for _, n := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s_%d", name, n), func(t *testing.T) {
				c, srv := setup(t)
				tokens := []string{"REGID1", "REGID2", "REGID3"}[:n]
				res, err := c.Push(context.Background(), msg(click), tokens...)
				require.NoError(t, err)
				require.NoError(t, res.Err())
				sends := srv.Sends()
				require.Len(t, sends, 1)
				r := sends[0]
				assert.Equal(t, "POST", r.Method)
				assert.Equal(t, "/v3/message/regid", r.Path)
				assert.Equal(t, "key="+secret, r.Header.Get("Authorization"))
				assert.Equal(t, "application/x-www-form-urlencoded;charset=UTF-8", r.Header.Get("Content-Type"))
				golden.Assert(t, fmt.Sprintf("%s_%d.form", name, n), r.Body)
			})
		}
	}
}

// TestReferenceExample checks the wire form field by field against the
// example of the reference (xiaomi-huawei-honor.md §1.4).
func TestReferenceExample(t *testing.T) {
	ref, err := url.ParseQuery("description=World&extra.channel_id=im_private&extra.ext=%7B%22k%22%3A%22v%22%7D&extra.notify_effect=3&extra.web_uri=https%3A%2F%2Fexample.com%2Fpage&notify_id=12345&notify_type=-1&pass_through=0&registration_id=REGID1&restricted_package_name=com.example.app&time_to_live=86400000&title=Hello")
	require.NoError(t, err)
	c, srv := setup(t)
	_, err = c.Push(context.Background(), msg(clicks["url"]), "REGID1")
	require.NoError(t, err)
	got := srv.Sends()[0].Form
	for k := range ref {
		t.Run(k, func(t *testing.T) {
			if k == "notify_id" { // ours is derived from CollapseID; check its type and range
				n, err := strconv.Atoi(got.Get(k))
				require.NoError(t, err)
				assert.True(t, n > 0 && n <= 2147483647)
				return
			}
			assert.Equal(t, ref.Get(k), got.Get(k), k)
		})
	}
	// ours adds only the jobkey (client-side dedupe)
	assert.Len(t, got, len(ref)+1)
	assert.Regexp(t, `^[0-9a-f]{20}$`, got.Get("extra.jobkey"))

	// three tokens: identical except registration_id
	c3, srv3 := setup(t)
	_, err = c3.Push(context.Background(), msg(clicks["url"]), "REGID1", "REGID2", "REGID3")
	require.NoError(t, err)
	assert.Contains(t, string(srv3.Sends()[0].Body), "registration_id=REGID1%2CREGID2%2CREGID3")
}

func TestNotifyIDPolicy(t *testing.T) {
	c, _ := setup(t)
	a, err := c.Form(&push.OfflinePushInfo{Title: "t", Desc: "1"})
	require.NoError(t, err)
	b, err := c.Form(&push.OfflinePushInfo{Title: "t", Desc: "2"})
	require.NoError(t, err)
	assert.NotEqual(t, a.Get("notify_id"), b.Get("notify_id"), "a new message must not replace the previous one")
	assert.NotEqual(t, a.Get("extra.jobkey"), b.Get("extra.jobkey"))
	x, _ := c.Form(&push.OfflinePushInfo{Title: "t", Desc: "1", CollapseID: "c", ID: "same"})
	y, _ := c.Form(&push.OfflinePushInfo{Title: "t", Desc: "2", CollapseID: "c", ID: "same"})
	assert.Equal(t, x.Get("notify_id"), y.Get("notify_id"), "same CollapseID, same slot")
	assert.Equal(t, x.Get("extra.jobkey"), y.Get("extra.jobkey"), "same ID, same jobkey")
}

// TestLengths: Title and Desc are fitted to Xiaomi's limits (under 50 and
// 128 characters, counted as Java counts them: an emoji is 2), cut on a
// character boundary and ended with "…"; a text at the limit is sent as is;
// WithStrictLength refuses instead. The fake refuses anything longer.
func TestLengths(t *testing.T) {
	r := strings.Repeat
	tests := []struct {
		name                string
		title, desc         string
		wantTitle, wantDesc string
	}{
		{"CJK at the limits", r("你", 49), r("好", 127), r("你", 49), r("好", 127)},
		{"CJK over", r("你", 50), r("好", 200), r("你", 48) + "…", r("好", 126) + "…"},
		{"emoji at the limits", r("😀", 24) + "a", r("🎉", 63) + "b", r("😀", 24) + "a", r("🎉", 63) + "b"},
		{"emoji over", r("😀", 25), r("🎉", 64), r("😀", 24) + "…", r("🎉", 63) + "…"},
		// 47 units + an emoji would be 49 + "…": the emoji does not fit
		// beside the ellipsis and is not split.
		{"mixed", r("a", 47) + "😀😀", "Hi 你好 " + r("😀", 70), r("a", 47) + "…", "Hi 你好 " + r("😀", 60) + "…"},
		{"space before the cut", r("a", 40) + r(" ", 9) + "bc", "d", r("a", 40) + "…", "d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t)
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: tt.title, Desc: tt.desc}, "REGID1")
			require.NoError(t, err)
			require.NoError(t, res.Err(), "the fake accepts the fitted texts")
			f := srv.Sends()[0].Form
			assert.Equal(t, tt.wantTitle, f.Get("title"))
			assert.Equal(t, tt.wantDesc, f.Get("description"))
		})
	}

	strict, srv := setup(t, push.WithStrictLength())
	for _, tt := range []struct{ title, desc, want string }{
		{r("你", 50), "d", "Title is too long: 50 UTF-16 units, the limit is 49"},
		{r("😀", 25), "d", "Title is too long: 50 UTF-16 units, the limit is 49"},
		{"t", r("好", 128), "Desc is too long: 128 UTF-16 units, the limit is 127"},
	} {
		t.Run("strict "+tt.want, func(t *testing.T) {
			_, err := strict.Push(context.Background(), &push.OfflinePushInfo{Title: tt.title, Desc: tt.desc}, "REGID1")
			assert.ErrorIs(t, err, push.ErrInvalidMessage)
			assert.ErrorContains(t, err, tt.want)
		})
	}
	_, err := strict.Push(context.Background(), &push.OfflinePushInfo{Title: r("😀", 24) + "a", Desc: r("好", 127)}, "REGID1")
	assert.NoError(t, err, "strict sends what fits")
	assert.Len(t, srv.Sends(), 1)
}

// TestExtNeverCut: Ext goes whole into one extra value (at most 1024
// characters) or the message is refused naming Ext, before any request.
func TestExtNeverCut(t *testing.T) {
	c, srv := setup(t)
	ext := `{"t":"` + strings.Repeat("你", 1016) + `"}` // 1024 characters
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: strings.Repeat("好", 300), Ext: ext}, "REGID1")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, ext, srv.Sends()[0].Form.Get("extra.ext"))

	srv.Reset()
	_, err = c.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d", Ext: `{"t":"` + strings.Repeat("😀", 509) + `"}`}, "REGID1")
	require.ErrorIs(t, err, push.ErrInvalidMessage)
	var fe *push.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Ext", fe.Field)
	assert.ErrorContains(t, err, "Ext is 1026 characters (UTF-16 units); Xiaomi allows 1024 per extra value (Ext is never cut)")
	assert.Empty(t, srv.Records())
}

// TestEmptyTitle: Xiaomi requires a title; an empty one falls back to the
// client's default title, else to the Desc, instead of being refused.
func TestEmptyTitle(t *testing.T) {
	for _, tt := range []struct {
		name  string
		opts  []push.Option
		title string
		want  string
	}{
		{"no default: the desc", nil, "", "See you at 8?"},
		{"blank, no default", nil, " \t", "See you at 8?"},
		{"default title", []push.Option{push.WithDefaultTitle("MyChat")}, "", "MyChat"},
		{"own title wins", []push.Option{push.WithDefaultTitle("MyChat")}, "Alice", "Alice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, tt.opts...)
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: tt.title, Desc: "See you at 8?"}, "REGID1")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			assert.Equal(t, tt.want, srv.Sends()[0].Form.Get("title"))
			assert.Equal(t, "See you at 8?", srv.Sends()[0].Form.Get("description"))
		})
	}
	// a long Desc standing in for the title is fitted to the title's limit
	c, srv := setup(t)
	_, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: strings.Repeat("好", 60)}, "REGID1")
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("好", 48)+"…", srv.Sends()[0].Form.Get("title"))
}

func TestBatchesOf1000InOrder(t *testing.T) {
	c, srv := setup(t)
	tokens := make([]string, 2500)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("regid-%04d", i)
	}
	res, err := c.Push(context.Background(), msg(clicks["app"]), tokens...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 2500)
	for i, o := range res.Outcomes {
		require.Equal(t, tokens[i], o.Token)
		require.NoError(t, o.Err)
		require.NotEmpty(t, o.MessageID)
	}
	sends := srv.Sends()
	assert.Len(t, sends, 3)
	sizes := []int{}
	for _, s := range sends {
		sizes = append(sizes, len(s.Tokens))
	}
	assert.ElementsMatch(t, []int{1000, 1000, 500}, sizes)
	for _, n := range srv.Delivered() {
		assert.Equal(t, 1, n)
	}
	assert.Len(t, srv.Delivered(), 2500)
}

func TestBadRegIDs(t *testing.T) {
	c, srv := setup(t)
	srv.Invalidate("dead-1", "dead-2")
	res, err := c.Push(context.Background(), msg(clicks["app"]), "ok-1", "dead-1", "ok-2", "dead-2")
	require.NoError(t, err)
	assert.Equal(t, []string{"dead-1", "dead-2"}, res.InvalidTokens())
	assert.NoError(t, res.Outcomes[0].Err)
	assert.NoError(t, res.Outcomes[2].Err)
	assert.Equal(t, 2, res.Delivered())
}

func TestMalformedRegIDNotSent(t *testing.T) {
	c, srv := setup(t)
	res, err := c.Push(context.Background(), msg(clicks["app"]), "ok-1", "evil,REGID-of-someone-else", "")
	require.NoError(t, err)
	assert.NoError(t, res.Outcomes[0].Err)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	assert.ErrorIs(t, res.Outcomes[2].Err, push.ErrInvalidToken)
	assert.Equal(t, []string{"ok-1"}, srv.Sends()[0].Tokens)
}

func TestAllInvalid(t *testing.T) {
	c, srv := setup(t)
	srv.Invalidate("dead-1", "dead-2")
	res, err := c.Push(context.Background(), msg(clicks["app"]), "dead-1", "dead-2")
	require.NoError(t, err)
	assert.Equal(t, []string{"dead-1", "dead-2"}, res.InvalidTokens())
	var ve *push.VendorError
	require.ErrorAs(t, res.Outcomes[0].Err, &ve)
	assert.Equal(t, "20301", ve.Code)
	assert.Len(t, srv.Sends(), 3, "20301 names no regId: each one is asked about alone")
}

// TestNoValidTargets: 20301 "No valid targets!" names no regId and is also
// Xiaomi's answer to a wrong package name, so on a batch it is no proof:
// a small batch is re-sent one regId at a time (nothing was pushed, and
// the jobkey drops a repeat anyway), a large one is a misconfiguration
// (ErrAuth, tokens kept). For a single regId it is that regId's verdict.
func TestNoValidTargets(t *testing.T) {
	t.Run("small batch re-sent one by one", func(t *testing.T) {
		c, srv := setup(t)
		srv.Inject(pushtest.Fault{Code: "20301"})
		res, err := c.Push(context.Background(), msg(clicks["app"]), "a", "b", "c")
		require.NoError(t, err)
		require.NoError(t, res.Err(), "live regIds are not reported dead for a batch answer")
		assert.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, srv.Delivered())
		assert.Len(t, srv.Sends(), 4)
	})
	t.Run("single regId", func(t *testing.T) {
		c, srv := setup(t)
		srv.Inject(pushtest.Fault{Code: "20301"})
		res, err := c.Push(context.Background(), msg(clicks["app"]), "a")
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, res.InvalidTokens())
		assert.Len(t, srv.Sends(), 1)
	})
	t.Run("large batch is a misconfiguration", func(t *testing.T) {
		c, srv := setup(t)
		srv.SetMisconfigured(true)
		toks := make([]string, 50)
		for i := range toks {
			toks[i] = fmt.Sprintf("live-%02d", i)
		}
		res, err := c.Push(context.Background(), msg(clicks["app"]), toks...)
		require.NoError(t, err)
		assert.Empty(t, res.InvalidTokens())
		for _, o := range res.Outcomes {
			require.ErrorIs(t, o.Err, push.ErrAuth)
			assert.ErrorContains(t, o.Err, "No valid targets!")
			assert.ErrorContains(t, o.Err, "likely a misconfiguration")
			assert.ErrorContains(t, o.Err, "Config.PackageName")
		}
		assert.Len(t, srv.Sends(), 1, "nothing re-sent")
	})
	t.Run("guard off: the verdict as given", func(t *testing.T) {
		c, srv := setup(t, push.WithMisconfigGuard(0))
		srv.SetMisconfigured(true)
		res, err := c.Push(context.Background(), msg(clicks["app"]), "a", "b", "c")
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c"}, res.InvalidTokens())
		assert.Len(t, srv.Sends(), 1)
	})
}

// TestOnlyAcceptedIsDelivered: a 200 counts as delivered only when it says
// so (code 0, result "ok" when present, and the message's data.id).
// Anything less may or may not have arrived: ErrUnavailable, never
// success; PossiblyDelivered says a resend could be shown twice (no ID, so
// no stable jobkey).
func TestOnlyAcceptedIsDelivered(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		ok         []bool // per token a, b
		msgID      string
	}{
		{"null", `null`, []bool{false, false}, ""},
		{"empty object", `{}`, []bool{false, false}, ""},
		{"code 0 only", `{"code":0}`, []bool{false, false}, ""},
		{"ok without id", `{"result":"ok","code":0,"trace_id":"Xlm1"}`, []bool{false, false}, ""},
		{"data null", `{"result":"ok","code":0,"data":null}`, []bool{false, false}, ""},
		{"id without code", `{"result":"ok","data":{"id":"slm1"}}`, []bool{false, false}, ""},
		{"code 0 but result error", `{"result":"error","code":0,"data":{"id":"slm1"}}`, []bool{false, false}, ""},
		{"code of another type", `{"result":"ok","code":{},"data":{"id":"slm1"}}`, []bool{false, false}, ""},
		{"unreadable bad_regids", `{"result":"ok","code":0,"data":{"id":"slm1","bad_regids":{"b":1}}}`, []bool{false, false}, ""},
		{"accepted", `{"result":"ok","code":0,"data":{"id":"slm1"}}`, []bool{true, true}, "slm1"},
		{"accepted without result", `{"code":0,"data":{"id":"slm1"}}`, []bool{true, true}, "slm1"},
		// the SDKs read code as a number and ids as strings; the other type
		// is accepted too
		{"string code, numeric id", `{"result":"ok","code":"0","data":{"id":12345}}`, []bool{true, true}, "12345"},
		{"bad_regids as a list", `{"result":"ok","code":0,"data":{"id":"slm1","bad_regids":["b"]}}`, []bool{true, false}, "slm1"},
	} {
		for _, id := range []string{"", "msg-1"} {
			t.Run(tt.name+"/ID "+id, func(t *testing.T) {
				c, srv := setup(t)
				srv.Inject(pushtest.Fault{Body: tt.body, ContentType: "application/json"})
				res, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d", ID: id}, "a", "b")
				require.NoError(t, err)
				assert.Len(t, srv.Sends(), 1, "not retried")
				for i, o := range res.Outcomes {
					if tt.ok[i] {
						assert.NoError(t, o.Err, o.Token)
						assert.Equal(t, tt.msgID, o.MessageID)
						continue
					}
					var ve *push.VendorError
					require.ErrorAs(t, o.Err, &ve, o.Token)
					if ve.Code == "bad_regids" {
						assert.ErrorIs(t, o.Err, push.ErrInvalidToken)
						continue
					}
					assert.ErrorIs(t, o.Err, push.ErrUnavailable, o.Token)
					assert.ErrorContains(t, o.Err, "may have arrived")
					assert.Equal(t, id == "", ve.PossiblyDelivered, "a resend is shown once only with an ID")
				}
			})
		}
	}
}

func TestStringCodes(t *testing.T) {
	for _, tt := range []struct {
		body string
		want error
	}{
		{`{"result":"error","code":"20301","reason":"No valid targets!"}`, push.ErrInvalidToken},
		{`{"result":"error","code":"200001","reason":"exceed quota"}`, push.ErrQuota},
		{`{"result":"error","code":"21301","reason":"Invalid application secret."}`, push.ErrAuth},
	} {
		t.Run(tt.body, func(t *testing.T) {
			c, srv := setup(t)
			srv.Inject(pushtest.Fault{Body: tt.body, ContentType: "application/json"})
			res, err := c.Push(context.Background(), msg(clicks["app"]), "a")
			require.NoError(t, err)
			assert.ErrorIs(t, res.Err(), tt.want, tt.body)
		})
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		fault    pushtest.Fault
		requests int
		want     error // nil: delivered
		code     string
	}{
		{"503 then success", pushtest.Fault{Status: 503}, 2, nil, ""},
		{"busy 10002 then success", pushtest.Fault{Code: "10002"}, 2, nil, ""},
		{"remote error 10003 then success", pushtest.Fault{Code: "10003"}, 2, nil, ""},
		{"quota is not retried", pushtest.Fault{Code: "200001", Times: -1}, 1, push.ErrQuota, "200001"},
		{"auth failure", pushtest.Fault{Code: "21301", Times: -1}, 1, push.ErrAuth, "21301"},
		{"bad parameter", pushtest.Fault{Code: "10017", Times: -1}, 1, push.ErrInvalidMessage, "10017"},
		{"busy outlasts retries", pushtest.Fault{Code: "10002", Times: -1}, 4, push.ErrUnavailable, "10002"},
		{"rate limited", pushtest.Fault{Code: "10027", Times: -1}, 4, push.ErrRateLimited, "10027"},
		{"html error page", pushtest.Fault{Status: 502, Body: "<html>bad gateway</html>", ContentType: "text/html", Times: -1}, 4, push.ErrUnavailable, ""},
		{"garbage 200", pushtest.Fault{Body: "not json", Times: -1}, 1, push.ErrUnavailable, ""},
		{"unknown code", pushtest.Fault{Code: "99999", Times: -1}, 1, push.ErrUnavailable, "99999"},
		{"system busy 10009 then success", pushtest.Fault{Code: "10009"}, 2, nil, ""},
		{"channel mismatch is configuration", pushtest.Fault{Code: "27001", Times: -1}, 1, push.ErrAuth, "27001"},
		{"package name", pushtest.Fault{Code: "22022", Times: -1}, 1, push.ErrAuth, "22022"},
		{"content too long", pushtest.Fault{Code: "65009", Times: -1}, 1, push.ErrInvalidMessage, "65009"},
		{"ip rate", pushtest.Fault{Code: "10022", Times: -1}, 1, push.ErrRateLimited, "10022"},
		{"invalid device names no regId", pushtest.Fault{Code: "10029", Times: -1}, 1, push.ErrUnavailable, "10029"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t)
			srv.Inject(tt.fault)
			res, err := c.Push(context.Background(), msg(clicks["app"]), "a", "b")
			require.NoError(t, err)
			assert.Len(t, srv.Sends(), tt.requests)
			for _, o := range res.Outcomes {
				if tt.want == nil {
					assert.NoError(t, o.Err)
					continue
				}
				assert.ErrorIs(t, o.Err, tt.want)
				var ve *push.VendorError
				require.ErrorAs(t, o.Err, &ve)
				assert.Equal(t, tt.code, ve.Code)
			}
			if tt.want == nil {
				assert.Equal(t, map[string]int{"a": 1, "b": 1}, srv.Delivered(), "delivered exactly once")
			}
		})
	}
}

func TestBadInputBeforeAnyRequest(t *testing.T) {
	c, srv := setup(t)
	tests := []struct {
		name string
		info *push.OfflinePushInfo
		want string
	}{
		{"nil", nil, "OfflinePushInfo must not be nil"},
		{"empty desc", &push.OfflinePushInfo{Title: "t"}, "Desc must not be empty"},
		{"non-http url", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x.y"}}, "Click.URL must use the http or https scheme"},
		{"page without intent", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.a.B"}}, "Click.Intent is required"},
		{"ext too long", &push.OfflinePushInfo{Title: "t", Desc: "d", Ext: strings.Repeat("x", 1025)}, "Ext is 1025 characters"},
		{"url too long", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/" + strings.Repeat("a", 1005)}}, "Click.URL must be at most 1024 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Push(context.Background(), tt.info, "REGID1")
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Empty(t, srv.Records(), "no request for bad input")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Push(ctx, msg(clicks["app"]), "REGID1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, srv.Records())
}

func TestNewValidatesConfig(t *testing.T) {
	good := xiaomi.Config{AppSecret: secret, PackageName: pkg, ChannelID: "im"}
	tests := []struct {
		name string
		edit func(*xiaomi.Config)
		want string
	}{
		{"empty secret", func(c *xiaomi.Config) { c.AppSecret = "" }, "AppSecret is required"},
		{"empty package", func(c *xiaomi.Config) { c.PackageName = " " }, "PackageName is required"},
		{"no channel", func(c *xiaomi.Config) { c.ChannelID = "" }, "ChannelID is required"},
		{"bad click", func(c *xiaomi.Config) { c.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "x"} }, "Click"},
		{"negative ttl", func(c *xiaomi.Config) { c.TTL = -1 }, "TTL must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			_, err := xiaomi.New(cfg)
			require.ErrorIs(t, err, push.ErrConfig, tt.name)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), secret)
		})
	}
	_, err := xiaomi.New(good, push.WithEndpoint("::bad"))
	assert.ErrorIs(t, err, push.ErrConfig)
}

func TestDefaultClickFromConfig(t *testing.T) {
	srv := pushtest.NewXiaomi(secret, pkg)
	defer srv.Close()
	c, err := xiaomi.New(xiaomi.Config{AppSecret: secret, PackageName: pkg, ChannelID: "im",
		Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.example.app/.Main;end"}},
		push.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	f, err := c.Form(&push.OfflinePushInfo{Title: "t", Desc: "d"})
	require.NoError(t, err)
	assert.Equal(t, "2", f.Get("extra.notify_effect"))
	assert.Equal(t, "intent:#Intent;component=com.example.app/.Main;end", f.Get("extra.intent_uri"))
}

func TestSecretNeverLeaks(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := setup(t, push.WithLogger(log))
	srv.Inject(pushtest.Fault{Status: 503}, pushtest.Fault{Code: "21301"}, pushtest.Fault{Reset: true, Times: 4})
	var errs []string
	for range 3 {
		res, err := c.Push(context.Background(), msg(clicks["url"]), "a", "b")
		require.NoError(t, err)
		for _, o := range res.Failed() {
			errs = append(errs, o.Err.Error(), fmt.Sprintf("%v %+v %#v", o.Err, o.Err, o.Err))
		}
	}
	// a wrong secret answers 21301 too
	bad, _ := xiaomi.New(xiaomi.Config{AppSecret: "wrong-" + secret, PackageName: pkg, ChannelID: "im"}, push.WithEndpoint(srv.URL()), push.WithLogger(log))
	res, _ := bad.Push(context.Background(), msg(clicks["app"]), "a")
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	errs = append(errs, res.Err().Error())
	require.NotEmpty(t, errs)

	cfg := xiaomi.Config{AppSecret: secret, PackageName: pkg, ChannelID: "im"}
	shown := strings.Join(append(errs, logs.String(), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, c), fmt.Sprintf("%v %+v %#v", c, c, c)), "\n")
	assert.NotContains(t, shown, secret)
	assert.Contains(t, logs.String(), "push http attempt")
	for _, r := range srv.Records() {
		assert.NotContains(t, r.Dump(), secret)
	}
}

func TestConcurrentPushes(t *testing.T) {
	c, srv := setup(t)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Push(context.Background(), msg(clicks["app"]), fmt.Sprintf("t-%d-a", i), fmt.Sprintf("t-%d-b", i))
			assert.NoError(t, err)
			assert.NoError(t, res.Err())
		}()
	}
	wg.Wait()
	assert.Len(t, srv.Delivered(), 100)
}

func BenchmarkForm(b *testing.B) {
	c, err := xiaomi.New(xiaomi.Config{AppSecret: secret, PackageName: pkg, ChannelID: "im"})
	require.NoError(b, err)
	info := msg(clicks["url"])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Form(info); err != nil {
			b.Fatal(err)
		}
	}
}

package harmony_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/harmony"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/pushtest"
)

var fastRetry = push.WithRetry(push.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: time.Second})

// one key for the package: RSA generation is slow
var creds = pushtest.HarmonyCredentials()

func setup(t *testing.T, cfg harmony.Config, opts ...push.Option) (*harmony.Client, *pushtest.Harmony) {
	t.Helper()
	srv, err := pushtest.NewHarmony(creds)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	cfg.CredentialsJSON = creds
	c, err := harmony.New(cfg, append([]push.Option{push.WithEndpoint(srv.URL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c, srv
}

// msg is deterministic: CollapseID fixes notifyId.
func msg(click push.ClickAction) *push.OfflinePushInfo {
	return &push.OfflinePushInfo{Title: "Hello", Desc: "World", Ext: `{"k":"v"}`, Click: click,
		TTL: 24 * time.Hour, CollapseID: "chat-42"}
}

var clicks = map[string]push.ClickAction{
	"default": {},
	"app":     {Kind: push.ClickOpenApp},
	"url":     {Kind: push.ClickOpenURL, URL: "https://example.com/page?a=1&b=2"},
	"page":    {Kind: push.ClickOpenPage, Intent: "intent://chat/open?id=1#Intent;scheme=myapp;end", Activity: "com.example.chat.OPEN_CHAT"},
}

func tokensN(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return out
}

func TestGoldenBodies(t *testing.T) {
	for name, click := range clicks {
		for _, n := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s_%d", name, n), func(t *testing.T) {
				c, srv := setup(t, harmony.Config{})
				res, err := c.Push(context.Background(), msg(click), []string{"TOKEN1", "TOKEN2", "TOKEN3"}[:n]...)
				require.NoError(t, err)
				require.NoError(t, res.Err())
				sends := srv.Sends()
				require.Len(t, sends, 1)
				r := sends[0]
				assert.Equal(t, "POST", r.Method)
				assert.Equal(t, "/v3/388421841222199046/messages:send", r.Path)
				assert.Equal(t, "0", r.Header.Get("push-type"))
				assert.Regexp(t, `^Bearer [\w-]+\.[\w-]+\.[\w-]+$`, r.Header.Get("Authorization"))
				assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
				golden.Assert(t, fmt.Sprintf("%s_%d.json", name, n), r.Body)
			})
		}
	}
}

// TestReferenceShape checks the body against the v3 structure of the
// reference (xiaomi-huawei-honor.md §2.9) field by field.
func TestReferenceShape(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	info := msg(clicks["app"])
	info.Badge = 120
	_, err := c.Push(context.Background(), info, "TOKEN1", "TOKEN2")
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(srv.Sends()[0].Body, &got))
	n := got["payload"].(map[string]any)["notification"].(map[string]any)
	assert.Equal(t, "IM", n["category"])
	assert.Equal(t, "Hello", n["title"])
	assert.Equal(t, "World", n["body"])
	assert.Equal(t, map[string]any{"actionType": float64(0), "data": map[string]any{"ext": `{"k":"v"}`}}, n["clickAction"])
	assert.Equal(t, map[string]any{"addNum": float64(99)}, n["badge"], "addNum is capped at 99")
	id, ok := n["notifyId"].(float64)
	require.True(t, ok)
	assert.True(t, id > 0 && id <= 2147483647)
	assert.Equal(t, map[string]any{"token": []any{"TOKEN1", "TOKEN2"}}, got["target"])
	assert.Equal(t, map[string]any{"ttl": float64(86400)}, got["pushOptions"], "ttl is integer seconds")
	assert.Len(t, got, 3)
	assert.Len(t, n, 6)
}

func TestClickMapping(t *testing.T) {
	tests := []struct {
		click push.ClickAction
		want  string
	}{
		{clicks["url"], `"clickAction":{"actionType":1,"uri":"https://example.com/page?a=1&b=2","data":{"ext":"{\"k\":\"v\"}"}}`},
		{push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent://chat/open?id=1#Intent;scheme=myapp;launchFlags=0x4000000;end"},
			`"clickAction":{"actionType":1,"uri":"myapp://chat/open?id=1","data":`},
		{push.ClickAction{Kind: push.ClickOpenPage, Intent: "myapp://chat/1#Intent;component=com.example/.Chat;end"},
			`"clickAction":{"actionType":1,"uri":"myapp://chat/1","data":`},
		{push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.chat.OPEN_CHAT"},
			`"clickAction":{"actionType":1,"action":"com.example.chat.OPEN_CHAT","data":`},
		{push.ClickAction{Kind: push.ClickOpenApp}, `"clickAction":{"actionType":0,"data":`},
	}
	for _, tt := range tests {
		t.Run(tt.click.Kind.String(), func(t *testing.T) {
			c, _ := setup(t, harmony.Config{})
			req, err := c.Build(msg(tt.click))
			require.NoError(t, err)
			assert.Contains(t, string(req.Body([]string{"T"})), tt.want)
		})
	}
	// no ext: no data
	c, _ := setup(t, harmony.Config{})
	req, err := c.Build(&push.OfflinePushInfo{Title: "t", Desc: "d"})
	require.NoError(t, err)
	assert.Contains(t, string(req.Body(nil)), `"clickAction":{"actionType":0}`)
}

func TestConfigFields(t *testing.T) {
	c, srv := setup(t, harmony.Config{Category: "PLAY_VOICE", PushType: harmony.PushTypeExtension, TTL: 40 * 24 * time.Hour,
		Click: clicks["page"]})
	_, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d", Ext: "x"}, "TOKEN1")
	require.NoError(t, err)
	r := srv.Sends()[0]
	assert.Equal(t, "2", r.Header.Get("push-type"))
	var body harmony.Request
	require.NoError(t, json.Unmarshal(r.Body, &body))
	assert.Equal(t, "PLAY_VOICE", body.Payload.Notification.Category)
	assert.Equal(t, "x", body.Payload.ExtraData)
	assert.Equal(t, int64(1296000), body.PushOptions.TTL, "capped at 15 days")
	assert.Equal(t, harmony.ClickAction{ActionType: 1, Action: "com.example.chat.OPEN_CHAT", URI: "myapp://chat/open?id=1",
		Data: map[string]string{"ext": "x"}}, body.Payload.Notification.ClickAction)
	assert.Equal(t, 200, r.Status, string(r.Response))
}

func TestNotifyIDPolicy(t *testing.T) {
	c, _ := setup(t, harmony.Config{})
	id := func(info *push.OfflinePushInfo) int32 {
		r, err := c.Build(info)
		require.NoError(t, err)
		return r.Payload.Notification.NotifyID
	}
	assert.NotEqual(t, id(&push.OfflinePushInfo{Title: "t", Desc: "1"}), id(&push.OfflinePushInfo{Title: "t", Desc: "2"}))
	assert.Equal(t, id(&push.OfflinePushInfo{Title: "t", Desc: "1", CollapseID: "c"}), id(&push.OfflinePushInfo{Title: "t", Desc: "2", CollapseID: "c"}))
}

func TestConcurrentPushesShareOneJWT(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Push(context.Background(), msg(clicks["app"]), fmt.Sprintf("TOKEN-%02d", i))
			if err == nil {
				err = res.Err()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.JWTs(), "one JWT signed and reused")
	assert.Len(t, srv.Delivered(), 50)
}

func TestServerSideExpiryResignsOnce(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	_, err := c.Push(context.Background(), msg(clicks["app"]), "warm-up")
	require.NoError(t, err)
	srv.ExpireTokens()
	tokens := tokensN("tok-", 2500)
	res, err := c.Push(context.Background(), msg(clicks["app"]), tokens...)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, srv.JWTs(), "exactly one new JWT")
	delivered := srv.Delivered()
	for _, tok := range tokens {
		assert.Equal(t, 1, delivered[tok], tok)
	}
	expired := 0
	for _, s := range srv.Sends() {
		if strings.Contains(string(s.Response), "80200005") {
			expired++
		}
	}
	assert.True(t, expired >= 1 && expired <= 3, "refused batches: %d", expired)
	assert.Equal(t, 1+3+expired, len(srv.Sends()))
}

func TestExpiredTwiceIsAuthError(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	srv.Inject(pushtest.Fault{Code: "80200005", Times: 2})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	sends := srv.Sends()
	require.Len(t, sends, 2, "one re-sign, no more")
	assert.NotEqual(t, sends[0].Header.Get("Authorization"), sends[1].Header.Get("Authorization"), "a new JWT")
}

func TestPartialSuccess(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	srv.Invalidate("dead-1", "dead-2")
	res, err := c.Push(context.Background(), msg(clicks["app"]), "ok-1", "dead-1", "ok-2", "dead-2")
	require.NoError(t, err)
	assert.Equal(t, []string{"dead-1", "dead-2"}, res.InvalidTokens())
	assert.NoError(t, res.Outcomes[0].Err)
	assert.NoError(t, res.Outcomes[2].Err)
	var ve *push.VendorError
	require.ErrorAs(t, res.Outcomes[1].Err, &ve)
	assert.Equal(t, "80100000", ve.Code)
	assert.Contains(t, ve.Message, "tokenFormatError")
	for _, o := range res.Outcomes {
		assert.Regexp(t, `^1736\d+$`, o.MessageID)
	}
	assert.Equal(t, map[string]int{"ok-1": 1, "ok-2": 1}, srv.Delivered())
}

// TestAllInvalid: an 80300007 that names every token by a token reason
// (tokenFormatError) is a verdict for each.
func TestAllInvalid(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	srv.Invalidate("dead-1", "dead-2")
	res, err := c.Push(context.Background(), msg(clicks["app"]), "dead-1", "dead-2")
	require.NoError(t, err)
	assert.Equal(t, []string{"dead-1", "dead-2"}, res.InvalidTokens())
	assert.Len(t, srv.Sends(), 1)
}

// TestAllInvalidNotProof (issue 12, finding 1): an 80300007 "All the tokens
// are invalid." is not proof. Naming an app-level reason (noRight: the key
// file's project is not the tokens' app's) it is ErrAuth for every token,
// naming what to check; in plain text for a batch, each token is sent again
// alone and judged by its own answer.
func TestAllInvalidNotProof(t *testing.T) {
	for _, answer := range []string{
		`{\"success\":0,\"failure\":3,\"illegalTokens\":{\"noRight\":[\"live-1\",\"live-2\",\"live-3\"]}}`,
		`All the tokens are invalid. noPushTypeRight`,
	} {
		c, srv := setup(t, harmony.Config{})
		srv.Inject(pushtest.Fault{ContentType: "application/json", Body: `{"code":"80300007","msg":"` + answer + `","requestId":"r0"}`})
		res, err := c.Push(context.Background(), msg(clicks["app"]), "live-1", "live-2", "live-3")
		require.NoError(t, err)
		assert.Empty(t, res.InvalidTokens(), answer)
		for _, o := range res.Outcomes {
			require.ErrorIs(t, o.Err, push.ErrAuth)
			assert.ErrorContains(t, o.Err, "token kept")
		}
		assert.Len(t, srv.Sends(), 1, "nothing is re-sent for an app-level cause")
	}
	assert.ErrorContains(t, func() error {
		c, srv := setup(t, harmony.Config{})
		srv.Inject(pushtest.Fault{ContentType: "application/json", Body: `{"code":"80300007","msg":"{\"illegalTokens\":{\"noRight\":[\"a\"]}}"}`})
		res, err := c.Push(context.Background(), msg(clicks["app"]), "a")
		require.NoError(t, err)
		return res.Outcomes[0].Err
	}(), "the key file's project_id", "even for a single token, noRight names the project to check")

	c, srv := setup(t, harmony.Config{})
	srv.Inject(pushtest.Fault{ContentType: "application/json", Body: `{"code":"80300007","msg":"All the tokens are invalid.","requestId":"r0"}`})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "live-1", "live-2", "live-3")
	require.NoError(t, err)
	assert.Empty(t, res.InvalidTokens())
	assert.NoError(t, res.Err())
	assert.Equal(t, map[string]int{"live-1": 1, "live-2": 1, "live-3": 1}, srv.Delivered())
	assert.Len(t, srv.Sends(), 4, "the batch, then each token alone")
}

// TestAllInvalidNamingOneToken (issue 13, finding 4): an 80300007 whose msg
// names one token makes that token dead and no other: the others were not
// delivered either, so they are sent again, once, in one request.
func TestAllInvalidNamingOneToken(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	srv.Inject(pushtest.Fault{ContentType: "application/json",
		Body: `{"code":"80300007","msg":"{\"success\":0,\"failure\":1,\"illegalTokens\":{\"tokenFormatError\":[\"dead\"]}}","requestId":"r0"}`})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "ok-1", "dead", "ok-2")
	require.NoError(t, err)
	assert.Equal(t, []string{"dead"}, res.InvalidTokens())
	assert.NoError(t, res.Outcomes[0].Err)
	assert.NoError(t, res.Outcomes[2].Err)
	sends := srv.Sends()
	require.Len(t, sends, 2)
	assert.Equal(t, []string{"ok-1", "ok-2"}, sends[1].Tokens)
	assert.Equal(t, map[string]int{"ok-1": 1, "ok-2": 1}, srv.Delivered())
}

// TestMisconfiguredApp: with the key file of another project HarmonyOS
// answers 80300007 for every live token; a batch of them is reported as a
// likely misconfiguration (ErrAuth), never as dead tokens.
func TestMisconfiguredApp(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	srv.SetMisconfigured(true)
	res, err := c.Push(context.Background(), msg(clicks["app"]), tokensN("live-", 50)...)
	require.NoError(t, err)
	assert.Empty(t, res.InvalidTokens())
	for _, o := range res.Outcomes {
		require.ErrorIs(t, o.Err, push.ErrAuth)
		assert.Contains(t, o.Err.Error(), "likely a misconfiguration")
		assert.Contains(t, o.Err.Error(), "Config.CredentialsJSON")
	}
	assert.Len(t, srv.Sends(), 1)
}

func TestBatchesOf1000InOrder(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	tokens := tokensN("tok-", 2500)
	srv.Invalidate("tok-0999", "tok-1000")
	res, err := c.Push(context.Background(), msg(clicks["app"]), tokens...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 2500)
	for i, o := range res.Outcomes {
		require.Equal(t, tokens[i], o.Token)
		if o.Token == "tok-0999" || o.Token == "tok-1000" {
			require.ErrorIs(t, o.Err, push.ErrInvalidToken)
			continue
		}
		require.NoError(t, o.Err)
	}
	var sizes []int
	for _, s := range srv.Sends() {
		sizes = append(sizes, len(s.Tokens))
	}
	assert.ElementsMatch(t, []int{1000, 1000, 500}, sizes)
	assert.Len(t, srv.Delivered(), 2498)
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		fault    pushtest.Fault
		requests int
		want     error
		code     string
	}{
		{"busy then ok", pushtest.Fault{Code: "81000001"}, 2, nil, ""},
		{"502 then ok", pushtest.Fault{Status: 502, Body: "bad gateway"}, 2, nil, ""},
		{"flow control persists", pushtest.Fault{Status: 503, Times: -1}, 4, push.ErrRateLimited, ""},
		{"no right", pushtest.Fault{Code: "80300002"}, 1, push.ErrAuth, "80300002"},
		{"auth error is not re-signed", pushtest.Fault{Code: "80200001"}, 1, push.ErrAuth, "80200001"},
		{"jwt over a day", pushtest.Fault{Code: "80300036", Status: 400}, 1, push.ErrAuth, "80300036"},
		{"too large", pushtest.Fault{Code: "80300008", Status: 400}, 1, push.ErrInvalidMessage, "80300008"},
		{"test message limit", pushtest.Fault{Code: "80300029"}, 1, push.ErrRateLimited, "80300029"},
		{"reset is not resent", pushtest.Fault{Reset: true}, 1, push.ErrUnavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, harmony.Config{})
			srv.Inject(tt.fault)
			res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1", "TOKEN2")
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
				assert.Equal(t, map[string]int{"TOKEN1": 1, "TOKEN2": 1}, srv.Delivered())
			} else {
				assert.Empty(t, srv.Delivered())
			}
		})
	}
}

func TestRejectedBeforeAnyRequest(t *testing.T) {
	tests := []struct {
		name string
		info *push.OfflinePushInfo
		want string
	}{
		{"nil", nil, "OfflinePushInfo"},
		{"empty desc", &push.OfflinePushInfo{Title: "t"}, "Desc"},
		{"http url", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "http://example.com/x"}}, "Click.URL must use https"},
		{"intent without data", &push.OfflinePushInfo{Title: "t", Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.example/.Chat;end"}}, "Click.Intent has no data URI"},
		{"ext cannot fit", &push.OfflinePushInfo{Title: "t", Desc: "d", Ext: strings.Repeat("x", 4050)}, "Ext leaves no room for the text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, harmony.Config{})
			res, err := c.Push(context.Background(), tt.info, "TOKEN1")
			assert.Nil(t, res)
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, srv.Records())
		})
	}
	// exactly at the limit goes through; one byte more does not
	c, srv := setup(t, harmony.Config{})
	base := &push.OfflinePushInfo{Title: "t", Desc: "d", CollapseID: "c", Ext: "x"}
	r, err := c.Build(base)
	require.NoError(t, err)
	room := harmony.MaxBody - len(r.Body(nil)) + 1
	base.Ext = strings.Repeat("x", room)
	_, err = c.Push(context.Background(), base, "TOKEN1")
	require.NoError(t, err)
	assert.Equal(t, 200, srv.Sends()[0].Status, string(srv.Sends()[0].Response))
	base.Ext += "x"
	_, err = c.Push(context.Background(), base, "TOKEN1")
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.ErrorContains(t, err, "Ext leaves no room for the text")
}

// TestLongTextFitsBody (issue 12, finding 8): a chat message too long for
// the 4096-byte body is shortened, Desc first, then Title, with "…", never
// refused; Ext is never cut. The fake measures the body as Huawei does.
// Figures: the body without tokens, text aside, is 174 bytes with the
// title "Alice" (1892 with a 1700-byte Ext, 3607 when push-type 2 carries
// it twice), leaving 3922 bytes; shape.Body keeps a 6-byte margin for an
// escaped ellipsis, so 1400 CJK characters become 1304 + "…" (3915 bytes)
// where 1306 + "…" would fit.
func TestLongTextFitsBody(t *testing.T) {
	cjk := strings.Repeat("中", 1400) // 4200 bytes
	unit := "你好 hello 👋🏽 \"ok\"\n"
	tests := []struct {
		name        string
		pushType    int
		info        *push.OfflinePushInfo
		title, body string
	}{
		{"1400 CJK", 0, &push.OfflinePushInfo{Title: "Alice", Desc: cjk},
			"Alice", strings.Repeat("中", 1306) + "…"},
		{"emoji", 0, &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("😀", 1100)},
			"Alice", strings.Repeat("😀", 979) + "…"},
		// escaped quotes and newlines count twice; the cut never falls
		// inside a character, nor between an emoji and its skin tone
		{"mixed", 0, &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat(unit, 200)},
			"Alice", strings.Repeat(unit, 130) + "你好 hello…"},
		{"no title: the copy of the Desc is cut first", 0, &push.OfflinePushInfo{Desc: cjk},
			"中…", strings.Repeat("中", 1306) + "…"},
		{"ext kept whole", 0, &push.OfflinePushInfo{Title: "Alice", Desc: cjk, Ext: strings.Repeat("x", 1700)},
			"Alice", strings.Repeat("中", 733) + "…"},
		{"ext twice with push-type 2", harmony.PushTypeExtension, &push.OfflinePushInfo{Title: "Alice", Desc: cjk, Ext: strings.Repeat("x", 1700)},
			"Alice", strings.Repeat("中", 162) + "…"},
		{"at the limit: untouched", 0, &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("中", 1307) + "x"},
			"Alice", strings.Repeat("中", 1307) + "x"},
		{"one byte over", 0, &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("中", 1307) + "xy"},
			"Alice", strings.Repeat("中", 1306) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, harmony.Config{PushType: tt.pushType})
			tt.info.CollapseID = "c"
			res, err := c.Push(context.Background(), tt.info, "TOKEN1")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			sent := srv.Sends()[0]
			var body harmony.Request
			require.NoError(t, json.Unmarshal(sent.Body, &body))
			n := body.Payload.Notification
			assert.Equal(t, tt.title, n.Title)
			assert.Equal(t, tt.body, n.Body)
			assert.LessOrEqual(t, len(sent.Body)-len(`"TOKEN1"`), harmony.MaxBody)
			if tt.info.Ext != "" {
				assert.Equal(t, tt.info.Ext, n.ClickAction.Data["ext"], "Ext is never cut")
			}
		})
	}
	t.Run("at the limit is exactly 4096 bytes", func(t *testing.T) {
		c, _ := setup(t, harmony.Config{})
		r, err := c.Build(&push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("中", 1307) + "x", CollapseID: "c"})
		require.NoError(t, err)
		assert.Equal(t, harmony.MaxBody, len(r.Body(nil)))
	})
	t.Run("strict refuses", func(t *testing.T) {
		c, srv := setup(t, harmony.Config{}, push.WithStrictLength())
		_, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: "Alice", Desc: cjk, CollapseID: "c"}, "TOKEN1")
		require.ErrorIs(t, err, push.ErrInvalidMessage)
		assert.EqualError(t, err, "harmony: invalid message: Title+Desc+Ext make the body without tokens 4374 bytes; harmony allows 4096")
		assert.Empty(t, srv.Records())
	})
}

// TestEmptyTitleFallsBack (issue 12, finding 9): HarmonyOS requires a
// title, so a message without one is not refused: it gets the client's
// default title, else its own Desc.
func TestEmptyTitleFallsBack(t *testing.T) {
	tests := []struct {
		name  string
		opts  []push.Option
		info  *push.OfflinePushInfo
		title string
	}{
		{"default title", []push.Option{push.WithDefaultTitle("MyApp")}, &push.OfflinePushInfo{Desc: "see you at 8"}, "MyApp"},
		{"blank title", []push.Option{push.WithDefaultTitle("MyApp")}, &push.OfflinePushInfo{Title: " \t", Desc: "see you at 8"}, "MyApp"},
		{"no default: the Desc", nil, &push.OfflinePushInfo{Desc: " see you at 8 "}, "see you at 8"},
		{"own title wins", []push.Option{push.WithDefaultTitle("MyApp")}, &push.OfflinePushInfo{Title: "Alice", Desc: "see you at 8"}, "Alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, harmony.Config{}, tt.opts...)
			res, err := c.Push(context.Background(), tt.info, "TOKEN1")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			var body harmony.Request
			require.NoError(t, json.Unmarshal(srv.Sends()[0].Body, &body))
			assert.Equal(t, tt.title, body.Payload.Notification.Title)
			assert.Equal(t, tt.info.Desc, body.Payload.Notification.Body)
		})
	}
}

func pemKey(t *testing.T, der []byte, typ string) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func credsWith(t *testing.T, edit func(m map[string]string)) []byte {
	var m map[string]string
	require.NoError(t, json.Unmarshal(creds, &m))
	edit(m)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestConfigErrors(t *testing.T) {
	var m map[string]string
	require.NoError(t, json.Unmarshal(creds, &m))
	keyBody := strings.Split(m["private_key"], "\n")[3] // a line of key material
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	require.NoError(t, err)

	tests := []struct {
		name string
		cfg  harmony.Config
		want string
	}{
		{"no credentials", harmony.Config{}, "CredentialsJSON is required"},
		{"not json", harmony.Config{CredentialsJSON: []byte("{" + m["private_key"])}, "CredentialsJSON is not a valid JSON object"},
		{"no project", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { delete(m, "project_id") })}, "has no project_id"},
		{"no key id", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { m["key_id"] = "" })}, "has no key_id"},
		{"no sub account", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { delete(m, "sub_account") })}, "has no sub_account"},
		{"no key", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { delete(m, "private_key") })}, "has no private_key"},
		{"broken key", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) {
			m["private_key"] = pemKey(t, []byte("not DER at all"), "PRIVATE KEY")
		})}, "private_key cannot be parsed"},
		{"truncated key", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) {
			m["private_key"] = strings.Replace(m["private_key"], keyBody, keyBody[:10], 1)
		})}, "private_key is not a PEM private key"},
		{"not a key", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { m["private_key"] = "hello " + keyBody })}, "private_key is not a PEM private key"},
		{"ec key", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { m["private_key"] = pemKey(t, ecDER, "PRIVATE KEY") })}, "is not an RSA key"},
		{"project with slash", harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { m["project_id"] = "1/../2" })}, "project_id with characters"},
		{"category", harmony.Config{CredentialsJSON: creds, Category: "CHAT"}, "Category must be"},
		{"push type", harmony.Config{CredentialsJSON: creds, PushType: 7}, "PushType must be 0"},
		{"play voice needs extension", harmony.Config{CredentialsJSON: creds, Category: "PLAY_VOICE"}, "PLAY_VOICE needs PushType 2"},
		{"ttl", harmony.Config{CredentialsJSON: creds, TTL: -1}, "TTL must not be negative"},
		{"http click", harmony.Config{CredentialsJSON: creds, Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "http://x.com"}}, "Click.URL must use https"},
		{"host", harmony.Config{CredentialsJSON: creds, Host: "ftp://x"}, "Host must"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := harmony.New(tt.cfg)
			assert.Nil(t, c)
			require.ErrorIs(t, err, push.ErrConfig)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), keyBody[:20], "no key material in errors")
		})
	}
	// a PKCS #1 key and a bare base64 body work too
	block, _ := pem.Decode([]byte(m["private_key"]))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	pkcs1 := pemKey(t, x509.MarshalPKCS1PrivateKey(k.(*rsa.PrivateKey)), "RSA PRIVATE KEY")
	bare := strings.Join(strings.Split(strings.TrimSpace(m["private_key"]), "\n")[1:], "\n")
	bare = strings.TrimSuffix(bare, "-----END PRIVATE KEY-----")
	for _, key := range []string{pkcs1, bare} {
		c, err := harmony.New(harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { m["private_key"] = key })})
		require.NoError(t, err)
		srv, err := pushtest.NewHarmony(creds)
		require.NoError(t, err)
		defer srv.Close()
		c, err = harmony.New(harmony.Config{CredentialsJSON: credsWith(t, func(m map[string]string) { m["private_key"] = key })},
			push.WithEndpoint(srv.URL()))
		require.NoError(t, err)
		res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
		require.NoError(t, err)
		require.NoError(t, res.Err(), "the fake verifies the JWT with the same key")
	}
}

func TestWrongKey(t *testing.T) {
	srv, err := pushtest.NewHarmony(creds)
	require.NoError(t, err)
	defer srv.Close()
	// same project and key id, another private key
	other := pushtest.HarmonyCredentials()
	var m map[string]string
	require.NoError(t, json.Unmarshal(other, &m))
	c, err := harmony.New(harmony.Config{CredentialsJSON: credsWith(t, func(mm map[string]string) { mm["private_key"] = m["private_key"] })},
		push.WithEndpoint(srv.URL()), fastRetry)
	require.NoError(t, err)
	res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	assert.ErrorIs(t, res.Err(), push.ErrAuth)
	var ve *push.VendorError
	require.ErrorAs(t, res.Err(), &ve)
	assert.Equal(t, "80200001", ve.Code)
	assert.Contains(t, ve.Message, "signature")
	assert.Len(t, srv.Sends(), 1, "a bad signature is not re-signed")
}

func TestSecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := setup(t, harmony.Config{}, push.WithLogger(logger))
	srv.Inject(pushtest.Fault{Code: "80200005"}, pushtest.Fault{Status: 502, Body: "x"}, pushtest.Fault{Code: "80300002"})
	res, err := c.Push(context.Background(), msg(clicks["app"]), "TOKEN1")
	require.NoError(t, err)
	require.Error(t, res.Err())
	require.NotEmpty(t, logs.String())

	var m map[string]string
	require.NoError(t, json.Unmarshal(creds, &m))
	keyLines := strings.Split(strings.TrimSpace(m["private_key"]), "\n")
	var jwts []string
	for _, r := range srv.Records() {
		jwts = append(jwts, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		assert.NotContains(t, r.Dump(), jwts[len(jwts)-1])
	}
	cfg := harmony.Config{CredentialsJSON: creds}
	outputs := []string{logs.String(), res.Err().Error(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)}
	for _, out := range outputs {
		for _, line := range keyLines[1 : len(keyLines)-1] {
			assert.NotContains(t, out, line)
		}
		for _, j := range jwts {
			assert.NotContains(t, out, j)
			assert.NotContains(t, out, strings.Split(j, ".")[2])
		}
	}
	assert.Contains(t, fmt.Sprint(cfg), "CredentialsJSON:<redacted")
	assert.Equal(t, "harmony.Client{project 388421841222199046}", fmt.Sprint(c))
}

func TestCanceledContext(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Push(ctx, msg(clicks["app"]), "TOKEN1")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, srv.Records())
}

func TestVendor(t *testing.T) {
	c, _ := setup(t, harmony.Config{})
	var p push.Pusher = c
	assert.Equal(t, push.Harmony, p.Vendor())
	assert.Equal(t, "388421841222199046", c.ProjectID())
}

// DryRun shows what Push sends, request by request, with no I/O: two
// batches for MaxTokens+1 tokens, an empty token unsent, a duplicate
// carried once, each body the one the fake then receives, the JWT masked.
func TestDryRun(t *testing.T) {
	c, srv := setup(t, harmony.Config{})
	toks := tokensN("tok-", harmony.MaxTokens+1)
	in := append(append([]string{}, toks...), "", toks[0])
	info := msg(clicks["url"])

	pv, err := c.DryRun(info, in...)
	require.NoError(t, err)
	assert.Empty(t, srv.Records(), "a dry run does no I/O")
	require.Len(t, pv.Requests, 2)
	assert.Equal(t, toks[:harmony.MaxTokens], pv.Requests[0].Tokens)
	assert.Equal(t, toks[harmony.MaxTokens:], pv.Requests[1].Tokens)
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)

	res, err := c.Push(context.Background(), info, in...)
	require.NoError(t, err)
	assert.Len(t, srv.Delivered(), len(toks))
	assert.ErrorIs(t, res.Outcomes[len(toks)].Err, push.ErrInvalidToken, "the empty token")
	sends := srv.Sends()
	require.Len(t, sends, 2)
	var jwts []string
	for _, r := range pv.Requests {
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, srv.URL()+"/v3/388421841222199046/messages:send", r.URL)
		assert.Equal(t, "Bearer <redacted>", r.Header.Get("Authorization"))
		assert.Equal(t, []string{"0"}, r.Header["push-type"])
		assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
		var sent *pushtest.Record
		for i := range sends {
			if slices.Equal(sends[i].Tokens, r.Tokens) {
				sent = &sends[i]
			}
		}
		require.NotNil(t, sent, "the fake received a request with the tokens %d..", len(r.Tokens))
		assert.Equal(t, string(sent.Body), string(r.Body))
		jwts = append(jwts, strings.TrimPrefix(sent.Header.Get("Authorization"), "Bearer "))
	}

	var m map[string]string
	require.NoError(t, json.Unmarshal(creds, &m))
	keyLines := strings.Split(strings.TrimSpace(m["private_key"]), "\n")
	out := fmt.Sprintf("%v %+v", pv, pv.Requests)
	for _, r := range pv.Requests {
		out += r.String()
	}
	for _, line := range keyLines[1 : len(keyLines)-1] {
		assert.NotContains(t, out, line)
	}
	for _, j := range jwts {
		assert.NotContains(t, out, strings.Split(j, ".")[2])
	}

	t.Run("the real host", func(t *testing.T) {
		c, err := harmony.New(harmony.Config{CredentialsJSON: creds})
		require.NoError(t, err)
		pv, err := c.DryRun(info, "TOKEN1")
		require.NoError(t, err)
		require.Len(t, pv.Requests, 1)
		assert.Equal(t, harmony.Host+"/v3/388421841222199046/messages:send", pv.Requests[0].URL)
	})
}

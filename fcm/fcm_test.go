package fcm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/fcm"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/internal/golden"
	"github.com/offlinepush/push/pushtest"
)

const project = "chat-test-proj"

// creds is one service-account key for the whole test binary (a 2048-bit
// key takes a moment to make).
var creds = pushtest.FCMCredentials(project)

var fastRetry = push.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// clock pins apns-expiration in golden bodies.
var clock = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func setup(t testing.TB, cfg fcm.Config, opts ...push.Option) (*fcm.Client, *pushtest.FCM) {
	t.Helper()
	srv := pushtest.NewFCM(creds)
	t.Cleanup(srv.Close)
	if cfg.CredentialsJSON == nil {
		cfg.CredentialsJSON = creds
	}
	c, err := fcm.New(cfg, append([]push.Option{push.WithEndpoint(srv.URL()), push.WithHTTPClient(srv.Client()),
		push.WithRetry(fastRetry)}, opts...)...)
	require.NoError(t, err)
	fcm.SetClock(c, func() time.Time { return clock })
	return c, srv
}

var clicks = map[string]push.ClickAction{
	"default": {},
	"app":     {Kind: push.ClickOpenApp},
	"url":     {Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice?x=1&y=2"},
	"page": {Kind: push.ClickOpenPage,
		Intent: "intent://chat/alice#Intent;scheme=im;action=com.example.chat.OPEN_CHAT;component=com.example.chat/.ChatActivity;S.peer=alice;end"},
}

// TestGoldenBodies pins the wire body of every click kind, with and without
// Ext and IOSSound, for one and for three tokens (three requests).
func TestGoldenBodies(t *testing.T) {
	variants := map[string]push.OfflinePushInfo{
		"plain": {Title: "Alice", Desc: "See you at 8?"},
		"ext_sound": {Title: "Alice", Desc: "See you at 8?", Ext: `{"entity":{"chatType":1,"sender":"alice"}}`,
			IOSSound: "ring.caf"},
	}
	for cname, click := range clicks {
		for vname, info := range variants {
			for _, n := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s_%s_%d", cname, vname, n), func(t *testing.T) {
					c, srv := setup(t, fcm.Config{ChannelID: "im_msg"})
					info := info
					info.Click = click
					tokens := []string{"tok-A", "tok-B", "tok-C"}[:n]
					res, err := c.Push(context.Background(), &info, tokens...)
					require.NoError(t, err)
					require.NoError(t, res.Err())
					sends := srv.Sends()
					require.Len(t, sends, n)
					bodies := map[string]json.RawMessage{}
					for _, r := range sends {
						assert.Equal(t, "POST", r.Method)
						assert.Equal(t, "/v1/projects/"+project+"/messages:send", r.Path)
						assert.Regexp(t, `^Bearer ya29\.fake-`, r.Header.Get("Authorization"))
						assert.Equal(t, "application/json; charset=UTF-8", r.Header.Get("Content-Type"))
						require.Len(t, r.Tokens, 1)
						bodies[r.Tokens[0]] = r.Body
					}
					if n == 1 {
						golden.Assert(t, fmt.Sprintf("%s_%s_1.json", cname, vname), sends[0].Body)
						return
					}
					all, err := json.Marshal(bodies) // keyed by token: order-free
					require.NoError(t, err)
					golden.Assert(t, fmt.Sprintf("%s_%s_3.json", cname, vname), all)
				})
			}
		}
	}
}

// TestGoldenFull pins every optional field: TTL, collapse id, badge, the
// no-sound constant and a normal-priority certificate.
func TestGoldenFull(t *testing.T) {
	for name, info := range map[string]push.OfflinePushInfo{
		"full": {Title: "Alice", Desc: "See you at 8?", Ext: `{"entity":{"chatType":1}}`, IOSSound: "default",
			TTL: 24 * time.Hour, CollapseID: "c2c_alice", Badge: 3},
		"nosound_subsecond_ttl": {Desc: "no title", IOSSound: fcm.NoSound, TTL: 1500 * time.Millisecond},
		"ttl_capped":            {Title: "t", Desc: "d", TTL: 60 * 24 * time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			c, srv := setup(t, fcm.Config{ChannelID: "im_msg", Priority: "NORMAL"})
			res, err := c.Push(context.Background(), &info, "tok-A")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			golden.Assert(t, name+".json", srv.Sends()[0].Body)
		})
	}
}

// TestReferenceExample checks the wire body field by field against the
// complete example request of the reference (fcm-apns-tencent-im.md §(a)).
func TestReferenceExample(t *testing.T) {
	c, srv := setup(t, fcm.Config{ChannelID: "im_msg"})
	info := &push.OfflinePushInfo{
		Title: "Alice", Desc: "See you at 8?", Ext: `{"entity":{"chatType":1,"sender":"alice"}}`,
		TTL: 86400 * time.Second, CollapseID: "c2c_alice", Badge: 3, IOSSound: "default",
		Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;action=OPEN_CHAT;end"},
	}
	res, err := c.Push(context.Background(), info, "eXAMPLE_REGISTRATION_TOKEN")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	r := srv.Sends()[0]
	assert.Equal(t, "/v1/projects/"+project+"/messages:send", r.Path)

	var body struct {
		Message struct {
			Token        string            `json:"token"`
			Notification map[string]string `json:"notification"`
			Data         map[string]string `json:"data"`
			Android      struct {
				Priority     string            `json:"priority"`
				TTL          string            `json:"ttl"`
				CollapseKey  string            `json:"collapse_key"`
				Notification map[string]string `json:"notification"`
			} `json:"android"`
			APNS struct {
				Headers map[string]string `json:"headers"`
				Payload struct {
					Aps map[string]any `json:"aps"`
					Ext string         `json:"ext"`
				} `json:"payload"`
			} `json:"apns"`
		} `json:"message"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &body))
	m := body.Message
	assert.Equal(t, "eXAMPLE_REGISTRATION_TOKEN", m.Token)
	assert.Equal(t, map[string]string{"title": "Alice", "body": "See you at 8?"}, m.Notification)
	assert.Equal(t, `{"entity":{"chatType":1,"sender":"alice"}}`, m.Data["ext"])
	assert.Equal(t, "high", m.Android.Priority)
	assert.Equal(t, "86400s", m.Android.TTL)
	assert.Equal(t, "c2c_alice", m.Android.CollapseKey)
	assert.Equal(t, map[string]string{"channel_id": "im_msg", "sound": "default", "click_action": "OPEN_CHAT", "tag": "c2c_alice"},
		m.Android.Notification)
	assert.Equal(t, "10", m.APNS.Headers["apns-priority"])
	assert.Equal(t, "alert", m.APNS.Headers["apns-push-type"])
	assert.Equal(t, "c2c_alice", m.APNS.Headers["apns-collapse-id"])
	assert.Equal(t, fmt.Sprint(clock.Add(24*time.Hour).Unix()), m.APNS.Headers["apns-expiration"])
	assert.Equal(t, "default", m.APNS.Payload.Aps["sound"])
	assert.EqualValues(t, 3, m.APNS.Payload.Aps["badge"])
	assert.Equal(t, info.Ext, m.APNS.Payload.Ext)
}

// TestTokenExchange checks the OAuth exchange went to the fake (WithEndpoint
// rewrites the token_uri, which is also the JWT audience the fake verified)
// and that the send carries the issued token.
func TestTokenExchange(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	assert.Equal(t, srv.URL()+"/token", fcm.TokenURL(c))
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	recs := srv.Records()
	require.Len(t, recs, 2)
	assert.Equal(t, "/token", recs[0].Path)
	assert.Equal(t, 200, recs[0].Status)
	assert.Equal(t, "urn:ietf:params:oauth:grant-type:jwt-bearer", recs[0].Form.Get("grant_type"))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(recs[0].Response, &tok))
	assert.Equal(t, "Bearer "+tok.AccessToken, recs[1].Header.Get("Authorization"))
	assert.NotContains(t, recs[0].Dump(), recs[0].Form.Get("assertion"), "the assertion is masked in dumps")
}

// TestEndpointWithPath: a proxy base path prefixes the token and send paths
// once (not twice), and the JWT audience follows.
func TestEndpointWithPath(t *testing.T) {
	srv := pushtest.NewFCM(creds)
	defer srv.Close()
	c, err := fcm.New(fcm.Config{CredentialsJSON: creds}, push.WithEndpoint(srv.URL()+"/fcm-proxy"),
		push.WithHTTPClient(srv.Client()), push.WithRetry(fastRetry))
	require.NoError(t, err)
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	recs := srv.Records()
	require.Len(t, recs, 2)
	assert.Equal(t, "/fcm-proxy/token", recs[0].Path)
	assert.Equal(t, "/fcm-proxy/v1/projects/"+project+"/messages:send", recs[1].Path)
}

// TestManyTokens: 2500 tokens are 2500 requests multiplexed over a few
// HTTP/2 connections, with one access token, and 2500 outcomes in input
// order; UNREGISTERED marks exactly the invalidated tokens.
func TestManyTokens(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	tokens := make([]string, 2500)
	dead := map[string]bool{}
	for i := range tokens {
		tokens[i] = fmt.Sprintf("tok-%04d", i)
		if i%7 == 3 {
			dead[tokens[i]] = true
			srv.Invalidate(tokens[i])
		}
	}
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: "Alice", Desc: "hi"}, tokens...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(tokens))
	ids := map[string]bool{}
	for i, o := range res.Outcomes {
		require.Equal(t, tokens[i], o.Token, "outcome %d out of order", i)
		if dead[o.Token] {
			require.ErrorIs(t, o.Err, push.ErrInvalidToken, o.Token)
			var ve *push.VendorError
			require.ErrorAs(t, o.Err, &ve)
			assert.Equal(t, "UNREGISTERED", ve.Code)
			assert.Equal(t, 404, ve.HTTPStatus)
			continue
		}
		require.NoError(t, o.Err, o.Token)
		require.True(t, strings.HasPrefix(o.MessageID, "projects/"+project+"/messages/"), o.MessageID)
		require.False(t, ids[o.MessageID], "message id %s given twice", o.MessageID)
		ids[o.MessageID] = true
	}
	var wantDead []string
	for _, tk := range tokens {
		if dead[tk] {
			wantDead = append(wantDead, tk)
		}
	}
	assert.Equal(t, wantDead, res.InvalidTokens())
	assert.Len(t, srv.Sends(), len(tokens), "one request per token")
	assert.Equal(t, 1, srv.TokenRequests())
	delivered := srv.Delivered()
	for _, tk := range tokens {
		want := 1
		if dead[tk] {
			want = 0
		}
		require.Equal(t, want, delivered[tk], tk)
	}
	assert.Equal(t, map[string]int{"HTTP/2.0": len(tokens) + 1}, srv.Protocols())
	assert.LessOrEqual(t, srv.Conns(), 3, "requests are multiplexed over a few HTTP/2 connections")
	t.Logf("%d requests over %d connection(s)", len(tokens)+1, srv.Conns())
}

// TestOneExchangeUnderConcurrency: 50 concurrent Push calls share one
// OAuth exchange.
func TestOneExchangeUnderConcurrency(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, fmt.Sprintf("tok-%02d", i))
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
	assert.Equal(t, 1, srv.TokenRequests())
	assert.EqualValues(t, 1, fcm.Fetches(c))
	assert.Len(t, srv.Sends(), 50)
}

// TestServerSideExpiry: FCM rejecting the token (401 UNAUTHENTICATED) makes
// exactly one refresh however many sends were in flight, and every device
// gets the message exactly once.
func TestServerSideExpiry(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	ctx := context.Background()
	res, err := c.Push(ctx, &push.OfflinePushInfo{Desc: "first"}, "tok-first")
	require.NoError(t, err)
	require.NoError(t, res.Err())

	srv.ExpireTokens()
	tokens := make([]string, 300)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("tok-%03d", i)
	}
	res, err = c.Push(ctx, &push.OfflinePushInfo{Desc: "second"}, tokens...)
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, srv.TokenRequests(), "one exchange, one refresh")
	delivered := srv.Delivered()
	for _, tk := range append(tokens, "tok-first") {
		require.Equal(t, 1, delivered[tk], tk)
	}
	rejected := 0
	for _, r := range srv.Sends() {
		if r.Status == http.StatusUnauthorized {
			rejected++
		}
	}
	assert.Positive(t, rejected)
	assert.LessOrEqual(t, rejected, fcm.DefaultConcurrency, "each worker sends at most once with the dead token")
}

// TestRejectedTwice: a second 401 after the refresh is returned as ErrAuth
// (auth.ErrExpired), with no third attempt.
func TestRejectedTwice(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	srv.Inject(pushtest.Fault{Code: "UNAUTHENTICATED", Times: 2})
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	o := res.Outcomes[0]
	require.ErrorIs(t, o.Err, push.ErrAuth)
	require.ErrorIs(t, o.Err, auth.ErrExpired)
	assert.Equal(t, 2, srv.TokenRequests())
	assert.Len(t, srv.Sends(), 2)
	assert.Empty(t, srv.Delivered())
}

// TestRetryAfterHonoured: a 429 with Retry-After: 1 is retried after a
// second, measured by the server's receive times.
func TestRetryAfterHonoured(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	srv.Inject(pushtest.Fault{Code: "QUOTA_EXCEEDED", RetryAfter: time.Second})
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	sends := srv.Sends()
	require.Len(t, sends, 2)
	assert.Equal(t, 429, sends[0].Status)
	assert.Equal(t, 200, sends[1].Status)
	assert.GreaterOrEqual(t, sends[1].Time.Sub(sends[0].Time), time.Second, "the retry waited for Retry-After")
	assert.Equal(t, 1, srv.Delivered()["tok-A"])
}

// TestRetryAfterTooLong: a wait longer than the policy allows is not slept
// but handed to the caller.
func TestRetryAfterTooLong(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	srv.Inject(pushtest.Fault{Code: "QUOTA_EXCEEDED", RetryAfter: time.Minute})
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	o := res.Outcomes[0]
	require.ErrorIs(t, o.Err, push.ErrRateLimited)
	var ve *push.VendorError
	require.ErrorAs(t, o.Err, &ve)
	assert.Equal(t, time.Minute, ve.RetryAfter)
	assert.Equal(t, "QUOTA_EXCEEDED", ve.Code)
	assert.Len(t, srv.Sends(), 1)
	assert.True(t, push.IsRetryable(o.Err))
}

// TestFaults maps every FCM error the fake can answer to its class and
// counts the requests: retryable answers are retried (fastRetry: 2), the
// rest are not, and only UNAUTHENTICATED refreshes the access token.
func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		code   string
		kind   error
		sends  int
		tokens int
	}{
		{"UNREGISTERED", push.ErrInvalidToken, 1, 1},
		{"INVALID_ARGUMENT", push.ErrInvalidMessage, 1, 1},
		{"SENDER_ID_MISMATCH", push.ErrAuth, 1, 1},
		{"THIRD_PARTY_AUTH_ERROR", push.ErrAuth, 1, 1},
		{"PERMISSION_DENIED", push.ErrAuth, 1, 1},
		{"QUOTA_EXCEEDED", push.ErrRateLimited, 3, 1},
		{"RESOURCE_EXHAUSTED", push.ErrRateLimited, 3, 1},
		{"UNAVAILABLE", push.ErrUnavailable, 3, 1},
		{"INTERNAL", push.ErrUnavailable, 3, 1},
		{"UNAUTHENTICATED", push.ErrAuth, 2, 2},
	} {
		t.Run(tc.code, func(t *testing.T) {
			c, srv := setup(t, fcm.Config{})
			srv.Inject(pushtest.Fault{Code: tc.code, Times: -1})
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
			require.NoError(t, err)
			o := res.Outcomes[0]
			require.ErrorIs(t, o.Err, tc.kind)
			var ve *push.VendorError
			require.ErrorAs(t, o.Err, &ve)
			assert.Equal(t, tc.code, ve.Code)
			assert.Equal(t, push.FCM, ve.Vendor)
			assert.Equal(t, tc.sends, len(srv.Sends()), "send requests")
			assert.Equal(t, tc.tokens, srv.TokenRequests(), "token requests")
			assert.Equal(t, tc.code == "UNAUTHENTICATED", errors.Is(o.Err, auth.ErrExpired))
		})
	}
}

// TestTransientThenSuccess: a 5xx then success delivers exactly once.
func TestTransientThenSuccess(t *testing.T) {
	for _, code := range []string{"UNAVAILABLE", "INTERNAL"} {
		t.Run(code, func(t *testing.T) {
			c, srv := setup(t, fcm.Config{})
			srv.Inject(pushtest.Fault{Code: code})
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
			require.NoError(t, err)
			require.NoError(t, res.Err())
			assert.Len(t, srv.Sends(), 2)
			assert.Equal(t, map[string]int{"tok-A": 1}, srv.Delivered())
		})
	}
}

// TestResetNotResent: a connection dropped after the request was written
// is not resent (FCM cannot deduplicate) and is flagged PossiblyDelivered.
func TestResetNotResent(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	srv.Inject(pushtest.Fault{Reset: true})
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	o := res.Outcomes[0]
	require.ErrorIs(t, o.Err, push.ErrUnavailable)
	var ve *push.VendorError
	require.ErrorAs(t, o.Err, &ve)
	assert.True(t, ve.PossiblyDelivered)
	assert.Len(t, srv.Sends(), 1)
}

// TestMalformedToken: FCM's INVALID_ARGUMENT naming the registration token
// is a dead token; a token that is not UTF-8 is not sent at all.
func TestMalformedToken(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "good-token", "bad token!", "\xff\xfe", "")
	require.NoError(t, err)
	require.NoError(t, res.Outcomes[0].Err)
	for _, o := range res.Outcomes[1:] {
		require.ErrorIs(t, o.Err, push.ErrInvalidToken, "%q", o.Token)
	}
	var ve *push.VendorError
	require.ErrorAs(t, res.Outcomes[1].Err, &ve)
	assert.Equal(t, "INVALID_ARGUMENT", ve.Code)
	assert.Len(t, srv.Sends(), 2, "the non-UTF-8 and the empty token are not sent")
}

// TestTokenEndpointRejects: credentials the token endpoint does not accept
// fail every token with ErrAuth after one exchange, and no send is made.
func TestTokenEndpointRejects(t *testing.T) {
	other := pushtest.FCMCredentials(project) // same project, another key
	srv := pushtest.NewFCM(creds)
	defer srv.Close()
	c, err := fcm.New(fcm.Config{CredentialsJSON: other}, push.WithEndpoint(srv.URL()), push.WithHTTPClient(srv.Client()),
		push.WithRetry(fastRetry))
	require.NoError(t, err)
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A", "tok-B", "tok-C")
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 3)
	for _, o := range res.Outcomes {
		require.ErrorIs(t, o.Err, push.ErrAuth)
		var ve *push.VendorError
		require.ErrorAs(t, o.Err, &ve)
		assert.Equal(t, "invalid_grant", ve.Code)
		assertNoSecrets(t, o.Err.Error(), other)
	}
	assert.Equal(t, 1, srv.TokenRequests())
	assert.Empty(t, srv.Sends())
}

// TestTokenErrorInside200 (issue 13 finding 10): a token endpoint that
// answers 200 with an OAuth error and no access token refused the service
// account: every token gets ErrAuth (exactly one class, the OAuth code in
// Code), after one exchange and no send. A 200 without a token and without
// an error is a broken answer: ErrUnavailable.
func TestTokenErrorInside200(t *testing.T) {
	for _, tc := range []struct {
		name, body, code string
		kind             error
	}{
		{"invalid_client", `{"error":"invalid_client","error_description":"The OAuth client was not found."}`, "invalid_client", push.ErrAuth},
		{"invalid_grant", `{"error":"invalid_grant"}`, "invalid_grant", push.ErrAuth},
		{"temporarily_unavailable", `{"error":"temporarily_unavailable"}`, "temporarily_unavailable", push.ErrUnavailable},
		{"no token, no error", `{"token_type":"Bearer"}`, "", push.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := setup(t, fcm.Config{}, push.WithRetry(push.NoRetry()))
			srv.Inject(pushtest.Fault{Path: "/token", Status: 200, Body: tc.body, ContentType: "application/json", Times: -1})
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A", "tok-B")
			require.NoError(t, err)
			for _, o := range res.Outcomes {
				require.ErrorIs(t, o.Err, tc.kind)
				n := 0
				for _, k := range []error{push.ErrInvalidToken, push.ErrInvalidMessage, push.ErrAuth, push.ErrQuota,
					push.ErrRateLimited, push.ErrUnavailable, push.ErrDisabled} {
					if errors.Is(o.Err, k) {
						n++
					}
				}
				assert.Equal(t, 1, n, "exactly one class: %v", o.Err)
				var ve *push.VendorError
				require.ErrorAs(t, o.Err, &ve)
				assert.Equal(t, tc.code, ve.Code)
				assert.Equal(t, 200, ve.HTTPStatus)
				assert.Contains(t, ve.Message, "access token")
			}
			assert.Equal(t, 1, srv.TokenRequests())
			assert.Empty(t, srv.Sends())
		})
	}
}

// TestTokenEndpointUnavailable: a 5xx from the token endpoint is retried
// (the exchange has no side effect), then the sends go through.
func TestTokenEndpointUnavailable(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	srv.Inject(pushtest.Fault{Path: "/token", Status: 503})
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, srv.TokenRequests())

	c, srv = setup(t, fcm.Config{})
	srv.Inject(pushtest.Fault{Path: "/token", Status: 503, Times: -1})
	res, err = c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	require.ErrorIs(t, res.Outcomes[0].Err, push.ErrUnavailable)
	assert.Empty(t, srv.Sends())
}

// TestWithTokenSource: a shared token source replaces the exchange; FCM's
// 401 still makes one re-ask.
func TestWithTokenSource(t *testing.T) {
	srv := pushtest.NewFCM(creds)
	defer srv.Close()
	var asked int
	var mu sync.Mutex
	ts := oauth2TokenSource(func() (*oauth2.Token, error) {
		mu.Lock()
		asked++
		mu.Unlock()
		return &oauth2.Token{AccessToken: "shared-token-not-issued-by-the-fake", Expiry: time.Now().Add(time.Hour)}, nil
	})
	c, err := fcm.New(fcm.Config{ProjectID: project}, push.WithTokenSource(ts), push.WithEndpoint(srv.URL()),
		push.WithHTTPClient(srv.Client()), push.WithRetry(fastRetry))
	require.NoError(t, err)
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	require.ErrorIs(t, res.Outcomes[0].Err, auth.ErrExpired)
	assert.Equal(t, 2, asked)
	assert.Zero(t, srv.TokenRequests())
	assert.Equal(t, "Bearer shared-token-not-issued-by-the-fake", srv.Sends()[0].Header.Get("Authorization"))
}

type oauth2TokenSource func() (*oauth2.Token, error)

func (f oauth2TokenSource) Token() (*oauth2.Token, error) { return f() }

// TestProjectIDOverride sends to the configured project, not the key's.
func TestProjectIDOverride(t *testing.T) {
	c, srv := setup(t, fcm.Config{ProjectID: "other-proj"})
	assert.Equal(t, "other-proj", c.ProjectID())
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	// the fake serves one project: another one is a permission error
	require.ErrorIs(t, res.Outcomes[0].Err, push.ErrAuth)
	assert.Equal(t, "/v1/projects/other-proj/messages:send", srv.Sends()[0].Path)
}

// TestBadInputBeforeAnyRequest: invalid messages fail in Push with an error
// naming the field and rule, before any request (token fetch included).
func TestBadInputBeforeAnyRequest(t *testing.T) {
	for name, tc := range map[string]struct {
		info  *push.OfflinePushInfo
		field string
		opts  []push.Option
	}{
		"nil":          {nil, "OfflinePushInfo", nil},
		"empty desc":   {&push.OfflinePushInfo{Title: "t", Desc: "  "}, "Desc", nil},
		"bad url":      {&push.OfflinePushInfo{Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x"}}, "Click.URL", nil},
		"page no act":  {&push.OfflinePushInfo{Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=a.b/.C;end"}}, "Click.Intent", nil},
		"page no int":  {&push.OfflinePushInfo{Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "a.b.C"}}, "Click.Intent", nil},
		"collapse":     {&push.OfflinePushInfo{Desc: "d", CollapseID: strings.Repeat("c", 65)}, "CollapseID", nil},
		"negative ttl": {&push.OfflinePushInfo{Desc: "d", TTL: -time.Second}, "TTL", nil},
		"bad utf8":     {&push.OfflinePushInfo{Desc: "d", Ext: "\xff"}, "Ext", nil},
		"huge ext":     {&push.OfflinePushInfo{Desc: "d", Ext: strings.Repeat("x", 5000)}, "Ext", nil},
		"long strict":  {&push.OfflinePushInfo{Desc: strings.Repeat("d", 5000)}, "Desc", []push.Option{push.WithStrictLength()}},
	} {
		t.Run(name, func(t *testing.T) {
			c, srv := setup(t, fcm.Config{}, tc.opts...)
			_, err := c.Push(context.Background(), tc.info, "tok-A")
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			assert.Contains(t, err.Error(), tc.field)
			assert.Empty(t, srv.Records())
		})
	}
}

// TestLongTextsFit (issue 12 finding 8): a message over FCM's 4096 bytes
// (title, body and data as FCM counts them, and the APNs payload FCM builds,
// HTML-escaped as this package encodes) is shortened as little as needed:
// the body first, then the title, at a character boundary, ending with "…";
// Ext is never cut. The fake, which checks both limits, accepts every one.
func TestLongTextsFit(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	mixed := strings.Repeat("Hi \"你好\" 😀 <b>&\\\n", 300)
	for _, tc := range []struct {
		name        string
		in          push.OfflinePushInfo
		title, body string // exact texts after fitting; body "" when checked by the rule
	}{
		{"fits", push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"}, "Alice", "See you at 8?"},
		{"CJK", push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("長", 1400)}, "Alice", strings.Repeat("長", 1343) + "…"},
		{"emoji", push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("😀", 2000)}, "Alice", strings.Repeat("😀", 1007) + "…"},
		{"title too", push.OfflinePushInfo{Title: strings.Repeat("标", 2000), Desc: strings.Repeat("题", 2000)},
			strings.Repeat("标", 1343) + "…", "题…"},
		{"big Ext kept whole", push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("長", 100), Ext: `{"k":"` + strings.Repeat("x", 3900) + `"}`},
			"Alice", strings.Repeat("長", 36) + "…"},
		// "<", "&" and ">" take 6 bytes each, escaped
		{"HTML characters", push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("<&>", 2000)}, "Alice", strings.Repeat("<&>", 223) + "<&" + "…"},
		{"mixed", push.OfflinePushInfo{Title: "Alice", Desc: mixed}, "Alice", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := c.Message(&tc.in)
			require.NoError(t, err)
			fcmBytes, apnsBytes := fcm.Sizes(m)
			assert.LessOrEqual(t, fcmBytes, fcm.MaxPayload)
			assert.LessOrEqual(t, apnsBytes, fcm.MaxPayload)
			assert.Equal(t, tc.title, m.Notification.Title)
			if tc.body != "" {
				assert.Equal(t, tc.body, m.Notification.Body)
			} else {
				assert.True(t, strings.HasSuffix(m.Notification.Body, "…"))
				assert.True(t, strings.HasPrefix(tc.in.Desc, strings.TrimSuffix(m.Notification.Body, "…")))
			}
			if tc.name != "fits" {
				// cut as little as needed: one more character (at most 4
				// bytes, or 6 escaped) would not have fitted
				assert.Greater(t, max(fcmBytes, apnsBytes), fcm.MaxPayload-6)
			}
			assert.Equal(t, tc.in.Ext, m.Data["ext"])
			res, err := c.Push(context.Background(), &tc.in, "tok-"+strings.ReplaceAll(tc.name, " ", "-"))
			require.NoError(t, err)
			require.NoError(t, res.Err(), "the fake accepts it: within both limits")
		})
	}
	assert.Len(t, srv.Sends(), 7)
}

// TestOversizeRefused: what cannot fit by shortening the texts (Ext or
// Click.URL alone over the limit), and with WithStrictLength any oversize
// message, is refused naming the field, before any request.
func TestOversizeRefused(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	strict, strictSrv := setup(t, fcm.Config{}, push.WithStrictLength())
	for _, tc := range []struct {
		name, field string
		c           *fcm.Client
		in          *push.OfflinePushInfo
	}{
		{"Ext alone too big", "Ext", c, &push.OfflinePushInfo{Title: "Alice", Desc: "hi", Ext: strings.Repeat("x", fcm.MaxPayload)}},
		{"Click.URL alone too big", "Click.URL", c, &push.OfflinePushInfo{Title: "Alice", Desc: "hi",
			Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/" + strings.Repeat("a", 4100)}}},
		{"strict", "Title+Desc+Ext", strict, &push.OfflinePushInfo{Title: "Alice", Desc: strings.Repeat("長", 1400)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.c.Push(context.Background(), tc.in, "tok-A")
			assert.Nil(t, res)
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			var fe *push.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.Contains(t, err.Error(), "4096")
		})
	}
	assert.Empty(t, srv.Records(), "nothing sent")
	assert.Empty(t, strictSrv.Records(), "nothing sent")
}

// TestEmptyTitleSentAsNone: FCM needs no title (Android shows the app's
// name): an empty Title is sent as none, even with a default title set.
func TestEmptyTitleSentAsNone(t *testing.T) {
	c, _ := setup(t, fcm.Config{}, push.WithDefaultTitle("Chat"))
	m, err := c.Message(&push.OfflinePushInfo{Desc: "See you at 8?"})
	require.NoError(t, err)
	assert.Equal(t, &fcm.Notification{Body: "See you at 8?"}, m.Notification)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"notification":{"body":"See you at 8?"}`)
}

func TestNewValidatesConfig(t *testing.T) {
	var sa map[string]string
	require.NoError(t, json.Unmarshal(creds, &sa))
	with := func(k, v string) []byte {
		m := map[string]string{}
		for a, b := range sa {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return b
	}
	for name, tc := range map[string]struct {
		cfg   fcm.Config
		field string
	}{
		"no creds":     {fcm.Config{}, "CredentialsJSON"},
		"not json":     {fcm.Config{CredentialsJSON: []byte("{not json")}, "CredentialsJSON"},
		"wrong type":   {fcm.Config{CredentialsJSON: with("type", "authorized_user")}, "CredentialsJSON"},
		"no email":     {fcm.Config{CredentialsJSON: with("client_email", "")}, "client_email"},
		"no key":       {fcm.Config{CredentialsJSON: with("private_key", "")}, "private_key"},
		"bad key":      {fcm.Config{CredentialsJSON: with("private_key", sa["private_key"][:200])}, "private_key"},
		"bad tokenuri": {fcm.Config{CredentialsJSON: with("token_uri", "/token")}, "token_uri"},
		"no project":   {fcm.Config{CredentialsJSON: with("project_id", "")}, "ProjectID"},
		"bad project":  {fcm.Config{CredentialsJSON: creds, ProjectID: "a/b"}, "ProjectID"},
		"priority":     {fcm.Config{CredentialsJSON: creds, Priority: "urgent"}, "Priority"},
		"ttl":          {fcm.Config{CredentialsJSON: creds, TTL: -1}, "TTL"},
		"click":        {fcm.Config{CredentialsJSON: creds, Click: push.ClickAction{Kind: push.ClickOpenURL}}, "Click"},
		"click page":   {fcm.Config{CredentialsJSON: creds, Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "a.b.C"}}, "Click"},
		"endpoint":     {fcm.Config{CredentialsJSON: creds}, "WithEndpoint"},
	} {
		t.Run(name, func(t *testing.T) {
			var opts []push.Option
			if name == "endpoint" {
				opts = append(opts, push.WithEndpoint("not a url"))
			}
			_, err := fcm.New(tc.cfg, opts...)
			require.ErrorIs(t, err, push.ErrConfig)
			assert.Contains(t, err.Error(), tc.field)
			assertNoSecrets(t, err.Error(), creds)
		})
	}
	c, err := fcm.New(fcm.Config{CredentialsJSON: creds})
	require.NoError(t, err)
	assert.Equal(t, project, c.ProjectID())
	assert.Equal(t, push.FCM, c.Vendor())
}

// TestDefaultClickFromConfig: Config.Click applies when the message has none.
func TestDefaultClickFromConfig(t *testing.T) {
	c, _ := setup(t, fcm.Config{Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;action=OPEN_CHAT;end"}})
	m, err := c.Message(&push.OfflinePushInfo{Desc: "d"})
	require.NoError(t, err)
	assert.Equal(t, "OPEN_CHAT", m.Android.Notification.ClickAction)
	m, err = c.Message(&push.OfflinePushInfo{Desc: "d", Click: push.ClickAction{Kind: push.ClickOpenApp}})
	require.NoError(t, err)
	assert.Empty(t, m.Android.Notification.ClickAction)
}

// TestSecretsNeverLeak: the private key and the access token appear in no
// error, no debug log and no printed Config or Client.
func TestSecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, srv := setup(t, fcm.Config{}, push.WithLogger(log))
	srv.Invalidate("tok-dead")
	srv.Inject(pushtest.Fault{Code: "UNAUTHENTICATED"}, pushtest.Fault{Code: "UNAVAILABLE"})
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "tok-A", "tok-dead", "tok-C")
	require.NoError(t, err)
	var access []string
	for _, r := range srv.Records() {
		if r.Path == "/token" && r.Status == 200 {
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			require.NoError(t, json.Unmarshal(r.Response, &tok))
			access = append(access, tok.AccessToken)
		}
	}
	for _, r := range srv.Records() {
		assertNoSecrets(t, r.Dump(), creds, access...)
		assertNoSecrets(t, r.ResponseDump(), creds, access...)
	}
	require.Len(t, access, 2)
	require.Contains(t, logs.String(), "push http attempt")
	assertNoSecrets(t, logs.String(), creds, access...)
	for _, o := range res.Outcomes {
		if o.Err != nil {
			assertNoSecrets(t, o.Err.Error(), creds, access...)
		}
	}
	cfg := fcm.Config{CredentialsJSON: creds, ChannelID: "im"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", *c)} {
		assertNoSecrets(t, s, creds, access...)
	}
}

// assertNoSecrets fails if s holds the service account's private key (any
// line of its PEM body) or one of the extra secrets.
func assertNoSecrets(t *testing.T, s string, credsJSON []byte, extra ...string) {
	t.Helper()
	var sa struct {
		PrivateKey string `json:"private_key"`
	}
	require.NoError(t, json.Unmarshal(credsJSON, &sa))
	assert.NotContains(t, s, "PRIVATE KEY")
	for _, line := range strings.Split(sa.PrivateKey, "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			if strings.Contains(s, line) {
				t.Errorf("private key material in %q", s[:min(len(s), 200)])
				return
			}
		}
	}
	for _, x := range extra {
		if x != "" {
			assert.NotContains(t, s, x)
		}
	}
}

func TestCanceledContext(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Push(ctx, &push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, srv.Records())
}

// TestAuthenticate checks credentials with one exchange and no send.
func TestAuthenticate(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	require.NoError(t, c.Authenticate(context.Background()))
	require.NoError(t, c.Authenticate(context.Background()))
	assert.Equal(t, 1, srv.TokenRequests())
	assert.Empty(t, srv.Sends())

	bad, err := fcm.New(fcm.Config{CredentialsJSON: pushtest.FCMCredentials(project)}, push.WithEndpoint(srv.URL()),
		push.WithHTTPClient(srv.Client()), push.WithRetry(push.NoRetry()))
	require.NoError(t, err)
	err = bad.Authenticate(context.Background())
	require.ErrorIs(t, err, push.ErrAuth)
	assert.Contains(t, err.Error(), "invalid_grant")
}

// TestNoTokens: nothing to send means no request at all, not even the
// token exchange; empty tokens are reported without being sent.
func TestNoTokens(t *testing.T) {
	c, srv := setup(t, fcm.Config{})
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"})
	require.NoError(t, err)
	assert.Empty(t, res.Outcomes)
	res, err = c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, "", "")
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 2)
	assert.ErrorIs(t, res.Outcomes[1].Err, push.ErrInvalidToken)
	assert.Empty(t, srv.Records())
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second:                    "1s",
		86400 * time.Second:            "86400s",
		1500 * time.Millisecond:        "1.500s",
		time.Second + time.Microsecond: "1.000001s",
		time.Second + 1:                "1.000000001s",
		250 * time.Millisecond:         "0.250s",
		fcm.MaxTTL:                     "2419200s",
	} {
		assert.Equal(t, want, fcm.Duration(d), d.String())
	}
}

// pooled returns a client like New's own (fcm.NewHTTPClient), trusting srv.
func pooled(t *testing.T, srv *pushtest.FCM, opts ...push.Option) *fcm.Client {
	t.Helper()
	hc := fcm.Trusting(srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs)
	t.Cleanup(hc.CloseIdleConnections)
	c, err := fcm.New(fcm.Config{CredentialsJSON: creds},
		append([]push.Option{push.WithEndpoint(srv.URL()), push.WithHTTPClient(hc)}, opts...)...)
	require.NoError(t, err)
	return c
}

// TestColdClientFewConnections (issue 13 finding 9): a cold client pushing
// to many tokens at once (token exchange included) shares one dial and one
// connection instead of a TLS handshake per request in flight.
func TestColdClientFewConnections(t *testing.T) {
	for _, n := range []int{8, 256} {
		t.Run(fmt.Sprint(n, " tokens"), func(t *testing.T) {
			srv := pushtest.NewFCM(creds)
			defer srv.Close()
			c := pooled(t, srv)
			tokens := make([]string, n)
			for i := range tokens {
				tokens[i] = fmt.Sprintf("cold-%04d", i)
			}
			res, err := c.Push(context.Background(), &push.OfflinePushInfo{Title: "Alice", Desc: "hi"}, tokens...)
			require.NoError(t, err)
			require.NoError(t, res.Err())
			assert.Len(t, srv.Delivered(), n)
			t.Logf("%d tokens: %d connections", n, srv.Connections())
			assert.LessOrEqual(t, srv.Connections(), 2)
		})
	}
	// With a shared token source no exchange warms a connection first: the
	// sends themselves find the client cold. (The fake refuses the token;
	// the connections are what counts here.)
	t.Run("256 tokens, shared token source", func(t *testing.T) {
		srv := pushtest.NewFCM(creds)
		defer srv.Close()
		hc := fcm.Trusting(srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs)
		t.Cleanup(hc.CloseIdleConnections)
		ts := oauth2TokenSource(func() (*oauth2.Token, error) {
			return &oauth2.Token{AccessToken: "shared-token", Expiry: time.Now().Add(time.Hour)}, nil
		})
		c, err := fcm.New(fcm.Config{ProjectID: project}, push.WithTokenSource(ts), push.WithEndpoint(srv.URL()),
			push.WithHTTPClient(hc), push.WithRetry(push.NoRetry()))
		require.NoError(t, err)
		tokens := make([]string, 256)
		for i := range tokens {
			tokens[i] = fmt.Sprintf("cold-%04d", i)
		}
		res, err := c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, tokens...)
		require.NoError(t, err)
		require.Len(t, res.Outcomes, len(tokens))
		t.Logf("%d connections", srv.Connections())
		assert.LessOrEqual(t, srv.Connections(), 2)
	})
}

// TestGoAwayReconnectsBackedOff (issue 13 finding 9): a front end that ends
// every connection (GOAWAY) with 503 UNAVAILABLE after one answer makes the
// client reconnect for its retries, with backoff and one shared dial: a
// handful of connections in 2 s, not one per retry.
func TestGoAwayReconnectsBackedOff(t *testing.T) {
	srv := pushtest.NewFCM(creds)
	defer srv.Close()
	c := pooled(t, srv, push.WithRetry(push.RetryPolicy{MaxRetries: 20, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}))
	require.NoError(t, c.Authenticate(context.Background()))
	srv.SetGoAway(true, "UNAVAILABLE")
	before := srv.Connections()
	tokens := []string{"tok-1", "tok-2", "tok-3", "tok-4", "tok-5"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	res, err := c.Push(ctx, &push.OfflinePushInfo{Desc: "hi"}, tokens...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, len(tokens))
	for _, o := range res.Outcomes {
		require.Error(t, o.Err)
	}
	conns := srv.Connections() - before
	t.Logf("%d connections, %d send requests in 2 s", conns, len(srv.Sends()))
	assert.LessOrEqual(t, conns, 8, "reconnects backed off")
	assert.Empty(t, srv.Delivered())

	srv.SetGoAway(false, "")
	res, err = c.Push(context.Background(), &push.OfflinePushInfo{Desc: "hi"}, tokens...)
	require.NoError(t, err)
	require.NoError(t, res.Err())
}

// TestDryRunShowsWhatPushSends: DryRun of a two-request push (FCM takes one
// token per request; an empty token and a duplicate too) shows one request
// per token with the URL, headers and body the fake receives from Push of
// the same message, the access token masked, and nothing secret; it
// fetches no access token.
func TestDryRunShowsWhatPushSends(t *testing.T) {
	c, srv := setup(t, fcm.Config{ChannelID: "im_msg"})
	info := &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"k":"<v>&"}`, CollapseID: "c2c_alice", TTL: time.Hour,
		Click: clicks["url"]}
	tokens := []string{"tok-A", "tok-B", "", "tok-A"}

	pv, err := c.DryRun(info, tokens...)
	require.NoError(t, err)
	assert.EqualValues(t, 0, fcm.Fetches(c), "no access token fetched")
	require.Len(t, pv.Requests, 2, "one request per distinct sendable token")
	require.Len(t, pv.Unsent, 1)
	assert.Equal(t, "", pv.Unsent[0].Token)
	assert.ErrorIs(t, pv.Unsent[0].Err, push.ErrInvalidToken)

	_, err = c.Push(context.Background(), info, tokens...)
	require.NoError(t, err)
	sends := srv.Sends()
	require.Len(t, sends, 2)
	byToken := map[string]pushtest.Record{}
	for _, r := range sends {
		require.Len(t, r.Tokens, 1)
		byToken[r.Tokens[0]] = r
	}
	for i, want := range []string{"tok-A", "tok-B"} {
		t.Run(want, func(t *testing.T) {
			r := pv.Requests[i]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, srv.URL()+"/v1/projects/"+project+"/messages:send", r.URL)
			assert.Equal(t, []string{want}, r.Tokens)
			assert.Equal(t, "Bearer <redacted>", r.Header.Get("Authorization"))
			rec, ok := byToken[want]
			require.True(t, ok, "Push sent to %s", want)
			assert.Equal(t, rec.Path, "/v1/projects/"+project+"/messages:send")
			assert.Equal(t, string(rec.Body), string(r.Body), "the body Push sends")
			assert.Equal(t, rec.Header.Get("Content-Type"), r.Header.Get("Content-Type"))
		})
	}
	all := fmt.Sprint(pv.Requests)
	for _, r := range sends {
		at := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		require.NotEmpty(t, at)
		assert.NotContains(t, all, at, "the access token")
	}
	var sa struct {
		PrivateKey   string `json:"private_key"`
		PrivateKeyID string `json:"private_key_id"`
	}
	require.NoError(t, json.Unmarshal(creds, &sa))
	assert.NotContains(t, all, sa.PrivateKeyID)
	assert.NotContains(t, all, strings.Split(sa.PrivateKey, "\n")[1], "no line of the key")
}

// TestDryRunShowsFCMHost: without an endpoint override the URL is FCM's.
func TestDryRunShowsFCMHost(t *testing.T) {
	c, err := fcm.New(fcm.Config{CredentialsJSON: creds})
	require.NoError(t, err)
	pv, err := c.DryRun(&push.OfflinePushInfo{Desc: "hi"}, "tok-A")
	require.NoError(t, err)
	require.Len(t, pv.Requests, 1)
	assert.Equal(t, fcm.Host+"/v1/projects/"+project+"/messages:send", pv.Requests[0].URL)
}

package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/honor"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/internal/auth"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/vivo"
)

// outageVendor is a vendor with a token endpoint, as the outage tests need it.
type outageVendor struct {
	name     push.Vendor
	authPath string
	start    func() (*pushtest.Server, func(...push.Option) (push.Pusher, error))
	token    func(i int) string
	// issue is a 200 token answer in the vendor's format carrying tok.
	issue func(tok string) string
}

var outageVendors = []outageVendor{
	{push.Huawei, huawei.TokenPath, func() (*pushtest.Server, func(...push.Option) (push.Pusher, error)) {
		srv := pushtest.NewHuawei("104536617", "hwSecret-9b3e7d1a5c2f4068")
		return srv.Server, func(o ...push.Option) (push.Pusher, error) {
			return huawei.New(huawei.Config{AppID: "104536617", AppSecret: "hwSecret-9b3e7d1a5c2f4068"}, o...)
		}
	}, func(i int) string { return fmt.Sprintf("IQAAAACy0hw-%06d", i) },
		func(tok string) string {
			return fmt.Sprintf(`{"access_token":%s,"expires_in":3600,"token_type":"Bearer"}`, jsonString(tok))
		}},
	{push.Honor, pushtest.HonorTokenPath, func() (*pushtest.Server, func(...push.Option) (push.Pusher, error)) {
		srv := pushtest.NewHonor("104412345", "hnClientID-1a2b3c4d", "hnSecret-7c5a3e1f9d2b4068")
		return srv.Server, func(o ...push.Option) (push.Pusher, error) {
			return honor.New(honor.Config{AppID: "104412345", ClientID: "hnClientID-1a2b3c4d", ClientSecret: "hnSecret-7c5a3e1f9d2b4068"}, o...)
		}
	}, func(i int) string { return fmt.Sprintf("honor-token-%06d", i) },
		func(tok string) string {
			return fmt.Sprintf(`{"access_token":%s,"expires_in":3600,"token_type":"Bearer"}`, jsonString(tok))
		}},
	{push.OPPO, oppo.AuthPath, func() (*pushtest.Server, func(...push.Option) (push.Pusher, error)) {
		srv := pushtest.NewOPPO("oppo-app-key-3141", "opMaster-2d4f6a8c1e3b5079")
		return srv.Server, func(o ...push.Option) (push.Pusher, error) {
			return oppo.New(oppo.Config{AppKey: "oppo-app-key-3141", MasterSecret: "opMaster-2d4f6a8c1e3b5079", ChannelID: "im_private"}, o...)
		}
	}, func(i int) string { return fmt.Sprintf("CN_oppo-regid-%06d", i) },
		func(tok string) string {
			return fmt.Sprintf(`{"code":0,"message":"success","data":{"auth_token":%s,"create_time":%d}}`, jsonString(tok), time.Now().UnixMilli())
		}},
	{push.Vivo, vivo.AuthPath, func() (*pushtest.Server, func(...push.Option) (push.Pusher, error)) {
		srv := pushtest.NewVivo("10004", "vvAppKey-8e6c4a2f0d1b3957", "vvSecret-5b7d9f1a3c5e7092")
		return srv.Server, func(o ...push.Option) (push.Pusher, error) {
			return vivo.New(vivo.Config{AppID: "10004", AppKey: "vvAppKey-8e6c4a2f0d1b3957", AppSecret: "vvSecret-5b7d9f1a3c5e7092"}, o...)
		}
	}, func(i int) string { return fmt.Sprintf("vivo-regid-%06d", i) },
		func(tok string) string {
			return fmt.Sprintf(`{"result":0,"desc":"请求成功","authToken":%s}`, jsonString(tok))
		}},
}

// jsonString is s as a JSON string (control bytes escaped as JSON does).
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var outageRetry = push.RetryPolicy{MaxRetries: 2, MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

func outageClient(t *testing.T, v outageVendor) (*pushtest.Server, push.Pusher) {
	t.Helper()
	srv, build := v.start()
	hc := srv.Client()
	t.Cleanup(func() { hc.CloseIdleConnections(); srv.Close() })
	p, err := build(push.WithEndpoint(srv.URL()), push.WithHTTPClient(hc), push.WithRetry(outageRetry))
	require.NoError(t, err)
	return srv, p
}

func outageTokens(v outageVendor, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = v.token(i)
	}
	return out
}

// TestAuthOutageIsNotAmplified: a token endpoint that fails every request
// is asked once per back-off, not once per Push or per batch. Before, 5
// pushes made 15 token requests and one Push of 40,000 tokens 30 in 450 ms
// (Huawei allows 1,000 fetches per 5 minutes per app). Every token still
// fails with the endpoint's class, nothing is sent, and once the endpoint
// is back a Push after the back-off succeeds.
func TestAuthOutageIsNotAmplified(t *testing.T) {
	per := outageRetry.MaxRetries + 1 // requests of one fetch (503 is retried)
	for _, v := range outageVendors {
		t.Run(string(v.name), func(t *testing.T) {
			t.Parallel()
			srv, p := outageClient(t, v)
			srv.Inject(pushtest.Fault{Path: v.authPath, Status: 503, Times: -1})
			start := time.Now()
			for i := range 5 {
				res, err := p.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, v.token(i))
				require.NoError(t, err)
				require.Len(t, res.Outcomes, 1)
				assert.ErrorIs(t, res.Outcomes[0].Err, push.ErrUnavailable)
			}
			res, err := p.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, outageTokens(v, 40000)...)
			require.NoError(t, err)
			require.Len(t, res.Outcomes, 40000)
			for _, o := range res.Outcomes {
				if !errors.Is(o.Err, push.ErrUnavailable) {
					t.Fatalf("%s: %v, want ErrUnavailable", o.Token, o.Err)
				}
			}
			n := srv.Count(v.authPath)
			// One fetch per back-off window: the first, and one more for each
			// shortest window (the jitter takes up to a quarter off) that the
			// pushes outlasted.
			limit := per * (1 + int(time.Since(start)/(auth.FailureBackoff*3/4)))
			t.Logf("%d token requests for 5 pushes and one of 40,000 tokens in %s", n, time.Since(start).Round(time.Millisecond))
			assert.LessOrEqual(t, n, limit, "token requests during the outage")
			assert.GreaterOrEqual(t, n, per)
			assert.Empty(t, srv.Sends(), "nothing sent without a token")
			msg := res.Outcomes[len(res.Outcomes)-1].Err.Error()
			assert.Contains(t, msg, "503")

			// The back-off doubles with each failed fetch, and a slow run (the
			// race detector) may have made two: wait for it to pass, whatever
			// it grew to, asking no more often than a caller would.
			srv.ClearFaults()
			deadline := time.Now().Add(4 * auth.FailureBackoff)
			for {
				time.Sleep(auth.FailureBackoff / 4)
				res, err = p.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, v.token(1))
				require.NoError(t, err)
				if res.Outcomes[0].Err == nil || time.Now().After(deadline) {
					break
				}
			}
			assert.NoError(t, res.Outcomes[0].Err, "recovered once the back-off passed")
		})
	}
}

// TestUnsendableAccessTokenIsDropped: a token endpoint (or a proxy) that
// answers an access token with CR/LF, NUL or another byte that cannot go
// into a header or form value gets an ErrAuth naming the problem; the token
// is not cached for its lifetime (every Push failing for a day) and no send
// goes out with it. After the back-off the next fetch gets a good token.
func TestUnsendableAccessTokenIsDropped(t *testing.T) {
	bads := []string{"tok-abc\r\nX-Injected: 1", "tok-abc\x00def", "tok-abc\ndef", "tok-abc\x7fdef", "tok-é-abc"}
	for _, v := range outageVendors {
		t.Run(string(v.name), func(t *testing.T) {
			t.Parallel()
			type client struct {
				srv *pushtest.Server
				p   push.Pusher
			}
			var clients []client
			for _, bad := range bads {
				srv, p := outageClient(t, v)
				srv.Inject(pushtest.Fault{Path: v.authPath, Status: 200, ContentType: "application/json;charset=UTF-8", Body: v.issue(bad)})
				for i := range 3 {
					res, err := p.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, v.token(i))
					require.NoError(t, err)
					oerr := res.Outcomes[0].Err
					require.Error(t, oerr, "%q", bad)
					assert.ErrorIs(t, oerr, push.ErrAuth, "%q", bad)
					assert.NotErrorIs(t, oerr, push.ErrUnavailable, "%q", bad)
					assert.Contains(t, oerr.Error(), "cannot be sent", "%q", bad)
					assert.NotContains(t, oerr.Error(), "tok-abc", "the token itself is a secret")
				}
				assert.Equal(t, 1, srv.Count(v.authPath), "%q: one fetch, the failure is remembered for the back-off", bad)
				assert.Empty(t, srv.Sends(), "%q: never sent with the bad token", bad)
				clients = append(clients, client{srv, p})
			}

			time.Sleep(auth.FailureBackoff)
			for i, c := range clients {
				res, err := c.p.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, v.token(0))
				require.NoError(t, err)
				assert.NoError(t, res.Outcomes[0].Err, "%q: a good token is fetched after the back-off", bads[i])
				assert.Equal(t, 2, c.srv.Count(v.authPath))
			}
		})
	}
}

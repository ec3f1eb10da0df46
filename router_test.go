package push_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/secret/secrettest"
)

// fakePusher accepts tokens unless they start with "dead".
type fakePusher struct {
	vendor push.Vendor
	calls  atomic.Int64
	err    error
	mu     sync.Mutex
	got    []string
}

func (f *fakePusher) Vendor() push.Vendor { return f.vendor }

func (f *fakePusher) Push(ctx context.Context, info *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	f.calls.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	f.mu.Lock()
	f.got = append(f.got, tokens...)
	f.mu.Unlock()
	res := &push.Result{}
	for _, t := range tokens {
		o := push.Outcome{Token: t, MessageID: string(f.vendor) + ":" + t}
		if strings.HasPrefix(t, "dead") {
			o.Err = &push.VendorError{Vendor: f.vendor, Kind: push.ErrInvalidToken}
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	return res, nil
}

func TestRouterGroupsAndKeepsOrder(t *testing.T) {
	r := push.NewRouter()
	mi, hw := &fakePusher{vendor: push.Xiaomi}, &fakePusher{vendor: push.Huawei}
	r.Register("mi-prod", mi)
	r.Register("hw-prod", hw)
	devices := []push.Device{
		{"mi-prod", "m1"}, {"hw-prod", "h1"}, {"nope", "x1"}, {"mi-prod", "dead-m2"}, {"hw-prod", "h2"},
	}
	res, err := r.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, devices...)
	require.NoError(t, err)
	require.Len(t, res.Outcomes, 5)
	for i, o := range res.Outcomes {
		assert.Equal(t, devices[i], o.Device())
	}
	assert.EqualValues(t, 1, mi.calls.Load(), "one Push per certificate")
	assert.Equal(t, []string{"m1", "dead-m2"}, mi.got)
	assert.Equal(t, push.Huawei, res.Outcomes[1].Vendor)
	assert.Equal(t, "huawei:h1", res.Outcomes[1].MessageID)
	assert.ErrorIs(t, res.Outcomes[2].Err, push.ErrUnknownCertificate)
	assert.ErrorIs(t, res.Outcomes[2].Err, push.ErrConfig)
	assert.Contains(t, res.Outcomes[2].Err.Error(), `"nope"`)
	assert.Equal(t, map[string][]string{"mi-prod": {"dead-m2"}}, res.InvalidTokens())
	assert.Equal(t, 3, res.Delivered())
	assert.Len(t, res.Failed(), 2)
}

func TestRouterVendorRefusalIsPerDevice(t *testing.T) {
	r := push.NewRouter()
	r.Register("a", &fakePusher{vendor: push.Huawei, err: &push.FieldError{Kind: push.ErrInvalidMessage, Vendor: push.Huawei, Field: "Click.URL", Rule: "must use https"}})
	r.Register("b", &fakePusher{vendor: push.Xiaomi})
	res, err := r.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, push.Device{"a", "1"}, push.Device{"b", "2"})
	require.NoError(t, err)
	assert.ErrorIs(t, res.Outcomes[0].Err, push.ErrInvalidMessage)
	assert.NoError(t, res.Outcomes[1].Err)
}

func TestRouterRejectsBadMessageUpFront(t *testing.T) {
	r := push.NewRouter()
	p := &fakePusher{vendor: push.Xiaomi}
	r.Register("a", p)
	_, err := r.Push(context.Background(), &push.OfflinePushInfo{Title: "t"}, push.Device{"a", "1"})
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.Zero(t, p.calls.Load())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = r.Push(ctx, &push.OfflinePushInfo{Title: "t", Desc: "d"}, push.Device{"a", "1"})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRouterRegister(t *testing.T) {
	var r push.Router // the zero value works too
	r.Register("b", &fakePusher{vendor: push.FCM})
	r.Register("a", &fakePusher{vendor: push.APNs})
	assert.Equal(t, []string{"a", "b"}, r.Certificates())
	r.Register("a", nil)
	_, ok := r.Pusher("a")
	assert.False(t, ok)
	p, ok := r.Pusher("b")
	assert.True(t, ok)
	assert.Equal(t, push.FCM, p.Vendor())
}

func TestRouterManyCertificatesConcurrently(t *testing.T) {
	r := push.NewRouter(push.WithRouterConcurrency(3))
	var devices []push.Device
	for c := range 8 {
		r.Register(fmt.Sprint("cert-", c), &fakePusher{vendor: push.Vendors()[c]})
		for i := range 100 {
			devices = append(devices, push.Device{fmt.Sprint("cert-", c), fmt.Sprint("tok-", c, "-", i)})
		}
	}
	res, err := r.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, devices...)
	require.NoError(t, err)
	assert.Equal(t, 800, res.Delivered())
	for i, o := range res.Outcomes {
		assert.Equal(t, devices[i].Token, o.Token)
	}
	assert.False(t, errors.Is(res.Outcomes[0].Err, push.ErrInvalidToken))
}

// secretPusher holds a credential in an unexported field, as the vendor
// clients do.
type secretPusher struct {
	fakePusher
	appSecret string
}

// TestRouterFormatsNoSecret: a Router prints its certificates and vendors
// under every verb, never a client's fields (fmt used to print them under
// %s and %d, secrets included).
func TestRouterFormatsNoSecret(t *testing.T) {
	const appSecret = "router-app-secret-7c1e9d"
	r := push.NewRouter()
	r.Register("mi-prod", &secretPusher{fakePusher: fakePusher{vendor: push.Xiaomi}, appSecret: appSecret})
	r.Register("apns-prod", &fakePusher{vendor: push.APNs})
	assert.Equal(t, `push.Router{"apns-prod":apns "mi-prod":xiaomi}`, r.String())
	for verb, out := range secrettest.Render(r) {
		if form, ok := secrettest.Find(out, appSecret); ok {
			t.Errorf("%s shows the secret (%s)", verb, form)
		}
	}
	assert.Equal(t, r.String(), fmt.Sprintf("%v", r))
	assert.Equal(t, "push.Router(nil)", (*push.Router)(nil).String())
}

// gatePusher holds every Push until release closes (or its ctx ends), and
// counts the Pushes started.
type gatePusher struct {
	started *atomic.Int64
	release chan struct{}
}

func (g gatePusher) Vendor() push.Vendor { return push.OPPO }

func (g gatePusher) Push(ctx context.Context, _ *push.OfflinePushInfo, tokens ...string) (*push.Result, error) {
	g.started.Add(1)
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	res := &push.Result{}
	for _, t := range tokens {
		res.Outcomes = append(res.Outcomes, push.Outcome{Token: t})
	}
	return res, nil
}

// TestRouterConcurrencyOption: WithRouterConcurrency(n) lets exactly n
// certificates be pushed at once; n <= 0 keeps the default.
func TestRouterConcurrencyOption(t *testing.T) {
	cases := []struct {
		name string
		opts []push.RouterOption
		want int
	}{
		{"one", []push.RouterOption{push.WithRouterConcurrency(1)}, 1},
		{"three", []push.RouterOption{push.WithRouterConcurrency(3)}, 3},
		{"zero keeps the default", []push.RouterOption{push.WithRouterConcurrency(0)}, push.DefaultRouterConcurrency},
		{"negative keeps the default", []push.RouterOption{push.WithRouterConcurrency(-2)}, push.DefaultRouterConcurrency},
		{"no option", nil, push.DefaultRouterConcurrency},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var started atomic.Int64
			g := gatePusher{started: &started, release: make(chan struct{})}
			r := push.NewRouter(c.opts...)
			var devices []push.Device
			for i := range c.want + 4 {
				id := fmt.Sprint("cert-", i)
				r.Register(id, g)
				devices = append(devices, push.Device{CertificateID: id, Token: fmt.Sprint("tok-", i)})
			}
			done := make(chan *push.DeviceResult)
			go func() {
				res, err := r.Push(context.Background(), &push.OfflinePushInfo{Title: "t", Desc: "d"}, devices...)
				assert.NoError(t, err)
				done <- res
			}()
			require.Eventually(t, func() bool { return started.Load() == int64(c.want) }, 5*time.Second, time.Millisecond)
			time.Sleep(50 * time.Millisecond)
			assert.EqualValues(t, c.want, started.Load(), "no more certificates at once than the bound")
			close(g.release)
			res := <-done
			assert.Equal(t, len(devices), res.Delivered())
			assert.EqualValues(t, len(devices), started.Load())
		})
	}
}

// TestRouterSlotWaitEndsWithCtx: with every slot taken, a Push whose ctx
// ends returns as soon as the pushes in flight do; the certificates still
// waiting for a slot are not sent, each of their devices getting ctx's
// error (the Router used to wait for a slot and then send anyway).
func TestRouterSlotWaitEndsWithCtx(t *testing.T) {
	cases := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		end  bool // cancel once the first certificate is in flight
		want error
	}{
		{"cancelled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, true, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, false, context.DeadlineExceeded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var started atomic.Int64
			slow := gatePusher{started: &started, release: make(chan struct{})} // never released: holds the one slot
			waiting := &fakePusher{vendor: push.Vivo}
			r := push.NewRouter(push.WithRouterConcurrency(1))
			r.Register("slow", slow)
			r.Register("waiting", waiting)
			ctx, cancel := c.ctx()
			defer cancel()
			if c.end {
				go func() {
					for started.Load() == 0 {
						time.Sleep(time.Millisecond)
					}
					cancel()
				}()
			}
			devices := []push.Device{{"slow", "s1"}, {"waiting", "w1"}, {"slow", "s2"}, {"waiting", "w2"}}
			start := time.Now()
			res, err := r.Push(ctx, &push.OfflinePushInfo{Title: "t", Desc: "d"}, devices...)
			require.NoError(t, err, "the first certificate was attempted")
			assert.Less(t, time.Since(start), 2*time.Second, "returned promptly")
			assert.Zero(t, waiting.calls.Load(), "a certificate still waiting for a slot is not sent")
			require.Len(t, res.Outcomes, len(devices))
			for i, o := range res.Outcomes {
				assert.Equal(t, devices[i], o.Device())
				assert.ErrorIs(t, o.Err, c.want, o.Token)
			}
			assert.Equal(t, push.Vivo, res.Outcomes[1].Vendor, "the waiting device still names its vendor")
			assert.EqualValues(t, 1, started.Load())
		})
	}
}

// TestDeviceResultHelpersMatchResult: DeviceResult's helpers answer what
// Result's do for the same outcomes (they are one set of functions).
func TestDeviceResultHelpersMatchResult(t *testing.T) {
	outcomes := []push.Outcome{
		{Token: "a", MessageID: "m-a"},
		{Token: "b", Err: &push.VendorError{Kind: push.ErrInvalidToken}},
		{Token: "c", Err: &push.VendorError{Kind: push.ErrUnavailable}},
		{Token: "d", Err: &push.VendorError{Kind: push.ErrQuota}},
		{Token: "e", Err: &push.VendorError{Kind: push.ErrInvalidToken}},
	}
	cases := []struct {
		name     string
		outcomes []push.Outcome
	}{
		{"mixed", outcomes},
		{"all delivered", outcomes[:1]},
		{"none", nil},
	}
	tokens := func(os []push.DeviceOutcome) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Token)
		}
		return out
	}
	plain := func(os []push.Outcome) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Token)
		}
		return out
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &push.Result{Outcomes: c.outcomes}
			dr := &push.DeviceResult{}
			for _, o := range c.outcomes {
				dr.Outcomes = append(dr.Outcomes, push.DeviceOutcome{Outcome: o, CertificateID: "cert", Vendor: push.Honor})
			}
			assert.Equal(t, r.Delivered(), dr.Delivered())
			assert.Equal(t, plain(r.Failed()), tokens(dr.Failed()))
			assert.Equal(t, plain(r.Retryable()), tokens(dr.Retryable()))
			assert.Equal(t, r.Err(), dr.Err())
			want := map[string][]string{}
			if inv := r.InvalidTokens(); inv != nil {
				want["cert"] = inv
			}
			assert.Equal(t, want, dr.InvalidTokens())
		})
	}
}

package push_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

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
		assert.Equal(t, devices[i], o.Device)
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
	r := push.NewRouter()
	r.Concurrency = 3
	var devices []push.Device
	for c := range 8 {
		r.Register(fmt.Sprint("cert-", c), &fakePusher{vendor: push.Vendors[c]})
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

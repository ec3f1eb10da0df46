package client

import (
	"fmt"
	"testing"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/batch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBaseNamesWithoutSecrets(t *testing.T) {
	type vendorClient struct {
		Base
		secret string
	}
	c := &vendorClient{Base: Named("huawei", "huawei.Client{104536617}"), secret: "app-secret-value"}
	assert.Equal(t, "huawei", string(c.Vendor()))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
		got := fmt.Sprintf(verb, c)
		assert.NotContains(t, got, "app-secret-value", verb)
	}
	assert.Equal(t, "huawei.Client{104536617}", fmt.Sprint(c))
}

func TestTransportAndPlan(t *testing.T) {
	o, hc, err := Transport("huawei", []push.Option{push.WithConcurrency(3), push.WithMisconfigGuard(4)}, 16, "app-secret-value")
	require.NoError(t, err)
	assert.Equal(t, 3, hc.Concurrency(), "the option wins over the vendor's default")
	k := Kit{Opts: o, HTTP: hc, Guard: batch.NewGuard("huawei", o.MisconfigGuard, "the app id")}
	noComma := func(string) error { return nil }
	p := k.Plan("huawei", 1000, noComma)
	assert.Equal(t, push.Vendor("huawei"), p.Vendor)
	assert.Equal(t, 1000, p.Size)
	assert.Equal(t, 3, p.Parallel)
	assert.Same(t, k.Guard, p.Guard)
	assert.NotNil(t, p.Check)

	_, _, err = Transport("huawei", []push.Option{push.WithEndpoint("::not a url")}, 16)
	assert.ErrorIs(t, err, push.ErrConfig)
}

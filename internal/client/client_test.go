package client

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
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

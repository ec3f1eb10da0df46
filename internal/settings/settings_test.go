package settings_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
)

func TestNew(t *testing.T) {
	o := settings.New[push.Option]()
	assert.Equal(t, settings.Retry(push.DefaultRetry()), o.Retry)
	assert.Equal(t, push.DefaultTimeout, o.Timeout)
	assert.Equal(t, push.DefaultMisconfigGuard, o.MisconfigGuard)
	o = settings.New(push.WithRetry(push.NoRetry()), push.WithTimeout(-1), push.WithConcurrency(3), push.WithEndpoint("http://x"),
		push.WithStrictLength(), push.WithDefaultTitle("App"), push.WithMisconfigGuard(0), nil)
	assert.Zero(t, o.Retry.MaxRetries)
	assert.Equal(t, push.DefaultTimeout, o.Timeout, "a non-positive timeout keeps the default")
	assert.Equal(t, 3, o.Concurrency)
	assert.Equal(t, "http://x", o.Endpoint)
	assert.True(t, o.StrictLength)
	assert.Equal(t, "App", o.DefaultTitle)
	assert.Zero(t, o.MisconfigGuard)
}

// TestRetryIsRetryPolicy: push.WithRetry converts a push.RetryPolicy into a
// settings.Retry, which Go allows only while the two have the same fields
// in the same order; a field added to one must be added to the other.
func TestRetryIsRetryPolicy(t *testing.T) {
	a, b := reflect.TypeFor[push.RetryPolicy](), reflect.TypeFor[settings.Retry]()
	assert.True(t, a.ConvertibleTo(b))
	var fields []string
	for i := range a.NumField() {
		fields = append(fields, a.Field(i).Name)
	}
	assert.Equal(t, a.NumField(), b.NumField(), "%v", fields)
}

// A push.TokenStore is a settings.TokenStore: same methods.
var _ settings.TokenStore = push.TokenStore(nil)

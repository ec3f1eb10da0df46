package push_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
)

func TestValidate(t *testing.T) {
	ok := push.OfflinePushInfo{Title: "t", Desc: "d"}
	tests := []struct {
		name  string
		edit  func(m *push.OfflinePushInfo)
		field string // "" = valid
	}{
		{"minimal", func(m *push.OfflinePushInfo) {}, ""},
		{"empty desc", func(m *push.OfflinePushInfo) { m.Desc = "" }, "Desc must not be empty"},
		{"blank desc", func(m *push.OfflinePushInfo) { m.Desc = " \n" }, "Desc must not be empty"},
		{"bad utf8 title", func(m *push.OfflinePushInfo) { m.Title = "\xff" }, "Title must be valid UTF-8"},
		{"bad utf8 ext", func(m *push.OfflinePushInfo) { m.Ext = "\xc3" }, "Ext must be valid UTF-8"},
		{"control char in collapse id", func(m *push.OfflinePushInfo) { m.CollapseID = "a\x7fb" }, "CollapseID must not contain control characters"},
		{"newline in sound", func(m *push.OfflinePushInfo) { m.IOSSound = "a\nb" }, "IOSSound must not contain control characters"},
		{"negative ttl", func(m *push.OfflinePushInfo) { m.TTL = -time.Second }, "TTL must not be negative"},
		{"negative badge", func(m *push.OfflinePushInfo) { m.Badge = -1 }, "Badge must not be negative"},
		{"url ok", func(m *push.OfflinePushInfo) {
			m.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/x"}
		}, ""},
		{"url not http", func(m *push.OfflinePushInfo) {
			m.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://example.com"}
		}, "Click.URL must use the http or https scheme"},
		{"url relative", func(m *push.OfflinePushInfo) { m.Click = push.ClickAction{Kind: push.ClickOpenURL, URL: "/x"} }, "Click.URL must be an absolute"},
		{"page needs something", func(m *push.OfflinePushInfo) { m.Click = push.ClickAction{Kind: push.ClickOpenPage} }, "Click open-page needs Intent or Activity"},
		{"page intent ok", func(m *push.OfflinePushInfo) {
			m.Click = push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.a/.B;end"}
		}, ""},
		{"page bad intent", func(m *push.OfflinePushInfo) {
			m.Click = push.ClickAction{Kind: push.ClickOpenPage, Intent: "com.a/.B"}
		}, "Click.Intent must be an Android intent URI"},
		{"page bad activity", func(m *push.OfflinePushInfo) {
			m.Click = push.ClickAction{Kind: push.ClickOpenPage, Activity: "Chat"}
		}, "Click.Activity must be a full Activity class name"},
		{"unknown kind", func(m *push.OfflinePushInfo) { m.Click = push.ClickAction{Kind: 9} }, "Click.Kind must be one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.edit(&m)
			err := m.Validate()
			if tt.field == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, push.ErrInvalidMessage)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
	var nilInfo *push.OfflinePushInfo
	assert.ErrorIs(t, nilInfo.Validate(), push.ErrInvalidMessage)
}

func TestVendorError(t *testing.T) {
	e := &push.VendorError{Vendor: push.Huawei, HTTPStatus: 200, Code: "80300007", Message: "all tokens invalid", Kind: push.ErrInvalidToken}
	assert.True(t, errors.Is(e, push.ErrInvalidToken))
	assert.False(t, errors.Is(e, push.ErrAuth))
	assert.Equal(t, "huawei: invalid device token (HTTP 200, code 80300007): all tokens invalid", e.Error())

	wrapped := fmt.Errorf("sending: %w", &push.VendorError{Vendor: push.FCM, HTTPStatus: 429, RetryAfter: 3 * time.Second, Kind: push.ErrRateLimited})
	var ve *push.VendorError
	assert.True(t, errors.As(wrapped, &ve))
	assert.Equal(t, 3*time.Second, ve.RetryAfter)
	assert.True(t, push.IsRetryable(wrapped))

	cause := errors.New("connection reset")
	e2 := &push.VendorError{Vendor: push.Meizu, Cause: cause, PossiblyDelivered: true}
	assert.True(t, errors.Is(e2, push.ErrUnavailable), "no Kind means unavailable")
	assert.True(t, errors.Is(e2, cause))
	assert.Contains(t, e2.Error(), "possibly delivered")
}

func TestIsRetryable(t *testing.T) {
	assert.False(t, push.IsRetryable(nil))
	assert.False(t, push.IsRetryable(context.Canceled))
	assert.True(t, push.IsRetryable(context.DeadlineExceeded))
	for _, k := range []error{push.ErrRateLimited, push.ErrUnavailable} {
		assert.True(t, push.IsRetryable(&push.VendorError{Kind: k}))
	}
	for _, k := range []error{push.ErrInvalidToken, push.ErrInvalidMessage, push.ErrAuth, push.ErrQuota} {
		assert.False(t, push.IsRetryable(&push.VendorError{Kind: k}))
	}
}

func TestResultHelpers(t *testing.T) {
	r := &push.Result{Outcomes: []push.Outcome{
		{Token: "a"},
		{Token: "b", Err: &push.VendorError{Kind: push.ErrInvalidToken}},
		{Token: "c", Err: &push.VendorError{Kind: push.ErrUnavailable}},
		{Token: "d", Err: &push.VendorError{Kind: push.ErrQuota}},
	}}
	assert.Equal(t, 1, r.Delivered())
	assert.Equal(t, []string{"b"}, r.InvalidTokens())
	assert.Len(t, r.Failed(), 3)
	assert.Equal(t, "c", r.Retryable()[0].Token)
	assert.Len(t, r.Retryable(), 1)
	assert.ErrorIs(t, r.Err(), push.ErrInvalidToken)
	assert.True(t, r.Outcomes[0].OK())
}

func TestFieldError(t *testing.T) {
	err := error(&push.FieldError{Kind: push.ErrConfig, Vendor: push.OPPO, Field: "ChannelID", Rule: "is required"})
	assert.ErrorIs(t, err, push.ErrConfig)
	assert.Equal(t, "oppo: invalid config: ChannelID is required", err.Error())
	err = push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x"}.Validate()
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.Equal(t, "push: invalid message: Click.URL must use the http or https scheme", err.Error())
	var fe *push.FieldError
	assert.True(t, errors.As(err, &fe))
	assert.Equal(t, "Click.URL", fe.Field)
}

func TestClickKindString(t *testing.T) {
	assert.Equal(t, "open-url", push.ClickOpenURL.String())
	assert.True(t, strings.HasPrefix(push.ClickKind(42).String(), "ClickKind("))
}

// TestVendorsIsACopy: changing the list a caller got changes no one
// else's (it used to be an exported slice every caller shared).
func TestVendorsIsACopy(t *testing.T) {
	got := push.Vendors()
	require.Len(t, got, 9)
	assert.Equal(t, push.Xiaomi, got[0])
	got[0] = "changed"
	assert.Equal(t, push.Xiaomi, push.Vendors()[0])
}

package reject

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offlinepush/push"
)

func TestFieldErrors(t *testing.T) {
	err := Config(push.OPPO, "ChannelID", "is required")
	assert.ErrorIs(t, err, push.ErrConfig)
	assert.Equal(t, "oppo: invalid config: ChannelID is required", err.Error())
	err = AsConfig(push.Xiaomi, push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x"}.Validate())
	assert.ErrorIs(t, err, push.ErrConfig)
	assert.Equal(t, "xiaomi: invalid config: Click.URL must use the http or https scheme", err.Error())
	assert.Nil(t, AsConfig(push.Xiaomi, nil))
	err = Message(push.Huawei, "Click.URL", "must use https")
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	var fe *push.FieldError
	assert.True(t, errors.As(err, &fe))
	assert.Equal(t, "Click.URL", fe.Field)
}

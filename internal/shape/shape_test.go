package shape

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/payload"
)

func TestTexts(t *testing.T) {
	lim := Limits{Title: 3, Desc: 4, Unit: payload.Runes}
	title, desc, err := Texts(push.Vivo, &push.OfflinePushInfo{Title: "  你好世界 ", Desc: "\tabcdef"}, lim, false)
	require.NoError(t, err)
	assert.Equal(t, "你好世", title)
	assert.Equal(t, "abcd", desc)

	_, _, err = Texts(push.Vivo, &push.OfflinePushInfo{Title: strings.Repeat(" ", 60) + "x", Desc: "y"}, lim, false)
	require.NoError(t, err, "padding is trimmed before the cut, not kept instead of the text")

	_, _, err = Texts(push.Vivo, &push.OfflinePushInfo{Title: "   ", Desc: "d"}, lim, false)
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.EqualError(t, err, "vivo: invalid message: Title must not be empty (vivo requires a title)")

	_, _, err = Texts(push.Vivo, &push.OfflinePushInfo{Title: "abcd", Desc: "d"}, lim, true)
	assert.EqualError(t, err, "vivo: invalid message: Title is too long: 4 characters, the limit is 3")

	_, _, err = Texts(push.Vivo, &push.OfflinePushInfo{Title: "t"}, lim, false)
	assert.ErrorContains(t, err, "Desc must not be empty")
}

package shape

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/settings"
)

func TestTexts(t *testing.T) {
	lim := Limits{Title: 3, Desc: 4, Unit: payload.Runes}
	loose, strict := settings.Settings{}, settings.Settings{StrictLength: true}
	title, desc, err := Texts(push.Vivo, &push.OfflinePushInfo{Title: "  你好世界 ", Desc: "\tabcdef"}, lim, loose)
	require.NoError(t, err)
	assert.Equal(t, "你好…", title)
	assert.Equal(t, "abc…", desc)

	_, _, err = Texts(push.Vivo, &push.OfflinePushInfo{Title: strings.Repeat(" ", 60) + "x", Desc: "y"}, lim, loose)
	require.NoError(t, err, "padding is trimmed before the cut, not kept instead of the text")

	_, _, err = Texts(push.Vivo, &push.OfflinePushInfo{Title: "abcd", Desc: "d"}, lim, strict)
	assert.EqualError(t, err, "vivo: invalid message: Title is too long: 4 characters, the limit is 3")

	_, _, err = Texts(push.Vivo, &push.OfflinePushInfo{Title: "t"}, lim, loose)
	assert.ErrorContains(t, err, "Desc must not be empty")
}

func TestTextsTitleFallback(t *testing.T) {
	lim := Limits{Title: 6, Desc: 40, Unit: payload.Runes}
	for _, tt := range []struct {
		name, title, def, want string
	}{
		{"own title", "Alice", "MyChat", "Alice"},
		{"blank title: the client's default", " \t", "MyChat", "MyChat"},
		{"no default: the Desc, fitted", "", "", "See y…"},
		{"blank default: the Desc", "", "  ", "See y…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			title, desc, err := Texts(push.Vivo, &push.OfflinePushInfo{Title: tt.title, Desc: "See you at 8?"}, lim, settings.Settings{DefaultTitle: tt.def})
			require.NoError(t, err)
			assert.Equal(t, tt.want, title)
			assert.Equal(t, "See you at 8?", desc)
		})
	}
}

func TestBody(t *testing.T) {
	ext := strings.Repeat("e", 100)
	size := func(title, desc *string) func() int {
		return func() int { return len(*title) + len(*desc) + len(ext) + 20 } // 20: keys and quotes
	}
	for _, tt := range []struct {
		name        string
		title, desc string
		limit       int
		wantTitle   string
		wantDesc    string
	}{
		{"fits: untouched", "Alice", "hi", 200, "Alice", "hi"},
		{"Desc cut first", "Alice", strings.Repeat("好", 100), 200, "Alice", strings.Repeat("好", 24) + "…"}, // exactly 200 bytes
		{"then Title", strings.Repeat("t", 60), strings.Repeat("d", 60), 140, strings.Repeat("t", 13) + "…", "d…"},
		{"emoji kept whole", "A", strings.Repeat("😀", 40), 150, "A", strings.Repeat("😀", 6) + "…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			title, desc := tt.title, tt.desc
			err := Body(push.Huawei, tt.limit, "the body", false, &title, &desc, size(&title, &desc))
			require.NoError(t, err)
			assert.Equal(t, tt.wantTitle, title)
			assert.Equal(t, tt.wantDesc, desc)
			assert.LessOrEqual(t, size(&title, &desc)(), tt.limit)
			assert.True(t, utf8.ValidString(title) && utf8.ValidString(desc))
		})
	}
	t.Run("escapes counted: fills the limit exactly", func(t *testing.T) {
		// A JSON-like size where a quote costs two bytes.
		title, desc := "T", strings.Repeat(`a"`, 100)
		size := func() int { return len(title) + len(desc) + strings.Count(desc, `"`) }
		require.NoError(t, Body(push.Huawei, 100, "the body", false, &title, &desc, size))
		assert.Contains(t, []int{99, 100}, size(), "within one escaped character of the limit")
		assert.True(t, strings.HasSuffix(desc, "…"))
	})
	t.Run("strict refuses", func(t *testing.T) {
		title, desc := "Alice", strings.Repeat("d", 200)
		err := Body(push.Huawei, 200, "the body", true, &title, &desc, size(&title, &desc))
		assert.ErrorIs(t, err, push.ErrInvalidMessage)
		assert.EqualError(t, err, "huawei: invalid message: Title+Desc+Ext make the body 325 bytes; huawei allows 200")
	})
	t.Run("Ext alone too big names Ext", func(t *testing.T) {
		title, desc := "Alice", "hello"
		err := Body(push.Huawei, 110, "the body", false, &title, &desc, size(&title, &desc))
		assert.ErrorIs(t, err, push.ErrInvalidMessage)
		assert.ErrorContains(t, err, "invalid message: Ext leaves no room")
	})
}

func TestClick(t *testing.T) {
	def := push.ClickAction{Kind: push.ClickOpenURL, URL: "https://x"}
	assert.Equal(t, def, Click(push.ClickAction{}, def))
	assert.Equal(t, push.ClickAction{Kind: push.ClickOpenApp}, Click(push.ClickAction{}, push.ClickAction{}))
	own := push.ClickAction{Kind: push.ClickOpenApp}
	assert.Equal(t, own, Click(own, def))
}

func TestPageActivity(t *testing.T) {
	a, err := PageActivity(push.OPPO, push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.a/.Chat;end"})
	assert.NoError(t, err)
	assert.Equal(t, "com.a.Chat", a)
	a, _ = PageActivity(push.OPPO, push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.b.Main", Intent: "intent:#Intent;component=com.a/.Chat;end"})
	assert.Equal(t, "com.b.Main", a)
	_, err = PageActivity(push.OPPO, push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;action=x;end"})
	assert.ErrorIs(t, err, push.ErrInvalidMessage)
	assert.ErrorContains(t, err, "oppo: invalid message: Click.Intent")
}

func TestTTL(t *testing.T) {
	const max = 10 * 24 * time.Hour
	for _, tc := range []struct {
		name          string
		msg, def, out time.Duration
	}{
		{"neither set", 0, 0, 0},
		{"default", 0, time.Minute, time.Minute},
		{"own over default", time.Second, time.Minute, time.Second},
		{"capped", 30 * 24 * time.Hour, 0, max},
		{"default capped", 0, 11 * 24 * time.Hour, max},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.out, TTL(tc.msg, tc.def, max))
		})
	}
}

func TestSeconds(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want int64
	}{
		{0, 0}, {time.Nanosecond, 1}, {time.Second, 1}, {time.Second + time.Millisecond, 2}, {time.Hour, 3600},
	} {
		t.Run(tc.in.String(), func(t *testing.T) {
			assert.Equal(t, tc.want, Seconds(tc.in))
		})
	}
}

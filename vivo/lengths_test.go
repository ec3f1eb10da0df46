package vivo

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offlinepush/push"
)

// sentText pushes in to one regId through the fake (which refuses what
// vivo refuses) and returns the title and content that went on the wire.
func sentText(t *testing.T, in *push.OfflinePushInfo, opts ...push.Option) (title, content string) {
	t.Helper()
	c, srv := newTest(t, Config{}, opts...)
	res := mustPush(t, c, in, "12345678901234567890123")
	require.NoError(t, res.Outcomes[0].Err)
	var m message
	require.NoError(t, json.Unmarshal(bodyOf(t, srv, SendPath, 0), &m))
	return m.Title, m.Content
}

// TestTextLengths (issue 12, finding 8): a title or content over vivo's
// limit is shortened at a character boundary and ends with "…" (it used to
// be cut silently). vivo counts 40 and 100 characters; its official Java
// SDK counts them with String.length(), so an emoji (two UTF-16 units)
// counts two here: a text cut so is within both of vivo's rules.
func TestTextLengths(t *testing.T) {
	mixed := "ab消😀" // 5 UTF-16 units
	tests := []struct {
		name        string
		title, desc string
		wantTitle   string
		wantDesc    string
	}{
		{"CJK at the limits", strings.Repeat("消", 40), strings.Repeat("字", 100), strings.Repeat("消", 40), strings.Repeat("字", 100)},
		{"CJK one over", strings.Repeat("消", 41), strings.Repeat("字", 101), strings.Repeat("消", 39) + "…", strings.Repeat("字", 99) + "…"},
		{"emoji at the limits", strings.Repeat("😀", 20), strings.Repeat("😀", 50), strings.Repeat("😀", 20), strings.Repeat("😀", 50)},
		{"emoji one over", strings.Repeat("😀", 21), strings.Repeat("😀", 51), strings.Repeat("😀", 19) + "…", strings.Repeat("😀", 49) + "…"},
		{"mixed at the limits", strings.Repeat(mixed, 8), strings.Repeat(mixed, 20), strings.Repeat(mixed, 8), strings.Repeat(mixed, 20)},
		{"mixed one over", strings.Repeat(mixed, 8) + "x", strings.Repeat(mixed, 20) + "!",
			strings.Repeat(mixed, 7) + "ab消…", strings.Repeat(mixed, 19) + "ab消…"},
		{"1400 CJK characters", "新消息", strings.Repeat("长", 1400), "新消息", strings.Repeat("长", 99) + "…"},
		{"cut before a space", strings.Repeat("a", 38) + "  b c", "d", strings.Repeat("a", 38) + "…", "d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := info()
			in.Title, in.Desc = tc.title, tc.desc
			title, content := sentText(t, in)
			assert.Equal(t, tc.wantTitle, title)
			assert.Equal(t, tc.wantDesc, content)
		})
	}
}

// TestStrictLength: WithStrictLength refuses, before any request, what
// would be cut, naming the field; Ext is never cut.
func TestStrictLength(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*push.OfflinePushInfo)
		strict bool
		field  string
	}{
		{"title 41 CJK", func(i *push.OfflinePushInfo) { i.Title = strings.Repeat("消", 41) }, true, "Title"},
		{"title 21 emoji", func(i *push.OfflinePushInfo) { i.Title = strings.Repeat("😀", 21) }, true, "Title"},
		{"desc 51 emoji", func(i *push.OfflinePushInfo) { i.Desc = strings.Repeat("😀", 51) }, true, "Desc"},
		{"desc 101 mixed", func(i *push.OfflinePushInfo) { i.Desc = strings.Repeat("ab消😀", 20) + "!" }, true, "Desc"},
		{"ext over clientCustomMap", func(i *push.OfflinePushInfo) { i.Ext = strings.Repeat("消", MaxCustom-2) }, false, "Ext"},
		{"ext over, strict", func(i *push.OfflinePushInfo) { i.Ext = strings.Repeat("x", MaxCustom) }, true, "Ext"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []push.Option
			if tc.strict {
				opts = append(opts, push.WithStrictLength())
			}
			c, srv := newTest(t, Config{}, opts...)
			in := info()
			tc.edit(in)
			res, err := c.Push(context.Background(), in, "a", "b")
			assert.Nil(t, res)
			require.ErrorIs(t, err, push.ErrInvalidMessage)
			var fe *push.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.Empty(t, srv.Records(), "refused before any request")
		})
	}

	// Ext at its limit, with CJK, goes out whole.
	in := info()
	in.Ext = strings.Repeat("消", MaxCustom-3)
	c, srv := newTest(t, Config{})
	res := mustPush(t, c, in, "a")
	require.NoError(t, res.Outcomes[0].Err)
	var m message
	require.NoError(t, json.Unmarshal(bodyOf(t, srv, SendPath, 0), &m))
	assert.Equal(t, in.Ext, m.ClientCustomMap["ext"])
}

// TestEmptyTitle (issue 12, finding 9): vivo requires a title, and a
// message without one used to be refused. It now takes the client's
// default title, else the message's Desc (cut to the title's limit).
func TestEmptyTitle(t *testing.T) {
	t.Run("with WithDefaultTitle", func(t *testing.T) {
		in := info()
		in.Title = "  "
		title, content := sentText(t, in, push.WithDefaultTitle("Chat App"))
		assert.Equal(t, "Chat App", title)
		assert.Equal(t, "Body", content)
	})
	t.Run("without a default: the Desc", func(t *testing.T) {
		in := info()
		in.Title, in.Desc = "", "Alice: are you coming tonight? The table is booked for eight."
		title, content := sentText(t, in)
		assert.Equal(t, "Alice: are you coming tonight? The tabl…", title)
		assert.Equal(t, in.Desc, content)
	})
	t.Run("a list, without a default", func(t *testing.T) {
		c, srv := newTest(t, Config{})
		in := info()
		in.Title = ""
		res := mustPush(t, c, in, "a", "b")
		assert.Equal(t, 2, res.Delivered(), "%v", res.Err())
		var m message
		require.NoError(t, json.Unmarshal(bodyOf(t, srv, SaveListPath, 0), &m))
		assert.Equal(t, "Body", m.Title)
	})
}

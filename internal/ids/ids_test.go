package ids

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKey(t *testing.T) {
	assert.Equal(t, Key("msg-1", 20), Key("msg-1", 20), "same id, same key")
	assert.NotEqual(t, Key("msg-1", 20), Key("msg-2", 20))
	assert.Len(t, Key("", 32), 32)
	assert.NotEqual(t, Key("", 32), Key("", 32), "no id, fresh key")
	assert.Regexp(t, `^[0-9a-f]{64}$`, Key("x", 64))
}

func TestNotifyID(t *testing.T) {
	assert.Equal(t, NotifyID("chat-1"), NotifyID("chat-1"))
	seen := map[int32]bool{}
	for range 1000 {
		n := NotifyID("")
		assert.Positive(t, n)
		seen[n] = true
	}
	assert.Greater(t, len(seen), 990, "random ids rarely collide")
}

func TestListKey(t *testing.T) {
	long := make([]string, 1000)
	for i := range long {
		long[i] = strings.Repeat(string(rune('a'+i%26)), i%97)
	}
	for _, items := range [][]string{nil, {""}, {"a"}, {"a", "b"}, {"tok1", "", "tok3"}, {strings.Repeat("x", 9000), "y"}, long} {
		assert.Equal(t, Key("p\x00"+strings.Join(items, "\x00"), 32), ListKey("p\x00", items, 32), "%q", items)
	}
}

func BenchmarkListKey(b *testing.B) {
	items := make([]string, 1000)
	for i := range items {
		items[i] = strings.Repeat("7", 23)
	}
	b.ReportAllocs()
	for b.Loop() {
		ListKey("base\x00vivo\x00list\x00", items, 32)
	}
}

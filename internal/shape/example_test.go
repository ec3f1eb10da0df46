package shape_test

import (
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/payload"
	"github.com/offlinepush/push/internal/settings"
	"github.com/offlinepush/push/internal/shape"
)

// Texts trims and fits title and body: cut on a character boundary and
// ended with "…", or refused when strict.
func ExampleTexts() {
	lim := shape.Limits{Title: 4, Desc: 12, Unit: payload.Runes}
	info := &push.OfflinePushInfo{Title: "  你好，世界！ ", Desc: "See you at 8 tonight?"}

	title, desc, err := shape.Texts(push.Xiaomi, info, lim, settings.Settings{})
	fmt.Printf("%q %q %v\n", title, desc, err)

	_, _, err = shape.Texts(push.Xiaomi, info, lim, settings.Settings{StrictLength: true})
	fmt.Println(err)
	// Output:
	// "你好，…" "See you at…" <nil>
	// xiaomi: invalid message: Title is too long: 6 characters, the limit is 4
}

// A blank title is replaced by the client's default title (the app's name),
// or by the Desc when there is none: a chat message is never refused for it.
func ExampleTexts_blankTitle() {
	lim := shape.Limits{Title: 32, Desc: 100, Unit: payload.UTF16}
	info := &push.OfflinePushInfo{Title: " \t", Desc: "See you at 8?"}
	title, _, _ := shape.Texts(push.OPPO, info, lim, settings.Settings{DefaultTitle: "MyChat"})
	fmt.Println(title)
	title, _, _ = shape.Texts(push.OPPO, info, lim, settings.Settings{})
	fmt.Println(title)
	// Output:
	// MyChat
	// See you at 8?
}

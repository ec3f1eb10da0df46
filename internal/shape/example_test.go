package shape_test

import (
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/shape"
	"github.com/offlinepush/push/payload"
)

// Texts trims and fits title and body: cut on a character boundary, or refused when strict.
func ExampleTexts() {
	lim := shape.Limits{Title: 4, Desc: 12, Unit: payload.Runes}
	info := &push.OfflinePushInfo{Title: "  你好，世界！ ", Desc: "See you at 8 tonight?"}

	title, desc, err := shape.Texts(push.Xiaomi, info, lim, false)
	fmt.Printf("%q %q %v\n", title, desc, err)

	_, _, err = shape.Texts(push.Xiaomi, info, lim, true)
	fmt.Println(err)
	// Output:
	// "你好，世" "See you at 8" <nil>
	// xiaomi: invalid message: Title is too long: 6 characters, the limit is 4
}

// A blank title is refused before any request is made, naming the field.
func ExampleTexts_blankTitle() {
	lim := shape.Limits{Title: 32, Desc: 100, Unit: payload.UTF16}
	_, _, err := shape.Texts(push.OPPO, &push.OfflinePushInfo{Title: " \t", Desc: "See you at 8?"}, lim, false)
	fmt.Println(err)
	// Output: oppo: invalid message: Title must not be empty (oppo requires a title)
}

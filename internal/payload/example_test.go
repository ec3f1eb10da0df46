package payload_test

import (
	"fmt"

	"github.com/offlinepush/push/internal/payload"
)

func ExampleTruncate() {
	// Never splits a character, whatever the unit.
	fmt.Println(payload.Truncate("你好世界", 2, payload.Runes))
	fmt.Println(payload.Truncate("你好世界", 7, payload.Bytes))
	fmt.Println(payload.Truncate("a😀b", 2, payload.UTF16)) // Java counts the emoji as 2
	// Output:
	// 你好
	// 你好
	// a
}

func ExampleFit() {
	_, err := payload.Fit("a very long title", 5, payload.Runes, true)
	fmt.Println(err)
	// Output: is too long: 17 characters, the limit is 5
}

func ExampleExtJSON() {
	fmt.Println(payload.ExtJSON(`{"chat":"alice"}`))
	// Output: {"ext":"{\"chat\":\"alice\"}"}
}

func ExampleActivityFromIntent() {
	a, _ := payload.ActivityFromIntent("intent:#Intent;component=com.example.chat/.ChatActivity;end")
	fmt.Println(a)
	// Output: com.example.chat.ChatActivity
}

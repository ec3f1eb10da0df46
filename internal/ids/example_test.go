package ids_test

import (
	"fmt"
	"strings"

	"github.com/offlinepush/push/internal/ids"
)

// Key gives a resend of the same message ID the same dedup key (no ID: a random one each time).
func ExampleKey() {
	a, b := ids.Key("msg-1", 20), ids.Key("msg-1", 20)
	fmt.Println(a, a == b, a == ids.Key("msg-2", 20))
	fmt.Println(ids.Key("", 20) == ids.Key("", 20))
	// Output:
	// 3a0de37932e8b19746f2 true false
	// false
}

// ListKey keys a message with its token list (vivo's requestId) without building the joined string.
func ExampleListKey() {
	tokens := []string{"regid-1", "regid-2", "regid-3"}
	prefix := "msg-1\x00vivo\x00"
	fmt.Println(ids.ListKey(prefix, tokens, 32) == ids.Key(prefix+strings.Join(tokens, "\x00"), 32))
	// Output: true
}

// NotifyID puts messages with the same CollapseID in the same notification slot, newest on top.
func ExampleNotifyID() {
	fmt.Println(ids.NotifyID("c2c_alice") == ids.NotifyID("c2c_alice"), ids.NotifyID("c2c_alice") > 0)
	// Output: true true
}

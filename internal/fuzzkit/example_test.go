package fuzzkit_test

import (
	"fmt"
	"math"

	"github.com/offlinepush/push/internal/fuzzkit"
	"github.com/offlinepush/push/internal/transport"
)

// Tokens turns one fuzz string into the 1..5 distinct, non-empty tokens batch.Run hands a decoder.
func ExampleTokens() {
	fmt.Println(fuzzkit.Tokens("a\nb\na\n\nc"))
	fmt.Println(fuzzkit.Tokens(""))
	// Output:
	// [a b c]
	// [tok-0]
}

// Response turns any fuzzed int into a status a server could send (100..999).
func ExampleResponse() {
	for _, status := range []int{200, -429, 1503, 7} {
		r := fuzzkit.Response(status, "2", []byte(`{}`))
		fmt.Println(r.Status, transport.RetryAfter(r.Header))
	}
	// Output:
	// 200 2s
	// 429 2s
	// 503 2s
	// 107 2s
}

// Info builds a mapping fuzz target's message; a TTL that would overflow stays arbitrary, in nanoseconds.
func ExampleInfo() {
	info := fuzzkit.Info("Alice", "See you at 8?", "", "", 0, "", "", "", 3600, 1, "c2c_alice", "msg-1")
	fmt.Println(info.Title, info.TTL, info.CollapseID, info.Validate())
	huge := fuzzkit.Info("t", "d", "", "", 0, "", "", "", math.MaxInt64, 0, "", "")
	fmt.Println(int64(huge.TTL) == math.MaxInt64)
	// Output:
	// Alice 1h0m0s c2c_alice <nil>
	// true
}

package golden_test

import (
	"encoding/json"
	"testing"

	"github.com/offlinepush/push/internal/golden"
)

// Assert pins what a test built (a request body) to testdata/<name>; `go test -update` rewrites it.
func ExampleAssert() {
	// Assert needs the test's *testing.T, so this example is compiled, not run.
	// JSON is stored indented, so a changed mapping shows as a readable diff.
	testPushBody := func(t *testing.T) {
		body, err := json.Marshal(map[string]string{"title": "Alice", "description": "See you at 8?"})
		if err != nil {
			t.Fatal(err)
		}
		golden.Assert(t, "push_body.json", body) // compares with testdata/push_body.json
	}
	_ = testPushBody // in a _test.go file: func TestPushBody(t *testing.T) { … }
}

package lenient_test

import (
	"encoding/json"
	"fmt"

	"github.com/offlinepush/push/internal/lenient"
)

// OPPO's docs type a batch item's errorCode as a number, its Java SDK as a
// string: both read the same.
func ExampleText() {
	var items []struct {
		ErrorCode lenient.Text `json:"errorCode"`
	}
	_ = json.Unmarshal([]byte(`[{"errorCode":10000},{"errorCode":"10000"}]`), &items)
	fmt.Println(items[0].ErrorCode == items[1].ErrorCode, items[0].ErrorCode)
	// Output: true 10000
}

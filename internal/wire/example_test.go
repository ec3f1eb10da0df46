package wire_test

import (
	"encoding/json"
	"fmt"

	"github.com/offlinepush/push/internal/wire"
)

// JSON leaves a URL's "&" as it is, where json.Marshal writes \u0026.
func ExampleJSON() {
	v := map[string]string{"url": "https://example.com/chat?id=1&from=push"}
	b, _ := wire.JSON(v)
	std, _ := json.Marshal(v)
	fmt.Println(string(b))
	fmt.Println(string(std))
	// Output:
	// {"url":"https://example.com/chat?id=1&from=push"}
	// {"url":"https://example.com/chat?id=1\u0026from=push"}
}

package reject_test

import (
	"errors"
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/reject"
)

// A vendor refuses a message before any request, naming the field and the
// rule; the error matches its class with errors.Is.
func ExampleMessage() {
	err := reject.Message(push.Huawei, "Click.URL", "must use https")
	fmt.Println(err)
	fmt.Println(errors.Is(err, push.ErrInvalidMessage))
	// Output:
	// huawei: invalid message: Click.URL must use https
	// true
}

// A certificate's default Click is checked with the message rules; AsConfig
// restates the broken rule as a config error of the same field.
func ExampleAsConfig() {
	err := reject.AsConfig(push.Xiaomi, push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://x"}.Validate())
	fmt.Println(err)
	// Output: xiaomi: invalid config: Click.URL must use the http or https scheme
}

package settings_test

import (
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/internal/settings"
)

// A vendor's New resolves the caller's options over the defaults.
func ExampleNew() {
	s := settings.New(push.WithRetry(push.NoRetry()), push.WithDefaultTitle("MyChat"))
	fmt.Println(s.Retry.MaxRetries, s.Timeout, s.DefaultTitle, s.MisconfigGuard)
	// Output: 0 15s MyChat 10
}

package secret_test

import (
	"fmt"

	"github.com/offlinepush/push/internal/secret"
)

// Mask lets a Config's String say whether a secret is set without ever printing it.
func ExampleMask() {
	appID, appSecret, privateKey := "10086", "s3cr3t-app-secret", []byte(nil)
	fmt.Printf("Config{AppID:%q AppSecret:%s PrivateKey:%s}\n", appID, secret.Mask(appSecret), secret.Mask(privateKey))
	// Output: Config{AppID:"10086" AppSecret:<redacted> PrivateKey:""}
}

// config holds a secret; its Format keeps every verb on its String.
type config struct{ AppID, AppSecret string }

func (c config) String() string {
	return fmt.Sprintf("config{AppID:%q AppSecret:%s}", c.AppID, secret.Mask(c.AppSecret))
}

func (c config) Format(f fmt.State, verb rune) { secret.Format(f, verb, c.String()) }

// Format makes %d, %x and the like print the masked String too, where fmt
// would print the fields (%!d(string=s3cr3t)).
func ExampleFormat() {
	c := config{AppID: "10086", AppSecret: "s3cr3t"}
	fmt.Printf("%v\n%+v\n%d\n", c, c, c)
	// Output:
	// config{AppID:"10086" AppSecret:<redacted>}
	// config{AppID:"10086" AppSecret:<redacted>}
	// %!d(config{AppID:"10086" AppSecret:<redacted>})
}

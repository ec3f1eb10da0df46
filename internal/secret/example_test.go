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

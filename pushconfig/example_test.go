package pushconfig_test

import (
	"context"
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushconfig"
)

func ExampleParse() {
	file, err := pushconfig.Parse([]byte(`{"certificates": [
	  {"id": "mi-prod", "vendor": "xiaomi", "appSecret": "secret", "packageName": "com.example.chat", "channelId": "im"},
	  {"id": "op-prod", "vendor": "oppo", "appKey": "key", "masterSecret": "secret"}
	]}`), ".")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = file.Router()
	fmt.Println(err)
	// Output: certificate "op-prod": channelId: is required (the notification channel registered in the OPPO console; Android 9+ shows nothing without one)
}

// A sandbox is the certificate's vendor faked in-process: try a config
// without reaching the vendor.
func ExampleCertificate_StartSandbox() {
	cert := pushconfig.Certificate{ID: "mi", Vendor: push.Xiaomi, AppSecret: "secret", PackageName: "com.example.chat", ChannelID: "im"}
	sb, err := cert.StartSandbox()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	p, _ := sb.Pusher(&cert)
	res, _ := p.Push(context.Background(), &push.OfflinePushInfo{Title: "Hi", Desc: "there"}, "regid-1")
	fmt.Println(res.Delivered(), len(sb.Server.Sends()))
	// Output: 1 1
}

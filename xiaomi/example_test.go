package xiaomi_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/xiaomi"
)

func Example() {
	// A fake Mi Push server stands in for api.xmpush.xiaomi.com.
	srv := pushtest.NewXiaomi("app-secret", "com.example.chat")
	defer srv.Close()
	srv.Invalidate("regid-of-an-uninstalled-app")

	client, err := xiaomi.New(xiaomi.Config{
		AppSecret:   "app-secret",
		PackageName: "com.example.chat",
		ChannelID:   "im_private", // the private-message channel approved by Xiaomi
	}, push.WithEndpoint(srv.URL())) // omit WithEndpoint in production
	if err != nil {
		log.Fatal(err)
	}
	res, err := client.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"conversation":"c2c_alice"}`,
	}, "regid-of-bobs-phone", "regid-of-an-uninstalled-app")
	if err != nil {
		log.Fatal(err) // nothing was sent: the message or config is wrong
	}
	for _, o := range res.Outcomes {
		switch {
		case o.Err == nil:
			fmt.Println(o.Token, "accepted")
		case errors.Is(o.Err, push.ErrInvalidToken):
			fmt.Println(o.Token, "is dead: delete it")
		default:
			fmt.Println(o.Token, "failed:", o.Err)
		}
	}
	// Output:
	// regid-of-bobs-phone accepted
	// regid-of-an-uninstalled-app is dead: delete it
}

// DryRun shows the exact request a Push would send, and sends nothing.
func ExampleClient_DryRun() {
	client, err := xiaomi.New(xiaomi.Config{AppSecret: "app-secret", PackageName: "com.example.chat", ChannelID: "im_private"})
	if err != nil {
		log.Fatal(err)
	}
	pv, err := client.DryRun(&push.OfflinePushInfo{
		Title:      "Alice",
		Desc:       "See you at 8?",
		Click:      push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat"},
		CollapseID: "c2c_alice",
		ID:         "msg-1",
	}, "regid-of-bobs-phone")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pv.Requests[0])
	// Output:
	// POST https://api.xmpush.xiaomi.com/v3/message/regid
	// Authorization: key=<redacted>
	// Content-Type: application/x-www-form-urlencoded;charset=UTF-8
	//
	// description = See you at 8?
	// extra.channel_id = im_private
	// extra.jobkey = 3a0de37932e8b19746f2
	// extra.notify_effect = 3
	// extra.web_uri = https://example.com/chat
	// notify_id = 1406733962
	// notify_type = -1
	// pass_through = 0
	// registration_id = regid-of-bobs-phone
	// restricted_package_name = com.example.chat
	// title = Alice
}

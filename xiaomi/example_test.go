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

func ExampleClient_Form() {
	client, err := xiaomi.New(xiaomi.Config{AppSecret: "app-secret", PackageName: "com.example.chat", ChannelID: "im_private"})
	if err != nil {
		log.Fatal(err)
	}
	form, err := client.Form(&push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(form.Get("extra.notify_effect"), form.Get("extra.web_uri"))
	// Output: 3 https://example.com/chat
}

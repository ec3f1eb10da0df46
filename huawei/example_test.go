package huawei_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/pushtest"
)

// Push one chat message to two devices; the fake server knows one of them
// as uninstalled.
func Example() {
	srv := pushtest.NewHuawei("104536617", "app-secret")
	defer srv.Close()
	srv.Invalidate("token-uninstalled")

	c, err := huawei.New(huawei.Config{
		AppID:      "104536617",
		AppSecret:  "app-secret",
		BadgeClass: "com.example.chat.MainActivity",
	}, push.WithEndpoint(srv.URL())) // leave WithEndpoint out in production
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"conv":"c2c_alice"}`,
		Badge: 1,
	}, "token-phone", "token-uninstalled")
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range res.Outcomes {
		switch {
		case o.Err == nil:
			fmt.Println(o.Token, "delivered")
		case errors.Is(o.Err, push.ErrInvalidToken):
			fmt.Println(o.Token, "is dead: delete it")
		default:
			fmt.Println(o.Token, "failed:", o.Err)
		}
	}
	fmt.Println("token requests:", srv.TokenRequests())
	// Output:
	// token-phone delivered
	// token-uninstalled is dead: delete it
	// token requests: 1
}

// Build shows the wire body without sending it (a dry run).
func ExampleClient_Build() {
	c, err := huawei.New(huawei.Config{AppID: "104536617", AppSecret: "app-secret"})
	if err != nil {
		log.Fatal(err)
	}
	req, err := c.Build(&push.OfflinePushInfo{
		Title:      "Alice",
		Desc:       "See you at 8?",
		Ext:        `{"conv":"c2c_alice"}`,
		Click:      push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat"},
		CollapseID: "c2c_alice", // fixes notify_id; empty gives every message its own
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(req.Body([]string{"TOKEN1"})))
	// Output:
	// {"validate_only":false,"message":{"data":"{\"ext\":\"{\\\"conv\\\":\\\"c2c_alice\\\"}\"}","android":{"category":"IM","ttl":"86400s","notification":{"title":"Alice","body":"See you at 8?","click_action":{"type":2,"url":"https://example.com/chat"},"importance":"NORMAL","notify_id":1406733962,"default_sound":true}},"token":["TOKEN1"]}}
}

// Click URLs must be https: the message is refused before any request.
func ExampleClient_Push_httpURL() {
	c, _ := huawei.New(huawei.Config{AppID: "104536617", AppSecret: "app-secret"})
	_, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Desc:  "hi",
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "http://example.com"},
	}, "TOKEN1")
	fmt.Println(errors.Is(err, push.ErrInvalidMessage), err)
	// Output:
	// true huawei: invalid message: Click.URL must use https (Huawei opens https URLs only)
}

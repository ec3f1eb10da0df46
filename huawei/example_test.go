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

// DryRun shows the exact request a Push would send, and sends nothing.
func ExampleClient_DryRun() {
	c, err := huawei.New(huawei.Config{AppID: "104536617", AppSecret: "app-secret"})
	if err != nil {
		log.Fatal(err)
	}
	pv, err := c.DryRun(&push.OfflinePushInfo{
		Title:      "Alice",
		Desc:       "See you at 8?",
		Ext:        `{"conv":"c2c_alice"}`,
		Click:      push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat"},
		CollapseID: "c2c_alice", // fixes notify_id; empty gives every message its own
	}, "TOKEN1")
	if err != nil {
		log.Fatal(err)
	}
	r := pv.Requests[0]
	fmt.Println(r.Method, r.URL)
	fmt.Println("Authorization:", r.Header.Get("Authorization"))
	fmt.Println(string(r.Body))
	// Output:
	// POST https://push-api.cloud.huawei.com/v1/104536617/messages:send
	// Authorization: Bearer <redacted>
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

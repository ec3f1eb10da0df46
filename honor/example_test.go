package honor_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/honor"
	"github.com/offlinepush/push/pushtest"
)

// Push to an Honor certificate. Here the client talks to the pushtest fake;
// in production drop push.WithEndpoint.
func Example() {
	srv := pushtest.NewHonor("104412345", "my-client-id", "my-client-secret")
	defer srv.Close()
	srv.Invalidate("token-of-uninstalled-app")

	c, err := honor.New(honor.Config{
		AppID:        "104412345",
		ClientID:     "my-client-id",
		ClientSecret: "my-client-secret",
		Click:        push.ClickAction{Kind: push.ClickOpenApp},
	}, push.WithEndpoint(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"conv":"c2c_alice"}`,
	}, "token-of-alice-phone", "token-of-uninstalled-app")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range res.Outcomes {
		switch {
		case o.Err == nil:
			fmt.Println(o.Token, "delivered to Honor")
		case errors.Is(o.Err, push.ErrInvalidToken):
			fmt.Println(o.Token, "is dead: delete it")
		default:
			fmt.Println(o.Token, "failed:", o.Err)
		}
	}
	// Output:
	// token-of-alice-phone delivered to Honor
	// token-of-uninstalled-app is dead: delete it
}

// DryRun shows the exact request a Push would send, and sends nothing: no
// access token is fetched, so the Authorization header is masked.
func ExampleClient_DryRun() {
	c, err := honor.New(honor.Config{AppID: "104412345", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	pv, err := c.DryRun(&push.OfflinePushInfo{
		Title:      "Alice",
		Desc:       "See you at 8?",
		Click:      push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"},
		CollapseID: "chat-alice", // a fixed notifyId: a later message replaces this one
	}, "TOKEN1")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := pv.Requests[0]
	fmt.Println(r.Method, r.URL)
	fmt.Println("Authorization:", r.Header.Get("Authorization"))
	fmt.Println(string(r.Body))
	// Output:
	// POST https://push-api.cloud.honor.com/api/v1/104412345/sendMessage
	// Authorization: Bearer <redacted>
	// {"android":{"notification":{"title":"Alice","body":"See you at 8?","clickAction":{"type":2,"url":"https://example.com/chat/alice"},"importance":"NORMAL","notifyId":218936915}},"token":["TOKEN1"]}
}

// Honor accepts https links only; the check happens before any request.
func ExampleClient_Push_invalidMessage() {
	c, _ := honor.New(honor.Config{AppID: "104412345", ClientID: "id", ClientSecret: "secret"})
	_, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "http://example.com/chat/alice"},
	}, "TOKEN1")
	fmt.Println(err)
	fmt.Println(errors.Is(err, push.ErrInvalidMessage))
	// Output:
	// honor: invalid message: Click.URL must use https
	// true
}

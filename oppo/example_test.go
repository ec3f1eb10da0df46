package oppo_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/pushtest"
)

// Push one chat message to two devices; one of them has uninstalled the app.
func Example() {
	srv := pushtest.NewOPPO("my-app-key", "my-master-secret") // stands in for OPPO
	defer srv.Close()
	srv.Invalidate("CN_uninstalled")

	c, err := oppo.New(oppo.Config{
		AppKey:       "my-app-key",
		MasterSecret: "my-master-secret",
		ChannelID:    "im_private", // registered in the OPPO console
	}, push.WithEndpoint(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"chat":"alice"}`,
		ID:    "msg-20240601-0001", // OPPO shows this message once per device
	}, "CN_phone", "CN_uninstalled")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range res.Outcomes {
		switch {
		case o.Err == nil:
			fmt.Println(o.Token, "delivered as", o.MessageID)
		case errors.Is(o.Err, push.ErrInvalidToken):
			fmt.Println(o.Token, "is dead: delete it")
		default:
			fmt.Println(o.Token, "failed:", o.Err)
		}
	}
	// Output:
	// CN_phone delivered as FAKEAPPID-1-1-000000000000000000000001
	// CN_uninstalled is dead: delete it
}

// DryRun shows the exact request a Push would send, and sends nothing:
// the auth_token is not fetched, so it reads <redacted>.
func ExampleClient_DryRun() {
	c, err := oppo.New(oppo.Config{AppKey: "k", MasterSecret: "s", ChannelID: "im_private"})
	if err != nil {
		fmt.Println(err)
		return
	}
	pv, err := c.DryRun(&push.OfflinePushInfo{
		Title: "Alice", Desc: "See you at 8?", Ext: `{"chat":"alice"}`, ID: "msg-1",
		Click: push.ClickAction{Kind: push.ClickOpenPage, Activity: "com.example.chat.ChatActivity"},
	}, "CN_phone")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := pv.Requests[0]
	fmt.Println(r.Method, r.URL)
	form, _ := url.ParseQuery(string(r.Body))
	fmt.Println("auth_token:", form.Get("auth_token"))
	fmt.Println(form.Get("message"))
	// Output:
	// POST https://api.push.oppomobile.com/server/v1/message/notification/unicast
	// auth_token: <redacted>
	// {"target_type":2,"target_value":"CN_phone","notification":{"title":"Alice","content":"See you at 8?","click_action_type":4,"click_action_activity":"com.example.chat.ChatActivity","action_parameters":"{\"ext\":\"{\\\"chat\\\":\\\"alice\\\"}\"}","channel_id":"im_private","category":"IM","notify_level":2,"app_message_id":"3a0de37932e8b19746f20b22414f862f"}}
}

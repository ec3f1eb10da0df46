package meizu_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/meizu"
	"github.com/offlinepush/push/pushtest"
)

// Push to a user's devices and delete the tokens Meizu reports dead; keep
// those whose user switched notifications off. The fake server stands in
// for Meizu; in production drop WithEndpoint.
func Example() {
	srv := pushtest.NewMeizu("100999", "app-secret")
	defer srv.Close()
	srv.Invalidate("pushid-uninstalled")
	srv.FailIDs("110010", "pushid-muted")

	c, err := meizu.New(meizu.Config{AppID: "100999", AppSecret: "app-secret"}, push.WithEndpoint(srv.URL()))
	if err != nil {
		panic(err)
	}
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"sender":"alice"}`,
	}, "pushid-phone", "pushid-uninstalled", "pushid-muted")
	if err != nil {
		panic(err)
	}
	for _, o := range res.Outcomes {
		switch {
		case o.Err == nil:
			fmt.Println(o.Token, "delivered, msgId", o.MessageID)
		case errors.Is(o.Err, push.ErrInvalidToken):
			fmt.Println(o.Token, "dead:", o.Err)
		case errors.Is(o.Err, push.ErrDisabled):
			fmt.Println(o.Token, "kept, notifications off:", o.Err)
		default:
			fmt.Println(o.Token, "failed:", o.Err)
		}
	}
	// Output:
	// pushid-phone delivered, msgId NS000000000000000000000000000001
	// pushid-uninstalled dead: meizu: invalid device token (HTTP 200, code 110003): pushId invalid
	// pushid-muted kept, notifications off: meizu: notifications disabled for this token (HTTP 200, code 110010): notifications switched off on the device; token kept
}

// DryRun shows the exact request a Push would send, and sends nothing: the
// messageJson, which is signed and sent as it is; the signature is masked.
func ExampleClient_DryRun() {
	c, err := meizu.New(meizu.Config{AppID: "100999", AppSecret: "test_app_secret"})
	if err != nil {
		panic(err)
	}
	pv, err := c.DryRun(&push.OfflinePushInfo{
		Title: "Title",
		Desc:  "Body",
		Ext:   `{"k":"v"}`,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/x"},
	}, "pushid-1", "pushid-2")
	if err != nil {
		panic(err)
	}
	fmt.Println(pv.Requests[0])
	// Output:
	// POST https://server-api-push.meizu.com/garcia/api/server/push/varnished/pushByPushId
	// Content-Type: application/x-www-form-urlencoded;charset=UTF-8
	//
	// appId = 100999
	// messageJson = {"noticeBarInfo":{"noticeMsgType":1,"noticeBarType":0,"title":"Title","content":"Body"},"clickTypeInfo":{"clickType":2,"url":"https://example.com/x","parameters":{"ext":"{\"k\":\"v\"}"}},"pushTimeInfo":{"offLine":1,"validTime":24}}
	// pushIds = pushid-1,pushid-2
	// sign = <redacted>
}

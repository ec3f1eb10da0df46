package meizu_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

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

// The messageJson of a chat message that opens a URL: the exact text that
// is signed and sent.
func ExampleClient_MessageJSON() {
	c, err := meizu.New(meizu.Config{AppID: "100999", AppSecret: "test_app_secret"})
	if err != nil {
		panic(err)
	}
	msg, err := c.MessageJSON(&push.OfflinePushInfo{
		Title: "Title",
		Desc:  "Body",
		Ext:   `{"k":"v"}`,
		Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/x"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(msg)
	// Output:
	// {"noticeBarInfo":{"noticeMsgType":1,"noticeBarType":0,"title":"Title","content":"Body"},"clickTypeInfo":{"clickType":2,"url":"https://example.com/x","parameters":{"ext":"{\"k\":\"v\"}"}},"pushTimeInfo":{"offLine":1,"validTime":24}}
}

// Meizu's own signature example.
func ExampleSign() {
	sign := meizu.Sign(url.Values{
		"appId":       {"10000"},
		"pushIds":     {"RA50c6348036344485d01776773577c64740465480a6b"},
		"messageJson": {`{"title":"title","content":"content","pushTimeInfo":{"offLine":1,"validTime":24}}`},
	}, "<APP_SECRET>")
	fmt.Println(sign)
	// Output:
	// ac076ff25d9900015a681cb5172aa53b
}

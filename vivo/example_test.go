package vivo_test

import (
	"context"
	"fmt"
	"log"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/vivo"
)

// Push to three devices of one user; one has uninstalled the app. The
// client authenticates, saves the notification once (saveListPayload) and
// pushes it to the list (pushToList).
func Example() {
	srv := pushtest.NewVivo("10004", "app-key", "app-secret") // a fake vivo
	defer srv.Close()
	srv.Invalidate("regid-uninstalled")

	client, err := vivo.New(vivo.Config{
		AppID:     "10004",
		AppKey:    "app-key",
		AppSecret: "app-secret",
	}, push.WithEndpoint(srv.URL())) // omit WithEndpoint to reach vivo
	if err != nil {
		log.Fatal(err)
	}
	res, err := client.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"conv":"alice"}`,
		ID:    "msg-1", // a retry with the same ID is not shown twice
	}, "regid-phone", "regid-tablet", "regid-uninstalled")
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range res.Outcomes {
		fmt.Printf("%s: accepted=%v task=%s\n", o.Token, o.OK(), o.MessageID)
	}
	fmt.Println("delete:", res.InvalidTokens())
	fmt.Println("requests:", srv.Count(vivo.AuthPath), srv.Count(vivo.SaveListPath), srv.Count(vivo.PushToListPath))
	// Output:
	// regid-phone: accepted=true task=342982232646900001
	// regid-tablet: accepted=true task=342982232646900001
	// regid-uninstalled: accepted=false task=342982232646900001
	// delete: [regid-uninstalled]
	// requests: 1 1 1
}

// DryRun shows the exact requests a Push would send, and sends nothing.
// Two regIds make a list: the message is saved once (saveListPayload),
// then pushed to the list by the taskId vivo's answer would give.
func ExampleClient_DryRun() {
	client, err := vivo.New(vivo.Config{AppID: "10004", AppKey: "app-key", AppSecret: "app-secret"})
	if err != nil {
		log.Fatal(err)
	}
	pv, err := client.DryRun(&push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"conv":"alice"}`,
		ID:    "msg-1",
		Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.example.chat/.ChatActivity;end"},
	}, "regid-phone", "regid-tablet")
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range pv.Requests {
		fmt.Println(r.Method, r.URL, r.Tokens)
		fmt.Println("authToken:", r.Header["authToken"]) // spelled as vivo's SDK sends it
		fmt.Println(string(r.Body))
	}
	// Output:
	// POST https://api-push.vivo.com.cn/message/saveListPayload []
	// authToken: [<redacted>]
	// {"appId":10004,"notifyType":4,"title":"Alice","content":"See you at 8?","skipType":4,"skipContent":"intent:#Intent;component=com.example.chat/.ChatActivity;end","networkType":-1,"clientCustomMap":{"ext":"{\"conv\":\"alice\"}"},"classification":1,"category":"IM","requestId":"8d4eaba5f3f26e9cebd8012f38c1f504","pushMode":0}
	// POST https://api-push.vivo.com.cn/message/pushToList [regid-phone regid-tablet]
	// authToken: [<redacted>]
	// {"appId":10004,"regIds":["regid-phone","regid-tablet"],"taskId":"<taskId from saveListPayload>","requestId":"1bbdc0dab38200319f3b18e95a46d338","pushMode":0}
}

package vivo_test

import (
	"context"
	"encoding/json"
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

// The auth signature, with the test vector computed by vivo's Java SDK.
func ExampleSign() {
	fmt.Println(vivo.Sign("10004", "25509283-3767-4b9e-83fe-b6e55ac6243e", 1501484120000, "test_app_secret"))
	// Output: 18be311df95d0057621a1efb49a6a47b
}

// Show what would be sent, without sending (a dry run).
func ExampleClient_Message() {
	client, err := vivo.New(vivo.Config{AppID: "10004", AppKey: "app-key", AppSecret: "app-secret"})
	if err != nil {
		log.Fatal(err)
	}
	msg, err := client.Message(&push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"conv":"alice"}`,
		Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;component=com.example.chat/.ChatActivity;end"},
	})
	if err != nil {
		log.Fatal(err)
	}
	b, _ := json.MarshalIndent(msg, "", "  ")
	fmt.Println(string(b))
	// Output:
	// {
	//   "appId": 10004,
	//   "notifyType": 4,
	//   "title": "Alice",
	//   "content": "See you at 8?",
	//   "skipType": 4,
	//   "skipContent": "intent:#Intent;component=com.example.chat/.ChatActivity;end",
	//   "networkType": -1,
	//   "clientCustomMap": {
	//     "ext": "{\"conv\":\"alice\"}"
	//   },
	//   "classification": 1,
	//   "category": "IM",
	//   "requestId": "",
	//   "pushMode": 0
	// }
}

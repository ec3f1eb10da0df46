package fcm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/fcm"
	"github.com/offlinepush/push/pushtest"
)

// Push to three devices through the fake FCM server; one of them has
// uninstalled the app.
func ExampleClient_Push() {
	creds := pushtest.FCMCredentials("my-chat-app") // in production: os.ReadFile("service-account.json")
	srv := pushtest.NewFCM(creds)
	defer srv.Close()
	srv.Invalidate("token-uninstalled")

	c, err := fcm.New(fcm.Config{CredentialsJSON: creds, ChannelID: "im_msg"},
		push.WithEndpoint(srv.URL()), push.WithHTTPClient(srv.Client())) // tests only
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"entity":{"chatType":1,"sender":"alice"}}`,
	}, "token-phone", "token-uninstalled", "token-tablet")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range res.Outcomes {
		switch {
		case o.Err == nil:
			fmt.Println(o.Token, "sent")
		case errors.Is(o.Err, push.ErrInvalidToken):
			fmt.Println(o.Token, "dead: delete it")
		default:
			fmt.Println(o.Token, "failed:", o.Err)
		}
	}
	fmt.Println("token exchanges:", srv.TokenRequests(), "send requests:", len(srv.Sends()))
	// Output:
	// token-phone sent
	// token-uninstalled dead: delete it
	// token-tablet sent
	// token exchanges: 1 send requests: 3
}

// DryRun shows the exact request a Push would send, and sends nothing (it
// fetches no access token either).
func ExampleClient_DryRun() {
	c, err := fcm.New(fcm.Config{CredentialsJSON: creds, ChannelID: "im_msg"})
	if err != nil {
		fmt.Println(err)
		return
	}
	pv, err := c.DryRun(&push.OfflinePushInfo{
		Title: "Alice", Desc: "See you at 8?", Ext: `{"k":"v"}`,
		CollapseID: "c2c_alice", Badge: 2,
		Click: push.ClickAction{Kind: push.ClickOpenPage, Intent: "intent:#Intent;action=OPEN_CHAT;end"},
	}, "device-token")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := pv.Requests[0]
	fmt.Println(r.Method, r.URL)
	fmt.Println("Authorization:", r.Header.Get("Authorization"))
	var out bytes.Buffer
	json.Indent(&out, r.Body, "", "  ")
	fmt.Println(out.String())
	// Output:
	// POST https://fcm.googleapis.com/v1/projects/chat-test-proj/messages:send
	// Authorization: Bearer <redacted>
	// {
	//   "message": {
	//     "token": "device-token",
	//     "notification": {
	//       "title": "Alice",
	//       "body": "See you at 8?"
	//     },
	//     "data": {
	//       "ext": "{\"k\":\"v\"}"
	//     },
	//     "android": {
	//       "collapse_key": "c2c_alice",
	//       "priority": "high",
	//       "notification": {
	//         "channel_id": "im_msg",
	//         "sound": "default",
	//         "click_action": "OPEN_CHAT",
	//         "tag": "c2c_alice"
	//       }
	//     },
	//     "apns": {
	//       "headers": {
	//         "apns-collapse-id": "c2c_alice",
	//         "apns-priority": "10",
	//         "apns-push-type": "alert"
	//       },
	//       "payload": {
	//         "aps": {
	//           "sound": "default",
	//           "badge": 2
	//         },
	//         "ext": "{\"k\":\"v\"}"
	//       }
	//     }
	//   }
	// }
}

// New fails clearly, before any I/O, on unusable credentials; the error
// never quotes the key.
func ExampleNew() {
	_, err := fcm.New(fcm.Config{CredentialsJSON: []byte(`{"type":"authorized_user"}`)})
	fmt.Println(err)
	_, err = fcm.New(fcm.Config{CredentialsJSON: creds, Priority: "urgent", TTL: time.Hour})
	fmt.Println(err)
	// Output:
	// fcm: invalid config: CredentialsJSON must be a service-account key ("type": "service_account"), not "authorized_user"
	// fcm: invalid config: Priority must be "high" or "normal"
}

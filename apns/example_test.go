package apns_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/pushtest"
)

// Push one chat message to two devices, one of which uninstalled the app,
// through the fake APNs server.
func Example() {
	key := pushtest.APNsKey() // in production: the .p8 file's content
	srv := pushtest.NewAPNs("TEAM123456", "KEY1234567", key, "com.example.chat")
	defer srv.Close()
	phone, gone := strings.Repeat("ab", 32), strings.Repeat("0f", 32)
	srv.Invalidate(gone)

	c, err := apns.New(apns.Config{
		TeamID:     "TEAM123456",
		KeyID:      "KEY1234567",
		PrivateKey: key,
		Topic:      "com.example.chat",
	},
		push.WithEndpoint(srv.URL()),      // omit both options in production
		push.WithHTTPClient(srv.Client()), // the fake's TLS certificate, HTTP/2
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"entity":{"chatType":1,"sender":"alice"}}`,
	}, phone, gone)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("delivered:", res.Delivered())
	for _, t := range res.InvalidTokens() {
		var ve *push.VendorError
		errors.As(res.Outcomes[1].Err, &ve)
		fmt.Println("delete", t[:8]+"…", "because", ve.HTTPStatus, ve.Code)
	}
	// Output:
	// delivered: 1
	// delete 0f0f0f0f… because 410 Unregistered
}

// DryRun shows the exact request a Push would send, and sends nothing (it
// signs no provider token either).
func ExampleClient_DryRun() {
	c, err := apns.New(apns.Config{
		TeamID:         "TEAM123456",
		KeyID:          "KEY1234567",
		PrivateKey:     pushtest.APNsKey(),
		Topic:          "com.example.chat",
		MutableContent: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	pv, err := c.DryRun(&push.OfflinePushInfo{
		Title:      "Alice",
		Desc:       "See you at 8?",
		Ext:        `{"entity":{"chatType":1}}`,
		Badge:      3,
		CollapseID: "c2c_alice",
		Click:      push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"},
	}, strings.Repeat("ab", 32))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := pv.Requests[0]
	fmt.Println(r.Method, r.URL)
	for _, h := range []string{"authorization", "apns-topic", "apns-push-type", "apns-priority", "apns-collapse-id"} {
		fmt.Printf("%s: %s\n", h, r.Header.Get(h))
	}
	fmt.Println(string(r.Body))
	// Output:
	// POST https://api.push.apple.com/3/device/abababababababababababababababababababababababababababababababab
	// authorization: bearer <redacted>
	// apns-topic: com.example.chat
	// apns-push-type: alert
	// apns-priority: 10
	// apns-collapse-id: c2c_alice
	// {"aps":{"alert":{"title":"Alice","body":"See you at 8?"},"sound":"default","badge":3,"mutable-content":1},"ext":"{\"entity\":{\"chatType\":1}}","url":"https://example.com/chat/alice"}
}

// A key that is not a .p8 PEM is refused by New, without quoting it.
func ExampleNew_badKey() {
	_, err := apns.New(apns.Config{
		TeamID:     "TEAM123456",
		KeyID:      "KEY1234567",
		PrivateKey: []byte("MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg"),
		Topic:      "com.example.chat",
	})
	fmt.Println(errors.Is(err, push.ErrConfig))
	fmt.Println(err)
	// Output:
	// true
	// apns: invalid config: PrivateKey is not PEM: want the content of the .p8 file (-----BEGIN PRIVATE KEY-----)
}

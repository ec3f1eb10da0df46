package harmony_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/harmony"
	"github.com/offlinepush/push/pushtest"
)

// Push one chat message to two HarmonyOS NEXT devices; the fake server
// knows one token as malformed. In production CredentialsJSON is the key
// file downloaded from the Huawei API Console.
func Example() {
	creds := pushtest.HarmonyCredentials() // a throwaway key file for the fake
	srv, err := pushtest.NewHarmony(creds)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.Invalidate("token-stale")

	c, err := harmony.New(harmony.Config{CredentialsJSON: creds}, push.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.Push(context.Background(), &push.OfflinePushInfo{
		Title: "Alice",
		Desc:  "See you at 8?",
		Ext:   `{"conv":"c2c_alice"}`,
	}, "token-phone", "token-stale")
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
	fmt.Println("JWTs signed:", srv.JWTs())
	// Output:
	// token-phone delivered
	// token-stale is dead: delete it
	// JWTs signed: 1
}

// Build shows the wire body without sending it (a dry run). HarmonyOS has
// no open-URL action: the URL becomes the uri of an actionType 1 click,
// which opens the app's ability that declares it.
func ExampleClient_Build() {
	c, err := harmony.New(harmony.Config{CredentialsJSON: pushtest.HarmonyCredentials()})
	if err != nil {
		log.Fatal(err)
	}
	req, err := c.Build(&push.OfflinePushInfo{
		Title:      "Alice",
		Desc:       "See you at 8?",
		Ext:        `{"conv":"c2c_alice"}`,
		Click:      push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat"},
		CollapseID: "c2c_alice", // fixes notifyId; empty gives every message its own
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(req.Body([]string{"TOKEN1"})))
	// Output:
	// {"payload":{"notification":{"category":"IM","title":"Alice","body":"See you at 8?","clickAction":{"actionType":1,"uri":"https://example.com/chat","data":{"ext":"{\"conv\":\"c2c_alice\"}"}},"notifyId":1406733962}},"target":{"token":["TOKEN1"]},"pushOptions":{"ttl":86400}}
}

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

// DryRun shows the exact request a Push would send, and sends nothing: no
// JWT is signed, so the Authorization header is masked. HarmonyOS has no
// open-URL action: the URL becomes the uri of an actionType 1 click, which
// opens the app's ability that declares it.
func ExampleClient_DryRun() {
	c, err := harmony.New(harmony.Config{CredentialsJSON: pushtest.HarmonyCredentials()})
	if err != nil {
		log.Fatal(err)
	}
	pv, err := c.DryRun(&push.OfflinePushInfo{
		Title:      "Alice",
		Desc:       "See you at 8?",
		Ext:        `{"conv":"c2c_alice"}`,
		Click:      push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat"},
		CollapseID: "c2c_alice", // fixes notifyId; empty gives every message its own
	}, "TOKEN1")
	if err != nil {
		log.Fatal(err)
	}
	r := pv.Requests[0]
	fmt.Println(r.Method, r.URL)
	fmt.Println("Authorization:", r.Header.Get("Authorization"))
	fmt.Println("push-type:", r.Header["push-type"][0]) // sent in lower case, as Huawei writes it
	fmt.Println(string(r.Body))
	// Output:
	// POST https://push-api.cloud.huawei.com/v3/388421841222199046/messages:send
	// Authorization: Bearer <redacted>
	// push-type: 0
	// {"payload":{"notification":{"category":"IM","title":"Alice","body":"See you at 8?","clickAction":{"actionType":1,"uri":"https://example.com/chat","data":{"ext":"{\"conv\":\"c2c_alice\"}"}},"notifyId":1406733962}},"target":{"token":["TOKEN1"]},"pushOptions":{"ttl":86400}}
}

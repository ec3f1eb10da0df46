package pushtest_test

import (
	"context"
	"fmt"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/xiaomi"
)

// A fake vendor checks requests like the vendor, can be told to fail, and
// records what it accepted.
func Example() {
	srv := pushtest.NewXiaomi("secret", "com.example.chat")
	defer srv.Close()
	srv.Invalidate("regid-uninstalled")     // answered as a dead token
	srv.Inject(pushtest.Fault{Status: 503}) // the first request fails, the retry succeeds

	client, _ := xiaomi.New(xiaomi.Config{AppSecret: "secret", PackageName: "com.example.chat", ChannelID: "im"},
		push.WithEndpoint(srv.URL()))
	res, _ := client.Push(context.Background(), &push.OfflinePushInfo{Title: "Hi", Desc: "there"}, "regid-1", "regid-uninstalled")

	fmt.Println("requests:", len(srv.Sends()), "delivered:", srv.Delivered())
	fmt.Println("dead:", res.InvalidTokens())
	fmt.Println("title on the wire:", srv.Sends()[1].Form.Get("title"))
	// Output:
	// requests: 2 delivered: map[regid-1:1]
	// dead: [regid-uninstalled]
	// title on the wire: Hi
}

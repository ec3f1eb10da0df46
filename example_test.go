package push_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/xiaomi"
)

// A Router delivers one message to devices of many certificates (apps and
// vendors) at once, and hands back the dead tokens per certificate.
func ExampleRouter() {
	srv := pushtest.NewXiaomi("secret", "com.example.chat") // stands in for Xiaomi
	defer srv.Close()
	srv.Invalidate("regid-gone")
	mi, err := xiaomi.New(xiaomi.Config{AppSecret: "secret", PackageName: "com.example.chat", ChannelID: "im"},
		push.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}

	r := push.NewRouter()
	r.Register("mi-prod", mi)
	res, err := r.Push(context.Background(), &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"},
		push.Device{CertificateID: "mi-prod", Token: "regid-bob"},
		push.Device{CertificateID: "mi-prod", Token: "regid-gone"},
		push.Device{CertificateID: "retired-cert", Token: "x"},
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("delivered:", res.Delivered())
	fmt.Println("delete:", res.InvalidTokens())
	fmt.Println("unknown certificate:", errors.Is(res.Outcomes[2].Err, push.ErrUnknownCertificate))
	// Output:
	// delivered: 1
	// delete: map[mi-prod:[regid-gone]]
	// unknown certificate: true
}

// Every failed outcome matches one sentinel; errors.As gives the vendor's
// own code.
func ExampleVendorError() {
	var err error = &push.VendorError{Vendor: push.Xiaomi, HTTPStatus: 200, Code: "200001",
		Message: "exceed quota", Kind: push.ErrQuota}
	var ve *push.VendorError
	if errors.As(err, &ve) {
		fmt.Println(ve.Vendor, ve.Code, errors.Is(err, push.ErrQuota), push.IsRetryable(err))
	}
	// Output: xiaomi 200001 true false
}

// Validate names the field and the rule it broke.
func ExampleOfflinePushInfo_Validate() {
	info := &push.OfflinePushInfo{Title: "Alice", Click: push.ClickAction{Kind: push.ClickOpenURL, URL: "ftp://example.com"}}
	fmt.Println(info.Validate())
	info.Desc = "See you at 8?"
	fmt.Println(info.Validate())
	// Output:
	// push: invalid message: Desc must not be empty (a message without Desc is not pushed)
	// push: invalid message: Click.URL must use the http or https scheme
}

// Limits put a send rate and a quota breaker on one certificate.
func ExampleRouter_SetLimits() {
	r := push.NewRouter()
	r.SetLimits("mi-prod", push.Limits{
		Rate:         500, // tokens per second
		QuotaBreaker: true,
	})
	fmt.Println(push.NextMidnightChina(mustTime("2026-11-25T15:30:00Z")).UTC())
	// Output: 2026-11-25 16:00:00 +0000 UTC
}

func mustTime(s string) (t time.Time) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A certificate set up wrong at the vendor (here a Xiaomi app whose package
// name does not match its tokens) makes the vendor call every live token
// invalid. The misconfiguration guard believes the first 10 such verdicts
// in a row and reports the rest as ErrAuth, naming what to check, so a
// wrong setting does not wipe the registry.
func ExampleWithMisconfigGuard() {
	srv := pushtest.NewXiaomi("secret", "com.example.chat")
	defer srv.Close()
	srv.SetMisconfigured(true) // every send answered 20301 "No valid targets!"
	mi, err := xiaomi.New(xiaomi.Config{AppSecret: "secret", PackageName: "com.example.chat", ChannelID: "im"},
		push.WithEndpoint(srv.URL()), push.WithMisconfigGuard(push.DefaultMisconfigGuard))
	if err != nil {
		log.Fatal(err)
	}
	dead, kept := 0, 0
	for i := range 50 { // 50 single-token pushes, as an IM server sends them
		res, err := mi.Push(context.Background(), &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?"}, fmt.Sprint("regid-", i))
		if err != nil {
			log.Fatal(err)
		}
		switch err := res.Outcomes[0].Err; {
		case errors.Is(err, push.ErrInvalidToken):
			dead++
		case errors.Is(err, push.ErrAuth):
			kept++
		}
	}
	fmt.Println("reported dead:", dead, "kept as a likely misconfiguration:", kept)
	// Output: reported dead: 10 kept as a likely misconfiguration: 40
}

// Vendors that require a title show the client's default title (normally
// the app's name) when a message has none, rather than refusing it.
func ExampleWithDefaultTitle() {
	srv := pushtest.NewXiaomi("secret", "com.example.chat")
	defer srv.Close()
	mi, err := xiaomi.New(xiaomi.Config{AppSecret: "secret", PackageName: "com.example.chat", ChannelID: "im"},
		push.WithEndpoint(srv.URL()), push.WithDefaultTitle("ExampleChat"))
	if err != nil {
		log.Fatal(err)
	}
	res, err := mi.Push(context.Background(), &push.OfflinePushInfo{Desc: "See you at 8?"}, "regid-bob")
	if err != nil || res.Err() != nil {
		log.Fatal(err, res.Err())
	}
	fmt.Println(srv.Sends()[0].Form.Get("title"))
	// Output: ExampleChat
}

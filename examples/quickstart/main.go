// Command quickstart sends one OfflinePushInfo through every vendor channel
// to the pushtest fake vendor servers running in-process, and prints what
// went over the wire (credentials masked) and each token's outcome.
// It needs no credentials and no network:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/fcm"
	"github.com/offlinepush/push/harmony"
	"github.com/offlinepush/push/honor"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/meizu"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/vivo"
	"github.com/offlinepush/push/xiaomi"
)

// demo is one vendor's part of the quickstart: it starts that vendor's fake
// server and returns a client pointed at it, plus the device tokens to use.
type demo struct {
	vendor push.Vendor
	start  func() (push.Pusher, *pushtest.Server, []string, error)
}

// demos lists the vendors the quickstart shows, in the order it shows them:
// each row starts the vendor's fake server and a client configured for it.
var demos = []demo{
	{push.Xiaomi, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewXiaomi("demo-app-secret", "com.example.chat")
		srv.Invalidate("regid-uninstalled")
		c, err := xiaomi.New(xiaomi.Config{
			AppSecret:   "demo-app-secret",
			PackageName: "com.example.chat",
			ChannelID:   "im_private",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"regid-alice-phone", "regid-alice-tablet", "regid-uninstalled"}, err
	}},
	{push.Huawei, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewHuawei("104536617", "demo-app-secret")
		srv.Invalidate("IQAAAACy0uninstalled")
		c, err := huawei.New(huawei.Config{
			AppID:      "104536617",
			AppSecret:  "demo-app-secret",
			BadgeClass: "com.example.chat.MainActivity",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"IQAAAACy0alice-phone", "IQAAAACy0alice-tablet", "IQAAAACy0uninstalled"}, err
	}},
	{push.Harmony, func() (push.Pusher, *pushtest.Server, []string, error) {
		// A throwaway service-account key file: the fake verifies the JWT
		// signature with its public key.
		creds := pushtest.HarmonyCredentials()
		srv, err := pushtest.NewHarmony(creds)
		if err != nil {
			return nil, nil, nil, err
		}
		srv.Invalidate("MAMzLg-uninstalled")
		c, err := harmony.New(harmony.Config{CredentialsJSON: creds}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"MAMzLg-alice-phone", "MAMzLg-alice-tablet", "MAMzLg-uninstalled"}, err
	}},
	{push.Honor, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewHonor("104412345", "demo-client-id", "demo-client-secret")
		srv.Invalidate("honor-token-uninstalled")
		c, err := honor.New(honor.Config{
			AppID:        "104412345",
			ClientID:     "demo-client-id",
			ClientSecret: "demo-client-secret",
			BadgeClass:   "com.example.chat.MainActivity",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"honor-token-alice-phone", "honor-token-alice-tablet", "honor-token-uninstalled"}, err
	}},
	{push.OPPO, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewOPPO("demo-app-key", "demo-master-secret")
		srv.Invalidate("CN_regid-uninstalled")
		c, err := oppo.New(oppo.Config{
			AppKey:       "demo-app-key",
			MasterSecret: "demo-master-secret",
			ChannelID:    "im_private",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"CN_regid-alice-phone", "CN_regid-alice-tablet", "CN_regid-uninstalled"}, err
	}},
	{push.Vivo, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewVivo("10004", "demo-app-key", "demo-app-secret")
		srv.Invalidate("regid-uninstalled")
		c, err := vivo.New(vivo.Config{
			AppID:     "10004",
			AppKey:    "demo-app-key",
			AppSecret: "demo-app-secret",
			// Category "IM" (a system message) is the default.
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"regid-alice-phone", "regid-alice-tablet", "regid-uninstalled"}, err
	}},
	{push.Meizu, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewMeizu("100999", "demo-app-secret")
		srv.Invalidate("pushid-uninstalled")
		c, err := meizu.New(meizu.Config{
			AppID:     "100999",
			AppSecret: "demo-app-secret",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"pushid-alice-phone", "pushid-alice-tablet", "pushid-uninstalled"}, err
	}},
	{push.FCM, func() (push.Pusher, *pushtest.Server, []string, error) {
		creds := pushtest.FCMCredentials("demo-project") // a fresh service-account key JSON
		srv := pushtest.NewFCM(creds)
		srv.Invalidate("fcm-token-uninstalled")
		c, err := fcm.New(fcm.Config{
			CredentialsJSON: creds,
			ChannelID:       "im_msg",
		},
			push.WithEndpoint(srv.URL()),      // the token exchange and the sends
			push.WithHTTPClient(srv.Client()), // trusts the fake's TLS certificate (HTTP/2)
		)
		return c, srv.Server, []string{"fcm-token-alice-phone", "fcm-token-alice-tablet", "fcm-token-uninstalled"}, err
	}},
	{push.APNs, func() (push.Pusher, *pushtest.Server, []string, error) {
		key := pushtest.APNsKey() // a fresh .p8 key: no files needed
		srv := pushtest.NewAPNs("TEAM123456", "KEY1234567", key, "com.example.chat")
		// APNs device tokens are 32 bytes, written in hex.
		alice, ipad, gone := demoToken("alice-iphone"), demoToken("alice-ipad"), demoToken("uninstalled")
		srv.Invalidate(gone)
		c, err := apns.New(apns.Config{
			TeamID:     "TEAM123456",
			KeyID:      "KEY1234567",
			PrivateKey: key,
			Topic:      "com.example.chat",
		},
			push.WithEndpoint(srv.URL()),
			push.WithHTTPClient(srv.Client()), // trusts the fake's certificate, speaks HTTP/2
		)
		return c, srv.Server, []string{alice, ipad, gone}, err
	}},
}

// demoToken makes an APNs device token (32 bytes, written in hex) for a
// device name.
func demoToken(device string) string {
	sum := sha256.Sum256([]byte(device))
	return hex.EncodeToString(sum[:])
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	info := &push.OfflinePushInfo{
		Title:    "Alice",
		Desc:     "See you at 8?",
		Ext:      `{"entity":{"chatType":1,"sender":"alice"}}`,
		IOSSound: "default",
		Click:    push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"},
	}
	fmt.Printf("OfflinePushInfo: title=%q desc=%q ext=%s click=%s %s\n\n", info.Title, info.Desc, info.Ext, info.Click.Kind, info.Click.URL)

	failed := 0
	for _, d := range demos {
		if err := runDemo(d, info); err != nil {
			fmt.Printf("!! %s: %v\n\n", d.vendor, err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d vendors failed", failed, len(demos))
	}
	fmt.Printf("done: %d vendors, every push went over the wire to its fake server.\n", len(demos))
	return nil
}

func runDemo(d demo, info *push.OfflinePushInfo) error {
	client, srv, tokens, err := d.start()
	if err != nil {
		return err
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	res, err := client.Push(ctx, info, tokens...)
	if err != nil {
		return err
	}
	bar := strings.Repeat("=", 72)
	fmt.Printf("%s\n%s — %d token(s), %s\n%s\n", bar, d.vendor, len(tokens), srv.URL(), bar)
	for _, r := range srv.Records() {
		fmt.Printf("--> %s\n<-- HTTP %d %s\n\n", indent(r.Dump()), r.Status, r.ResponseDump())
	}
	for _, o := range res.Outcomes {
		status := "delivered to the vendor"
		var ve *push.VendorError
		switch {
		case o.Err == nil:
		case errors.Is(o.Err, push.ErrInvalidToken):
			status = "INVALID TOKEN (delete it): " + o.Err.Error()
		case errors.As(o.Err, &ve):
			status = "failed: " + ve.Error()
		default:
			status = "failed: " + o.Err.Error()
		}
		fmt.Printf("    token %-24s message id %-26q %s\n", o.Token, o.MessageID, status)
	}
	fmt.Println()
	return nil
}

func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// Command quickstart sends one OfflinePushInfo through every vendor channel
// to the pushtest fake vendor servers running in-process, and prints what
// went over the wire (credentials masked) and each token's outcome.
// It needs no credentials and no network:
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
)

// demo is one vendor's part of the quickstart: it starts that vendor's fake
// server and returns a client pointed at it, plus the device tokens to use.
type demo struct {
	vendor push.Vendor
	start  func() (push.Pusher, *pushtest.Server, []string, error)
}

// demos is filled by the per-vendor files of this package.
var demos []demo

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

	slices.SortFunc(demos, func(a, b demo) int {
		return slices.Index(push.Vendors(), a.vendor) - slices.Index(push.Vendors(), b.vendor)
	})
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

package main

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/pushtest"
)

func init() {
	demos = append(demos, demo{push.APNs, func() (push.Pusher, *pushtest.Server, []string, error) {
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
	}})
}

func demoToken(device string) string {
	sum := sha256.Sum256([]byte(device))
	return hex.EncodeToString(sum[:])
}

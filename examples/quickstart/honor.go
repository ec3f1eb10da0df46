package main

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/honor"
	"github.com/offlinepush/push/pushtest"
)

func init() {
	demos = append(demos, demo{push.Honor, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewHonor("104412345", "demo-client-id", "demo-client-secret")
		srv.Invalidate("honor-token-uninstalled")
		c, err := honor.New(honor.Config{
			AppID:        "104412345",
			ClientID:     "demo-client-id",
			ClientSecret: "demo-client-secret",
			BadgeClass:   "com.example.chat.MainActivity",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"honor-token-alice-phone", "honor-token-alice-tablet", "honor-token-uninstalled"}, err
	}})
}

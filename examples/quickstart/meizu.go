package main

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/meizu"
	"github.com/offlinepush/push/pushtest"
)

func init() {
	demos = append(demos, demo{push.Meizu, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewMeizu("100999", "demo-app-secret")
		srv.Invalidate("pushid-uninstalled")
		c, err := meizu.New(meizu.Config{
			AppID:     "100999",
			AppSecret: "demo-app-secret",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"pushid-alice-phone", "pushid-alice-tablet", "pushid-uninstalled"}, err
	}})
}

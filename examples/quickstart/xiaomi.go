package main

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/xiaomi"
)

func init() {
	demos = append(demos, demo{push.Xiaomi, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewXiaomi("demo-app-secret", "com.example.chat")
		srv.Invalidate("regid-uninstalled")
		c, err := xiaomi.New(xiaomi.Config{
			AppSecret:   "demo-app-secret",
			PackageName: "com.example.chat",
			ChannelID:   "im_private",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"regid-alice-phone", "regid-alice-tablet", "regid-uninstalled"}, err
	}})
}

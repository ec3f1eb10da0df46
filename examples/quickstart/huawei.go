package main

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/pushtest"
)

func init() {
	demos = append(demos, demo{push.Huawei, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewHuawei("104536617", "demo-app-secret")
		srv.Invalidate("IQAAAACy0uninstalled")
		c, err := huawei.New(huawei.Config{
			AppID:      "104536617",
			AppSecret:  "demo-app-secret",
			BadgeClass: "com.example.chat.MainActivity",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"IQAAAACy0alice-phone", "IQAAAACy0alice-tablet", "IQAAAACy0uninstalled"}, err
	}})
}

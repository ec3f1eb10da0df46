package main

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/vivo"
)

func init() {
	demos = append(demos, demo{push.Vivo, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewVivo("10004", "demo-app-key", "demo-app-secret")
		srv.Invalidate("regid-uninstalled")
		c, err := vivo.New(vivo.Config{
			AppID:     "10004",
			AppKey:    "demo-app-key",
			AppSecret: "demo-app-secret",
			// Category "IM" (a system message) is the default.
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"regid-alice-phone", "regid-alice-tablet", "regid-uninstalled"}, err
	}})
}

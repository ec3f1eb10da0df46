package main

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/pushtest"
)

func init() {
	demos = append(demos, demo{push.OPPO, func() (push.Pusher, *pushtest.Server, []string, error) {
		srv := pushtest.NewOPPO("demo-app-key", "demo-master-secret")
		srv.Invalidate("CN_regid-uninstalled")
		c, err := oppo.New(oppo.Config{
			AppKey:       "demo-app-key",
			MasterSecret: "demo-master-secret",
			ChannelID:    "im_private",
		}, push.WithEndpoint(srv.URL()))
		return c, srv.Server, []string{"CN_regid-alice-phone", "CN_regid-alice-tablet", "CN_regid-uninstalled"}, err
	}})
}

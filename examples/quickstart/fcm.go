package main

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/fcm"
	"github.com/offlinepush/push/pushtest"
)

func init() {
	demos = append(demos, demo{push.FCM, func() (push.Pusher, *pushtest.Server, []string, error) {
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
	}})
}

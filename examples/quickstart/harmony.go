package main

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/harmony"
	"github.com/offlinepush/push/pushtest"
)

func init() {
	demos = append(demos, demo{push.Harmony, func() (push.Pusher, *pushtest.Server, []string, error) {
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
	}})
}

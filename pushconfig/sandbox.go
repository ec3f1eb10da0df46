package pushconfig

import (
	"github.com/offlinepush/push"
	"github.com/offlinepush/push/pushtest"
)

// Sandbox is a pushtest fake vendor server that accepts one certificate's
// credentials, for trying a config without reaching the vendor (pushctl
// --sandbox and --dry-run).
type Sandbox struct {
	Server *pushtest.Server
	// Options point a client at the fake (endpoint, and an HTTP client that
	// trusts its TLS certificate where it has one).
	Options []push.Option
}

// Pusher builds c's client pointed at the sandbox (whatever endpoint the
// certificate names).
func (s *Sandbox) Pusher(c *Certificate, opts ...push.Option) (push.Pusher, error) {
	all := append(append(append([]push.Option(nil), opts...), c.Options()...), s.Options...)
	return c.build(all)
}

// Close stops the fake server.
func (s *Sandbox) Close() { s.Server.Close() }

// StartSandbox starts the fake server of c's vendor, set up with c's
// (resolved) credentials.
func (c *Certificate) StartSandbox() (*Sandbox, error) {
	str := func(key, v string) string { b, _ := c.secret(key, v); return string(b) }
	// Resolve every secret first so a missing one is reported, not faked.
	if _, err := c.build(nil); err != nil {
		return nil, err
	}
	var srv *pushtest.Server
	tls := false
	switch c.Vendor {
	case push.Xiaomi:
		srv = pushtest.NewXiaomi(str("appSecret", c.AppSecret), c.PackageName).Server
	case push.Huawei:
		srv = pushtest.NewHuawei(c.AppID, str("appSecret", c.AppSecret)).Server
	case push.Harmony:
		creds, _ := c.secret("credentialsJson", c.CredentialsJSON)
		h, err := pushtest.NewHarmony(creds)
		if err != nil {
			return nil, c.wrap(err)
		}
		srv = h.Server
	case push.Honor:
		srv = pushtest.NewHonor(c.AppID, c.ClientID, str("clientSecret", c.ClientSecret)).Server
	case push.OPPO:
		srv = pushtest.NewOPPO(c.AppKey, str("masterSecret", c.MasterSecret)).Server
	case push.Vivo:
		srv = pushtest.NewVivo(c.AppID, c.AppKey, str("appSecret", c.AppSecret)).Server
	case push.Meizu:
		srv = pushtest.NewMeizu(c.AppID, str("appSecret", c.AppSecret)).Server
	case push.FCM:
		creds, _ := c.secret("credentialsJson", c.CredentialsJSON)
		srv, tls = pushtest.NewFCM(creds).Server, true
	case push.APNs:
		key, _ := c.secret("privateKey", c.PrivateKey)
		srv, tls = pushtest.NewAPNs(c.TeamID, c.KeyID, key, c.Topic).Server, true
	default:
		return nil, &Error{Certificate: quote(c.ID), Key: "vendor", Rule: "has no sandbox"}
	}
	sb := &Sandbox{Server: srv, Options: []push.Option{push.WithEndpoint(srv.URL())}}
	if tls {
		sb.Options = append(sb.Options, push.WithHTTPClient(srv.Client()))
	}
	return sb, nil
}

// Demo returns a config with one certificate per vendor and throwaway
// credentials (fresh keys for HarmonyOS, FCM and APNs), for trying the
// tools with their sandboxes and no config file.
func Demo() *File {
	harmonyCreds, fcmCreds, apnsKey := string(pushtest.HarmonyCredentials()), string(pushtest.FCMCredentials("demo-project")), string(pushtest.APNsKey())
	return &File{Certificates: []Certificate{
		{ID: "demo-xiaomi", Vendor: push.Xiaomi, AppSecret: "demo-secret", PackageName: "com.example.chat", ChannelID: "im_private"},
		{ID: "demo-huawei", Vendor: push.Huawei, AppID: "100000001", AppSecret: "demo-secret"},
		{ID: "demo-harmony", Vendor: push.Harmony, CredentialsJSON: harmonyCreds},
		{ID: "demo-honor", Vendor: push.Honor, AppID: "100000002", ClientID: "demo-client", ClientSecret: "demo-secret"},
		{ID: "demo-oppo", Vendor: push.OPPO, AppKey: "demo-app-key", MasterSecret: "demo-master-secret", ChannelID: "im"},
		{ID: "demo-vivo", Vendor: push.Vivo, AppID: "10000", AppKey: "demo-app-key", AppSecret: "demo-secret"},
		{ID: "demo-meizu", Vendor: push.Meizu, AppID: "100999", AppSecret: "demo-secret"},
		{ID: "demo-fcm", Vendor: push.FCM, CredentialsJSON: fcmCreds},
		{ID: "demo-apns", Vendor: push.APNs, TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: apnsKey, Topic: "com.example.chat"},
	}}
}

package main

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/fcm"
	"github.com/offlinepush/push/harmony"
	"github.com/offlinepush/push/honor"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/meizu"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/vivo"
	"github.com/offlinepush/push/xiaomi"
)

// info is the one message every run sends: the quickstart's.
var info = &push.OfflinePushInfo{
	Title:    "Alice",
	Desc:     "See you at 8?",
	Ext:      `{"entity":{"chatType":1,"sender":"alice"}}`,
	IOSSound: "default",
	Click:    push.ClickAction{Kind: push.ClickOpenURL, URL: "https://example.com/chat/alice"},
}

// spec is what the bench knows about one vendor.
type spec struct {
	vendor push.Vendor
	// conc is the client's default concurrency (requests in flight), given
	// explicitly with push.WithConcurrency so the floor uses the same.
	conc int
	// batch is the vendor's tokens per send request.
	batch int
	// token makes the i-th device token of a run, shaped like the vendor's.
	token func(run, i int) string
	// isSend tells send requests from auth requests by path.
	isSend func(path string) bool
	// chains groups one push's sends into the sequences the library sends
	// one after the other (nil: every send stands alone).
	chains func(sends []replay) ([][]replay, error)
	// client builds a library client against the fake.
	client func(h *hello, conc int) (push.Pusher, error)
}

func suffix(s ...string) func(string) bool {
	return func(p string) bool {
		for _, x := range s {
			if strings.HasSuffix(p, x) {
				return true
			}
		}
		return false
	}
}

// tok makes a token of length n: a vendor prefix, then hex digits that are
// unique per (run, i).
func tok(prefix string, n, run, i int) string {
	id := fmt.Sprintf("%04x%08x", run&0xffff, i)
	pad := n - len(prefix) - len(id)
	if pad < 0 {
		pad = 0
	}
	return prefix + strings.Repeat("0", pad) + id
}

var specs = []spec{
	{
		vendor: push.Xiaomi, conc: 8, batch: xiaomi.MaxTokens,
		// regIds are 44 base64 characters
		token:  func(r, i int) string { return tok("mi", 44, r, i) },
		isSend: suffix(xiaomi.SendPath),
		client: func(h *hello, n int) (push.Pusher, error) {
			return xiaomi.New(xiaomi.Config{AppSecret: xiaomiSecret, PackageName: pkgName, ChannelID: "im_private"},
				push.WithEndpoint(h.URL), push.WithConcurrency(n))
		},
	},
	{
		vendor: push.Huawei, conc: 16, batch: huawei.MaxTokens,
		token:  func(r, i int) string { return tok("IQAAAACy0", 130, r, i) },
		isSend: suffix("/messages:send"),
		client: func(h *hello, n int) (push.Pusher, error) {
			return huawei.New(huawei.Config{AppID: huaweiAppID, AppSecret: xiaomiSecret, BadgeClass: pkgName + ".MainActivity"},
				push.WithEndpoint(h.URL), push.WithConcurrency(n))
		},
	},
	{
		vendor: push.Harmony, conc: 16, batch: harmony.MaxTokens,
		token:  func(r, i int) string { return tok("MAMzLg", 130, r, i) },
		isSend: suffix("/messages:send"),
		client: func(h *hello, n int) (push.Pusher, error) {
			return harmony.New(harmony.Config{CredentialsJSON: h.Credential}, push.WithEndpoint(h.URL), push.WithConcurrency(n))
		},
	},
	{
		vendor: push.Honor, conc: 8, batch: honor.MaxTokens,
		token:  func(r, i int) string { return tok("honor", 100, r, i) },
		isSend: suffix("/sendMessage"),
		client: func(h *hello, n int) (push.Pusher, error) {
			return honor.New(honor.Config{AppID: honorAppID, ClientID: honorClientID, ClientSecret: honorSecret,
				BadgeClass: pkgName + ".MainActivity"}, push.WithEndpoint(h.URL), push.WithConcurrency(n))
		},
	},
	{
		vendor: push.OPPO, conc: 8, batch: oppo.MaxTokens,
		token:  func(r, i int) string { return tok("CN_", 35, r, i) },
		isSend: suffix("/notification/unicast", "/notification/unicast_batch"),
		client: func(h *hello, n int) (push.Pusher, error) {
			return oppo.New(oppo.Config{AppKey: oppoAppKey, MasterSecret: oppoMaster, ChannelID: "im_private"},
				push.WithEndpoint(h.URL), push.WithConcurrency(n))
		},
	},
	{
		vendor: push.Vivo, conc: 16, batch: vivo.MaxTokens,
		token:  func(r, i int) string { return tok("16", 23, r, i) },
		isSend: suffix("/message/send", "/message/saveListPayload", "/message/pushToList"),
		chains: vivoChains,
		client: func(h *hello, n int) (push.Pusher, error) {
			return vivo.New(vivo.Config{AppID: vivoAppID, AppKey: vivoAppKey, AppSecret: vivoSecret},
				push.WithEndpoint(h.URL), push.WithConcurrency(n))
		},
	},
	{
		vendor: push.Meizu, conc: 8, batch: meizu.MaxTokens,
		token:  func(r, i int) string { return tok("ULY", 30, r, i) },
		isSend: suffix(meizu.SendPath),
		client: func(h *hello, n int) (push.Pusher, error) {
			return meizu.New(meizu.Config{AppID: meizuAppID, AppSecret: meizuSecret},
				push.WithEndpoint(h.URL), push.WithConcurrency(n))
		},
	},
	{
		vendor: push.FCM, conc: fcm.DefaultConcurrency, batch: 1,
		// registration tokens are about 163 characters
		token:  func(r, i int) string { return tok("fYx3kQ:APA91b", 163, r, i) },
		isSend: suffix("/messages:send"),
		client: func(h *hello, n int) (push.Pusher, error) {
			return fcm.New(fcm.Config{CredentialsJSON: h.Credential, ChannelID: "im_msg"},
				push.WithEndpoint(h.URL), push.WithHTTPClient(fcmHTTPClient(h)), push.WithConcurrency(n))
		},
	},
	{
		vendor: push.APNs, conc: apns.DefaultConcurrency, batch: 1,
		token:  func(r, i int) string { return tok("", 64, r, i) }, // 32 bytes in hex
		isSend: func(p string) bool { return strings.HasPrefix(p, apns.DevicePath) },
		client: func(h *hello, n int) (push.Pusher, error) {
			return apns.New(apns.Config{TeamID: apnsTeam, KeyID: apnsKeyID, PrivateKey: h.Credential, Topic: apnsTopic},
				push.WithEndpoint(h.URL), push.WithHTTPClient(apnsHTTPClient(h)), push.WithConcurrency(n))
		},
	},
}

func specOf(v string) (spec, bool) {
	for _, s := range specs {
		if string(s.vendor) == v {
			return s, true
		}
	}
	return spec{}, false
}

// pristine is net/http's default transport as it was at start, before the
// firebase peer set (see peers.go) trusts the fake's certificate on it.
var pristine = http.DefaultTransport.(*http.Transport).Clone()

func certPool(h *hello) *x509.CertPool {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(h.CertPEM) {
		panic("bench: the fake's certificate is not PEM")
	}
	return pool
}

// The TLS fakes need clients that trust their certificate. Each client is
// otherwise the library's own default for that vendor; one per vendor and
// run is shared by every client of that vendor, as the library's default
// transport is for the plain-HTTP vendors.
var tlsClients = map[string]*http.Client{}

// fcmHTTPClient is fcm.NewHTTPClient (what the fcm client uses without
// WithHTTPClient: its connection pool), trusting the fake.
func fcmHTTPClient(h *hello) *http.Client {
	key := "fcm " + h.URL
	if c := tlsClients[key]; c != nil {
		return c
	}
	c := fcm.NewHTTPClient()
	t := c.Transport.(interface{ Transport() *http.Transport }).Transport()
	t.TLSClientConfig = t.TLSClientConfig.Clone()
	t.TLSClientConfig.RootCAs = certPool(h)
	tlsClients[key] = c
	return c
}

// apnsHTTPClient is apns.NewHTTPClient (what the apns client uses without
// WithHTTPClient), trusting the fake.
func apnsHTTPClient(h *hello) *http.Client {
	key := "apns " + h.URL
	if c := tlsClients[key]; c != nil {
		return c
	}
	c := apns.NewHTTPClient()
	// Its Transport is the connection pool; the TLS settings are on the
	// http.Transport it dials through.
	t := c.Transport.(interface{ Transport() *http.Transport }).Transport()
	t.TLSClientConfig = t.TLSClientConfig.Clone()
	t.TLSClientConfig.RootCAs = certPool(h)
	tlsClients[key] = c
	return c
}

// vivoChains pairs each saveListPayload with the pushToList of its taskId:
// the library sends them one after the other, lists concurrently.
func vivoChains(sends []replay) ([][]replay, error) {
	var chains [][]replay
	at := map[string]int{} // taskId → chain
	for _, r := range sends {
		var v struct {
			TaskID string `json:"taskId"`
		}
		switch {
		case strings.HasSuffix(r.url, "/message/saveListPayload"):
			if err := json.Unmarshal(r.answer, &v); err != nil || v.TaskID == "" {
				return nil, fmt.Errorf("vivo: saveListPayload answered no taskId: %s", r.answer)
			}
			at[v.TaskID] = len(chains)
			chains = append(chains, []replay{r})
		case strings.HasSuffix(r.url, "/message/pushToList"):
			if err := json.Unmarshal(r.body, &v); err != nil {
				return nil, fmt.Errorf("vivo: pushToList body: %v", err)
			}
			i, ok := at[v.TaskID]
			if !ok {
				return nil, fmt.Errorf("vivo: pushToList before its saveListPayload")
			}
			chains[i] = append(chains[i], r)
		default:
			chains = append(chains, []replay{r})
		}
	}
	return chains, nil
}

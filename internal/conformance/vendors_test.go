package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/fcm"
	"github.com/offlinepush/push/harmony"
	"github.com/offlinepush/push/honor"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/internal/transport"
	"github.com/offlinepush/push/meizu"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/pushtest"
	"github.com/offlinepush/push/vivo"
	"github.com/offlinepush/push/xiaomi"
)

// vendorCase is one channel as the suites see it: how to start its fake and
// build a client pointed at it, what its tokens look like, and which of its
// own codes mean busy, rate limited and quota exhausted.
type vendorCase struct {
	name push.Vendor
	// batch is how many tokens one send request carries.
	batch int
	// idempotent: the vendor deduplicates a resent send (Xiaomi jobkey, OPPO
	// app_message_id, vivo requestId), so the client retries a request that
	// may already have arrived (a reset or a timeout after the body was
	// written). Elsewhere such a request fails with PossiblyDelivered.
	idempotent bool
	// authPath is the fake's access-token endpoint; empty with noAuth saying why.
	authPath, noAuth string
	// noExpiry, when set, says why tokens cannot be expired server-side.
	noExpiry string
	// busy, rate and quota are the vendor's own codes (a zero fault with why
	// set when the vendor has none).
	busy, rate, quota codeFault
	// http503 is the class a 503 that outlasts the retries ends in.
	http503 error
	// garbageOK: a 2xx whose body cannot be read still means "accepted"
	// (FCM and APNs: the status is the answer, the body only carries an id).
	garbageOK bool
	// garbagePD: an unreadable 2xx is reported PossiblyDelivered.
	garbagePD bool
	token     func(i int) string
	start     func(t testing.TB) *env

	// misconfigNoVerdict: the vendor's answer to a misconfigured app is not
	// a token verdict at all (FCM's SENDER_ID_MISMATCH is ErrAuth), so even
	// with the guard off no token is reported dead.
	misconfigNoVerdict bool
}

// codeFault is a vendor answer code injected through the fake.
type codeFault struct {
	fault pushtest.Fault
	// retried: the client retries it (a "try again" code); else it is
	// final on the first answer.
	retried bool
	// kind is the class of the outcome once retries are exhausted.
	kind error
	// why is the skip reason when the vendor has no such code.
	why string
	// note says how the vendor sends it, when not as a code in an HTTP 200.
	note string
}

// env is one started fake and how to build clients for it.
type env struct {
	srv *pushtest.Server
	// hc is the HTTP client the suites base their clients on: it trusts the
	// TLS fakes, and its idle connections are closed when the test ends.
	hc *http.Client
	// build makes a client with good credentials, wrong one whose
	// credentials the fake refuses.
	build, wrong func(opts ...push.Option) (push.Pusher, error)
	// configs are the Config values behind build and wrong, for the %v checks.
	configs []any
	// invalidConfigs are configs New must refuse; they carry the secrets.
	invalidConfigs func() []error
	// expire makes every access token issued so far expired on the fake.
	expire func()
	// fetches counts the access tokens obtained so far (token requests
	// answered by the fake, or distinct JWTs it saw).
	fetches func() int
	// reset makes the fake forget its records, faults and invalid tokens
	// (the vendor fake's own Reset, which may forget more).
	reset func()
	// secrets names every credential this env holds, for the secrets test.
	secrets map[string]string
	// opts are added to every client the env builds, and seen is told of
	// every Push answer (the secrets test sets both).
	opts []push.Option
	seen func(*push.Result, error)
}

func (e *env) observe(res *push.Result, err error) {
	if e.seen != nil {
		e.seen(res, err)
	}
}

// Credentials of the suites. Every secret is long and unique so that a
// substring search cannot match by chance.
const (
	xmSecret      = "xmSecret-4f1c9a7e2b6d8053-AppSecret"
	hwAppID       = "104536617"
	hwSecret      = "hwSecret-9b3e7d1a5c2f4068-AppSecret"
	hnAppID       = "104412345"
	hnClientID    = "hnClientID-1a2b3c4d5e6f7081"
	hnSecret      = "hnSecret-7c5a3e1f9d2b4068-ClientSecret"
	opAppKey      = "oppo-app-key-3141"
	opMaster      = "opMaster-2d4f6a8c1e3b5079-MasterSecret"
	vvAppID       = "10004"
	vvAppKey      = "vvAppKey-8e6c4a2f0d1b3957"
	vvSecret      = "vvSecret-5b7d9f1a3c5e7092-AppSecret"
	mzAppID       = "100999"
	mzSecret      = "mzSecret-6a8c0e2b4d6f8013-AppSecret"
	apTeam        = "TEAM123456"
	apKeyID       = "KEY1234567"
	apTopic       = "com.example.chat"
	wrongSuffix   = "-WRONG-0123456789"
	harmonyProjID = "388421841222199046"
)

// Keys are slow to make (RSA 2048), so each is made once per test binary.
var (
	harmonyCreds      = sync.OnceValue(pushtest.HarmonyCredentials)
	harmonyWrongCreds = sync.OnceValue(pushtest.HarmonyCredentials)
	fcmCreds          = sync.OnceValue(func() []byte { return pushtest.FCMCredentials("conformance-proj") })
	fcmWrongCreds     = sync.OnceValue(func() []byte { return pushtest.FCMCredentials("conformance-proj") })
	apnsKey           = sync.OnceValue(pushtest.APNsKey)
	apnsWrongKey      = sync.OnceValue(pushtest.APNsKey)
)

// plainHTTPClient is a private HTTP/1.1 client for a plain-HTTP fake.
func plainHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

func newEnv(t testing.TB, srv *pushtest.Server, tlsFake bool) *env {
	e := &env{srv: srv, secrets: map[string]string{}}
	if tlsFake {
		e.hc = srv.Client()
	} else {
		e.hc = plainHTTPClient()
	}
	t.Cleanup(func() {
		e.hc.CloseIdleConnections()
		srv.Close()
	})
	return e
}

// ownClient returns own, the HTTP client a vendor package builds for itself
// (its connection pool), taught to trust the fake that fake trusts: the
// suites then run through the connections production uses.
func ownClient(own, fake *http.Client) *http.Client {
	own.Transport.(*transport.Pool).Transport().TLSClientConfig.RootCAs = fake.Transport.(*http.Transport).TLSClientConfig.RootCAs
	return own
}

func apnsToken(i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "apns-device-%d", i))
	return hex.EncodeToString(sum[:])
}

var vendors = []*vendorCase{
	{
		name: push.Xiaomi, batch: xiaomi.MaxTokens, idempotent: true,
		noAuth:   "Xiaomi has no access token (the AppSecret goes in every request)",
		noExpiry: "Xiaomi has no access token to expire",
		busy:     codeFault{fault: pushtest.Fault{Code: "10002"}, retried: true, kind: push.ErrUnavailable},
		rate:     codeFault{fault: pushtest.Fault{Code: "10027"}, retried: true, kind: push.ErrRateLimited},
		quota:    codeFault{fault: pushtest.Fault{Code: "200001"}, kind: push.ErrQuota},
		http503:  push.ErrUnavailable,
		// Xiaomi: a 200 that does not say "accepted" may have been pushed;
		// the matrix's message has no ID, so a resend gets a new jobkey.
		garbagePD: true,
		token:     func(i int) string { return fmt.Sprintf("xm-regid-%06d", i) },
		start: func(t testing.TB) *env {
			srv := pushtest.NewXiaomi(xmSecret, "com.example.chat")
			e := newEnv(t, srv.Server, false)
			e.reset = srv.Reset
			good := xiaomi.Config{AppSecret: xmSecret, PackageName: "com.example.chat", ChannelID: "im_private"}
			bad := good
			bad.AppSecret += wrongSuffix
			e.build = func(o ...push.Option) (push.Pusher, error) { return xiaomi.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return xiaomi.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := xiaomi.New(xiaomi.Config{AppSecret: xmSecret})
				_, err2 := xiaomi.New(xiaomi.Config{AppSecret: xmSecret, PackageName: "p", ChannelID: "c", TTL: -1})
				return []error{err1, err2}
			}
			e.secrets["AppSecret"], e.secrets["wrong AppSecret"] = xmSecret, bad.AppSecret
			return e
		},
	},
	{
		name: push.Huawei, batch: huawei.MaxTokens,
		authPath: huawei.TokenPath,
		busy:     codeFault{fault: pushtest.Fault{Code: "81000001"}, retried: true, kind: push.ErrUnavailable},
		rate: codeFault{fault: pushtest.Fault{Code: "80100017"}, kind: push.ErrRateLimited,
			note: "80100017 (too many concurrent tasks) is final, not retried"},
		quota:   codeFault{why: "Huawei documents no daily-quota code"},
		http503: push.ErrUnavailable,
		token:   func(i int) string { return fmt.Sprintf("IQAAAACy0hw-%06d", i) },
		start: func(t testing.TB) *env {
			srv := pushtest.NewHuawei(hwAppID, hwSecret)
			e := newEnv(t, srv.Server, false)
			e.reset = srv.Reset
			good := huawei.Config{AppID: hwAppID, AppSecret: hwSecret, BadgeClass: "com.example.chat.MainActivity", ChannelID: "im_msg"}
			bad := good
			bad.AppSecret += wrongSuffix
			e.build = func(o ...push.Option) (push.Pusher, error) { return huawei.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return huawei.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := huawei.New(huawei.Config{AppSecret: hwSecret})
				_, err2 := huawei.New(huawei.Config{AppID: hwAppID, AppSecret: hwSecret, Importance: "LOUD"})
				return []error{err1, err2}
			}
			e.expire = srv.ExpireTokens
			e.fetches = srv.TokenRequests
			e.secrets["AppSecret"], e.secrets["wrong AppSecret"] = hwSecret, bad.AppSecret
			return e
		},
	},
	{
		name: push.Harmony, batch: harmony.MaxTokens,
		noAuth: "HarmonyOS signs its JWT locally: there is no token endpoint",
		busy:   codeFault{fault: pushtest.Fault{Code: "81000001"}, retried: true, kind: push.ErrUnavailable},
		rate: codeFault{fault: pushtest.Fault{Code: "80300029"}, kind: push.ErrRateLimited,
			note: "80300029 (test messages too often) is final; v3 flow control is HTTP 503"},
		quota:   codeFault{why: "Push Kit v3 documents no daily-quota code"},
		http503: push.ErrRateLimited, // v3 documents 503 as flow control
		token:   func(i int) string { return fmt.Sprintf("MAMzLg-hm-%06d", i) },
		start: func(t testing.TB) *env {
			creds := harmonyCreds()
			srv, err := pushtest.NewHarmony(creds)
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, srv.Server, false)
			e.reset = srv.Reset
			good := harmony.Config{CredentialsJSON: creds}
			bad := harmony.Config{CredentialsJSON: harmonyWrongCreds()}
			e.build = func(o ...push.Option) (push.Pusher, error) { return harmony.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return harmony.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := harmony.New(harmony.Config{CredentialsJSON: append([]byte("x"), creds...)})
				_, err2 := harmony.New(harmony.Config{CredentialsJSON: replaceJSONField(creds, "private_key", corruptPEM(jsonField(creds, "private_key")))})
				_, err3 := harmony.New(harmony.Config{CredentialsJSON: creds, PushType: 7})
				return []error{err1, err2, err3}
			}
			e.expire = srv.ExpireTokens
			e.fetches = srv.JWTs
			addKeySecrets(e.secrets, "private_key", jsonField(creds, "private_key"))
			addKeySecrets(e.secrets, "wrong private_key", jsonField(harmonyWrongCreds(), "private_key"))
			e.secrets["CredentialsJSON"] = string(creds)
			return e
		},
	},
	{
		name: push.Honor, batch: honor.MaxTokens,
		authPath:  pushtest.HonorTokenPath,
		busy:      codeFault{fault: pushtest.Fault{Code: "81000001"}, retried: true, kind: push.ErrUnavailable},
		rate:      codeFault{why: "Honor publishes no rate-limit code (its code table is not public)"},
		quota:     codeFault{why: "Honor publishes no daily-quota code"},
		http503:   push.ErrUnavailable,
		garbagePD: true, // Honor: a 2xx it cannot read may have been sent
		token:     func(i int) string { return fmt.Sprintf("honor-token-%06d", i) },
		start: func(t testing.TB) *env {
			srv := pushtest.NewHonor(hnAppID, hnClientID, hnSecret)
			e := newEnv(t, srv.Server, false)
			e.reset = srv.Reset
			good := honor.Config{AppID: hnAppID, ClientID: hnClientID, ClientSecret: hnSecret, BadgeClass: "com.example.chat.MainActivity"}
			bad := good
			bad.ClientSecret += wrongSuffix
			e.build = func(o ...push.Option) (push.Pusher, error) { return honor.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return honor.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := honor.New(honor.Config{ClientID: hnClientID, ClientSecret: hnSecret})
				_, err2 := honor.New(honor.Config{AppID: hnAppID, ClientID: hnClientID, ClientSecret: hnSecret, TokenURL: "ftp://" + hnSecret})
				return []error{err1, err2}
			}
			e.expire = srv.ExpireAccessTokens
			e.fetches = srv.TokenRequests
			e.secrets["ClientSecret"], e.secrets["wrong ClientSecret"] = hnSecret, bad.ClientSecret
			e.secrets["ClientID (masked by honor.Config)"] = hnClientID
			return e
		},
	},
	{
		name: push.OPPO, batch: oppo.MaxTokens, idempotent: true,
		authPath: oppo.AuthPath,
		busy:     codeFault{fault: pushtest.Fault{Code: "-1"}, retried: true, kind: push.ErrUnavailable},
		rate:     codeFault{fault: pushtest.Fault{Code: "-2"}, retried: true, kind: push.ErrRateLimited},
		quota:    codeFault{fault: pushtest.Fault{Code: "33"}, kind: push.ErrQuota},
		http503:  push.ErrUnavailable,
		token:    func(i int) string { return fmt.Sprintf("CN_oppo-regid-%06d", i) },
		start: func(t testing.TB) *env {
			srv := pushtest.NewOPPO(opAppKey, opMaster)
			e := newEnv(t, srv.Server, false)
			e.reset = srv.Reset
			good := oppo.Config{AppKey: opAppKey, MasterSecret: opMaster, ChannelID: "im_private"}
			bad := good
			bad.MasterSecret += wrongSuffix
			e.build = func(o ...push.Option) (push.Pusher, error) { return oppo.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return oppo.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := oppo.New(oppo.Config{AppKey: opAppKey, MasterSecret: opMaster})
				_, err2 := oppo.New(oppo.Config{MasterSecret: opMaster, ChannelID: "c"})
				return []error{err1, err2}
			}
			e.expire = srv.ExpireTokens
			e.fetches = func() int { return srv.Count(oppo.AuthPath) }
			e.secrets["MasterSecret"], e.secrets["wrong MasterSecret"] = opMaster, bad.MasterSecret
			return e
		},
	},
	{
		name: push.Vivo, batch: vivo.MaxTokens, idempotent: true,
		authPath: vivo.AuthPath,
		busy: codeFault{fault: pushtest.Fault{Status: 500, Body: "Internet server error!", ContentType: "text/plain"},
			retried: true, kind: push.ErrUnavailable, note: "vivo's busy is an HTTP 500 with a plain-text body"},
		rate:    codeFault{fault: pushtest.Fault{Code: "10072"}, retried: true, kind: push.ErrRateLimited},
		quota:   codeFault{fault: pushtest.Fault{Code: "10073"}, kind: push.ErrQuota},
		http503: push.ErrUnavailable,
		token:   func(i int) string { return fmt.Sprintf("vivo-regid-%06d", i) },
		start: func(t testing.TB) *env {
			srv := pushtest.NewVivo(vvAppID, vvAppKey, vvSecret)
			e := newEnv(t, srv.Server, false)
			e.reset = srv.Reset
			good := vivo.Config{AppID: vvAppID, AppKey: vvAppKey, AppSecret: vvSecret}
			bad := good
			bad.AppSecret += wrongSuffix
			e.build = func(o ...push.Option) (push.Pusher, error) { return vivo.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return vivo.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := vivo.New(vivo.Config{AppKey: vvAppKey, AppSecret: vvSecret})
				_, err2 := vivo.New(vivo.Config{AppID: vvAppID, AppKey: vvAppKey, AppSecret: vvSecret, Category: "NOPE"})
				return []error{err1, err2}
			}
			e.expire = srv.ExpireTokens
			e.fetches = func() int { return srv.Count(vivo.AuthPath) }
			e.secrets["AppSecret"], e.secrets["wrong AppSecret"] = vvSecret, bad.AppSecret
			e.secrets["AppKey (masked by vivo.Config)"] = vvAppKey
			return e
		},
	},
	{
		name: push.Meizu, batch: meizu.MaxTokens,
		noAuth:   "Meizu signs every request (MD5 with the AppSecret): no access token",
		noExpiry: "Meizu has no access token to expire",
		busy:     codeFault{fault: pushtest.Fault{Code: "1003"}, retried: true, kind: push.ErrUnavailable},
		rate:     codeFault{fault: pushtest.Fault{Code: "110010"}, retried: true, kind: push.ErrRateLimited},
		quota:    codeFault{fault: pushtest.Fault{Code: "110019"}, kind: push.ErrQuota},
		http503:  push.ErrUnavailable,
		// Meizu: a 2xx that does not say "200" may have been pushed, and
		// Meizu cannot deduplicate a resend.
		garbagePD: true,
		token:     func(i int) string { return fmt.Sprintf("mz-pushid-%06d", i) },
		start: func(t testing.TB) *env {
			srv := pushtest.NewMeizu(mzAppID, mzSecret)
			e := newEnv(t, srv.Server, false)
			e.reset = srv.Reset
			good := meizu.Config{AppID: mzAppID, AppSecret: mzSecret}
			bad := good
			bad.AppSecret += wrongSuffix
			e.build = func(o ...push.Option) (push.Pusher, error) { return meizu.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return meizu.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := meizu.New(meizu.Config{AppSecret: mzSecret})
				_, err2 := meizu.New(meizu.Config{AppID: mzAppID, AppSecret: mzSecret, Host: "not a url " + mzSecret})
				return []error{err1, err2}
			}
			e.secrets["AppSecret"], e.secrets["wrong AppSecret"] = mzSecret, bad.AppSecret
			return e
		},
	},
	{
		name: push.FCM, batch: 1,
		authPath: "/token",
		busy: codeFault{fault: pushtest.Fault{Code: "UNAVAILABLE"}, retried: true, kind: push.ErrUnavailable,
			note: "FCM's busy is HTTP 503 UNAVAILABLE"},
		rate: codeFault{fault: pushtest.Fault{Code: "QUOTA_EXCEEDED"}, retried: true, kind: push.ErrRateLimited,
			note: "FCM's rate limit is HTTP 429 QUOTA_EXCEEDED"},
		quota:     codeFault{why: "FCM has no daily quota (QUOTA_EXCEEDED is a message-rate limit: the rate-limit cell)"},
		http503:   push.ErrUnavailable,
		garbageOK: true,
		token:     func(i int) string { return fmt.Sprintf("fcm-token-%06d", i) },

		misconfigNoVerdict: true,
		start: func(t testing.TB) *env {
			creds := fcmCreds()
			srv := pushtest.NewFCM(creds)
			e := newEnv(t, srv.Server, true)
			e.hc = ownClient(fcm.NewHTTPClient(), e.hc)
			e.reset = srv.Reset
			good := fcm.Config{CredentialsJSON: creds, ChannelID: "im_msg"}
			bad := fcm.Config{CredentialsJSON: fcmWrongCreds(), ChannelID: "im_msg"}
			e.build = func(o ...push.Option) (push.Pusher, error) { return fcm.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return fcm.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := fcm.New(fcm.Config{CredentialsJSON: creds[:len(creds)/2]})
				_, err2 := fcm.New(fcm.Config{CredentialsJSON: replaceJSONField(creds, "private_key", corruptPEM(jsonField(creds, "private_key")))})
				_, err3 := fcm.New(fcm.Config{CredentialsJSON: creds, Priority: "urgent"})
				return []error{err1, err2, err3}
			}
			e.expire = srv.ExpireTokens
			e.fetches = srv.TokenRequests
			addKeySecrets(e.secrets, "private_key", jsonField(creds, "private_key"))
			addKeySecrets(e.secrets, "wrong private_key", jsonField(fcmWrongCreds(), "private_key"))
			e.secrets["CredentialsJSON"] = string(creds)
			return e
		},
	},
	{
		name: push.APNs, batch: 1,
		noAuth: "APNs provider tokens are signed locally: there is no token endpoint",
		noExpiry: "APNs judges a provider token by its age, and the client re-signs only a token at least " +
			"20 minutes old by its own clock, which this package cannot move: the cell checks that a young " +
			"token rejected as expired is not re-signed in a loop instead",
		busy: codeFault{fault: pushtest.Fault{Code: "ServiceUnavailable"}, retried: true, kind: push.ErrUnavailable,
			note: "APNs' busy is HTTP 503 ServiceUnavailable"},
		rate: codeFault{fault: pushtest.Fault{Code: "TooManyRequests"}, retried: true, kind: push.ErrRateLimited,
			note: "APNs' rate limit is HTTP 429 TooManyRequests"},
		quota:     codeFault{why: "APNs has no quota"},
		http503:   push.ErrUnavailable,
		garbageOK: true,
		token:     apnsToken,
		start: func(t testing.TB) *env {
			key := apnsKey()
			srv := pushtest.NewAPNs(apTeam, apKeyID, key, apTopic)
			e := newEnv(t, srv.Server, true)
			e.hc = ownClient(apns.NewHTTPClient(), e.hc)
			e.reset = srv.Reset
			good := apns.Config{TeamID: apTeam, KeyID: apKeyID, PrivateKey: key, Topic: apTopic}
			bad := good
			bad.PrivateKey = apnsWrongKey()
			e.build = func(o ...push.Option) (push.Pusher, error) { return apns.New(good, o...) }
			e.wrong = func(o ...push.Option) (push.Pusher, error) { return apns.New(bad, o...) }
			e.configs = []any{good, bad}
			e.invalidConfigs = func() []error {
				_, err1 := apns.New(apns.Config{TeamID: apTeam, KeyID: apKeyID, PrivateKey: []byte(corruptPEM(string(key))), Topic: apTopic})
				_, err2 := apns.New(apns.Config{TeamID: apTeam, KeyID: apKeyID, PrivateKey: key})
				_, err3 := apns.New(apns.Config{TeamID: apTeam, KeyID: apKeyID, PrivateKey: []byte(jsonField(fcmCreds(), "private_key")), Topic: apTopic})
				return []error{err1, err2, err3}
			}
			e.fetches = srv.Signatures
			addKeySecrets(e.secrets, "PrivateKey", string(key))
			addKeySecrets(e.secrets, "wrong PrivateKey", string(bad.PrivateKey))
			return e
		},
	},
}

// requests is how many send requests a fault-free push of n distinct tokens
// makes: one per batch (vivo: saveListPayload + pushToList per list of two
// or more).
func (v *vendorCase) requests(n int) int {
	total := 0
	for lo := 0; lo < n; lo += v.batch {
		if v.name == push.Vivo && min(v.batch, n-lo) > 1 {
			total += 2
		} else {
			total++
		}
	}
	return total
}

// chains is how many independent first requests a push of n tokens makes:
// one per batch. A fault on the first request of a batch stops the batch.
func (v *vendorCase) chains(n int) int { return (n + v.batch - 1) / v.batch }

// tokens returns n valid tokens starting at index from.
func (v *vendorCase) tokens(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = v.token(from + i)
	}
	return out
}

// client builds a client for the env with the suites' defaults: the fake's
// endpoint and HTTP client, a fast retry policy, and opts on top.
func (e *env) client(t testing.TB, opts ...push.Option) push.Pusher {
	t.Helper()
	all := append([]push.Option{
		push.WithEndpoint(e.srv.URL()),
		push.WithHTTPClient(e.hc),
		push.WithRetry(fastRetry),
		push.WithTimeout(10 * time.Second),
	}, e.opts...)
	all = append(all, opts...)
	p, err := e.build(all...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// fastRetry is the suites' policy: two retries, tiny jittered backoff, a
// 2 s cap on Retry-After.
var fastRetry = push.RetryPolicy{MaxRetries: 2, MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
	MaxRetryAfter: 2 * time.Second}

package redisstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
	"github.com/offlinepush/push/apns"
	"github.com/offlinepush/push/fcm"
	"github.com/offlinepush/push/harmony"
	"github.com/offlinepush/push/honor"
	"github.com/offlinepush/push/huawei"
	"github.com/offlinepush/push/oppo"
	"github.com/offlinepush/push/pushtest"
	redisstore "github.com/offlinepush/push/tokenstore/redis"
	"github.com/offlinepush/push/vivo"
	"github.com/offlinepush/push/xiaomi"
)

// The fleet tests run 8 instances of an IM backend against one Redis and
// one fake vendor: each instance has its own Redis client and store, its
// own vendor client and its own push.Router, as separate processes would.
const (
	instances   = 8
	perInstance = 8 // concurrent pushes per instance
	cert        = "cert"
)

// fakeVendor is one token vendor's fake server and how to build clients for
// it and count its token fetches.
type fakeVendor struct {
	newClient func(store push.TokenStore) (push.Pusher, error)
	devices   []string   // device tokens the fake accepts
	fetches   func() int // token requests (OAuth, auth) or distinct JWTs seen
	expire    func()     // makes every access token issued so far rejected
	key       string     // the client's auth.For key
	close     func()
}

// ownHTTP gives each instance its own HTTP client trusting a TLS fake (its
// own connections, as another process would have).
func ownHTTP(c *http.Client) *http.Client {
	return &http.Client{Transport: c.Transport.(*http.Transport).Clone()}
}

var vendors = map[string]func(t *testing.T) fakeVendor{
	"huawei": func(t *testing.T) fakeVendor {
		srv := pushtest.NewHuawei("104536617", "hw-app-secret")
		return fakeVendor{
			newClient: func(s push.TokenStore) (push.Pusher, error) {
				return huawei.New(huawei.Config{AppID: "104536617", AppSecret: "hw-app-secret"},
					push.WithEndpoint(srv.URL()), push.WithTokenStore(s))
			},
			devices: []string{"IQAAAACy0alice-phone", "IQAAAACy0alice-tablet"},
			fetches: srv.TokenRequests, expire: srv.ExpireTokens, key: "huawei/104536617", close: srv.Close,
		}
	},
	"honor": func(t *testing.T) fakeVendor {
		srv := pushtest.NewHonor("104412345", "honor-client-id", "honor-client-secret")
		return fakeVendor{
			newClient: func(s push.TokenStore) (push.Pusher, error) {
				return honor.New(honor.Config{AppID: "104412345", ClientID: "honor-client-id", ClientSecret: "honor-client-secret"},
					push.WithEndpoint(srv.URL()), push.WithTokenStore(s))
			},
			devices: []string{"honor-token-alice-phone", "honor-token-alice-tablet"},
			fetches: srv.TokenRequests, expire: srv.ExpireAccessTokens, key: "honor/104412345", close: srv.Close,
		}
	},
	"oppo": func(t *testing.T) fakeVendor {
		srv := pushtest.NewOPPO("oppo-app-key", "oppo-master-secret")
		return fakeVendor{
			newClient: func(s push.TokenStore) (push.Pusher, error) {
				return oppo.New(oppo.Config{AppKey: "oppo-app-key", MasterSecret: "oppo-master-secret", ChannelID: "im_private"},
					push.WithEndpoint(srv.URL()), push.WithTokenStore(s))
			},
			devices: []string{"CN_regid-alice-phone", "CN_regid-alice-tablet"},
			fetches: srv.AuthCalls, expire: srv.ExpireTokens, key: "oppo/oppo-app-key", close: srv.Close,
		}
	},
	"vivo": func(t *testing.T) fakeVendor {
		srv := pushtest.NewVivo("10004", "vivo-app-key", "vivo-app-secret")
		return fakeVendor{
			newClient: func(s push.TokenStore) (push.Pusher, error) {
				return vivo.New(vivo.Config{AppID: "10004", AppKey: "vivo-app-key", AppSecret: "vivo-app-secret"},
					push.WithEndpoint(srv.URL()), push.WithTokenStore(s))
			},
			devices: []string{"regid-alice-phone", "regid-alice-tablet"},
			fetches: func() int { return srv.Count("/message/auth") }, expire: srv.ExpireTokens, key: "vivo/10004", close: srv.Close,
		}
	},
	"fcm": func(t *testing.T) fakeVendor {
		creds := pushtest.FCMCredentials("fleet-project")
		srv := pushtest.NewFCM(creds)
		return fakeVendor{
			newClient: func(s push.TokenStore) (push.Pusher, error) {
				return fcm.New(fcm.Config{CredentialsJSON: creds, ChannelID: "im_msg"},
					push.WithEndpoint(srv.URL()), push.WithHTTPClient(ownHTTP(srv.Client())), push.WithTokenStore(s))
			},
			devices: []string{"fcm-token-alice-phone", "fcm-token-alice-tablet"},
			fetches: srv.TokenRequests, expire: srv.ExpireTokens, key: "fcm/fleet-project", close: srv.Close,
		}
	},
	"harmony": func(t *testing.T) fakeVendor {
		creds := pushtest.HarmonyCredentials()
		srv, err := pushtest.NewHarmony(creds)
		require.NoError(t, err)
		return fakeVendor{
			newClient: func(s push.TokenStore) (push.Pusher, error) {
				return harmony.New(harmony.Config{CredentialsJSON: creds}, push.WithEndpoint(srv.URL()), push.WithTokenStore(s))
			},
			devices: []string{"MAMzLg-alice-phone", "MAMzLg-alice-tablet"},
			// a signed JWT, not a fetch: count the distinct JWTs the fake saw
			fetches: srv.JWTs, expire: srv.ExpireTokens, key: "harmony/" + srv.ProjectID + "/" + srv.KeyID, close: srv.Close,
		}
	},
	"apns": func(t *testing.T) fakeVendor {
		key := pushtest.APNsKey()
		srv := pushtest.NewAPNs("TEAM123456", "KEY1234567", key, "com.example.chat")
		return fakeVendor{
			newClient: func(s push.TokenStore) (push.Pusher, error) {
				return apns.New(apns.Config{TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: key, Topic: "com.example.chat"},
					push.WithEndpoint(srv.URL()), push.WithHTTPClient(ownHTTP(srv.Client())), push.WithTokenStore(s))
			},
			devices: []string{apnsDevice("alice-iphone"), apnsDevice("alice-ipad")},
			fetches: srv.Signatures,
			// APNs re-signs only a token older than 20 minutes: see
			// TestFleetAPNsReSignsOnceAfterExpiry
			expire: nil, key: "apns/TEAM123456/KEY1234567", close: srv.Close,
		}
	},
}

var vendorOrder = []string{"huawei", "honor", "oppo", "vivo", "fcm", "harmony", "apns"}

func apnsDevice(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// newFleet starts n instances sharing the Redis under prefix.
func newFleet(t *testing.T, n int, prefix string, v fakeVendor, limits *push.Limits, opts ...redisstore.Option) ([]*push.Router, []*redisstore.Store) {
	t.Helper()
	var routers []*push.Router
	var stores []*redisstore.Store
	for range n {
		// A store call given up on (WithTimeout) makes the instance fetch
		// its own token: correct, but not what these tests count. The
		// bound is generous so that a loaded CI machine (-race, 2 CPUs)
		// does not trip it; TestRedisHungFailsWithinTimeout tests it.
		store, _ := newStore(t, prefix, append([]redisstore.Option{redisstore.WithTimeout(30 * time.Second)}, opts...)...)
		client, err := v.newClient(store)
		require.NoError(t, err)
		r := push.NewRouter()
		r.Register(cert, client)
		if limits != nil {
			l := *limits
			l.Breaker = store
			r.SetLimits(cert, l)
		}
		routers = append(routers, r)
		stores = append(stores, store)
	}
	return routers, stores
}

var info = &push.OfflinePushInfo{Title: "Alice", Desc: "See you at 8?", Ext: `{"conversation":"c2c_alice"}`}

// load pushes from every instance at once, perInstance concurrent pushes
// each, and returns the failed device outcomes.
func load(t *testing.T, routers []*push.Router, devices []string, perInstance int) []push.DeviceOutcome {
	t.Helper()
	var mu sync.Mutex
	var failed []push.DeviceOutcome
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, r := range routers {
		for range perInstance {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ds := make([]push.Device, len(devices))
				for i, d := range devices {
					ds[i] = push.Device{CertificateID: cert, Token: d}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				<-start
				res, err := r.Push(ctx, info, ds...)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed = append(failed, push.DeviceOutcome{Outcome: push.Outcome{Err: err}})
					return
				}
				failed = append(failed, res.Failed()...)
			}()
		}
	}
	close(start)
	wg.Wait()
	return failed
}

func requireDelivered(t *testing.T, failed []push.DeviceOutcome) {
	t.Helper()
	if len(failed) > 0 {
		t.Fatalf("%d device outcomes failed; first: %v", len(failed), failed[0].Err)
	}
}

// TestFleetFetchesEachTokenOnce: 8 instances under concurrent load (128
// pushes at once) get each vendor's access token with one fetch (one
// signed JWT for HarmonyOS and APNs) fleet-wide.
func TestFleetFetchesEachTokenOnce(t *testing.T) {
	for _, name := range vendorOrder {
		t.Run(name, func(t *testing.T) {
			needRedis(t)
			v := vendors[name](t)
			defer v.close()
			routers, _ := newFleet(t, instances, testPrefix(t), v, nil)
			requireDelivered(t, load(t, routers, v.devices, perInstance))
			requireDelivered(t, load(t, routers, v.devices, perInstance)) // and again, from memory
			t.Logf("%s: %d instances, %d pushes: %d token fetch(es)", name, instances, 2*instances*perInstance, v.fetches())
			assert.Equal(t, 1, v.fetches(), "one token fetch fleet-wide")
		})
	}
}

// TestFleetRefetchesOnceAfterExpiry: the vendor rejects the fleet's token
// at every instance at once; exactly one instance fetches the replacement
// and every push still goes through.
func TestFleetRefetchesOnceAfterExpiry(t *testing.T) {
	for _, name := range vendorOrder {
		if vendors[name](t).expire == nil {
			continue // apns: TestFleetAPNsReSignsOnceAfterExpiry
		}
		t.Run(name, func(t *testing.T) {
			needRedis(t)
			v := vendors[name](t)
			defer v.close()
			routers, _ := newFleet(t, instances, testPrefix(t), v, nil)
			requireDelivered(t, load(t, routers, v.devices, perInstance))
			require.Equal(t, 1, v.fetches())

			v.expire()
			requireDelivered(t, load(t, routers, v.devices, perInstance))
			t.Logf("%s: after the forced expiry, %d token fetches in all", name, v.fetches())
			assert.Equal(t, 2, v.fetches(), "exactly one re-fetch fleet-wide")
		})
	}
}

// TestFleetAPNsReSignsOnceAfterExpiry: APNs re-signs a provider token the
// fake calls expired only when it is older than apns.MinTokenAge, so the
// fleet starts with a 30-minute-old token in Redis (as if signed by an
// instance half an hour ago); then the fake's clock jumps past its hour.
func TestFleetAPNsReSignsOnceAfterExpiry(t *testing.T) {
	needRedis(t)
	key := pushtest.APNsKey()
	srv := pushtest.NewAPNs("TEAM123456", "KEY1234567", key, "com.example.chat")
	defer srv.Close()
	v := vendors["apns"](t)
	v.close()
	v.newClient = func(s push.TokenStore) (push.Pusher, error) {
		return apns.New(apns.Config{TeamID: "TEAM123456", KeyID: "KEY1234567", PrivateKey: key, Topic: "com.example.chat"},
			push.WithEndpoint(srv.URL()), push.WithHTTPClient(ownHTTP(srv.Client())), push.WithTokenStore(s))
	}
	prefix := testPrefix(t)
	routers, stores := newFleet(t, instances, prefix, v, nil)

	iat := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	old := signAPNs(t, key, "KEY1234567", "TEAM123456", iat)
	require.NoError(t, stores[0].Put(context.Background(), v.key, &oauth2.Token{AccessToken: old, TokenType: "bearer", Expiry: iat.Add(apns.TokenLifetime)}))

	requireDelivered(t, load(t, routers, v.devices, perInstance))
	require.Equal(t, 1, srv.Signatures(), "the fleet used the token in Redis; nobody signed")

	srv.SetClock(func() time.Time { return time.Now().Add(31 * time.Minute) }) // the old token is now over an hour old
	requireDelivered(t, load(t, routers, v.devices, perInstance))
	t.Logf("apns: after the forced expiry, %d distinct provider tokens in all", srv.Signatures())
	assert.Equal(t, 2, srv.Signatures(), "exactly one re-sign fleet-wide")
}

// signAPNs signs an ES256 provider token as an instance of the fleet would.
func signAPNs(t *testing.T, p8 []byte, keyID, teamID string, iat time.Time) string {
	block, _ := pem.Decode(p8)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	ek := k.(*ecdsa.PrivateKey)
	h, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": keyID})
	c, _ := json.Marshal(map[string]any{"iss": teamID, "iat": iat.Unix()})
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, ek, sum[:])
	require.NoError(t, err)
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return in + "." + base64.RawURLEncoding.EncodeToString(sig[:])
}

// TestFleetSurvivesAKilledLockHolder: an instance took the fetch lock (a
// raw SET NX PX 500 ms, as a process killed mid-fetch leaves it) and never
// released it. The others wait for the lock to expire, not for the
// 15-second lock TTL of a live holder, and then one of them fetches.
func TestFleetSurvivesAKilledLockHolder(t *testing.T) {
	needRedis(t)
	const held = 500 * time.Millisecond
	srv := pushtest.NewHuawei("104536617", "hw-app-secret")
	defer srv.Close()
	v := vendors["huawei"](t)
	v.close()
	v.newClient = func(s push.TokenStore) (push.Pusher, error) {
		return huawei.New(huawei.Config{AppID: "104536617", AppSecret: "hw-app-secret"}, push.WithEndpoint(srv.URL()), push.WithTokenStore(s))
	}
	prefix := testPrefix(t)
	raw := newClient(t)
	locked := time.Now()
	ok, err := raw.SetNX(context.Background(), prefix+"lock:"+v.key, "killed-instance", held).Result()
	require.NoError(t, err)
	require.True(t, ok)

	routers, _ := newFleet(t, instances, prefix, v, nil)
	requireDelivered(t, load(t, routers, v.devices, perInstance))
	done := time.Since(locked)
	var fetched []time.Time
	for _, r := range srv.Records() {
		if r.Path == "/oauth2/v3/token" {
			fetched = append(fetched, r.Time)
		}
	}
	require.Len(t, fetched, 1, "one fetch, by one of the waiting instances")
	wait := fetched[0].Sub(locked)
	t.Logf("lock held %v by a killed instance: the token was fetched %v after it was taken; all %d pushes done after %v",
		held, wait.Round(time.Millisecond), instances*perInstance, done.Round(time.Millisecond))
	assert.GreaterOrEqual(t, wait, held-20*time.Millisecond, "they waited for the lock")
	assert.Less(t, wait, held+5*time.Second, "and not for long after it expired (a live holder's lock lasts 15 s)")
}

// TestFleetQuotaBreakerStopsEveryInstance: one ErrQuota from Xiaomi at one
// instance trips the breaker in Redis; every instance then fails fast with
// ErrQuota and sends nothing more.
func TestFleetQuotaBreakerStopsEveryInstance(t *testing.T) {
	needRedis(t)
	srv := pushtest.NewXiaomi("mi-app-secret", "com.example.chat")
	defer srv.Close()
	v := fakeVendor{newClient: func(push.TokenStore) (push.Pusher, error) {
		return xiaomi.New(xiaomi.Config{AppSecret: "mi-app-secret", PackageName: "com.example.chat", ChannelID: "im_private"},
			push.WithEndpoint(srv.URL()))
	}}
	prefix := testPrefix(t)
	routers, _ := newFleet(t, instances, prefix, v, &push.Limits{QuotaBreaker: true})
	devices := []string{"regid-alice-phone", "regid-alice-tablet"}
	ds := []push.Device{{CertificateID: cert, Token: devices[0]}, {CertificateID: cert, Token: devices[1]}}

	srv.Inject(pushtest.Fault{Code: "200001"}) // today's quota is used up
	res, err := routers[3].Push(context.Background(), info, ds...)
	require.NoError(t, err)
	for _, o := range res.Outcomes {
		require.ErrorIs(t, o.Err, push.ErrQuota)
	}
	require.Len(t, srv.Sends(), 1)

	rdb := newClient(t)
	bk := prefix + "breaker:quota/xiaomi/" + cert
	ttl := rdb.PTTL(context.Background(), bk).Val()
	want := time.Until(push.NextMidnightChina(time.Now()))
	assert.InDelta(t, want.Seconds(), ttl.Seconds(), 2, "open in Redis until midnight China time")

	start := time.Now()
	failed := load(t, routers, devices, perInstance)
	took := time.Since(start)
	require.Len(t, failed, instances*perInstance*len(devices), "every device of every instance")
	for _, o := range failed {
		require.ErrorIs(t, o.Err, push.ErrQuota)
		require.Contains(t, o.Err.Error(), "quota breaker open until")
	}
	t.Logf("%d pushes on %d instances failed fast in %v; the fake got %d send request(s) in all", instances*perInstance, instances, took, len(srv.Sends()))
	assert.Len(t, srv.Sends(), 1, "no instance sent another request")
}

// TestFleetWithRedisDownStillPushes: the store is unreachable; every
// instance fetches its own token and every push goes through, promptly.
func TestFleetWithRedisDownStillPushes(t *testing.T) {
	v := vendors["huawei"](t)
	defer v.close()
	port, err := freePort()
	require.NoError(t, err)
	var routers []*push.Router
	for range instances {
		rdb := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			DialTimeout: 100 * time.Millisecond, DialerRetries: 1, MaxRetries: -1})
		defer rdb.Close()
		client, err := v.newClient(redisstore.New(rdb))
		require.NoError(t, err)
		r := push.NewRouter()
		r.Register(cert, client)
		r.SetLimits(cert, push.Limits{QuotaBreaker: true, Breaker: redisstore.New(rdb)})
		routers = append(routers, r)
	}
	start := time.Now()
	requireDelivered(t, load(t, routers, v.devices, perInstance))
	took := time.Since(start)
	t.Logf("Redis down: %d pushes went through in %v, %d token fetches (one per instance)", instances*perInstance, took, v.fetches())
	assert.Equal(t, instances, v.fetches())
	assert.Less(t, took, 10*time.Second, "no instance stalled on the store")
}

// slowTokens delays every request to the token endpoint, as a vendor whose
// OAuth server takes its time.
type slowTokens struct {
	base  http.RoundTripper
	path  string
	delay time.Duration
}

func (s slowTokens) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == s.path {
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return s.base.RoundTrip(r)
}

// TestFleetSlowFetchKeepsTheLock: the token fetch takes three lock TTLs;
// the fetcher's lock is renewed meanwhile, so no other instance fetches.
func TestFleetSlowFetchKeepsTheLock(t *testing.T) {
	needRedis(t)
	const lockTTL = 600 * time.Millisecond
	const fetch = 1800 * time.Millisecond
	srv := pushtest.NewHuawei("104536617", "hw-app-secret")
	defer srv.Close()
	v := vendors["huawei"](t)
	v.close()
	v.newClient = func(s push.TokenStore) (push.Pusher, error) {
		hc := &http.Client{Transport: slowTokens{http.DefaultTransport.(*http.Transport).Clone(), "/oauth2/v3/token", fetch}}
		return huawei.New(huawei.Config{AppID: "104536617", AppSecret: "hw-app-secret"},
			push.WithEndpoint(srv.URL()), push.WithHTTPClient(hc), push.WithTokenStore(s))
	}
	prefix := testPrefix(t)
	routers, _ := newFleet(t, instances, prefix, v, nil, redisstore.WithLockTTL(lockTTL))
	start := time.Now()
	requireDelivered(t, load(t, routers, v.devices, perInstance))
	t.Logf("a %v token fetch under a %v lock: %d fetch(es) fleet-wide, all pushes done after %v",
		fetch, lockTTL, srv.TokenRequests(), time.Since(start).Round(time.Millisecond))
	assert.Equal(t, 1, srv.TokenRequests(), "one fetch: the lock was renewed while it ran")
	assert.Zero(t, newClient(t).Exists(context.Background(), prefix+"lock:"+v.key).Val(), "released after the fetch")
}

// TestFleetRepairsAnUnreadableToken: Redis holds something under the
// token key that is not a token this store wrote. One instance fetches and
// overwrites it; the others use its token.
func TestFleetRepairsAnUnreadableToken(t *testing.T) {
	cases := map[string]func(rdb *redis.Client, key string) error{
		"not JSON": func(rdb *redis.Client, key string) error {
			return rdb.Set(context.Background(), key, "\x00garbage", 0).Err()
		},
		"no access_token": func(rdb *redis.Client, key string) error {
			return rdb.Set(context.Background(), key, `{"expiry":"x"}`, 0).Err()
		},
		"a hash": func(rdb *redis.Client, key string) error { return rdb.HSet(context.Background(), key, "a", "b").Err() },
	}
	for name, write := range cases {
		t.Run(name, func(t *testing.T) {
			needRedis(t)
			v := vendors["huawei"](t)
			defer v.close()
			prefix := testPrefix(t)
			rdb := newClient(t)
			require.NoError(t, write(rdb, prefix+"token:"+v.key))
			routers, stores := newFleet(t, instances, prefix, v, nil)
			requireDelivered(t, load(t, routers, v.devices, perInstance))
			t.Logf("%s: %d token fetch(es) fleet-wide", name, v.fetches())
			assert.Equal(t, 1, v.fetches(), "one instance fetched for all")
			tok, err := stores[0].Get(context.Background(), v.key)
			require.NoError(t, err)
			require.NotNil(t, tok, "the value was overwritten with the token")
			assert.Greater(t, rdb.PTTL(context.Background(), prefix+"token:"+v.key).Val(), time.Duration(0), "expiring with it")
		})
	}
}

var openUntil = regexp.MustCompile(`open until (\S+) \(`)

// TestFleetBreakerFarFutureThenDeleted: a breaker value in Redis far in the
// future (as a Trip from a broken clock writes it, or a foreign value
// without expiry) stops the fleet only until the next quota reset, and the
// stored value is repaired to it; once the key is deleted every instance
// sends again within Limits.BreakerRecheck.
func TestFleetBreakerFarFutureThenDeleted(t *testing.T) {
	far := time.Date(5138, 11, 16, 0, 0, 0, 0, time.UTC)
	cases := map[string]func(s *redisstore.Store, rdb *redis.Client, bk string) error{
		"tripped until 5138": func(s *redisstore.Store, _ *redis.Client, _ string) error {
			return s.Trip(context.Background(), "quota/xiaomi/"+cert, far)
		},
		"no expiry": func(_ *redisstore.Store, rdb *redis.Client, bk string) error {
			return rdb.Set(context.Background(), bk, strconv.FormatInt(far.UnixMilli(), 10), 0).Err()
		},
	}
	for name, write := range cases {
		t.Run(name, func(t *testing.T) {
			needRedis(t)
			const recheck = 100 * time.Millisecond
			srv := pushtest.NewXiaomi("mi-app-secret", "com.example.chat")
			defer srv.Close()
			v := fakeVendor{newClient: func(push.TokenStore) (push.Pusher, error) {
				return xiaomi.New(xiaomi.Config{AppSecret: "mi-app-secret", PackageName: "com.example.chat", ChannelID: "im_private"},
					push.WithEndpoint(srv.URL()))
			}}
			prefix := testPrefix(t)
			bk := prefix + "breaker:quota/xiaomi/" + cert
			routers, stores := newFleet(t, instances, prefix, v, &push.Limits{QuotaBreaker: true, BreakerRecheck: recheck})
			rdb := newClient(t)
			require.NoError(t, write(stores[0], rdb, bk))
			devices := []string{"regid-alice-phone", "regid-alice-tablet"}

			failed := load(t, routers, devices, 1)
			require.Len(t, failed, instances*len(devices), "open on every instance")
			reset := push.NextMidnightChina(time.Now())
			for _, o := range failed {
				require.ErrorIs(t, o.Err, push.ErrQuota)
				m := openUntil.FindStringSubmatch(o.Err.Error())
				require.Len(t, m, 2, o.Err.Error())
				until, err := time.Parse(time.RFC3339, m[1])
				require.NoError(t, err)
				require.True(t, until.Equal(reset), "open until the next quota reset %v, not %v", reset, until)
			}
			assert.InDelta(t, time.Until(reset).Seconds(), rdb.PTTL(context.Background(), bk).Val().Seconds(), 2, "the key now expires at the reset")
			assert.Empty(t, srv.Sends())

			require.NoError(t, rdb.Del(context.Background(), bk).Err()) // an operator reopens it
			time.Sleep(2 * recheck)
			requireDelivered(t, load(t, routers, devices, 1))
			assert.Len(t, srv.Sends(), instances, "every instance sends again")
		})
	}
}

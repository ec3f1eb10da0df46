package redisstore_test

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	redisstore "github.com/offlinepush/push/tokenstore/redis"
)

var bg = context.Background()

func TestTokenRoundTripAndTTL(t *testing.T) {
	prefix := testPrefix(t)
	s, rdb := newStore(t, prefix)
	exp := time.Now().Add(time.Hour)
	require.NoError(t, s.Put(bg, "huawei/app1", &oauth2.Token{AccessToken: "tok-1", TokenType: "Bearer", Expiry: exp}))

	got, err := s.Get(bg, "huawei/app1")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "tok-1", got.AccessToken)
	assert.Equal(t, "Bearer", got.TokenType)
	assert.True(t, got.Expiry.Equal(exp), "expiry kept to the nanosecond: %v vs %v", got.Expiry, exp)

	// stored as JSON under <prefix>token:<key>, expiring with the token
	raw, err := rdb.Get(bg, prefix+"token:huawei/app1").Bytes()
	require.NoError(t, err)
	var fields map[string]any
	require.NoError(t, json.Unmarshal(raw, &fields))
	assert.ElementsMatch(t, []string{"access_token", "token_type", "expiry"}, keys(fields))
	ttl := rdb.PTTL(bg, prefix+"token:huawei/app1").Val()
	assert.InDelta(t, time.Hour.Seconds(), ttl.Seconds(), 2, "Redis TTL = expiry - now")

	missing, err := s.Get(bg, "huawei/other")
	require.NoError(t, err)
	assert.Nil(t, missing, "no token: nil, no error")
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestTokenExpiresInRedis(t *testing.T) {
	prefix := testPrefix(t)
	s, rdb := newStore(t, prefix)
	require.NoError(t, s.Put(bg, "oppo/k", &oauth2.Token{AccessToken: "short", Expiry: time.Now().Add(300 * time.Millisecond)}))
	ttl := rdb.PTTL(bg, prefix+"token:oppo/k").Val()
	assert.Greater(t, ttl, time.Duration(0))
	assert.LessOrEqual(t, ttl, 300*time.Millisecond)
	tok, err := s.Get(bg, "oppo/k")
	require.NoError(t, err)
	require.NotNil(t, tok)

	time.Sleep(400 * time.Millisecond)
	tok, err = s.Get(bg, "oppo/k")
	require.NoError(t, err)
	assert.Nil(t, tok, "gone with its expiry")
	assert.Zero(t, rdb.Exists(bg, prefix+"token:oppo/k").Val(), "Redis dropped the key")
}

func TestPutExpiredAndEndlessTokens(t *testing.T) {
	prefix := testPrefix(t)
	s, rdb := newStore(t, prefix)
	require.NoError(t, s.Put(bg, "vivo/a", &oauth2.Token{AccessToken: "old", Expiry: time.Now().Add(-time.Second)}))
	assert.Zero(t, rdb.Exists(bg, prefix+"token:vivo/a").Val(), "an expired token is not stored")

	require.NoError(t, s.Put(bg, "vivo/b", &oauth2.Token{AccessToken: "forever"}))
	assert.Equal(t, time.Duration(-1), rdb.PTTL(bg, prefix+"token:vivo/b").Val(), "no expiry: kept until invalidated")
	tok, err := s.Get(bg, "vivo/b")
	require.NoError(t, err)
	assert.Equal(t, "forever", tok.AccessToken)
	assert.True(t, tok.Expiry.IsZero())

	assert.Error(t, s.Put(bg, "vivo/c", &oauth2.Token{}), "an empty token is refused")
}

// TestGetRepairsAnUnreadableValue: a value this store did not write counts
// as no token (an error made every instance fetch its own, for ever), so
// the fetcher's Put overwrites it; its text never reaches an error.
func TestGetRepairsAnUnreadableValue(t *testing.T) {
	cases := []struct {
		name  string
		write func(rdb *redis.Client, key string) error
	}{
		{"not JSON", func(rdb *redis.Client, key string) error { return rdb.Set(bg, key, "not-json secret-ish", 0).Err() }},
		{"no access_token", func(rdb *redis.Client, key string) error {
			return rdb.Set(bg, key, `{"token_type":"Bearer","secret":"secret-ish"}`, 0).Err()
		}},
		{"not a string", func(rdb *redis.Client, key string) error { return rdb.HSet(bg, key, "secret-ish", "1").Err() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prefix := testPrefix(t)
			s, rdb := newStore(t, prefix)
			require.NoError(t, c.write(rdb, prefix+"token:x/y"))
			tok, err := s.Get(bg, "x/y")
			require.NoError(t, err, "no error: the caller fetches under the lock")
			assert.Nil(t, tok)

			require.NoError(t, s.Put(bg, "x/y", &oauth2.Token{AccessToken: "fresh", Expiry: time.Now().Add(time.Hour)}))
			tok, err = s.Get(bg, "x/y")
			require.NoError(t, err)
			require.NotNil(t, tok, "overwritten")
			assert.Equal(t, "fresh", tok.AccessToken)
		})
	}
}

func TestLockIsExclusiveAndExpires(t *testing.T) {
	prefix := testPrefix(t)
	a, rdb := newStore(t, prefix)
	b, _ := newStore(t, prefix)

	crash, crashed := context.WithCancel(bg)
	unlockA, ok, err := a.Lock(crash, "fcm/p", 600*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok)
	require.NotNil(t, unlockA)
	ttl := rdb.PTTL(bg, prefix+"lock:fcm/p").Val()
	assert.Greater(t, ttl, time.Duration(0), "SET NX PX ttl")
	assert.LessOrEqual(t, ttl, 600*time.Millisecond)

	unlockB, ok, err := b.Lock(bg, "fcm/p", time.Second)
	require.NoError(t, err)
	assert.False(t, ok, "held by a")
	require.NotNil(t, unlockB)
	unlockB() // a no-op: b does not hold it
	assert.EqualValues(t, 1, rdb.Exists(bg, prefix+"lock:fcm/p").Val())

	crashed() // a crashed (its renewal stopped): its lock expires
	time.Sleep(650 * time.Millisecond)
	_, ok, err = b.Lock(bg, "fcm/p", time.Second)
	require.NoError(t, err)
	assert.True(t, ok, "taken after the holder's lock expired")

	_, ok, err = a.Lock(bg, "fcm/other", time.Second)
	require.NoError(t, err)
	assert.True(t, ok, "locks are per key")

	_, _, err = a.Lock(bg, "fcm/zero", 0)
	assert.Error(t, err, "a lock must expire")
}

// TestLockRenewedWhileHeld: a holder slower than the TTL keeps the lock
// (renewed every ttl/3), and renewal stops at unlock: a value put back
// under the lock afterwards expires on its own.
// TestWithLockTTL: the store's lock TTL replaces the one the caller asks
// for (the push clients ask for 15 s), for the lock and its renewals;
// without it the caller's stands.
func TestWithLockTTL(t *testing.T) {
	cases := []struct {
		name string
		opts []redisstore.Option
		ask  time.Duration
		want time.Duration
	}{
		{"store's TTL", []redisstore.Option{redisstore.WithLockTTL(300 * time.Millisecond)}, 15 * time.Second, 300 * time.Millisecond},
		{"caller's TTL", nil, 400 * time.Millisecond, 400 * time.Millisecond},
		{"zero keeps the caller's", []redisstore.Option{redisstore.WithLockTTL(0)}, 400 * time.Millisecond, 400 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prefix := testPrefix(t)
			s, rdb := newStore(t, prefix, c.opts...)
			lk := prefix + "lock:huawei/ttl"
			unlock, ok, err := s.Lock(bg, "huawei/ttl", c.ask)
			require.NoError(t, err)
			require.True(t, ok)
			defer unlock()
			for range 3 { // the first TTL, then renewed ones (past the first TTL)
				pttl := rdb.PTTL(bg, lk).Val()
				assert.Greater(t, pttl, time.Duration(0), "held")
				assert.LessOrEqual(t, pttl, c.want, "by the TTL, not more")
				time.Sleep(c.want * 2 / 3)
			}
		})
	}
}

func TestLockRenewedWhileHeld(t *testing.T) {
	prefix := testPrefix(t)
	a, rdb := newStore(t, prefix)
	b, _ := newStore(t, prefix)
	lk := prefix + "lock:huawei/slow"
	const ttl = 300 * time.Millisecond

	unlock, ok, err := a.Lock(bg, "huawei/slow", ttl)
	require.NoError(t, err)
	require.True(t, ok)
	held := rdb.Get(bg, lk).Val()
	for range 4 { // 1.2 s: four TTLs
		time.Sleep(ttl)
		_, ok, err := b.Lock(bg, "huawei/slow", ttl)
		require.NoError(t, err)
		require.False(t, ok, "still a's")
		assert.Equal(t, held, rdb.Get(bg, lk).Val())
		pttl := rdb.PTTL(bg, lk).Val()
		assert.Greater(t, pttl, time.Duration(0))
		assert.LessOrEqual(t, pttl, ttl, "renewed by ttl, not more")
	}

	unlock()
	assert.Zero(t, rdb.Exists(bg, lk).Val(), "released")
	require.NoError(t, rdb.Set(bg, lk, held, ttl).Err()) // as if a renewal were still running
	time.Sleep(ttl + 100*time.Millisecond)
	assert.Zero(t, rdb.Exists(bg, lk).Val(), "no renewal after unlock")
}

// TestLockRenewalEndsWithTheContext: a holder whose context ended (a hung
// fetch given up on) stops renewing; the lock expires within the TTL.
func TestLockRenewalEndsWithTheContext(t *testing.T) {
	prefix := testPrefix(t)
	a, _ := newStore(t, prefix)
	b, _ := newStore(t, prefix)
	ctx, cancel := context.WithCancel(bg)
	unlock, ok, err := a.Lock(ctx, "oppo/hung", 300*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok)
	defer unlock()
	time.Sleep(400 * time.Millisecond)
	_, ok, _ = b.Lock(bg, "oppo/hung", time.Second)
	require.False(t, ok, "renewed while ctx lasts")

	cancel()
	time.Sleep(400 * time.Millisecond)
	_, ok, err = b.Lock(bg, "oppo/hung", time.Second)
	require.NoError(t, err)
	assert.True(t, ok, "expired once renewal stopped")
}

// TestLockWithoutExpiryIsRepaired: a lock key with no expiry (not one Lock
// writes) would block the fleet for ever; it is given the TTL and ends.
func TestLockWithoutExpiryIsRepaired(t *testing.T) {
	prefix := testPrefix(t)
	s, rdb := newStore(t, prefix)
	lk := prefix + "lock:vivo/stuck"
	require.NoError(t, rdb.Set(bg, lk, "foreign", 0).Err())
	_, ok, err := s.Lock(bg, "vivo/stuck", 300*time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok, "someone's value: not taken")
	pttl := rdb.PTTL(bg, lk).Val()
	assert.Greater(t, pttl, time.Duration(0), "given an expiry")
	assert.LessOrEqual(t, pttl, 300*time.Millisecond)
	time.Sleep(350 * time.Millisecond)
	_, ok, err = s.Lock(bg, "vivo/stuck", 300*time.Millisecond)
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestUnlockOnlyByHolder(t *testing.T) {
	prefix := testPrefix(t)
	a, rdb := newStore(t, prefix)
	b, _ := newStore(t, prefix)
	lk := prefix + "lock:honor/1"

	stalled, stall := context.WithCancel(bg)
	unlockA, ok, err := a.Lock(stalled, "honor/1", 200*time.Millisecond)
	require.NoError(t, err)
	require.True(t, ok)
	stall() // a stopped renewing (its context ended) and was too slow: its lock expired
	time.Sleep(250 * time.Millisecond)
	unlockB, ok, err := b.Lock(bg, "honor/1", 10*time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	held := rdb.Get(bg, lk).Val()

	unlockA() // late: must not release b's lock
	assert.Equal(t, held, rdb.Get(bg, lk).Val(), "b still holds it")
	_, ok, _ = a.Lock(bg, "honor/1", time.Second)
	assert.False(t, ok)

	unlockB()
	assert.Zero(t, rdb.Exists(bg, lk).Val(), "the holder released it")
	unlockB() // twice is harmless
	_, ok, _ = a.Lock(bg, "honor/1", time.Second)
	assert.True(t, ok)
}

func TestInvalidateOnlyTheRejectedToken(t *testing.T) {
	prefix := testPrefix(t)
	s, rdb := newStore(t, prefix)
	exp := time.Now().Add(time.Hour)
	require.NoError(t, s.Put(bg, "huawei/9", &oauth2.Token{AccessToken: "tok-2", Expiry: exp}))

	require.NoError(t, s.Invalidate(bg, "huawei/9", "tok-1"), "an older token was rejected")
	tok, err := s.Get(bg, "huawei/9")
	require.NoError(t, err)
	require.NotNil(t, tok, "the replacement already published stays")
	assert.Equal(t, "tok-2", tok.AccessToken)

	require.NoError(t, s.Invalidate(bg, "huawei/9", "tok-2"))
	tok, err = s.Get(bg, "huawei/9")
	require.NoError(t, err)
	assert.Nil(t, tok, "the rejected token is gone")

	require.NoError(t, s.Invalidate(bg, "huawei/9", "tok-2"), "nothing to delete: no error")
	require.NoError(t, rdb.Set(bg, prefix+"token:huawei/9", "tok-2", 0).Err())
	require.NoError(t, s.Invalidate(bg, "huawei/9", "tok-2"), "a foreign value is left alone")
	assert.EqualValues(t, 1, rdb.Exists(bg, prefix+"token:huawei/9").Val())
}

func TestInvalidateRaceDeletesOnce(t *testing.T) {
	// 8 instances rejected with the same token invalidate at once, while
	// one of them publishes the replacement: the replacement survives.
	prefix := testPrefix(t)
	s, _ := newStore(t, prefix)
	require.NoError(t, s.Put(bg, "k", &oauth2.Token{AccessToken: "old", Expiry: time.Now().Add(time.Hour)}))
	require.NoError(t, s.Invalidate(bg, "k", "old"))
	require.NoError(t, s.Put(bg, "k", &oauth2.Token{AccessToken: "new", Expiry: time.Now().Add(time.Hour)}))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); assert.NoError(t, s.Invalidate(bg, "k", "old")) }()
	}
	wg.Wait()
	tok, err := s.Get(bg, "k")
	require.NoError(t, err)
	require.NotNil(t, tok)
	assert.Equal(t, "new", tok.AccessToken)
}

func TestBreakerTripAndExpiry(t *testing.T) {
	prefix := testPrefix(t)
	s, rdb := newStore(t, prefix)
	other, _ := newStore(t, prefix)

	until, err := other.Tripped(bg, "quota/xiaomi/mi")
	require.NoError(t, err)
	assert.True(t, until.IsZero(), "closed by default")

	want := time.Now().Add(400 * time.Millisecond)
	require.NoError(t, s.Trip(bg, "quota/xiaomi/mi", want))
	until, err = other.Tripped(bg, "quota/xiaomi/mi")
	require.NoError(t, err)
	assert.WithinDuration(t, want, until, time.Millisecond, "seen by another instance, to the millisecond")
	assert.False(t, until.Before(want), "never earlier than asked")
	ttl := rdb.PTTL(bg, prefix+"breaker:quota/xiaomi/mi").Val()
	assert.Greater(t, ttl, time.Duration(0), "expires at until (PXAT)")
	assert.LessOrEqual(t, ttl, 401*time.Millisecond)

	time.Sleep(time.Until(want) + 50*time.Millisecond)
	until, err = other.Tripped(bg, "quota/xiaomi/mi")
	require.NoError(t, err)
	assert.True(t, until.IsZero(), "closed again at until")
	assert.Zero(t, rdb.Exists(bg, prefix+"breaker:quota/xiaomi/mi").Val())

	// a whole-second time (EXAT) and a time in the past (closes)
	sec := time.Unix(time.Now().Unix()+3600, 0)
	require.NoError(t, s.Trip(bg, "quota/oppo/o", sec))
	until, _ = other.Tripped(bg, "quota/oppo/o")
	assert.True(t, until.Equal(sec))
	require.NoError(t, s.Trip(bg, "quota/oppo/o", time.Now().Add(-time.Minute)))
	until, _ = other.Tripped(bg, "quota/oppo/o")
	assert.True(t, until.IsZero())
}

// TestTrippedNeverOutlivesTheKey: a breaker value later than its key's
// expiry is answered as the expiry (the key is the truth), and nothing
// once the key is gone.
func TestTrippedNeverOutlivesTheKey(t *testing.T) {
	prefix := testPrefix(t)
	s, rdb := newStore(t, prefix)
	bk := prefix + "breaker:quota/honor/h"
	far := time.Date(5138, 11, 16, 0, 0, 0, 0, time.UTC)
	require.NoError(t, rdb.Set(bg, bk, strconv.FormatInt(far.UnixMilli(), 10), 500*time.Millisecond).Err())
	until, err := s.Tripped(bg, "quota/honor/h")
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(500*time.Millisecond), until, 50*time.Millisecond, "cut to the key's expiry, not %v", until)

	require.NoError(t, rdb.Del(bg, bk).Err())
	until, err = s.Tripped(bg, "quota/honor/h")
	require.NoError(t, err)
	assert.True(t, until.IsZero(), "closed with the key")

	require.NoError(t, rdb.HSet(bg, bk, "x", "1").Err())
	_, err = s.Tripped(bg, "quota/honor/h")
	assert.Error(t, err, "not a breaker: the caller keeps sending")
}

func TestPrefixKeepsFleetsApart(t *testing.T) {
	p1, p2 := testPrefix(t), testPrefix(t)
	a, rdb := newStore(t, p1)
	b, _ := newStore(t, p2)
	require.NoError(t, a.Put(bg, "huawei/1", &oauth2.Token{AccessToken: "a", Expiry: time.Now().Add(time.Hour)}))
	tok, err := b.Get(bg, "huawei/1")
	require.NoError(t, err)
	assert.Nil(t, tok)
	_, ok, _ := a.Lock(bg, "huawei/1", time.Second)
	assert.True(t, ok)
	_, ok, _ = b.Lock(bg, "huawei/1", time.Second)
	assert.True(t, ok, "another prefix, another lock")
	ks, err := rdb.Keys(bg, p1+"*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{p1 + "token:huawei/1", p1 + "lock:huawei/1"}, ks)

	def := redisstore.New(rdb)
	require.NoError(t, def.Put(bg, "test/default-prefix", &oauth2.Token{AccessToken: "d", Expiry: time.Now().Add(time.Minute)}))
	defer rdb.Del(bg, "offlinepush:token:test/default-prefix")
	assert.EqualValues(t, 1, rdb.Exists(bg, "offlinepush:token:test/default-prefix").Val(), "default prefix offlinepush:")
}

// storeCalls runs every store method once and returns their errors.
func storeCalls(s *redisstore.Store) map[string]error {
	errs := map[string]error{}
	_, errs["Get"] = s.Get(bg, "huawei/1")
	errs["Put"] = s.Put(bg, "huawei/1", &oauth2.Token{AccessToken: "very-secret-access-token", Expiry: time.Now().Add(time.Hour)})
	_, _, errs["Lock"] = s.Lock(bg, "huawei/1", time.Second)
	errs["Invalidate"] = s.Invalidate(bg, "huawei/1", "very-secret-access-token")
	errs["Trip"] = s.Trip(bg, "quota/huawei/1", time.Now().Add(time.Hour))
	_, errs["Tripped"] = s.Tripped(bg, "quota/huawei/1")
	return errs
}

func TestRedisDownFailsFast(t *testing.T) {
	port, err := freePort() // nothing listens there
	require.NoError(t, err)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cases := []struct {
		name  string
		opts  *redis.Options
		store []redisstore.Option
		limit time.Duration
	}{
		// the client settings the README recommends for a fleet
		{"short client timeouts", &redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, DialerRetries: 1, MaxRetries: -1}, nil, 250 * time.Millisecond},
		// go-redis defaults (5 dial attempts, 3 retries), bounded by the store
		{"default client, WithTimeout", &redis.Options{Addr: addr}, []redisstore.Option{redisstore.WithTimeout(300 * time.Millisecond)}, 600 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rdb := redis.NewClient(c.opts)
			defer rdb.Close()
			s := redisstore.New(rdb, c.store...)
			start := time.Now()
			errs := storeCalls(s)
			took := time.Since(start)
			for name, err := range errs {
				require.Error(t, err, name)
				assert.Contains(t, err.Error(), "redisstore:", name)
				assert.NotContains(t, err.Error(), "very-secret-access-token", name)
			}
			t.Logf("%d calls to a Redis that refuses connections failed in %v (%v each)", len(errs), took, took/time.Duration(len(errs)))
			assert.Less(t, took/time.Duration(len(errs)), c.limit, "per call")
		})
	}
}

func TestRedisHungFailsWithinTimeout(t *testing.T) {
	// A server that accepts connections and never answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	var conns sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	conns.Add(1)
	go func() {
		defer conns.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
		}
	}()
	defer func() {
		l.Close()
		conns.Wait()
		for _, c := range open {
			c.Close()
		}
	}()
	rdb := redis.NewClient(&redis.Options{Addr: l.Addr().String()} /* go-redis defaults */)
	defer rdb.Close()
	s := redisstore.New(rdb, redisstore.WithTimeout(150*time.Millisecond))
	start := time.Now()
	_, err = s.Get(bg, "huawei/1")
	took := time.Since(start)
	require.Error(t, err)
	t.Logf("Get from a hung Redis failed after %v (WithTimeout 150ms)", took)
	assert.Less(t, took, time.Second)
	assert.Contains(t, err.Error(), "no answer within 150ms")
	assert.True(t, strings.HasPrefix(err.Error(), "redisstore:"))
}

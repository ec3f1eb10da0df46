// Package redisstore shares vendor access tokens and quota breakers between
// the instances of an IM backend through Redis. It implements
// push.TokenStore and push.BreakerStore:
//
//	store := redisstore.New(rdb)
//	client, err := huawei.New(cfg, push.WithTokenStore(store))
//	router.SetLimits("hw-prod", push.Limits{QuotaBreaker: true, Breaker: store})
//
// Give the same store (the same Redis, the same prefix) to every client of
// every instance: one instance fetches a vendor token while the others
// wait for it, a token the vendor rejects is replaced once for the whole
// fleet, and a certificate whose daily quota is used up stops on every
// instance at once.
//
// What is kept in Redis, under the prefix (default "offlinepush:"):
//
//	token:<key>    the token as JSON {access_token, token_type, expiry},
//	               expiring with the token
//	lock:<key>     the fetcher's random lock value, expiring after the
//	               lock's TTL so a crashed holder does not block the fleet;
//	               renewed while the holder's fetch runs
//	breaker:<key>  until when a quota breaker is open (Unix milliseconds),
//	               expiring then
//
// A value under these keys that this store did not write is repaired, not
// trusted: an unreadable token counts as no token, so one instance fetches
// and overwrites it; a lock without expiry is given the lock TTL; a breaker
// is never reported open past its key's expiry (and push.Limit caps it at
// the next quota reset).
//
// Keys name a credential ("huawei/<appId>", "apns/<teamId>/<keyId>"),
// never a secret. Access tokens are secrets: anyone who can read the Redis
// database can use them until they expire, so protect it like the vendor
// credentials (ACLs, TLS, a private network). This package never logs a
// token nor puts one in an error.
//
// When Redis fails, the store returns the error promptly (each call is
// bounded by WithTimeout, default 2 s, whether Redis refuses connections
// or hangs) and the push clients fetch their own tokens and send as if no
// breaker were shared: pushes go on, only the sharing stops. Short client
// timeouts (DialTimeout, ReadTimeout, WriteTimeout, DialerRetries: 1) also
// keep the calls given up on from piling up while Redis is away.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
)

// DefaultPrefix starts every key the store writes.
const DefaultPrefix = "offlinepush:"

// DefaultTimeout bounds each call to Redis. Redis answers in a millisecond
// or two, but a busy process may take a while to read the answer; a call
// given up on costs at most an extra token fetch, a store that hangs costs
// this much per push.
const DefaultTimeout = 2 * time.Second

// Store is a push.TokenStore and push.BreakerStore on Redis. It is safe for
// concurrent use; create one per Redis client and share it between the
// push clients and Routers of the process.
type Store struct {
	rdb     redis.UniversalClient
	prefix  string
	timeout time.Duration
	lockTTL time.Duration // 0: the TTL each Lock caller asks for
}

var (
	_ push.TokenStore   = (*Store)(nil)
	_ push.BreakerStore = (*Store)(nil)
)

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the prefix of every key (default DefaultPrefix), to keep
// several fleets or environments apart in one Redis database.
func WithPrefix(prefix string) Option { return func(s *Store) { s.prefix = prefix } }

// WithTimeout bounds each call to Redis (default DefaultTimeout; 0 or less:
// only the caller's context and the client's own timeouts bound it). The
// bound holds whatever the client's settings: a call Redis does not answer
// in time returns an error and is left to finish in the background. A
// store call that fails makes the push client fetch its own token or, for
// the breaker, send, so the bound is how long a push may wait for a Redis
// that is down or hung.
func WithTimeout(d time.Duration) Option { return func(s *Store) { s.timeout = d } }

// WithLockTTL sets how long a token fetcher's lock outlives a fetcher that
// crashed, in place of the TTL the push clients ask for (15 s); 0 or less
// keeps theirs. Shorter frees the fleet sooner after a crash, at the cost
// of a renewal every TTL/3 while a fetch runs.
func WithLockTTL(d time.Duration) Option { return func(s *Store) { s.lockTTL = d } }

// New returns a Store on client (a *redis.Client, *redis.ClusterClient,
// *redis.Ring or failover client). The store does not close the client.
func New(client redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: client, prefix: DefaultPrefix, timeout: DefaultTimeout}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Store) tokenKey(key string) string   { return s.prefix + "token:" + key }
func (s *Store) lockKey(key string) string    { return s.prefix + "lock:" + key }
func (s *Store) breakerKey(key string) string { return s.prefix + "breaker:" + key }

// call runs f under the store's timeout and returns when f does or when the
// time is up, whichever comes first: go-redis does not always stop at a
// context's deadline (dial retries, a server that accepts but never
// answers). When the caller has given up, f still finishes in the
// background and abandoned, if not nil, gets its result (to release a lock
// taken too late).
func call[T any](ctx context.Context, s *Store, f func(context.Context) (T, error), abandoned func(T)) (T, error) {
	if s.timeout <= 0 {
		return f(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	type result struct {
		v   T
		err error
	}
	var state atomic.Int32 // 0 running, 1 answered, 2 abandoned
	done := make(chan result, 1)
	go func() {
		defer cancel()
		v, err := f(ctx)
		if state.CompareAndSwap(0, 1) {
			done <- result{v, err}
		} else if abandoned != nil && err == nil {
			abandoned(v)
		}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		if !state.CompareAndSwap(0, 2) {
			r := <-done // answered just in time
			return r.v, r.err
		}
		var zero T
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return zero, fmt.Errorf("no answer within %v: %w", s.timeout, ctx.Err())
		}
		return zero, ctx.Err() // the caller gave up
	}
}

// call0 is call for functions with no result.
func call0(ctx context.Context, s *Store, f func(context.Context) error) error {
	_, err := call(ctx, s, func(ctx context.Context) (struct{}, error) { return struct{}{}, f(ctx) }, nil)
	return err
}

// storedToken is the JSON kept under token:<key>.
type storedToken struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type,omitempty"`
	Expiry      time.Time `json:"expiry,omitzero"`
}

// Get implements push.TokenStore: the token under key, or nil when there is
// none (or it has expired). A value this store did not write (not its
// JSON, no access_token, not even a string) counts as none: the caller then
// fetches under the lock and Put overwrites it, where an error would make
// every instance fetch its own token and leave the value there forever.
func (s *Store) Get(ctx context.Context, key string) (*oauth2.Token, error) {
	b, err := call(ctx, s, func(ctx context.Context) ([]byte, error) {
		return s.rdb.Get(ctx, s.tokenKey(key)).Bytes()
	}, nil)
	if errors.Is(err, redis.Nil) || wrongType(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: get token %q: %w", key, err)
	}
	var st storedToken
	if json.Unmarshal(b, &st) != nil || st.AccessToken == "" {
		return nil, nil // unreadable: replaced by the next fetch (its text is never quoted)
	}
	if !st.Expiry.IsZero() && !time.Now().Before(st.Expiry) {
		return nil, nil // Redis has not dropped it yet (clocks differ by a little)
	}
	return &oauth2.Token{AccessToken: st.AccessToken, TokenType: st.TokenType, Expiry: st.Expiry}, nil
}

// wrongType reports Redis's answer to GET on a key holding a list, hash, …
func wrongType(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Error(), "WRONGTYPE")
}

// Put implements push.TokenStore: it stores tok under key until tok
// expires (a token without expiry is kept until invalidated). A token that
// has already expired is not stored.
func (s *Store) Put(ctx context.Context, key string, tok *oauth2.Token) error {
	if tok == nil || tok.AccessToken == "" {
		return errors.New("redisstore: put: empty token")
	}
	var ttl time.Duration
	if !tok.Expiry.IsZero() {
		ttl = time.Until(tok.Expiry)
		if ttl < time.Millisecond {
			return nil
		}
	}
	b, err := json.Marshal(storedToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType, Expiry: tok.Expiry})
	if err != nil {
		return errors.New("redisstore: put: the token cannot be encoded")
	}
	// ttl 0: no expiry; otherwise PX (go-redis sends milliseconds when the
	// duration is not whole seconds).
	err = call0(ctx, s, func(ctx context.Context) error { return s.rdb.Set(ctx, s.tokenKey(key), b, ttl).Err() })
	if err != nil {
		return fmt.Errorf("redisstore: put token %q: %w", key, err)
	}
	return nil
}

// unlockScript deletes the lock only while it holds the caller's value: a
// holder whose lock expired and was taken by another must not release the
// other's.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// invalidateScript deletes the token only while it is the rejected one, so
// that of many instances rejected with the same token only the first
// deletes it, and a replacement already published stays.
var invalidateScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
	return 0
end
local ok, t = pcall(cjson.decode, v)
if ok and type(t) == 'table' and t['access_token'] == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// lockScript takes the lock (SET NX PX). A lock key without expiry was not
// written by Lock and would block the fleet for ever: it gets the TTL, so it
// ends like a crashed holder's.
var lockScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return 1
end
if redis.call('PTTL', KEYS[1]) == -1 then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// renewScript extends the lock only while it holds the caller's value.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// unlockTimeout bounds the release of a lock; unlock takes no context. A
// release that fails leaves the lock to expire.
const unlockTimeout = 5 * time.Second

// Lock implements push.TokenStore: SET lock:<key> <random> NX PX ttl. While
// the caller holds it, the lock is renewed every ttl/3 (compare and
// PEXPIRE), so a fetch slower than ttl keeps it and no second instance
// fetches; renewal stops at unlock, when ctx ends or when the lock is found
// lost, so a holder that crashed or hangs past its ctx frees the fleet
// within ttl. The returned unlock deletes the lock only if it still holds
// this caller's random value. When another holds the lock, ok is false and
// unlock does nothing. WithLockTTL, when given, replaces ttl.
func (s *Store) Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error) {
	if s.lockTTL > 0 {
		ttl = s.lockTTL
	}
	if ttl < time.Millisecond {
		return nil, false, fmt.Errorf("redisstore: lock %q: ttl %v is not positive", key, ttl)
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, false, fmt.Errorf("redisstore: lock %q: %w", key, err)
	}
	value := hex.EncodeToString(raw[:])
	lk := s.lockKey(key)
	release := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		_ = unlockScript.Run(ctx, s.rdb, []string{lk}, value).Err()
	}
	ok, err = call(ctx, s, func(ctx context.Context) (bool, error) {
		n, err := lockScript.Run(ctx, s.rdb, []string{lk}, value, ttl.Milliseconds()).Int64()
		return n == 1, err
	}, func(took bool) {
		if took { // taken after we gave up: let the others have it
			release()
		}
	})
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: lock %q: %w", key, err)
	}
	if !ok {
		return func() {}, false, nil
	}
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		s.renew(ctx, lk, value, ttl, stop)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-renewed // no renewal after the release
			release()
		})
	}, true, nil
}

// renew extends the lock lk holding value every ttl/3 until stop closes,
// ctx ends or the lock is no longer the caller's. A renewal Redis does not
// answer is tried again at the next tick; the lock lasts ttl after the
// last one that succeeded.
func (s *Store) renew(ctx context.Context, lk, value string, ttl time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(max(ttl/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		held, err := call(ctx, s, func(ctx context.Context) (int64, error) {
			return renewScript.Run(ctx, s.rdb, []string{lk}, value, ttl.Milliseconds()).Int64()
		}, nil)
		if err == nil && held == 0 {
			return // expired (Redis was away longer than ttl) and maybe taken by another
		}
	}
}

// Invalidate implements push.TokenStore: it deletes the token under key if
// its access_token is still rejected (compared and deleted atomically in a
// Lua script).
func (s *Store) Invalidate(ctx context.Context, key, rejected string) error {
	err := call0(ctx, s, func(ctx context.Context) error {
		return invalidateScript.Run(ctx, s.rdb, []string{s.tokenKey(key)}, rejected).Err()
	})
	if err != nil {
		return fmt.Errorf("redisstore: invalidate token %q: %w", key, err)
	}
	return nil
}

// Trip implements push.BreakerStore: breaker:<key> is set until `until`
// (SET … PXAT), and Redis drops it then. A time not in the future closes
// the breaker.
func (s *Store) Trip(ctx context.Context, key string, until time.Time) error {
	bk := s.breakerKey(key)
	var err error
	if !until.After(time.Now()) {
		err = call0(ctx, s, func(ctx context.Context) error { return s.rdb.Del(ctx, bk).Err() })
	} else {
		// whole milliseconds, rounded up: the breaker never ends early
		// (go-redis sends PXAT, or EXAT for a whole second, exactly)
		ms := until.UnixMilli()
		if time.UnixMilli(ms).Before(until) {
			ms++
		}
		until = time.UnixMilli(ms)
		err = call0(ctx, s, func(ctx context.Context) error {
			return s.rdb.SetArgs(ctx, bk, strconv.FormatInt(ms, 10), redis.SetArgs{ExpireAt: until}).Err()
		})
	}
	if err != nil {
		return fmt.Errorf("redisstore: trip breaker %q: %w", key, err)
	}
	return nil
}

// trippedScript reads the breaker and how long its key lives, at once.
var trippedScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
	return false
end
return {v, redis.call('PTTL', KEYS[1])}
`)

// Tripped implements push.BreakerStore: until when key's breaker is open,
// or the zero time when it is closed. The answer never outlives the key:
// a value later than the key's expiry (not one Trip wrote) is cut to the
// expiry, measured by Redis's clock. push.Limit caps what it gets at the
// next quota reset and reads the store again after Limits.BreakerRecheck, so
// a breaker key deleted in Redis reopens every instance.
func (s *Store) Tripped(ctx context.Context, key string) (time.Time, error) {
	bk := s.breakerKey(key)
	v, err := call(ctx, s, func(ctx context.Context) ([]any, error) {
		return trippedScript.Run(ctx, s.rdb, []string{bk}).Slice()
	}, nil)
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("redisstore: breaker %q: %w", key, err)
	}
	var str string
	var pttl int64
	if len(v) == 2 {
		str, _ = v[0].(string)
		pttl, _ = v[1].(int64)
	}
	ms, err := strconv.ParseInt(str, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("redisstore: the value under %q is not a breaker time", bk)
	}
	now := time.Now()
	until := time.UnixMilli(ms)
	if pttl >= 0 {
		// PTTL is whole milliseconds, rounded down: add the one it may lack
		if end := now.Add(time.Duration(pttl+1) * time.Millisecond); until.After(end) {
			until = end
		}
	}
	if !until.After(now) {
		return time.Time{}, nil
	}
	return until, nil
}

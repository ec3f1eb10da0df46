package pushtest

import (
	"context"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/offlinepush/push"
)

// TokenStore is an in-memory push.TokenStore and push.BreakerStore, with
// lock expiry, for tests of fleet behaviour without Redis: give the same
// store to several clients and they share one access token. Its Fail field
// makes every call fail, to test that pushes go on when the store is down.
type TokenStore struct {
	mu      sync.Mutex
	tokens  map[string]*oauth2.Token
	locks   map[string]lock
	breaker map[string]time.Time
	seq     int64
	// Fail, when set, is returned by every call.
	Fail error
	// Gets, Puts and Locks count calls, for assertions.
	Gets, Puts, Locks int
}

type lock struct {
	id      int64
	expires time.Time
}

var (
	_ push.TokenStore   = (*TokenStore)(nil)
	_ push.BreakerStore = (*TokenStore)(nil)
)

// NewTokenStore returns an empty store.
func NewTokenStore() *TokenStore {
	return &TokenStore{tokens: map[string]*oauth2.Token{}, locks: map[string]lock{}, breaker: map[string]time.Time{}}
}

// Get implements push.TokenStore.
func (s *TokenStore) Get(_ context.Context, key string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Gets++
	if s.Fail != nil {
		return nil, s.Fail
	}
	t := s.tokens[key]
	if t != nil && !t.Expiry.IsZero() && time.Now().After(t.Expiry) {
		delete(s.tokens, key)
		return nil, nil
	}
	return t, nil
}

// Put implements push.TokenStore.
func (s *TokenStore) Put(_ context.Context, key string, tok *oauth2.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Puts++
	if s.Fail != nil {
		return s.Fail
	}
	s.tokens[key] = tok
	return nil
}

// Lock implements push.TokenStore.
func (s *TokenStore) Lock(_ context.Context, key string, ttl time.Duration) (func(), bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Locks++
	if s.Fail != nil {
		return nil, false, s.Fail
	}
	if l, held := s.locks[key]; held && time.Now().Before(l.expires) {
		return func() {}, false, nil
	}
	s.seq++
	id := s.seq
	s.locks[key] = lock{id: id, expires: time.Now().Add(ttl)}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.locks[key].id == id { // only the holder's own lock
			delete(s.locks, key)
		}
	}, true, nil
}

// Invalidate implements push.TokenStore.
func (s *TokenStore) Invalidate(_ context.Context, key, rejected string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return s.Fail
	}
	if t := s.tokens[key]; t != nil && t.AccessToken == rejected {
		delete(s.tokens, key)
	}
	return nil
}

// Trip implements push.BreakerStore.
func (s *TokenStore) Trip(_ context.Context, key string, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return s.Fail
	}
	s.breaker[key] = until
	return nil
}

// Tripped implements push.BreakerStore.
func (s *TokenStore) Tripped(_ context.Context, key string) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return time.Time{}, s.Fail
	}
	return s.breaker[key], nil
}

package main

import (
	"slices"
	"sync"

	"github.com/offlinepush/push"
)

// Store keeps what the apps reported: each user's devices as (certificate
// ID, token), and who is logged in. A real IM server keeps this in its
// database; the in-memory one below is enough for the example.
type Store interface {
	// AddDevice records a device of a logged-in user (setOfflinePushConfig).
	// A device token belongs to one user: the phone's current one. When
	// another user signs in on the phone and reports it, it moves to that
	// user, so the previous one's messages no longer reach the phone.
	AddDevice(user string, d push.Device)
	// Devices returns the user's devices.
	Devices(user string) []push.Device
	// Logout forgets every device of the user: a logged-out user gets no
	// offline push.
	Logout(user string)
	// DeleteTokens removes dead tokens of a certificate, for every user.
	DeleteTokens(certificateID string, tokens []string) int
	// SetOnline records whether the user holds a live connection.
	SetOnline(user string, online bool)
	// Online reports whether the user holds a live connection.
	Online(user string) bool
}

// MemoryStore is a Store in memory, safe for concurrent use.
type MemoryStore struct {
	mu      sync.Mutex
	devices map[string][]push.Device
	online  map[string]bool
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{devices: map[string][]push.Device{}, online: map[string]bool{}}
}

func (s *MemoryStore) AddDevice(user string, d push.Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// the token moves to its new user (a database keeps a unique key on
	// (certificate, token) instead of scanning)
	for other, ds := range s.devices {
		if other != user {
			s.devices[other] = slices.DeleteFunc(ds, func(x push.Device) bool { return x == d })
		}
	}
	if !slices.Contains(s.devices[user], d) {
		s.devices[user] = append(s.devices[user], d)
	}
}

func (s *MemoryStore) Devices(user string) []push.Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.devices[user])
}

func (s *MemoryStore) Logout(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.devices, user)
	delete(s.online, user)
}

func (s *MemoryStore) DeleteTokens(certificateID string, tokens []string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for user, ds := range s.devices {
		kept := ds[:0]
		for _, d := range ds {
			if d.CertificateID == certificateID && slices.Contains(tokens, d.Token) {
				n++
				continue
			}
			kept = append(kept, d)
		}
		s.devices[user] = kept
	}
	return n
}

func (s *MemoryStore) SetOnline(user string, online bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.online[user] = online
}

func (s *MemoryStore) Online(user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.online[user]
}

// Package ids derives the message keys vendors deduplicate or collapse on
// (OPPO app_message_id, vivo requestId, Xiaomi jobkey, Android notify ids)
// from OfflinePushInfo.ID and CollapseID, or makes fresh random ones.
package ids

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// Key returns a hex key of n characters (n <= 64): derived from id when id
// is set, so the same message always gets the same key, else random.
func Key(id string, n int) string {
	var sum [32]byte
	if id != "" {
		sum = sha256.Sum256([]byte(id))
	} else {
		rand.Read(sum[:]) // never fails (crypto/rand panics on a broken OS source)
	}
	return hex.EncodeToString(sum[:])[:n]
}

// NotifyID returns an Android notification id in 1..2^31-1: derived from
// collapse when set (same collapse id, same notification slot), else random,
// so a new message does not replace the previous one.
func NotifyID(collapse string) int32 {
	var b [8]byte
	if collapse != "" {
		s := sha256.Sum256([]byte(collapse))
		copy(b[:], s[:8])
	} else {
		rand.Read(b[:])
	}
	v := int32(binary.BigEndian.Uint32(b[:4]) & 0x7fffffff)
	if v == 0 {
		v = 1
	}
	return v
}

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

// ListKey is Key(prefix+strings.Join(items, "\x00"), n) without building
// that string: a list of 1,000 tokens would cost tens of kilobytes per
// request.
func ListKey(prefix string, items []string, n int) string {
	h := sha256.New()
	// One scratch buffer: writing each string (and each separator) to the
	// hash.Hash interface directly would allocate a copy of it.
	buf := make([]byte, 0, 4096)
	buf = append(buf, prefix...)
	for i, it := range items {
		if len(buf)+len(it)+1 > cap(buf) {
			h.Write(buf)
			buf = buf[:0]
		}
		if i > 0 {
			buf = append(buf, 0)
		}
		buf = append(buf, it...)
	}
	h.Write(buf)
	var sum [32]byte
	return hex.EncodeToString(h.Sum(sum[:0]))[:n]
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

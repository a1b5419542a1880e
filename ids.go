package kith

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

var idGen struct {
	sync.Mutex
	lastMS  int64
	counter uint16 // 12 bits
}

// NewID returns a UUIDv7 (RFC 9562): a millisecond timestamp, then a 12-bit
// counter that keeps ids from one process strictly increasing within a
// millisecond, then 62 random bits. Ids therefore sort in creation order,
// which list pagination and "oldest match wins" rely on.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[8:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	idGen.Lock()
	ms := time.Now().UnixMilli()
	if ms <= idGen.lastMS {
		idGen.counter++
		if idGen.counter > 0xfff { // counter exhausted: borrow the next millisecond
			idGen.lastMS++
			idGen.counter = 0
		}
		ms = idGen.lastMS
	} else {
		idGen.lastMS = ms
		idGen.counter = uint16(b[8]) & 0x3f // random start leaves room to count up
	}
	counter := idGen.counter
	idGen.Unlock()

	binary.BigEndian.PutUint64(b[0:8], uint64(ms)<<16)
	b[6] = 0x70 | byte(counter>>8)
	b[7] = byte(counter)
	b[8] = 0x80 | b[8]&0x3f
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

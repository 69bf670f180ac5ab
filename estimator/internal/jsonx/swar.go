package jsonx

import "math/bits"

// Word-at-a-time ("SWAR") scanning: eight bytes are tested at once for the
// bytes a string scanner must stop at. The wasm backend runs byte loops
// slowly, so skipping plain text eight bytes per step pays off there most.
// The byte loads below are combined into one 64-bit load by the compiler on
// every target (amd64 and wasm alike); no unsafe is involved.

const (
	swarLSB = 0x0101010101010101
	swarMSB = 0x8080808080808080
)

// load64 returns the eight bytes s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// eqMask has bit 7 of every byte of x equal to c set — or of a later byte.
// A borrow only starts at a byte equal to c, so the lowest set bit is always
// exact, which is all the callers use. The caller masks with ^x & swarMSB.
func eqMask(x uint64, c byte) uint64 { return (x ^ swarLSB*uint64(c)) - swarLSB }

// strStop marks (bit 7 of each byte) the bytes the parser must look at inside
// a string: '"', '\\', control characters and non-ASCII bytes. Only the
// lowest set bit is exact; callers use bits.TrailingZeros64(m)/8.
func strStop(x uint64) uint64 {
	t := (x - swarLSB*0x20) | eqMask(x, '"') | eqMask(x, '\\')
	return (t&^x | x) & swarMSB
}

// writeStop is strStop for AppendString, which also escapes '<', '>' and '&'.
func writeStop(x uint64) uint64 {
	t := (x - swarLSB*0x20) | eqMask(x, '"') | eqMask(x, '\\') | eqMask(x, '<') | eqMask(x, '>') | eqMask(x, '&')
	return (t&^x | x) & swarMSB
}

// skipPlain returns the index of the first byte at or after i that strSafe
// does not pass, or a position in the last 7 bytes of s from which a byte
// loop must continue.
func skipPlain(s string, i int) int {
	for i+8 <= len(s) {
		if m := strStop(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	return i
}

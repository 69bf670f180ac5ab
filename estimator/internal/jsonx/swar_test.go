package jsonx

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// firstStop is the byte-at-a-time definition strStop and writeStop speed up.
func firstStop(w [8]byte, html bool) int {
	for i, c := range w {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || html && (c == '<' || c == '>' || c == '&') {
			return i
		}
	}
	return 8
}

func TestStopMasks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(w [8]byte) {
		x := load64(string(w[:]), 0)
		for _, html := range []bool{false, true} {
			m := strStop(x)
			if html {
				m = writeStop(x)
			}
			if got, want := bits.TrailingZeros64(m)/8, firstStop(w, html); got != want {
				t.Fatalf("%q html=%v: first stop %d, want %d", w[:], html, got, want)
			}
		}
	}
	// Every byte value at every position of a plain word, then random words
	// biased towards the boundary values.
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			w := [8]byte{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}
			w[pos] = byte(c)
			check(w)
		}
	}
	pick := []byte{0, 1, 0x1f, 0x20, 0x21, '"', '#', '&', '<', '>', '=', '[', '\\', ']', 0x7f, 0x80, 0xff, 'a', 'Z'}
	for n := 0; n < 200000; n++ {
		var w [8]byte
		for i := range w {
			if r.IntN(2) == 0 {
				w[i] = pick[r.IntN(len(pick))]
			} else {
				w[i] = byte(r.IntN(256))
			}
		}
		check(w)
	}
}

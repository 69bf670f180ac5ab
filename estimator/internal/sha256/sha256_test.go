package sha256_test

import (
	stdsha "crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/creditestimator/creditestimator/estimator/internal/sha256"
)

func TestKnownVectors(t *testing.T) {
	tests := map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq": "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		strings.Repeat("a", 1_000_000):                             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	}
	for in, want := range tests {
		got := sha256.Sum([]byte(in))
		assert.Equal(t, want, hex.EncodeToString(got[:]), "len %d", len(in))
	}
}

// Every length around the block and padding boundaries, and random data, against the standard library.
func TestAgainstStandardLibrary(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for n := 0; n <= 300; n++ {
		assert.Equal(t, stdsha.Sum256(buf[:n]), sha256.Sum(buf[:n]), "len %d", n)
	}
	for i := 0; i < 200; i++ {
		n := r.IntN(len(buf))
		assert.Equal(t, stdsha.Sum256(buf[:n]), sha256.Sum(buf[:n]), "len %d", n)
	}
}

func FuzzSum(f *testing.F) {
	f.Add([]byte("abc"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if stdsha.Sum256(data) != sha256.Sum(data) {
			t.Fatalf("mismatch for %x", data)
		}
	})
}

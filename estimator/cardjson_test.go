package estimator

import (
	"os"
	"testing"
)

// TestEmbeddedCardIsTheFile: the default card's bytes are ratecard.json's and its digest theirs,
// whether they came through //go:embed (cardjson.go) or the generated literal and build-time
// digest `make wasm` uses in its place.
func TestEmbeddedCardIsTheFile(t *testing.T) {
	want, err := os.ReadFile("ratecard.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(defaultCardJSON) != string(want) {
		t.Fatalf("the default card's bytes differ from ratecard.json (%d vs %d bytes)", len(defaultCardJSON), len(want))
	}
	fresh, perr := parseRateCard(want)
	if perr != nil {
		t.Fatal(perr)
	}
	if Default().Digest() != fresh.Digest() {
		t.Fatalf("the default card's digest %s (build time: %q) is not the digest of its bytes, %s", Default().Digest(), defaultCardDigest, fresh.Digest())
	}
}

package estimator

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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

// TestCardSourceBuilds builds the package with cardsource's file in place of cardjson.go, as
// `make wasm` does, and runs TestEmbeddedCardIsTheFile and the anchors on that build.
func TestCardSourceBuilds(t *testing.T) {
	if runtime.GOOS == "js" {
		return
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	dir := t.TempDir()
	src := filepath.Join(dir, "cardjson.go")
	gen := exec.Command(gobin, "run", "./internal/cmd/cardsource", "-card", "ratecard.json", "-out", src)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("cardsource: %v\n%s", err, out)
	}
	here, err := filepath.Abs("cardjson.go")
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, []byte(`{"Replace":{"`+here+`":"`+src+`"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(gobin, "test", "-count=1", "-overlay", overlay, "-run", "^(TestEmbeddedCardIsTheFile|TestDefaultCardAnchors)$", "-v", ".")
	out, err := run.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestEmbeddedCardIsTheFile") {
		t.Fatalf("the build with the generated card source: %v\n%s", err, out)
	}
}

package estimator_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A build with the card parsed at build time (what `make wasm` builds) gives the same card as
// parsing: the generator writes the file into a temporary folder, and the package's own test of
// the frozen card (TestFrozenCardEqualsParsed) runs in a build with it in place of the stand-in.
// Under js/wasm (make test-wasm) there is no go command to run; the native run covers it.
func TestFrozenCardBuilds(t *testing.T) {
	if runtime.GOOS == "js" {
		return
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	dir := t.TempDir()
	frozen := filepath.Join(dir, "frozencard.go")
	gen := exec.Command(gobin, "run", "-tags", "freezecard", "./internal/cmd/freezecard", "-out", frozen)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("freezecard: %v\n%s", err, out)
	}
	here, err := filepath.Abs("frozencard.go")
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, []byte(`{"Replace":{"`+here+`":"`+frozen+`"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(gobin, "test", "-count=1", "-overlay", overlay, "-run", "^TestFrozenCardEqualsParsed$", "-v", ".")
	run.Env = append(os.Environ(), "ESTIMATOR_FROZEN=1")
	out, err := run.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestFrozenCardEqualsParsed") {
		t.Fatalf("the build with the frozen card: %v\n%s", err, out)
	}
}

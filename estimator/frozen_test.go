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
	testGeneratedBuild(t, "frozencard.go", []string{"-tags", "freezecard", "./internal/cmd/freezecard"},
		[]string{"ESTIMATOR_FROZEN=1"}, "TestFrozenCardEqualsParsed")
}

// TestCardSourceBuilds builds the package with cardsource's file in place of cardjson.go, as
// `make wasm` does, and runs TestEmbeddedCardIsTheFile, the anchors, the deferred analyzer (read
// from the lexicon image there), the golden vectors and the corpus on that build.
func TestCardSourceBuilds(t *testing.T) {
	testGeneratedBuild(t, "cardjson.go", []string{"./internal/cmd/cardsource", "-card", "ratecard.json"},
		[]string{"ESTIMATOR_CARDSOURCE=1"}, "TestEmbeddedCardIsTheFile", "TestDefaultCardAnchors", "TestCardSpans", "TestDeferredAnalyzerEqualsEager",
		"TestLexiconImageIsUsed", "TestModelSpan", "TestDeferredBuildsConcurrent", "TestGoldenVectors", "TestComplexityCorpus")
}

// testGeneratedBuild runs a generator (go run gen... -out file) into a temporary folder, then
// the package's tests named by tests in a build with that file in place of the package's own
// (go test -overlay), with env added; the first test must pass. Under js/wasm (make test-wasm)
// there is no go command to run; the native run covers it.
func testGeneratedBuild(t *testing.T, file string, gen, env []string, tests ...string) {
	if runtime.GOOS == "js" {
		return
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	dir := t.TempDir()
	generated := filepath.Join(dir, file)
	cmd := exec.Command(gobin, append(append([]string{"run"}, gen...), "-out", generated)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", gen, err, out)
	}
	here, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, []byte(`{"Replace":{"`+here+`":"`+generated+`"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(gobin, "test", "-count=1", "-overlay", overlay, "-run", "^("+strings.Join(tests, "|")+")$", "-v", ".")
	run.Env = append(os.Environ(), env...)
	out, err := run.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+tests[0]) {
		t.Fatalf("the build with the generated %s: %v\n%s", file, err, out)
	}
}

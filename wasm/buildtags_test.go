//go:build !(js && wasm)

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryFileIsWasmOnly checks that every Go file of the module package,
// tests included, starts with the js && wasm build constraint, so nothing in
// wasm/ is ever compiled natively (except this checker).
func TestEveryFileIsWasmOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found only %v: run from the wasm directory", files)
	}
	for _, f := range files {
		if f == "buildtags_test.go" {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		first := ""
		if sc.Scan() {
			first = strings.TrimSpace(sc.Text())
		}
		fh.Close()
		if first != "//go:build js && wasm" {
			t.Errorf("%s: first line is %q, want //go:build js && wasm", f, first)
		}
	}
}

// TestModuleDependencies keeps out of the module the packages that cost its size budget most
// (issue 20: ≤ 1.75× a hello-world module, brotli) and that it has no use for: fmt and reflect
// (the patched safejs in third_party does without them), os and time, math/big.
func TestModuleDependencies(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	if !deps["github.com/hack-pad/safejs"] || !deps["github.com/creditestimator/creditestimator/estimator"] {
		t.Fatalf("go list -deps did not list the module's packages: %s", out)
	}
	for _, p := range []string{"fmt", "reflect", "os", "math/big", "encoding/hex", "sort", "encoding/json"} {
		if deps[p] {
			t.Errorf("the wasm module depends on %s", p)
		}
	}
}

//go:build !(js && wasm)

package main

import (
	"bufio"
	"os"
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

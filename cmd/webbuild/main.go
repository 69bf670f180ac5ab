// Command webbuild assembles the static web assets into one directory:
//
//	go run ./cmd/webbuild -wasm bin/estimator.wasm -wasm-exec $(go env GOROOT)/lib/wasm/wasm_exec.js -src web -out web/dist
//
// It copies the web sources (everything under -src except test/, dist/,
// node_modules/ and dot files), writes the module as estimator.<hash>.wasm and
// Go's wasm_exec.js as wasm_exec.<hash>.js (content-hashed names, so they can
// be cached forever), precompresses every wasm/js/css/html/json/svg file as
// .br (brotli q11) and .gz (gzip -9), and writes assets.json:
//
//	{
//	  "wasm": "estimator.<hash>.wasm",      // URLs relative to assets.json
//	  "wasmExec": "wasm_exec.<hash>.js",
//	  "shim": "estimator.js",
//	  "rateCard": {"version": "...", "digest": "sha256:..."},
//	  "defaultSpec": {...},                  // the widget's default spec (the card's reference point)
//	  "defaultQuote": {...},                 // estimator.Default().Do("quote", defaultSpec), computed natively
//	  "files": ["..."],                      // every served file (no .br/.gz), for the service worker
//	  "sizes": {"estimator.<hash>.wasm": {"raw": n, "br": n, "gz": n}, ...},
//	  "version": "0.1.0",                    // package.json's version
//	  "versioned": "v/0.1.0/"                // the package's files again, under an immutable path
//	}
//
// It also generates facts.js and facts.d.ts (what JS shares with Go: op names, error codes, the
// default spec and quote, the card, the buffer layout, the module URLs), writes the package's
// files again under v/<version>/ with integrity.json (their SRI hashes), and with -pkg-out the
// npm package directory. -ratecard builds for a platform's own card (link the same card into
// the module: make build RATECARD=path does both).
//
// The output is a pure function of the inputs: same inputs, same bytes.
// The output directory is emptied first.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

// readVersion reads "version" from a package.json: the one source of the package version.
func readVersion(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var pj struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &pj); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if pj.Version == "" {
		return "", fmt.Errorf("%s has no version", path)
	}
	return pj.Version, nil
}

func main() {
	var cfg Config
	flag.StringVar(&cfg.Wasm, "wasm", "bin/estimator.wasm", "the built WebAssembly module")
	flag.StringVar(&cfg.WasmExec, "wasm-exec", "", "wasm_exec.js of the Go toolchain that built the module ($(go env GOROOT)/lib/wasm/wasm_exec.js)")
	flag.StringVar(&cfg.Src, "src", "web", "web sources directory")
	flag.StringVar(&cfg.Out, "out", "web/dist", "output directory (emptied first)")
	flag.StringVar(&cfg.DefaultSpec, "default-spec", "", "JSON spec whose quote is precomputed into assets.json (default: the card's reference point)")
	flag.StringVar(&cfg.RateCard, "ratecard", "", "the platform's rate card (default: the embedded one); link the same card into the module")
	packageJSON := flag.String("package-json", "package.json", "package.json whose \"version\" is the package version")
	flag.StringVar(&cfg.PkgOut, "pkg-out", "", "also write the npm package directory here")
	flag.Parse()
	if *packageJSON != "" {
		v, err := readVersion(*packageJSON)
		if err != nil {
			fmt.Fprintln(os.Stderr, "webbuild:", err)
			os.Exit(1)
		}
		cfg.Version = v
	}
	if cfg.WasmExec == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	m, err := Build(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webbuild:", err)
		os.Exit(1)
	}
	s := m.Sizes[m.Wasm]
	fmt.Printf("webbuild: %s (%d files) module %s raw %d B, brotli %d B, gzip %d B; rate card %s\n",
		cfg.Out, len(m.Files), m.Wasm, s.Raw, s.Br, s.Gz, m.RateCard.Version)
}

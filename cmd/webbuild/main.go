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
//	  "defaultSpec": {...},                  // the widget's default spec
//	  "defaultQuote": {...},                 // estimator.Default().Do("quote", defaultSpec), computed natively
//	  "files": ["..."],                      // every served file (no .br/.gz), for the service worker
//	  "sizes": {"estimator.<hash>.wasm": {"raw": n, "br": n, "gz": n}, ...}
//	}
//
// The output is a pure function of the inputs: same inputs, same bytes.
// The output directory is emptied first.
package main

import (
	"flag"
	"fmt"
	"os"
)

// DefaultSpec is the spec the <credit-estimator> widget shows when it has
// no attributes (web/credit-estimator.js DEFAULT_SPEC); its quote is
// precomputed so the widget can show a number before the module loads.
const DefaultSpec = `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"","complexity":"auto","mode":"generate","count":1}`

func main() {
	var cfg Config
	flag.StringVar(&cfg.Wasm, "wasm", "bin/estimator.wasm", "the built WebAssembly module")
	flag.StringVar(&cfg.WasmExec, "wasm-exec", "", "wasm_exec.js of the Go toolchain that built the module ($(go env GOROOT)/lib/wasm/wasm_exec.js)")
	flag.StringVar(&cfg.Src, "src", "web", "web sources directory")
	flag.StringVar(&cfg.Out, "out", "web/dist", "output directory (emptied first)")
	flag.StringVar(&cfg.DefaultSpec, "default-spec", DefaultSpec, "JSON spec whose quote is precomputed into assets.json")
	flag.Parse()
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

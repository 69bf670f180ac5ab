package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/creditestimator/creditestimator/estimator"

	"github.com/andybalholm/brotli"
)

// Config is one build's inputs.
type Config struct {
	Wasm, WasmExec, Src, Out string
	// DefaultSpec is the JSON spec whose quote is precomputed; "" means the card's DefaultSpec.
	DefaultSpec string
	// RateCard is the path of the platform's rate card ("" = the embedded default card). The same
	// card must be linked into the module (make build RATECARD=path does both).
	RateCard string
	// Version is the package version (package.json's "version", the one source of it).
	Version string
	// PkgOut, when set, receives the npm package directory (make package runs npm pack in it).
	PkgOut string
}

// Manifest is assets.json.
type Manifest struct {
	Wasm        string          `json:"wasm"`
	WasmExec    string          `json:"wasmExec"`
	Shim        string          `json:"shim"`
	RateCard    CardInfo        `json:"rateCard"`
	DefaultSpec json.RawMessage `json:"defaultSpec"`
	// DefaultQuote is the native answer for DefaultSpec, byte for byte.
	DefaultQuote json.RawMessage `json:"defaultQuote"`
	Files        []string        `json:"files"`
	Sizes        map[string]Size `json:"sizes"`
	// Version is the package version; the same files are served under Versioned (v/<version>/),
	// whose integrity.json lists their SRI hashes.
	Version   string `json:"version"`
	Versioned string `json:"versioned"`
	// ScriptHashes are the Content-Security-Policy sources of the pages' inline scripts
	// ('sha256-…'): the server adds them to script-src.
	ScriptHashes []string `json:"scriptHashes,omitempty"`
}

// CardInfo names the embedded rate card.
type CardInfo struct {
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

// Size is a file's size raw and precompressed (0 when not precompressed).
type Size struct {
	Raw int `json:"raw"`
	Br  int `json:"br,omitempty"`
	Gz  int `json:"gz,omitempty"`
}

// compressible lists the extensions that get .br and .gz siblings.
var compressible = map[string]bool{".wasm": true, ".js": true, ".mjs": true, ".css": true, ".html": true, ".json": true, ".svg": true}

// skipDirs are source directories that are never copied.
var skipDirs = map[string]bool{"test": true, "dist": true, "node_modules": true, "package": true}

// Build writes the assets and returns the manifest it wrote as assets.json.
func Build(cfg Config) (*Manifest, error) {
	wasm, err := os.ReadFile(cfg.Wasm)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		return nil, fmt.Errorf("%s is not a WebAssembly module", cfg.Wasm)
	}
	wasmExec, err := os.ReadFile(cfg.WasmExec)
	if err != nil {
		return nil, err
	}
	if cfg.Version == "" {
		cfg.Version = "0.0.0-dev"
	}
	if !validVersion(cfg.Version) {
		return nil, fmt.Errorf("version %q is not a semantic version", cfg.Version)
	}
	card := estimator.Default()
	if cfg.RateCard != "" {
		b, err := os.ReadFile(cfg.RateCard)
		if err != nil {
			return nil, err
		}
		if card, err = estimator.ParseRateCard(b); err != nil {
			return nil, fmt.Errorf("rate card %s: %w", cfg.RateCard, err)
		}
	}
	if cfg.DefaultSpec == "" {
		cfg.DefaultSpec = string(card.DefaultSpec().AppendJSON(nil))
	}
	files := map[string][]byte{} // slash path in out → content
	if err := collect(cfg.Src, cfg.Out, files); err != nil {
		return nil, err
	}
	// Prices in the HTML before any script runs (prerender.go).
	for _, name := range []string{"index.html"} {
		if b, ok := files[name]; ok {
			files[name] = prerender(b, card)
		}
	}
	m := &Manifest{
		Wasm:      "estimator." + contentHash(wasm) + ".wasm",
		WasmExec:  "wasm_exec." + contentHash(wasmExec) + ".js",
		Shim:      "estimator.js",
		Sizes:     map[string]Size{},
		Version:   cfg.Version,
		Versioned: "v/" + cfg.Version + "/",
	}
	files[m.Wasm] = wasm
	files[m.WasmExec] = wasmExec
	if _, ok := files[m.Shim]; !ok {
		return nil, fmt.Errorf("%s/%s is missing", cfg.Src, m.Shim)
	}
	m.RateCard = CardInfo{Version: card.Version(), Digest: card.Digest()}
	if !json.Valid([]byte(cfg.DefaultSpec)) {
		return nil, fmt.Errorf("-default-spec is not JSON")
	}
	m.DefaultSpec = json.RawMessage(cfg.DefaultSpec)
	q, err := card.Do("quote", []byte(cfg.DefaultSpec))
	if err != nil {
		return nil, fmt.Errorf("default quote for %s: %w", cfg.DefaultSpec, err)
	}
	m.DefaultQuote = json.RawMessage(q)
	factsJS, factsDTS, err := generateFacts(card, m, cfg.DefaultSpec)
	if err != nil {
		return nil, err
	}
	files["facts.js"] = factsJS
	files["facts.d.ts"] = factsDTS
	// Every module a page's first live price needs, asked for with the HTML (preload.go).
	for name, b := range files {
		if path.Ext(name) != ".html" {
			continue
		}
		if files[name], err = addPreloads(name, b, files, m); err != nil {
			return nil, err
		}
	}
	// One module file per page (bundle.go).
	var pages []string
	for name := range files {
		if path.Ext(name) == ".html" {
			pages = append(pages, name)
		}
	}
	sort.Strings(pages)
	for _, name := range pages {
		if files[name], err = bundlePage(name, files[name], files); err != nil {
			return nil, err
		}
	}
	// The package's files, also served under v/<version>/ with their SRI hashes.
	pkg := packageFiles(files, m)
	integrity := integrityManifest(cfg.Version, pkg, files)
	files["integrity.json"] = integrity
	pkg = append(pkg, "integrity.json")
	for name := range files {
		m.Files = append(m.Files, name)
	}
	m.Files = append(m.Files, "assets.json")
	sort.Strings(m.Files)
	// Compress everything but assets.json (which holds the sizes) in parallel.
	type result struct{ br, gz []byte }
	results := map[string]*result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for name, b := range files {
		m.Sizes[name] = Size{Raw: len(b)}
		if !compressible[path.Ext(name)] {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			br, err1 := compressBrotli(b)
			gz, err2 := compressGzip(b)
			mu.Lock()
			defer mu.Unlock()
			if err := errors.Join(err1, err2); err != nil && firstErr == nil {
				firstErr = err
			}
			results[name] = &result{br, gz}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for name, r := range results {
		s := m.Sizes[name]
		s.Br, s.Gz = len(r.br), len(r.gz)
		m.Sizes[name] = s
	}
	// The versioned copies share the bytes (and compressed bytes) of the originals. They are not in
	// Files: the service worker need not cache them twice.
	for _, name := range pkg {
		files[m.Versioned+name] = files[name]
		if r := results[name]; r != nil {
			results[m.Versioned+name] = r
		}
	}

	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	manifest = append(manifest, '\n')

	if err := resetDir(cfg.Out, cfg.Src); err != nil {
		return nil, err
	}
	write := func(name string, b []byte) error {
		p := filepath.Join(cfg.Out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, b, 0o644)
	}
	for name, b := range files {
		if err := write(name, b); err != nil {
			return nil, err
		}
		if r := results[name]; r != nil {
			if err := errors.Join(write(name+".br", r.br), write(name+".gz", r.gz)); err != nil {
				return nil, err
			}
		}
	}
	br, err1 := compressBrotli(manifest)
	gz, err2 := compressGzip(manifest)
	if err := errors.Join(err1, err2, write("assets.json", manifest), write("assets.json.br", br), write("assets.json.gz", gz)); err != nil {
		return nil, err
	}
	if cfg.PkgOut != "" {
		if err := writePackage(cfg, pkg, files); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// collect reads the web sources into files, skipping the output directory,
// test/, dist/, node_modules/, dot files and stale precompressed files.
func collect(src, out string, files map[string][]byte) error {
	absOut, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		base := d.Name()
		if d.IsDir() {
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			if abs == absOut || strings.HasPrefix(base, ".") || (skipDirs[base] && !strings.Contains(rel, string(filepath.Separator))) || base == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(base, ".") || strings.HasSuffix(base, ".br") || strings.HasSuffix(base, ".gz") || strings.HasSuffix(base, ".wasm") {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
}

// resetDir empties out (creating it), refusing obviously wrong targets.
func resetDir(out, src string) error {
	absOut, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	absSrc, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	if out == "" || absOut == filepath.Dir(absOut) || absOut == absSrc || strings.HasPrefix(absSrc, absOut+string(filepath.Separator)) {
		return fmt.Errorf("refusing to empty output directory %q", out)
	}
	if err := os.RemoveAll(absOut); err != nil {
		return err
	}
	return os.MkdirAll(absOut, 0o755)
}

func contentHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:8])
}

func compressBrotli(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compressGzip writes gzip -9 with an empty header (no name, mtime 0), so the
// bytes depend on the content only.
func compressGzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

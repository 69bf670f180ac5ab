package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/require"
)

// fixture makes a source tree and inputs; the module is a tiny but valid
// wasm header plus filler, which is all webbuild looks at.
func fixture(t *testing.T) Config {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "web")
	files := map[string]string{
		"estimator.js":            "export const x = 1;\n",
		"index.html":              "<!doctype html><title>t</title>\n",
		"site.css":                "body{margin:0}\n",
		"sw.js":                   "self.addEventListener('fetch',()=>{});\n",
		"pages/a.html":            "<p>a</p>\n",
		"estimator.d.ts":          "export {};\n",
		"test/node/x.test.mjs":    "secret test\n",
		"dist/old.js":             "stale\n",
		"node_modules/m/index.js": "dep\n",
		".hidden":                 "no\n",
		"stale.js.br":             "no\n",
		"package/README.md":       "# the package {{VERSION}}\n",
	}
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wasm := filepath.Join(dir, "estimator.wasm")
	if err := os.WriteFile(wasm, append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("module body "), 5000)...), 0o644); err != nil {
		t.Fatal(err)
	}
	return Config{
		Wasm:     wasm,
		WasmExec: filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"),
		Src:      src,
		Out:      filepath.Join(src, "dist"),
	}
}

// tree reads every file under dir.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBuildLayoutAndManifest(t *testing.T) {
	cfg := fixture(t)
	m, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := tree(t, cfg.Out)
	for _, name := range []string{"estimator.js", "index.html", "site.css", "sw.js", "pages/a.html", "estimator.d.ts", m.Wasm, m.WasmExec, "assets.json"} {
		if _, ok := got[name]; !ok {
			t.Errorf("%s missing from the output", name)
		}
	}
	for name := range got {
		if strings.HasPrefix(name, "test/") || strings.HasPrefix(name, "dist/") || strings.HasPrefix(name, "node_modules/") || name == ".hidden" || name == "old.js" || strings.HasPrefix(name, "stale") {
			t.Errorf("%s should not be copied", name)
		}
	}
	if !strings.HasPrefix(m.Wasm, "estimator.") || len(m.Wasm) != len("estimator.0123456789abcdef.wasm") {
		t.Errorf("wasm name %q is not content-hashed", m.Wasm)
	}
	wantExec, _ := os.ReadFile(cfg.WasmExec)
	if !bytes.Equal(got[m.WasmExec], wantExec) {
		t.Error("wasm_exec.js was not copied verbatim")
	}
	// every compressible file has .br and .gz that decompress to it
	for name, b := range got {
		if strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
			continue
		}
		ext := filepath.Ext(name)
		br, hasBr := got[name+".br"]
		gz, hasGz := got[name+".gz"]
		if compressible[ext] != hasBr || compressible[ext] != hasGz {
			t.Errorf("%s: br %v gz %v, want %v", name, hasBr, hasGz, compressible[ext])
			continue
		}
		if !hasBr {
			continue
		}
		dbr, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
		if err != nil || !bytes.Equal(dbr, b) {
			t.Errorf("%s.br does not decompress to %s (%v)", name, name, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		dgz, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(dgz, b) {
			t.Errorf("%s.gz does not decompress to %s (%v)", name, name, err)
		}
		if !zr.ModTime.IsZero() || zr.Name != "" {
			t.Errorf("%s.gz header carries name %q / mtime %v", name, zr.Name, zr.ModTime)
		}
	}
	// assets.json on disk is the returned manifest, and its quote is native
	var disk Manifest
	if err := json.Unmarshal(got["assets.json"], &disk); err != nil {
		t.Fatal(err)
	}
	if disk.Wasm != m.Wasm || disk.WasmExec != m.WasmExec || disk.Shim != "estimator.js" {
		t.Errorf("assets.json names %q %q %q", disk.Wasm, disk.WasmExec, disk.Shim)
	}
	card := estimator.Default()
	if disk.RateCard.Version != card.Version() || disk.RateCard.Digest != card.Digest() {
		t.Errorf("rateCard %+v", disk.RateCard)
	}
	want, err := card.Do("quote", card.DefaultSpec().AppendJSON(nil))
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if json.Unmarshal(disk.DefaultQuote, &a) != nil || json.Unmarshal(want, &b) != nil || !jsonEqual(a, b) {
		t.Errorf("defaultQuote %s, want %s", disk.DefaultQuote, want)
	}
	for _, f := range disk.Files {
		if _, ok := got[f]; !ok {
			t.Errorf("files lists %s, which is not in the output", f)
		}
	}
	if s := disk.Sizes[m.Wasm]; s.Raw != len(got[m.Wasm]) || s.Br != len(got[m.Wasm+".br"]) || s.Gz != len(got[m.Wasm+".gz"]) {
		t.Errorf("sizes of the module %+v", s)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestBuildIsDeterministic(t *testing.T) {
	cfg := fixture(t)
	if _, err := Build(cfg); err != nil {
		t.Fatal(err)
	}
	first := tree(t, cfg.Out)
	// touch the sources (new mtimes) and build into the same directory again
	cfg2 := cfg
	if _, err := Build(cfg2); err != nil {
		t.Fatal(err)
	}
	second := tree(t, cfg.Out)
	if len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for name, b := range first {
		if !bytes.Equal(b, second[name]) {
			t.Errorf("%s differs between two builds", name)
		}
	}
	// a different module gives a different name, and the old one is gone
	if err := os.WriteFile(cfg.Wasm, []byte("\x00asm\x01\x00\x00\x00other"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	third := tree(t, cfg.Out)
	for name := range first {
		if strings.HasPrefix(name, "estimator.") && strings.Contains(name, ".wasm") {
			if _, ok := third[name]; ok {
				t.Errorf("stale %s left behind", name)
			}
		}
	}
	if _, ok := third[m.Wasm]; !ok {
		t.Errorf("%s missing", m.Wasm)
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	cfg := fixture(t)
	bad := cfg
	bad.Wasm = cfg.WasmExec // not a wasm module
	if _, err := Build(bad); err == nil {
		t.Error("a non-wasm module was accepted")
	}
	bad = cfg
	bad.DefaultSpec = `{"resolution":"1080p"`
	if _, err := Build(bad); err == nil {
		t.Error("a malformed default spec was accepted")
	}
	bad = cfg
	bad.DefaultSpec = `{"resolution":"999p","fps":30,"durationSeconds":10}`
	if _, err := Build(bad); err == nil {
		t.Error("a default spec the estimator refuses was accepted")
	}
	bad = cfg
	bad.Out = cfg.Src
	if _, err := Build(bad); err == nil {
		t.Error("emptying the source directory was allowed")
	}
	if _, err := os.Stat(filepath.Join(cfg.Src, "estimator.js")); err != nil {
		t.Fatal("sources were damaged:", err)
	}
}

// TestModuleBuildIsReproducible builds the real module twice with the
// Makefile's flags and compares the bytes.
func TestModuleBuildIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the wasm module twice")
	}
	dir := t.TempDir()
	var outs [][]byte
	for i := range 2 {
		out := filepath.Join(dir, "m"+string(rune('0'+i))+".wasm")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out, "github.com/creditestimator/creditestimator/wasm")
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatal("two builds of the module differ")
	}
}

// The shim passes a rate card up to estimator.MaxCardBytes to the module (every other request
// up to MaxRequestBytes): its constant is the engine's.
func TestShimCardLimit(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "web", "estimator.js"))
	if err != nil {
		t.Fatal(err)
	}
	want := "const MAX_CARD_BYTES = " + strconv.Itoa(estimator.MaxCardBytes) + ";"
	if !strings.Contains(string(src), want) {
		t.Errorf("web/estimator.js lacks %q", want)
	}
}

// TestBundlePage: a page's local module scripts become one content-named module; every bundled
// module keeps its own URL for import.meta.url; the modulepreload links of the bundled modules
// become one; the modules stay in files; a page with a module from elsewhere is left alone.
func TestBundlePage(t *testing.T) {
	files := map[string][]byte{
		"el.js":         []byte("import { shared } from './lib/shared.js';\nexport const elURL = import.meta.url;\nglobalThis.el = shared + 1;\n"),
		"lib/shared.js": []byte("export const shared = 41;\nexport const sharedURL = import.meta.url;\n"),
		"pages/page.js": []byte("import { shared, sharedURL } from '../lib/shared.js';\nimport { elURL } from '../el.js';\nglobalThis.urls = [new URL('../api/', import.meta.url).href, sharedURL, elURL, shared];\n"),
	}
	page := []byte("<!doctype html><html><head><meta charset=\"utf-8\">\n" +
		"  <link rel=\"modulepreload\" href=\"el.js\">\n  <link rel=\"modulepreload\" href=\"lib/shared.js\">\n  <link rel=\"modulepreload\" href=\"other.js\">\n" +
		"  <script type=\"module\" src=\"el.js\"></script>\n  <script type=\"module\" src=\"pages/page.js\"></script>\n</head><body></body></html>\n")
	files["other.js"] = []byte("export {};\n")
	out, err := bundlePage("index.html", page, files)
	require.NoError(t, err)
	scripts := pageModuleRe.FindAllSubmatch(out, -1)
	require.Len(t, scripts, 1, "%s", out)
	name := string(scripts[0][1])
	require.Regexp(t, `^index\.[0-9a-f]{16}\.js$`, name)
	code := string(files[name])
	require.NotEmpty(t, code)
	for _, own := range []string{`new URL("./el.js",import.meta.url).href`, `new URL("./lib/shared.js",import.meta.url).href`, `new URL("./pages/page.js",import.meta.url).href`} {
		require.Contains(t, code, own)
	}
	require.NotContains(t, code, "import ", "no import is left in the bundle")
	require.Equal(t, 1, strings.Count(code, "41"), "the shared module is in the bundle once")
	preloads := modulePreRe.FindAllSubmatch(out, -1)
	var hrefs []string
	for _, p := range preloads {
		hrefs = append(hrefs, string(p[1]))
	}
	require.Equal(t, []string{name, "other.js"}, hrefs)
	for _, f := range []string{"el.js", "lib/shared.js", "pages/page.js"} {
		require.Contains(t, files, f, "the unbundled module stays")
	}

	ext := []byte("<!doctype html><html><head><meta charset=\"utf-8\"><script type=\"module\" src=\"https://cdn.example/x.js\"></script></head></html>")
	got, err := bundlePage("ext.html", ext, files)
	require.NoError(t, err)
	require.Equal(t, string(ext), string(got))

	_, err = bundlePage("bad.html", []byte(`<script type="module" src="missing.js"></script>`), files)
	require.ErrorContains(t, err, "missing.js")
}

// TestBundleLeavesCataloguesOut: a language's catalogue, imported dynamically from a messages/
// directory, stays a file of its own (requested from where the bundle is); another dynamic
// import is bundled.
func TestBundleLeavesCataloguesOut(t *testing.T) {
	files := map[string][]byte{
		"ce/msgs.js":        []byte("globalThis.de = () => import('./messages/de.js');\nglobalThis.lazy = () => import('../lazy.js');\n"),
		"ce/messages/de.js": []byte("export default { hello: 'Hallo' };\n"),
		"lazy.js":           []byte("export const lazyText = 'bundled lazily';\n"),
		"pages/page.js":     []byte("import '../ce/msgs.js';\n"),
	}
	for _, tc := range []struct{ page, src, want string }{
		{"index.html", "pages/page.js", "./ce/messages/de.js"},
		{"sub/page.html", "../pages/page.js", "../ce/messages/de.js"},
	} {
		page := []byte("<!doctype html><html><head><meta charset=\"utf-8\">\n  <script type=\"module\" src=\"" + tc.src + "\"></script>\n</head></html>\n")
		out, err := bundlePage(tc.page, page, files)
		require.NoError(t, err)
		scripts := pageModuleRe.FindAllSubmatch(out, -1)
		require.Len(t, scripts, 1, "%s", out)
		code := string(files[path.Join(path.Dir(tc.page), string(scripts[0][1]))])
		require.Contains(t, code, `import("`+tc.want+`")`, tc.page)
		require.NotContains(t, code, "Hallo", "the catalogue is not in the bundle")
		require.Contains(t, code, "bundled lazily", "other dynamic imports are bundled")
	}
}

// TestBundleEvaluatesWasmExecFirst: a page that preloads wasm_exec.js (its graph reaches the shim)
// gets it at the start of its bundle, so globalThis.Go is defined before the shim asks for it, and
// its modulepreload link goes with the other bundled modules'.
func TestBundleEvaluatesWasmExecFirst(t *testing.T) {
	files := map[string][]byte{
		"wasm_exec.0123456789abcdef.js": []byte("\"use strict\";\n(() => { globalThis.Go = class { marker() { return 'wasm exec'; } }; })();\n"),
		"el.js":                         []byte("globalThis.el = typeof globalThis.Go;\n"),
	}
	page := []byte("<!doctype html><html><head><meta charset=\"utf-8\">\n  <link rel=\"modulepreload\" href=\"wasm_exec.0123456789abcdef.js\">\n" +
		"  <link rel=\"modulepreload\" href=\"el.js\">\n  <script type=\"module\" src=\"el.js\"></script>\n</head></html>\n")
	out, err := bundlePage("index.html", page, files)
	require.NoError(t, err)
	scripts := pageModuleRe.FindAllSubmatch(out, -1)
	require.Len(t, scripts, 1)
	code := string(files[string(scripts[0][1])])
	exec, el := strings.Index(code, "wasm exec"), strings.Index(code, "globalThis.el")
	require.True(t, exec >= 0 && el > exec, "wasm_exec.js first in the bundle:\n%s", code)
	require.NotContains(t, string(out), "wasm_exec.0123456789abcdef.js", "its preload link is gone")
	require.Contains(t, files, "wasm_exec.0123456789abcdef.js", "the file stays for the package and other pages")

	// A page that does not preload it does not get it.
	plain := []byte("<!doctype html><html><head><meta charset=\"utf-8\">\n  <script type=\"module\" src=\"el.js\"></script>\n</head></html>\n")
	out, err = bundlePage("plain.html", plain, files)
	require.NoError(t, err)
	require.NotContains(t, string(files[string(pageModuleRe.FindSubmatch(out)[1])]), "wasm exec")
}

package main

import (
	"slices"
	"strings"
	"testing"
)

func TestModuleGraph(t *testing.T) {
	files := map[string][]byte{
		"el.js": []byte("// @ts-check\nimport { a } from './ce/a.js';\nimport './side.js';\nexport { b } from './ce/b.js';\n" +
			"/** @typedef {import('./typeonly.js').T} T */\nimport {\n  c,\n  d,\n} from './ce/c.js';\nconst x = 'import \"./not.js\"';\n"),
		"ce/a.js":     []byte("import { b } from './b.js';\nexport const a = 1;\nasync function f() { return (await import('../lazy.js')).z; }\n"),
		"ce/b.js":     []byte("import { a } from './a.js';\nexport const b = 2;\n"),
		"ce/c.js":     []byte("import x from 'bare-package';\nexport const c = 3, d = 4;\n"),
		"side.js":     []byte(""),
		"lazy.js":     []byte("export const z = 1;\n"),
		"typeonly.js": []byte(""),
		"not.js":      []byte(""),
	}
	got := moduleGraph(files, "el.js")
	want := []string{"el.js", "ce/a.js", "side.js", "ce/b.js", "ce/c.js", "lazy.js"}
	if !slices.Equal(got, want) {
		t.Fatalf("graph %v, want %v", got, want)
	}
}

func TestAddPreloads(t *testing.T) {
	files := map[string][]byte{
		"credit-estimator.js": []byte("import { x } from './ce/engine.js';\n"),
		"ce/engine.js":        []byte("export async function x() { return await import('../estimator.js'); }\n"),
		"estimator.js":        []byte("import { F } from './facts.js';\n"),
		"facts.js":            []byte("export const F = 1;\n"),
		"pages/p.js":          []byte("import './common.js';\n"),
		"pages/common.js":     []byte(""),
		"boot.js":             []byte("// a comment line\n// another\n(() => { boot(); })();\n"),
	}
	m := &Manifest{Wasm: "estimator.abc.wasm", WasmExec: "wasm_exec.def.js", Shim: "estimator.js"}
	page := []byte("<!doctype html>\n<head>\n  <meta charset=\"utf-8\">\n  <link rel=\"stylesheet\" href=\"site.css\">\n" +
		"  <link rel=\"modulepreload\" href=\"credit-estimator.js\">\n  <script type=\"module\" src=\"credit-estimator.js\"></script>\n" +
		"  <script type=\"module\" src=\"pages/p.js\"></script>\n</head>\n")
	out, err := addPreloads("index.html", page, files, m)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		`<link rel="preload" href="estimator.abc.wasm" as="fetch" type="application/wasm" crossorigin>`,
		`<link rel="modulepreload" href="wasm_exec.def.js">`,
		`<script data-wasm="estimator.abc.wasm">(() => { boot(); })();</script>`,
		`<link rel="modulepreload" href="credit-estimator.js">`,
		`<link rel="modulepreload" href="ce/engine.js">`,
		`<link rel="modulepreload" href="estimator.js">`,
		`<link rel="modulepreload" href="facts.js">`,
		`<link rel="modulepreload" href="pages/p.js">`,
		`<link rel="modulepreload" href="pages/common.js">`,
	} {
		if strings.Count(s, want) != 1 {
			t.Errorf("%q appears %d times in\n%s", want, strings.Count(s, want), s)
		}
	}
	if i, j := strings.Index(s, `rel="preload"`), strings.Index(s, `rel="stylesheet"`); i < 0 || i > j {
		t.Errorf("the module's preload does not come before the style sheet:\n%s", s)
	}
	// The inline script's CSP source, for the server: SHA-256 of exactly what is between the tags
	// (computed with openssl dgst -sha256 -binary | base64).
	if want := []string{"'sha256-nKODs6am7TbxpC97Qjzd8fqI/mKj98GC2JIsVNIzNvw='"}; !slices.Equal(m.ScriptHashes, want) {
		t.Errorf("ScriptHashes = %q, want %q", m.ScriptHashes, want)
	}
	// A page in a folder links with relative paths to the root.
	sub, err := addPreloads("docs/x.html", []byte("<meta charset=\"utf-8\">\n<script type=\"module\" src=\"../credit-estimator.js\"></script>\n"), files, m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sub), `<link rel="preload" href="../estimator.abc.wasm"`) || !strings.Contains(string(sub), `<script data-wasm="../estimator.abc.wasm">(() => { boot(); })();</script>`) {
		t.Errorf("relative links wrong:\n%s", sub)
	}
	// A page that never loads the shim is left alone.
	plain := []byte("<meta charset=\"utf-8\">\n<script type=\"module\" src=\"pages/common.js\"></script>\n")
	if out, err := addPreloads("plain.html", plain, files, m); err != nil || string(out) != string(plain) {
		t.Errorf("plain page changed: %s, %v", out, err)
	}
}

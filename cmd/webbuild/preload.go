package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The pages ask for everything their first live price needs while the HTML is still arriving,
// instead of discovering it one module at a time (fourteen ES modules in two waterfalls, then
// wasm_exec.js, then the module, ~500 ms after navigation on a cold load):
//
//   - <link rel="preload" as="fetch" crossorigin> for the module, in the CORS mode and credentials
//     mode of the shim's fetch() (mode "cors", credentials "same-origin"), so the fetch uses the
//     preloaded response instead of downloading it twice;
//   - <link rel="modulepreload"> for every module of the page's import graph (static imports and
//     `await import('…')` of a literal specifier), and for wasm_exec.js, which the shim imports.
//
//   - web/boot.js inline, <script data-wasm="…">…</script>, which starts compiling the module as
//     the parser reaches it; the shim takes the compiled module from it. Its hash goes to
//     assets.json's scriptHashes, which the server's Content-Security-Policy allows.
//
// The links go right after <meta charset>, before the style sheets. Pages whose graph does not
// reach the element are left as they are.

// bootScript compiles the module early (web/boot.js); data-wasm is relative to it.
const bootScript = "boot.js"

var (
	moduleScriptRe = regexp.MustCompile(`<script\s+type="module"\s+src="([^"]+)"`)
	modulePreRe    = regexp.MustCompile(`<link\s+rel="modulepreload"\s+href="([^"]+)"\s*>\s*\n?\s*`)
	staticImportRe = regexp.MustCompile(`(?m)^(?:import|export)\s+(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]`)
	dynImportRe    = regexp.MustCompile(`await\s+import\(\s*['"]([^'"]+)['"]\s*\)`)
	charsetRe      = regexp.MustCompile(`<meta charset="[^"]*">\n?`)
)

// moduleGraph returns every module reachable from entry (a slash path in files), entry first,
// then in the order first seen.
func moduleGraph(files map[string][]byte, entry string) []string {
	seen := map[string]bool{entry: true}
	order := []string{entry}
	for i := 0; i < len(order); i++ {
		src := files[order[i]]
		var specs [][]byte
		for _, m := range staticImportRe.FindAllSubmatch(src, -1) {
			specs = append(specs, m[1])
		}
		for _, m := range dynImportRe.FindAllSubmatch(src, -1) {
			specs = append(specs, m[1])
		}
		for _, s := range specs {
			spec := string(s)
			if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
				continue // a bare or absolute specifier: not one of ours
			}
			p := path.Join(path.Dir(order[i]), spec)
			if _, ok := files[p]; ok && !seen[p] {
				seen[p] = true
				order = append(order, p)
			}
		}
	}
	return order
}

// addPreloads rewrites a page (name, a slash path in files) with the links above; m names the
// module and wasm_exec.js. It returns the page unchanged when its graph does not load the shim.
func addPreloads(name string, page []byte, files map[string][]byte, m *Manifest) ([]byte, error) {
	dir := path.Dir(name)
	var graph []string
	inGraph := map[string]bool{}
	for _, sm := range moduleScriptRe.FindAllSubmatch(page, -1) {
		src := string(sm[1])
		if strings.Contains(src, ":") || strings.HasPrefix(src, "/") {
			continue
		}
		for _, p := range moduleGraph(files, path.Join(dir, src)) {
			if !inGraph[p] {
				inGraph[p] = true
				graph = append(graph, p)
			}
		}
	}
	if !inGraph[m.Shim] {
		return page, nil
	}
	rel := func(p string) string {
		if dir == "." {
			return p
		}
		return strings.Repeat("../", strings.Count(dir, "/")+1) + p
	}
	// Hand-written modulepreloads are replaced by the complete, generated list.
	page = modulePreRe.ReplaceAll(page, nil)
	var links bytes.Buffer
	fmt.Fprintf(&links, "  <link rel=\"preload\" href=\"%s\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n", rel(m.Wasm))
	fmt.Fprintf(&links, "  <link rel=\"modulepreload\" href=\"%s\">\n", rel(m.WasmExec))
	if b, ok := files[bootScript]; ok {
		// Compiles the module while the rest loads (web/boot.js), inline: it runs as the parser
		// reaches it instead of after a request (~50 ms sooner on a cold load here). The server's
		// CSP allows it by its hash (assets.json's scriptHashes).
		code := inlineBoot(b)
		if bytes.Contains(bytes.ToLower(code), []byte("</script")) {
			return nil, fmt.Errorf("%s cannot be inlined: it contains </script", bootScript)
		}
		fmt.Fprintf(&links, "  <script data-wasm=\"%s\">%s</script>\n", rel(m.Wasm), code)
		m.addScriptHash(code)
	}
	for _, p := range graph {
		fmt.Fprintf(&links, "  <link rel=\"modulepreload\" href=\"%s\">\n", rel(p))
	}
	loc := charsetRe.FindIndex(page)
	if loc == nil {
		return nil, fmt.Errorf("%s: no <meta charset=…> to put the preload links after", name)
	}
	out := append([]byte(nil), page[:loc[1]]...)
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	out = append(out, links.Bytes()...)
	return append(out, page[loc[1]:]...), nil
}

// inlineBoot is boot.js without its leading comment lines.
func inlineBoot(b []byte) []byte {
	for bytes.HasPrefix(b, []byte("//")) {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return nil
		}
		b = b[i+1:]
	}
	return bytes.TrimSpace(b)
}

// addScriptHash records the CSP source of an inline script: 'sha256-<base64 of its SHA-256>'.
func (m *Manifest) addScriptHash(code []byte) {
	sum := sha256.Sum256(code)
	src := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if !slices.Contains(m.ScriptHashes, src) {
		m.ScriptHashes = append(m.ScriptHashes, src)
	}
}

package main

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Each page loads its ES modules as one file, bundled at build time (esbuild's Go API): on a cold
// load the browser then makes one request instead of twenty-five (six at a time over HTTP/1.1) and
// evaluates one script, which brought the pricing page's first live price from ~470 to ~365 ms in
// Chromium on the 2-core machine (median of 9, docs/wasm.md). The bundle is named by its content
// (index.<hash>.js), so it is cached for good; the unbundled modules stay in dist for the npm
// package, for platforms that import the element, and for the versioned copies.
//
// A dynamic import() of a language's catalogue (a file in a messages/ directory) is not bundled:
// it stays a request of its own, made only when a page speaks the language (ce/i18n.js). Other
// dynamic imports (the shim, which every page needs) are bundled as before.
//
// Every module keeps the URL it would have had on its own: `import.meta.url` in a bundled module
// becomes the URL of its own file (new URL("./ce/engine.js", import.meta.url).href), so the
// shim still finds assets.json and the module, and the pages their API and service worker.

var (
	pageModuleRe  = regexp.MustCompile(`[ \t]*<script\s+type="module"\s+src="([^"]+)"></script>\n?`)
	wasmExecPreRe = regexp.MustCompile(`<link\s+rel="modulepreload"\s+href="((?:[^"]*/)?wasm_exec\.[0-9a-f]+\.js)"\s*>`)
)

// bundlePage bundles the local module scripts of page name into one file added to files, and
// returns the page loading that file instead (its modulepreload links replaced by one). A page
// without local module scripts is returned as it is.
func bundlePage(name string, page []byte, files map[string][]byte) ([]byte, error) {
	dir := path.Dir(name)
	var entry strings.Builder
	var srcs []string
	for _, sm := range pageModuleRe.FindAllSubmatch(page, -1) {
		src := string(sm[1])
		if strings.Contains(src, ":") || strings.HasPrefix(src, "/") {
			return page, nil // a module from elsewhere: the page is left as it is
		}
		if _, ok := files[path.Join(dir, src)]; !ok {
			return nil, fmt.Errorf("%s: module script %s is not in the web directory", name, src)
		}
		srcs = append(srcs, path.Join(dir, src))
		fmt.Fprintf(&entry, "import %s;\n", strconv.Quote("./"+src))
	}
	if len(srcs) == 0 {
		return page, nil
	}
	// wasm_exec.js, which the shim would import once the element asks for the engine (a task
	// hop, then its evaluation, while the page renders: 40–120 ms before the module could be
	// instantiated on a cold load), is evaluated first in the bundle; the shim then finds
	// globalThis.Go defined. Only the pages that preload it (their graph reaches the shim) get it.
	if m := wasmExecPreRe.FindSubmatch(page); m != nil {
		if p := path.Join(dir, string(m[1])); files[p] != nil {
			srcs = append([]string{p}, srcs...)
			e := "import " + strconv.Quote("./"+string(m[1])) + ";\n" + entry.String()
			entry.Reset()
			entry.WriteString(e)
		}
	}
	const root = "/web"
	load := func(p string) (string, bool) {
		b, ok := files[strings.TrimPrefix(p, root+"/")]
		return string(b), ok
	}
	plugin := api.Plugin{Name: "webfiles", Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: `^\.\.?/`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
			p := path.Join(a.ResolveDir, a.Path)
			if _, ok := load(p); !ok {
				return api.OnResolveResult{}, fmt.Errorf("%s imports %s, which is not in the web directory", a.Importer, a.Path)
			}
			if a.Kind == api.ResolveJSDynamicImport && path.Base(path.Dir(p)) == "messages" {
				// The catalogue of a language other than English, which a module imports only
				// when the language is spoken, stays a file of its own beside the bundle.
				return api.OnResolveResult{Path: relPath(path.Join(root, dir), p), External: true}, nil
			}
			return api.OnResolveResult{Path: p, Namespace: "webfiles"}, nil
		})
		b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: "webfiles"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
			src, _ := load(a.Path)
			rel := relPath(path.Join(root, dir), a.Path)
			own := "new URL(" + strconv.Quote(rel) + ", import.meta.url).href"
			src = strings.ReplaceAll(src, "import.meta.url", own)
			return api.OnLoadResult{Contents: &src, ResolveDir: path.Dir(a.Path), Loader: api.LoaderJS}, nil
		})
	}}
	res := api.Build(api.BuildOptions{
		Stdin:             &api.StdinOptions{Contents: entry.String(), ResolveDir: path.Join(root, dir), Sourcefile: name + " modules"},
		Bundle:            true,
		Format:            api.FormatESModule,
		Platform:          api.PlatformBrowser,
		Target:            api.ESNext,
		Charset:           api.CharsetUTF8,
		MinifyWhitespace:  true,
		MinifySyntax:      true,
		LegalComments:     api.LegalCommentsNone,
		External:          []string{"node:*"},
		Plugins:           []api.Plugin{plugin},
		Write:             false,
		Outfile:           "bundle.js",
		LogLevel:          api.LogLevelSilent,
		AbsWorkingDir:     "/",
		IgnoreAnnotations: false,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, fmt.Errorf("bundling %s: %s", name, strings.Join(msgs, "\n"))
	}
	if len(res.OutputFiles) != 1 {
		return nil, errors.New("bundling " + name + ": esbuild wrote " + strconv.Itoa(len(res.OutputFiles)) + " files")
	}
	code := res.OutputFiles[0].Contents
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	bundle := path.Join(dir, base+"."+contentHash(code)+".js")
	files[bundle] = code

	// One module script, where the first was; the modulepreload links of the bundled modules go.
	first := true
	page = pageModuleRe.ReplaceAllFunc(page, func(tag []byte) []byte {
		if !first {
			return nil
		}
		first = false
		indent := tag[:len(tag)-len(bytes.TrimLeft(tag, " \t"))]
		return []byte(string(indent) + `<script type="module" src="` + path.Base(bundle) + "\"></script>\n")
	})
	bundled := map[string]bool{}
	for _, p := range srcs {
		for _, q := range moduleGraph(files, p) {
			bundled[q] = true
		}
	}
	var preloaded bool
	page = modulePreRe.ReplaceAllFunc(page, func(link []byte) []byte {
		href := string(modulePreRe.FindSubmatch(link)[1])
		if !bundled[path.Join(dir, href)] {
			return link
		}
		if preloaded {
			return nil
		}
		preloaded = true
		return []byte(`<link rel="modulepreload" href="` + path.Base(bundle) + "\">\n  ")
	})
	return page, nil
}

// relPath is target relative to dir, both absolute slash paths, starting with "./" or "../".
func relPath(dir, target string) string {
	d := strings.Split(strings.Trim(dir, "/"), "/")
	t := strings.Split(strings.Trim(target, "/"), "/")
	i := 0
	for i < len(d) && i < len(t)-1 && d[i] == t[i] {
		i++
	}
	if up := len(d) - i; up > 0 {
		return strings.Repeat("../", up) + strings.Join(t[i:], "/")
	}
	return "./" + strings.Join(t[i:], "/")
}

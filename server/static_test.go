package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStaticIndex(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/", "/index.html"} {
		resp, body := f.do(t, http.MethodGet, p, "", "")
		require.Equal(t, http.StatusOK, resp.StatusCode, p)
		assert.Equal(t, indexHTML, body)
		h := resp.Header
		assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
		assert.Equal(t, "no-cache", h.Get("Cache-Control"))
		assert.Regexp(t, `^"[0-9a-f]{32}"$`, h.Get("ETag"))
		assert.NotEmpty(t, h.Get("Last-Modified"))
		assert.Equal(t, "same-origin", h.Get("Cross-Origin-Resource-Policy"))
		assert.Empty(t, h.Get("Access-Control-Allow-Origin"), "pages are not for other origins")
		assert.Equal(t, strconv.Itoa(len(indexHTML)), h.Get("Content-Length"))
		assertSecurityHeaders(t, h)
	}
	// Revalidation: ETag and Last-Modified both give 304.
	resp, _ := f.do(t, http.MethodGet, "/", "", "")
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	resp, body := f.do(t, http.MethodGet, "/", "", "", "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, etag, resp.Header.Get("ETag"))
	resp, _ = f.do(t, http.MethodGet, "/", "", "", "If-Modified-Since", lm)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	resp, _ = f.do(t, http.MethodGet, "/", "", "", "If-Modified-Since", time.Unix(0, 0).UTC().Format(http.TimeFormat))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = f.do(t, http.MethodGet, "/", "", "", "If-None-Match", `"nope"`)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestStaticDirectories(t *testing.T) {
	f := newFixture(t)
	client := *f.ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(f.ts.URL + "/pages/calculator?x=1")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "/pages/calculator/?x=1", resp.Header.Get("Location"))

	require.NoError(t, os.MkdirAll(filepath.Join(f.web, "a b?c"), 0o755))
	resp, err = client.Get(f.ts.URL + "/a%20b%3Fc")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "/a%20b%3Fc/", resp.Header.Get("Location"))

	resp, body := f.do(t, http.MethodGet, "/pages/calculator/", "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "<title>calc</title>")
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))

	// A directory without index.html is not listed.
	resp, body = f.do(t, http.MethodGet, "/pages/", "", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "not_found", decodeErr(t, body).Code)
}

func TestStaticNotServed(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/missing.js", "/.secret", "/pages/../.secret", "/escape.txt", "/%2e%2e/etc/passwd"} {
		resp, body := f.do(t, http.MethodGet, p, "", "")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, p)
		assert.NotContains(t, string(body), "not for the web")
		assert.NotContains(t, string(body), "outside the web dir")
		assertSecurityHeaders(t, resp.Header)
	}
	// Raw paths that a client would normalise: sent straight to the handler.
	for _, target := range []string{"/../../etc/passwd", "/..\\..\\etc\\passwd", "/a\x00b", "/../escape.txt"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = target
		f.srv.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusNotFound, rec.Code, target)
	}
}

func TestStaticWasmNegotiation(t *testing.T) {
	f := newFixture(t)
	type variant struct {
		acceptEncoding, contentEncoding string
	}
	etags := map[string]string{}
	for _, v := range []variant{
		{"identity", ""},
		{"", ""},
		{"gzip, deflate, br", "br"},
		{"br", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip;q=0.5", "gzip"},
		{"br;q=0, gzip;q=0", ""},
		{"deflate", ""},
		{"*", "br"},
		{"*;q=0, gzip", "gzip"},
		{"x-gzip", "gzip"},
		{"BR;Q=1", "br"},
	} {
		resp, body := f.do(t, http.MethodGet, "/"+wasmName, "", "", "Accept-Encoding", v.acceptEncoding)
		if v.acceptEncoding == "" { // f.do turns "" into identity; send none at all here
			req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/"+wasmName, nil)
			tr := &http.Transport{DisableCompression: true}
			defer tr.CloseIdleConnections()
			r, err := (&http.Client{Transport: tr}).Do(req)
			require.NoError(t, err)
			body, err = io.ReadAll(r.Body)
			require.NoError(t, err)
			r.Body.Close()
			resp = r
		}
		require.Equal(t, http.StatusOK, resp.StatusCode, v.acceptEncoding)
		h := resp.Header
		assert.Equal(t, "application/wasm", h.Get("Content-Type"), v.acceptEncoding)
		assert.Equal(t, v.contentEncoding, h.Get("Content-Encoding"), v.acceptEncoding)
		assert.Equal(t, "Accept-Encoding", h.Get("Vary"))
		assert.Equal(t, "public, max-age=31536000, immutable", h.Get("Cache-Control"))
		assert.Equal(t, "*", h.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "cross-origin", h.Get("Cross-Origin-Resource-Policy"))
		assert.Equal(t, strconv.Itoa(len(body)), h.Get("Content-Length"))
		assertSecurityHeaders(t, h)
		assert.Equal(t, wasmBody, decode(t, v.contentEncoding, body), v.acceptEncoding)
		if prev, ok := etags[v.contentEncoding]; ok {
			assert.Equal(t, prev, h.Get("ETag"), "same representation, same ETag")
		}
		etags[v.contentEncoding] = h.Get("ETag")
	}
	require.Len(t, etags, 3)
	assert.NotEqual(t, etags[""], etags["br"], "each encoding is its own representation")
	assert.NotEqual(t, etags["gzip"], etags["br"])

	// Revalidating the brotli representation.
	resp, body := f.do(t, http.MethodGet, "/"+wasmName, "", "", "Accept-Encoding", "br", "If-None-Match", etags["br"])
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	assert.Empty(t, body)

	// Only a .gz variant exists for wasm_exec: br-only clients get identity.
	resp, body = f.do(t, http.MethodGet, "/"+wasmExecName, "", "", "Accept-Encoding", "br")
	assert.Equal(t, "", resp.Header.Get("Content-Encoding"))
	assert.Equal(t, wasmExecBody, body)
	assert.Equal(t, "text/javascript; charset=utf-8", resp.Header.Get("Content-Type"))
	resp, body = f.do(t, http.MethodGet, "/"+wasmExecName, "", "", "Accept-Encoding", "br, gzip")
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	assert.Equal(t, wasmExecBody, decode(t, "gzip", body))
	assert.Equal(t, "public, max-age=31536000, immutable", resp.Header.Get("Cache-Control"))
}

func decode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "":
		return b
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		r = zr
	}
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return out
}

func TestStaticCachingAndTypes(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		path, contentType, cache, acao, corp string
	}{
		{"/credit-estimator.js", "text/javascript; charset=utf-8", "no-cache", "*", "cross-origin"},
		{"/style.css", "text/css; charset=utf-8", "no-cache", "*", "cross-origin"},
		{"/assets.json", "application/json", "no-cache", "*", "cross-origin"},
		{"/" + wasmExecName, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "*", "cross-origin"},
		{"/pages/calculator/index.html", "text/html; charset=utf-8", "no-cache", "", "same-origin"},
	}
	for _, c := range cases {
		resp, _ := f.do(t, http.MethodGet, c.path, "", "")
		require.Equal(t, http.StatusOK, resp.StatusCode, c.path)
		assert.Equal(t, c.contentType, resp.Header.Get("Content-Type"), c.path)
		assert.Equal(t, c.cache, resp.Header.Get("Cache-Control"), c.path)
		assert.Equal(t, c.acao, resp.Header.Get("Access-Control-Allow-Origin"), c.path)
		assert.Equal(t, c.corp, resp.Header.Get("Cross-Origin-Resource-Policy"), c.path)
		assert.NotEmpty(t, resp.Header.Get("ETag"), c.path)
		assertSecurityHeaders(t, resp.Header)
	}
}

func TestHashedNames(t *testing.T) {
	for name, want := range map[string]bool{
		"estimator.0123456789abcdef.wasm": true,
		"wasm_exec.89abcdef.js":           true,
		"credit-estimator.deadbeef.js":    true,
		"a.b.0123abcd.css":                true,
		"estimator.wasm":                  false,
		"index.html":                      false,
		"estimator.0123abc.wasm":          false, // 7 digits: too short to be a content hash
		"estimator.0123ABCD.wasm":         false, // the build writes lowercase hex
		"estimator.0123abcg.wasm":         false,
		".0123abcd.js":                    false,
	} {
		assert.Equal(t, want, hashedName.MatchString(name), name)
	}
}

func TestStaticRangeAndHead(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do(t, http.MethodGet, "/"+wasmName, "", "", "Range", "bytes=0-3")
	assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Equal(t, []byte("\x00asm"), body)
	assert.Equal(t, "bytes 0-3/"+strconv.Itoa(len(wasmBody)), resp.Header.Get("Content-Range"))
	assert.Equal(t, "application/wasm", resp.Header.Get("Content-Type"))

	resp, _ = f.do(t, http.MethodGet, "/"+wasmName, "", "", "Range", "bytes=999999-")
	assert.Equal(t, http.StatusRequestedRangeNotSatisfiable, resp.StatusCode)

	resp, body = f.do(t, http.MethodHead, "/"+wasmName, "", "", "Accept-Encoding", "br")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, "br", resp.Header.Get("Content-Encoding"))
	assert.Equal(t, strconv.Itoa(len(brotliBytes(t, wasmBody))), resp.Header.Get("Content-Length"))

	resp, body = f.do(t, http.MethodHead, "/", "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, strconv.Itoa(len(indexHTML)), resp.Header.Get("Content-Length"))

	resp, _ = f.do(t, http.MethodOptions, "/"+wasmName, "", "", "Origin", "https://shop.example")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
}

func TestAcceptedEncodings(t *testing.T) {
	assert.Nil(t, acceptedEncodings(""))
	assert.Equal(t, []string{"br", "gzip"}, acceptedEncodings("gzip, br"))
	assert.Equal(t, []string{"gzip"}, acceptedEncodings("gzip;q=0.1, br;q=0"))
	assert.Equal(t, []string{"gzip"}, acceptedEncodings("gzip; q=1.0, identity; q=0.5"))
	assert.Nil(t, acceptedEncodings("gzip;q=bogus"))
	assert.Nil(t, acceptedEncodings("*;q=0"))
}

// The package's files under v/<version>/ never change: immutable like hashed names.
func TestVersionedPaths(t *testing.T) {
	for name, want := range map[string]bool{
		"v/0.1.0/credit-estimator.js":       true,
		"v/1.20.3-rc.1/ce/engine.js":        true,
		"v/0.1.0/integrity.json":            true,
		"v/latest/credit-estimator.js":      false,
		"v/0.1/credit-estimator.js":         false,
		"v/0.1.0/":                          false,
		"pages/v/0.1.0/credit-estimator.js": false,
		"credit-estimator.js":               false,
	} {
		assert.Equal(t, want, versionedPath.MatchString(name), name)
	}
}

// A browser asking for a page the site does not have gets a small HTML 404 page; API clients and
// scripts keep the JSON error object.
func TestUnknownPagePathsAnswerAnHTMLPageToBrowsers(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/pricing", "/no/such/page.html", "/pricing/"} {
		resp, body := f.do(t, http.MethodGet, p, "", "", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		require.Equal(t, http.StatusNotFound, resp.StatusCode, p)
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"), p)
		require.Contains(t, string(body), `<h1 data-i18n="nf.h1">Page not found</h1>`, p)
		require.Contains(t, string(body), `<script type="module" src="/pages/notfound.js"></script>`, p, "translated in the browser")
		require.Contains(t, string(body), `href="/"`, p)
		require.NotEmpty(t, resp.Header.Get("Content-Security-Policy"), p)
	}
	resp, body := f.do(t, http.MethodGet, "/pricing", "", "", "Accept", "application/json")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	require.Contains(t, string(body), `"code":"not_found"`)
	resp, body = f.do(t, http.MethodGet, "/api/v1/nope", "", "", "Accept", "text/html")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	require.Contains(t, string(body), `"code"`)
	resp, _ = f.do(t, http.MethodGet, "/index.html", "", "", "Accept", "text/html")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestScriptHashesInCSP: the inline scripts assets.json lists are allowed by their hash on every
// response (pages and API), nothing else changes in the policy; a malformed list stops the server.
func TestScriptHashesInCSP(t *testing.T) {
	dir := makeWebDir(t)
	src := "'sha256-nKODs6am7TbxpC97Qjzd8fqI/mKj98GC2JIsVNIzNvw='"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "assets.json"), []byte(`{"wasm":"`+wasmName+`","scriptHashes":["`+src+`"]}`), 0o644))
	s, err := New(Config{WebDir: dir})
	require.NoError(t, err)
	want := "default-src 'self'; script-src 'self' " + src + " 'wasm-unsafe-eval'; style-src 'self'; " +
		"img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
	for _, p := range []string{"/index.html", "/api/v1/ratecard"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		require.Equal(t, want, rec.Header().Get("Content-Security-Policy"), p)
	}

	for _, bad := range []string{`{"scriptHashes":["'unsafe-inline'"]}`, `{"scriptHashes":"x"}`, `not json`} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "assets.json"), []byte(bad), 0o644))
		_, err := New(Config{WebDir: dir})
		require.Error(t, err, bad)
	}
}

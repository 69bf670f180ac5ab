package server

import (
	"net/http"
	"strings"
)

// notFoundPage is what a browser gets for a page path the site does not have (/pricing, a typo):
// a small page with a way back, under the same CSP as every page (no inline script or style).
// Scripts and tools asking for JSON, and everything under /api/, keep the JSON error object.
// The English here is what a browser without scripts shows; web/pages/notfound.js translates it
// into the visitor's language from the pages' catalogue (web/pages/messages.js).
const notFoundPage = `<!doctype html>
<html lang="en" data-i18n-title="nf.title">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Page not found — Clipforge</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/site.css">
<script type="module" src="/pages/notfound.js"></script>
</head>
<body>
<main id="main" class="notfound">
<h1 data-i18n="nf.h1">Page not found</h1>
<p data-i18n="nf.text">There is no page at this address.</p>
<p><a href="/" data-i18n="nf.pricing">See pricing and estimate a video</a> · <a href="/editor.html" data-i18n="nf.editor">Open the editor</a></p>
</main>
</body>
</html>
`

// wantsHTML reports whether the request comes from a browser navigating to a page: it accepts
// text/html and is not an API path.
func wantsHTML(r *http.Request) bool {
	return !strings.HasPrefix(r.URL.Path, "/api/") && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// notFoundFor answers 404 as an HTML page to browsers and as the JSON error object otherwise.
func notFoundFor(w http.ResponseWriter, r *http.Request) {
	if !wantsHTML(r) {
		notFound(w)
		return
	}
	h := w.Header()
	h.Del("Vary")
	h.Del("ETag")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(notFoundPage))
	}
}

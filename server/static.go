package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// staticFiles serves the built web directory (web/dist): content types set by extension (never
// sniffed), precompressed .br/.gz variants chosen by Accept-Encoding, strong content-based ETags,
// immutable caching for content-hashed names and revalidation for everything else.
type staticFiles struct {
	root  *os.Root // confines every open to the web directory (no ../ or symlink escapes)
	etags sync.Map // etagKey → etagEntry
}

type etagKey struct{ name string }

type etagEntry struct {
	size    int64
	modTime time.Time
	etag    string
}

func newStaticFiles(dir string) (*staticFiles, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &staticFiles{root: root}, nil
}

// scriptSource is a Content-Security-Policy hash source of an inline script.
var scriptSource = regexp.MustCompile(`^'sha256-[A-Za-z0-9+/]{43}='$`)

// scriptHashes reads the CSP sources of the pages' inline scripts from the asset build's
// assets.json ("scriptHashes"); none when the directory has no assets.json. A malformed list is
// an error: the server would otherwise send a policy that blocks its own pages' scripts.
func (st *staticFiles) scriptHashes() ([]string, error) {
	b, err := st.root.ReadFile("assets.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m struct {
		ScriptHashes []string `json:"scriptHashes"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("web dir assets.json: %w", err)
	}
	for _, h := range m.ScriptHashes {
		if !scriptSource.MatchString(h) {
			return nil, fmt.Errorf("web dir assets.json: %q is not a sha256 script source", h)
		}
	}
	return m.ScriptHashes, nil
}

// hashedName matches content-hashed asset names as the asset build writes them: name.<hex>.ext,
// e.g. estimator.3f9a0c1d2b4e5f60.wasm or wasm_exec.3f9a0c1d.js (8 to 64 lowercase hex digits).
var hashedName = regexp.MustCompile(`^[^.]+(\.[^.]+)*\.[0-9a-f]{8,64}\.[A-Za-z0-9]+$`)

// versionedPath matches the package's files under v/<version>/ (cmd/webbuild writes them): a
// version's files never change, so they are immutable like content-hashed names.
var versionedPath = regexp.MustCompile(`^v/\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?/[^/]+(/[^/]+)*$`)

// contentTypes are set explicitly so that no type depends on the host's mime tables.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".wasm":        "application/wasm",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
	".ts":          "text/plain; charset=utf-8", // .d.ts type declarations, not MPEG transport streams
	".woff2":       "font/woff2",
}

// embeddable extensions are meant to be loaded by pages of other origins (the widget embedded
// elsewhere): they get CORS and Cross-Origin-Resource-Policy: cross-origin.
var embeddable = map[string]bool{".js": true, ".mjs": true, ".wasm": true, ".json": true, ".css": true, ".ts": true}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

func (st *staticFiles) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	name, ok := cleanName(r.URL.Path)
	if !ok {
		notFoundFor(w, r)
		return
	}
	info, err := st.root.Stat(name)
	if err == nil && info.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			// Directory without its slash: redirect so relative links in its index resolve.
			target := (&url.URL{Path: "/" + name + "/"}).EscapedPath()
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			h.Set("Location", target)
			h.Set("Cache-Control", "no-cache")
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		name = path.Join(name, "index.html")
		info, err = st.root.Stat(name)
	}
	if err != nil || !info.Mode().IsRegular() {
		notFoundFor(w, r)
		return
	}

	// The file exists; choose the representation.
	ext := strings.ToLower(path.Ext(name))
	h.Set("Content-Type", contentType(name))
	h.Set("Vary", "Accept-Encoding")
	if hashedName.MatchString(path.Base(name)) || versionedPath.MatchString(name) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if embeddable[ext] {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	} else {
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
	}

	served, encoding := name, ""
	for _, enc := range acceptedEncodings(r.Header.Get("Accept-Encoding")) {
		variant := name + encodingSuffix[enc]
		if vi, err := st.root.Stat(variant); err == nil && vi.Mode().IsRegular() {
			served, info, encoding = variant, vi, enc
			break
		}
	}
	f, err := st.root.Open(served)
	if err != nil {
		notFound(w)
		return
	}
	defer f.Close()
	etag, err := st.etag(served, info, f)
	if err != nil {
		notFound(w)
		return
	}
	h.Set("ETag", etag)
	if encoding != "" {
		// Set Content-Encoding only as the status goes out: ServeContent omits Content-Length when
		// it sees Content-Encoding (it assumes an on-the-fly compressor), but these bytes are final.
		w = &encodingWriter{ResponseWriter: w, encoding: encoding}
	}
	// ServeContent handles HEAD, Range, If-None-Match/If-Modified-Since (304), Content-Length and
	// Last-Modified; Content-Type is already set so nothing is sniffed.
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// encodingWriter adds Content-Encoding to 200 and 206 responses of a precompressed variant.
type encodingWriter struct {
	http.ResponseWriter
	encoding string
}

func (e *encodingWriter) WriteHeader(code int) {
	if code == http.StatusOK || code == http.StatusPartialContent {
		e.Header().Set("Content-Encoding", e.encoding)
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *encodingWriter) Write(b []byte) (int, error) {
	return e.ResponseWriter.Write(b) // ServeContent always calls WriteHeader first
}

func (e *encodingWriter) ReadFrom(src io.Reader) (int64, error) {
	if rf, ok := e.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(e.ResponseWriter, src)
}

var encodingSuffix = map[string]string{"br": ".br", "gzip": ".gz"}

// acceptedEncodings returns the precompressed encodings the client accepts, best first
// (brotli before gzip; q=0 refuses; "*" covers encodings not listed).
func acceptedEncodings(header string) []string {
	if header == "" {
		return nil
	}
	q := map[string]float64{}
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		val := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					f = 0
				}
				val = f
			}
		}
		if name == "x-gzip" {
			name = "gzip"
		}
		q[name] = val
	}
	var out []string
	for _, enc := range []string{"br", "gzip"} {
		v, ok := q[enc]
		if !ok {
			v, ok = q["*"]
		}
		if ok && v > 0 {
			out = append(out, enc)
		}
	}
	return out
}

// cleanName maps a URL path to a name inside the web directory; false for names never served
// (hidden files, NUL bytes). "/" and directories resolve to index.html later.
func cleanName(urlPath string) (string, bool) {
	if strings.ContainsRune(urlPath, 0) || strings.Contains(urlPath, "\\") {
		return "", false
	}
	p := path.Clean("/" + urlPath)
	name := strings.TrimPrefix(p, "/")
	if name == "" {
		return ".", true
	}
	for seg := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return name, true
}

// etag returns a strong, content-based ETag for the file (cached by name, size and mtime), so that
// every instance serving the same files sends the same validators.
func (st *staticFiles) etag(name string, info fs.FileInfo, f *os.File) (string, error) {
	if v, ok := st.etags.Load(etagKey{name}); ok {
		e := v.(etagEntry)
		if e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
			return e.etag, nil
		}
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	etag := `"` + hex.EncodeToString(sum.Sum(nil)[:16]) + `"`
	st.etags.Store(etagKey{name}, etagEntry{size: info.Size(), modTime: info.ModTime(), etag: etag})
	return etag, nil
}

func notFound(w http.ResponseWriter) {
	h := w.Header()
	h.Del("Content-Type")
	h.Del("Vary")
	h.Del("ETag")
	h.Set("Cache-Control", "no-cache")
	writeError(w, &estimator.Error{Code: "not_found", Message: "not found"})
}

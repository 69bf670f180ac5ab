package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// A valid spec of the quote contract, with a distinctive prompt that must never reach a log.
const secretPrompt = "zebra-quokka-7f3a marching with thousands of troops at dawn"

var validSpec = `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"` + secretPrompt + `","complexity":"auto","mode":"generate","count":2}`

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	srv  *Server
	ts   *httptest.Server
	logs *syncBuffer
	web  string
}

// newFixture starts an httptest server over the default card and a generated web directory.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	logs := &syncBuffer{}
	web := makeWebDir(t)
	s, err := New(Config{WebDir: web, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &fixture{srv: s, ts: ts, logs: logs, web: web}
}

func (f *fixture) do(t *testing.T, method, path, contentType, body string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.ts.URL+path, rd)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// Ask for identity explicitly so the transport does not add gzip on its own.
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := f.ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func (f *fixture) post(t *testing.T, path, body string) (*http.Response, []byte) {
	t.Helper()
	return f.do(t, http.MethodPost, path, "application/json", body)
}

// Web directory fixture: what the asset build writes (hashed names, .br/.gz variants, pages).
var (
	wasmBody     = append([]byte("\x00asm\x01\x00\x00\x00"), pseudoRandom(96<<10)...) // compresses poorly: large variants
	wasmExecBody = []byte(strings.Repeat("// wasm_exec.js of this Go version\n", 100))
	indexHTML    = []byte("<!doctype html><html><head><title>Credit estimator</title></head><body>demo</body></html>\n")
)

const (
	wasmName     = "estimator.0123456789abcdef.wasm"
	wasmExecName = "wasm_exec.89abcdef.js"
)

func makeWebDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
	write("index.html", indexHTML)
	write("pages/calculator/index.html", []byte("<!doctype html><title>calc</title>\n"))
	write(wasmName, wasmBody)
	write(wasmName+".br", brotliBytes(t, wasmBody))
	write(wasmName+".gz", gzipBytes(t, wasmBody))
	write(wasmExecName, wasmExecBody)
	write(wasmExecName+".gz", gzipBytes(t, wasmExecBody))
	write("credit-estimator.js", []byte("export class CreditEstimator {}\n"))
	write("style.css", []byte("body{margin:0}\n"))
	write("assets.json", []byte(`{"estimator.wasm":"`+wasmName+`"}`))
	write(".secret", []byte("not for the web"))
	outside := filepath.Join(t.TempDir(), "outside.txt")
	require.NoError(t, os.WriteFile(outside, []byte("outside the web dir"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "escape.txt")))
	return dir
}

// pseudoRandom returns n reproducible bytes of a small alphabet (so gzip/brotli shrink it a little).
func pseudoRandom(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[r.IntN(36)]
	}
	return b
}

var brotliCache sync.Map // string(input) → []byte

func brotliBytes(t *testing.T, b []byte) []byte {
	if v, ok := brotliCache.Load(string(b)); ok {
		return v.([]byte)
	}
	out := brotliEncode(t, b)
	brotliCache.Store(string(b), out)
	return out
}

func brotliEncode(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func gzipBytes(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// mustDo is card.Do with the error rendered as the server renders it: (status, body).
func nativeAnswer(t *testing.T, card *estimator.RateCard, op string, req []byte) (int, []byte) {
	t.Helper()
	out, err := card.Do(op, req)
	if err == nil {
		return http.StatusOK, out
	}
	e, ok := err.(*estimator.Error)
	require.Truef(t, ok, "Do returned %T, want *estimator.Error", err)
	b, merr := e.MarshalJSON()
	require.NoError(t, merr)
	return estimator.HTTPStatus(e.Code), b
}

// assertSecurityHeaders checks the headers every response carries.
func assertSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	require.Equal(t, contentSecurityPolicy, h.Get("Content-Security-Policy"))
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	require.Equal(t, "no-referrer", h.Get("Referrer-Policy"))
}

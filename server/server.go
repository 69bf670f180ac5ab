// Package server is the reference HTTP server of the credit estimator: the authoritative quote API
// (every operation of estimator.Ops under /api/v1/), quote verification, the rate card in force,
// a health check, and the static demo pages and assets built into the web directory.
//
// The server is stateless: every answer is a pure function of the request, the rate card and the
// files of the web directory, so any number of instances behind a load balancer or CDN answer alike.
package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// DefaultMaxBodyBytes is the request body limit of the API (64 KiB).
const DefaultMaxBodyBytes = 64 << 10

// contentSecurityPolicy is sent on every response. Our pages need no inline script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'"

// Header values set on the hot path, shared instead of allocated per request (keys canonical).
// Each slice has len == cap, so an Add on a response header copies instead of writing into it.
var (
	hvCSP        = []string{contentSecurityPolicy}
	hvNosniff    = []string{"nosniff"}
	hvNoReferrer = []string{"no-referrer"}
	hvAnyOrigin  = []string{"*"}
	hvNoStore    = []string{"no-store"}
	hvJSON       = []string{"application/json"}
)

// Config configures a server handler.
type Config struct {
	// Card is the rate card in force; nil means estimator.Default().
	Card *estimator.RateCard
	// WebDir is the directory of the built web assets (`make build` writes web/dist).
	// Empty means no static files are served (the API still is).
	WebDir string
	// Logger receives one access-log record per request (never bodies); nil means discard.
	Logger *slog.Logger
	// MaxBodyBytes limits request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Ledger, when set, mounts the ledger API (accounts, holds, …; see ledger.go).
	Ledger *LedgerConfig
}

// Server is the http.Handler of the reference server.
type Server struct {
	card    *estimator.RateCard
	log     *slog.Logger
	maxBody int64
	ops     map[string]bool
	static  *staticFiles // nil when no web dir is configured
	ledger  *ledgerAPI   // nil when no ledger is configured

	cardJSON   []byte
	cardETag   string
	healthBody []byte
}

// New returns the handler for cfg. It fails only when cfg.WebDir is set but cannot be opened.
func New(cfg Config) (*Server, error) {
	s := &Server{
		card:    cfg.Card,
		log:     cfg.Logger,
		maxBody: cfg.MaxBodyBytes,
		ops:     make(map[string]bool),
	}
	if s.card == nil {
		s.card = estimator.Default()
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	for _, op := range estimator.Ops() {
		s.ops[op] = true
	}
	s.cardJSON = s.card.JSON()
	s.cardETag = `"` + s.card.Digest() + `"`
	s.healthBody = fmt.Appendf(nil, `{"status":"ok","rateCard":{"version":%s,"digest":%s}}`,
		jsonString(s.card.Version()), jsonString(s.card.Digest()))
	if cfg.Ledger != nil {
		api, err := newLedgerAPI(cfg.Ledger, s.log)
		if err != nil {
			return nil, err
		}
		s.ledger = api
	}
	if cfg.WebDir != "" {
		st, err := newStaticFiles(cfg.WebDir)
		if err != nil {
			return nil, err
		}
		s.static = st
	}
	return s, nil
}

var _ http.Handler = (*Server)(nil)

// Card returns the rate card in force.
func (s *Server) Card() *estimator.RateCard { return s.card }

// ServeHTTP implements http.Handler: security headers, access log and panic safety net around route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h["Content-Security-Policy"] = hvCSP
	h["X-Content-Type-Options"] = hvNosniff
	h["Referrer-Policy"] = hvNoReferrer
	rec := &recorder{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// A bug, never bad input: log the panic value (not the body) and answer 500 once,
			// without any caching or representation headers the handler had set already.
			s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			if !rec.wroteHeader {
				for k := range h {
					switch k {
					case "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy":
					default:
						delete(h, k)
					}
				}
				h["Cache-Control"] = hvNoStore
				writeError(rec, http.StatusInternalServerError, &estimator.Error{Code: "internal", Message: "internal error"})
			}
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status()),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
		)
	}()
	s.route(rec, r)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/healthz":
		s.serveHealth(w, r)
	case p == "/api/v1/ratecard":
		s.serveRateCard(w, r)
	case p == "/api/v1/quote/verify":
		s.serveVerify(w, r)
	case p == "/api/v1/ledger":
		s.serveLedgerInfo(w, r)
	case s.ledger != nil && ownsLedgerPath(p):
		s.ledger.serve(w, r)
	case strings.HasPrefix(p, "/api/"):
		op, ok := strings.CutPrefix(p, "/api/v1/")
		if !ok || !s.ops[op] {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Cache-Control", "no-store")
			writeError(w, http.StatusNotFound, &estimator.Error{Code: "unknown_op", Message: "no such API endpoint: " + p})
			return
		}
		s.serveOp(w, r, op)
	case s.static != nil:
		s.static.serve(w, r)
	default:
		writeError(w, http.StatusNotFound, &estimator.Error{Code: "not_found", Message: "not found"})
	}
}

// recorder remembers the status and the number of body bytes written, for the access log.
type recorder struct {
	http.ResponseWriter
	code        int
	bytes       int64
	wroteHeader bool
}

func (r *recorder) WriteHeader(code int) {
	r.ResponseWriter.WriteHeader(code)
	if !r.wroteHeader {
		r.code = code
		r.wroteHeader = code >= 200 // 1xx informational responses are not the final status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.code, r.wroteHeader = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ReadFrom keeps io.Copy from the static file handler on the fast path while counting bytes.
func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	if !r.wroteHeader {
		r.code, r.wroteHeader = http.StatusOK, true
	}
	var n int64
	var err error
	if rf, ok := r.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(r.ResponseWriter, src)
	}
	r.bytes += n
	return n, err
}

// NewLogger returns the structured logger the binary uses: JSON or text records on w.
func NewLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, errors.New("log format must be json or text")
}

// LoadRateCard reads and validates a rate card file; an empty path means the embedded default.
func LoadRateCard(path string) (*estimator.RateCard, error) {
	if path == "" {
		return estimator.Default(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := estimator.ParseRateCard(b)
	if err != nil {
		return nil, fmt.Errorf("rate card %s: %w", path, err)
	}
	return c, nil
}

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
	"sync/atomic"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// DefaultMaxBodyBytes is the request body limit of the API: estimator.MaxRequestBytes (64 KiB),
// the limit every surface shares.
const DefaultMaxBodyBytes = estimator.MaxRequestBytes

// contentSecurityPolicy is sent on every response. Our pages need no inline style; their one
// inline script (the module's early compile, web/boot.js) is allowed by its hash, which the asset
// build lists in assets.json (scriptHashes) and cspWith adds to script-src.
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
	hvClose      = []string{"close"}
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
	// MaxInFlight caps the API requests running at once (load shedding, limit.go); 0 means
	// DefaultMaxInFlight(), negative means no limit.
	MaxInFlight int
	// QueueWait is how long an API request waits for a slot before a 503; 0 means
	// DefaultQueueWait, negative means not at all.
	QueueWait time.Duration
}

// Server is the http.Handler of the reference server.
type Server struct {
	csp     []string // Content-Security-Policy: contentSecurityPolicy with the web dir's script hashes
	card    *estimator.RateCard
	log     *slog.Logger
	maxBody int64
	ops     map[string]bool
	static  *staticFiles // nil when no web dir is configured
	ledger  *ledgerAPI   // nil when no ledger is configured
	ledgerH http.Handler // the ledger's routes behind their own limiter

	cardJSON   []byte
	cardETag   string
	healthBody []byte
	drainBody  []byte

	// mux routes every request (routes.go); api is its /api/ part behind the limiter (unless
	// MaxInFlight < 0), the ledger's routes behind their own.
	mux      *http.ServeMux
	api      http.Handler
	limiter  *Limiter // nil without a limit
	draining atomic.Bool
	conns    connTracker
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
	s.api = s.apiRoutes()
	if cfg.MaxInFlight >= 0 {
		s.limiter = NewLimiter(cfg.MaxInFlight, cfg.QueueWait)
		s.api = s.limiter.Wrap(s.api)
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
		s.ledgerH = http.HandlerFunc(api.serve)
		if cfg.Ledger.MaxInFlight >= 0 {
			n, wait := cfg.Ledger.MaxInFlight, cfg.Ledger.QueueWait
			if n == 0 {
				n = DefaultLedgerMaxInFlight
			}
			if wait == 0 {
				wait = DefaultLedgerQueueWait
			}
			s.ledgerH = NewLimiter(n, wait).Wrap(s.ledgerH)
		}
	}
	s.drainBody = fmt.Appendf(nil, `{"status":"draining","rateCard":{"version":%s,"digest":%s}}`,
		jsonString(s.card.Version()), jsonString(s.card.Digest()))
	s.csp = hvCSP
	if cfg.WebDir != "" {
		st, err := newStaticFiles(cfg.WebDir)
		if err != nil {
			return nil, err
		}
		s.static = st
		hashes, err := st.scriptHashes()
		if err != nil {
			return nil, err
		}
		s.csp = []string{cspWith(hashes)}
	}
	s.mux = s.routes()
	return s, nil
}

var _ http.Handler = (*Server)(nil)

// cspWith is contentSecurityPolicy with the given script sources ('sha256-…') in script-src.
func cspWith(scriptHashes []string) string {
	if len(scriptHashes) == 0 {
		return contentSecurityPolicy
	}
	return strings.Replace(contentSecurityPolicy, "script-src 'self'", "script-src 'self' "+strings.Join(scriptHashes, " "), 1)
}

// Card returns the rate card in force.
func (s *Server) Card() *estimator.RateCard { return s.card }

// ServeHTTP implements http.Handler: security headers, access log and panic safety net around route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h["Content-Security-Policy"] = s.csp
	h["X-Content-Type-Options"] = hvNosniff
	h["Referrer-Policy"] = hvNoReferrer
	// RFC 9112 §6.1: a request with both Content-Length and Transfer-Encoding must have its
	// connection closed after the answer. net/http deletes Content-Length before a handler sees
	// it, so close after every request with a transfer coding (browsers never send one).
	if s.draining.Load() || len(r.TransferEncoding) > 0 {
		h["Connection"] = hvClose
	}
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
					case "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Connection":
					default:
						delete(h, k)
					}
				}
				h["Cache-Control"] = hvNoStore
				writeError(rec, &estimator.Error{Code: estimator.CodeInternal, Message: "internal error"})
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

// route answers a request through the mux, or, when the mux would answer it by itself (a
// redirect to the clean path), with the 404 its prefix gets.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if routable(r) {
		s.mux.ServeHTTP(w, r)
		return
	}
	p := r.URL.Path
	switch {
	case s.ledger != nil && ownsLedgerPath(p):
		s.ledgerH.ServeHTTP(w, r) // answers no such endpoint
	case strings.HasPrefix(p, "/api/"):
		s.api.ServeHTTP(w, r) // answers unknown_op (its mux is never reached: see apiRoutes)
	case s.static != nil:
		if gateMethod(w, r, "GET, HEAD, OPTIONS", true, http.MethodGet, http.MethodHead) {
			s.static.serve(w, r) // it cleans names itself
		}
	default:
		noSuchPath(w)
	}
}

// noSuchPath answers every path of a server without a web directory that is not the API's.
func noSuchPath(w http.ResponseWriter) {
	writeError(w, &estimator.Error{Code: "not_found", Message: "not found"})
}

// routes is every route of the server. The ledger's routes have their own mux and limiter
// (ledger.go), the API's theirs (apiRoutes); exact paths next to a subtree (/api, /api/v1/holds)
// are registered so that the mux never redirects them to the subtree.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle(mux, endpoint{pattern: "GET /healthz", cors: true, serve: s.serveHealth})
	if s.ledger != nil {
		for _, p := range []string{"/api/v1/accounts", "/api/v1/accounts/", "/api/v1/holds/", "/api/v1/demo/", "/api/v1/stripe/", "/api/v1/webhooks/", "/api/v1/reports/"} {
			mux.Handle(p, s.ledgerH)
		}
	}
	for _, p := range []string{"/api/", "/api/v1/holds", "/api/v1/demo", "/api/v1/stripe", "/api/v1/webhooks", "/api/v1/reports"} {
		mux.Handle(p, s.api)
	}
	for _, p := range []string{"/", "/api"} {
		if s.static != nil {
			handle(mux, endpoint{pattern: "GET " + p, cors: true, serve: s.static.serve})
		} else {
			mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { noSuchPath(w) })
		}
	}
	return mux
}

// apiRoutes answers every /api/ path that is not the ledger's.
func (s *Server) apiRoutes() http.Handler {
	mux := http.NewServeMux()
	handle(mux, endpoint{pattern: "GET /api/v1/ratecard", cors: true, headers: rateCardHeaders, serve: s.serveRateCard})
	handle(mux, endpoint{pattern: "POST /api/v1/quote/verify", cors: true, headers: apiPOSTHeaders, serve: s.serveVerify})
	handle(mux, endpoint{pattern: "GET /api/v1/ledger", headers: noStore, serve: s.serveLedgerInfo})
	handle(mux, endpoint{pattern: "POST /api/v1/{op}", cors: true, headers: apiPOSTHeaders, valid: s.knownOp, serve: s.serveOp})
	mux.HandleFunc("/api/", s.unknownOp)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !routable(r) {
			s.unknownOp(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func noStore(h http.Header) { h["Cache-Control"] = hvNoStore }

// Limit returns h behind the server's load-shedding limiter (shared with the API's routes), or
// h itself when the server runs without a limit.
func (s *Server) Limit(h http.Handler) http.Handler {
	if s.limiter == nil {
		return h
	}
	return s.limiter.Wrap(h)
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

// jsonString quotes s as a JSON string, escaped as every answer of the estimator is.
func jsonString(s string) string { return string(estimator.AppendJSONString(nil, s)) }

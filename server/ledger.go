package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/csv"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
)

// LedgerConfig mounts the ledger's HTTP API (docs/ledger.md) under /api/v1/.
type LedgerConfig struct {
	Ledger *ledger.Ledger
	// OperatorKey authorizes server-to-server calls (Authorization: Bearer KEY). Required.
	OperatorKey string
	// DemoSignup is demo mode (the binary's -demo): it switches on POST /api/v1/demo/signup (a
	// rate-limited sign-up that returns only the new account's token) and lets the tokens of
	// accounts the demo made (accounts.demo) buy top-ups by a labelled simulated payment. Off
	// by default; never in production.
	DemoSignup bool
	// SignupsPerMinute limits demo sign-ups per client address (0 means 5); the whole server
	// allows 20 times that.
	SignupsPerMinute int
	// MaxInFlight caps the ledger requests running at once (load shedding, limit.go): they have
	// slots of their own, apart from the quote API's, because they mostly wait on the database,
	// not the CPU. 0 means DefaultLedgerMaxInFlight, negative means no limit.
	MaxInFlight int
	// QueueWait is how long a ledger request waits for a slot before a 503; 0 means
	// DefaultLedgerQueueWait, negative means not at all.
	QueueWait time.Duration
	// Stripe, when set, mounts checkout and the Stripe webhook (stripe.go). Without it the
	// demo's top-ups stay a labelled simulated payment.
	Stripe *StripeConfig
}

// DefaultLedgerMaxInFlight is the ledger's default concurrency limit: enough for 64 clients at
// once (the SQLite writer batches them into one transaction), few enough to bound the memory
// and connections one flood can take.
const DefaultLedgerMaxInFlight = 64

// DefaultLedgerQueueWait is how long a ledger request waits for a slot by default: longer than
// the API's, as a ledger call's time is mostly a commit.
const DefaultLedgerQueueWait = time.Second

// ledgerMaxBody bounds ledger request bodies (a spec with the longest prompt fits many times).
const ledgerMaxBody = 64 << 10

type ledgerAPI struct {
	l        *ledger.Ledger
	opKey    []byte
	demo     bool
	perIP    *signupLimiter
	global   *signupLimiter
	log      *slog.Logger
	deadline time.Duration
	mux      *http.ServeMux
	stripe   *stripeAPI // nil without payments
}

func newLedgerAPI(c *LedgerConfig, log *slog.Logger) (*ledgerAPI, error) {
	if c.Ledger == nil {
		return nil, errors.New("server: ledger config without a ledger")
	}
	if len(c.OperatorKey) < 16 {
		return nil, errors.New("server: the ledger operator key must be at least 16 characters")
	}
	n := c.SignupsPerMinute
	if n <= 0 {
		n = 5
	}
	a := &ledgerAPI{l: c.Ledger, opKey: []byte(c.OperatorKey), demo: c.DemoSignup,
		perIP: newSignupLimiter(n, time.Minute), global: newSignupLimiter(20*n, time.Minute), log: log,
		deadline: 10 * time.Second, mux: http.NewServeMux()}
	if c.Stripe != nil {
		st, err := newStripeAPI(c.Stripe)
		if err != nil {
			return nil, err
		}
		a.stripe = st
	}
	a.routes()
	return a, nil
}

// routes registers the ledger's endpoints (docs/ledger.md). An {id} must be an id the ledger
// makes: anything else is no endpoint of ours (404 before the method is looked at).
func (a *ledgerAPI) routes() {
	if a.demo {
		handle(a.mux, endpoint{pattern: "POST /api/v1/demo/signup", serve: a.signup})
	} else {
		a.mux.HandleFunc("/api/v1/demo/signup", func(w http.ResponseWriter, r *http.Request) {
			ledgerNotFound(w, "endpoint (demo sign-up is switched off)")
		})
	}
	handle(a.mux, endpoint{pattern: "POST /api/v1/accounts", serve: a.operatorOnly(a.createAccount)})
	handle(a.mux, endpoint{pattern: "POST /api/v1/accounts/{id}/grants", valid: validIDPath, serve: a.forAccount(a.grant)})
	handle(a.mux, endpoint{pattern: "POST /api/v1/accounts/{id}/holds", valid: validIDPath, serve: a.forAccount(a.hold)})
	handle(a.mux, endpoint{pattern: "GET /api/v1/accounts/{id}/balance", valid: validIDPath, serve: a.forAccount(a.balance)})
	handle(a.mux, endpoint{pattern: "GET /api/v1/accounts/{id}/entries", valid: validIDPath, serve: a.forAccount(a.entries)})
	handle(a.mux, endpoint{pattern: "POST /api/v1/accounts/{id}/checkout", valid: validIDPath, serve: a.forAccount(a.checkout)})
	if a.stripe != nil {
		handle(a.mux, endpoint{pattern: "POST /api/v1/stripe/webhook", serve: a.webhook})
	}
	handle(a.mux, endpoint{pattern: "POST /api/v1/accounts/{id}/debits", valid: validIDPath, serve: a.forAccount(a.debit)})
	handle(a.mux, endpoint{pattern: "POST /api/v1/accounts/{id}/buckets/{bucket}/void", valid: bucketID(validIDPath), serve: a.forAccount(a.void)})
	handle(a.mux, endpoint{pattern: "POST /api/v1/holds/{id}/settle", valid: validIDPath, serve: a.forHold(holdSettle)})
	handle(a.mux, endpoint{pattern: "POST /api/v1/holds/{id}/release", valid: validIDPath, serve: a.forHold(holdRelease)})
	handle(a.mux, endpoint{pattern: "POST /api/v1/holds/{id}/extend", valid: validIDPath, serve: a.forHold(holdExtend)})
	a.webhookRoutes()
	a.reportRoutes()
	for _, p := range []string{"/api/v1/accounts/", "/api/v1/holds/", "/api/v1/demo/", "/api/v1/stripe/"} {
		a.mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { ledgerNotFound(w, "endpoint") })
	}
}

// ownsLedgerPath reports whether p belongs to the ledger API.
func ownsLedgerPath(p string) bool {
	return p == "/api/v1/accounts" || strings.HasPrefix(p, "/api/v1/accounts/") ||
		strings.HasPrefix(p, "/api/v1/holds/") || strings.HasPrefix(p, "/api/v1/demo/") || strings.HasPrefix(p, "/api/v1/stripe/") ||
		strings.HasPrefix(p, "/api/v1/webhooks/") || strings.HasPrefix(p, "/api/v1/reports/")
}

// ledgerCaller is who is calling: the operator, or the holder of one account's token.
type ledgerCaller struct {
	operator bool
	account  string
}

func (p ledgerCaller) scope() string {
	if p.operator {
		return "op"
	}
	return "acct:" + p.account
}

func ledgerError(w http.ResponseWriter, code, field, msg string) {
	writeError(w, &estimator.Error{Code: code, Field: field, Message: msg})
}

func ledgerNotFound(w http.ResponseWriter, what string) {
	ledgerError(w, ledger.CodeNotFound, "", "no such "+what)
}

// serve answers a ledger request. No CORS headers: the ledger is not for other origins.
func (a *ledgerAPI) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !routable(r) {
		ledgerNotFound(w, "endpoint")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.deadline)
	defer cancel()
	a.mux.ServeHTTP(w, r.WithContext(ctx))
}

func (a *ledgerAPI) operatorOnly(h func(http.ResponseWriter, *http.Request, ledgerCaller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a.withAuth(w, r, func(p ledgerCaller) {
			if !p.operator {
				ledgerError(w, ledger.CodeForbidden, "", "only the operator key can create accounts")
				return
			}
			h(w, r, p)
		})
	}
}

// forAccount authorizes the operator, or the token of the account in the path.
func (a *ledgerAPI) forAccount(h func(http.ResponseWriter, *http.Request, ledgerCaller, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		a.withAuth(w, r, func(p ledgerCaller) {
			if !p.operator && p.account != id {
				ledgerNotFound(w, "account") // a token never learns whether another account exists
				return
			}
			h(w, r, p, id)
		})
	}
}

// validIDPath checks the {id} wildcard: an id the ledger makes, else no endpoint of ours (404).
func validIDPath(w http.ResponseWriter, r *http.Request) bool {
	if !validLedgerID(r.PathValue("id")) {
		ledgerNotFound(w, "endpoint")
		return false
	}
	return true
}

// bucketID checks the {bucket} wildcard as well as {id}.
func bucketID(id func(http.ResponseWriter, *http.Request) bool) func(http.ResponseWriter, *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !validLedgerID(r.PathValue("bucket")) {
			ledgerNotFound(w, "endpoint")
			return false
		}
		return id(w, r)
	}
}

// What forHold does to a hold.
type holdOp int

const (
	holdSettle holdOp = iota
	holdRelease
	holdExtend
)

// forHold settles, releases or extends the hold in the path, for the operator or the hold's
// account.
func (a *ledgerAPI) forHold(op holdOp) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		a.withAuth(w, r, func(p ledgerCaller) {
			owner, ok, err := a.l.HoldAccount(r.Context(), id)
			if err != nil {
				a.internal(w, err)
				return
			}
			if !ok || (!p.operator && owner != p.account) {
				ledgerNotFound(w, "hold")
				return
			}
			a.mutating(w, r, p, func(body []byte, call ledger.Call) (answer, error) {
				switch op {
				case holdSettle:
					d, e := ledger.DecodeSettle(body)
					if e != nil {
						return answer{}, e
					}
					c, err := a.l.SettleDelivered(r.Context(), call, id, d)
					return answer{http.StatusOK, settledBody(c), c.Replayed}, err
				case holdExtend:
					ttl, e := ledger.DecodeExtend(body)
					if e != nil {
						return answer{}, e
					}
					c, err := a.l.Extend(r.Context(), call, id, ttl)
					return answer{http.StatusOK, extendedBody(c), c.Replayed}, err
				}
				if e := ledger.DecodeEmpty(body); e != nil {
					return answer{}, e
				}
				c, err := a.l.Release(r.Context(), call, id)
				return answer{http.StatusOK, releasedBody(c), c.Replayed}, err
			})
		})
	}
}

func (a *ledgerAPI) createAccount(w http.ResponseWriter, r *http.Request, p ledgerCaller) {
	a.mutating(w, r, p, func(body []byte, call ledger.Call) (answer, error) {
		if e := ledger.DecodeEmpty(body); e != nil {
			return answer{}, e
		}
		acct, err := a.l.CreateAccount(r.Context(), call, false)
		return answer{http.StatusCreated, accountBody(acct), acct.Replayed}, err
	})
}

func (a *ledgerAPI) hold(w http.ResponseWriter, r *http.Request, p ledgerCaller, id string) {
	a.mutating(w, r, p, func(body []byte, call ledger.Call) (answer, error) {
		h, e := ledger.DecodeHold(body)
		if e != nil {
			return answer{}, e
		}
		held, err := a.l.Hold(r.Context(), call, id, h)
		return answer{http.StatusCreated, heldBody(held), held.Replayed}, err
	})
}

// validLedgerID accepts the ids the ledger makes (prefix_ and URL-safe base64), nothing longer.
func validLedgerID(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// withAuth resolves the bearer credential: the operator key or an account token. No credential,
// or one that is neither, is 401.
func (a *ledgerAPI) withAuth(w http.ResponseWriter, r *http.Request, fn func(ledgerCaller)) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" || len(token) > 256 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ledger"`)
		ledgerError(w, ledger.CodeUnauthorized, "Authorization", "send the operator key or an account token as Authorization: Bearer …")
		return
	}
	if subtle.ConstantTimeCompare([]byte(token), a.opKey) == 1 {
		fn(ledgerCaller{operator: true})
		return
	}
	id, found, err := a.l.AccountByToken(r.Context(), token)
	if err != nil {
		a.internal(w, err)
		return
	}
	if !found {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ledger", error="invalid_token"`)
		ledgerError(w, ledger.CodeUnauthorized, "Authorization", "unknown key or token")
		return
	}
	fn(ledgerCaller{account: id})
}

// answer is a successful ledger call as HTTP.
type answer struct {
	status   int
	body     []byte
	replayed bool
}

// mutating reads the body, checks the Idempotency-Key and answers with op's result. op's error
// is the ledger's (*ledger.Error), the request decoder's (*estimator.Error), or a failure.
func (a *ledgerAPI) mutating(w http.ResponseWriter, r *http.Request, p ledgerCaller, op func(body []byte, call ledger.Call) (answer, error)) {
	buf, ok := readBody(w, r, ledgerMaxBody, true)
	if !ok {
		return
	}
	defer putBuf(buf)
	key := r.Header.Get("Idempotency-Key")
	if e := ledger.CheckKey(key); e != nil {
		writeError(w, e)
		return
	}
	a.mutatingBody(w, r, p, *buf, key, op)
}

// mutatingBody is mutating once the body is read and the key checked.
func (a *ledgerAPI) mutatingBody(w http.ResponseWriter, r *http.Request, p ledgerCaller, body []byte, key string, op func(body []byte, call ledger.Call) (answer, error)) {
	call := ledger.Call{Scope: p.scope(), Key: key, RequestHash: ledger.HashRequest(r.Method, r.URL.Path, body)}
	res, err := op(body, call)
	var le *ledger.Error
	var ee *estimator.Error
	switch {
	case errors.As(err, &le):
		if le.Replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		writeError(w, le)
	case errors.As(err, &ee):
		writeError(w, ee)
	case err != nil:
		a.internal(w, err)
	default:
		if res.replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		writeJSON(w, res.status, res.body)
	}
}

func (a *ledgerAPI) internal(w http.ResponseWriter, err error) {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		w.Header().Set("Retry-After", "1")
		ledgerError(w, "unavailable", "", "the ledger is busy; retry with the same Idempotency-Key")
		return
	}
	a.log.Error("ledger", "error", err.Error())
	ledgerError(w, estimator.CodeInternal, "", "internal error; retry with the same Idempotency-Key")
}

func (a *ledgerAPI) grant(w http.ResponseWriter, r *http.Request, p ledgerCaller, id string) {
	a.mutating(w, r, p, func(body []byte, call ledger.Call) (answer, error) {
		g, e := ledger.DecodeGrant(body)
		if e != nil {
			return answer{}, e
		}
		if !p.operator {
			// Safe by default: an account's token grants nothing, except — in demo mode only —
			// a top-up of an account the demo made (a labelled simulated payment).
			demoAccount := false
			if a.demo && g.Kind == "topup" {
				var err error
				if demoAccount, err = a.l.IsDemoAccount(r.Context(), id); err != nil {
					return answer{}, err
				}
			}
			if !demoAccount {
				return answer{}, &estimator.Error{Code: ledger.CodeForbidden, Message: "only the operator key can grant credits; buy credits through checkout"}
			}
		}
		res, err := a.l.Grant(r.Context(), call, id, g)
		return answer{http.StatusCreated, grantBody(res), res.Replayed}, err
	})
}

// operatorOnlyForAccount refuses account tokens (403) on an account route.
func (a *ledgerAPI) operatorOnlyForAccount(w http.ResponseWriter, p ledgerCaller, what string) bool {
	if !p.operator {
		ledgerError(w, ledger.CodeForbidden, "", "only the operator key can "+what)
		return false
	}
	return true
}

// debit is a negative adjustment (operator only).
func (a *ledgerAPI) debit(w http.ResponseWriter, r *http.Request, p ledgerCaller, id string) {
	if !a.operatorOnlyForAccount(w, p, "take credits back") {
		return
	}
	a.mutating(w, r, p, func(body []byte, call ledger.Call) (answer, error) {
		d, e := ledger.DecodeDebit(body)
		if e != nil {
			return answer{}, e
		}
		res, err := a.l.Debit(r.Context(), call, id, d)
		return answer{http.StatusCreated, debitedBody(res), res.Replayed}, err
	})
}

// void voids a bucket's remaining credits (operator only).
func (a *ledgerAPI) void(w http.ResponseWriter, r *http.Request, p ledgerCaller, id string) {
	if !a.operatorOnlyForAccount(w, p, "void credits") {
		return
	}
	bucket := r.PathValue("bucket")
	a.mutating(w, r, p, func(body []byte, call ledger.Call) (answer, error) {
		rv, e := ledger.DecodeReversal(body)
		if e != nil {
			return answer{}, e
		}
		res, err := a.l.Void(r.Context(), call, id, bucket, rv)
		return answer{http.StatusOK, voidedBody(res), res.Replayed}, err
	})
}

func (a *ledgerAPI) balance(w http.ResponseWriter, r *http.Request, _ ledgerCaller, id string) {
	if r.URL.Query().Has("at") {
		a.balanceAt(w, r, id) // reports.go
		return
	}
	b, ok, err := a.l.Balance(r.Context(), id)
	if err != nil {
		a.internal(w, err)
		return
	}
	if !ok {
		ledgerNotFound(w, "account")
		return
	}
	writeJSON(w, http.StatusOK, balanceBody(b))
}

func (a *ledgerAPI) entries(w http.ResponseWriter, r *http.Request, _ ledgerCaller, id string) {
	q := r.URL.Query()
	var from, to time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(f.name); v != "" {
			t, ok := ledger.ParseInstant(v)
			if !ok {
				ledgerError(w, estimator.CodeInvalidDate, f.name, "must be an RFC 3339 time or a YYYY-MM-DD date, no later than 9999-12-31T23:59:59.999999Z")
				return
			}
			*f.dst = t
		}
	}
	var after int64
	limit := 1000
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			ledgerError(w, estimator.CodeInvalidValue, "after", "must be the seq of an entry (the next of the previous page)")
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			ledgerError(w, estimator.CodeOutOfRange, "limit", "must be 1 to 1000")
			return
		}
		limit = n
	}
	st, ok, err := a.l.Entries(r.Context(), id, from, to, after, limit)
	if err != nil {
		a.internal(w, err)
		return
	}
	if !ok {
		ledgerNotFound(w, "account")
		return
	}
	if ledgerWantsCSV(r.Header.Get("Accept")) {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		_ = cw.Write([]string{"seq", "at", "type", "kind", "bucket", "hold", "credits", "available", "held", "memo"})
		for _, e := range st.Entries {
			j := entryAsJSON(e)
			_ = cw.Write([]string{strconv.FormatInt(j.Seq, 10), j.At, j.Type, j.Kind, j.Bucket, j.Hold, j.Credits, j.Available, j.Held, ledgerCSVSafe(j.Memo)})
		}
		cw.Flush()
		if st.Next != 0 {
			w.Header().Set("Ledger-Next", strconv.FormatInt(st.Next, 10))
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
		return
	}
	writeJSON(w, http.StatusOK, statementBody(st))
}

// ledgerCSVSafe keeps a spreadsheet from reading a memo as a formula.
func ledgerCSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

func ledgerWantsCSV(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/csv") {
			return true
		}
	}
	return false
}

// signup is the demo's sign-up: a new account with the trial, answered with only its token.
func (a *ledgerAPI) signup(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	// Only a well-formed sign-up counts against the limits: a request refused for its key or
	// body is answered first and consumes nobody's sign-ups (a flood of bad requests from many
	// addresses must not block everyone's).
	buf, ok := readBody(w, r, ledgerMaxBody, true)
	if !ok {
		return
	}
	defer putBuf(buf)
	key := r.Header.Get("Idempotency-Key")
	if e := ledger.CheckKey(key); e != nil {
		writeError(w, e)
		return
	}
	if e := ledger.DecodeEmpty(*buf); e != nil {
		writeError(w, e)
		return
	}
	// A retry of a sign-up that was answered (its answer lost on the way) creates nothing and
	// gets the first answer again, so the rate limit does not count it.
	retry, _ := a.l.Answered(r.Context(), "demo:"+host, key)
	if !retry && (!a.perIP.allow(host) || !a.global.allow("*")) {
		w.Header().Set("Retry-After", "60")
		ledgerError(w, ledger.CodeRateLimited, "", "too many sign-ups; try again in a minute")
		return
	}
	a.mutatingBody(w, r, ledgerCaller{account: "demo:" + host}, *buf, key, func(body []byte, call ledger.Call) (answer, error) {
		call.Scope = "demo:" + host
		acct, err := a.l.CreateAccount(r.Context(), call, true)
		return answer{http.StatusCreated, accountBody(acct), acct.Replayed}, err
	})
}

// signupLimiter is a token bucket per key: n per period, refilled continuously.
type signupLimiter struct {
	mu     sync.Mutex
	n      float64
	period time.Duration
	keys   map[string]*signupBucket
}

type signupBucket struct {
	tokens float64
	last   time.Time
}

func newSignupLimiter(n int, period time.Duration) *signupLimiter {
	return &signupLimiter{n: float64(n), period: period, keys: map[string]*signupBucket{}}
}

func (rl *signupLimiter) allow(key string) bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := time.Now()
	if len(rl.keys) > 100_000 { // bounded memory: forget full buckets
		for k, b := range rl.keys {
			if now.Sub(b.last) > rl.period {
				delete(rl.keys, k)
			}
		}
	}
	b := rl.keys[key]
	if b == nil {
		b = &signupBucket{tokens: rl.n, last: now}
		rl.keys[key] = b
	}
	b.tokens += now.Sub(b.last).Seconds() / rl.period.Seconds() * rl.n
	if b.tokens > rl.n {
		b.tokens = rl.n
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// serveLedgerInfo answers GET /api/v1/ledger, with or without a ledger mounted, so that a page
// can learn whether accounts exist here without a failing request.
func (s *Server) serveLedgerInfo(w http.ResponseWriter, r *http.Request) {
	info := struct {
		Ledger         bool  `json:"ledger"`
		DemoSignup     bool  `json:"demoSignup"`
		HoldTTLSeconds int64 `json:"holdTtlSeconds,omitempty"`
		// Checkout: top-ups are bought through Stripe Checkout (POST …/checkout), not by the
		// demo's simulated payment.
		Checkout bool `json:"checkout,omitempty"`
	}{}
	if s.ledger != nil {
		info.Ledger, info.DemoSignup = true, s.ledger.demo
		info.Checkout = s.ledger.stripe != nil
		info.HoldTTLSeconds = int64(s.ledger.l.HoldTTL().Seconds())
	}
	writeJSON(w, http.StatusOK, marshal(info))
}

package ledger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// Bucket kinds. Ties in the spend order (same expiry) go in this order: gifts first, then the
// plan's monthly credits, priority credits kept for peak use, paid top-ups, operator adjustments.
const (
	KindTrial      = "trial"
	KindMonthly    = "monthly"
	KindPriority   = "priority"
	KindTopUp      = "topup"
	KindAdjustment = "adjustment"
)

var kindOrder = map[string]int{KindTrial: 0, KindMonthly: 1, KindPriority: 2, KindTopUp: 3, KindAdjustment: 4}

// Hold states.
const (
	HoldHeld     = "held"
	HoldSettled  = "settled"
	HoldReleased = "released"
)

// Entry types.
const (
	EntryGrant   = "grant"
	EntryHold    = "hold"
	EntrySettle  = "settle"
	EntryRelease = "release"
	EntryExpire  = "expire"
)

// DefaultHoldTTL is how long a hold stays open before it is released automatically.
const DefaultHoldTTL = time.Hour

// DefaultIdempotencyTTL is how long an Idempotency-Key's first answer is kept.
const DefaultIdempotencyTTL = 24 * time.Hour

// Options configures a Ledger.
type Options struct {
	Card           *estimator.RateCard // prices holds; nil means estimator.Default()
	Now            func() time.Time    // the server clock; nil means time.Now
	HoldTTL        time.Duration       // 0 means DefaultHoldTTL
	IdempotencyTTL time.Duration       // 0 means DefaultIdempotencyTTL
	MaxConns       int                 // PostgreSQL connections; 0 means 4 per CPU, at least 8

	// TokenKey is a server secret (at least 16 bytes) that account tokens are derived from, with
	// a random salt per account, so that a retried account creation answers its token again,
	// byte for byte the first answer. Empty: tokens are random and a retry answers "token": null.
	TokenKey []byte
}

// Ledger is a credit ledger on SQLite or PostgreSQL. It is safe for concurrent use.
type Ledger struct {
	db       *sql.DB
	dialect  Dialect
	rb       rebinder
	card     *estimator.RateCard
	now      func() time.Time
	holdTTL  time.Duration
	idemTTL  time.Duration
	tokenKey []byte
	stmts    sync.Map    // query text → *sql.Stmt
	writeMu  *sync.Mutex // SQLite only: held by the group-commit writer

	batch   *batcher // SQLite only: group commit (batch.go)
	closeMu sync.RWMutex
	closed  bool
}

// Open opens (creating when needed) the ledger at dsn — a SQLite file path or a postgres:// URL —
// and applies the schema migrations it lacks.
func Open(ctx context.Context, dsn string, opt Options) (*Ledger, error) {
	db, d, err := openDB(dsn, opt.MaxConns)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := migrate(ctx, db, d, migrations); err != nil {
		db.Close()
		return nil, err
	}
	l := &Ledger{db: db, dialect: d, rb: rebinder{dialect: d}, card: opt.Card, now: opt.Now,
		holdTTL: opt.HoldTTL, idemTTL: opt.IdempotencyTTL}
	if len(opt.TokenKey) > 0 {
		if len(opt.TokenKey) < 16 {
			db.Close()
			return nil, errors.New("ledger: Options.TokenKey must be at least 16 bytes")
		}
		l.tokenKey = bytes.Clone(opt.TokenKey)
	}
	if l.card == nil {
		l.card = estimator.Default()
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.holdTTL <= 0 {
		l.holdTTL = DefaultHoldTTL
	}
	if l.idemTTL <= 0 {
		l.idemTTL = DefaultIdempotencyTTL
	}
	if d == SQLite {
		l.writeMu = &sync.Mutex{}
		l.startBatcher()
	}
	return l, nil
}

// Close closes the database.
func (l *Ledger) Close() error {
	l.closeMu.Lock()
	if l.closed {
		l.closeMu.Unlock()
		return nil
	}
	l.closed = true
	l.closeMu.Unlock()
	if l.batch != nil {
		l.batch.stop()
	}
	l.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	return l.db.Close()
}

// Dialect returns the database's dialect.
func (l *Ledger) Dialect() Dialect { return l.dialect }

// Card returns the rate card holds are priced with.
func (l *Ledger) Card() *estimator.RateCard { return l.card }

// HoldTTL returns how long a hold stays open before it is released automatically.
func (l *Ledger) HoldTTL() time.Duration { return l.holdTTL }

func (l *Ledger) q(s string) string { return l.rb.q(s) }

func (l *Ledger) nowMicro() int64 { return l.now().UTC().UnixMicro() }

// Response is a finished answer of a mutating call: what is sent and what a retry with the same
// Idempotency-Key gets back.
type Response struct {
	storedBody []byte // what a retry gets, when it differs from Body (no token)
	Status     int
	Body       []byte
	Replayed   bool // the stored answer of an earlier call with the same key
}

// Call identifies a mutating request for idempotency: who made it (keys are per caller), the
// Idempotency-Key, and a hash of the request (method, path, body).
type Call struct {
	Scope       string
	Key         string
	RequestHash string
}

// HashRequest returns the hash a Call carries for a request.
func HashRequest(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// CheckKey validates an Idempotency-Key header value.
func CheckKey(key string) *estimator.Error {
	if key == "" {
		return errf(CodeMissingIdempotencyKey, "Idempotency-Key", "every mutating call needs an Idempotency-Key header (e.g. a random UUID)")
	}
	if len(key) > maxIdempotencyKeyBytes {
		return errf(estimator.CodeOutOfRange, "Idempotency-Key", "at most 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return errf(estimator.CodeInvalidValue, "Idempotency-Key", "printable ASCII without spaces only")
		}
	}
	return nil
}

func errorResponse(e *estimator.Error) Response {
	return Response{Status: Status(e.Code), Body: e.AppendJSON(nil)}
}

// errorWith is an error object with extra members (the 402 and stale_quote details).
func errorWith(e *estimator.Error, extra string) Response {
	b := e.AppendJSON(nil)
	b = append(b[:len(b)-1], ',')
	b = append(b, extra...)
	b = append(b, '}')
	return Response{Status: Status(e.Code), Body: b}
}

var (
	errNoAccount = errors.New("ledger: no such account")
	errNoHold    = errors.New("ledger: no such hold")
)

// lockBy says what a mutating call locks before it looks at anything.
type lockBy int

const (
	byNothing lockBy = iota // creating an account: nothing to lock yet
	byAccount               // id is an account id
	byHold                  // id is a hold id: its account is locked
)

// mutate runs op in one write transaction with the idempotency record: a stored answer for the
// same key is returned as it was (or idempotency_conflict when the request differs); otherwise
// op's answer is stored with the change it made, in the same transaction. The account — given,
// or the hold's — is locked first (SELECT … FOR UPDATE on PostgreSQL) so that calls on one
// account are serialized; op gets its id. op queues its writes in w; mutate flushes them together
// with the idempotency record (one round trip on PostgreSQL).
func (l *Ledger) mutate(ctx context.Context, call Call, by lockBy, id string, op func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (Response, error)) (Response, error) {
	if e := CheckKey(call.Key); e != nil {
		return errorResponse(e), nil
	}
	var res Response
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := l.nowMicro()
		var hash sql.NullString
		var status sql.NullInt64
		var body []byte
		var err error
		var due [2]int64 // stale holds, expired buckets with credits
		var account string
		if by != byNothing {
			// One round trip: lock the account row (found through the hold for a hold), look the
			// key up, and see whether holds or buckets are due for maintenance. Anything that
			// must be current is read after this statement, once the lock is held: a statement
			// that waited for the lock still sees the snapshot it started with.
			from := `FROM accounts a`
			if by == byHold {
				from = `FROM holds h JOIN accounts a ON a.id = h.account_id`
			}
			where := ` WHERE a.id = ?`
			if by == byHold {
				where = ` WHERE h.id = ?`
			}
			query := `SELECT a.id, i.request_hash, i.status, i.response,
				(SELECT COUNT(*) FROM holds WHERE account_id = a.id AND state = ? AND expires_at <= ?),
				(SELECT COUNT(*) FROM buckets WHERE account_id = a.id AND remaining > 0 AND expires_at <= ?)
				` + from + ` LEFT JOIN idempotency i ON i.scope = ? AND i.idem_key = ?` + where
			if l.dialect == Postgres {
				query += ` FOR UPDATE OF a`
			}
			err = l.queryRow(ctx, tx, query, HoldHeld, now, now, call.Scope, call.Key, id).Scan(&account, &hash, &status, &body, &due[0], &due[1])
			if errors.Is(err, sql.ErrNoRows) {
				if by == byHold {
					return errNoHold
				}
				return errNoAccount
			}
			if err == nil && !hash.Valid {
				err = sql.ErrNoRows
			}
		} else {
			err = l.queryRow(ctx, tx, `SELECT request_hash, status, response FROM idempotency WHERE scope = ? AND idem_key = ?`,
				call.Scope, call.Key).Scan(&hash, &status, &body)
		}
		switch {
		case err == nil:
			if hash.String != call.RequestHash {
				res = errorResponse(errf(CodeIdempotencyConflict, "Idempotency-Key", "this key was used for a different request; use a new key for a new request"))
				return nil
			}
			res = Response{Status: int(status.Int64), Body: body, Replayed: true}
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if account != "" && (due[0] > 0 || due[1] > 0) {
			if err := l.maintainDue(ctx, tx, account, now); err != nil {
				return err
			}
		}
		w := &writeSet{}
		r, err := op(ctx, tx, now, account, w)
		if err != nil {
			return err
		}
		res = r
		stored := r.Body
		if r.storedBody != nil {
			stored = r.storedBody
		}
		w.add(`INSERT INTO idempotency (scope, idem_key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			call.Scope, call.Key, call.RequestHash, r.Status, stored, now)
		return l.flush(ctx, tx, w)
	})
	switch {
	case errors.Is(err, errNoAccount):
		return errorResponse(errf(CodeNotFound, "", "no such account")), nil
	case errors.Is(err, errNoHold):
		return errorResponse(errf(CodeNotFound, "", "no such hold")), nil
	}
	res.storedBody = nil
	return res, err
}

func (l *Ledger) lockAccount(ctx context.Context, tx *sql.Tx, account string) error {
	query := `SELECT id FROM accounts WHERE id = ?`
	if l.dialect == Postgres {
		query += ` FOR UPDATE`
	}
	var id string
	err := l.queryRow(ctx, tx, (query), account).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoAccount
	}
	return err
}

// randomID returns prefix and 16 random bytes in URL-safe base64 (128 bits: not guessable).
func randomID(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// newToken returns an account token (256 bits), the hash stored for it and the salt it was
// derived from: random without a token key, HMAC-SHA-256(key, salt) with one (see
// Options.TokenKey), so that it can be derived again for a retry.
func newToken(key []byte) (token, hash, salt string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	if len(key) == 0 {
		token = "cet_" + base64.RawURLEncoding.EncodeToString(b[:])
		return token, TokenHash(token), ""
	}
	salt = base64.RawURLEncoding.EncodeToString(b[:])
	token = deriveToken(key, salt)
	return token, TokenHash(token), salt
}

// deriveToken is the token of the account with this salt under key.
func deriveToken(key []byte, salt string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("creditestimator ledger account token v1\x00"))
	m.Write([]byte(salt))
	return "cet_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TokenHash is the stored form of an account token.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func fmtTime(us int64) string { return time.UnixMicro(us).UTC().Format(rfc3339Micro) }

// entry queues one entry line.
func (w *writeSet) entry(account string, at int64, typ, bucket, kind, hold string, credits, available, held int64, memo string) {
	w.add(`INSERT INTO entries (account_id, at, type, bucket_id, kind, hold_id, credits, available, held, memo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		account, at, typ, bucket, kind, hold, credits, available, held, memo)
}

// BucketView is a bucket as the API shows it.
type BucketView struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Plan    string `json:"plan,omitempty"`
	Credits string `json:"credits"`
	Granted string `json:"granted,omitempty"`
	Expires string `json:"expires"`
}

// bucket queues a new bucket with its grant entry.
func (w *writeSet) bucket(account, kind, plan, period string, credits estimator.Credits, granted, expires int64, at int64, memo string) BucketView {
	id := randomID("bkt_")
	w.add(`INSERT INTO buckets (id, account_id, kind, plan, period, credits, remaining, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, account, kind, plan, period, int64(credits), int64(credits), granted, expires)
	w.entry(account, at, EntryGrant, id, kind, "", int64(credits), int64(credits), 0, memo)
	return BucketView{ID: id, Kind: kind, Plan: plan, Credits: credits.String(), Granted: fmtTime(granted), Expires: fmtTime(expires)}
}

type accountJSON struct {
	ID string `json:"id"`
}

// CreateAccount makes an account with the card's trial credits and a fresh token. The stored
// answer holds no token (tokens are kept hashed, never in the clear); a retry with the same key
// gets the first answer again, token included, when the ledger has a TokenKey that derives it,
// and "token": null otherwise.
func (l *Ledger) CreateAccount(ctx context.Context, call Call, demo bool) (Response, error) {
	res, err := l.mutate(ctx, call, byNothing, "", func(ctx context.Context, tx *sql.Tx, now int64, _ string, w *writeSet) (Response, error) {
		id := randomID("acct_")
		token, hash, salt := newToken(l.tokenKey)
		d := 0
		if demo {
			d = 1
		}
		w.add(`INSERT INTO accounts (id, token_hash, created_at, demo, token_salt) VALUES (?, ?, ?, ?, ?)`, id, hash, now, d, salt)
		var buckets []BucketView
		if t := l.card.Trial(); t.Credits > 0 {
			exp := time.UnixMicro(now).AddDate(0, 0, int(t.ValidDays)).UnixMicro()
			buckets = append(buckets, w.bucket(id, KindTrial, "", "", t.Credits, now, exp, now, "sign-up trial"))
		}
		first, _ := json.Marshal(createdAccount{accountJSON{id}, &token, buckets})
		stored, _ := json.Marshal(createdAccount{accountJSON{id}, nil, buckets})
		return Response{Status: statusCreated, Body: first, storedBody: stored}, nil
	})
	if err != nil || !res.Replayed || res.Status != statusCreated || len(l.tokenKey) == 0 {
		return res, err
	}
	return l.replayToken(ctx, res)
}

type createdAccount struct {
	Account accountJSON  `json:"account"`
	Token   *string      `json:"token"`
	Buckets []BucketView `json:"buckets"`
}

// replayToken puts the account's token back into a replayed creation answer, derived from its
// salt. An account made without a token key, or under another key (the key was changed), keeps
// "token": null: the derived token would not be the account's.
func (l *Ledger) replayToken(ctx context.Context, res Response) (Response, error) {
	const null = `"token":null`
	var stored createdAccount
	if err := json.Unmarshal(res.Body, &stored); err != nil || stored.Token != nil || bytes.Count(res.Body, []byte(null)) != 1 {
		return res, nil
	}
	var hash, salt string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT token_hash, token_salt FROM accounts WHERE id = ?`), stored.Account.ID).Scan(&hash, &salt)
	if errors.Is(err, sql.ErrNoRows) {
		return res, nil
	}
	if err != nil {
		return Response{}, err
	}
	if salt == "" {
		return res, nil
	}
	token := deriveToken(l.tokenKey, salt)
	if subtle.ConstantTimeCompare([]byte(TokenHash(token)), []byte(hash)) != 1 {
		return res, nil
	}
	quoted, _ := json.Marshal(token)
	res.Body = bytes.Replace(res.Body, []byte(null), append([]byte(`"token":`), quoted...), 1)
	return res, nil
}

// Answered reports whether a first answer is stored for this caller's Idempotency-Key, so that
// a retry can be told from a new request before the ledger is asked (the demo sign-up's rate
// limit lets retries through: they create nothing).
func (l *Ledger) Answered(ctx context.Context, scope, key string) (bool, error) {
	var n int
	err := l.db.QueryRowContext(ctx, l.q(`SELECT COUNT(*) FROM idempotency WHERE scope = ? AND idem_key = ?`), scope, key).Scan(&n)
	return n > 0, err
}

// AccountByToken returns the account a token belongs to.
func (l *Ledger) AccountByToken(ctx context.Context, token string) (string, bool, error) {
	var id string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT id FROM accounts WHERE token_hash = ?`), TokenHash(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

// AccountExists reports whether the account exists.
func (l *Ledger) AccountExists(ctx context.Context, id string) (bool, error) {
	var x string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT id FROM accounts WHERE id = ?`), id).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// HoldAccount returns the account of a hold.
func (l *Ledger) HoldAccount(ctx context.Context, holdID string) (string, bool, error) {
	var id string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT account_id FROM holds WHERE id = ?`), holdID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

// firstOfNextMonth returns midnight UTC of the first day of the month after t's.
func firstOfNextMonth(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}

// Grant adds buckets to an account: a plan period, a top-up purchase or an operator adjustment.
func (l *Ledger) Grant(ctx context.Context, call Call, account string, g GrantRequest) (Response, error) {
	return l.mutate(ctx, call, byAccount, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (Response, error) {
		type out struct {
			Buckets  []BucketView    `json:"buckets"`
			Purchase json.RawMessage `json:"purchase,omitempty"`
		}
		var o out
		switch g.Kind {
		case "plan":
			var plan *estimator.Plan
			for _, p := range l.card.Plans() {
				if p.ID == g.Plan {
					p := p
					plan = &p
				}
			}
			if plan == nil {
				return errorResponse(errf(estimator.CodeUnknownPlan, "plan", "the rate card has no plan "+clip(g.Plan))), nil
			}
			start := g.PeriodStart.UnixMicro()
			end := firstOfNextMonth(g.PeriodStart).UnixMicro()
			if end <= now {
				return errorResponse(errf(estimator.CodeInvalidDate, "periodStart", "that period's month is over; its credits would already have expired")), nil
			}
			period := g.PeriodStart.Format("2006-01")
			var n int
			if err := l.queryRow(ctx, tx, (`SELECT COUNT(*) FROM buckets WHERE account_id = ? AND plan = ? AND period = ?`), account, plan.ID, period).Scan(&n); err != nil {
				return Response{}, err
			}
			if n > 0 {
				return errorResponse(errf(CodeAlreadyGranted, "periodStart", "plan "+plan.ID+" was already granted for "+period)), nil
			}
			for _, part := range []struct {
				kind    string
				credits estimator.Credits
			}{{KindMonthly, plan.Monthly}, {KindPriority, plan.Priority}} {
				if part.credits <= 0 {
					continue
				}
				o.Buckets = append(o.Buckets, w.bucket(account, part.kind, plan.ID, period, part.credits, start, end, now, "plan "+plan.ID+" "+period))
			}
		case "topup":
			p, err := l.card.TopUpQuote(g.Credits)
			if err != nil {
				e := err.(*estimator.Error)
				return errorResponse(errf(e.Code, "credits", e.Message)), nil
			}
			exp := time.UnixMicro(now).AddDate(0, 0, int(p.ValidDays)).UnixMicro()
			o.Buckets = append(o.Buckets, w.bucket(account, KindTopUp, "", "", p.Credits, now, exp, now, "top-up $"+p.Total.String()))
			o.Purchase = p.AppendJSON(nil)
		case "adjustment":
			exp := g.Expires.UnixMicro()
			if exp <= now {
				return errorResponse(errf(estimator.CodeInvalidDate, "expires", "must be in the future")), nil
			}
			o.Buckets = append(o.Buckets, w.bucket(account, KindAdjustment, "", "", g.Credits, now, exp, now, g.Memo))
		default:
			return errorResponse(errf(CodeUnsupportedGrantKind, "kind", "must be plan, topup or adjustment")), nil
		}
		body, _ := json.Marshal(o)
		return Response{Status: statusCreated, Body: body}, nil
	})
}

// usable is a bucket that can pay at an instant.
type usable struct {
	id, kind, plan string
	remaining      int64
	granted        int64
	expires        int64
}

// spendOrder sorts buckets into the order they pay: soonest expiry first; ties by kind
// (trial, monthly, priority, topup, adjustment), then grant time, then id. When the account's
// plan already gives it the fast queue (a live monthly bucket of a card plan whose queue is
// "fast"), priority credits buy nothing and pay only after every other bucket.
func spendOrder(bs []usable, priorityLast bool) {
	sort.Slice(bs, func(i, j int) bool {
		a, b := bs[i], bs[j]
		if priorityLast && (a.kind == KindPriority) != (b.kind == KindPriority) {
			return b.kind == KindPriority
		}
		if a.expires != b.expires {
			return a.expires < b.expires
		}
		if kindOrder[a.kind] != kindOrder[b.kind] {
			return kindOrder[a.kind] < kindOrder[b.kind]
		}
		if a.granted != b.granted {
			return a.granted < b.granted
		}
		return a.id < b.id
	})
}

// fastPlans returns the ids of the card's plans whose queue is fast.
func (l *Ledger) fastPlans() map[string]bool {
	m := map[string]bool{}
	for _, p := range l.card.Plans() {
		if p.Queue == "fast" {
			m[p.ID] = true
		}
	}
	return m
}

// usableBuckets returns the buckets that can pay at now, in spend order.
func (l *Ledger) usableBuckets(ctx context.Context, tx *sql.Tx, account string, now int64) ([]usable, error) {
	rows, err := l.query(ctx, tx, (`SELECT id, kind, plan, remaining, granted_at, expires_at FROM buckets
		WHERE account_id = ? AND remaining > 0 AND granted_at <= ? AND expires_at > ?`), account, now, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bs []usable
	hasPriority := false
	for rows.Next() {
		var b usable
		if err := rows.Scan(&b.id, &b.kind, &b.plan, &b.remaining, &b.granted, &b.expires); err != nil {
			return nil, err
		}
		hasPriority = hasPriority || b.kind == KindPriority
		bs = append(bs, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	priorityLast := false
	if hasPriority {
		if priorityLast, err = l.hasFastPlan(ctx, tx, account, now); err != nil {
			return nil, err
		}
	}
	spendOrder(bs, priorityLast)
	return bs, nil
}

// hasFastPlan reports whether a live monthly bucket of a fast-queue plan covers now.
func (l *Ledger) hasFastPlan(ctx context.Context, tx *sql.Tx, account string, now int64) (bool, error) {
	fast := l.fastPlans()
	if len(fast) == 0 {
		return false, nil
	}
	rows, err := l.query(ctx, tx, (`SELECT plan FROM buckets WHERE account_id = ? AND kind = ? AND granted_at <= ? AND expires_at > ?`),
		account, KindMonthly, now, now)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return false, err
		}
		found = found || fast[p]
	}
	return found, rows.Err()
}

// Draw is the credits a hold took from one bucket.
type Draw struct {
	BucketID string `json:"id"`
	Kind     string `json:"kind"`
	Credits  string `json:"credits"`
	Expires  string `json:"expires"`
	credits  int64
	expires  int64
}

type holdJSON struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	State   string `json:"state"`
	Queue   string `json:"queue"`
	Credits string `json:"credits"`
	Buckets []Draw `json:"buckets"`
	Created string `json:"created"`
	Expires string `json:"expires"`
	Card    struct {
		Version string `json:"version"`
		Digest  string `json:"digest"`
	} `json:"rateCard"`
}

// Hold prices the spec with the server's card and reserves its credits (fast queue) from the
// account's buckets in spend order, or records a free standard-queue hold.
func (l *Ledger) Hold(ctx context.Context, call Call, account string, h HoldRequest) (Response, error) {
	q, err := l.card.Estimate(h.Spec)
	if err != nil {
		e := err.(*estimator.Error)
		return errorResponse(errf(e.Code, join("spec", e.Field), e.Message)), nil
	}
	quote := q.AppendJSON(nil)
	return l.mutate(ctx, call, byAccount, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (Response, error) {
		if h.Queue == "fast" && h.HasQuote && (h.QuoteCredit != q.Credits || h.QuoteDigest != l.card.Digest()) {
			msg := "the price of this spec is now " + q.Credits.String() + " credits (rate card " + l.card.Version() + "), not the " + h.QuoteCredit.String() + " quoted; confirm the new price"
			return errorWith(errf(CodeStaleQuote, "quote", msg), `"quote":`+string(quote)), nil
		}
		need := int64(q.Credits)
		hold := holdJSON{ID: randomID("hold_"), Account: account, State: HoldHeld, Queue: h.Queue,
			Created: fmtTime(now), Expires: fmtTime(now + l.holdTTL.Microseconds()), Buckets: []Draw{}}
		hold.Card.Version, hold.Card.Digest = l.card.Version(), l.card.Digest()
		var draws []Draw
		if h.Queue == "standard" {
			need = 0
		} else {
			bs, err := l.usableBuckets(ctx, tx, account, now)
			if err != nil {
				return Response{}, err
			}
			var avail int64
			for _, b := range bs {
				avail += b.remaining
			}
			if avail < need {
				return l.insufficient(need, avail, quote), nil
			}
			left := need
			for _, b := range bs {
				if left == 0 {
					break
				}
				take := min(b.remaining, left)
				left -= take
				draws = append(draws, Draw{BucketID: b.id, Kind: b.kind, Credits: estimator.Credits(take).String(), Expires: fmtTime(b.expires), credits: take, expires: b.expires})
			}
		}
		hold.Credits = estimator.Credits(need).String()
		specJSON := privateSpec(h.Spec)
		// Every draw is from a different bucket: the writes touch distinct rows (one flush).
		w.add(`INSERT INTO holds (id, account_id, queue, credits, state, created_at, expires_at, card_version, card_digest, spec, quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			hold.ID, account, h.Queue, need, HoldHeld, now, now+l.holdTTL.Microseconds(), l.card.Version(), l.card.Digest(), specJSON, string(quote))
		for i, d := range draws {
			w.addOne(`UPDATE buckets SET remaining = remaining - ? WHERE id = ? AND remaining >= ?`, d.credits, d.BucketID, d.credits)
			w.add(`INSERT INTO hold_draws (hold_id, seq, bucket_id, credits) VALUES (?, ?, ?, ?)`, hold.ID, i, d.BucketID, d.credits)
			w.entry(account, now, EntryHold, d.BucketID, d.Kind, hold.ID, d.credits, -d.credits, d.credits, "")
		}
		if len(draws) == 0 {
			w.entry(account, now, EntryHold, "", "", hold.ID, 0, 0, 0, h.Queue+" queue")
		}
		if draws != nil {
			hold.Buckets = draws
		}
		body, _ := json.Marshal(struct {
			Hold  holdJSON        `json:"hold"`
			Quote json.RawMessage `json:"quote"`
		}{hold, quote})
		return Response{Status: statusCreated, Body: body}, nil
	})
}

// privateSpec is the spec as stored with a hold: the prompt is replaced by its length and
// SHA-256, so the database never holds prompt text.
func privateSpec(s estimator.Spec) string {
	prompt := s.Prompt
	s.Prompt = ""
	b := s.AppendJSON(nil)
	if prompt != "" {
		sum := sha256.Sum256([]byte(prompt))
		extra, _ := json.Marshal(struct {
			Chars  int    `json:"promptChars"`
			SHA256 string `json:"promptSha256"`
		}{len([]rune(prompt)), hex.EncodeToString(sum[:])})
		b = append(b[:len(b)-1], ',')
		b = append(b, extra[1:]...)
	}
	return string(b)
}

// insufficient is the 402 answer: what is needed and available, the cheapest top-up that covers
// the gap, and the free standard queue.
func (l *Ledger) insufficient(need, avail int64, quote []byte) Response {
	gap := estimator.Credits(need - avail)
	topUp := []byte("null")
	if p, err := l.card.TopUpQuote(gap); err == nil {
		topUp = p.AppendJSON(nil)
	}
	sq := l.card.StandardQueue()
	sqJSON, _ := json.Marshal(struct {
		Queue    string `json:"queue"`
		Credits  string `json:"credits"`
		Slowdown string `json:"slowdown"`
		Label    string `json:"label"`
	}{"standard", "0.00", sq.Slowdown.String(), sq.Label})
	extra := `"needed":"` + estimator.Credits(need).String() + `","available":"` + estimator.Credits(avail).String() +
		`","topUp":` + string(topUp) + `,"standardQueue":` + string(sqJSON) + `,"quote":` + string(quote)
	msg := "this job needs " + estimator.Credits(need).String() + " credits; " + estimator.Credits(avail).String() +
		" are available: top up " + gap.String() + " or more, or run it free in the standard queue"
	return errorWith(errf(CodeInsufficientCredits, "", msg), extra)
}

type holdRow struct {
	id, account, queue, state string
	credits                   int64
	created, expires, closed  int64
	version, digest           string
}

// loadHold reads a hold and its draws (with their buckets' kinds and expiries) in one query.
func (l *Ledger) loadHold(ctx context.Context, tx *sql.Tx, id string) (holdRow, []Draw, error) {
	var h holdRow
	rows, err := l.query(ctx, tx, `SELECT h.id, h.account_id, h.queue, h.state, h.credits, h.created_at, h.expires_at, h.closed_at, h.card_version, h.card_digest,
		d.bucket_id, b.kind, d.credits, b.expires_at
		FROM holds h LEFT JOIN hold_draws d ON d.hold_id = h.id LEFT JOIN buckets b ON b.id = d.bucket_id
		WHERE h.id = ? ORDER BY d.seq`, id)
	if err != nil {
		return h, nil, err
	}
	defer rows.Close()
	draws := []Draw{}
	found := false
	for rows.Next() {
		var bucket, kind sql.NullString
		var credits, exp sql.NullInt64
		if err := rows.Scan(&h.id, &h.account, &h.queue, &h.state, &h.credits, &h.created, &h.expires, &h.closed, &h.version, &h.digest,
			&bucket, &kind, &credits, &exp); err != nil {
			return h, nil, err
		}
		found = true
		if bucket.Valid {
			d := Draw{BucketID: bucket.String, Kind: kind.String, credits: credits.Int64, expires: exp.Int64}
			d.Credits, d.Expires = estimator.Credits(d.credits).String(), fmtTime(exp.Int64)
			draws = append(draws, d)
		}
	}
	if err := rows.Err(); err != nil {
		return h, nil, err
	}
	if !found {
		return h, nil, sql.ErrNoRows
	}
	return h, draws, nil
}

func (h holdRow) view(draws []Draw) holdJSON {
	v := holdJSON{ID: h.id, Account: h.account, State: h.state, Queue: h.queue, Credits: estimator.Credits(h.credits).String(),
		Buckets: draws, Created: fmtTime(h.created), Expires: fmtTime(h.expires)}
	v.Card.Version, v.Card.Digest = h.version, h.digest
	return v
}

// Settle charges exactly the held credits. Settling a settled hold answers as the first time;
// settling a released one is hold_released (409).
func (l *Ledger) Settle(ctx context.Context, call Call, holdID string) (Response, error) {
	return l.closeHold(ctx, call, holdID, true)
}

// Release returns every held credit to the bucket it came from (credits whose bucket has
// expired meanwhile expire at once). Releasing a released hold answers as the first time;
// releasing a settled one is hold_settled (409).
func (l *Ledger) Release(ctx context.Context, call Call, holdID string) (Response, error) {
	return l.closeHold(ctx, call, holdID, false)
}

func (l *Ledger) closeHold(ctx context.Context, call Call, holdID string, settle bool) (Response, error) {
	return l.mutate(ctx, call, byHold, holdID, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (Response, error) {
		h, draws, err := l.loadHold(ctx, tx, holdID)
		if err != nil {
			return Response{}, err
		}
		if h.state == HoldHeld {
			state, typ := HoldReleased, EntryRelease
			if settle {
				state, typ = HoldSettled, EntrySettle
			}
			finishHold(w, h, draws, state, typ, now, "")
			// Credits given back to a bucket that has expired meanwhile expire at once. (Other
			// expired buckets were seen to when the account was locked.)
			if !settle && slices.ContainsFunc(draws, func(d Draw) bool { return d.expires <= now }) {
				if err := l.flush(ctx, tx, w); err != nil {
					return Response{}, err
				}
				if err := l.expireBuckets(ctx, tx, account, now); err != nil {
					return Response{}, err
				}
			}
			h.state, h.closed = state, now
		}
		switch {
		case settle && h.state == HoldSettled:
			body, _ := json.Marshal(struct {
				Charge closedAmount `json:"charge"`
				Hold   holdJSON     `json:"hold"`
			}{closedAmount{estimator.Credits(h.credits).String(), draws}, h.view(draws)})
			return Response{Status: statusOK, Body: body}, nil
		case !settle && h.state == HoldReleased:
			body, _ := json.Marshal(struct {
				Refund closedAmount `json:"refund"`
				Hold   holdJSON     `json:"hold"`
			}{closedAmount{estimator.Credits(h.credits).String(), draws}, h.view(draws)})
			return Response{Status: statusOK, Body: body}, nil
		case settle:
			msg := "the hold was released at " + fmtTime(h.closed) + "; nothing can be charged for it"
			if h.closed == h.expires {
				msg = "the hold was not settled within " + l.holdTTL.String() + " and was released automatically at " + fmtTime(h.closed)
			}
			return errorResponse(errf(CodeHoldReleased, "", msg)), nil
		default:
			return errorResponse(errf(CodeHoldSettled, "", "the hold was settled (charged) at "+fmtTime(h.closed)+"; it cannot be released")), nil
		}
	})
}

// finishHold queues the settling or releasing of an open hold at instant at. Its writes touch
// the hold, its entries and each of its buckets once.
func finishHold(w *writeSet, h holdRow, draws []Draw, state, typ string, at int64, memo string) {
	w.addOne(`UPDATE holds SET state = ?, closed_at = ? WHERE id = ? AND state = ?`, state, at, h.id, HoldHeld)
	for _, d := range draws {
		avail := int64(0)
		if typ == EntryRelease {
			avail = d.credits
			w.add(`UPDATE buckets SET remaining = remaining + ? WHERE id = ?`, d.credits, d.BucketID)
		}
		w.entry(h.account, at, typ, d.BucketID, d.Kind, h.id, d.credits, avail, -d.credits, memo)
	}
	if len(draws) == 0 {
		w.entry(h.account, at, typ, "", "", h.id, 0, 0, 0, memo)
	}
}

// maintain brings an account up to the instant now: holds past their deadline are released
// (at their deadline), then credits of expired buckets expire.
func (l *Ledger) maintain(ctx context.Context, tx *sql.Tx, account string, now int64) error {
	// One cheap indexed look first: most calls find nothing to do.
	var stale, expired int64
	if err := l.queryRow(ctx, tx, `SELECT (SELECT COUNT(*) FROM holds WHERE account_id = ? AND state = ? AND expires_at <= ?),
		(SELECT COUNT(*) FROM buckets WHERE account_id = ? AND remaining > 0 AND expires_at <= ?)`,
		account, HoldHeld, now, account, now).Scan(&stale, &expired); err != nil {
		return err
	}
	if stale == 0 && expired == 0 {
		return nil
	}
	return l.maintainDue(ctx, tx, account, now)
}

// maintainDue releases stale holds and expires buckets, once something is known to be due.
func (l *Ledger) maintainDue(ctx context.Context, tx *sql.Tx, account string, now int64) error {
	rows, err := l.query(ctx, tx, (`SELECT id FROM holds WHERE account_id = ? AND state = ? AND expires_at <= ?`), account, HoldHeld, now)
	if err != nil {
		return err
	}
	var staleIDs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		staleIDs = append(staleIDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w := &writeSet{}
	for _, id := range staleIDs {
		h, draws, err := l.loadHold(ctx, tx, id)
		if err != nil {
			return err
		}
		// Two stale holds may have drawn from one bucket: flush each before the next.
		finishHold(w, h, draws, HoldReleased, EntryRelease, h.expires, "released automatically")
		if err := l.flush(ctx, tx, w); err != nil {
			return err
		}
	}
	return l.expireBuckets(ctx, tx, account, now)
}

// expireBuckets writes an expire entry for every bucket that has expired with credits left. The
// entry is dated at the expiry, or at the bucket's last movement when credits came back later.
func (l *Ledger) expireBuckets(ctx context.Context, tx *sql.Tx, account string, now int64) error {
	rows, err := l.query(ctx, tx, (`SELECT id, kind, remaining, expires_at FROM buckets WHERE account_id = ? AND remaining > 0 AND expires_at <= ?`), account, now)
	if err != nil {
		return err
	}
	type exp struct {
		id, kind string
		rem, at  int64
	}
	var list []exp
	for rows.Next() {
		var e exp
		if err := rows.Scan(&e.id, &e.kind, &e.rem, &e.at); err != nil {
			rows.Close()
			return err
		}
		list = append(list, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w := &writeSet{}
	for _, e := range list {
		var last sql.NullInt64
		if err := l.queryRow(ctx, tx, (`SELECT MAX(at) FROM entries WHERE bucket_id = ?`), e.id).Scan(&last); err != nil {
			return err
		}
		at := e.at
		if last.Valid && last.Int64 > at {
			at = last.Int64
		}
		// Each bucket once, and no read below sees another bucket's writes: one flush.
		w.add(`UPDATE buckets SET remaining = 0 WHERE id = ?`, e.id)
		w.entry(account, at, EntryExpire, e.id, e.kind, "", e.rem, -e.rem, 0, "")
	}
	return l.flush(ctx, tx, w)
}

// Sweep releases every hold past its deadline and expires every expired bucket, for all
// accounts, and forgets idempotency records older than the idempotency TTL. The server runs it
// periodically; every call on an account does the same for that account first anyway.
func (l *Ledger) Sweep(ctx context.Context) (accounts int, err error) {
	now := l.nowMicro()
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT DISTINCT account_id FROM holds WHERE state = ? AND expires_at <= ?
		UNION SELECT DISTINCT account_id FROM buckets WHERE remaining > 0 AND expires_at <= ?`), HoldHeld, now, now)
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := l.lockAccount(ctx, tx, id); err != nil {
				return err
			}
			return l.maintain(ctx, tx, id, l.nowMicro())
		})
		if err != nil {
			return accounts, err
		}
		accounts++
	}
	err = l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := l.exec(ctx, tx, (`DELETE FROM idempotency WHERE created_at < ?`), now-l.idemTTL.Microseconds())
		return err
	})
	return accounts, err
}

// closedAmount is what a settle charged or a release refunded, and the buckets it came from.
type closedAmount struct {
	Credits string `json:"credits"`
	Buckets []Draw `json:"buckets"`
}

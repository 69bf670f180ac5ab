package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// Bucket kinds: the engine's (estimator.BucketKinds gives them in the spend order's tie order).
const (
	KindTrial      = estimator.BucketTrial
	KindMonthly    = estimator.BucketMonthly
	KindPriority   = estimator.BucketPriority
	KindTopUp      = estimator.BucketTopUp
	KindAdjustment = estimator.BucketAdjustment
)

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
	EntryVoid    = "void"  // an operator's (or a refund's) reversal of a bucket's remaining credits
	EntryDebit   = "debit" // a negative adjustment: credits taken in spend order
)

// DefaultHoldTTL is how long a hold stays open before it is released automatically.
const DefaultHoldTTL = time.Hour

// DefaultMaxHoldTTL bounds the TTL a hold may ask for (HoldRequest.TTL) and an extension.
const DefaultMaxHoldTTL = 24 * time.Hour

// DefaultIdempotencyTTL is how long an Idempotency-Key's first answer is kept: at least as long
// as a payment provider retries a call or a webhook (Stripe: 3 days), with a wide margin.
// Payment references (Pay) are kept forever, whatever this is.
const DefaultIdempotencyTTL = 30 * 24 * time.Hour

// Options configures a Ledger.
type Options struct {
	Card           *estimator.RateCard // prices holds; nil means estimator.Default()
	Now            func() time.Time    // the server clock; nil means time.Now
	HoldTTL        time.Duration       // a hold's deadline when it asks for none; 0 means DefaultHoldTTL
	MaxHoldTTL     time.Duration       // the longest TTL a hold or an extension may ask for; 0 means DefaultMaxHoldTTL (at least HoldTTL)
	IdempotencyTTL time.Duration       // 0 means DefaultIdempotencyTTL
	ExpiringLead   time.Duration       // credits.expiring this long before a bucket expires; 0 means DefaultExpiringLead
	MaxConns       int                 // PostgreSQL connections; 0 means 4 per CPU, at least 8

	// TokenKey is a server secret (at least 16 bytes) that account tokens are derived from, with
	// a random salt per account, so that a retried account creation answers its token again,
	// byte for byte the first answer. Empty: tokens are random and a retry answers "token": null.
	TokenKey []byte

	// NoEvents writes no events (the ledger as it was before them): for benchmarks that compare
	// both in one run (cmd/ledgerbench). Never in production: nothing would be delivered.
	NoEvents bool
}

// Ledger is a credit ledger on SQLite or PostgreSQL. It is safe for concurrent use.
type Ledger struct {
	db       *sql.DB
	dialect  Dialect
	rb       rebinder
	card     *estimator.RateCard
	now      func() time.Time
	holdTTL  time.Duration
	maxTTL   time.Duration
	idemTTL  time.Duration
	tokenKey []byte
	stmts    sync.Map    // query text → *sql.Stmt
	writeMu  *sync.Mutex // SQLite only: held by the group-commit writer
	// expiringLead: credits.expiring is sent this long before a bucket expires.
	expiringLead time.Duration
	noEvents     bool

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
		holdTTL: opt.HoldTTL, maxTTL: opt.MaxHoldTTL, idemTTL: opt.IdempotencyTTL, expiringLead: opt.ExpiringLead, noEvents: opt.NoEvents}
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
	if l.maxTTL <= 0 {
		l.maxTTL = DefaultMaxHoldTTL
	}
	l.maxTTL = max(l.maxTTL, l.holdTTL)
	if l.expiringLead <= 0 {
		l.expiringLead = DefaultExpiringLead
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

// MaxHoldTTL returns the longest TTL a hold or an extension may ask for.
func (l *Ledger) MaxHoldTTL() time.Duration { return l.maxTTL }

// IdempotencyTTL returns how long idempotency keys are kept.
func (l *Ledger) IdempotencyTTL() time.Duration { return l.idemTTL }

func (l *Ledger) q(s string) string { return l.rb.q(s) }

func (l *Ledger) nowMicro() int64 { return l.now().UTC().UnixMicro() }

// Now is the ledger's clock (Options.Now) in UTC: deliveries are signed with it, so a test that
// moves the clock moves them too.
func (l *Ledger) Now() time.Time { return l.now().UTC() }

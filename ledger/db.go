package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	// The two database/sql drivers the ledger speaks to: SQLite (pure Go, no cgo) and PostgreSQL.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Dialect is the SQL dialect of the database behind a Ledger.
type Dialect int

// Dialects.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// IsPostgresURL reports whether dsn names a PostgreSQL database (postgres:// or postgresql://).
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN turns a file path into the modernc.org/sqlite DSN the ledger needs:
//   - WAL: readers never block the writer, and a commit is one append to the log;
//   - synchronous=FULL: every commit is fsynced before it is acknowledged, so neither a process
//     crash nor a power loss can lose an acknowledged change (NORMAL would survive a process crash
//     but may lose the last commits on power loss; a ledger does not take that trade);
//   - busy_timeout: another process (ledgerctl reconcile, a backup) holding the lock briefly is
//     waited for instead of failing;
//   - _txlock=immediate: every transaction takes the write lock at BEGIN, so two transactions can
//     never both read a balance and both decide to spend it.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// openDB opens dsn: a postgres:// URL, or else a SQLite file path (created with its folder).
//
// maxConns bounds PostgreSQL connections (0: 4 per CPU of this machine, at least 8): more
// connections than the database can run at once only add contention (measured by ledgerbench).
func openDB(dsn string, maxConns int) (*sql.DB, Dialect, error) {
	if IsPostgresURL(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, Postgres, err
		}
		if maxConns <= 0 {
			maxConns = max(8, 4*runtime.NumCPU())
		}
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(maxConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return db, Postgres, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		return nil, SQLite, errors.New("ledger: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, SQLite, err
		}
	}
	// The database holds token hashes and statements: readable by its owner only.
	if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600); err == nil {
		f.Close()
	}
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, SQLite, err
	}
	// SQLite has one writer; the Ledger serializes writes itself (writeMu), and a handful of
	// connections serve concurrent reads under WAL.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return db, SQLite, nil
}

// rebinder rewrites '?' placeholders to $1, $2, … for PostgreSQL, once per query text.
type rebinder struct {
	dialect Dialect
	cache   sync.Map // string → string
}

func (r *rebinder) q(query string) string {
	if r.dialect != Postgres {
		return query
	}
	if v, ok := r.cache.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	out := b.String()
	r.cache.Store(query, out)
	return out
}

// retryable reports whether a transaction failed only because a concurrent one won a race
// (serialization failure, deadlock, unique key taken, SQLite busy) and may simply be run again.
func retryable(err error) bool {
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		switch st.SQLState() {
		case "40001", "40P01", "23505":
			return true
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked") ||
		strings.Contains(msg, "UNIQUE constraint failed: idempotency")
}

// inTx runs fn in a write transaction and commits it, retrying races a few times.
func (l *Ledger) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = l.tryTx(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	return err
}

func (l *Ledger) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if l.batch != nil {
		return l.batched(ctx, fn)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// migration is one versioned schema step. Its SQL is shared by both dialects; {{id}} and
// {{bytes}} are the only spellings that differ.
type migration struct {
	version int
	name    string
	sql     string
}

func (m migration) render(d Dialect) string {
	id, blob := "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"
	if d == Postgres {
		id, blob = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BYTEA"
	}
	return strings.NewReplacer("{{id}}", id, "{{bytes}}", blob).Replace(m.sql)
}

// migrate applies the migrations not yet recorded in schema_migrations, each in its own
// transaction together with its record, in version order. It refuses a database newer than
// this program.
func migrate(ctx context.Context, db *sql.DB, d Dialect, ms []migration) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("ledger: migrations table: %w", err)
	}
	rb := &rebinder{dialect: d}
	for i, m := range ms {
		if m.version != i+1 {
			return fmt.Errorf("ledger: migration %d is numbered %d", i+1, m.version)
		}
	}
	var newest int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return err
	}
	if newest > len(ms) {
		return fmt.Errorf("ledger: database schema version %d is newer than this program's %d", newest, len(ms))
	}
	for _, m := range ms[newest:] {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if d == Postgres {
			// Two processes starting at once: the second waits here, then finds the work done.
			if _, err := tx.ExecContext(ctx, `LOCK TABLE schema_migrations IN EXCLUSIVE MODE`); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		var done int
		if err := tx.QueryRowContext(ctx, rb.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&done); err != nil {
			_ = tx.Rollback()
			return err
		}
		if done == 0 {
			for _, stmt := range splitSQL(m.render(d)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					_ = tx.Rollback()
					return fmt.Errorf("ledger: migration %d (%s): %w", m.version, m.name, err)
				}
			}
			if _, err := tx.ExecContext(ctx, rb.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.version, m.name, time.Now().UTC().UnixMicro()); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// splitSQL splits a migration into statements at semicolons (migrations hold no string literals
// with semicolons).
func splitSQL(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// stmt returns query (written with ? placeholders) prepared once per connection and bound to tx:
// parsing SQL again for every call costs more than running it on SQLite.
func (l *Ledger) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if v, ok := l.stmts.Load(query); ok {
		return tx.StmtContext(ctx, v.(*sql.Stmt)), nil
	}
	s, err := l.db.PrepareContext(ctx, l.q(query))
	if err != nil {
		return nil, err
	}
	if v, loaded := l.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		s = v.(*sql.Stmt)
	}
	return tx.StmtContext(ctx, s), nil
}

// On PostgreSQL, pgx already keeps prepared statements per connection, and preparing through
// the pool could wait for a connection while every one is in a transaction: run directly.

func (l *Ledger) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if l.dialect == Postgres {
		return tx.ExecContext(ctx, l.q(query), args...)
	}
	s, err := l.stmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (l *Ledger) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if l.dialect == Postgres {
		return tx.QueryContext(ctx, l.q(query), args...)
	}
	s, err := l.stmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// errRow is a *sql.Row stand-in carrying a preparation error.
type row interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (l *Ledger) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) row {
	if l.dialect == Postgres {
		return tx.QueryRowContext(ctx, l.q(query), args...)
	}
	s, err := l.stmt(ctx, tx, query)
	if err != nil {
		return errRow{err}
	}
	return s.QueryRowContext(ctx, args...)
}

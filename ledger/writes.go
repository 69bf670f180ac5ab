package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// writeSet collects the writes of one step of a call so that they reach the database together.
// On PostgreSQL a flush is one statement — every write a data-modifying CTE — so a call's changes
// cost one round trip instead of one each; on SQLite (in process: no round trips) they run one
// prepared statement after another. Either way they run inside the call's transaction, so they
// commit or roll back together with the rest of it.
//
// PostgreSQL runs the CTEs of one statement on one snapshot: the writes of a set must touch
// distinct rows and must not read what another write of the set changes. Flush before reading
// anything the set wrote, and before writing a row the set already changed.
type writeSet struct {
	list  []pendingWrite
	lines []line // entry lines queued since the last flush: their events are written with them (events.go)
	// payLines and renewal: the payments queued since the last flush, for their events.
	payLines []payLine
	renewal  *renewal
	sql      strings.Builder
}

type pendingWrite struct {
	query string // one INSERT or UPDATE with ? placeholders, without RETURNING
	args  []any
	want  int64 // rows it must affect; -1 for any number
}

// add queues a write whose affected row count does not matter.
func (w *writeSet) add(query string, args ...any) {
	w.list = append(w.list, pendingWrite{query: query, args: args, want: -1})
}

// addOne queues a write that must affect exactly one row: a guarded UPDATE whose guard failing
// means the state changed under the lock, which aborts the transaction.
func (w *writeSet) addOne(query string, args ...any) {
	w.list = append(w.list, pendingWrite{query: query, args: args, want: 1})
}

func (w *writeSet) reset() { w.list = w.list[:0] }

// flush runs the queued writes and empties the set.
func (l *Ledger) flush(ctx context.Context, tx *sql.Tx, w *writeSet) error {
	defer w.reset()
	l.queueEvents(w)
	if len(w.list) == 0 {
		return nil
	}
	if l.dialect != Postgres || len(w.list) == 1 {
		for _, pw := range w.list {
			res, err := l.exec(ctx, tx, pw.query, pw.args...)
			if err != nil {
				return err
			}
			if pw.want >= 0 {
				if n, err := res.RowsAffected(); err != nil || n != pw.want {
					return fmt.Errorf("ledger: %d rows changed, %d expected: state changed under a lock (%s)", n, pw.want, pw.query)
				}
			}
		}
		return nil
	}
	// WITH w0 AS (… RETURNING 1), w1 AS (…) SELECT (SELECT count(*) FROM w0), … — the counts
	// check guarded updates. PostgreSQL leaves the order of a statement's data-modifying CTEs
	// unspecified (in practice each runs when its count is read, left to right): nothing may
	// depend on it, and nothing does beyond the order of one call's entry lines among themselves
	// (their amounts are per-line changes, not running balances).
	b := &w.sql
	b.Reset()
	var args []any
	for i, pw := range w.list {
		if i == 0 {
			b.WriteString("WITH ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString("w" + strconv.Itoa(i) + " AS (" + pw.query + " RETURNING 1)")
		args = append(args, pw.args...)
	}
	b.WriteString(" SELECT ")
	for i := range w.list {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(SELECT count(*) FROM w" + strconv.Itoa(i) + ")")
	}
	counts := make([]int64, len(w.list))
	dest := make([]any, len(w.list))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := tx.QueryRowContext(ctx, l.q(b.String()), args...).Scan(dest...); err != nil {
		return err
	}
	for i, pw := range w.list {
		if pw.want >= 0 && counts[i] != pw.want {
			return fmt.Errorf("ledger: %d rows changed, %d expected: state changed under a lock (%s)", counts[i], pw.want, pw.query)
		}
	}
	return nil
}

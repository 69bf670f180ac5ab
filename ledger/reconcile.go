package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// Problem is one disagreement found by Reconcile.
type Problem struct {
	Account string
	Object  string // a bucket or hold id
	Message string
}

func (p Problem) String() string { return p.Account + " " + p.Object + ": " + p.Message }

// Report is the result of Reconcile.
type Report struct {
	Accounts, Buckets, Holds, Entries int64
	Problems                          []Problem
}

// Reconcile re-derives every bucket and hold from the entries alone and compares, to the
// hundredth, with what the tables say:
//   - a bucket's grant entries add up to its credits; all its entries' available deltas add up
//     to its remaining credits, which are never negative; its entries' held deltas add up to the
//     credits open holds drew from it; credits = remaining + held + charged + expired;
//   - a hold's draws add up to its credits; its hold entries too; its entries' held deltas add up
//     to its credits while it is open and to zero once closed; a settled hold has settle entries
//     worth what it charged and release entries worth the rest (none for a full charge), a
//     released hold release entries worth its credits;
//   - void and debit entries carry a reason and an actor and take their credits from a bucket;
//     a voided bucket has nothing left (credits = remaining + held + charged + expired + voided
//   - debited);
//   - every entry belongs to an account, bucket and hold of that account.
//
// It reads one consistent snapshot.
func (l *Ledger) Reconcile(ctx context.Context) (Report, error) {
	var r Report
	// One consistent snapshot that never blocks writers: a read-only REPEATABLE READ transaction
	// on PostgreSQL; on SQLite a deferred transaction under WAL (the DSN makes every database/sql
	// transaction IMMEDIATE, i.e. a writer, so it is begun by hand on a connection of its own).
	var tx interface {
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	if l.dialect == Postgres {
		t, err := l.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
		if err != nil {
			return r, err
		}
		defer t.Rollback()
		tx = t
	} else {
		conn, err := l.db.Conn(ctx)
		if err != nil {
			return r, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
			return r, err
		}
		defer conn.ExecContext(context.Background(), `ROLLBACK`) //nolint:errcheck // read-only
		tx = conn
	}
	add := func(account, obj, format string, args ...any) {
		r.Problems = append(r.Problems, Problem{account, obj, fmt.Sprintf(format, args...)})
	}
	scanAll := func(query string, fn func(rows *sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&r.Accounts); err != nil {
		return r, err
	}

	type bucketSums struct{ grant, avail, held, settled, expired, voided, debited, drawnOpen int64 }
	type holdSums struct{ hold, held, settled, released, holdEntries, settleEntries, releaseEntries int64 }
	bsum := map[string]*bucketSums{}
	hsum := map[string]*holdSums{}
	bget := func(id string) *bucketSums {
		if bsum[id] == nil {
			bsum[id] = &bucketSums{}
		}
		return bsum[id]
	}
	hget := func(id string) *holdSums {
		if hsum[id] == nil {
			hsum[id] = &holdSums{}
		}
		return hsum[id]
	}
	bucketAccount, holdAccount := map[string]string{}, map[string]string{}
	if err := scanAll(`SELECT id, account_id FROM buckets`, func(rows *sql.Rows) error {
		var id, a string
		err := rows.Scan(&id, &a)
		bucketAccount[id] = a
		return err
	}); err != nil {
		return r, err
	}
	if err := scanAll(`SELECT id, account_id FROM holds`, func(rows *sql.Rows) error {
		var id, a string
		err := rows.Scan(&id, &a)
		holdAccount[id] = a
		return err
	}); err != nil {
		return r, err
	}
	if err := scanAll(`SELECT account_id, type, bucket_id, hold_id, credits, available, held, reason, actor FROM entries`, func(rows *sql.Rows) error {
		var account, typ, bucket, hold, reason, actor string
		var c, a, h int64
		if err := rows.Scan(&account, &typ, &bucket, &hold, &c, &a, &h, &reason, &actor); err != nil {
			return err
		}
		if (typ == EntryVoid || typ == EntryDebit) && (reason == "" || actor == "" || bucket == "" || a != -c || h != 0) {
			add(account, bucket, "%s entry of %d without a reason and an actor, or not taking its credits from the bucket", typ, c)
		}
		r.Entries++
		if bucket != "" {
			if bucketAccount[bucket] != account {
				add(account, bucket, "entry names a bucket of another account or none")
			}
			s := bget(bucket)
			s.avail += a
			s.held += h
			switch typ {
			case EntryGrant:
				s.grant += c
			case EntrySettle:
				s.settled += c
			case EntryExpire:
				s.expired += c
			case EntryVoid:
				s.voided += c
			case EntryDebit:
				s.debited += c
			}
		}
		if hold != "" {
			if holdAccount[hold] != account {
				add(account, hold, "entry names a hold of another account or none")
			}
			s := hget(hold)
			s.held += h
			switch typ {
			case EntryHold:
				s.holdEntries += c
			case EntrySettle:
				s.settleEntries += c
			case EntryRelease:
				s.releaseEntries += c
			}
		}
		if c < 0 {
			add(account, bucket+hold, "negative entry amount %d", c)
		}
		return nil
	}); err != nil {
		return r, err
	}
	if err := scanAll(`SELECT d.hold_id, d.bucket_id, d.credits, h.state FROM hold_draws d JOIN holds h ON h.id = d.hold_id`, func(rows *sql.Rows) error {
		var hold, bucket, state string
		var c int64
		if err := rows.Scan(&hold, &bucket, &c, &state); err != nil {
			return err
		}
		hget(hold).hold += c
		if state == HoldHeld {
			bget(bucket).drawnOpen += c
		}
		if bucketAccount[bucket] != holdAccount[hold] {
			add(holdAccount[hold], hold, "draws from a bucket of another account")
		}
		return nil
	}); err != nil {
		return r, err
	}
	if err := scanAll(`SELECT id, account_id, credits, remaining, voided_at FROM buckets`, func(rows *sql.Rows) error {
		var id, account string
		var credits, remaining int64
		var voidedAt sql.NullInt64
		if err := rows.Scan(&id, &account, &credits, &remaining, &voidedAt); err != nil {
			return err
		}
		r.Buckets++
		s := bget(id)
		if s.grant != credits {
			add(account, id, "granted %d by entries, %d by the bucket", s.grant, credits)
		}
		if s.avail != remaining {
			add(account, id, "remaining %d by entries, %d by the bucket", s.avail, remaining)
		}
		if remaining < 0 {
			add(account, id, "negative remaining %d", remaining)
		}
		if s.held != s.drawnOpen {
			add(account, id, "held %d by entries, %d by open holds", s.held, s.drawnOpen)
		}
		if voidedAt.Valid && remaining != 0 {
			add(account, id, "voided, yet %d remaining", remaining)
		}
		if !voidedAt.Valid && s.voided != 0 {
			add(account, id, "void entries of %d on a bucket that was never voided", s.voided)
		}
		if credits != remaining+s.held+s.settled+s.expired+s.voided+s.debited {
			add(account, id, "credits %d ≠ remaining %d + held %d + charged %d + expired %d + voided %d + debited %d",
				credits, remaining, s.held, s.settled, s.expired, s.voided, s.debited)
		}
		return nil
	}); err != nil {
		return r, err
	}
	if err := scanAll(`SELECT id, account_id, credits, state, charged FROM holds`, func(rows *sql.Rows) error {
		var id, account, state string
		var credits int64
		var charged sql.NullInt64
		if err := rows.Scan(&id, &account, &credits, &state, &charged); err != nil {
			return err
		}
		r.Holds++
		s := hget(id)
		if s.hold != credits {
			add(account, id, "draws add up to %d, the hold says %d", s.hold, credits)
		}
		if s.holdEntries != credits {
			add(account, id, "hold entries add up to %d, the hold says %d", s.holdEntries, credits)
		}
		wantHeld, wantSettled, wantReleased := int64(0), int64(0), int64(0)
		switch state {
		case HoldHeld:
			wantHeld = credits
		case HoldSettled:
			// A partial charge: the charged part settled, the rest released.
			wantSettled = credits
			if charged.Valid {
				wantSettled, wantReleased = charged.Int64, credits-charged.Int64
			}
			if wantSettled < 0 || wantReleased < 0 {
				add(account, id, "charged %d of a hold of %d", charged.Int64, credits)
			}
		case HoldReleased:
			wantReleased = credits
		default:
			add(account, id, "unknown state %q", state)
		}
		if s.held != wantHeld || s.settleEntries != wantSettled || s.releaseEntries != wantReleased {
			add(account, id, "%s hold of %d: entries hold %d, settle %d, release %d", state, credits, s.held, s.settleEntries, s.releaseEntries)
		}
		return nil
	}); err != nil {
		return r, err
	}
	for id := range bsum {
		if _, ok := bucketAccount[id]; !ok {
			add("", id, "entries name a bucket that does not exist")
		}
	}
	for id := range hsum {
		if _, ok := holdAccount[id]; !ok {
			add("", id, "entries name a hold that does not exist")
		}
	}
	sort.Slice(r.Problems, func(i, j int) bool { return r.Problems[i].String() < r.Problems[j].String() })
	return r, nil
}

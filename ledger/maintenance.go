package ledger

import (
	"context"
	"database/sql"
)

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
		finishHold(w, h, draws, HoldReleased, EntryRelease, h.expires, memoAutoReleased)
		if err := l.flush(ctx, tx, w); err != nil {
			return err
		}
	}
	if err := l.expireBuckets(ctx, tx, account, now); err != nil {
		return err
	}
	return l.checkLow(ctx, tx, account, now, w)
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
		w.lines[len(w.lines)-1].expires = e.at
	}
	return l.flush(ctx, tx, w)
}

// Sweep releases every hold past its deadline and expires every expired bucket, for all
// accounts, and forgets idempotency records older than the idempotency TTL (payment references
// excepted: they are kept forever). The server runs it
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
	if err := l.sweepExpiring(ctx, now); err != nil {
		return accounts, err
	}
	if err := l.pruneDeliveries(ctx, now); err != nil {
		return accounts, err
	}
	err = l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Payment references (scope "payment") are kept forever: a provider may replay an event
		// long after any key would have expired.
		_, err := l.exec(ctx, tx, (`DELETE FROM idempotency WHERE created_at < ? AND scope <> ?`), now-l.idemTTL.Microseconds(), paymentScope)
		return err
	})
	return accounts, err
}

package ledger

import (
	"context"
	"database/sql"
	"sort"
)

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

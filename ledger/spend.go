package ledger

import (
	"context"
	"database/sql"

	"github.com/creditestimator/creditestimator/estimator"
)

// The credit model — kinds, validity windows, billing periods, the spend order and its priority
// rule — is the engine's (estimator/credits.go, estimator/period.go), the same functions the
// wallet preview and the editor's "pays from …" preview call. This file only reads buckets for
// them and applies their answers.

// usable is a bucket that can pay at an instant.
type usable struct {
	id, kind, plan string
	remaining      int64
	granted        int64
	expires        int64
}

func (b usable) credit() estimator.CreditBucket {
	return estimator.CreditBucket{Kind: b.kind, Plan: b.plan, Credits: estimator.Credits(b.remaining),
		Granted: estimator.Instant(b.granted), Expires: estimator.Instant(b.expires)}
}

// inSpendOrder returns the buckets of bs that can pay at now, in the engine's spend order. bs
// must be sorted by id (the order's last tie-break) and hold every bucket live at now, empty
// ones included: an empty monthly bucket of a fast-queue plan still puts priority credits last.
func (l *Ledger) inSpendOrder(bs []usable, now int64) []usable {
	cb := make([]estimator.CreditBucket, len(bs))
	for i, b := range bs {
		cb[i] = b.credit()
	}
	order := l.card.SpendOrder(cb, estimator.Instant(now))
	out := make([]usable, len(order))
	for k, i := range order {
		out[k] = bs[i]
	}
	return out
}

// usableBuckets returns the buckets that can pay at now, in spend order.
func (l *Ledger) usableBuckets(ctx context.Context, tx *sql.Tx, account string, now int64) ([]usable, error) {
	rows, err := l.query(ctx, tx, (`SELECT id, kind, plan, remaining, granted_at, expires_at FROM buckets
		WHERE account_id = ? AND granted_at <= ? AND expires_at > ? ORDER BY id`), account, now, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bs []usable
	for rows.Next() {
		var b usable
		if err := rows.Scan(&b.id, &b.kind, &b.plan, &b.remaining, &b.granted, &b.expires); err != nil {
			return nil, err
		}
		bs = append(bs, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return l.inSpendOrder(bs, now), nil
}

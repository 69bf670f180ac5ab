package ledger

import (
	"context"
	"database/sql"
	"errors"

	"github.com/creditestimator/creditestimator/estimator"
)

// Plan grants take a billing period (estimator.PeriodAt): the period that starts at the grant's
// periodStart for a plan started at its anchor. Monthly and priority credits expire when the
// period ends. Each plan bucket records its anchor (buckets.period_anchor, migration 3), so the
// next period's grant continues the plan's anchor without naming it.

// planPeriod resolves the billing period a plan grant names. The anchor is the request's; else
// the anchor of this plan's grant whose period ended at periodStart (the plan continues); else
// periodStart itself (the plan starts). An *Error is the request's fault.
func (l *Ledger) planPeriod(ctx context.Context, tx *sql.Tx, account, plan string, g GrantRequest, now int64) (estimator.BillingPeriod, *Error, error) {
	start := estimator.Instant(g.PeriodStart.UnixMicro())
	anchor := start
	if !g.Anchor.IsZero() {
		anchor = estimator.Instant(g.Anchor.UnixMicro())
		if anchor > start {
			return estimator.BillingPeriod{}, newError(estimator.CodeInvalidDate, "anchor", "the plan's start must not be after periodStart ("+start.Date().String()+"), not "+anchor.Date().String()), nil
		}
	} else {
		var prev sql.NullInt64
		err := l.queryRow(ctx, tx, `SELECT MIN(period_anchor) FROM buckets WHERE account_id = ? AND plan = ? AND expires_at = ? AND period_anchor IS NOT NULL`,
			account, plan, int64(start)).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return estimator.BillingPeriod{}, nil, err
		}
		if prev.Valid {
			anchor = estimator.Instant(prev.Int64)
		}
	}
	p := estimator.PeriodAt(anchor, start)
	if p.Start != start {
		return p, newError(estimator.CodeInvalidDate, "periodStart", "is not the start of a billing period of a plan started on "+anchor.Date().String()+
			": that period started on "+p.Start.Date().String()+" and the next starts on "+p.End.Date().String()), nil
	}
	if int64(p.End) <= now {
		return p, newError(estimator.CodeInvalidDate, "periodStart", "that billing period ended at "+p.End.String()+"; its credits would already have expired"), nil
	}
	// Once per plan and period: no other grant of this plan may cover any instant of it (grants
	// from before billing periods, calendar months, included).
	var n int
	if err := l.queryRow(ctx, tx, `SELECT COUNT(*) FROM buckets WHERE account_id = ? AND plan = ? AND granted_at < ? AND expires_at > ?`,
		account, plan, int64(p.End), int64(p.Start)).Scan(&n); err != nil {
		return p, nil, err
	}
	if n > 0 {
		return p, newError(CodeAlreadyGranted, "periodStart", "plan "+plan+" was already granted for a period overlapping "+p.Start.Date().String()+" – "+p.End.Date().String()), nil
	}
	return p, nil, nil
}

// periodKey names a billing period in buckets.period: its first day.
func periodKey(p estimator.BillingPeriod) string { return p.Start.Date().String() }

// planBucket queues a plan's bucket for a billing period with its grant entry.
func (w *writeSet) planBucket(account, kind, plan string, p estimator.BillingPeriod, credits estimator.Credits, at int64, memo string) Bucket {
	id := randomID("bkt_")
	w.add(`INSERT INTO buckets (id, account_id, kind, plan, period, credits, remaining, granted_at, expires_at, period_anchor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, account, kind, plan, periodKey(p), int64(credits), int64(credits), int64(p.Start), int64(p.End), int64(p.Anchor))
	w.grantEntry(account, at, id, kind, plan, int64(credits), int64(p.Start), int64(p.End), memo)
	return Bucket{ID: id, Kind: kind, Plan: plan, Credits: credits, Granted: instant(int64(p.Start)), Expires: instant(int64(p.End))}
}

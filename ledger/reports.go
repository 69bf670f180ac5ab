package ledger

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// Reports are read from the entries, never from running totals: what a period granted, what of
// it was spent (settled), expired and is left, and any account's balance at a past instant.

// PeriodUsage is one billing period of one plan on one account: its monthly and priority
// buckets. Spent is what holds settled from them, Expired what expired in them, Left what they
// still have (available or held); Other is what reversals took (voids, debits): Granted =
// Spent + Expired + Left + Other. Credits left in a period that has ended count as expired
// even before the sweeper writes their expire entries.
type PeriodUsage struct {
	Account string
	Plan    string
	Start   time.Time
	End     time.Time
	Ended   bool // End ≤ the report's instant
	Granted estimator.Credits
	Spent   estimator.Credits
	Expired estimator.Credits
	Left    estimator.Credits
	Other   estimator.Credits
	// Utilization is Spent ÷ Granted in hundredths of a percent, rounded down (8750: 87.50 %).
	Utilization int64
}

// UtilizationBand is a range of utilization, From ≤ u < To in whole percent (the last band
// includes 100), and how many periods fell in it.
type UtilizationBand struct {
	From, To int
	Periods  int
}

// UtilizationBands are the report's bands, in percent.
var UtilizationBands = [][2]int{{0, 10}, {10, 30}, {30, 50}, {50, 70}, {70, 100}}

// Utilization is the operator's report for the billing periods that began in one month.
type Utilization struct {
	Month        string // YYYY-MM
	At           time.Time
	Periods      []PeriodUsage // by account, then start
	Bands        []UtilizationBand
	Granted      estimator.Credits
	Spent        estimator.Credits
	Expired      estimator.Credits
	Left         estimator.Credits
	Accounts     int
	Utilization  int64 // of all periods together, hundredths of a percent
	PeriodsEnded int
}

func utilization(spent, granted int64) int64 {
	if granted <= 0 {
		return 0
	}
	return spent * 10000 / granted
}

// usage reads plan periods (monthly and priority buckets grouped by account, plan and period)
// whose buckets match where, as of at.
func (l *Ledger) usage(ctx context.Context, at int64, where string, args ...any) ([]PeriodUsage, error) {
	q := `SELECT b.account_id, b.plan, b.granted_at, b.expires_at, SUM(b.credits),
		COALESCE(SUM(x.spent), 0), COALESCE(SUM(x.expired), 0), COALESCE(SUM(x.amount), 0)
		FROM buckets b LEFT JOIN (
			SELECT e.bucket_id,
				SUM(CASE WHEN e.type = 'settle' THEN e.credits ELSE 0 END) AS spent,
				SUM(CASE WHEN e.type = 'expire' THEN e.credits ELSE 0 END) AS expired,
				SUM(e.available + e.held) AS amount
			FROM entries e JOIN buckets b ON b.id = e.bucket_id
			WHERE e.at <= ? AND b.kind IN ('monthly', 'priority') AND ` + where + `
			GROUP BY e.bucket_id) x ON x.bucket_id = b.id
		WHERE b.kind IN ('monthly', 'priority') AND ` + where + `
		GROUP BY b.account_id, b.plan, b.granted_at, b.expires_at
		ORDER BY b.account_id, b.granted_at, b.plan`
	all := append(append([]any{at}, args...), args...)
	rows, err := l.db.QueryContext(ctx, l.q(q), all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PeriodUsage{}
	for rows.Next() {
		var u PeriodUsage
		var start, end, granted, spent, expired, left int64
		if err := rows.Scan(&u.Account, &u.Plan, &start, &end, &granted, &spent, &expired, &left); err != nil {
			return nil, err
		}
		if start > at {
			continue // a period not begun at the report's instant
		}
		u.Start, u.End, u.Ended = instant(start), instant(end), end <= at
		if u.Ended { // due to expire, written or not
			expired += left
			left = 0
		}
		u.Granted, u.Spent, u.Expired, u.Left = estimator.Credits(granted), estimator.Credits(spent), estimator.Credits(expired), estimator.Credits(left)
		u.Other = estimator.Credits(granted - spent - expired - left)
		u.Utilization = utilization(spent, granted)
		out = append(out, u)
	}
	return out, rows.Err()
}

// Usage returns the account's plan periods that have begun, oldest first, as of now.
func (l *Ledger) Usage(ctx context.Context, account string) ([]PeriodUsage, bool, error) {
	ok, err := l.AccountExists(ctx, account)
	if err != nil || !ok {
		return nil, ok, err
	}
	u, err := l.usage(ctx, l.nowMicro(), `b.account_id = ?`, account)
	return u, true, err
}

// UtilizationReport reports the plan periods that began in month (its first instant, UTC), as
// of now: each period's figures, their sums, and how many periods used how much (Bands).
func (l *Ledger) UtilizationReport(ctx context.Context, month time.Time) (Utilization, error) {
	month = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	next := month.AddDate(0, 1, 0)
	now := l.nowMicro()
	r := Utilization{Month: month.Format("2006-01"), At: instant(now)}
	ps, err := l.usage(ctx, now, `b.granted_at >= ? AND b.granted_at < ?`, month.UnixMicro(), next.UnixMicro())
	if err != nil {
		return r, err
	}
	r.Periods = ps
	for _, b := range UtilizationBands {
		r.Bands = append(r.Bands, UtilizationBand{From: b[0], To: b[1]})
	}
	accounts := map[string]bool{}
	var granted, spent, expired, left int64
	for _, p := range ps {
		accounts[p.Account] = true
		granted += int64(p.Granted)
		spent += int64(p.Spent)
		expired += int64(p.Expired)
		left += int64(p.Left)
		if p.Ended {
			r.PeriodsEnded++
		}
		for i := range r.Bands {
			b := &r.Bands[i]
			if p.Utilization >= int64(b.From)*100 && (p.Utilization < int64(b.To)*100 || i == len(r.Bands)-1) {
				b.Periods++
				break
			}
		}
	}
	r.Accounts = len(accounts)
	r.Granted, r.Spent, r.Expired, r.Left = estimator.Credits(granted), estimator.Credits(spent), estimator.Credits(expired), estimator.Credits(left)
	r.Utilization = utilization(spent, granted)
	return r, nil
}

// PastBalance is an account's credits at a past instant, derived from its entries.
type PastBalance struct {
	Account   string
	At        time.Time
	Available estimator.Credits
	Held      estimator.Credits
	Buckets   []PastBucket // buckets usable at At with credits available or held, soonest expiry first
}

// PastBucket is a bucket in a PastBalance.
type PastBucket struct {
	ID        string
	Kind      string
	Available estimator.Credits
	Held      estimator.Credits
	Expires   time.Time
}

// BalanceAt returns the account's balance at instant at (not after now), summing the entries
// dated at or before it: a bucket counts while granted ≤ at < expires. Due automatic releases
// and expiries are written first, so the answer does not depend on when it is asked.
func (l *Ledger) BalanceAt(ctx context.Context, account string, at time.Time) (PastBalance, bool, error) {
	b := PastBalance{Account: account, At: at.UTC(), Buckets: []PastBucket{}}
	t := at.UnixMicro()
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := l.lockAccount(ctx, tx, account); err != nil {
			return err
		}
		return l.maintain(ctx, tx, account, l.nowMicro())
	})
	if errors.Is(err, errNoAccount) {
		return b, false, nil
	}
	if err != nil {
		return b, true, err
	}
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT b.id, b.kind, b.expires_at, SUM(e.available), SUM(e.held)
		FROM entries e JOIN buckets b ON b.id = e.bucket_id
		WHERE e.account_id = ? AND e.at <= ? AND b.granted_at <= ? AND b.expires_at > ?
		GROUP BY b.id, b.kind, b.expires_at ORDER BY b.expires_at, b.id`), account, t, t, t)
	if err != nil {
		return b, true, err
	}
	defer rows.Close()
	var avail, held int64
	for rows.Next() {
		var x PastBucket
		var exp, a, h int64
		if err := rows.Scan(&x.ID, &x.Kind, &exp, &a, &h); err != nil {
			return b, true, err
		}
		if a == 0 && h == 0 {
			continue
		}
		x.Available, x.Held, x.Expires = estimator.Credits(a), estimator.Credits(h), instant(exp)
		avail += a
		held += h
		b.Buckets = append(b.Buckets, x)
	}
	if err := rows.Err(); err != nil {
		return b, true, err
	}
	// Held credits of buckets that have expired by at are still held (a hold outlives its
	// buckets' expiry until it is settled or released).
	var heldExpired int64
	if err := l.db.QueryRowContext(ctx, l.q(`SELECT COALESCE(SUM(e.held), 0) FROM entries e JOIN buckets b ON b.id = e.bucket_id
		WHERE e.account_id = ? AND e.at <= ? AND b.expires_at <= ?`), account, t, t).Scan(&heldExpired); err != nil {
		return b, true, err
	}
	b.Available, b.Held = estimator.Credits(avail), estimator.Credits(held+heldExpired)
	return b, true, nil
}

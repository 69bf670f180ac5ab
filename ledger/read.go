package ledger

import (
	"context"
	"database/sql"
	"math/big"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// ForecastWindow is the spending history the run-out forecast extrapolates.
const ForecastWindow = 30 * 24 * time.Hour

// ExpiringWindow is how far ahead the balance lists expiring credits.
const ExpiringWindow = 30 * 24 * time.Hour

// BalanceBucket is a live bucket in a balance.
type BalanceBucket struct {
	ID        string
	Kind      string
	Plan      string
	Available estimator.Credits // not held
	Held      estimator.Credits
	Granted   time.Time
	Expires   time.Time
	Future    bool // granted after the balance's instant: not available yet
}

// Balance is an account's credits at an instant.
type Balance struct {
	Account   string
	At        time.Time
	Available estimator.Credits
	Held      estimator.Credits
	Buckets   []BalanceBucket // live buckets with credits, soonest expiry first
	Expiring  Expiring
	Forecast  Forecast
	Holds     []HoldSummary // open holds, oldest first (at most 100)
}

// Expiring is what expires within the next Days days.
type Expiring struct {
	Days    int
	Credits estimator.Credits
	Buckets []BalanceBucket
}

// Forecast extrapolates the last Days days of spending.
type Forecast struct {
	Days    int
	Spent   estimator.Credits
	PerDay  estimator.Credits // rounded up
	RunsOut time.Time         // the day (midnight UTC) the credits run out; zero when they do not
}

// HoldSummary is an open hold in a balance.
type HoldSummary struct {
	ID      string
	Queue   string
	Credits estimator.Credits
	Expires time.Time
}

// Balance returns the account's balance at the server's instant: available and held credits,
// every live bucket, what expires in the next 30 days, and when the credits run out at the last
// 30 days' rate of spending. Stale holds and expired buckets are brought up to date first.
func (l *Ledger) Balance(ctx context.Context, account string) (Balance, bool, error) {
	var b Balance
	found := true
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := l.nowMicro()
		if err := l.lockAccount(ctx, tx, account); err != nil {
			return err
		}
		if err := l.maintain(ctx, tx, account, now); err != nil {
			return err
		}
		var err error
		b, err = l.balance(ctx, tx, account, now)
		return err
	})
	if err == errNoAccount {
		return b, false, nil
	}
	return b, found, err
}

func (l *Ledger) balance(ctx context.Context, tx *sql.Tx, account string, now int64) (Balance, error) {
	b := Balance{Account: account, At: instant(now), Buckets: []BalanceBucket{}, Holds: []HoldSummary{}}
	heldBy := map[string]int64{}
	rows, err := l.query(ctx, tx, (`SELECT d.bucket_id, SUM(d.credits) FROM hold_draws d JOIN holds h ON h.id = d.hold_id
		WHERE h.account_id = ? AND h.state = ? GROUP BY d.bucket_id`), account, HoldHeld)
	if err != nil {
		return b, err
	}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return b, err
		}
		heldBy[id] = n
	}
	rows.Close()
	rows, err = l.query(ctx, tx, (`SELECT id, kind, plan, remaining, granted_at, expires_at FROM buckets
		WHERE account_id = ? AND expires_at > ? ORDER BY expires_at, granted_at, id`), account, now)
	if err != nil {
		return b, err
	}
	var avail, held int64
	for rows.Next() {
		var x BalanceBucket
		var remaining, granted, expires int64
		if err := rows.Scan(&x.ID, &x.Kind, &x.Plan, &remaining, &granted, &expires); err != nil {
			rows.Close()
			return b, err
		}
		h := heldBy[x.ID]
		// A plan's buckets stay listed for their whole period, spent or not: an empty monthly
		// bucket of a fast-queue plan still puts priority credits last, and a spend preview
		// (the spend op) on these buckets must see it.
		if remaining == 0 && h == 0 && x.Plan == "" {
			continue
		}
		x.Available, x.Held = estimator.Credits(remaining), estimator.Credits(h)
		x.Granted, x.Expires = instant(granted), instant(expires)
		if granted > now {
			x.Future = true
		} else {
			avail += remaining
		}
		held += h
		b.Buckets = append(b.Buckets, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b, err
	}
	b.Available, b.Held = estimator.Credits(avail), estimator.Credits(held)

	b.Expiring.Days = int(ExpiringWindow / (24 * time.Hour))
	b.Expiring.Buckets = []BalanceBucket{}
	var expiring int64
	horizon := now + ExpiringWindow.Microseconds()
	for _, x := range b.Buckets {
		if x.Expires.UnixMicro() <= horizon && x.Available > 0 {
			expiring += int64(x.Available)
			b.Expiring.Buckets = append(b.Expiring.Buckets, x)
		}
	}
	b.Expiring.Credits = estimator.Credits(expiring)

	var spent sql.NullInt64
	if err := l.queryRow(ctx, tx, (`SELECT SUM(credits) FROM entries WHERE account_id = ? AND type = ? AND at > ? AND at <= ?`),
		account, EntrySettle, now-ForecastWindow.Microseconds(), now).Scan(&spent); err != nil {
		return b, err
	}
	days := int64(ForecastWindow / (24 * time.Hour))
	b.Forecast.Days = int(days)
	b.Forecast.Spent = estimator.Credits(spent.Int64)
	b.Forecast.PerDay = estimator.Credits((spent.Int64 + days - 1) / days)
	if spent.Int64 > 0 {
		inOrder, err := l.usableBuckets(ctx, tx, account, now)
		if err != nil {
			return b, err
		}
		if t, ok := runOut(inOrder, now, spent.Int64, ForecastWindow.Microseconds()); ok {
			b.Forecast.RunsOut = instant(t).Truncate(24 * time.Hour)
		}
	}

	rows, err = l.query(ctx, tx, (`SELECT id, queue, credits, expires_at FROM holds WHERE account_id = ? AND state = ? ORDER BY created_at, id LIMIT 100`), account, HoldHeld)
	if err != nil {
		return b, err
	}
	defer rows.Close()
	for rows.Next() {
		var h HoldSummary
		var c, e int64
		if err := rows.Scan(&h.ID, &h.Queue, &c, &e); err != nil {
			return b, err
		}
		h.Credits, h.Expires = estimator.Credits(c), instant(e)
		b.Holds = append(b.Holds, h)
	}
	return b, rows.Err()
}

// runOut returns the instant the buckets (in spend order) are used up when credits are spent
// continuously at spent per window, each bucket only until it expires (credits it still holds
// then are lost). Exact rational arithmetic: t advances by credits × window / spent.
func runOut(bs []usable, now, spent, window int64) (int64, bool) {
	t := new(big.Rat).SetInt64(now)
	rate := new(big.Rat).SetFrac64(spent, window) // hundredths per microsecond
	for _, b := range bs {
		exp := new(big.Rat).SetInt64(b.expires)
		if t.Cmp(exp) >= 0 {
			continue
		}
		need := new(big.Rat).Quo(new(big.Rat).SetInt64(b.remaining), rate)
		end := new(big.Rat).Add(t, need)
		if end.Cmp(exp) > 0 {
			end = exp
		}
		t = end
	}
	f, _ := new(big.Int).Quo(t.Num(), t.Denom()), 0
	if !f.IsInt64() {
		return 0, false
	}
	return f.Int64(), true
}

// Entry is one line of a statement: an append-only record of one change to one bucket (or to
// a hold without buckets). Credits is the amount moved; Available and Held are the changes it
// made to the account's available and held credits.
type Entry struct {
	Seq       int64
	At        time.Time
	Type      string // EntryGrant, EntryHold, EntrySettle, EntryRelease, EntryExpire, EntryVoid or EntryDebit
	Kind      string // the bucket's kind
	Bucket    string
	Hold      string
	Credits   estimator.Credits
	Available estimator.Credits
	Held      estimator.Credits
	Memo      string
	Reason    string // void and debit entries: why (a short code)
	Actor     string // void and debit entries: who
}

// Statement is one page of an account's entries.
type Statement struct {
	Account string
	Entries []Entry
	Next    int64 // pass as after for the next page; 0 on the last page
}

// Entries returns the account's entries with from ≤ at < to (zero times: unbounded) and
// seq > after, oldest first, at most limit (≤ 1000) per page.
func (l *Ledger) Entries(ctx context.Context, account string, from, to time.Time, after int64, limit int) (Statement, bool, error) {
	st := Statement{Account: account, Entries: []Entry{}}
	if limit <= 0 || limit > maxEntriesPage {
		limit = maxEntriesPage
	}
	// Bring the account up to now first, so that the statement shows automatic releases and
	// expiries that are due.
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := l.lockAccount(ctx, tx, account); err != nil {
			return err
		}
		return l.maintain(ctx, tx, account, l.nowMicro())
	})
	if err == errNoAccount {
		return st, false, nil
	}
	if err != nil {
		return st, true, err
	}
	lo, hi := int64(-1<<62), int64(1<<62)
	if !from.IsZero() {
		lo = from.UnixMicro()
	}
	if !to.IsZero() {
		hi = to.UnixMicro()
	}
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT seq, at, type, kind, bucket_id, hold_id, credits, available, held, memo, reason, actor FROM entries
		WHERE account_id = ? AND at >= ? AND at < ? AND seq > ? ORDER BY seq LIMIT ?`), account, lo, hi, after, limit+1)
	if err != nil {
		return st, true, err
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Type, &e.Kind, &e.Bucket, &e.Hold, &e.Credits, &e.Available, &e.Held, &e.Memo, &e.Reason, &e.Actor); err != nil {
			return st, true, err
		}
		if len(st.Entries) == limit {
			st.Next = st.Entries[limit-1].Seq
			break
		}
		e.At = instant(at)
		st.Entries = append(st.Entries, e)
	}
	return st, true, rows.Err()
}

package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
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
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Plan      string `json:"plan,omitempty"`
	Credits   string `json:"credits"` // available now (not held)
	Held      string `json:"held"`
	Granted   string `json:"granted"`
	Expires   string `json:"expires"`
	Status    string `json:"status"` // "active" or "future" (granted later)
	available int64
	held      int64
	granted   int64
	expires   int64
}

// Balance is an account's credits at an instant.
type Balance struct {
	Account   string          `json:"account"`
	At        string          `json:"at"`
	Available string          `json:"available"`
	Held      string          `json:"held"`
	Buckets   []BalanceBucket `json:"buckets"`
	Expiring  struct {
		Days    int             `json:"days"`
		Credits string          `json:"credits"`
		Buckets []BalanceBucket `json:"buckets"`
	} `json:"expiringSoon"`
	Forecast struct {
		Days    int     `json:"days"`
		Spent   string  `json:"spent"`
		PerDay  string  `json:"perDay"`
		RunsOut *string `json:"runsOut"`
	} `json:"forecast"`
	Holds []HoldSummary `json:"holds"`
}

// HoldSummary is an open hold in a balance.
type HoldSummary struct {
	ID      string `json:"id"`
	Queue   string `json:"queue"`
	Credits string `json:"credits"`
	Expires string `json:"expires"`
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
	b := Balance{Account: account, At: fmtTime(now), Buckets: []BalanceBucket{}, Holds: []HoldSummary{}}
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
		if err := rows.Scan(&x.ID, &x.Kind, &x.Plan, &x.available, &x.granted, &x.expires); err != nil {
			rows.Close()
			return b, err
		}
		x.held = heldBy[x.ID]
		if x.available == 0 && x.held == 0 {
			continue
		}
		x.Credits, x.Held = estimator.Credits(x.available).String(), estimator.Credits(x.held).String()
		x.Granted, x.Expires = fmtTime(x.granted), fmtTime(x.expires)
		x.Status = "active"
		if x.granted > now {
			x.Status = "future"
		} else {
			avail += x.available
		}
		held += x.held
		b.Buckets = append(b.Buckets, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b, err
	}
	b.Available, b.Held = estimator.Credits(avail).String(), estimator.Credits(held).String()

	b.Expiring.Days = int(ExpiringWindow / (24 * time.Hour))
	b.Expiring.Buckets = []BalanceBucket{}
	var expiring int64
	horizon := now + ExpiringWindow.Microseconds()
	for _, x := range b.Buckets {
		if x.expires <= horizon && x.available > 0 {
			expiring += x.available
			b.Expiring.Buckets = append(b.Expiring.Buckets, x)
		}
	}
	b.Expiring.Credits = estimator.Credits(expiring).String()

	var spent sql.NullInt64
	if err := l.queryRow(ctx, tx, (`SELECT SUM(credits) FROM entries WHERE account_id = ? AND type = ? AND at > ? AND at <= ?`),
		account, EntrySettle, now-ForecastWindow.Microseconds(), now).Scan(&spent); err != nil {
		return b, err
	}
	days := int64(ForecastWindow / (24 * time.Hour))
	b.Forecast.Days = int(days)
	b.Forecast.Spent = estimator.Credits(spent.Int64).String()
	b.Forecast.PerDay = estimator.Credits((spent.Int64 + days - 1) / days).String()
	if spent.Int64 > 0 {
		inOrder, err := l.usableBuckets(ctx, tx, account, now)
		if err != nil {
			return b, err
		}
		if t, ok := runOut(inOrder, now, spent.Int64, ForecastWindow.Microseconds()); ok {
			s := time.UnixMicro(t).UTC().Format("2006-01-02")
			b.Forecast.RunsOut = &s
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
		h.Credits, h.Expires = estimator.Credits(c).String(), fmtTime(e)
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

// Entry is one line of a statement.
type Entry struct {
	Seq       int64  `json:"seq"`
	At        string `json:"at"`
	Type      string `json:"type"`
	Kind      string `json:"kind,omitempty"`
	Bucket    string `json:"bucket,omitempty"`
	Hold      string `json:"hold,omitempty"`
	Credits   string `json:"credits"`
	Available string `json:"available"`
	Held      string `json:"held"`
	Memo      string `json:"memo,omitempty"`
}

// Statement is one page of an account's entries.
type Statement struct {
	Account string  `json:"account"`
	Entries []Entry `json:"entries"`
	Next    *int64  `json:"next"` // pass as after= for the next page; null on the last
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
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT seq, at, type, kind, bucket_id, hold_id, credits, available, held, memo FROM entries
		WHERE account_id = ? AND at >= ? AND at < ? AND seq > ? ORDER BY seq LIMIT ?`), account, lo, hi, after, limit+1)
	if err != nil {
		return st, true, err
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var at, c, a, h int64
		if err := rows.Scan(&e.Seq, &at, &e.Type, &e.Kind, &e.Bucket, &e.Hold, &c, &a, &h, &e.Memo); err != nil {
			return st, true, err
		}
		if len(st.Entries) == limit {
			n := st.Entries[limit-1].Seq
			st.Next = &n
			break
		}
		e.At = fmtTime(at)
		e.Credits, e.Available, e.Held = estimator.Credits(c).String(), estimator.Credits(a).String(), estimator.Credits(h).String()
		st.Entries = append(st.Entries, e)
	}
	return st, true, rows.Err()
}

// MarshalBalance is the balance's JSON.
func MarshalBalance(b Balance) []byte { out, _ := json.Marshal(b); return out }

package ledger

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

func fmtTime(us int64) string { return time.UnixMicro(us).UTC().Format(rfc3339Micro) }

// entry queues one entry line.
func (w *writeSet) entry(account string, at int64, typ, bucket, kind, hold string, credits, available, held int64, memo string) {
	w.add(`INSERT INTO entries (account_id, at, type, bucket_id, kind, hold_id, credits, available, held, memo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		account, at, typ, bucket, kind, hold, credits, available, held, memo)
	w.lines = append(w.lines, line{account: account, at: at, typ: typ, bucket: bucket, kind: kind, hold: hold, credits: credits, memo: memo})
}

func instant(us int64) time.Time { return time.UnixMicro(us).UTC() }

// bucket queues a new bucket with its grant entry.
func (w *writeSet) bucket(account, kind, plan, period string, credits estimator.Credits, granted, expires int64, at int64, memo string) Bucket {
	id := randomID("bkt_")
	w.add(`INSERT INTO buckets (id, account_id, kind, plan, period, credits, remaining, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, account, kind, plan, period, int64(credits), int64(credits), granted, expires)
	w.grantEntry(account, at, id, kind, plan, int64(credits), granted, expires, memo)
	return Bucket{ID: id, Kind: kind, Plan: plan, Credits: credits, Granted: instant(granted), Expires: instant(expires)}
}

// Grant adds buckets to an account: a plan period, a top-up purchase or an operator adjustment.
func (l *Ledger) Grant(ctx context.Context, call Call, account string, g GrantRequest) (Granted, error) {
	res, replayed, err := l.mutate(ctx, call, byAccount, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		o := &Granted{}
		switch g.Kind {
		case "plan":
			var plan *estimator.Plan
			for _, p := range l.card.Plans() {
				if p.ID == g.Plan {
					p := p
					plan = &p
				}
			}
			if plan == nil {
				return failed(newError(estimator.CodeUnknownPlan, "plan", "the rate card has no plan "+clip(g.Plan)))
			}
			p, bad, err := l.planPeriod(ctx, tx, account, plan.ID, g, now)
			if err != nil {
				return outcome{}, err
			}
			if bad != nil {
				return failed(bad)
			}
			for _, part := range []struct {
				kind    string
				credits estimator.Credits
			}{{KindMonthly, plan.Monthly}, {KindPriority, plan.Priority}} {
				if part.credits <= 0 {
					continue
				}
				o.Buckets = append(o.Buckets, w.planBucket(account, part.kind, plan.ID, p, part.credits, now, "plan "+plan.ID+" "+periodKey(p)))
			}
		case "topup":
			p, err := l.card.TopUpQuote(g.Credits)
			if err != nil {
				var e *estimator.Error
				if !errors.As(err, &e) {
					return outcome{}, err
				}
				return failed(newError(e.Code, "credits", e.Message))
			}
			exp, _ := l.card.Expiry(KindTopUp, estimator.Instant(now))
			o.Buckets = append(o.Buckets, w.bucket(account, KindTopUp, "", "", p.Credits, now, int64(exp), now, "top-up $"+p.Total.String()))
			o.Purchase = &Purchase{Need: p.Need, Credits: p.Credits, Engine: p.AppendJSON(nil)}
		case "adjustment":
			exp := g.Expires.UnixMicro()
			if exp <= now {
				return failed(newError(estimator.CodeInvalidDate, "expires", "must be in the future"))
			}
			o.Buckets = append(o.Buckets, w.bucket(account, KindAdjustment, "", "", g.Credits, now, exp, now, g.Memo))
		default:
			return failed(newError(CodeUnsupportedGrantKind, "kind", "must be plan, topup or adjustment"))
		}
		return outcome{Granted: o}, nil
	})
	return typed(res, replayed, err, func(o outcome) (*Granted, *bool) { return o.Granted, &o.Granted.Replayed })
}

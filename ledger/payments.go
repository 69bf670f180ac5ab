package ledger

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// Payments. A payment provider's events (Stripe's, through package server) become ledger calls
// keyed by the provider's object id — a Checkout Session, an invoice, a charge, a dispute, a
// subscription — *forever*: the idempotency records of payments (scope "payment") are never
// swept, and the payments table keeps one row per reference. A replayed or late event changes
// nothing and answers the first result, with Replayed set.
//
// A purchase records the charge it was paid by (a PaymentIntent id), so that a refund or a
// dispute of that charge finds its buckets: what is left of them is voided; what was already
// spent is reported (Payment.Spent), never taken from other buckets.

// Payment kinds.
const (
	PaymentTopUp = "topup" // a top-up bought
	PaymentPlan  = "plan"  // a plan's credits for a billing period paid
	PaymentVoid  = "void"  // a purchase refunded or disputed
	PaymentEnd   = "end"   // a subscription ended: no more renewals
)

// paymentScope is the idempotency scope of payment references: never swept.
const paymentScope = "payment"

// Payment is what the payment calls answer.
type Payment struct {
	Ref     string // the provider's object, e.g. "stripe:cs_test_…"
	Account string
	Kind    string   // PaymentTopUp, PaymentPlan, PaymentVoid or PaymentEnd
	Buckets []Bucket // granted (topup, plan)
	Voided  estimator.Credits
	Spent   estimator.Credits // void: the purchase's credits already spent (or held, or expired)
	Note    string            // why nothing was granted or voided, when so
	// Replayed: the reference was applied before; nothing changed.
	Replayed bool
}

func paymentCall(ref string) Call {
	return Call{Scope: paymentScope, Key: ref, RequestHash: HashRequest("PAYMENT", ref, nil)}
}

func (l *Ledger) payment(ctx context.Context, ref, account string, op func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error)) (Payment, error) {
	if len(ref) > maxIdempotencyKeyBytes || ref == "" {
		return Payment{}, newError(estimator.CodeInvalidValue, "ref", "a payment reference is 1–255 printable characters")
	}
	res, replayed, err := l.mutate(ctx, paymentCall(ref), byAccount, account, op)
	return typed(res, replayed, err, func(o outcome) (*Payment, *bool) { return o.Payment, &o.Payment.Replayed })
}

func (w *writeSet) paymentRow(ref, account, kind, purchase, charge string, buckets []string, credits, spent, now int64) {
	w.payLines = append(w.payLines, payLine{ref: ref, account: account, kind: kind, purchase: purchase, charge: charge, credits: credits, spent: spent, at: now})
	w.add(`INSERT INTO payments (ref, account_id, kind, purchase, charge, buckets, credits, spent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ref, account, kind, purchase, charge, strings.Join(buckets, " "), credits, spent, now)
}

// PayTopUp grants the top-up a payment bought — the card's cheapest bundle mix for credits (the
// same estimator.RateCard.TopUpQuote the checkout priced) — keyed by ref forever. charge is the
// provider's payment (PaymentIntent) a refund or dispute will name.
func (l *Ledger) PayTopUp(ctx context.Context, ref, account string, credits estimator.Credits, charge string) (Payment, error) {
	return l.payment(ctx, ref, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		p, err := l.card.TopUpQuote(credits)
		if err != nil {
			var e *estimator.Error
			if !errors.As(err, &e) {
				return outcome{}, err
			}
			return failed(newError(e.Code, "credits", e.Message))
		}
		exp, _ := l.card.Expiry(KindTopUp, estimator.Instant(now))
		b := w.bucket(account, KindTopUp, "", "", p.Credits, now, int64(exp), now, "top-up paid "+p.Total.String()+" "+l.card.Currency()+" ("+ref+")")
		w.paymentRow(ref, account, PaymentTopUp, "", charge, []string{b.ID}, int64(p.Credits), 0, now)
		return outcome{Payment: &Payment{Ref: ref, Account: account, Kind: PaymentTopUp, Buckets: []Bucket{b}}}, nil
	})
}

// PayPlan grants a plan's credits for the billing period that starts at periodStart of a plan
// started at anchor (the engine's billing periods, estimator.PeriodAt) — an invoice paid —
// keyed by ref forever. subscription records the plan's anchor for later renewals.
func (l *Ledger) PayPlan(ctx context.Context, ref, account, plan string, periodStart, anchor time.Time, charge, subscription string) (Payment, error) {
	return l.payment(ctx, ref, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		var pl *estimator.Plan
		for _, p := range l.card.Plans() {
			if p.ID == plan {
				p := p
				pl = &p
			}
		}
		if pl == nil {
			return failed(newError(estimator.CodeUnknownPlan, "plan", "the rate card has no plan "+clip(plan)))
		}
		if subscription != "" {
			var ended sql.NullInt64
			err := l.queryRow(ctx, tx, `SELECT ended_at FROM subscriptions WHERE id = ?`, subscription).Scan(&ended)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				w.add(`INSERT INTO subscriptions (id, account_id, plan, anchor) VALUES (?, ?, ?, ?)`, subscription, account, plan, anchor.UnixMicro())
			case err != nil:
				return outcome{}, err
			default:
				w.renewal = &renewal{subscription: subscription, plan: plan} // subscription.renewed (events.go)
			}
		}
		pay := &Payment{Ref: ref, Account: account, Kind: PaymentPlan, Buckets: []Bucket{}}
		p, bad, err := l.planPeriod(ctx, tx, account, plan, GrantRequest{Kind: "plan", Plan: plan, PeriodStart: periodStart.UTC(), Anchor: anchor.UTC()}, now)
		if err != nil {
			return outcome{}, err
		}
		if bad != nil {
			// Paid, but nothing to grant (a period already granted or over): recorded, reported.
			pay.Note = bad.Code + ": " + bad.Message
			w.paymentRow(ref, account, PaymentPlan, "", charge, nil, 0, 0, now)
			return outcome{Payment: pay}, nil
		}
		var ids []string
		var total int64
		for _, part := range []struct {
			kind    string
			credits estimator.Credits
		}{{KindMonthly, pl.Monthly}, {KindPriority, pl.Priority}} {
			if part.credits <= 0 {
				continue
			}
			b := w.planBucket(account, part.kind, pl.ID, p, part.credits, now, "plan "+pl.ID+" "+periodKey(p)+" paid ("+ref+")")
			pay.Buckets = append(pay.Buckets, b)
			ids = append(ids, b.ID)
			total += int64(part.credits)
		}
		w.paymentRow(ref, account, PaymentPlan, "", charge, ids, total, 0, now)
		return outcome{Payment: pay}, nil
	})
}

// PurchaseAccount returns the account whose purchase was paid by charge, if any.
func (l *Ledger) PurchaseAccount(ctx context.Context, charge string) (string, bool, error) {
	var account string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT account_id FROM payments WHERE charge = ? AND kind IN (?, ?) ORDER BY created_at LIMIT 1`),
		charge, PaymentTopUp, PaymentPlan).Scan(&account)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return account, err == nil, err
}

// VoidPurchase voids what is left of the buckets that the purchases paid by charge granted (a
// refund or a dispute), keyed by ref forever. The part already spent is reported in Spent and
// taken from nowhere else. The account is the purchase's (PurchaseAccount).
func (l *Ledger) VoidPurchase(ctx context.Context, ref, account, charge string, r Reversal) (Payment, error) {
	if e := r.check(); e != nil {
		return Payment{}, e
	}
	return l.payment(ctx, ref, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		rows, err := l.query(ctx, tx, `SELECT ref, buckets, credits FROM payments WHERE charge = ? AND account_id = ? AND kind IN (?, ?)`,
			charge, account, PaymentTopUp, PaymentPlan)
		if err != nil {
			return outcome{}, err
		}
		var buckets []string
		var purchases []string
		var bought int64
		for rows.Next() {
			var pref, bs string
			var c int64
			if err := rows.Scan(&pref, &bs, &c); err != nil {
				rows.Close()
				return outcome{}, err
			}
			purchases = append(purchases, pref)
			buckets = append(buckets, strings.Fields(bs)...)
			bought += c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return outcome{}, err
		}
		pay := &Payment{Ref: ref, Account: account, Kind: PaymentVoid}
		if len(purchases) == 0 {
			pay.Note = "no purchase of this account was paid by " + charge
		}
		var voided int64
		for _, b := range buckets {
			v, bad, err := l.voidBucket(ctx, tx, w, account, b, now, r)
			if err != nil {
				return outcome{}, err
			}
			if bad == nil {
				voided += int64(v.Credits)
			}
		}
		// Credits voided by an earlier refund or dispute of the same charge are not spent.
		var before int64
		if err := l.queryRow(ctx, tx, `SELECT COALESCE(SUM(credits), 0) FROM payments WHERE charge = ? AND account_id = ? AND kind = ?`,
			charge, account, PaymentVoid).Scan(&before); err != nil {
			return outcome{}, err
		}
		pay.Voided = estimator.Credits(voided)
		pay.Spent = estimator.Credits(max(0, bought-voided-before))
		w.paymentRow(ref, account, PaymentVoid, strings.Join(purchases, " "), charge, buckets, voided, int64(pay.Spent), now)
		return outcome{Payment: pay}, nil
	})
}

// EndSubscription records that a subscription ended (keyed by ref forever): no more renewals
// are granted for it; the credits of the current period stay until the period ends.
func (l *Ledger) EndSubscription(ctx context.Context, ref, account, subscription string) (Payment, error) {
	return l.payment(ctx, ref, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		w.add(`UPDATE subscriptions SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, now, subscription)
		w.paymentRow(ref, account, PaymentEnd, subscription, "", nil, 0, 0, now)
		return outcome{Payment: &Payment{Ref: ref, Account: account, Kind: PaymentEnd}}, nil
	})
}

// SubscriptionEnded reports whether a subscription was ended (EndSubscription).
func (l *Ledger) SubscriptionEnded(ctx context.Context, subscription string) (bool, error) {
	var ended sql.NullInt64
	err := l.db.QueryRowContext(ctx, l.q(`SELECT ended_at FROM subscriptions WHERE id = ?`), subscription).Scan(&ended)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return ended.Valid, err
}

// SubscriptionAnchor returns the anchor (the first period's start) recorded for a subscription
// by its first paid invoice.
func (l *Ledger) SubscriptionAnchor(ctx context.Context, subscription string) (time.Time, bool, error) {
	var anchor int64
	err := l.db.QueryRowContext(ctx, l.q(`SELECT anchor FROM subscriptions WHERE id = ?`), subscription).Scan(&anchor)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	return instant(anchor), err == nil, err
}

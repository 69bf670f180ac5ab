package ledger

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// Events: every change a platform cares about is written as a row of the events table (an
// outbox) in the same transaction as the change, so an event exists exactly when its change
// committed. One mechanism writes them all: the entry lines a write set queues are turned into
// events when the set is flushed (queueEvents, called by flush), so a call that writes entries
// gets its events without code of its own. Only what no entry line says is queued elsewhere in
// this file: balance.low (checkLow, after a call's writes) and credits.expiring (the sweeper's,
// sweepExpiring). Deliveries to webhook endpoints read the table (webhooks.go).

// Event types.
const (
	EventGrantCreated     = "grant.created"
	EventHoldSettled      = "hold.settled"
	EventHoldReleased     = "hold.released"
	EventHoldAutoReleased = "hold.auto_released"
	EventCreditsExpiring  = "credits.expiring"
	EventCreditsExpired   = "credits.expired"
	EventBalanceLow       = "balance.low"
	// Payments (payments.go): a purchase refunded or disputed, a subscription's period paid
	// after its first, a subscription ended.
	EventPurchaseRefunded    = "purchase.refunded"
	EventSubscriptionRenewed = "subscription.renewed"
	EventSubscriptionEnded   = "subscription.ended"
)

// DefaultExpiringLead is how long before a bucket expires credits.expiring is sent.
const DefaultExpiringLead = 7 * 24 * time.Hour

// memoAutoReleased marks the release entries of a hold released at its deadline.
const memoAutoReleased = "released automatically"

// Event is one outbox row. Which members are set depends on Type:
//   - grant.created: Bucket, Kind, Plan, Credits (granted), Granted, Expires;
//   - hold.settled: Hold, Credits (charged), Returned (credits given back by a partial charge);
//   - hold.released, hold.auto_released: Hold, Credits (returned to their buckets);
//   - credits.expiring: Bucket, Kind, Plan, Credits (available now), Expires;
//   - credits.expired: Bucket, Kind, Plan, Credits (expired), Expires;
//   - balance.low: Credits (available), Threshold;
//   - purchase.refunded: Ref (the refund's or dispute's reference), Subject (the charge),
//     Credits (voided now), Spent (the purchase's credits already used: taken from nowhere else);
//   - subscription.renewed: Ref (the invoice's reference), Subject (the subscription), Plan,
//     Credits (granted for the period), Granted and Expires (the period);
//   - subscription.ended: Ref, Subject (the subscription).
//
// RateCard is the version of the card in force for the change (a hold's own card for hold
// events). No event holds prompt text: the ledger never has any.
type Event struct {
	Seq       int64 // the outbox's order; per account it is the order of the changes
	ID        string
	Type      string
	Account   string
	At        time.Time // the instant of the change (an expiry's, an automatic release's deadline)
	Bucket    string
	Hold      string
	Kind      string
	Plan      string
	Credits   estimator.Credits
	Returned  estimator.Credits
	Threshold estimator.Credits
	Granted   time.Time
	Expires   time.Time
	RateCard  string
	Ref       string            // a payment's reference, for payment events
	Subject   string            // the charge (purchase.refunded) or subscription (subscription.*)
	Spent     estimator.Credits // purchase.refunded
}

// payLine is a payment row as the events see it.
type payLine struct {
	ref, account, kind, purchase, charge string
	credits, spent, at                   int64
}

// renewal marks a plan payment of a subscription that existed before it.
type renewal struct{ subscription, plan string }

// line is an entry line as the events see it.
type line struct {
	account, typ, bucket, kind, hold, plan, memo string
	at, credits, granted, expires                int64
}

// grantEntry queues a bucket's grant entry with what its grant.created event tells.
func (w *writeSet) grantEntry(account string, at int64, bucket, kind, plan string, credits, granted, expires int64, memo string) {
	w.entry(account, at, EntryGrant, bucket, kind, "", credits, credits, 0, memo)
	last := &w.lines[len(w.lines)-1]
	last.plan, last.granted, last.expires = plan, granted, expires
}

const insertEvent = `INSERT INTO events (id, account_id, type, at, bucket_id, hold_id, kind, plan, credits, other, expires_at, card_version, ref, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// event queues an event row.
func (w *writeSet) event(ev Event, at int64, expires int64) {
	w.add(insertEvent, randomID("evt_"), ev.Account, ev.Type, at, ev.Bucket, ev.Hold, ev.Kind, ev.Plan,
		int64(ev.Credits), int64(ev.Returned+ev.Threshold+ev.Spent), expires, ev.RateCard, ev.Ref, ev.Subject)
}

// queueEvents turns the entry lines queued since the last flush into events: grant lines into
// grant.created, expire lines into credits.expired, and each hold's settle and release lines
// into one hold.settled (with what a partial charge gave back), hold.released or
// hold.auto_released. Hold events take the hold's own card version.
func (l *Ledger) queueEvents(w *writeSet) {
	lines := w.lines
	w.lines = nil
	if l.noEvents {
		w.payLines, w.renewal = nil, nil
		return
	}
	// Payment events after the grants they made.
	defer l.queuePaymentEvents(w, lines)
	type holdSum struct {
		account           string
		at                int64
		settle            bool
		auto              bool
		charged, returned int64
	}
	var order []string
	holds := map[string]*holdSum{}
	for _, ln := range lines {
		switch ln.typ {
		case EntryGrant:
			w.event(Event{Type: EventGrantCreated, Account: ln.account, Bucket: ln.bucket, Kind: ln.kind, Plan: ln.plan,
				Credits: estimator.Credits(ln.credits), RateCard: l.card.Version()}, ln.at, ln.expires)
		case EntryExpire:
			w.event(Event{Type: EventCreditsExpired, Account: ln.account, Bucket: ln.bucket, Kind: ln.kind,
				Credits: estimator.Credits(ln.credits), RateCard: l.card.Version()}, ln.at, ln.expires)
		case EntrySettle, EntryRelease:
			h := holds[ln.hold]
			if h == nil {
				h = &holdSum{account: ln.account, at: ln.at}
				holds[ln.hold] = h
				order = append(order, ln.hold)
			}
			if ln.typ == EntrySettle {
				h.settle = true
				h.charged += ln.credits
			} else {
				h.returned += ln.credits
				h.auto = h.auto || ln.memo == memoAutoReleased
			}
		}
	}
	for _, id := range order {
		h := holds[id]
		typ, credits, returned := EventHoldReleased, h.returned, int64(0)
		switch {
		case h.settle:
			typ, credits, returned = EventHoldSettled, h.charged, h.returned
		case h.auto:
			typ = EventHoldAutoReleased
		}
		w.addOne(`INSERT INTO events (id, account_id, type, at, hold_id, credits, other, card_version) SELECT ?, ?, ?, ?, ?, ?, ?, card_version FROM holds WHERE id = ?`,
			randomID("evt_"), h.account, typ, h.at, id, credits, returned, id)
	}
}

// queuePaymentEvents turns the payment rows queued since the last flush into events.
func (l *Ledger) queuePaymentEvents(w *writeSet, lines []line) {
	pays, ren := w.payLines, w.renewal
	w.payLines, w.renewal = nil, nil
	for _, p := range pays {
		ev := Event{Account: p.account, Ref: p.ref, RateCard: l.card.Version()}
		var expires int64
		switch {
		case p.kind == PaymentVoid:
			ev.Type, ev.Subject, ev.Credits, ev.Spent = EventPurchaseRefunded, p.charge, estimator.Credits(p.credits), estimator.Credits(p.spent)
		case p.kind == PaymentEnd:
			ev.Type, ev.Subject = EventSubscriptionEnded, p.purchase
		case p.kind == PaymentPlan && ren != nil && p.credits > 0:
			ev.Type, ev.Subject, ev.Plan, ev.Credits = EventSubscriptionRenewed, ren.subscription, ren.plan, estimator.Credits(p.credits)
			for _, ln := range lines { // the period: the plan's monthly bucket granted with it
				if ln.typ == EntryGrant && ln.plan == ren.plan && ev.Bucket == "" {
					ev.Bucket, ev.Kind, expires = ln.bucket, ln.kind, ln.expires
				}
			}
		default:
			continue
		}
		w.event(ev, p.at, expires)
	}
}

// checkLow sends balance.low when the account's available credits are below its threshold and
// it was not below before (once per crossing), and re-arms it once they are back at or above.
// Accounts without a threshold cost one indexed read.
func (l *Ledger) checkLow(ctx context.Context, tx *sql.Tx, account string, now int64, w *writeSet) error {
	if err := l.flush(ctx, tx, w); err != nil {
		return err
	}
	if l.noEvents {
		return nil
	}
	var threshold sql.NullInt64
	var sent int64
	var avail int64
	err := l.queryRow(ctx, tx, `SELECT a.low_balance, a.low_sent,
		(SELECT COALESCE(SUM(remaining), 0) FROM buckets WHERE account_id = a.id AND granted_at <= ? AND expires_at > ?)
		FROM accounts a WHERE a.id = ?`, now, now, account).Scan(&threshold, &sent, &avail)
	if err != nil || !threshold.Valid {
		return err
	}
	switch {
	case avail < threshold.Int64 && sent == 0:
		w.add(`UPDATE accounts SET low_sent = 1 WHERE id = ?`, account)
		w.event(Event{Type: EventBalanceLow, Account: account, Credits: estimator.Credits(avail),
			Threshold: estimator.Credits(threshold.Int64), RateCard: l.card.Version()}, now, 0)
	case avail >= threshold.Int64 && sent != 0:
		w.add(`UPDATE accounts SET low_sent = 0 WHERE id = ?`, account)
	}
	return l.flush(ctx, tx, w)
}

// SetLowBalance sets the account's low-balance threshold (nil: none). balance.low is sent when
// the available credits fall below it, once per crossing; setting it evaluates the account at
// once (an account already below gets its event now).
func (l *Ledger) SetLowBalance(ctx context.Context, account string, threshold *estimator.Credits) (bool, error) {
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := l.lockAccount(ctx, tx, account); err != nil {
			return err
		}
		now := l.nowMicro()
		if err := l.maintain(ctx, tx, account, now); err != nil {
			return err
		}
		var v any
		if threshold != nil {
			v = int64(*threshold)
		}
		if _, err := l.exec(ctx, tx, `UPDATE accounts SET low_balance = ?, low_sent = 0 WHERE id = ?`, v, account); err != nil {
			return err
		}
		return l.checkLow(ctx, tx, account, now, &writeSet{})
	})
	if errors.Is(err, errNoAccount) {
		return false, nil
	}
	return err == nil, err
}

// LowBalance returns the account's low-balance threshold (ok false: none).
func (l *Ledger) LowBalance(ctx context.Context, account string) (estimator.Credits, bool, error) {
	var v sql.NullInt64
	err := l.db.QueryRowContext(ctx, l.q(`SELECT low_balance FROM accounts WHERE id = ?`), account).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return estimator.Credits(v.Int64), v.Valid, err
}

// sweepExpiring sends credits.expiring for every bucket with available credits that expires
// within the lead time, once per bucket (buckets.expiring_sent).
func (l *Ledger) sweepExpiring(ctx context.Context, now int64) error {
	if l.noEvents {
		return nil
	}
	lead := l.expiringLead.Microseconds()
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT DISTINCT account_id FROM buckets
		WHERE expiring_sent = 0 AND expires_at > ? AND expires_at <= ? AND remaining > 0 AND granted_at <= ?`), now, now+lead, now)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := l.lockAccount(ctx, tx, id); err != nil {
				return err
			}
			now := l.nowMicro()
			rows, err := l.query(ctx, tx, `SELECT id, kind, plan, remaining, expires_at FROM buckets
				WHERE account_id = ? AND expiring_sent = 0 AND expires_at > ? AND expires_at <= ? AND remaining > 0 AND granted_at <= ? ORDER BY expires_at, id`,
				id, now, now+lead, now)
			if err != nil {
				return err
			}
			w := &writeSet{}
			for rows.Next() {
				var b, kind, plan string
				var rem, exp int64
				if err := rows.Scan(&b, &kind, &plan, &rem, &exp); err != nil {
					rows.Close()
					return err
				}
				w.add(`UPDATE buckets SET expiring_sent = 1 WHERE id = ?`, b)
				w.event(Event{Type: EventCreditsExpiring, Account: id, Bucket: b, Kind: kind, Plan: plan,
					Credits: estimator.Credits(rem), RateCard: l.card.Version()}, now, exp)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			return l.flush(ctx, tx, w)
		})
		if err != nil && !errors.Is(err, errNoAccount) {
			return err
		}
	}
	return nil
}

const eventColumns = `e.seq, e.id, e.type, e.account_id, e.at, e.bucket_id, e.hold_id, e.kind, e.plan, e.credits, e.other, e.expires_at, e.card_version, e.ref, e.subject,
	COALESCE(b.plan, ''), COALESCE(b.granted_at, 0), COALESCE(b.expires_at, 0)`

const eventFrom = ` FROM events e LEFT JOIN buckets b ON b.id = e.bucket_id AND e.bucket_id <> ''`

func scanEvent(r interface{ Scan(...any) error }, extra ...any) (Event, error) {
	var ev Event
	var at, credits, other, exp, bGranted, bExp int64
	var bPlan string
	dest := append([]any{&ev.Seq, &ev.ID, &ev.Type, &ev.Account, &at, &ev.Bucket, &ev.Hold, &ev.Kind, &ev.Plan, &credits, &other, &exp, &ev.RateCard, &ev.Ref, &ev.Subject,
		&bPlan, &bGranted, &bExp}, extra...)
	if err := r.Scan(dest...); err != nil {
		return ev, err
	}
	ev.At, ev.Credits = instant(at), estimator.Credits(credits)
	switch ev.Type {
	case EventHoldSettled:
		ev.Returned = estimator.Credits(other)
	case EventBalanceLow:
		ev.Threshold = estimator.Credits(other)
	case EventPurchaseRefunded:
		ev.Spent = estimator.Credits(other)
	}
	if ev.Bucket != "" {
		if ev.Plan == "" {
			ev.Plan = bPlan
		}
		ev.Granted = instant(bGranted)
		if exp == 0 {
			exp = bExp
		}
	}
	if exp != 0 {
		ev.Expires = instant(exp)
	}
	return ev, nil
}

// Events returns an account's events with seq > after, oldest first, at most limit (≤ 1000).
func (l *Ledger) Events(ctx context.Context, account string, after int64, limit int) ([]Event, error) {
	if limit <= 0 || limit > maxEntriesPage {
		limit = maxEntriesPage
	}
	rows, err := l.db.QueryContext(ctx, l.q(`SELECT `+eventColumns+eventFrom+` WHERE e.account_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?`), account, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

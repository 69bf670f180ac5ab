package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// Hold prices the spec with the server's card and reserves its credits (fast queue) from the
// account's buckets in spend order, or records a free standard-queue hold.
func (l *Ledger) Hold(ctx context.Context, call Call, account string, h HoldRequest) (Held, error) {
	ttl := h.TTL
	if ttl == 0 {
		ttl = l.holdTTL
	}
	if ttl < 0 || ttl > l.maxTTL {
		return Held{}, newError(estimator.CodeOutOfRange, "ttlSeconds", "must be 1 to "+strconv.FormatInt(int64(l.maxTTL.Seconds()), 10)+" seconds (the server's maximum hold TTL)")
	}
	q, err := l.card.Estimate(h.Spec)
	if err != nil {
		var e *estimator.Error
		if !errors.As(err, &e) {
			return Held{}, err // Estimate promises *estimator.Error: anything else is a failure
		}
		return Held{}, fromEstimator(e, "spec")
	}
	quote := Quote{Credits: q.Credits, RateCard: q.RateCard, Engine: q.AppendJSON(nil)}
	res, replayed, err := l.mutate(ctx, call, byAccount, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		if h.Queue == "fast" && h.HasQuote && (h.QuoteCredit != q.Credits || h.QuoteDigest != l.card.Digest()) {
			msg := "the price of this spec is now " + q.Credits.String() + " credits (rate card " + l.card.Version() + "), not the " + h.QuoteCredit.String() + " quoted; confirm the new price"
			e := newError(CodeStaleQuote, "quote", msg)
			e.Quote = &quote
			return failed(e)
		}
		need := int64(q.Credits)
		hold := Hold{ID: randomID("hold_"), Account: account, State: HoldHeld, Queue: h.Queue,
			Created: instant(now), Expires: instant(now + ttl.Microseconds()), Draws: []Draw{},
			RateCard: estimator.CardRef{Version: l.card.Version(), Digest: l.card.Digest()}}
		if h.Queue == "standard" {
			need = 0
		} else {
			bs, err := l.usableBuckets(ctx, tx, account, now)
			if err != nil {
				return outcome{}, err
			}
			var avail int64
			for _, b := range bs {
				avail += b.remaining
			}
			if avail < need {
				return failed(l.insufficient(need, avail, quote))
			}
			left := need
			for _, b := range bs {
				if left == 0 {
					break
				}
				take := min(b.remaining, left)
				left -= take
				hold.Draws = append(hold.Draws, Draw{Bucket: b.id, Kind: b.kind, Credits: estimator.Credits(take), Expires: instant(b.expires)})
			}
		}
		hold.Credits = estimator.Credits(need)
		specJSON := string(h.Spec.AppendPrivateJSON(nil)) // the prompt as its length and SHA-256: the database never holds prompt text
		// Every draw is from a different bucket: the writes touch distinct rows (one flush).
		count := max(h.Spec.Count, 1)
		w.add(`INSERT INTO holds (id, account_id, queue, credits, state, created_at, expires_at, card_version, card_digest, spec, quote, unit_credits, job_count, duration_millis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			hold.ID, account, h.Queue, need, HoldHeld, now, now+ttl.Microseconds(), l.card.Version(), l.card.Digest(), specJSON, string(quote.Engine),
			int64(q.UnitCredits), count, h.Spec.DurationMillis)
		for i, d := range hold.Draws {
			c := int64(d.Credits)
			w.addOne(`UPDATE buckets SET remaining = remaining - ? WHERE id = ? AND remaining >= ?`, c, d.Bucket, c)
			w.add(`INSERT INTO hold_draws (hold_id, seq, bucket_id, credits) VALUES (?, ?, ?, ?)`, hold.ID, i, d.Bucket, c)
			w.entry(account, now, EntryHold, d.Bucket, d.Kind, hold.ID, c, -c, c, "")
		}
		if len(hold.Draws) == 0 {
			w.entry(account, now, EntryHold, "", "", hold.ID, 0, 0, 0, h.Queue+" queue")
		}
		return outcome{Held: &Held{Hold: hold, Quote: quote}}, nil
	})
	return typed(res, replayed, err, func(o outcome) (*Held, *bool) { return o.Held, &o.Held.Replayed })
}

// insufficient is the insufficient_credits error: what is needed and available, the cheapest
// top-up that covers the gap, and the free standard queue.
func (l *Ledger) insufficient(need, avail int64, quote Quote) *Error {
	gap := estimator.Credits(need - avail)
	msg := "this job needs " + estimator.Credits(need).String() + " credits; " + estimator.Credits(avail).String() +
		" are available: top up " + gap.String() + " or more, or run it free in the standard queue"
	e := newError(CodeInsufficientCredits, "", msg)
	e.Needed, e.Available, e.Quote = estimator.Credits(need), estimator.Credits(avail), &quote
	if p, err := l.card.TopUpQuote(gap); err == nil {
		e.TopUp = &Purchase{Need: p.Need, Credits: p.Credits, Engine: p.AppendJSON(nil)}
	}
	sq := l.card.StandardQueue()
	e.Standard = &StandardOffer{Slowdown: sq.Slowdown.String(), Label: sq.Label}
	return e
}

type holdRow struct {
	id, account, queue, state string
	credits                   int64
	created, expires, closed  int64
	version, digest           string
	spec                      string
	charged                   sql.NullInt64 // a settled hold's charge; NULL before partial charges: all of it
	unit, count, durMillis    int64         // the quote's unit credits, count and duration; 0 before migration 4
}

// chargedCredits is what a settled hold charged.
func (h holdRow) chargedCredits() int64 {
	if h.charged.Valid {
		return h.charged.Int64
	}
	return h.credits
}

// loadHold reads a hold and its draws (with their buckets' kinds and expiries) in one query.
func (l *Ledger) loadHold(ctx context.Context, tx *sql.Tx, id string) (holdRow, []Draw, error) {
	var h holdRow
	rows, err := l.query(ctx, tx, `SELECT h.id, h.account_id, h.queue, h.state, h.credits, h.created_at, h.expires_at, h.closed_at, h.card_version, h.card_digest,
		h.spec, h.charged, h.unit_credits, h.job_count, h.duration_millis,
		d.bucket_id, b.kind, d.credits, b.expires_at
		FROM holds h LEFT JOIN hold_draws d ON d.hold_id = h.id LEFT JOIN buckets b ON b.id = d.bucket_id
		WHERE h.id = ? ORDER BY d.seq`, id)
	if err != nil {
		return h, nil, err
	}
	defer rows.Close()
	draws := []Draw{}
	found := false
	for rows.Next() {
		var bucket, kind sql.NullString
		var credits, exp sql.NullInt64
		if err := rows.Scan(&h.id, &h.account, &h.queue, &h.state, &h.credits, &h.created, &h.expires, &h.closed, &h.version, &h.digest,
			&h.spec, &h.charged, &h.unit, &h.count, &h.durMillis, &bucket, &kind, &credits, &exp); err != nil {
			return h, nil, err
		}
		found = true
		if bucket.Valid {
			draws = append(draws, Draw{Bucket: bucket.String, Kind: kind.String, Credits: estimator.Credits(credits.Int64), Expires: instant(exp.Int64)})
		}
	}
	if err := rows.Err(); err != nil {
		return h, nil, err
	}
	if !found {
		return h, nil, sql.ErrNoRows
	}
	return h, draws, nil
}

func (h holdRow) typed(draws []Draw) Hold {
	return Hold{ID: h.id, Account: h.account, State: h.state, Queue: h.queue, Credits: estimator.Credits(h.credits),
		Draws: draws, Created: instant(h.created), Expires: instant(h.expires),
		RateCard: estimator.CardRef{Version: h.version, Digest: h.digest}}
}

// Settle charges exactly the held credits. Settling a settled hold answers as the first time;
// settling a released one is hold_released.
func (l *Ledger) Settle(ctx context.Context, call Call, holdID string) (Closed, error) {
	return l.closeHold(ctx, call, holdID, true, Delivery{})
}

// SettleDelivered charges the engine's quote for what was delivered — d.Count of the hold's
// videos, or d.Spec (the held spec with fewer seconds or videos) — never more than the hold,
// and returns the rest to the buckets it came from in the same transaction. An empty Delivery
// charges the whole hold (Settle).
func (l *Ledger) SettleDelivered(ctx context.Context, call Call, holdID string, d Delivery) (Closed, error) {
	return l.closeHold(ctx, call, holdID, true, d)
}

// Release returns every held credit to the bucket it came from (credits whose bucket has
// expired meanwhile expire at once). Releasing a released hold answers as the first time;
// releasing a settled one is hold_settled.
func (l *Ledger) Release(ctx context.Context, call Call, holdID string) (Closed, error) {
	return l.closeHold(ctx, call, holdID, false, Delivery{})
}

func (l *Ledger) closeHold(ctx context.Context, call Call, holdID string, settle bool, d Delivery) (Closed, error) {
	res, replayed, err := l.mutate(ctx, call, byHold, holdID, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		h, draws, err := l.loadHold(ctx, tx, holdID)
		if err != nil {
			return outcome{}, err
		}
		if h.state == HoldHeld {
			charge := h.credits
			if settle && !d.full() {
				c, bad := l.deliveredCharge(h, d)
				if bad != nil {
					return failed(bad)
				}
				charge = c
			}
			back := draws // what goes back to its buckets
			if settle {
				_, back = splitDraws(draws, charge)
				if err := settleHold(w, h, draws, charge, now); err != nil {
					return outcome{}, err
				}
			} else {
				finishHold(w, h, draws, HoldReleased, EntryRelease, now, "")
			}
			// Credits given back to a bucket that has expired or been voided meanwhile expire or
			// are voided at once. (Other expired buckets were seen to when the account was locked.)
			if len(back) > 0 {
				if err := l.flush(ctx, tx, w); err != nil {
					return outcome{}, err
				}
				if slices.ContainsFunc(back, func(d Draw) bool { return d.Expires.UnixMicro() <= now }) {
					if err := l.expireBuckets(ctx, tx, account, now); err != nil {
						return outcome{}, err
					}
				}
				if err := l.voidReturned(ctx, tx, account, now); err != nil {
					return outcome{}, err
				}
			}
			h.state, h.closed = HoldReleased, now
			if settle {
				h.state, h.charged = HoldSettled, sql.NullInt64{Int64: charge, Valid: true}
			}
		}
		switch {
		case settle && h.state == HoldSettled:
			c := &Closed{Credits: estimator.Credits(h.chargedCredits()), Draws: draws, Hold: h.typed(draws)}
			if c.Credits < estimator.Credits(h.credits) {
				c.Draws, c.ReturnedDraws = splitDraws(draws, h.chargedCredits())
				c.Returned = estimator.Credits(h.credits) - c.Credits
			}
			return outcome{Closed: c}, nil
		case !settle && h.state == HoldReleased:
			return outcome{Closed: &Closed{Credits: estimator.Credits(h.credits), Draws: draws, Hold: h.typed(draws)}}, nil
		case settle:
			msg := "the hold was released at " + fmtTime(h.closed) + "; nothing can be charged for it"
			if h.closed == h.expires {
				msg = "the hold was not settled within " + l.holdTTL.String() + " and was released automatically at " + fmtTime(h.closed)
			}
			return failed(newError(CodeHoldReleased, "", msg))
		default:
			return failed(newError(CodeHoldSettled, "", "the hold was settled (charged) at "+fmtTime(h.closed)+"; it cannot be released"))
		}
	})
	return typed(res, replayed, err, func(o outcome) (*Closed, *bool) { return o.Closed, &o.Closed.Replayed })
}

// finishHold queues the settling or releasing of an open hold at instant at. Its writes touch
// the hold, its entries and each of its buckets once.
func finishHold(w *writeSet, h holdRow, draws []Draw, state, typ string, at int64, memo string) {
	w.addOne(`UPDATE holds SET state = ?, closed_at = ? WHERE id = ? AND state = ?`, state, at, h.id, HoldHeld)
	for _, d := range draws {
		c := int64(d.Credits)
		avail := int64(0)
		if typ == EntryRelease {
			avail = c
			w.add(`UPDATE buckets SET remaining = remaining + ? WHERE id = ?`, c, d.Bucket)
		}
		w.entry(h.account, at, typ, d.Bucket, d.Kind, h.id, c, avail, -c, memo)
	}
	if len(draws) == 0 {
		w.entry(h.account, at, typ, "", "", h.id, 0, 0, 0, memo)
	}
}

// Delivery is what a partial charge says was delivered: Count of the hold's videos, or the Spec
// delivered (the held spec with fewer seconds or videos). The zero Delivery is the whole hold.
type Delivery struct {
	Count int64
	Spec  *estimator.Spec
}

func (d Delivery) full() bool { return d.Count == 0 && d.Spec == nil }

// DecodeSettle decodes the body of a settle: empty or {} (the whole hold), {"count":N} or
// {"spec":{…}} (what was delivered).
func DecodeSettle(data []byte) (Delivery, *estimator.Error) {
	var d Delivery
	if len(bytes.TrimSpace(data)) == 0 {
		return d, nil
	}
	f, e := decodeObject(data, "", "count", "spec")
	if e != nil {
		return d, e
	}
	if f.has("count") && f.has("spec") {
		return d, errf(estimator.CodeInvalidValue, "count", "give the count of videos delivered or the spec delivered, not both")
	}
	if f.has("count") {
		n, ok := f.m["count"].Int()
		if !ok {
			return d, errf(estimator.CodeInvalidType, "count", "must be an integer")
		}
		if n < 1 || n > 1_000_000 {
			return d, errf(estimator.CodeOutOfRange, "count", "must be at least 1 (release a hold of which nothing was delivered)")
		}
		d.Count = n
	}
	if f.has("spec") {
		s, e := f.m["spec"].Spec()
		if e != nil {
			return d, e
		}
		d.Spec = &s
	}
	return d, nil
}

// deliveredCharge is the engine's quote for what was delivered, checked against the hold.
func (l *Ledger) deliveredCharge(h holdRow, d Delivery) (int64, *Error) {
	if h.count == 0 {
		return 0, newError(estimator.CodeInvalidValue, "", "this hold was made before partial charges; settle it in full or release it")
	}
	if d.Count > 0 {
		if d.Count > h.count {
			return 0, newError(estimator.CodeOutOfRange, "count", "at most "+strconv.FormatInt(h.count, 10)+", the videos the hold is for")
		}
		if h.credits == 0 { // standard queue: nothing to charge
			return 0, nil
		}
		return h.unit * d.Count, nil // the engine's quote: unit credits × count
	}
	if h.digest != l.card.Digest() {
		return 0, newError(CodeStaleQuote, "spec", "the rate card changed since the hold ("+h.version+"); charge a count of videos, settle in full or release")
	}
	s := *d.Spec
	if max(s.Count, 1) > h.count || s.DurationMillis > h.durMillis {
		return 0, newError(estimator.CodeOutOfRange, "spec", "the delivered spec must be the held one with no more videos and no more seconds")
	}
	q, err := l.card.Estimate(s)
	if err != nil {
		var e *estimator.Error
		if errors.As(err, &e) {
			return 0, fromEstimator(e, "spec")
		}
		return 0, newError(estimator.CodeInternal, "spec", "the engine could not price the spec")
	}
	same := s
	same.Count, same.DurationMillis = h.count, h.durMillis
	if h.count == 1 && s.Count == 0 {
		same.Count = 0
	}
	if string(same.AppendPrivateJSON(nil)) != h.spec && string(withCount(same, h.count).AppendPrivateJSON(nil)) != h.spec {
		return 0, newError(estimator.CodeInvalidValue, "spec", "the delivered spec differs from the held one in more than its seconds and videos")
	}
	if h.credits == 0 { // standard queue: nothing to charge, once the delivery is checked
		return 0, nil
	}
	if int64(q.Credits) > h.credits {
		return 0, newError(estimator.CodeOutOfRange, "spec", "the delivered spec costs "+q.Credits.String()+" credits, more than the "+estimator.Credits(h.credits).String()+" held")
	}
	return int64(q.Credits), nil
}

func withCount(s estimator.Spec, n int64) estimator.Spec { s.Count = n; return s }

// splitDraws splits a hold's draws into the part charge takes (first draws first) and the rest.
func splitDraws(draws []Draw, charge int64) (charged, back []Draw) {
	charged, back = []Draw{}, []Draw{}
	left := charge
	for _, d := range draws {
		c := int64(d.Credits)
		take := min(c, left)
		left -= take
		if take > 0 {
			x := d
			x.Credits = estimator.Credits(take)
			charged = append(charged, x)
		}
		if c > take {
			x := d
			x.Credits = estimator.Credits(c - take)
			back = append(back, x)
		}
	}
	return charged, back
}

// settleHold queues the settling of an open hold for charge credits (at most its credits):
// settle entries for the part charged, release entries (credits back to their buckets) for the
// rest. Each bucket's row is updated at most once.
func settleHold(w *writeSet, h holdRow, draws []Draw, charge, at int64) error {
	if charge < 0 || charge > h.credits {
		return errors.New("ledger: a charge beyond its hold")
	}
	w.addOne(`UPDATE holds SET state = ?, closed_at = ?, charged = ? WHERE id = ? AND state = ?`, HoldSettled, at, charge, h.id, HoldHeld)
	left := charge
	for _, d := range draws {
		c := int64(d.Credits)
		take := min(c, left)
		left -= take
		if take > 0 || c == 0 {
			w.entry(h.account, at, EntrySettle, d.Bucket, d.Kind, h.id, take, 0, -take, "")
		}
		if back := c - take; back > 0 {
			w.add(`UPDATE buckets SET remaining = remaining + ? WHERE id = ?`, back, d.Bucket)
			w.entry(h.account, at, EntryRelease, d.Bucket, d.Kind, h.id, back, back, -back, "not delivered")
		}
	}
	if len(draws) == 0 {
		w.entry(h.account, at, EntrySettle, "", "", h.id, 0, 0, 0, "")
	}
	return nil
}

// Extend moves an open hold's deadline to ttl from now (at most the ledger's MaxHoldTTL): a
// render that runs longer than it thought can still be charged. Extending a settled or released
// hold is hold_settled or hold_released.
func (l *Ledger) Extend(ctx context.Context, call Call, holdID string, ttl time.Duration) (Closed, error) {
	if ttl <= 0 || ttl > l.maxTTL {
		return Closed{}, newError(estimator.CodeOutOfRange, "ttlSeconds", "must be 1 to "+strconv.FormatInt(int64(l.maxTTL.Seconds()), 10)+" seconds (the server's maximum hold TTL)")
	}
	res, replayed, err := l.mutate(ctx, call, byHold, holdID, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		h, draws, err := l.loadHold(ctx, tx, holdID)
		if err != nil {
			return outcome{}, err
		}
		switch h.state {
		case HoldSettled:
			return failed(newError(CodeHoldSettled, "", "the hold was settled (charged) at "+fmtTime(h.closed)+"; it has no deadline"))
		case HoldReleased:
			return failed(newError(CodeHoldReleased, "", "the hold was released at "+fmtTime(h.closed)+"; make a new hold"))
		}
		h.expires = now + ttl.Microseconds()
		w.addOne(`UPDATE holds SET expires_at = ? WHERE id = ? AND state = ?`, h.expires, h.id, HoldHeld)
		return outcome{Closed: &Closed{Draws: draws, Hold: h.typed(draws)}}, nil
	})
	return typed(res, replayed, err, func(o outcome) (*Closed, *bool) { return o.Closed, &o.Closed.Replayed })
}

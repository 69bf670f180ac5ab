package ledger

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/creditestimator/creditestimator/estimator"
)

// Hold prices the spec with the server's card and reserves its credits (fast queue) from the
// account's buckets in spend order, or records a free standard-queue hold.
func (l *Ledger) Hold(ctx context.Context, call Call, account string, h HoldRequest) (Held, error) {
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
			Created: instant(now), Expires: instant(now + l.holdTTL.Microseconds()), Draws: []Draw{},
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
		w.add(`INSERT INTO holds (id, account_id, queue, credits, state, created_at, expires_at, card_version, card_digest, spec, quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			hold.ID, account, h.Queue, need, HoldHeld, now, now+l.holdTTL.Microseconds(), l.card.Version(), l.card.Digest(), specJSON, string(quote.Engine))
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
	if err != nil {
		return Held{}, err
	}
	if res.Err != nil {
		res.Err.Replayed = replayed
		return Held{}, res.Err
	}
	res.Held.Replayed = replayed
	return *res.Held, nil
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
}

// loadHold reads a hold and its draws (with their buckets' kinds and expiries) in one query.
func (l *Ledger) loadHold(ctx context.Context, tx *sql.Tx, id string) (holdRow, []Draw, error) {
	var h holdRow
	rows, err := l.query(ctx, tx, `SELECT h.id, h.account_id, h.queue, h.state, h.credits, h.created_at, h.expires_at, h.closed_at, h.card_version, h.card_digest,
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
			&bucket, &kind, &credits, &exp); err != nil {
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
	return l.closeHold(ctx, call, holdID, true)
}

// Release returns every held credit to the bucket it came from (credits whose bucket has
// expired meanwhile expire at once). Releasing a released hold answers as the first time;
// releasing a settled one is hold_settled.
func (l *Ledger) Release(ctx context.Context, call Call, holdID string) (Closed, error) {
	return l.closeHold(ctx, call, holdID, false)
}

func (l *Ledger) closeHold(ctx context.Context, call Call, holdID string, settle bool) (Closed, error) {
	res, replayed, err := l.mutate(ctx, call, byHold, holdID, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		h, draws, err := l.loadHold(ctx, tx, holdID)
		if err != nil {
			return outcome{}, err
		}
		if h.state == HoldHeld {
			state, typ := HoldReleased, EntryRelease
			if settle {
				state, typ = HoldSettled, EntrySettle
			}
			finishHold(w, h, draws, state, typ, now, "")
			// Credits given back to a bucket that has expired meanwhile expire at once. (Other
			// expired buckets were seen to when the account was locked.)
			if !settle && slices.ContainsFunc(draws, func(d Draw) bool { return d.Expires.UnixMicro() <= now }) {
				if err := l.flush(ctx, tx, w); err != nil {
					return outcome{}, err
				}
				if err := l.expireBuckets(ctx, tx, account, now); err != nil {
					return outcome{}, err
				}
			}
			h.state, h.closed = state, now
		}
		switch {
		case settle && h.state == HoldSettled, !settle && h.state == HoldReleased:
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
	if err != nil {
		return Closed{}, err
	}
	if res.Err != nil {
		res.Err.Replayed = replayed
		return Closed{}, res.Err
	}
	res.Closed.Replayed = replayed
	return *res.Closed, nil
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

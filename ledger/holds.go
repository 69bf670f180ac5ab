package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/creditestimator/creditestimator/estimator"
)

// Draw is the credits a hold took from one bucket.
type Draw struct {
	BucketID string `json:"id"`
	Kind     string `json:"kind"`
	Credits  string `json:"credits"`
	Expires  string `json:"expires"`
	credits  int64
	expires  int64
}

type holdJSON struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	State   string `json:"state"`
	Queue   string `json:"queue"`
	Credits string `json:"credits"`
	Buckets []Draw `json:"buckets"`
	Created string `json:"created"`
	Expires string `json:"expires"`
	Card    struct {
		Version string `json:"version"`
		Digest  string `json:"digest"`
	} `json:"rateCard"`
}

// Hold prices the spec with the server's card and reserves its credits (fast queue) from the
// account's buckets in spend order, or records a free standard-queue hold.
func (l *Ledger) Hold(ctx context.Context, call Call, account string, h HoldRequest) (Response, error) {
	q, err := l.card.Estimate(h.Spec)
	if err != nil {
		e := err.(*estimator.Error)
		return errorResponse(errf(e.Code, join("spec", e.Field), e.Message)), nil
	}
	quote := q.AppendJSON(nil)
	return l.mutate(ctx, call, byAccount, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (Response, error) {
		if h.Queue == "fast" && h.HasQuote && (h.QuoteCredit != q.Credits || h.QuoteDigest != l.card.Digest()) {
			msg := "the price of this spec is now " + q.Credits.String() + " credits (rate card " + l.card.Version() + "), not the " + h.QuoteCredit.String() + " quoted; confirm the new price"
			return errorWith(errf(CodeStaleQuote, "quote", msg), `"quote":`+string(quote)), nil
		}
		need := int64(q.Credits)
		hold := holdJSON{ID: randomID("hold_"), Account: account, State: HoldHeld, Queue: h.Queue,
			Created: fmtTime(now), Expires: fmtTime(now + l.holdTTL.Microseconds()), Buckets: []Draw{}}
		hold.Card.Version, hold.Card.Digest = l.card.Version(), l.card.Digest()
		var draws []Draw
		if h.Queue == "standard" {
			need = 0
		} else {
			bs, err := l.usableBuckets(ctx, tx, account, now)
			if err != nil {
				return Response{}, err
			}
			var avail int64
			for _, b := range bs {
				avail += b.remaining
			}
			if avail < need {
				return l.insufficient(need, avail, quote), nil
			}
			left := need
			for _, b := range bs {
				if left == 0 {
					break
				}
				take := min(b.remaining, left)
				left -= take
				draws = append(draws, Draw{BucketID: b.id, Kind: b.kind, Credits: estimator.Credits(take).String(), Expires: fmtTime(b.expires), credits: take, expires: b.expires})
			}
		}
		hold.Credits = estimator.Credits(need).String()
		specJSON := privateSpec(h.Spec)
		// Every draw is from a different bucket: the writes touch distinct rows (one flush).
		w.add(`INSERT INTO holds (id, account_id, queue, credits, state, created_at, expires_at, card_version, card_digest, spec, quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			hold.ID, account, h.Queue, need, HoldHeld, now, now+l.holdTTL.Microseconds(), l.card.Version(), l.card.Digest(), specJSON, string(quote))
		for i, d := range draws {
			w.addOne(`UPDATE buckets SET remaining = remaining - ? WHERE id = ? AND remaining >= ?`, d.credits, d.BucketID, d.credits)
			w.add(`INSERT INTO hold_draws (hold_id, seq, bucket_id, credits) VALUES (?, ?, ?, ?)`, hold.ID, i, d.BucketID, d.credits)
			w.entry(account, now, EntryHold, d.BucketID, d.Kind, hold.ID, d.credits, -d.credits, d.credits, "")
		}
		if len(draws) == 0 {
			w.entry(account, now, EntryHold, "", "", hold.ID, 0, 0, 0, h.Queue+" queue")
		}
		if draws != nil {
			hold.Buckets = draws
		}
		body, _ := json.Marshal(struct {
			Hold  holdJSON        `json:"hold"`
			Quote json.RawMessage `json:"quote"`
		}{hold, quote})
		return Response{Status: statusCreated, Body: body}, nil
	})
}

// privateSpec is the spec as stored with a hold: the prompt is replaced by its length and
// SHA-256, so the database never holds prompt text.
func privateSpec(s estimator.Spec) string {
	prompt := s.Prompt
	s.Prompt = ""
	b := s.AppendJSON(nil)
	if prompt != "" {
		sum := sha256.Sum256([]byte(prompt))
		extra, _ := json.Marshal(struct {
			Chars  int    `json:"promptChars"`
			SHA256 string `json:"promptSha256"`
		}{len([]rune(prompt)), hex.EncodeToString(sum[:])})
		b = append(b[:len(b)-1], ',')
		b = append(b, extra[1:]...)
	}
	return string(b)
}

// insufficient is the 402 answer: what is needed and available, the cheapest top-up that covers
// the gap, and the free standard queue.
func (l *Ledger) insufficient(need, avail int64, quote []byte) Response {
	gap := estimator.Credits(need - avail)
	topUp := []byte("null")
	if p, err := l.card.TopUpQuote(gap); err == nil {
		topUp = p.AppendJSON(nil)
	}
	sq := l.card.StandardQueue()
	sqJSON, _ := json.Marshal(struct {
		Queue    string `json:"queue"`
		Credits  string `json:"credits"`
		Slowdown string `json:"slowdown"`
		Label    string `json:"label"`
	}{"standard", "0.00", sq.Slowdown.String(), sq.Label})
	extra := `"needed":"` + estimator.Credits(need).String() + `","available":"` + estimator.Credits(avail).String() +
		`","topUp":` + string(topUp) + `,"standardQueue":` + string(sqJSON) + `,"quote":` + string(quote)
	msg := "this job needs " + estimator.Credits(need).String() + " credits; " + estimator.Credits(avail).String() +
		" are available: top up " + gap.String() + " or more, or run it free in the standard queue"
	return errorWith(errf(CodeInsufficientCredits, "", msg), extra)
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
			d := Draw{BucketID: bucket.String, Kind: kind.String, credits: credits.Int64, expires: exp.Int64}
			d.Credits, d.Expires = estimator.Credits(d.credits).String(), fmtTime(exp.Int64)
			draws = append(draws, d)
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

func (h holdRow) view(draws []Draw) holdJSON {
	v := holdJSON{ID: h.id, Account: h.account, State: h.state, Queue: h.queue, Credits: estimator.Credits(h.credits).String(),
		Buckets: draws, Created: fmtTime(h.created), Expires: fmtTime(h.expires)}
	v.Card.Version, v.Card.Digest = h.version, h.digest
	return v
}

// Settle charges exactly the held credits. Settling a settled hold answers as the first time;
// settling a released one is hold_released (409).
func (l *Ledger) Settle(ctx context.Context, call Call, holdID string) (Response, error) {
	return l.closeHold(ctx, call, holdID, true)
}

// Release returns every held credit to the bucket it came from (credits whose bucket has
// expired meanwhile expire at once). Releasing a released hold answers as the first time;
// releasing a settled one is hold_settled (409).
func (l *Ledger) Release(ctx context.Context, call Call, holdID string) (Response, error) {
	return l.closeHold(ctx, call, holdID, false)
}

func (l *Ledger) closeHold(ctx context.Context, call Call, holdID string, settle bool) (Response, error) {
	return l.mutate(ctx, call, byHold, holdID, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (Response, error) {
		h, draws, err := l.loadHold(ctx, tx, holdID)
		if err != nil {
			return Response{}, err
		}
		if h.state == HoldHeld {
			state, typ := HoldReleased, EntryRelease
			if settle {
				state, typ = HoldSettled, EntrySettle
			}
			finishHold(w, h, draws, state, typ, now, "")
			// Credits given back to a bucket that has expired meanwhile expire at once. (Other
			// expired buckets were seen to when the account was locked.)
			if !settle && slices.ContainsFunc(draws, func(d Draw) bool { return d.expires <= now }) {
				if err := l.flush(ctx, tx, w); err != nil {
					return Response{}, err
				}
				if err := l.expireBuckets(ctx, tx, account, now); err != nil {
					return Response{}, err
				}
			}
			h.state, h.closed = state, now
		}
		switch {
		case settle && h.state == HoldSettled:
			body, _ := json.Marshal(struct {
				Charge closedAmount `json:"charge"`
				Hold   holdJSON     `json:"hold"`
			}{closedAmount{estimator.Credits(h.credits).String(), draws}, h.view(draws)})
			return Response{Status: statusOK, Body: body}, nil
		case !settle && h.state == HoldReleased:
			body, _ := json.Marshal(struct {
				Refund closedAmount `json:"refund"`
				Hold   holdJSON     `json:"hold"`
			}{closedAmount{estimator.Credits(h.credits).String(), draws}, h.view(draws)})
			return Response{Status: statusOK, Body: body}, nil
		case settle:
			msg := "the hold was released at " + fmtTime(h.closed) + "; nothing can be charged for it"
			if h.closed == h.expires {
				msg = "the hold was not settled within " + l.holdTTL.String() + " and was released automatically at " + fmtTime(h.closed)
			}
			return errorResponse(errf(CodeHoldReleased, "", msg)), nil
		default:
			return errorResponse(errf(CodeHoldSettled, "", "the hold was settled (charged) at "+fmtTime(h.closed)+"; it cannot be released")), nil
		}
	})
}

// finishHold queues the settling or releasing of an open hold at instant at. Its writes touch
// the hold, its entries and each of its buckets once.
func finishHold(w *writeSet, h holdRow, draws []Draw, state, typ string, at int64, memo string) {
	w.addOne(`UPDATE holds SET state = ?, closed_at = ? WHERE id = ? AND state = ?`, state, at, h.id, HoldHeld)
	for _, d := range draws {
		avail := int64(0)
		if typ == EntryRelease {
			avail = d.credits
			w.add(`UPDATE buckets SET remaining = remaining + ? WHERE id = ?`, d.credits, d.BucketID)
		}
		w.entry(h.account, at, typ, d.BucketID, d.Kind, h.id, d.credits, avail, -d.credits, memo)
	}
	if len(draws) == 0 {
		w.entry(h.account, at, typ, "", "", h.id, 0, 0, 0, memo)
	}
}

// maintain brings an account up to the instant now: holds past their deadline are released

// closedAmount is what a settle charged or a release refunded, and the buckets it came from.
type closedAmount struct {
	Credits string `json:"credits"`
	Buckets []Draw `json:"buckets"`
}

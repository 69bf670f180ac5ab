package ledger

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/creditestimator/creditestimator/estimator"
)

// Reversals: an operator (or a refunded or disputed payment, payments.go) takes credits back.
// Both are entries like any other change, each carrying a reason, an actor and a memo:
//   - Void ends a bucket: what it has left is voided at once (a void entry), and credits that
//     open holds still have in it are voided when they come back (a hold released, or the part a
//     partial charge did not take); credits already charged stay charged.
//   - Debit is a negative adjustment: credits taken from the account's usable buckets in the
//     engine's spend order, one debit entry per bucket. It never takes more than is available:
//     a balance never goes below zero.

// Codes of reversals.
const (
	CodeInsufficientBalance = "insufficient_balance" // a debit larger than the available credits
	CodeBucketVoided        = "bucket_voided"        // voiding a bucket voided before
)

// Reversal says why, by whom and with what note credits are taken back.
type Reversal struct {
	Reason string // a short code: [a-z0-9_.-], 1–64 bytes (refund, dispute, correction, …)
	Actor  string // who decided: an operator's name, "stripe", …; 1–100 bytes, no control characters
	Memo   string // free text for people; at most 200 bytes, no control characters
}

// DebitRequest is a negative adjustment.
type DebitRequest struct {
	Credits estimator.Credits
	Reversal
}

// Voided is what Void answers.
type Voided struct {
	Bucket   string
	Kind     string
	Credits  estimator.Credits // voided now
	Held     estimator.Credits // still held by open holds: voided when they come back
	Replayed bool
}

// Debited is what Debit answers: the credits taken and the buckets they came from.
type Debited struct {
	Credits  estimator.Credits
	Draws    []Draw
	Replayed bool
}

func checkText(f fields, key string, required bool, maxLen int) (string, *estimator.Error) {
	s, e := f.str(key, required)
	if e != nil {
		return "", e
	}
	if required && s == "" {
		return "", errf(estimator.CodeMissingField, key, "required")
	}
	if len(s) > maxLen {
		return "", errf(estimator.CodeOutOfRange, key, "at most "+strconv.Itoa(maxLen)+" bytes")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", errf(estimator.CodeInvalidValue, key, "must not contain control characters")
		}
	}
	return s, nil
}

func decodeReversal(f fields) (Reversal, *estimator.Error) {
	var r Reversal
	var e *estimator.Error
	if r.Reason, e = checkText(f, "reason", true, 64); e != nil {
		return r, e
	}
	if strings.Trim(r.Reason, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != "" {
		return r, errf(estimator.CodeInvalidValue, "reason", "a short code of a-z, 0-9, _ . - (e.g. refund, correction)")
	}
	if r.Actor, e = checkText(f, "actor", true, 100); e != nil {
		return r, e
	}
	if r.Memo, e = checkText(f, "memo", false, maxMemoBytes); e != nil {
		return r, e
	}
	return r, nil
}

// DecodeReversal decodes the body of a void: {"reason","actor","memo"}.
func DecodeReversal(data []byte) (Reversal, *estimator.Error) {
	f, e := decodeObject(data, "", "reason", "actor", "memo")
	if e != nil {
		return Reversal{}, e
	}
	return decodeReversal(f)
}

// DecodeDebit decodes the body of a negative adjustment: {"credits","reason","actor","memo"}.
func DecodeDebit(data []byte) (DebitRequest, *estimator.Error) {
	var d DebitRequest
	f, e := decodeObject(data, "", "credits", "reason", "actor", "memo")
	if e != nil {
		return d, e
	}
	if d.Credits, _, e = f.credits("credits", true); e != nil {
		return d, e
	}
	d.Reversal, e = decodeReversal(f)
	return d, e
}

func (r Reversal) check() *Error {
	if r.Reason == "" || r.Actor == "" || len(r.Reason) > 64 || len(r.Actor) > 100 || len(r.Memo) > maxMemoBytes ||
		strings.Trim(r.Reason, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != "" {
		return newError(estimator.CodeInvalidValue, "reason", "a reversal needs a reason code (a-z, 0-9, _ . -; at most 64 bytes), an actor (at most 100 bytes) and a memo of at most 200 bytes")
	}
	return nil
}

// reversalEntry queues an entry of a reversal with its reason and actor.
func (w *writeSet) reversalEntry(account string, at int64, typ, bucket, kind, hold string, credits int64, r Reversal) {
	w.add(`INSERT INTO entries (account_id, at, type, bucket_id, kind, hold_id, credits, available, held, memo, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		account, at, typ, bucket, kind, hold, credits, -credits, int64(0), r.Memo, r.Reason, r.Actor)
}

// Void voids what a bucket of the account has left (and, as they come back, the credits open
// holds have in it). Voiding a voided bucket is bucket_voided.
func (l *Ledger) Void(ctx context.Context, call Call, account, bucket string, r Reversal) (Voided, error) {
	if e := r.check(); e != nil {
		return Voided{}, e
	}
	res, replayed, err := l.mutate(ctx, call, byAccount, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		v, bad, err := l.voidBucket(ctx, tx, w, account, bucket, now, r)
		if err != nil {
			return outcome{}, err
		}
		if bad != nil {
			return failed(bad)
		}
		return outcome{Voided: &v}, nil
	})
	return typed(res, replayed, err, func(o outcome) (*Voided, *bool) { return o.Voided, &o.Voided.Replayed })
}

// voidBucket queues the void of a bucket (the account is locked).
func (l *Ledger) voidBucket(ctx context.Context, tx *sql.Tx, w *writeSet, account, bucket string, now int64, r Reversal) (Voided, *Error, error) {
	var kind string
	var remaining, expires int64
	var voided sql.NullInt64
	err := l.queryRow(ctx, tx, `SELECT kind, remaining, expires_at, voided_at FROM buckets WHERE id = ? AND account_id = ?`, bucket, account).
		Scan(&kind, &remaining, &expires, &voided)
	if errors.Is(err, sql.ErrNoRows) {
		return Voided{}, newError(CodeNotFound, "", "no such bucket"), nil
	}
	if err != nil {
		return Voided{}, nil, err
	}
	if voided.Valid {
		return Voided{}, newError(CodeBucketVoided, "", "the bucket was voided at "+fmtTime(voided.Int64)), nil
	}
	var held int64
	if err := l.queryRow(ctx, tx, `SELECT COALESCE(SUM(d.credits), 0) FROM hold_draws d JOIN holds h ON h.id = d.hold_id WHERE d.bucket_id = ? AND h.state = ?`,
		bucket, HoldHeld).Scan(&held); err != nil {
		return Voided{}, nil, err
	}
	w.addOne(`UPDATE buckets SET remaining = 0, voided_at = ? WHERE id = ? AND remaining = ?`, now, bucket, remaining)
	if remaining > 0 {
		w.reversalEntry(account, now, EntryVoid, bucket, kind, "", remaining, r)
	}
	return Voided{Bucket: bucket, Kind: kind, Credits: estimator.Credits(remaining), Held: estimator.Credits(held)}, nil, nil
}

// voidReturned voids credits that came back to voided buckets (a release, the rest of a
// partial charge). The writes that returned them must have been flushed.
func (l *Ledger) voidReturned(ctx context.Context, tx *sql.Tx, account string, now int64) error {
	rows, err := l.query(ctx, tx, `SELECT id, kind, remaining FROM buckets WHERE account_id = ? AND voided_at IS NOT NULL AND remaining > 0`, account)
	if err != nil {
		return err
	}
	type back struct {
		id, kind string
		rem      int64
	}
	var list []back
	for rows.Next() {
		var b back
		if err := rows.Scan(&b.id, &b.kind, &b.rem); err != nil {
			rows.Close()
			return err
		}
		list = append(list, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	w := &writeSet{}
	for _, b := range list {
		w.add(`UPDATE buckets SET remaining = 0 WHERE id = ?`, b.id)
		w.reversalEntry(account, now, EntryVoid, b.id, b.kind, "", b.rem, Reversal{Reason: "voided", Actor: "ledger", Memo: "returned to a voided bucket"})
	}
	return l.flush(ctx, tx, w)
}

// Debit takes credits from the account's usable buckets in spend order (a negative
// adjustment). More than is available is insufficient_balance: nothing is taken.
func (l *Ledger) Debit(ctx context.Context, call Call, account string, d DebitRequest) (Debited, error) {
	if e := d.Reversal.check(); e != nil {
		return Debited{}, e
	}
	if d.Credits <= 0 || d.Credits > maxCreditsHundredths {
		return Debited{}, newError(estimator.CodeOutOfRange, "credits", "must be more than 0 and at most 1000000000 credits")
	}
	res, replayed, err := l.mutate(ctx, call, byAccount, account, func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error) {
		bs, err := l.usableBuckets(ctx, tx, account, now)
		if err != nil {
			return outcome{}, err
		}
		var avail int64
		for _, b := range bs {
			avail += b.remaining
		}
		need := int64(d.Credits)
		if avail < need {
			return failed(newError(CodeInsufficientBalance, "credits", "the account has "+estimator.Credits(avail).String()+
				" credits available; a debit of "+d.Credits.String()+" would take it below zero"))
		}
		o := &Debited{Credits: d.Credits, Draws: []Draw{}}
		for _, b := range bs {
			if need == 0 {
				break
			}
			take := min(b.remaining, need)
			if take == 0 {
				continue
			}
			need -= take
			w.addOne(`UPDATE buckets SET remaining = remaining - ? WHERE id = ? AND remaining >= ?`, take, b.id, take)
			w.reversalEntry(account, now, EntryDebit, b.id, b.kind, "", take, d.Reversal)
			o.Draws = append(o.Draws, Draw{Bucket: b.id, Kind: b.kind, Credits: estimator.Credits(take), Expires: instant(b.expires)})
		}
		return outcome{Debited: o}, nil
	})
	return typed(res, replayed, err, func(o outcome) (*Debited, *bool) { return o.Debited, &o.Debited.Replayed })
}

// IsDemoAccount reports whether the demo sign-up made the account (accounts.demo).
func (l *Ledger) IsDemoAccount(ctx context.Context, id string) (bool, error) {
	var demo int
	err := l.db.QueryRowContext(ctx, l.q(`SELECT demo FROM accounts WHERE id = ?`), id).Scan(&demo)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return demo == 1, err
}

package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"

	"github.com/creditestimator/creditestimator/estimator"
)

// Call identifies a mutating request for idempotency: who made it (keys are per caller), the
// Idempotency-Key, and a hash of the request (method, path, body).
type Call struct {
	Scope       string
	Key         string
	RequestHash string
}

// HashRequest returns the hash a Call carries for a request.
func HashRequest(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// CheckKey validates an Idempotency-Key header value.
func CheckKey(key string) *estimator.Error {
	if key == "" {
		return errf(CodeMissingIdempotencyKey, "Idempotency-Key", "every mutating call needs an Idempotency-Key header (e.g. a random UUID)")
	}
	if len(key) > maxIdempotencyKeyBytes {
		return errf(estimator.CodeOutOfRange, "Idempotency-Key", "at most 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return errf(estimator.CodeInvalidValue, "Idempotency-Key", "printable ASCII without spaces only")
		}
	}
	return nil
}

var (
	errNoAccount = errors.New("ledger: no such account")
	errNoHold    = errors.New("ledger: no such hold")
)

// lockBy says what a mutating call locks before it looks at anything.
type lockBy int

const (
	byNothing lockBy = iota // creating an account: nothing to lock yet
	byAccount               // id is an account id
	byHold                  // id is a hold id: its account is locked
)

// outcome is the result of a mutating call, one member set: what the call answers and what
// a retry with the same key gets back. It is stored in the idempotency table (storedOutcome).
type outcome struct {
	Account *Account
	Granted *Granted
	Held    *Held
	Closed  *Closed
	Voided  *Voided
	Debited *Debited
	Payment *Payment
	Err     *Error
}

func failed(e *Error) (outcome, error) { return outcome{Err: e}, nil }

// typed returns a call's typed result — the part of its outcome that pick names, with that
// part's Replayed flag — or its error, marked replayed when an earlier call with the same key
// stored the outcome.
func typed[T any](res outcome, replayed bool, err error, pick func(outcome) (*T, *bool)) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if res.Err != nil {
		res.Err.Replayed = replayed
		return zero, res.Err
	}
	t, mark := pick(res)
	*mark = replayed
	return *t, nil
}

// mutate runs op in one write transaction with the idempotency record: a stored outcome for the
// same key is returned as it was (or idempotency_conflict when the request differs); otherwise
// op's outcome is stored with the change it made, in the same transaction. The account — given,
// or the hold's — is locked first (SELECT … FOR UPDATE on PostgreSQL) so that calls on one
// account are serialized; op gets its id. op queues its writes in w; mutate flushes them together
// with the idempotency record (one round trip on PostgreSQL).
func (l *Ledger) mutate(ctx context.Context, call Call, by lockBy, id string, op func(ctx context.Context, tx *sql.Tx, now int64, account string, w *writeSet) (outcome, error)) (outcome, bool, error) {
	if e := CheckKey(call.Key); e != nil {
		return outcome{Err: fromEstimator(e, "")}, false, nil
	}
	var res outcome
	replayed := false
	err := l.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := l.nowMicro()
		var hash sql.NullString
		var status sql.NullInt64
		var body []byte
		var err error
		var due [2]int64 // stale holds, expired buckets with credits
		var account string
		low := int64(-1) // the account's low-balance threshold; -1: none
		if by != byNothing {
			// One round trip: lock the account row (found through the hold for a hold), look the
			// key up, and see whether holds or buckets are due for maintenance. Anything that
			// must be current is read after this statement, once the lock is held: a statement
			// that waited for the lock still sees the snapshot it started with.
			from := `FROM accounts a`
			if by == byHold {
				from = `FROM holds h JOIN accounts a ON a.id = h.account_id`
			}
			where := ` WHERE a.id = ?`
			if by == byHold {
				where = ` WHERE h.id = ?`
			}
			query := `SELECT a.id, i.request_hash, i.status, i.response,
				(SELECT COUNT(*) FROM holds WHERE account_id = a.id AND state = ? AND expires_at <= ?),
				(SELECT COUNT(*) FROM buckets WHERE account_id = a.id AND remaining > 0 AND expires_at <= ?),
				COALESCE(a.low_balance, -1)
				` + from + ` LEFT JOIN idempotency i ON i.scope = ? AND i.idem_key = ?` + where
			if l.dialect == Postgres {
				query += ` FOR UPDATE OF a`
			}
			err = l.queryRow(ctx, tx, query, HoldHeld, now, now, call.Scope, call.Key, id).Scan(&account, &hash, &status, &body, &due[0], &due[1], &low)
			if errors.Is(err, sql.ErrNoRows) {
				if by == byHold {
					return errNoHold
				}
				return errNoAccount
			}
			if err == nil && !hash.Valid {
				err = sql.ErrNoRows
			}
		} else {
			err = l.queryRow(ctx, tx, `SELECT request_hash, status, response FROM idempotency WHERE scope = ? AND idem_key = ?`,
				call.Scope, call.Key).Scan(&hash, &status, &body)
		}
		switch {
		case err == nil:
			if hash.String != call.RequestHash {
				res = outcome{Err: &Error{Code: CodeIdempotencyConflict, Field: "Idempotency-Key", Message: "this key was used for a different request; use a new key for a new request"}}
				return nil
			}
			res, err = loadOutcome(status.Int64, body)
			replayed = true
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if account != "" && (due[0] > 0 || due[1] > 0) {
			if err := l.maintainDue(ctx, tx, account, now); err != nil {
				return err
			}
		}
		w := &writeSet{}
		r, err := op(ctx, tx, now, account, w)
		if err != nil {
			return err
		}
		res = r
		if r.Err == nil && low >= 0 {
			if err := l.checkLow(ctx, tx, account, now, w); err != nil {
				return err
			}
		}
		stored, err := storeOutcome(r)
		if err != nil {
			return err
		}
		w.add(`INSERT INTO idempotency (scope, idem_key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			call.Scope, call.Key, call.RequestHash, storedFormat, stored, now)
		return l.flush(ctx, tx, w)
	})
	switch {
	case errors.Is(err, errNoAccount):
		return outcome{Err: &Error{Code: CodeNotFound, Message: "no such account"}}, false, nil
	case errors.Is(err, errNoHold):
		return outcome{Err: &Error{Code: CodeNotFound, Message: "no such hold"}}, false, nil
	}
	return res, replayed, err
}

func (l *Ledger) lockAccount(ctx context.Context, tx *sql.Tx, account string) error {
	query := `SELECT id FROM accounts WHERE id = ?`
	if l.dialect == Postgres {
		query += ` FOR UPDATE`
	}
	var id string
	err := l.queryRow(ctx, tx, (query), account).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoAccount
	}
	return err
}

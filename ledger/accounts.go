package ledger

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"

	"github.com/creditestimator/creditestimator/estimator"
)

// randomID returns prefix and 16 random bytes in URL-safe base64 (128 bits: not guessable).
func randomID(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// newToken returns an account token (256 bits), the hash stored for it and the salt it was
// derived from: random without a token key, HMAC-SHA-256(key, salt) with one (see
// Options.TokenKey), so that it can be derived again for a retry.
func newToken(key []byte) (token, hash, salt string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	if len(key) == 0 {
		token = "cet_" + base64.RawURLEncoding.EncodeToString(b[:])
		return token, TokenHash(token), ""
	}
	salt = base64.RawURLEncoding.EncodeToString(b[:])
	token = deriveToken(key, salt)
	return token, TokenHash(token), salt
}

// deriveToken is the token of the account with this salt under key.
func deriveToken(key []byte, salt string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("creditestimator ledger account token v1\x00"))
	m.Write([]byte(salt))
	return "cet_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TokenHash is the stored form of an account token.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateAccount makes an account with the card's trial credits and a fresh token. The stored
// result holds no token (tokens are kept hashed, never in the clear); a retry with the same key
// gets the first result again, token included, when the ledger has a TokenKey that derives it,
// and an empty Token otherwise.
func (l *Ledger) CreateAccount(ctx context.Context, call Call, demo bool) (Account, error) {
	var token string
	o, replayed, err := l.mutate(ctx, call, byNothing, "", func(ctx context.Context, tx *sql.Tx, now int64, _ string, w *writeSet) (outcome, error) {
		id := randomID("acct_")
		var hash, salt string
		token, hash, salt = newToken(l.tokenKey)
		d := 0
		if demo {
			d = 1
		}
		w.add(`INSERT INTO accounts (id, token_hash, created_at, demo, token_salt) VALUES (?, ?, ?, ?, ?)`, id, hash, now, d, salt)
		a := &Account{ID: id}
		if t := l.card.Trial(); t.Credits > 0 {
			exp, _ := l.card.Expiry(KindTrial, estimator.Instant(now))
			a.Buckets = append(a.Buckets, w.bucket(id, KindTrial, "", "", t.Credits, now, int64(exp), now, "sign-up trial"))
		}
		return outcome{Account: a}, nil // stored without the token
	})
	if err != nil {
		return Account{}, err
	}
	if o.Err != nil {
		o.Err.Replayed = replayed
		return Account{}, o.Err
	}
	a := *o.Account
	a.Replayed = replayed
	if !replayed {
		a.Token = token
		return a, nil
	}
	if len(l.tokenKey) > 0 {
		a.Token, err = l.replayToken(ctx, a.ID)
	}
	return a, err
}

// replayToken derives the token of an account again for a replayed creation, from its salt.
// An account made without a token key, or under another key (the key was changed), gets ""
// back: the derived token would not be the account's.
func (l *Ledger) replayToken(ctx context.Context, id string) (string, error) {
	var hash, salt string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT token_hash, token_salt FROM accounts WHERE id = ?`), id).Scan(&hash, &salt)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil || salt == "" {
		return "", err
	}
	token := deriveToken(l.tokenKey, salt)
	if subtle.ConstantTimeCompare([]byte(TokenHash(token)), []byte(hash)) != 1 {
		return "", nil
	}
	return token, nil
}

// Answered reports whether a first answer is stored for this caller's Idempotency-Key, so that
// a retry can be told from a new request before the ledger is asked (the demo sign-up's rate
// limit lets retries through: they create nothing).
func (l *Ledger) Answered(ctx context.Context, scope, key string) (bool, error) {
	var n int
	err := l.db.QueryRowContext(ctx, l.q(`SELECT COUNT(*) FROM idempotency WHERE scope = ? AND idem_key = ?`), scope, key).Scan(&n)
	return n > 0, err
}

// AccountByToken returns the account a token belongs to.
func (l *Ledger) AccountByToken(ctx context.Context, token string) (string, bool, error) {
	var id string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT id FROM accounts WHERE token_hash = ?`), TokenHash(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

// AccountExists reports whether the account exists.
func (l *Ledger) AccountExists(ctx context.Context, id string) (bool, error) {
	var x string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT id FROM accounts WHERE id = ?`), id).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// HoldAccount returns the account of a hold.
func (l *Ledger) HoldAccount(ctx context.Context, holdID string) (string, bool, error) {
	var id string
	err := l.db.QueryRowContext(ctx, l.q(`SELECT account_id FROM holds WHERE id = ?`), holdID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

var errClosed = errors.New("ledger: closed")

// Group commit for SQLite. SQLite has one writer and, with synchronous=FULL, one fsync per
// commit: committing every call on its own caps a ledger at the disk's fsync rate. Instead one
// writer goroutine takes every call that is waiting, runs them one after another in a single
// transaction — each inside its own SAVEPOINT, so a call that fails is rolled back alone — and
// commits once. No call is answered before that commit is on disk, so an acknowledged change is
// as durable as before; a failed commit fails every call of the batch (none was acknowledged, and
// each caller retries with its Idempotency-Key).

const maxBatch = 128

type batchReq struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

func (l *Ledger) startBatcher() {
	l.batch = make(chan *batchReq, 4*maxBatch)
	l.batchDone = make(chan struct{})
	go func() {
		defer close(l.batchDone)
		for first := range l.batch {
			reqs := []*batchReq{first}
		more:
			for len(reqs) < maxBatch {
				select {
				case r, ok := <-l.batch:
					if !ok {
						break more
					}
					reqs = append(reqs, r)
				default:
					break more
				}
			}
			l.runBatch(reqs)
		}
	}()
}

func (l *Ledger) runBatch(reqs []*batchReq) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	errs := make([]error, len(reqs))
	tx, err := l.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range reqs {
			r.done <- err
		}
		return
	}
	for i, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		sp := fmt.Sprintf("op%d", i)
		if _, err := tx.Exec("SAVEPOINT " + sp); err != nil {
			errs[i] = err
			continue
		}
		if err := r.fn(tx); err != nil {
			errs[i] = err
			if _, rerr := tx.Exec("ROLLBACK TO " + sp); rerr != nil {
				// The transaction is unusable: fail the whole batch.
				_ = tx.Rollback()
				for _, r := range reqs {
					r.done <- rerr
				}
				return
			}
		}
		if _, err := tx.Exec("RELEASE " + sp); err != nil && errs[i] == nil {
			errs[i] = err
		}
	}
	if err := tx.Commit(); err != nil {
		for _, r := range reqs {
			r.done <- err
		}
		return
	}
	for i, r := range reqs {
		r.done <- errs[i]
	}
}

// batched runs fn in the next group commit and waits for its outcome.
func (l *Ledger) batched(ctx context.Context, fn func(tx *sql.Tx) error) error {
	r := &batchReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return errClosed
	}
	select {
	case l.batch <- r:
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return ctx.Err()
	}
	l.closeMu.RUnlock()
	// Wait for the batch even when ctx ends: the change may be committing, and the caller must
	// not report failure for a change that is acknowledged by the database.
	return <-r.done
}

package ledger

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
)

var errClosed = errors.New("ledger: closed")

// Group commit for SQLite. SQLite has one writer and, with synchronous=FULL, one fsync per
// commit: committing every call on its own caps a ledger at the disk's fsync rate. Instead one
// writer goroutine takes every call that is waiting, runs them one after another in a single
// transaction — each inside its own SAVEPOINT, so a call that fails is rolled back alone — and
// commits once. No call is answered before that commit is on disk, so an acknowledged change is
// as durable as before; a failed commit fails every call of the batch (none was acknowledged, and
// each caller retries with its Idempotency-Key).
//
// PostgreSQL does not use it: it already flushes the WAL of concurrent commits together, and
// measured with ledgerbench (fsync on, 64 clients) batching calls under savepoints on a few
// writer connections saved some server CPU per job but no throughput — the writers wait on
// round trips in turn — while calls on one account in two writers' batches would wait for each
// other's commits. See docs/ledger.md.

const maxBatch = 128

type batcher struct {
	queue chan *batchReq
	done  chan struct{}
}

type batchReq struct {
	caller context.Context // skipped when it has ended before its turn
	ctx    context.Context // for its statements: never cancelled
	fn     func(ctx context.Context, tx *sql.Tx) error
	done   chan error
}

func (l *Ledger) startBatcher() {
	b := &batcher{queue: make(chan *batchReq, 4*maxBatch), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		for first := range b.queue {
			reqs := []*batchReq{first}
		more:
			for len(reqs) < maxBatch {
				select {
				case r, ok := <-b.queue:
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
	l.batch = b
}

// stop ends the writer once every queued call has run.
func (b *batcher) stop() {
	close(b.queue)
	<-b.done
}

func (l *Ledger) runBatch(reqs []*batchReq) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	fail := func(err error) {
		for _, r := range reqs {
			r.done <- err
		}
	}
	tx, err := l.db.BeginTx(context.Background(), nil)
	if err != nil {
		fail(err)
		return
	}
	if len(reqs) == 1 {
		// Alone: no savepoint needed; a failure rolls the whole transaction back.
		r := reqs[0]
		if err := r.caller.Err(); err != nil {
			_ = tx.Rollback()
			r.done <- err
			return
		}
		if err := r.fn(r.ctx, tx); err != nil {
			_ = tx.Rollback()
			r.done <- err
			return
		}
		r.done <- tx.Commit()
		return
	}
	errs := make([]error, len(reqs))
	for i, r := range reqs {
		if err := r.caller.Err(); err != nil {
			errs[i] = err
			continue
		}
		sp := "op" + strconv.Itoa(i)
		if _, err := tx.Exec("SAVEPOINT " + sp); err != nil {
			_ = tx.Rollback()
			fail(err)
			return
		}
		if err := r.fn(r.ctx, tx); err != nil {
			errs[i] = err
			if _, err := tx.Exec("ROLLBACK TO " + sp); err != nil {
				// The transaction is unusable: fail the whole batch.
				_ = tx.Rollback()
				fail(err)
				return
			}
		}
		if _, err := tx.Exec("RELEASE " + sp); err != nil {
			_ = tx.Rollback()
			fail(err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(err)
		return
	}
	for i, r := range reqs {
		r.done <- errs[i]
	}
}

// batched runs fn in the next group commit and waits for its outcome.
func (l *Ledger) batched(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	// The call's statements share a transaction with other calls: its context must not cancel
	// them (a late interruption could stop another caller's statement).
	r := &batchReq{caller: ctx, ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan error, 1)}
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return errClosed
	}
	select {
	case l.batch.queue <- r:
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return ctx.Err()
	}
	l.closeMu.RUnlock()
	// Wait for the batch even when ctx ends: the change may be committing, and the caller must
	// not report failure for a change that is acknowledged by the database.
	return <-r.done
}

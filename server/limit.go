package server

import (
	"container/heap"
	"math"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// Load shedding. Every request's work is bounded by design (docs/server.md, "Limits"), but a
// flood of the costliest requests would still queue up on the CPU behind each other. The
// Limiter caps how many requests run at once; the others wait a short, bounded time for a slot
// and are then refused with 503, Retry-After and the error object, so the process never holds
// more work than it can finish promptly and cheap requests keep their latency.
//
// Requests are sorted into two lanes by their declared size before their body is read: light
// (Content-Length at most LightBytes: every normal quote) and heavy (larger, or a chunked body
// of unknown size). Heavy requests may hold at most half of the slots, so a flood of the largest
// requests cannot take the slots that normal quotes need; waiting requests get free slots
// smallest first.

// LightBytes is the largest declared body of a light request (a quote with a long prompt fits).
const LightBytes = 4 << 10

// DefaultQueueWait is how long a request waits for a slot before it is refused. Small requests
// are served first, so under a flood of large ones a normal quote does not wait for this long;
// the wait lets bursts of normal requests queue instead of failing.
const DefaultQueueWait = 100 * time.Millisecond

// DefaultMaxInFlight is the default number of API requests that run at once: one per core (at
// least two). The estimator's work is CPU-bound, so more in flight only queues on the CPU and
// adds latency; on the 2-core bench machine a flood of worst cases kept a normal quote's p99
// lower with 2 than with 4 or 8 (docs/server.md, "Load").
func DefaultMaxInFlight() int { return max(2, runtime.GOMAXPROCS(0)) }

// Limiter admits at most a fixed number of requests at once. Its zero value is not usable; use
// NewLimiter. A Limiter may wrap any number of handlers: they share its slots.
//
// Waiting requests are served smallest declared body first (then in arrival order): the work of
// a request is bounded by its size, so under a flood of large requests a normal quote, which is
// small, gets the next free slot instead of queueing behind them, and the largest requests are
// the ones shed.
type Limiter struct {
	max, heavyMax int
	wait          time.Duration

	mu            sync.Mutex
	inFlight      int
	heavyInFlight int
	light, heavy  waitQueue // waiting requests, by size then arrival
	seq           uint64
}

// NewLimiter returns a Limiter running at most maxInFlight requests at once (0 or less: the
// default) and letting others wait up to wait (0: DefaultQueueWait; negative: no wait).
func NewLimiter(maxInFlight int, wait time.Duration) *Limiter {
	if maxInFlight <= 0 {
		maxInFlight = DefaultMaxInFlight()
	}
	switch {
	case wait == 0:
		wait = DefaultQueueWait
	case wait < 0:
		wait = 0
	}
	return &Limiter{max: maxInFlight, heavyMax: max(1, maxInFlight/2), wait: wait}
}

// MaxInFlight reports the limit.
func (l *Limiter) MaxInFlight() int { return l.max }

// waiter is a request waiting for a slot.
type waiter struct {
	size    int64
	seq     uint64
	heavy   bool
	ready   chan struct{} // closed when granted
	granted bool
	index   int // in its queue
}

// waitQueue is a min-heap of waiters by (size, seq).
type waitQueue []*waiter

func (q waitQueue) Len() int { return len(q) }
func (q waitQueue) Less(i, j int) bool {
	if q[i].size != q[j].size {
		return q[i].size < q[j].size
	}
	return q[i].seq < q[j].seq
}
func (q waitQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *waitQueue) Push(x any) {
	w := x.(*waiter)
	w.index = len(*q)
	*q = append(*q, w)
}
func (q *waitQueue) Pop() any {
	old := *q
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return w
}

// canRun reports whether a request of the lane may start now (l.mu held).
func (l *Limiter) canRun(heavy bool) bool {
	return l.inFlight < l.max && (!heavy || l.heavyInFlight < l.heavyMax)
}

func (l *Limiter) take(heavy bool) {
	l.inFlight++
	if heavy {
		l.heavyInFlight++
	}
}

// acquire takes a slot for a request of the given size, waiting up to l.wait; false: shed.
func (l *Limiter) acquire(r *http.Request, size int64, heavy bool) bool {
	l.mu.Lock()
	if l.canRun(heavy) {
		l.take(heavy)
		l.mu.Unlock()
		return true
	}
	if l.wait <= 0 {
		l.mu.Unlock()
		return false
	}
	l.seq++
	w := &waiter{size: size, seq: l.seq, heavy: heavy, ready: make(chan struct{})}
	q := &l.light
	if heavy {
		q = &l.heavy
	}
	heap.Push(q, w)
	l.mu.Unlock()

	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	select {
	case <-w.ready:
		return true
	case <-timer.C:
	case <-r.Context().Done():
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.granted { // granted while giving up: keep the slot
		return true
	}
	heap.Remove(q, w.index)
	return false
}

// release frees a slot and hands free slots to the smallest waiting requests that may run.
func (l *Limiter) release(heavy bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	if heavy {
		l.heavyInFlight--
	}
	for l.inFlight < l.max {
		var q *waitQueue
		switch {
		case len(l.light) > 0 && (len(l.heavy) == 0 || l.heavyInFlight >= l.heavyMax || !l.heavy.firstBefore(l.light[0])):
			q = &l.light
		case len(l.heavy) > 0 && l.heavyInFlight < l.heavyMax:
			q = &l.heavy
		default:
			return
		}
		w := heap.Pop(q).(*waiter)
		w.granted = true
		l.take(w.heavy)
		close(w.ready)
	}
}

// firstBefore reports whether the queue's first waiter goes before w.
func (q waitQueue) firstBefore(w *waiter) bool {
	if q[0].size != w.size {
		return q[0].size < w.size
	}
	return q[0].seq < w.seq
}

// Wrap returns h behind the limiter: a request that gets no slot within the wait is answered
// 503 with Retry-After: 1 and {"code":"overloaded",...}, and its connection is closed (its body,
// never read, is not worth reading). Preflight requests are never held.
func (l *Limiter) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			h.ServeHTTP(w, r)
			return
		}
		size := r.ContentLength
		heavy := size < 0 || size > LightBytes
		if size < 0 {
			size = math.MaxInt64 // unknown: last
		}
		if !l.acquire(r, size, heavy) {
			overloaded(w)
			return
		}
		defer l.release(heavy)
		h.ServeHTTP(w, r)
	})
}

// overloaded answers 503 with the contract's error object.
func overloaded(w http.ResponseWriter) {
	h := w.Header()
	h["Access-Control-Allow-Origin"] = hvAnyOrigin
	h["Cache-Control"] = hvNoStore
	h.Set("Retry-After", "1")
	h.Set("Connection", "close")
	writeError(w, &estimator.Error{Code: "overloaded", Message: "the server is busy; retry after 1 second"})
}

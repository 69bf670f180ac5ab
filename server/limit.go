package server

import (
	"bytes"
	"container/heap"
	"crypto/sha256"
	"errors"
	"io"
	"math"
	"net"
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
// A request takes a slot only once its body has been read, within a short body deadline
// (BodyTimeout): a client that trickles its body in holds a connection and a goroutine, never a
// slot, so slow bodies cannot lock anyone out. Requests are sorted into two lanes by their
// declared size: light (Content-Length at most LightBytes: every normal quote) and heavy
// (larger, or a chunked body of unknown size). Heavy requests may hold at most half of the
// slots, so a flood of the largest requests cannot take the slots that normal quotes need.
//
// Free slots go to the waiting request whose client holds the fewest slots (fair share; a
// client is its bearer credential, or else its address), then the smallest, then the earliest:
// one client or token flooding the server gets its turn after everyone else's.

// LightBytes is the largest declared body of a light request (a quote with a long prompt fits).
const LightBytes = 4 << 10

// DefaultQueueWait is how long a request waits for a slot before it is refused. Small requests
// are served first, so under a flood of large ones a normal quote does not wait for this long;
// the wait lets bursts of normal requests queue instead of failing.
const DefaultQueueWait = 100 * time.Millisecond

// DefaultBodyTimeout is how long a request may take to send its body before it is answered 408:
// a 64 KiB body needs well under a second on any link a person uses.
const DefaultBodyTimeout = 5 * time.Second

// preReadLimit bounds the body the limiter reads before a request takes a slot: the largest body
// any route accepts (the Stripe webhook's). A longer declared body is left to the route, which
// refuses it (413) without reading it.
const preReadLimit = 256 << 10

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
	// BodyTimeout bounds reading a request's body before it takes a slot; 0 means
	// DefaultBodyTimeout. Set it before the Limiter serves.
	BodyTimeout time.Duration

	mu            sync.Mutex
	inFlight      int
	heavyInFlight int
	light, heavy  waitQueue // waiting requests, by size then arrival
	seq           uint64
	perClient     map[string]int // slots held per client
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
	return &Limiter{max: maxInFlight, heavyMax: max(1, maxInFlight/2), wait: wait, perClient: map[string]int{}}
}

// MaxInFlight reports the limit.
func (l *Limiter) MaxInFlight() int { return l.max }

// waiter is a request waiting for a slot.
type waiter struct {
	client  string
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

func (l *Limiter) take(heavy bool, client string) {
	l.perClient[client]++
	l.inFlight++
	if heavy {
		l.heavyInFlight++
	}
}

// acquire takes a slot for a request of the given size, waiting up to l.wait; false: shed.
func (l *Limiter) acquire(r *http.Request, client string, size int64, heavy bool) bool {
	l.mu.Lock()
	if l.canRun(heavy) {
		l.take(heavy, client)
		l.mu.Unlock()
		return true
	}
	if l.wait <= 0 {
		l.mu.Unlock()
		return false
	}
	l.seq++
	w := &waiter{client: client, size: size, seq: l.seq, heavy: heavy, ready: make(chan struct{})}
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

// release frees a slot and hands free slots to waiting requests: of those that may run, the one
// whose client holds the fewest slots, then the smallest, then the earliest.
func (l *Limiter) release(heavy bool, client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	if heavy {
		l.heavyInFlight--
	}
	if l.perClient[client]--; l.perClient[client] <= 0 {
		delete(l.perClient, client)
	}
	for l.inFlight < l.max {
		var best *waiter
		var bestQ *waitQueue
		consider := func(q *waitQueue) {
			for _, w := range *q {
				if best == nil || l.before(w, best) {
					best, bestQ = w, q
				}
			}
		}
		consider(&l.light)
		if l.heavyInFlight < l.heavyMax {
			consider(&l.heavy)
		}
		if best == nil {
			return
		}
		heap.Remove(bestQ, best.index)
		best.granted = true
		l.take(best.heavy, best.client)
		close(best.ready)
	}
}

// before orders waiters for a free slot: fewest slots held by their client, then size, then
// arrival (l.mu held).
func (l *Limiter) before(a, b *waiter) bool {
	if ca, cb := l.perClient[a.client], l.perClient[b.client]; ca != cb {
		return ca < cb
	}
	if a.size != b.size {
		return a.size < b.size
	}
	return a.seq < b.seq
}

// Wrap returns h behind the limiter: the request's body is read first (within BodyTimeout;
// a body that does not arrive in time is answered 408 and its connection closed), then the
// request waits for a slot; one that gets none within the wait is answered 503 with
// Retry-After: 1 and {"code":"overloaded",...}, and its connection is closed. Preflight
// requests are never held.
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
		buf, ok := l.preRead(w, r)
		if !ok {
			return
		}
		if buf != nil {
			defer putBuf(buf)
		}
		client := clientOf(r)
		if !l.acquire(r, client, size, heavy) {
			overloaded(w)
			return
		}
		defer l.release(heavy, client)
		h.ServeHTTP(w, r)
	})
}

// preRead reads the request's body (at most preReadLimit bytes, within the body deadline) and
// puts it back as r.Body for the handler, so that no slot waits on a slow client. A body
// declared larger than preReadLimit is left alone: the route refuses it unread.
func (l *Limiter) preRead(w http.ResponseWriter, r *http.Request) (*[]byte, bool) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 || r.ContentLength > preReadLimit {
		return nil, true
	}
	timeout := l.BodyTimeout
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	// Never later than the server's own ReadTimeout would have allowed.
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.ReadTimeout > 0 {
		timeout = min(timeout, srv.ReadTimeout)
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(timeout)) // not every writer supports it (tests)
	buf := getBuf()
	b, err := readLimited(r.Body, (*buf)[:0], preReadLimit)
	*buf = b
	if err == nil || errors.Is(err, errTooLarge) {
		_ = rc.SetReadDeadline(time.Time{}) // on a failed read it stays expired: the connection ends
	}
	switch {
	case errors.Is(err, errTooLarge):
		// The route refuses it (413) from what was read, without reading more.
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), r.Body))
	case err != nil:
		putBuf(buf)
		h := w.Header()
		h["Cache-Control"] = hvNoStore
		h.Set("Connection", "close")
		// As readBody answers a body it cannot read (the client is most likely gone).
		writeError(w, &estimator.Error{Code: estimator.CodeInvalidJSON, Message: "the request body could not be read (it must arrive within " + timeout.String() + ")"})
		return nil, false
	default:
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return buf, true
}

// clientOf is who a request is for fair sharing: its bearer credential (hashed: the map holds
// no secrets), or else its address.
func clientOf(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		sum := sha256.Sum256([]byte(auth))
		return "t:" + string(sum[:16])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "a:" + host
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

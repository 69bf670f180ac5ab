package server

import (
	"net/http"
	"runtime"
	"strconv"
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
// requests cannot take the slots that normal quotes need.

// LightBytes is the largest declared body of a light request (a quote with a long prompt fits).
const LightBytes = 4 << 10

// DefaultQueueWait is how long a request waits for a slot before it is refused.
const DefaultQueueWait = 20 * time.Millisecond

// DefaultMaxInFlight is the default number of API requests that run at once: one per core (at
// least two). The estimator's work is CPU-bound, so more in flight only queues on the CPU and
// adds latency; on the 2-core bench machine a flood of worst cases kept a normal quote's p99
// lower with 2 than with 4 or 8 (docs/server.md, "Load").
func DefaultMaxInFlight() int { return max(2, runtime.GOMAXPROCS(0)) }

// Limiter admits at most a fixed number of requests at once. Its zero value is not usable; use
// NewLimiter. A Limiter may wrap any number of handlers: they share its slots.
type Limiter struct {
	all   chan struct{} // one token per request running
	heavy chan struct{} // one token per heavy request running (≤ half of all)
	wait  time.Duration
	max   int
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
	return &Limiter{
		all:   make(chan struct{}, maxInFlight),
		heavy: make(chan struct{}, max(1, maxInFlight/2)),
		wait:  wait,
		max:   maxInFlight,
	}
}

// MaxInFlight reports the limit.
func (l *Limiter) MaxInFlight() int { return l.max }

// Wrap returns h behind the limiter: a request that gets no slot within the wait is answered
// 503 with Retry-After: 1 and {"code":"overloaded",...}, and its connection is closed (its body,
// never read, is not worth reading). Preflight requests are never held.
func (l *Limiter) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			h.ServeHTTP(w, r)
			return
		}
		heavy := r.ContentLength < 0 || r.ContentLength > LightBytes
		var deadline <-chan time.Time
		var timer *time.Timer
		acquire := func(sem chan struct{}) bool {
			select {
			case sem <- struct{}{}:
				return true
			default:
			}
			if l.wait <= 0 {
				return false
			}
			if timer == nil {
				timer = time.NewTimer(l.wait)
				deadline = timer.C
			}
			select {
			case sem <- struct{}{}:
				return true
			case <-deadline:
				return false
			case <-r.Context().Done():
				return false
			}
		}
		ok := true
		if heavy {
			ok = acquire(l.heavy)
		}
		if ok && !acquire(l.all) {
			ok = false
			if heavy {
				<-l.heavy
			}
		}
		if timer != nil {
			timer.Stop()
		}
		if !ok {
			overloaded(w)
			return
		}
		defer func() {
			<-l.all
			if heavy {
				<-l.heavy
			}
		}()
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
	writeError(w, http.StatusServiceUnavailable, &estimator.Error{
		Code: "overloaded", Message: "the server is busy; retry after " + strconv.Itoa(1) + " second"})
}

package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Drain, then stop (docs/server.md, "Stopping"). http.Server.Shutdown alone closes idle
// keep-alive connections at once, and a request a client wrote on such a connection just then
// is lost: clients do not retry a POST (golang/go#23829). So a stop first drains:
//
//  1. Drain: /healthz answers 503 {"status":"draining"} and every answer carries
//     Connection: close, so each keep-alive connection is closed by the server right after
//     the answer to its next request, never while the client may be writing one.
//  2. After an optional delay (for a load balancer to see not-ready), the listener closes.
//  3. The server waits until every connection has closed (each in-flight or already-read
//     request answered), or is idle since before the drain and stayed idle for a grace period
//     (a client that sends nothing more), up to the caller's deadline.
//  4. Shutdown closes what is left (those idle connections) and returns.

// connTracker follows open connections (http.Server.ConnState).
type connTracker struct {
	mu   sync.Mutex
	open map[net.Conn]connInfo
}

type connInfo struct {
	state http.ConnState
	since time.Time
}

func (t *connTracker) track(c net.Conn, st http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.open == nil {
		t.open = make(map[net.Conn]connInfo)
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(t.open, c)
	default:
		t.open[c] = connInfo{state: st, since: time.Now()}
	}
}

// settled reports whether every open connection has been idle for at least idleGrace (true
// when none is open).
func (t *connTracker) settled(idleGrace time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ci := range t.open {
		if ci.state != http.StateIdle || time.Since(ci.since) < idleGrace {
			return false
		}
	}
	return true
}

// wait returns when every open connection has been idle for idleGrace (a client that stopped
// sending), or none is open, or ctx is done.
func (t *connTracker) wait(ctx context.Context, idleGrace time.Duration) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !t.settled(idleGrace) {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (t *connTracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.open)
}

// ConnState follows the server's connections for Stop; NewHTTPServer installs it when its
// handler is the *Server itself. An http.Server built otherwise (the handler wrapped in another
// one) must set http.Server.ConnState to it, or Stop cannot wait for its connections.
func (s *Server) ConnState(c net.Conn, st http.ConnState) { s.conns.track(c, st) }

// Drain starts draining: /healthz reports not-ready and every answer closes its connection.
// It cannot be undone.
func (s *Server) Drain() { s.draining.Store(true) }

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.draining.Load() }

// OpenConns reports the connections open on the http.Servers built by NewHTTPServer for s.
func (s *Server) OpenConns() int { return s.conns.count() }

// Stop drains srv (built by NewHTTPServer with s as its handler) and stops it: Drain, then after
// delay close ln, wait until every connection has closed or has been idle for idleGrace (a
// connection idle since before the drain whose client sends nothing more; during the drain no
// connection becomes idle: each closes after its answer), and Shutdown, which closes those.
// ctx bounds the whole stop; when it ends first, the remaining connections are closed and ctx's
// error returned.
func (s *Server) Stop(ctx context.Context, srv *http.Server, ln net.Listener, delay, idleGrace time.Duration) error {
	s.Drain()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
	}
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		s.log.Warn("closing the listener", "error", err.Error())
	}
	werr := s.conns.wait(ctx, idleGrace)
	// Shutdown closes srv's listeners again. When Serve has not yet seen that ln closed, that
	// second close fails with net.ErrClosed; Shutdown still finished its work, so it is no error.
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
		_ = srv.Close()
		return err
	}
	return werr
}

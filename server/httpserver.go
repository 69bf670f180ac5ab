package server

import (
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Timeouts bound how long a client may hold a connection (slowloris and idle-connection limits).
type Timeouts struct {
	ReadHeader time.Duration // time to read request headers
	Read       time.Duration // time to read the whole request, body included
	Write      time.Duration // time from the end of the request headers to the end of the response
	Idle       time.Duration // keep-alive wait for the next request
}

// DefaultTimeouts are generous for a 64 KiB body on a slow link and short for idle slots.
var DefaultTimeouts = Timeouts{
	ReadHeader: 5 * time.Second,
	Read:       15 * time.Second,
	Write:      30 * time.Second,
	Idle:       120 * time.Second,
}

// MaxHeaderBytes limits the request line and headers together (16 KiB): one byte more is
// answered 431 with the error object (GuardListener).
const MaxHeaderBytes = 16 << 10

// headerSlack is what net/http allows beyond http.Server.MaxHeaderBytes (its bufio slack).
const headerSlack = 4096

// NewHTTPServer wraps h in an http.Server with the timeouts and header limit set. When h has a
// ConnState method (a *Server does), it follows the connections (for Server.Stop). Serve it on
// GuardListener(ln): the server tells the listener's connections when a handler answers (see
// guard.go). Errors of the server itself (TLS, accept, timeouts) go to logger at warn level.
func NewHTTPServer(addr string, h http.Handler, t Timeouts, logger *slog.Logger) *http.Server {
	s := &http.Server{
		Addr:              addr,
		Handler:           guardHandler(h),
		ConnContext:       guardConnContext,
		ConnState:         guardConnState,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    MaxHeaderBytes - headerSlack,
	}
	if cs, ok := h.(interface {
		ConnState(net.Conn, http.ConnState)
	}); ok {
		s.ConnState = func(c net.Conn, st http.ConnState) { guardConnState(c, st); cs.ConnState(c, st) }
	}
	if logger != nil {
		s.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	}
	return s
}

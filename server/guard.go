package server

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/creditestimator/creditestimator/estimator"
)

// Go's net/http answers some requests itself, before any handler runs: a malformed request
// (400), request headers over the limit (431), an unsupported transfer coding (501), an
// unsupported HTTP version (505), an Expect header other than 100-continue (417, headers only).
// It writes the first four straight to the connection as plain text:
//
//	HTTP/1.1 431 Request Header Fields Too Large\r\n
//	Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request …
//
// GuardListener wraps a listener so that these answers carry the security headers and the
// contract's error object like every other answer. Two things must both hold for a write to be
// rewritten:
//   - no handler's answer is being written on the connection: an http.Server made by
//     NewHTTPServer marks the connection when a handler starts (ConnContext and a wrapping
//     handler) and unmarks it once net/http has finished that answer (ConnState idle or
//     closed). So a handler's bytes — headers or body, however net/http splits its writes —
//     are never looked at, whatever they contain;
//   - the write is exactly one of net/http's answers: its status line and the header lines
//     net/http writes after it. guard_test.go provokes each of them from a plain net/http server
//     and fails if net/http's bytes change shape (the answer would then go out unrewritten,
//     as plain text, never garbled).

// GuardListener returns ln with Go's own error answers rewritten (see above).
func GuardListener(ln net.Listener) net.Listener { return guardListener{ln} }

type guardListener struct{ net.Listener }

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &guardConn{Conn: c}, nil
}

type guardConn struct {
	net.Conn
	answering atomic.Bool // a handler's answer is being written: leave every write alone
}

type guardConnKey struct{}

// guardConnContext puts the connection into its requests' context (http.Server.ConnContext).
func guardConnContext(ctx context.Context, c net.Conn) context.Context {
	if g, ok := c.(*guardConn); ok {
		return context.WithValue(ctx, guardConnKey{}, g)
	}
	return ctx
}

// guardHandler marks the request's connection as answering before h runs.
func guardHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g, ok := r.Context().Value(guardConnKey{}).(*guardConn); ok {
			g.answering.Store(true)
		}
		h.ServeHTTP(w, r)
	})
}

// guardConnState unmarks a connection once net/http has written the whole answer (it turns
// idle before it reads the next request) or is done with it.
func guardConnState(c net.Conn, st http.ConnState) {
	if g, ok := c.(*guardConn); ok && (st == http.StateIdle || st == http.StateClosed || st == http.StateHijacked) {
		g.answering.Store(false)
	}
}

// goExpectationFailed starts net/http's own answer to an unsupported Expect header.
const goExpectationFailed = "HTTP/1.1 417 Expectation Failed\r\n"

// goErrorHeaders is what net/http writes after the status line of its own error answers.
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *guardConn) Write(b []byte) (int, error) {
	if c.answering.Load() {
		return c.Conn.Write(b)
	}
	if out, ok := rewriteGoError(b); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// rewriteGoError turns one of net/http's own plain-text error answers into the server's form.
func rewriteGoError(b []byte) ([]byte, bool) {
	if !bytes.HasPrefix(b, []byte("HTTP/1.1 ")) {
		return nil, false
	}
	end := bytes.Index(b, []byte(goErrorHeaders))
	if bytes.HasPrefix(b, []byte(goExpectationFailed)) {
		// net/http's answer to an Expect header other than 100-continue; no handler of ours
		// answers 417, so this write is always net/http's own (headers, empty body).
		end = len(goExpectationFailed) - len("\r\n")
	} else if end < 0 || bytes.IndexByte(b[:end], '\n') >= 0 || end < len("HTTP/1.1 000") {
		return nil, false
	}
	statusLine := string(b[len("HTTP/1.1 "):end]) // "431 Request Header Fields Too Large" or "400 Bad Request: reason"
	status, err := strconv.Atoi(statusLine[:3])
	if err != nil || status < 400 || status > 599 {
		return nil, false
	}
	text, detail, _ := strings.Cut(statusLine[3:], ":")
	text = strings.TrimSpace(text)
	e := &estimator.Error{Code: goErrorCode(status), Message: strings.ToLower(text[:1]) + text[1:]}
	if detail = strings.TrimSpace(detail); detail != "" {
		e.Message += ": " + detail
	}
	body := e.AppendJSON(nil)
	out := make([]byte, 0, 512+len(body))
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(status), 10)
	out = append(out, ' ')
	out = append(out, text...)
	out = append(out, "\r\nConnection: close\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(body)), 10)
	out = append(out, "\r\nContent-Security-Policy: "...)
	out = append(out, contentSecurityPolicy...)
	out = append(out, "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n\r\n"...)
	return append(out, body...), true
}

func goErrorCode(status int) string {
	switch status {
	case 431:
		return "headers_too_large"
	case 501:
		return "not_implemented"
	case 505:
		return "http_version_not_supported"
	case 417:
		return "expectation_failed"
	}
	return "bad_request"
}

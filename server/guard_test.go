package server

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goAnswers are the requests net/http answers itself, before any handler runs.
var goAnswers = []struct {
	name, request string
	status        int
	code          string
}{
	{"malformed request line", "GARBAGE\r\n\r\n", 400, "bad_request"},
	{"malformed header", "GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n", 400, "bad_request"},
	{"missing Host", "GET / HTTP/1.1\r\n\r\n", 400, "bad_request"},
	{"headers too large", "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + strings.Repeat("p", 2*MaxHeaderBytes) + "\r\n\r\n", 431, "headers_too_large"},
	{"unsupported transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "not_implemented"},
	{"unsupported HTTP version", "GET / HTTP/2.5\r\nHost: x\r\n\r\n", 505, "http_version_not_supported"},
	{"unsupported Expect", "POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", 417, "expectation_failed"},
}

// recordingListener keeps every Write of its connections, one entry per call.
type recordingListener struct {
	net.Listener
	mu     sync.Mutex
	writes [][]byte
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return recordingConn{c, l}, nil
}

type recordingConn struct {
	net.Conn
	l *recordingListener
}

func (c recordingConn) Write(b []byte) (int, error) {
	c.l.mu.Lock()
	c.l.writes = append(c.l.writes, append([]byte(nil), b...))
	c.l.mu.Unlock()
	return c.Conn.Write(b)
}

// exchange sends raw bytes on a fresh connection and returns everything the server sent back
// before it closed the connection.
func exchange(t *testing.T, addr, request string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, _ = io.WriteString(conn, request)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	b, _ := io.ReadAll(conn)
	return string(b)
}

// TestGoAnswersHaveTheShapeTheGuardKnows provokes each of net/http's own answers from a plain
// net/http server and checks that it is one write which rewriteGoError recognizes. When a Go
// release changes these bytes, this test fails (the guard would let the answer through as
// plain text) instead of the change going unnoticed.
func TestGoAnswersHaveTheShapeTheGuardKnows(t *testing.T) {
	for _, c := range goAnswers {
		t.Run(c.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			rec := &recordingListener{Listener: ln}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				assert.Failf(t, "the handler ran", "for %q", c.request) // on the server's goroutine: assert, never require
			}), MaxHeaderBytes: MaxHeaderBytes - headerSlack}
			go func() { _ = srv.Serve(rec) }()
			defer srv.Close()

			out := exchange(t, ln.Addr().String(), c.request)
			require.True(t, strings.HasPrefix(out, "HTTP/1.1 "), out)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			require.NotEmpty(t, rec.writes)
			first := rec.writes[0]
			_, ok := rewriteGoError(first)
			assert.True(t, ok, "net/http's answer is not recognized: %q", first)
			if c.status != 417 { // the 417 answer is written through the response's buffer
				assert.Equal(t, out, string(first), "the answer is one write")
			}
		})
	}
}

// startGuarded serves h as the binary does: NewHTTPServer on GuardListener.
func startGuarded(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewHTTPServer(ln.Addr().String(), h, DefaultTimeouts, nil)
	go func() { _ = srv.Serve(GuardListener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

func TestGuardRewritesEachGoAnswer(t *testing.T) {
	s, err := New(Config{})
	require.NoError(t, err)
	addr := startGuarded(t, s)
	for _, c := range goAnswers {
		t.Run(c.name, func(t *testing.T) {
			out := exchange(t, addr, c.request)
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
			require.NoError(t, err, out)
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, c.status, resp.StatusCode)
			assertSecurityHeaders(t, resp.Header)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			if c.status == 417 {
				return // headers only, as net/http sends it
			}
			var e struct{ Code, Field, Message string }
			require.NoError(t, json.Unmarshal(body, &e), string(body))
			assert.Equal(t, c.code, e.Code)
			assert.NotEmpty(t, e.Message)
		})
	}
}

// netHTTPBadRequest is net/http's own answer to a malformed request, byte for byte.
const netHTTPBadRequest = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"

// A handler's answer is never rewritten, even when a write of it is exactly net/http's own error
// answer; and once that answer is done, net/http's answer to a bad next request on the same
// connection is.
func TestGuardLeavesHandlerAnswersAlone(t *testing.T) {
	addr := startGuarded(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "2")
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
		_, _ = io.WriteString(w, "ok")
		_ = http.NewResponseController(w).Flush()
	}))
	echo := startGuarded(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(netHTTPBadRequest))) // not chunked: the body as is
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush() // the headers in one write, the body in the next
		_, _ = io.WriteString(w, netHTTPBadRequest)
	}))

	out := exchange(t, echo, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
	require.NoError(t, err, out)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, netHTTPBadRequest, string(body))

	// keep-alive: a good request, then a malformed one on the same connection
	out = exchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n")
	br := bufio.NewReader(strings.NewReader(out))
	first, err := http.ReadResponse(br, nil)
	require.NoError(t, err, out)
	b, _ := io.ReadAll(first.Body)
	assert.Equal(t, "ok", string(b))
	second, err := http.ReadResponse(br, nil)
	require.NoError(t, err, out)
	assert.Equal(t, http.StatusBadRequest, second.StatusCode)
	assert.Equal(t, "application/json", second.Header.Get("Content-Type"))
}

package server

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// rawRoundTrip writes req on a new connection to addr and reads one answer.
func rawRoundTrip(t *testing.T, addr, req string) (*http.Response, []byte, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = io.WriteString(conn, req)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body, &bufConn{Conn: conn, r: br}
}

type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// headerOfSize builds a request whose request line and headers (final CRLF included) are n bytes.
func headerOfSize(t *testing.T, addr string, n int) string {
	head := "GET /healthz HTTP/1.1\r\nHost: " + addr + "\r\nX-Pad: "
	pad := n - len(head) - len("\r\n\r\n")
	require.Positive(t, pad)
	return head + strings.Repeat("p", pad) + "\r\n\r\n"
}

// The documented header limit is the measured one: 16 KiB of request line and headers pass,
// one byte more is 431 with the error object and the security headers.
func TestHeaderLimitExact(t *testing.T) {
	addr := startWithTimeouts(t, DefaultTimeouts)
	resp, _, _ := rawRoundTrip(t, addr, headerOfSize(t, addr, MaxHeaderBytes))
	assert.Equal(t, http.StatusOK, resp.StatusCode, "exactly MaxHeaderBytes")
	resp, body, _ := rawRoundTrip(t, addr, headerOfSize(t, addr, MaxHeaderBytes+1))
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode, "one byte over")
	assertSecurityHeaders(t, resp.Header)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "headers_too_large", decodeErr(t, body).Code)
}

// Go's own answers (malformed request, unsupported transfer coding, HTTP version) carry the
// error object and the security headers too.
func TestGoOwnErrorsAreContractErrors(t *testing.T) {
	addr := startWithTimeouts(t, DefaultTimeouts)
	for _, tc := range []struct {
		name, req string
		status    int
		code      string
	}{
		{"malformed request line", "NONSENSE\r\n\r\n", 400, "bad_request"},
		{"missing Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "bad_request"},
		{"bad header line", "GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400, "bad_request"},
		{"unsupported transfer coding", "POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "not_implemented"},
		{"HTTP/2 text", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported"},
		{"unsupported Expect", "POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}", 417, "expectation_failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body, _ := rawRoundTrip(t, addr, tc.req)
			assert.Equal(t, tc.status, resp.StatusCode)
			assertSecurityHeaders(t, resp.Header)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assert.Equal(t, strconv.Itoa(len(body)), resp.Header.Get("Content-Length"))
			assert.Equal(t, tc.code, decodeErr(t, body).Code)
		})
	}
}

// RFC 9112 §6.1: a request with Content-Length and Transfer-Encoding is answered and its
// connection closed.
func TestContentLengthAndTransferEncodingCloses(t *testing.T) {
	addr := startWithTimeouts(t, DefaultTimeouts)
	body := validSpec
	req := "POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
		"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" +
		strconv.FormatInt(int64(len(body)), 16) + "\r\n" + body + "\r\n0\r\n\r\n"
	resp, got, conn := rawRoundTrip(t, addr, req)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", got)
	assert.True(t, resp.Close, "Connection: close")
	assertSecurityHeaders(t, resp.Header)
	_, rest := waitClosed(t, conn, 5*time.Second)
	assert.Empty(t, rest)
	// A plain request keeps its connection.
	resp, _, _ = rawRoundTrip(t, addr, "POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(body))+"\r\n\r\n"+body)
	assert.False(t, resp.Close)
}

// OPTIONS works on every endpoint, /healthz included (a preflight, 204).
func TestOptionsHealthz(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do(t, http.MethodOptions, "/healthz", "", "")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, "GET, HEAD, OPTIONS", resp.Header.Get("Allow"))
	assertSecurityHeaders(t, resp.Header)
}

// The body limit is estimator.MaxRequestBytes on the server too: a body of exactly the limit is
// read and judged by the estimator; one byte more is 413.
func TestBodyLimitExact(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, int64(estimator.MaxRequestBytes), int64(DefaultMaxBodyBytes))
	prompt := strings.Repeat("a", estimator.MaxRequestBytes-len(`{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":""}`))
	exact := `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"` + prompt + `"}`
	require.Len(t, exact, estimator.MaxRequestBytes)
	resp, body := f.post(t, "/api/v1/quote", exact)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Equal(t, "prompt_too_long", decodeErr(t, body).Code)
	resp, body = f.post(t, "/api/v1/quote", exact+" ")
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, "request_too_large", decodeErr(t, body).Code)
}

// A document of many small values is refused for its value count, whatever the operation.
func TestValueLimitOnEverySurface(t *testing.T) {
	f := newFixture(t)
	wide := "[" + strings.Repeat("0,", 30_000) + "0]"
	for _, op := range estimator.Ops() {
		resp, body := f.post(t, "/api/v1/"+op, wide)
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, op)
		assert.Equal(t, "request_too_large", decodeErr(t, body).Code, op)
	}
	resp, body := f.post(t, "/api/v1/quote/verify", wide)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, "request_too_large", decodeErr(t, body).Code)
}

// blockingHandler holds every request until release is closed.
type blockingHandler struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blockingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.entered <- struct{}{}
	<-b.release
	writeJSON(w, http.StatusOK, []byte(`{}`))
}

// hold runs req through h in the background until b releases it; it returns when h entered.
func hold(t *testing.T, b *blockingHandler, h http.Handler, req *http.Request) (done chan *httptest.ResponseRecorder) {
	t.Helper()
	done = make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		done <- rec
	}()
	select {
	case <-b.entered:
	case rec := <-done:
		require.Failf(t, "not admitted", "%d %s", rec.Code, rec.Body)
	}
	return done
}

func newBlocking() *blockingHandler {
	return &blockingHandler{entered: make(chan struct{}, 16), release: make(chan struct{})}
}

func postReq(path string, size int64) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(validSpec))
	r.Header.Set("Content-Type", "application/json")
	r.ContentLength = size
	return r
}

// Saturated, the API answers 503 with Retry-After, the error object, the security headers and
// Connection: close; routes wrapped with Server.Limit (the ledger's) share the same slots.
func TestLoadSheddingAnswers503(t *testing.T) {
	s, err := New(Config{MaxInFlight: 1, QueueWait: -1})
	require.NoError(t, err)
	b := newBlocking()
	done := hold(t, b, s.Limit(b), postReq("/api/v1/ledger/x", int64(len(validSpec))))

	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, postReq("/api/v1/quote", int64(len(validSpec))))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Equal(t, "close", rec.Header().Get("Connection"))
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
	assertSecurityHeaders(t, rec.Header())
	assert.Equal(t, "overloaded", decodeErr(t, rec.Body.Bytes()).Code)

	// /healthz and preflights are never shed.
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, "/api/v1/quote", nil))
	assert.Equal(t, http.StatusNoContent, rec.Code)

	close(b.release)
	assert.Equal(t, http.StatusOK, (<-done).Code)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, postReq("/api/v1/quote", int64(len(validSpec))))
	assert.Equal(t, http.StatusOK, rec.Code, "a free slot again")
}

// Heavy requests (bodies over LightBytes or of unknown length) hold at most half the slots:
// light ones still get in while heavy ones are refused.
func TestLoadSheddingLanes(t *testing.T) {
	l := NewLimiter(2, -1)
	b := newBlocking()
	h := l.Wrap(b)
	heavy := hold(t, b, h, postReq("/", LightBytes+1))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, postReq("/", -1)) // chunked: unknown size counts as heavy
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "a second heavy request")

	light := hold(t, b, h, postReq("/", LightBytes))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, postReq("/", 10))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "every slot taken")

	close(b.release)
	assert.Equal(t, http.StatusOK, (<-heavy).Code)
	assert.Equal(t, http.StatusOK, (<-light).Code)
}

// A request waits for a slot up to the queue wait instead of failing at once.
func TestLoadSheddingWaits(t *testing.T) {
	l := NewLimiter(1, time.Minute)
	b := newBlocking()
	h := l.Wrap(b)
	first := hold(t, b, h, postReq("/", 10))
	second := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, postReq("/", 10))
		second <- rec
	}()
	b.release <- struct{}{} // first leaves; second may enter
	assert.Equal(t, http.StatusOK, (<-first).Code)
	<-b.entered
	close(b.release)
	assert.Equal(t, http.StatusOK, (<-second).Code)
}

// Draining: /healthz reports not-ready, and every answer closes its connection.
func TestDrainingAnswers(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.do(t, http.MethodGet, "/healthz", "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.False(t, resp.Close)
	f.srv.Drain()
	resp, body := f.do(t, http.MethodGet, "/healthz", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, string(body), `"status":"draining"`)
	assert.True(t, resp.Close)
	resp, _ = f.post(t, "/api/v1/quote", validSpec)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "requests are still answered")
	assert.True(t, resp.Close)
}

// Stop on a real listener: keep-alive clients in a loop lose no request; the server closes each
// connection after an answer (Connection: close) and Stop returns once all are closed.
func TestStopDropsNothing(t *testing.T) {
	s, err := New(Config{MaxInFlight: -1})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewHTTPServer(ln.Addr().String(), s, DefaultTimeouts, nil)
	go func() { _ = srv.Serve(GuardListener(ln)) }()
	addr := ln.Addr().String()
	req := "POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(validSpec)) + "\r\n\r\n" + validSpec
	const clients = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent, answered, closedCleanly := 0, 0, 0
	warm := make(chan struct{}, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					return // the listener is closed: nothing was sent
				}
				br := bufio.NewReader(conn)
				for {
					if _, err := io.WriteString(conn, req); err != nil {
						break
					}
					mu.Lock()
					sent++
					mu.Unlock()
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						break
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					if resp.StatusCode == http.StatusOK {
						answered++
					}
					if resp.Close {
						closedCleanly++
					}
					mu.Unlock()
					if n++; n == 20 {
						warm <- struct{}{}
					}
					if resp.Close {
						break
					}
				}
				conn.Close()
			}
		}()
	}
	for range clients {
		<-warm
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, s.Stop(ctx, srv, ln, 0, time.Minute))
	wg.Wait()
	assert.Equal(t, sent, answered, "every request written was answered")
	assert.GreaterOrEqual(t, closedCleanly, clients, "each client's last connection ended with Connection: close")
	assert.Zero(t, s.OpenConns())
}

// Waiting requests get a free slot smallest first: a normal quote overtakes large requests that
// queued before it.
func TestLoadSheddingSmallestFirst(t *testing.T) {
	l := NewLimiter(2, time.Minute)
	order := make(chan int64, 8)
	entered := make(chan struct{}, 8)
	release := make(chan struct{})
	h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		order <- r.ContentLength
		entered <- struct{}{}
		<-release
	}))
	done := make(chan struct{}, 8)
	serve := func(size int64) {
		go func() {
			h.ServeHTTP(httptest.NewRecorder(), postReq("/", size))
			done <- struct{}{}
		}()
	}
	serve(100)
	serve(200)
	<-entered
	<-entered
	<-order
	<-order
	waiting := func() int {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.light) + len(l.heavy)
	}
	serve(LightBytes) // light, large
	serve(60_000)     // heavy
	for waiting() < 2 {
		time.Sleep(time.Millisecond)
	}
	serve(128) // a normal quote, last to come
	for waiting() < 3 {
		time.Sleep(time.Millisecond)
	}
	release <- struct{}{} // one slot frees
	<-entered
	assert.Equal(t, int64(128), <-order, "the smallest waiting request runs first")
	close(release)
	<-entered
	<-entered
	for range 5 {
		<-done
	}
	got := []int64{<-order, <-order}
	assert.ElementsMatch(t, []int64{LightBytes, 60_000}, got)
}

// lateListener's Accept returns only when it has been closed twice (by Stop, then by Shutdown),
// so Serve still tracks it when Shutdown closes it: the instant a real stop can hit when Serve
// has not yet seen the first close.
type lateListener struct {
	net.Listener
	accepting chan struct{}
	release   chan struct{}
	mu        sync.Mutex
	closes    int
}

func (l *lateListener) Accept() (net.Conn, error) {
	l.accepting <- struct{}{}
	<-l.release
	return nil, &net.OpError{Op: "accept", Net: "tcp", Err: net.ErrClosed}
}

func (l *lateListener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closes++; l.closes == 1 {
		return l.Listener.Close()
	}
	if l.closes == 2 {
		close(l.release)
	}
	return &net.OpError{Op: "close", Net: "tcp", Err: net.ErrClosed}
}

// Stop closes the listener and then Shutdown closes it again; when Serve has not yet returned,
// that second close reports net.ErrClosed, and a clean stop must not report it as a failure
// (it made the binary exit 1 on a plain SIGINT, now and then, on a busy machine).
func TestStopListenerClosedBeforeServeNoticed(t *testing.T) {
	s, err := New(Config{MaxInFlight: -1})
	require.NoError(t, err)
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := &lateListener{Listener: raw, accepting: make(chan struct{}, 1), release: make(chan struct{})}
	srv := NewHTTPServer(raw.Addr().String(), s, DefaultTimeouts, nil)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	<-ln.accepting // Serve tracks the listener before its first Accept
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, s.Stop(ctx, srv, ln, 0, time.Second))
	assert.ErrorIs(t, <-served, http.ErrServerClosed)
	assert.Equal(t, 2, ln.closes)
}

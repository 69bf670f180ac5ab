package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/ledger"
)

// Tried as an attacker would, on loopback with the default limits: 100 connections that send a
// body slowly (64 to the ledger with a valid token — as many as its slots — and 36 to the quote
// API without a credential) hold no slot, so normal quote and balance calls are all answered, none shed.
// Outcomes are asserted; the latency bound is generous (the machine is shared) and the measured
// p99 is logged.
func TestSlowBodiesLockNobodyOut(t *testing.T) {
	l, err := ledger.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"), ledger.Options{TokenKey: []byte(testOperatorKey)})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	s, err := New(Config{Ledger: &LedgerConfig{Ledger: l, OperatorKey: testOperatorKey}})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewHTTPServer(ln.Addr().String(), s, DefaultTimeouts, nil)
	go func() { _ = srv.Serve(GuardListener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	base := "http://" + ln.Addr().String()
	ls := &ledgerServer{t: t, url: base}
	id, tok := ls.account()

	const slow = 100
	var conns []net.Conn
	for i := range slow {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		conns = append(conns, c)
		req := "POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"resolution\":"
		if i < 64 { // as many as the ledger has slots
			req = "POST /api/v1/accounts/" + id + "/holds HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tok +
				"\r\nIdempotency-Key: slow-" + fmt.Sprint(i) + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"spec\":"
		}
		_, err = io.WriteString(c, req)
		require.NoError(t, err)
	}
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	time.Sleep(100 * time.Millisecond) // let the server start reading them all

	hc := &http.Client{Timeout: 10 * time.Second}
	var lat []time.Duration
	codes := map[int]int{}
	for i := range 200 {
		start := time.Now()
		var resp *http.Response
		if i%2 == 0 {
			resp, err = hc.Post(base+"/api/v1/quote", "application/json", strings.NewReader(validSpec))
		} else {
			req, _ := http.NewRequest("GET", base+"/api/v1/accounts/"+id+"/balance", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err = hc.Do(req)
		}
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		codes[resp.StatusCode]++
	}
	assert.Equal(t, map[int]int{200: 200}, codes, "every normal call answered, none shed")
	slices.Sort(lat)
	p99 := lat[len(lat)*99/100-1]
	t.Logf("normal calls during a flood of %d slow bodies: p50 %v, p99 %v", slow, lat[len(lat)/2], p99)
	assert.Less(t, p99, 500*time.Millisecond, "generous: the issue's target is 25 ms on an idle machine")
}

// A body that does not arrive within the body deadline is answered and its connection closed;
// it never held a slot.
func TestBodyDeadline(t *testing.T) {
	l := NewLimiter(1, -1)
	l.BodyTimeout = 200 * time.Millisecond
	h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	require.NoError(t, err)
	// Meanwhile the only slot is free for others.
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, `{"a":1}`, string(b))
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	out, err := io.ReadAll(c) // the server closes it
	require.NoError(t, err)
	assert.Contains(t, string(out), "400 Bad Request")
	assert.Contains(t, string(out), "Connection: close")
}

// Fair share: when slots free up, the waiting request of the client holding the fewest goes
// first, whatever the order or size of the flood's.
func TestFairShareAcrossClients(t *testing.T) {
	l := NewLimiter(2, time.Minute)
	entered := make(chan string, 16)
	release := make(chan struct{})
	h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- r.Header.Get("Authorization")
		<-release
	}))
	done := make(chan struct{}, 16)
	serve := func(token string) {
		go func() {
			r := postReq("/", 10)
			r.Header.Set("Authorization", "Bearer "+token)
			h.ServeHTTP(httptest.NewRecorder(), r)
			done <- struct{}{}
		}()
	}
	waiting := func() int {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.light) + len(l.heavy)
	}
	serve("flood")
	serve("flood")
	<-entered
	<-entered
	for i := range 5 {
		serve("flood")
		for waiting() < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	serve("victim") // last to come
	for waiting() < 6 {
		time.Sleep(time.Millisecond)
	}
	release <- struct{}{}
	assert.Equal(t, "Bearer victim", <-entered, "the client holding no slot goes first")
	close(release)
	for range 5 {
		<-entered
	}
	for range 8 {
		<-done
	}
}

// Refused sign-ups (no Idempotency-Key, a bad body) count against nobody's limit: 100 of them
// from 20 addresses leave every address its own sign-ups.
func TestRefusedSignupsConsumeNoLimit(t *testing.T) {
	l, err := ledger.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"), ledger.Options{TokenKey: []byte(testOperatorKey)})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	s, err := New(Config{Ledger: &LedgerConfig{Ledger: l, OperatorKey: testOperatorKey, DemoSignup: true, SignupsPerMinute: 2}})
	require.NoError(t, err)
	signup := func(addr, key, body string) int {
		r := httptest.NewRequest("POST", "/api/v1/demo/signup", strings.NewReader(body))
		r.RemoteAddr = addr + ":40000"
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		return rec.Code
	}
	refused := map[int]int{}
	for i := range 100 {
		addr := fmt.Sprintf("10.0.0.%d", i%20)
		if i%2 == 0 {
			refused[signup(addr, "", "")]++ // no Idempotency-Key
		} else {
			refused[signup(addr, fmt.Sprintf("bad-%d", i), `{"x":1}`)]++ // a body a sign-up has no member of
		}
	}
	assert.Equal(t, map[int]int{400: 100}, refused)
	// Every one of those addresses still has its 2 sign-ups; so has a new one.
	for i := range 20 {
		addr := fmt.Sprintf("10.0.0.%d", i)
		assert.Equal(t, 201, signup(addr, "ok-a-"+addr, ""), addr)
		assert.Equal(t, 201, signup(addr, "ok-b-"+addr, ""), addr)
		assert.Equal(t, 429, signup(addr, "ok-c-"+addr, ""), addr) // its own limit, reached by its own sign-ups
	}
}

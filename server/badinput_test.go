package server

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

func deep(open, close string, n int) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

// Bad input never gets a 5xx: each answer is the contract's error object with a 4xx status, and for
// requests that reach the estimator it is byte-identical to the native answer.
func TestBadInput(t *testing.T) {
	f := newFixture(t)
	spec := func(member, value string) string {
		return `{"resolution":"1080p","fps":30,"durationSeconds":10,` + `"` + member + `":` + value + `}`
	}
	cases := []struct {
		name, path, contentType, body string
		status                        int    // 0: whatever the estimator answers natively (must be 4xx)
		code                          string // "" with status 0: the native code
	}{
		{name: "oversized body", path: "/api/v1/quote", body: spec("prompt", `"`+strings.Repeat("a", 70_000)+`"`), status: 413, code: "request_too_large"},
		{name: "oversized verify", path: "/api/v1/quote/verify", body: `{"spec":` + spec("prompt", `"`+strings.Repeat("a", 70_000)+`"`) + `}`, status: 413, code: "request_too_large"},
		{name: "truncated JSON", path: "/api/v1/quote", body: `{"resolution":"1080p","fps":3`},
		{name: "truncated string", path: "/api/v1/quote", body: `{"resolution":"108`},
		{name: "empty body", path: "/api/v1/quote", body: ``},
		{name: "not JSON", path: "/api/v1/quote", body: `resolution=1080p`},
		{name: "array instead of object", path: "/api/v1/quote", body: `[]`},
		{name: "null", path: "/api/v1/quote", body: `null`},
		{name: "wrong type: resolution number", path: "/api/v1/quote", body: `{"resolution":1080,"fps":30,"durationSeconds":10}`},
		{name: "wrong type: fps string", path: "/api/v1/quote", body: `{"resolution":"1080p","fps":"30","durationSeconds":10}`},
		{name: "wrong type: duration string", path: "/api/v1/quote", body: `{"resolution":"1080p","fps":30,"durationSeconds":"10"}`},
		{name: "wrong type: prompt object", path: "/api/v1/quote", body: spec("prompt", `{"a":1}`)},
		{name: "wrong type: count bool", path: "/api/v1/quote", body: spec("count", `true`)},
		{name: "unknown field", path: "/api/v1/quote", body: spec("price", `0`)},
		{name: "duplicate field", path: "/api/v1/quote", body: `{"resolution":"1080p","resolution":"720p","fps":30,"durationSeconds":10}`},
		{name: "10,000-deep arrays", path: "/api/v1/quote", body: deep("[", "]", 10_000)},
		{name: "10,000-deep objects", path: "/api/v1/quote", body: deep(`{"a":`, "}", 10_000)},
		{name: "10,000-deep member", path: "/api/v1/quote", body: spec("prompt", deep("[", "]", 10_000))},
		{name: "10,000-deep verify", path: "/api/v1/quote/verify", body: `{"spec":` + deep("[", "]", 10_000) + `,"quote":{}}`},
		{name: "10,000-deep verify quote", path: "/api/v1/quote/verify", body: `{"spec":` + validSpec + `,"quote":` + deep("[", "]", 10_000) + `}`, status: 400, code: "invalid_json"}, // depth is refused anywhere, the quote included,
		{name: "20,000-deep verify quote", path: "/api/v1/quote/verify", body: `{"spec":` + validSpec + `,"quote":` + deep("[", "]", 20_000) + `}`, status: 400, code: "invalid_json"},
		{name: "20,000-deep quote", path: "/api/v1/quote", body: deep("[", "]", 20_000)},
		{name: "invalid UTF-8 in prompt", path: "/api/v1/quote", body: spec("prompt", "\"caf\xe9 \xff\xfe\"")},
		{name: "invalid UTF-8 in key", path: "/api/v1/quote", body: "{\"resol\xffution\":\"1080p\"}"},
		{name: "invalid UTF-8 in verify spec", path: "/api/v1/quote/verify", body: `{"spec":` + spec("prompt", "\"\xff\"") + `,"quote":{}}`},
		{name: "lone surrogate escape", path: "/api/v1/quote", body: spec("prompt", `"\ud800"`)},
		{name: "control character", path: "/api/v1/quote", body: spec("prompt", "\"a\x01b\"")},
		{name: "huge integer count", path: "/api/v1/quote", body: spec("count", `99999999999999999999999999999999999999`)},
		{name: "huge exponent fps", path: "/api/v1/quote", body: `{"resolution":"1080p","fps":1e400,"durationSeconds":10}`},
		{name: "huge duration", path: "/api/v1/quote", body: `{"resolution":"1080p","fps":30,"durationSeconds":1e308}`},
		{name: "long duration digits", path: "/api/v1/quote", body: `{"resolution":"1080p","fps":30,"durationSeconds":10.` + strings.Repeat("0", 5000) + `1}`},
		{name: "negative count", path: "/api/v1/quote", body: spec("count", `-1`)},
		{name: "fractional count", path: "/api/v1/quote", body: spec("count", `1.5`)},
		{name: "NaN", path: "/api/v1/quote", body: `{"resolution":"1080p","fps":NaN,"durationSeconds":10}`},
		{name: "trailing garbage", path: "/api/v1/quote", body: validSpec + `x`},
		{name: "two documents", path: "/api/v1/quote", body: validSpec + validSpec},
		{name: "wrong content type", path: "/api/v1/quote", contentType: "text/plain", body: validSpec, status: 415, code: "unsupported_media_type"},
		{name: "no content type", path: "/api/v1/quote", contentType: "-", body: validSpec, status: 415, code: "unsupported_media_type"},
		{name: "form content type on verify", path: "/api/v1/quote/verify", contentType: "application/x-www-form-urlencoded", body: `a=b`, status: 415, code: "unsupported_media_type"},
	}
	card := estimator.Default()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct := c.contentType
			switch ct {
			case "":
				ct = "application/json"
			case "-":
				ct = ""
			}
			resp, body := f.do(t, http.MethodPost, c.path, ct, c.body)
			assert.GreaterOrEqual(t, resp.StatusCode, 400, "%s", body)
			assert.Less(t, resp.StatusCode, 500, "bad input must never be a server error: %s", body)
			e := decodeErr(t, body)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assertSecurityHeaders(t, resp.Header)
			if c.status != 0 {
				assert.Equal(t, c.status, resp.StatusCode)
				assert.Equal(t, c.code, e.Code)
				return
			}
			if c.path == "/api/v1/quote" {
				status, want := nativeAnswer(t, card, "quote", []byte(c.body))
				require.NotEqual(t, http.StatusOK, status, "the case must be bad input")
				assert.Equal(t, status, resp.StatusCode)
				assert.Equal(t, string(want), string(body))
			} else {
				assert.Equal(t, estimator.HTTPStatus(e.Code), resp.StatusCode)
			}
		})
	}
}

// startWithTimeouts serves the default handler through NewHTTPServer with the given timeouts.
func startWithTimeouts(t *testing.T, to Timeouts) string {
	t.Helper()
	s, err := New(Config{})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewHTTPServer(ln.Addr().String(), s, to, nil)
	go func() { _ = srv.Serve(GuardListener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// waitClosed reads until the server closes the connection; it fails after limit.
func waitClosed(t *testing.T, conn net.Conn, limit time.Duration) (time.Duration, string) {
	t.Helper()
	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(start.Add(limit)))
	b, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		require.Failf(t, "connection still open", "after %v", limit)
	}
	return time.Since(start), string(b)
}

// Slow headers (slowloris): ReadHeaderTimeout closes the connection.
func TestSlowHeadersClosed(t *testing.T) {
	to := DefaultTimeouts
	to.ReadHeader = 300 * time.Millisecond
	addr := startWithTimeouts(t, to)

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
	require.NoError(t, err)
	took, _ := waitClosed(t, conn, 5*time.Second)
	assert.Less(t, took, 3*time.Second)

	// A complete request on a fresh connection is still served.
	resp, err := http.Post("http://"+addr+"/api/v1/quote", "application/json", strings.NewReader(validSpec))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// A body that stops arriving: ReadTimeout ends the request and the connection.
func TestSlowBodyClosed(t *testing.T) {
	to := DefaultTimeouts
	to.Read = 400 * time.Millisecond
	addr := startWithTimeouts(t, to)
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /api/v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"resolution\":")
	require.NoError(t, err)
	took, out := waitClosed(t, conn, 5*time.Second)
	assert.Less(t, took, 3*time.Second)
	if out != "" { // if anything was answered, it is a 4xx error object, never a 5xx
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	}
}

// Oversized headers are refused by MaxHeaderBytes (431), not processed.
func TestHugeHeaders(t *testing.T) {
	addr := startWithTimeouts(t, DefaultTimeouts)
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/quote", strings.NewReader(validSpec))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Padding", strings.Repeat("p", 2*MaxHeaderBytes))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode)
}

// Mutated requests (truncated, bytes flipped, bytes inserted) through every POST endpoint never
// get a 5xx, and every error answer is the contract's object.
func TestMutatedRequestsNeverServerError(t *testing.T) {
	s, err := New(Config{})
	require.NoError(t, err)
	card := estimator.Default()
	seeds := estimatortest.RandomRequests(7, 300)
	r := rand.New(rand.NewPCG(7, 11))
	special := []byte{0, '"', '\\', '{', '}', '[', ']', ':', ',', '-', 'e', '9', 0x80, 0xff, 0xc3}
	count := 0
	for _, seed := range seeds {
		for range 8 {
			b := slices.Clone(seed)
			switch r.IntN(3) {
			case 0:
				b = b[:r.IntN(len(b)+1)]
			case 1:
				if len(b) > 0 {
					b[r.IntN(len(b))] = special[r.IntN(len(special))]
				}
			case 2:
				i := r.IntN(len(b) + 1)
				b = slices.Insert(b, i, special[r.IntN(len(special))])
			}
			_, qerr := card.Do("quote", seed)
			bodies := map[string][]byte{"/api/v1/quote": b}
			if qerr == nil {
				bodies["/api/v1/quote/verify"] = slices.Concat([]byte(`{"spec":`), seed, []byte(`,"quote":`), b, []byte(`}`))
			}
			for path, body := range bodies {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				s.ServeHTTP(rec, req)
				count++
				require.Less(t, rec.Code, 500, "%s %q → %s", path, body, rec.Body)
				if rec.Code != http.StatusOK {
					decodeErr(t, rec.Body.Bytes())
				} else if path == "/api/v1/quote" {
					want, err := card.Do("quote", body)
					require.NoError(t, err)
					require.Equal(t, string(want), rec.Body.String())
				}
			}
		}
	}
	t.Logf("%d mutated requests, no 5xx", count)
}

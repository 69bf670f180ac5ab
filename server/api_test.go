package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

type errObj struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// decodeErr checks that b is exactly the contract's error object and returns it.
func decodeErr(t *testing.T, b []byte) errObj {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e errObj
	require.NoErrorf(t, dec.Decode(&e), "error body %s", b)
	require.NotEmpty(t, e.Code, "error body %s", b)
	require.NotEmpty(t, e.Message, "error body %s", b)
	return e
}

func TestQuote(t *testing.T) {
	f := newFixture(t)
	resp, body := f.post(t, "/api/v1/quote", validSpec)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	want, err := estimator.Default().Do("quote", []byte(validSpec))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(body))
	h := resp.Header
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, strconv.Itoa(len(body)), h.Get("Content-Length"))
	assert.Equal(t, "*", h.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
	assertSecurityHeaders(t, h)

	// Content-Type parameters are fine as long as the charset is UTF-8.
	resp, body2 := f.do(t, http.MethodPost, "/api/v1/quote", "application/json; charset=UTF-8", validSpec)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, body, body2)
}

func TestEveryOpIsRouted(t *testing.T) {
	f := newFixture(t)
	require.NotEmpty(t, estimator.Ops())
	for _, op := range estimator.Ops() {
		// An empty object is not a valid request of any op, but it must reach Do for that op:
		// the answer equals Do's, byte for byte, never the server's unknown_op.
		resp, body := f.post(t, "/api/v1/"+op, `{}`)
		status, want := nativeAnswer(t, estimator.Default(), op, []byte(`{}`))
		assert.Equal(t, status, resp.StatusCode, op)
		assert.Equal(t, string(want), string(body), op)
		if resp.StatusCode != http.StatusOK {
			assert.NotEqual(t, "unknown_op", decodeErr(t, body).Code, op)
		}
	}
}

func TestUnknownOp(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/v1/nope", "/api/v1/", "/api/v2/quote", "/api/v1/quote/extra", "/api/"} {
		resp, body := f.post(t, p, validSpec)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, p)
		assert.Equal(t, "unknown_op", decodeErr(t, body).Code, p)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), p)
		assertSecurityHeaders(t, resp.Header)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	cases := []struct{ method, path, allow string }{
		{http.MethodGet, "/api/v1/quote", "OPTIONS, POST"},
		{http.MethodPut, "/api/v1/quote", "OPTIONS, POST"},
		{http.MethodDelete, "/api/v1/quote/verify", "OPTIONS, POST"},
		{http.MethodGet, "/api/v1/quote/verify", "OPTIONS, POST"},
		{http.MethodPost, "/api/v1/ratecard", "GET, HEAD, OPTIONS"},
		{http.MethodPost, "/healthz", "GET, HEAD, OPTIONS"},
		{http.MethodPost, "/", "GET, HEAD, OPTIONS"},
		{http.MethodPatch, "/" + wasmName, "GET, HEAD, OPTIONS"},
	}
	for _, c := range cases {
		resp, body := f.do(t, c.method, c.path, "application/json", "{}")
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "%s %s", c.method, c.path)
		assert.Equal(t, c.allow, resp.Header.Get("Allow"), "%s %s", c.method, c.path)
		assert.Equal(t, "method_not_allowed", decodeErr(t, body).Code)
		assertSecurityHeaders(t, resp.Header)
	}
}

func TestPreflight(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/v1/quote", "/api/v1/quote/verify"} {
		resp, body := f.do(t, http.MethodOptions, p, "", "",
			"Origin", "https://shop.example", "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "content-type")
		assert.Equal(t, http.StatusNoContent, resp.StatusCode, p)
		assert.Empty(t, body)
		assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "OPTIONS, POST", resp.Header.Get("Access-Control-Allow-Methods"))
		assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "Content-Type")
		assert.Equal(t, "86400", resp.Header.Get("Access-Control-Max-Age"))
	}
	resp, _ := f.do(t, http.MethodOptions, "/api/v1/ratecard", "", "", "Origin", "https://shop.example")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "GET, HEAD, OPTIONS", resp.Header.Get("Access-Control-Allow-Methods"))
}

func TestContentTypeRequired(t *testing.T) {
	f := newFixture(t)
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
		"application/json; charset=latin1", "application/jsonx", "json"} {
		for _, p := range []string{"/api/v1/quote", "/api/v1/quote/verify"} {
			resp, body := f.do(t, http.MethodPost, p, ct, validSpec)
			assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode, "%q %s", ct, p)
			assert.Equal(t, "unsupported_media_type", decodeErr(t, body).Code)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t)
	// A valid JSON spec padded with whitespace past 64 KiB: the limit is on bytes, not on meaning.
	big := validSpec + strings.Repeat(" ", DefaultMaxBodyBytes)
	resp, body := f.post(t, "/api/v1/quote", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, "request_too_large", decodeErr(t, body).Code)

	// Same without a Content-Length (chunked upload): the limit applies while reading.
	req, err := http.NewRequest(http.MethodPost, f.ts.URL+"/api/v1/quote", struct{ *strings.Reader }{strings.NewReader(big)})
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	r2, err := f.ts.Client().Do(req)
	require.NoError(t, err)
	defer r2.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, r2.StatusCode)

	// Exactly at the limit is accepted (and priced).
	atLimit := validSpec + strings.Repeat(" ", DefaultMaxBodyBytes-len(validSpec))
	require.Len(t, atLimit, DefaultMaxBodyBytes)
	resp, body = f.post(t, "/api/v1/quote", atLimit)
	status, want := nativeAnswer(t, estimator.Default(), "quote", []byte(atLimit))
	assert.Equal(t, status, resp.StatusCode)
	assert.Equal(t, string(want), string(body))
}

func TestRateCard(t *testing.T) {
	f := newFixture(t)
	card := estimator.Default()
	etag := `"` + card.Digest() + `"`
	require.Regexp(t, `^"sha256:[0-9a-f]{64}"$`, etag)

	resp, body := f.do(t, http.MethodGet, "/api/v1/ratecard", "", "", "Origin", "https://shop.example")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, card.JSON(), body)
	h := resp.Header
	assert.Equal(t, etag, h.Get("ETag"))
	assert.Equal(t, "no-cache", h.Get("Cache-Control"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "*", h.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "ETag", h.Get("Access-Control-Expose-Headers"))
	assert.Equal(t, "cross-origin", h.Get("Cross-Origin-Resource-Policy"))
	assert.Equal(t, strconv.Itoa(len(body)), h.Get("Content-Length"))
	assertSecurityHeaders(t, h)

	// The card served parses to the same card.
	again, err := estimator.ParseRateCard(body)
	require.NoError(t, err)
	assert.Equal(t, card.Digest(), again.Digest())
	assert.Equal(t, card.Version(), again.Version())

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		resp, body = f.do(t, http.MethodGet, "/api/v1/ratecard", "", "", "If-None-Match", inm)
		assert.Equal(t, http.StatusNotModified, resp.StatusCode, inm)
		assert.Empty(t, body)
		assert.Equal(t, etag, resp.Header.Get("ETag"))
		assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	}
	for _, inm := range []string{`"sha256:0000"`, `"` + card.Digest(), "garbage"} {
		resp, _ = f.do(t, http.MethodGet, "/api/v1/ratecard", "", "", "If-None-Match", inm)
		assert.Equal(t, http.StatusOK, resp.StatusCode, inm)
	}

	resp, body = f.do(t, http.MethodHead, "/api/v1/ratecard", "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, strconv.Itoa(len(card.JSON())), resp.Header.Get("Content-Length"))
}

func TestHealthz(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do(t, http.MethodGet, "/healthz", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var h struct {
		Status   string `json:"status"`
		RateCard struct {
			Version string `json:"version"`
			Digest  string `json:"digest"`
		} `json:"rateCard"`
	}
	require.NoError(t, json.Unmarshal(body, &h))
	assert.Equal(t, "ok", h.Status)
	assert.Equal(t, estimator.Default().Version(), h.RateCard.Version)
	assert.Equal(t, estimator.Default().Digest(), h.RateCard.Digest)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assertSecurityHeaders(t, resp.Header)
	resp, body = f.do(t, http.MethodHead, "/healthz", "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)
}

// A server over another card answers with that card: ETag, quotes and healthz follow it.
func TestOtherCard(t *testing.T) {
	def := estimator.Default()
	// Change the version string of the default card (a new rollout of the same prices).
	raw := def.JSON()
	old := []byte(`"` + def.Version() + `"`)
	require.Equal(t, 1, bytes.Count(raw, old), "the card JSON should hold its version string once")
	card, err := estimator.ParseRateCard(bytes.Replace(raw, old, []byte(`"`+def.Version()+`-rollout2"`), 1))
	require.NoError(t, err)
	require.NotEqual(t, def.Digest(), card.Digest())

	s, err := New(Config{Card: card})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + "/api/v1/ratecard")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, `"`+card.Digest()+`"`, resp.Header.Get("ETag"))

	resp, err = ts.Client().Post(ts.URL+"/api/v1/quote", "application/json", strings.NewReader(validSpec))
	require.NoError(t, err)
	var q struct {
		RateCard struct{ Version, Digest string } `json:"rateCard"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&q))
	resp.Body.Close()
	assert.Equal(t, card.Version(), q.RateCard.Version)
	assert.Equal(t, card.Digest(), q.RateCard.Digest)

	// No web dir configured: static paths are 404 with the error object.
	resp, err = ts.Client().Get(ts.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestNewRejectsMissingWebDir(t *testing.T) {
	_, err := New(Config{WebDir: t.TempDir() + "/missing"})
	require.Error(t, err)
}

// Access logs carry method, path, status, bytes and duration, and never the body or prompt text,
// whatever the endpoint and whether the request succeeds or fails.
func TestLogsNeverHoldPromptText(t *testing.T) {
	f := newFixture(t)
	goodQuote, err := estimator.Default().Do("quote", []byte(validSpec))
	require.NoError(t, err)
	badSpec := strings.Replace(validSpec, `"fps":30`, `"fps":31`, 1)
	unknownField := strings.Replace(validSpec, `"count":2`, `"count":2,"`+secretPrompt+`":1`, 1)
	bodies := []struct{ path, body string }{
		{"/api/v1/quote", validSpec},
		{"/api/v1/quote", badSpec},
		{"/api/v1/quote", unknownField},
		{"/api/v1/quote", validSpec[:len(validSpec)/2]},
		{"/api/v1/quote/verify", `{"spec":` + validSpec + `,"quote":` + string(goodQuote) + `}`},
		{"/api/v1/quote/verify", `{"spec":` + badSpec + `,"quote":{}}`},
		{"/api/v1/nope", validSpec},
	}
	for _, b := range bodies {
		f.post(t, b.path, b.body)
	}
	f.do(t, http.MethodPost, "/api/v1/quote", "text/plain", validSpec)
	f.do(t, http.MethodGet, "/api/v1/ratecard", "", "")
	// The access log is written when a handler returns, which may be after the client has read
	// a large body: closing the server waits for every handler.
	f.ts.Close()

	logs := f.logs.String()
	require.NotEmpty(t, logs)
	for _, needle := range []string{secretPrompt, "zebra", "quokka", "troops", "resolution", "durationSeconds"} {
		assert.NotContains(t, logs, needle)
	}
	// One JSON record per request with the agreed attributes.
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	require.Len(t, lines, len(bodies)+2)
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
	assert.Equal(t, "request", rec["msg"])
	assert.Equal(t, "POST", rec["method"])
	assert.Equal(t, "/api/v1/quote", rec["path"])
	assert.EqualValues(t, 200, rec["status"])
	assert.EqualValues(t, len(goodQuote), rec["bytes"])
	assert.Contains(t, rec, "duration")
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &rec))
	badStatus, _ := nativeAnswer(t, estimator.Default(), "quote", []byte(badSpec))
	require.NotEqual(t, http.StatusOK, badStatus)
	assert.EqualValues(t, badStatus, rec["status"])
}

// A panic in a handler is a bug: it becomes one 500 with the error object and a log line, and the
// server keeps serving. (Bad input never gets here: see the bad-input tests.)
func TestPanicSafetyNet(t *testing.T) {
	logs := &syncBuffer{}
	s, err := New(Config{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	require.Equal(t, http.StatusOK, rec.Code)

	s.ops["boom"] = true // an op the estimator does not know: Do answers unknown_op, not a panic
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/boom", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "unknown_op", decodeErr(t, rec.Body.Bytes()).Code)

	rec = httptest.NewRecorder()
	s.ServeHTTP(panicWriter{rec}, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assertSecurityHeaders(t, rec.Header())

	// A panic while serving an immutable asset must not leave its caching headers on the 500.
	f := newFixture(t)
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(panicWriter{rec}, httptest.NewRequest(http.MethodGet, "/"+wasmName, nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Empty(t, rec.Header().Get("ETag"))
	assert.Empty(t, rec.Header().Get("Vary"))
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, "internal", decodeErr(t, rec.Body.Bytes()).Code)
	assert.Equal(t, "internal", decodeErr(t, rec.Body.Bytes()).Code)
	assert.Contains(t, logs.String(), `"msg":"panic"`)
}

// panicWriter panics on the first body write of a 200, like a handler bug would.
type panicWriter struct{ *httptest.ResponseRecorder }

func (p panicWriter) WriteHeader(code int) {
	if code == http.StatusOK {
		panic(fmt.Sprintf("test panic for status %d", code))
	}
	p.ResponseRecorder.WriteHeader(code)
}

func TestReadLimited(t *testing.T) {
	for _, n := range []int{0, 1, 1023, 1024, 1025, 5000} {
		in := bytes.Repeat([]byte("x"), n)
		got, err := readLimited(iotestOneByte(in), nil, 5000)
		require.NoError(t, err, n)
		assert.Equal(t, in, got, n)
	}
	_, err := readLimited(bytes.NewReader(make([]byte, 5001)), nil, 5000)
	assert.ErrorIs(t, err, errTooLarge)
	_, err = readLimited(bytes.NewReader(make([]byte, 1<<20)), make([]byte, 0, 16), 5000)
	assert.ErrorIs(t, err, errTooLarge)
}

// iotestOneByte returns a reader that yields one byte per Read.
func iotestOneByte(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }

func TestETagMatch(t *testing.T) {
	const e = `"sha256:ab"`
	for _, h := range []string{e, "W/" + e, `"x", ` + e, `"x",` + e, "*", ` ` + e + ` `} {
		assert.True(t, etagMatch(h, e), h)
	}
	for _, h := range []string{"", `"x"`, `sha256:ab`, `"sha256:ab`, `W/`, `"sha256:abc"`} {
		assert.False(t, etagMatch(h, e), h)
	}
}

package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

// BenchmarkHandlerQuote is one POST /api/v1/quote through the handler (no network); compare
// BenchmarkDoQuote (the estimator alone) for the server's own cost per request.
func BenchmarkHandlerQuote(b *testing.B) {
	s, _ := New(Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	body := []byte(validSpec)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/quote", nil)
	req.Header.Set("Content-Type", "application/json")
	b.ReportAllocs()
	for b.Loop() {
		req.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkDoQuote(b *testing.B) {
	body := []byte(validSpec)
	c := estimator.Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do("quote", body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorstCases: every operation's worst requests through the handler (no network), each
// as a multiple of a plain quote (the loadgen measures the same with the server's CPU per
// request over loopback, which is the documented bound).
func BenchmarkWorstCases(b *testing.B) {
	s, _ := New(Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), MaxInFlight: -1})
	reqs := map[string]*http.Request{}
	estimatortest.BenchRatios(b, func(op string, body []byte) {
		path := "/api/v1/" + op
		if op == "verify" {
			path = "/api/v1/quote/verify"
		}
		req := reqs[path]
		if req == nil {
			req = httptest.NewRequest(http.MethodPost, path, nil)
			req.Header.Set("Content-Type", "application/json")
			reqs[path] = req
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		s.ServeHTTP(httptest.NewRecorder(), req)
	}, os.Getenv("WORST_CASES_OUT"))
}

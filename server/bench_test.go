package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
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

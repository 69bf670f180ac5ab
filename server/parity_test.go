package server

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

// postRaw sends body to path and returns status and body; safe for concurrent use.
func postRaw(client *http.Client, url string, body []byte) (int, []byte, error) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Every golden vector through HTTP answers the vector's bytes exactly.
func TestParityGoldenVectors(t *testing.T) {
	f := newFixture(t)
	files, err := filepath.Glob(filepath.Join("..", "estimator", "testdata", "*.vectors"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no golden vectors found in estimator/testdata")
	total := 0
	for _, file := range files {
		vectors, err := estimatortest.ReadVectors(file)
		require.NoError(t, err, file)
		for _, v := range vectors {
			total++
			status, body, err := postRaw(f.ts.Client(), f.ts.URL+"/api/v1/"+v.Op, v.Request)
			require.NoError(t, err, "%s: %s", file, v.Name)
			if len(v.Request) > DefaultMaxBodyBytes {
				// Rejected by the server before the estimator sees it: same code, the server's message.
				assert.Equal(t, http.StatusRequestEntityTooLarge, status, v.Name)
				assert.Equal(t, "request_too_large", decodeErr(t, body).Code, v.Name)
				continue
			}
			assert.Equal(t, string(v.Response), string(body), "%s: %s", file, v.Name)
			if v.IsError {
				assert.Equal(t, estimator.HTTPStatus(decodeErr(t, v.Response).Code), status, "%s: %s", file, v.Name)
			} else {
				assert.Equal(t, http.StatusOK, status, "%s: %s", file, v.Name)
			}
		}
	}
	require.NotZero(t, total, "the vector files hold no vectors")
	t.Logf("%d golden vectors from %d files matched through HTTP", total, len(files))
}

// At least 10,000 seeded random requests through HTTP equal the native Go answers byte for byte.
func TestParityRandomRequests(t *testing.T) {
	const n = 10_000
	f := newFixture(t)
	card := estimator.Default()
	reqs := estimatortest.RandomRequests(20261125, n)
	require.Len(t, reqs, n)

	type want struct {
		status int
		body   []byte
	}
	wants := make([]want, n)
	for i, r := range reqs {
		wants[i].status, wants[i].body = nativeAnswer(t, card, "quote", r)
	}

	var ok, failed atomic.Int64
	var mismatches atomic.Int64
	var wg sync.WaitGroup
	next := atomic.Int64{}
	errs := make(chan string, 10)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				status, body, err := postRaw(f.ts.Client(), f.ts.URL+"/api/v1/quote", reqs[i])
				if err == nil && status == wants[i].status && bytes.Equal(body, wants[i].body) {
					if status == http.StatusOK {
						ok.Add(1)
					} else {
						failed.Add(1)
					}
					continue
				}
				mismatches.Add(1)
				select {
				case errs <- string(reqs[i]) + "\n  http:   " + string(body) + "\n  native: " + string(wants[i].body):
				default:
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		assert.Failf(t, "mismatch", "for request %s", e)
	}
	assert.Zero(t, mismatches.Load())
	assert.Equal(t, int64(n), ok.Load()+failed.Load())
	// The generator mixes valid and invalid requests; both paths must have been exercised.
	assert.Positive(t, ok.Load(), "no valid request in the random set")
	assert.Positive(t, failed.Load(), "no invalid request in the random set")
	t.Logf("%d random requests: %d quotes, %d error objects, all byte-identical", n, ok.Load(), failed.Load())
}

package main

import (
	"bufio"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/server"
)

func TestMeasureAgainstTheHandler(t *testing.T) {
	work, err := buildWork()
	require.NoError(t, err)
	h, err := server.New(server.Config{})
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	require.NoError(t, checkLoopback(addr))

	lv, err := measure(addr, work, 4, 300*time.Millisecond, 400)
	require.NoError(t, err)
	assert.Zero(t, lv.Errors)
	assert.Equal(t, 4, lv.Conns)
	assert.LessOrEqual(t, lv.Requests, 400, "the request bound holds")
	assert.Positive(t, lv.Requests)
	assert.Positive(t, lv.PerSecond)
	assert.LessOrEqual(t, lv.P50Micros, lv.P99Micros)

	// Answers that differ from the native ones are counted as errors.
	bad := []item{{request: work[0].request, want: []byte("not the answer")}}
	lv, err = measure(addr, bad, 1, 100*time.Millisecond, 5)
	require.NoError(t, err)
	assert.Equal(t, lv.Requests, lv.Errors)
}

func TestReadAny(t *testing.T) {
	ok := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 4\r\n\r\nabcdHTTP/1.1 200 OK\r\n"
	status, closing, b, err := readAny(bufio.NewReader(strings.NewReader(ok)), nil)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.False(t, closing)
	assert.Equal(t, "abcd", string(b))

	shed := "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 2\r\nRetry-After: 1\r\n\r\n{}"
	status, closing, b, err = readAny(bufio.NewReader(strings.NewReader(shed)), nil)
	require.NoError(t, err)
	assert.Equal(t, 503, status)
	assert.True(t, closing)
	assert.Equal(t, "{}", string(b))

	for _, bad := range []string{
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"NOT HTTP\r\n\r\n",
		"",
	} {
		_, _, _, err := readAny(bufio.NewReader(strings.NewReader(bad)), nil)
		assert.Error(t, err, bad)
	}
	assert.Error(t, checkLoopback("192.0.2.1:80"))
}

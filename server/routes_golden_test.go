package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/ledger"
)

// TestRoutesGolden pins how every kind of path is routed — odd ones included: unclean paths,
// trailing slashes, paths next to a subtree, CONNECT, every method — with and without the web
// directory and the ledger, byte for byte (status, headers, body). The golden file was written
// by the hand-written routers the ServeMux routes replaced.
func TestRoutesGolden(t *testing.T) {
	paths := []string{
		"/", "/index.html", "/pages/calculator", "/pages/calculator/", "/nope", "/.secret", "/a/../index.html", "//index.html",
		"/healthz", "/healthz/", "/api", "/api/", "/api/v1", "/api/v1/", "/api/v1/quote", "/api/v1/quote/", "/api/v1//quote",
		"/api/v1/./quote", "/api/v1/qu%6Fte", "/api/v1/nope", "/api/v1/ratecard", "/api/v1/ratecard/", "/api/v1/quote/verify",
		"/api/v1/quote/verify/", "/api/v1/ledger", "/api/v1/accounts", "/api/v1/accounts/", "/api/v1/accounts/acct_x",
		"/api/v1/accounts/acct_x/balance", "/api/v1/accounts/acct_x/balance/", "/api/v1/accounts/acct_x/../acct_y/balance",
		"/api/v1/accounts//balance", "/api/v1/accounts/a%2Fb/balance", "/api/v1/holds", "/api/v1/holds/", "/api/v1/holds/hold_x/settle",
		"/api/v1/demo", "/api/v1/demo/signup", "/api/v1/demo/signup/", "/apix",
	}
	methods := []string{"GET", "HEAD", "POST", "OPTIONS", "DELETE"}
	var out strings.Builder
	for _, setup := range []struct {
		name         string
		web, withLed bool
	}{{"bare", false, false}, {"web", true, false}, {"web+ledger", true, true}} {
		cfg := Config{MaxInFlight: -1}
		if setup.web {
			cfg.WebDir = makeWebDir(t)
		}
		if setup.withLed {
			l, err := ledger.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"), ledger.Options{})
			require.NoError(t, err)
			t.Cleanup(func() { l.Close() })
			cfg.Ledger = &LedgerConfig{Ledger: l, OperatorKey: testOperatorKey, MaxInFlight: -1}
		}
		s, err := New(cfg)
		require.NoError(t, err)
		ts := httptest.NewServer(s)
		t.Cleanup(ts.Close)
		addr := strings.TrimPrefix(ts.URL, "http://")
		for _, p := range paths {
			for _, m := range methods {
				fmt.Fprintf(&out, "%s %s %s\n%s\n", setup.name, m, p, rawExchange(t, addr, m+" "+p+" HTTP/1.1\r\nHost: x\r\nOrigin: http://o\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", m == "HEAD"))
			}
		}
		fmt.Fprintf(&out, "%s CONNECT\n%s\n", setup.name, rawExchange(t, addr, "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\nConnection: close\r\n\r\n", false))
	}
	path := filepath.Join("testdata", "routes.golden")
	if *updateGolden {
		require.NoError(t, os.WriteFile(path, []byte(out.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	wl, gl := strings.Split(string(want), "\n"), strings.Split(out.String(), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		w, g := "", ""
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		require.Equalf(t, w, g, "%s line %d", path, i+1)
	}
}

// rawExchange sends one raw request and returns the answer: status, the headers that do not
// change from run to run (sorted), and the body.
func rawExchange(t *testing.T, addr, request string, head bool) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(conn, request)
	require.NoError(t, err)
	method := "GET"
	if head {
		method = "HEAD"
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var keys []string
	for k := range resp.Header {
		if k != "Date" && k != "Etag" && k != "Last-Modified" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", resp.StatusCode)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(resp.Header[k], ", "))
	}
	if len(body) > 200 {
		body = append(body[:200:200], "…"...)
	}
	b.Write(body)
	return cardNames(b.String())
}

package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/internal/pgtest"
	"github.com/creditestimator/creditestimator/ledger"
)

const testOperatorKey = "op-key-for-tests-0123456789"

// ledgerPG is the package's throwaway PostgreSQL.
var ledgerPG pgtest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	ledgerPG.Stop()
	stripeMock.Stop()
	os.Exit(code)
}

type ledgerBackend struct {
	name string
	dsn  func(t *testing.T) string
}

var ledgerBackends = []ledgerBackend{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "ledger.db") }},
	{"postgres", func(t *testing.T) string { return ledgerPG.NewDatabase(t) }},
}

// ledgerServer is a test server with the ledger mounted.
type ledgerServer struct {
	t   *testing.T
	url string
	n   atomic.Int64
}

func newLedgerServer(t *testing.T, dsn string, card *estimator.RateCard, demo bool) *ledgerServer {
	// as the binary does: tokens derived from the operator key
	l, err := ledger.Open(context.Background(), dsn, ledger.Options{Card: card, TokenKey: []byte(testOperatorKey)})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	h, err := New(Config{Card: card, Ledger: &LedgerConfig{Ledger: l, OperatorKey: testOperatorKey, DemoSignup: demo, SignupsPerMinute: 3}})
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &ledgerServer{t: t, url: ts.URL}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), string(r.body))
	return m
}

func (s *ledgerServer) do(method, path, token, body string, hdr ...string) reply {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	require.NoError(s.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", fmt.Sprintf("key-%d", s.n.Add(1)))
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return reply{resp.StatusCode, resp.Header, b}
}

func (s *ledgerServer) account() (id, token string) {
	r := s.do("POST", "/api/v1/accounts", testOperatorKey, "")
	require.Equal(s.t, 201, r.status, string(r.body))
	m := r.json(s.t)
	return m["account"].(map[string]any)["id"].(string), m["token"].(string)
}

const oneCredit = `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10}}`

func TestLedgerHTTPFlow(t *testing.T) {
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			s := newLedgerServer(t, b.dsn(t), nil, true)
			id, tok := s.account()
			assert.True(t, strings.HasPrefix(tok, "cet_") && len(tok) >= 4+43, tok) // ≥ 256 random bits

			r := s.do("POST", "/api/v1/accounts/"+id+"/grants", testOperatorKey, `{"kind":"topup","credits":"1000"}`)
			require.Equal(t, 201, r.status, string(r.body))
			r = s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, `{"spec":{"resolution":"4k","fps":60,"durationSeconds":10},"queue":"fast"}`)
			require.Equal(t, 201, r.status, string(r.body))
			assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"), "CORS stays off for the ledger")
			hold := r.json(t)["hold"].(map[string]any)
			assert.Equal(t, "5.00", hold["credits"])
			r = s.do("POST", "/api/v1/holds/"+hold["id"].(string)+"/settle", tok, "")
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, "5.00", r.json(t)["charge"].(map[string]any)["credits"])

			r = s.do("GET", "/api/v1/accounts/"+id+"/balance", tok, "")
			require.Equal(t, 200, r.status)
			assert.Equal(t, "1095.00", r.json(t)["available"])

			r = s.do("GET", "/api/v1/accounts/"+id+"/entries", tok, "", "Accept", "text/csv")
			require.Equal(t, 200, r.status)
			assert.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
			lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
			assert.Equal(t, "seq,at,type,kind,bucket,hold,credits,available,held,memo", lines[0])
			assert.Len(t, lines, 5) // trial grant, top-up grant, hold, settle
			assert.Contains(t, lines[4], ",settle,trial,")
			assert.Contains(t, lines[4], ",5.00,0.00,-5.00,")

			r = s.do("GET", "/api/v1/accounts/"+id+"/entries?from=2000-01-01&to=2000-01-02", tok, "")
			require.Equal(t, 200, r.status)
			assert.Empty(t, r.json(t)["entries"])

			// idempotency over HTTP: same key, same body → same answer, marked; other body → 409
			body := oneCredit
			r1 := s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, body, "Idempotency-Key", "abc")
			r2 := s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, body, "Idempotency-Key", "abc")
			assert.Equal(t, string(r1.body), string(r2.body))
			assert.Equal(t, "true", r2.header.Get("Idempotent-Replayed"))
			r3 := s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, `{"spec":{"resolution":"720p","fps":30,"durationSeconds":10}}`, "Idempotency-Key", "abc")
			assert.Equal(t, 409, r3.status)
			assert.Equal(t, "idempotency_conflict", r3.json(t)["code"])
			// a retried account creation answers the first answer too, token included
			a1 := s.do("POST", "/api/v1/accounts", testOperatorKey, "", "Idempotency-Key", "new-account")
			a2 := s.do("POST", "/api/v1/accounts", testOperatorKey, "", "Idempotency-Key", "new-account")
			require.Equal(t, 201, a1.status, string(a1.body))
			assert.Equal(t, 201, a2.status)
			assert.Equal(t, string(a1.body), string(a2.body))
			assert.Equal(t, "true", a2.header.Get("Idempotent-Replayed"))
			newID := a1.json(t)["account"].(map[string]any)["id"].(string)
			assert.Equal(t, 200, s.do("GET", "/api/v1/accounts/"+newID+"/balance", a2.json(t)["token"].(string), "").status)

			// even in demo mode, an account the demo did not make buys nothing with its token
			r = s.do("POST", "/api/v1/accounts/"+id+"/grants", tok, `{"kind":"topup","credits":"100"}`)
			assert.Equal(t, 403, r.status)
			// a demo account buys a top-up (the simulated payment), never other grants
			d := s.do("POST", "/api/v1/demo/signup", "", "")
			require.Equal(t, 201, d.status, string(d.body))
			did, dtok := d.json(t)["account"].(map[string]any)["id"].(string), d.json(t)["token"].(string)
			r = s.do("POST", "/api/v1/accounts/"+did+"/grants", dtok, `{"kind":"topup","credits":"100"}`)
			assert.Equal(t, 201, r.status)
			r = s.do("POST", "/api/v1/accounts/"+did+"/grants", dtok, `{"kind":"adjustment","credits":"100","expires":"2099-01-01T00:00:00Z"}`)
			assert.Equal(t, 403, r.status)
		})
	}
}

func TestLedgerHTTPSecurity(t *testing.T) {
	s := newLedgerServer(t, filepath.Join(t.TempDir(), "l.db"), nil, false)
	id, tok := s.account()
	other, otherTok := s.account()
	r := s.do("POST", "/api/v1/accounts/"+other+"/holds", otherTok, oneCredit)
	require.Equal(t, 201, r.status)
	otherHold := r.json(t)["hold"].(map[string]any)["id"].(string)
	r = s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, oneCredit)
	require.Equal(t, 201, r.status)
	myHold := r.json(t)["hold"].(map[string]any)["id"].(string)

	routes := []struct{ method, path, body string }{
		{"POST", "/api/v1/accounts", ""},
		{"POST", "/api/v1/accounts/" + other + "/grants", `{"kind":"topup","credits":"5"}`},
		{"POST", "/api/v1/accounts/" + other + "/holds", oneCredit},
		{"GET", "/api/v1/accounts/" + other + "/balance", ""},
		{"GET", "/api/v1/accounts/" + other + "/entries", ""},
		{"POST", "/api/v1/holds/" + otherHold + "/settle", ""},
		{"POST", "/api/v1/holds/" + otherHold + "/release", ""},
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			// no credential, a wrong one, a malformed header: 401
			for _, auth := range []string{"", "Bearer ", "Bearer cet_guessed", "Basic " + testOperatorKey, "Bearer " + strings.Repeat("x", 300)} {
				r := s.do(rt.method, rt.path, "", rt.body, "Authorization", auth)
				assert.Equal(t, 401, r.status, auth)
				assert.Equal(t, "unauthorized", r.json(t)["code"])
			}
			// another account's token: 404 (or 403 where only the operator may act)
			r := s.do(rt.method, rt.path, tok, rt.body)
			if rt.path == "/api/v1/accounts" {
				assert.Equal(t, 403, r.status)
			} else {
				assert.Equal(t, 404, r.status, string(r.body))
				assert.Equal(t, "not_found", r.json(t)["code"])
			}
			if rt.method != "POST" {
				return
			}
			// oversized and malformed bodies, missing key, wrong media type (with the operator key)
			big := `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"` + strings.Repeat("a", 70<<10) + `"}}`
			r = s.do("POST", rt.path, testOperatorKey, big)
			assert.Equal(t, 413, r.status)
			assert.Equal(t, "request_too_large", r.json(t)["code"])
			for _, bad := range []string{`{`, `[1]`, `{"x":1}`, "{\"a\":\"\xff\"}", `{} {}`} {
				r = s.do("POST", rt.path, testOperatorKey, bad)
				assert.Contains(t, []int{400, 422}, r.status, bad+" → "+string(r.body))
				assert.NotEmpty(t, r.json(t)["code"])
			}
			r = s.do("POST", rt.path, testOperatorKey, rt.body, "Idempotency-Key", "")
			if rt.body != "" || !strings.Contains(rt.path, "/holds/") {
				assert.Equal(t, 400, r.status)
				assert.Equal(t, "missing_idempotency_key", r.json(t)["code"])
			}
			r = s.do("POST", rt.path, testOperatorKey, `{}`, "Content-Type", "text/plain")
			assert.Equal(t, 415, r.status)
		})
	}
	// guessed ids: 404 for the operator too, and nothing leaks about existence to a token
	for _, p := range []string{"/api/v1/accounts/acct_AAAAAAAAAAAAAAAAAAAAAA/balance", "/api/v1/accounts/" + strings.Repeat("a", 65) + "/balance",
		"/api/v1/accounts/../balance", "/api/v1/accounts/x%2Fy/balance", "/api/v1/accounts/" + id + "/nope"} {
		r := s.do("GET", p, testOperatorKey, "")
		assert.Equal(t, 404, r.status, p)
	}
	for _, p := range []string{"/api/v1/holds/hold_AAAAAAAAAAAAAAAAAAAAAA/settle", "/api/v1/holds/" + myHold + "/refund"} {
		r := s.do("POST", p, testOperatorKey, "")
		assert.Equal(t, 404, r.status, p)
	}
	// wrong methods, and no CORS preflight for the ledger
	r = s.do("DELETE", "/api/v1/accounts/"+id+"/balance", tok, "")
	assert.Equal(t, 405, r.status)
	r = s.do("OPTIONS", "/api/v1/accounts/"+id+"/holds", "", "", "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	assert.Equal(t, 405, r.status)
	assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"))
	// the demo sign-up is off here
	r = s.do("POST", "/api/v1/demo/signup", "", "")
	assert.Equal(t, 404, r.status)
	// entries' query is checked
	for _, q := range []string{"from=yesterday", "to=2026-13-01", "after=-1", "limit=0", "limit=1001"} {
		r := s.do("GET", "/api/v1/accounts/"+id+"/entries?"+q, tok, "")
		assert.Contains(t, []int{400, 422}, r.status, q)
	}
	// the operator key works for any account and my token for mine
	assert.Equal(t, 200, s.do("GET", "/api/v1/accounts/"+other+"/balance", testOperatorKey, "").status)
	assert.Equal(t, 200, s.do("POST", "/api/v1/holds/"+myHold+"/release", tok, "").status)
}

func TestLedgerDemoSignup(t *testing.T) {
	s := newLedgerServer(t, filepath.Join(t.TempDir(), "l.db"), nil, true)
	r := s.do("POST", "/api/v1/demo/signup", "", "", "Idempotency-Key", "signup-1")
	require.Equal(t, 201, r.status, string(r.body))
	m := r.json(t)
	id, tok := m["account"].(map[string]any)["id"].(string), m["token"].(string)
	assert.Equal(t, 200, s.do("GET", "/api/v1/accounts/"+id+"/balance", tok, "").status)
	// a sign-up never gets more than its own token: it cannot list or create others
	assert.Equal(t, 403, s.do("POST", "/api/v1/accounts", tok, "").status)
	// rate-limited per client: 3 a minute in this test
	codes := []int{}
	for i := 0; i < 4; i++ {
		codes = append(codes, s.do("POST", "/api/v1/demo/signup", "", "").status)
	}
	assert.Equal(t, []int{201, 201, 429, 429}, codes)
	// a retry of an answered sign-up is not a new one: the first answer, token included, even now
	again := s.do("POST", "/api/v1/demo/signup", "", "", "Idempotency-Key", "signup-1")
	assert.Equal(t, 201, again.status)
	assert.Equal(t, string(r.body), string(again.body))
	assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	// while a new key is still refused
	assert.Equal(t, 429, s.do("POST", "/api/v1/demo/signup", "", "", "Idempotency-Key", "signup-new").status)
}

func TestLedgerHTTPConcurrentHolds(t *testing.T) {
	card, err := estimator.ParseRateCard([]byte(strings.Replace(string(estimator.Default().JSON()), `"trial": { "credits": "100"`, `"trial": { "credits": "10"`, 1)))
	require.NoError(t, err)
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			s := newLedgerServer(t, b.dsn(t), card, false)
			id, tok := s.account()
			var wg sync.WaitGroup
			var mu sync.Mutex
			codes := map[int]int{}
			for i := 0; i < 64; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, oneCredit)
					mu.Lock()
					codes[r.status]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			assert.Equal(t, map[int]int{201: 10, 402: 54}, codes)
			r := s.do("GET", "/api/v1/accounts/"+id+"/balance", tok, "")
			assert.Equal(t, "0.00", r.json(t)["available"])
			assert.Equal(t, "10.00", r.json(t)["held"])
		})
	}
}

func TestLedgerInfo(t *testing.T) {
	h, err := New(Config{})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/ledger", nil))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"ledger":false,"demoSignup":false}`, rec.Body.String())
	s := newLedgerServer(t, filepath.Join(t.TempDir(), "l.db"), nil, true)
	r := s.do("GET", "/api/v1/ledger", "", "")
	assert.Equal(t, 200, r.status)
	assert.JSONEq(t, `{"ledger":true,"demoSignup":true,"holdTtlSeconds":3600}`, string(r.body))
}

// Safe by default: without demo mode there is no sign-up and no token grants anything.
func TestLedgerSafeByDefault(t *testing.T) {
	s := newLedgerServer(t, filepath.Join(t.TempDir(), "l.db"), nil, false)
	r := s.do("POST", "/api/v1/demo/signup", "", "")
	assert.Equal(t, 404, r.status)
	assert.Equal(t, "not_found", r.json(t)["code"])
	id, tok := s.account()
	for _, body := range []string{`{"kind":"topup","credits":"10000"}`, `{"kind":"plan","plan":"basic","periodStart":"2026-12-01"}`} {
		r = s.do("POST", "/api/v1/accounts/"+id+"/grants", tok, body)
		assert.Equal(t, 403, r.status, body)
		assert.Equal(t, "forbidden", r.json(t)["code"])
	}
	assert.Equal(t, "100.00", s.do("GET", "/api/v1/accounts/"+id+"/balance", tok, "").json(t)["available"])
	// the operator still grants
	assert.Equal(t, 201, s.do("POST", "/api/v1/accounts/"+id+"/grants", testOperatorKey, `{"kind":"topup","credits":"100"}`).status)
	info := s.do("GET", "/api/v1/ledger", "", "")
	assert.Equal(t, false, info.json(t)["demoSignup"])
}

func TestLedgerHTTPMoney(t *testing.T) {
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			s := newLedgerServer(t, b.dsn(t), nil, false)
			id, tok := s.account()
			g := s.do("POST", "/api/v1/accounts/"+id+"/grants", testOperatorKey, `{"kind":"topup","credits":"100"}`)
			require.Equal(t, 201, g.status)
			top := g.json(t)["buckets"].([]any)[0].(map[string]any)["id"].(string)

			// a hold with its own TTL, bounded by the server's maximum (24 h by default)
			h := s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"count":4},"ttlSeconds":7200}`)
			require.Equal(t, 201, h.status, string(h.body))
			hold := h.json(t)["hold"].(map[string]any)
			created, _ := time.Parse(time.RFC3339Nano, hold["created"].(string))
			expires, _ := time.Parse(time.RFC3339Nano, hold["expires"].(string))
			assert.Equal(t, 2*time.Hour, expires.Sub(created))
			r := s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10},"ttlSeconds":86401}`)
			assert.Equal(t, 422, r.status)
			assert.Equal(t, "ttlSeconds", r.json(t)["field"])
			hid := hold["id"].(string)
			x := s.do("POST", "/api/v1/holds/"+hid+"/extend", tok, `{"ttlSeconds":36000}`)
			require.Equal(t, 200, x.status, string(x.body))
			assert.Equal(t, hid, x.json(t)["hold"].(map[string]any)["id"])
			assert.Equal(t, 400, s.do("POST", "/api/v1/holds/"+hid+"/extend", tok, `{"ttl":5}`).status)

			// 3 of 4 videos delivered: 3 charged, 1 back
			c := s.do("POST", "/api/v1/holds/"+hid+"/settle", tok, `{"count":3}`)
			require.Equal(t, 200, c.status, string(c.body))
			assert.Equal(t, "3.00", c.json(t)["charge"].(map[string]any)["credits"])
			assert.Equal(t, "1.00", c.json(t)["returned"].(map[string]any)["credits"])
			assert.Equal(t, "197.00", s.do("GET", "/api/v1/accounts/"+id+"/balance", tok, "").json(t)["available"])
			assert.Equal(t, 400, s.do("POST", "/api/v1/holds/"+hid+"/settle", tok, `{"count":"3"}`).status)

			// operator reversals; a token may not
			assert.Equal(t, 403, s.do("POST", "/api/v1/accounts/"+id+"/debits", tok, `{"credits":"1","reason":"correction","actor":"me"}`).status)
			assert.Equal(t, 403, s.do("POST", "/api/v1/accounts/"+id+"/buckets/"+top+"/void", tok, `{"reason":"refund","actor":"me"}`).status)
			d := s.do("POST", "/api/v1/accounts/"+id+"/debits", testOperatorKey, `{"credits":"500","reason":"correction","actor":"ops:bob"}`)
			assert.Equal(t, 409, d.status)
			assert.Equal(t, "insufficient_balance", d.json(t)["code"])
			d = s.do("POST", "/api/v1/accounts/"+id+"/debits", testOperatorKey, `{"credits":"7","reason":"correction","actor":"ops:bob","memo":"duplicate"}`)
			require.Equal(t, 201, d.status, string(d.body))
			v := s.do("POST", "/api/v1/accounts/"+id+"/buckets/"+top+"/void", testOperatorKey, `{"reason":"refund","actor":"ops:bob"}`)
			require.Equal(t, 200, v.status, string(v.body))
			assert.Equal(t, "100.00", v.json(t)["voided"])
			assert.Equal(t, 409, s.do("POST", "/api/v1/accounts/"+id+"/buckets/"+top+"/void", testOperatorKey, `{"reason":"refund","actor":"ops:bob"}`).status)
			assert.Equal(t, 404, s.do("POST", "/api/v1/accounts/"+id+"/buckets/bkt_none/void", testOperatorKey, `{"reason":"refund","actor":"ops:bob"}`).status)
			assert.Equal(t, "90.00", s.do("GET", "/api/v1/accounts/"+id+"/balance", tok, "").json(t)["available"])
			st := s.do("GET", "/api/v1/accounts/"+id+"/entries", tok, "")
			assert.Contains(t, string(st.body), `"type":"void","kind":"topup"`)
			assert.Contains(t, string(st.body), `"reason":"correction","actor":"ops:bob"`)
		})
	}
}

// Every new call answers a retry with its Idempotency-Key byte for byte, marked, on both
// databases: partial charges, extensions, voids, debits.
func TestLedgerMoneyReplays(t *testing.T) {
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			s := newLedgerServer(t, b.dsn(t), nil, false)
			id, tok := s.account()
			g := s.do("POST", "/api/v1/accounts/"+id+"/grants", testOperatorKey, `{"kind":"topup","credits":"100"}`)
			require.Equal(t, 201, g.status)
			top := g.json(t)["buckets"].([]any)[0].(map[string]any)["id"].(string)
			hold := func() string {
				h := s.do("POST", "/api/v1/accounts/"+id+"/holds", tok, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"count":4},"ttlSeconds":600}`)
				require.Equal(t, 201, h.status, string(h.body))
				return h.json(t)["hold"].(map[string]any)["id"].(string)
			}
			h1, h2 := hold(), hold()
			for i, c := range []struct{ path, token, body, other string }{
				{"/api/v1/holds/" + h1 + "/extend", tok, `{"ttlSeconds":3600}`, `{"ttlSeconds":60}`},
				{"/api/v1/holds/" + h1 + "/settle", tok, `{"count":3}`, `{"count":2}`},
				{"/api/v1/holds/" + h2 + "/settle", tok, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":5,"count":4}}`, `{}`},
				{"/api/v1/accounts/" + id + "/debits", testOperatorKey, `{"credits":"2","reason":"correction","actor":"ops"}`, `{"credits":"3","reason":"correction","actor":"ops"}`},
				{"/api/v1/accounts/" + id + "/buckets/" + top + "/void", testOperatorKey, `{"reason":"refund","actor":"ops","memo":"m"}`, `{"reason":"refund","actor":"ops"}`},
				{"/api/v1/accounts/" + id + "/debits", testOperatorKey, `{"credits":"5000","reason":"correction","actor":"ops"}`, `{"credits":"5001","reason":"correction","actor":"ops"}`}, // refused: replayed too
			} {
				key := fmt.Sprintf("money-replay-%d", i)
				first := s.do("POST", c.path, c.token, c.body, "Idempotency-Key", key)
				again := s.do("POST", c.path, c.token, c.body, "Idempotency-Key", key)
				assert.Equal(t, first.status, again.status, c.path)
				assert.Equal(t, string(first.body), string(again.body), c.path)
				assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"), c.path)
				assert.Less(t, first.status, 500, c.path)
				other := s.do("POST", c.path, c.token, c.other, "Idempotency-Key", key)
				assert.Equal(t, 409, other.status, c.path)
				assert.Equal(t, "idempotency_conflict", other.json(t)["code"], c.path)
			}
		})
	}
}

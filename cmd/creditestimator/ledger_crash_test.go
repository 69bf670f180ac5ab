package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/creditestimator/creditestimator/internal/pgtest"
	"github.com/creditestimator/creditestimator/internal/stripetest"
	"github.com/creditestimator/creditestimator/ledger"
)

const crashKey = "crash-test-operator-key-0123456789"

// ledgerProc is the real binary serving a ledger.
type ledgerProc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	errb *lockedBuffer
}

// crashWebhookSecret signs the webhooks the crash test delivers (Stripe's API itself is never
// called: STRIPE_API_BASE points nowhere).
const crashWebhookSecret = "whsec_crash_test_secret"

func startLedgerProc(t *testing.T, dsn, keyFile string) *ledgerProc {
	t.Helper()
	return startLedgerProcWith(t, dsn, keyFile, []string{"STRIPE_SECRET_KEY=sk_test_crash", "STRIPE_WEBHOOK_SECRET=" + crashWebhookSecret,
		"STRIPE_API_BASE=http://127.0.0.1:9"})
}

// startLedgerProcWith starts the binary with extra environment variables and flags.
func startLedgerProcWith(t *testing.T, dsn, keyFile string, env []string, args ...string) *ledgerProc {
	t.Helper()
	p := &ledgerProc{done: make(chan struct{}), errb: &lockedBuffer{}}
	p.cmd = exec.Command(buildBinary(t), append([]string{"-addr", "127.0.0.1:0", "-web", "", "-ledger-db", dsn, "-operator-key-file", keyFile}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "PORT=", "ADDR=", "LEDGER_DB=", "LEDGER_OPERATOR_KEY=",
		"STRIPE_SECRET_KEY=", "STRIPE_WEBHOOK_SECRET=", "STRIPE_API_BASE="), env...)
	p.cmd.Stderr = p.errb
	out, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); <-p.done })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				line <- strings.TrimSuffix(u, "/")
			}
		}
	}()
	select {
	case p.url = <-line:
	case <-p.done:
		require.Failf(t, "server exited", "%s", p.errb.String())
	case <-time.After(30 * time.Second):
		require.Failf(t, "server did not start", "%s", p.errb.String())
	}
	return p
}

type crashClient struct {
	url string
	hc  *http.Client
}

// post sends one call; ok is false when no answer arrived (the server died).
func (c crashClient) post(path, key, body string) (int, map[string]any, bool) {
	req, _ := http.NewRequest("POST", c.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashKey)
	req.Header.Set("Idempotency-Key", key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, false
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m, true
}

// webhook delivers a checkout.session.completed for a top-up of 100 credits, signed now as
// Stripe signs; ok is false when no answer arrived.
func (c crashClient) webhook(account, session string) (int, bool) {
	payload, _ := json.Marshal(map[string]any{"id": "evt_" + session, "object": "event", "type": "checkout.session.completed",
		"data": map[string]any{"object": map[string]any{"id": session, "object": "checkout.session", "mode": "payment",
			"payment_status": "paid", "payment_intent": "pi_" + session,
			"metadata": map[string]string{"account": account, "kind": "topup", "credits": "100"}}}})
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: crashWebhookSecret, Timestamp: time.Now()})
	req, _ := http.NewRequest("POST", c.url+"/api/v1/stripe/webhook", strings.NewReader(string(payload)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", signed.Header)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		return 0, false
	}
	return resp.StatusCode, true
}

func (c crashClient) entries(t *testing.T, account string) []map[string]any {
	var all []map[string]any
	after := "0"
	for {
		req, _ := http.NewRequest("GET", c.url+"/api/v1/accounts/"+account+"/entries?after="+after, nil)
		req.Header.Set("Authorization", "Bearer "+crashKey)
		resp, err := c.hc.Do(req)
		require.NoError(t, err)
		var st struct {
			Entries []map[string]any `json:"entries"`
			Next    *int64           `json:"next"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
		resp.Body.Close()
		all = append(all, st.Entries...)
		if st.Next == nil {
			return all
		}
		after = strconv.FormatInt(*st.Next, 10)
	}
}

// TestLedgerSurvivesSIGKILL kills the real server during a stream of holds and settles, starts
// it again on the same database, and checks that every acknowledged operation is there exactly
// once (retrying the unacknowledged ones with their keys never doubles anything) and that
// reconcile is clean.
func TestLedgerSurvivesSIGKILL(t *testing.T) {
	type db struct {
		name string
		dsn  func(t *testing.T) string
	}
	for _, d := range []db{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "ledger.db") }},
		{"postgres", func(t *testing.T) string {
			srv, err := pgtest.Start(true) // fsync on: this test is about durability
			if err != nil {
				if pgtest.InCI() {
					require.Failf(t, "PostgreSQL is required in CI", "%v", err)
				}
				t.Skipf("PostgreSQL unavailable: %v", err)
			}
			t.Cleanup(srv.Stop)
			return srv.URL()
		}},
	} {
		t.Run(d.name, func(t *testing.T) { crashOnce(t, d.dsn(t)) })
	}
}

func crashOnce(t *testing.T, dsn string) {
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(crashKey+"\n"), 0o600))
	p := startLedgerProc(t, dsn, keyFile)
	c := crashClient{url: p.url, hc: &http.Client{Timeout: 20 * time.Second}}
	st, m, ok := c.post("/api/v1/accounts", "acct", "")
	require.True(t, ok)
	require.Equal(t, 201, st)
	account := m["account"].(map[string]any)["id"].(string)
	token, _ := m["token"].(string)
	require.NotEmpty(t, token)
	st, _, _ = c.post("/api/v1/accounts/"+account+"/grants", "grant", `{"kind":"topup","credits":"100000"}`)
	require.Equal(t, 201, st)

	type op struct {
		key, kind, hold string // kind: hold or settle
		acked           bool
	}
	var mu sync.Mutex
	var ops []*op
	var acks atomic.Int64
	const workers = 8
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				h := &op{key: fmt.Sprintf("h-%d-%d", w, i), kind: "hold"}
				mu.Lock()
				ops = append(ops, h)
				mu.Unlock()
				st, m, ok := c.post("/api/v1/accounts/"+account+"/holds", h.key, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10}}`)
				if !ok {
					return
				}
				if st != 201 {
					assert.Failf(t, "hold", "%d %v", st, m) // a worker goroutine: assert, never require
					return
				}
				mu.Lock()
				h.acked, h.hold = true, m["hold"].(map[string]any)["id"].(string)
				mu.Unlock()
				acks.Add(1)
				if i%2 == 1 { // every other hold stays open
					continue
				}
				s := &op{key: fmt.Sprintf("s-%d-%d", w, i), kind: "settle", hold: h.hold}
				mu.Lock()
				ops = append(ops, s)
				mu.Unlock()
				st, _, ok = c.post("/api/v1/holds/"+h.hold+"/settle", s.key, "")
				if !ok {
					return
				}
				if st != 200 {
					assert.Failf(t, "settle", "%d", st)
					return
				}
				mu.Lock()
				s.acked = true
				mu.Unlock()
				acks.Add(1)
			}
		}()
	}
	// Webhooks in flight: Stripe delivering top-ups while the server is killed.
	type delivery struct {
		session string
		acked   bool
	}
	var deliveries []*delivery
	const hookWorkers = 2
	for w := 0; w < hookWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				d := &delivery{session: fmt.Sprintf("cs_crash_%d_%d", w, i)}
				mu.Lock()
				deliveries = append(deliveries, d)
				mu.Unlock()
				st, ok := c.webhook(account, d.session)
				if !ok {
					return
				}
				if st != 200 {
					assert.Failf(t, "webhook", "%d", st)
					return
				}
				mu.Lock()
				d.acked = true
				mu.Unlock()
			}
		}()
	}
	stopped := make(chan struct{}) // every worker gave up (an error, reported above)
	go func() { wg.Wait(); close(stopped) }()
	for acks.Load() < 150 {
		select {
		case <-stopped:
			require.Failf(t, "the workers stopped", "after %d acknowledged operations", acks.Load())
		case <-time.After(5 * time.Millisecond):
		}
	}
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	<-p.done
	wg.Wait()

	p2 := startLedgerProc(t, dsn, keyFile)
	c.url = p2.url
	holdEntries, settleEntries, topUps := map[string]int{}, map[string]int{}, map[string]int{}
	count := func() {
		clear(holdEntries)
		clear(settleEntries)
		clear(topUps)
		for _, e := range c.entries(t, account) {
			switch e["type"] {
			case "hold":
				holdEntries[e["hold"].(string)]++
			case "settle":
				settleEntries[e["hold"].(string)]++
			case "grant":
				if memo, _ := e["memo"].(string); strings.Contains(memo, "(stripe:") {
					topUps[memo[strings.Index(memo, "(stripe:")+8:len(memo)-1]]++
				}
			}
		}
	}
	count()
	acked := 0
	for _, o := range ops {
		if !o.acked {
			continue
		}
		acked++
		if o.kind == "hold" {
			assert.Equal(t, 1, holdEntries[o.hold], "acknowledged hold %s", o.hold)
		} else {
			assert.Equal(t, 1, settleEntries[o.hold], "acknowledged settle of %s", o.hold)
		}
	}
	ackedHooks := 0
	for _, d := range deliveries {
		if d.acked {
			ackedHooks++
			assert.Equal(t, 1, topUps[d.session], "acknowledged webhook %s", d.session)
		}
	}
	assert.LessOrEqual(t, len(topUps), ackedHooks+hookWorkers)
	t.Logf("%d acknowledged operations and %d webhooks before SIGKILL, %d holds in the ledger", acked, ackedHooks, len(holdEntries))
	require.GreaterOrEqual(t, acked, 150)
	// at most one unacknowledged hold per worker may have committed before the kill
	assert.LessOrEqual(t, int64(len(holdEntries)), acks.Load()+workers)

	// retry every operation again with its key: nothing doubles, the unacknowledged complete once
	for _, o := range ops {
		path := "/api/v1/accounts/" + account + "/holds"
		body := `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10}}`
		if o.kind == "settle" {
			path, body = "/api/v1/holds/"+o.hold+"/settle", ""
		}
		st, m, ok := c.post(path, o.key, body)
		require.True(t, ok)
		if o.kind == "hold" {
			require.Equal(t, 201, st, "%v", m)
			id := m["hold"].(map[string]any)["id"].(string)
			if o.acked {
				assert.Equal(t, o.hold, id, "a retried hold answers with the first hold")
			}
		} else {
			require.Equal(t, 200, st)
		}
	}
	// Stripe retries every webhook: each top-up is granted exactly once
	for _, d := range deliveries {
		st, ok := c.webhook(account, d.session)
		require.True(t, ok)
		require.Equal(t, 200, st)
	}
	// the account's creation too, after the restart: the same account and the same token
	st, m, ok = c.post("/api/v1/accounts", "acct", "")
	require.True(t, ok)
	assert.Equal(t, 201, st)
	assert.Equal(t, account, m["account"].(map[string]any)["id"])
	assert.Equal(t, token, m["token"], "a retried creation answers the token derived from the operator key again")
	before := len(holdEntries)
	count()
	assert.LessOrEqual(t, len(holdEntries), before+workers)
	for h, n := range holdEntries {
		assert.Equal(t, 1, n, h)
	}
	for h, n := range settleEntries {
		assert.Equal(t, 1, n, h)
	}
	assert.Len(t, topUps, len(deliveries))
	for s, n := range topUps {
		assert.Equal(t, 1, n, s)
	}
	var bal map[string]any
	req, _ := http.NewRequest("GET", c.url+"/api/v1/accounts/"+account+"/balance", nil)
	req.Header.Set("Authorization", "Bearer "+crashKey)
	resp, err := c.hc.Do(req)
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&bal))
	resp.Body.Close()
	used := len(holdEntries)
	assert.Equal(t, fmt.Sprintf("%d.00", 100100-used+100*len(deliveries)), bal["available"]) // trial 100 + top-up 100000 + the webhooks' top-ups

	require.NoError(t, p2.cmd.Process.Signal(syscall.SIGTERM))
	<-p2.done
	l, err := ledger.Open(context.Background(), dsn, ledger.Options{})
	require.NoError(t, err)
	defer l.Close()
	rep, err := l.Reconcile(context.Background())
	require.NoError(t, err)
	assert.Empty(t, rep.Problems)
	assert.Equal(t, int64(used), rep.Holds)
}

// TestBinarySafeByDefault: the binary serves no demo unless started with -demo, and even then an
// account token buys top-ups only for accounts the demo made.
func TestBinarySafeByDefault(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(crashKey+"\n"), 0o600))
	dsn := filepath.Join(t.TempDir(), "ledger.db")
	hc := &http.Client{Timeout: 20 * time.Second}
	call := func(url, path, token, key, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", url+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Idempotency-Key", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	p := startLedgerProcWith(t, dsn, keyFile, nil)
	st, _ := call(p.url, "/api/v1/demo/signup", "", "s1", "")
	assert.Equal(t, 404, st)
	st, m := call(p.url, "/api/v1/accounts", crashKey, "a1", "")
	require.Equal(t, 201, st)
	id, tok := m["account"].(map[string]any)["id"].(string), m["token"].(string)
	st, _ = call(p.url, "/api/v1/accounts/"+id+"/grants", tok, "g1", `{"kind":"topup","credits":"10000"}`)
	assert.Equal(t, 403, st)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	<-p.done

	p = startLedgerProcWith(t, dsn, keyFile, nil, "-demo")
	st, _ = call(p.url, "/api/v1/accounts/"+id+"/grants", tok, "g2", `{"kind":"topup","credits":"10000"}`)
	assert.Equal(t, 403, st, "not an account the demo made")
	st, m = call(p.url, "/api/v1/demo/signup", "", "s2", "")
	require.Equal(t, 201, st)
	did, dtok := m["account"].(map[string]any)["id"].(string), m["token"].(string)
	st, _ = call(p.url, "/api/v1/accounts/"+did+"/grants", dtok, "g3", `{"kind":"topup","credits":"100"}`)
	assert.Equal(t, 201, st)
}

// stripeMock is the package's stripe-mock, started on first use.
var stripeMock stripetest.Shared

// TestBinaryStripeCheckout: the binary configured by STRIPE_* creates Checkout Sessions (on
// stripe-mock) and says so to the page; with only one of the two secrets it refuses to start.
func TestBinaryStripeCheckout(t *testing.T) {
	mock := stripeMock.URL(t)
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(crashKey+"\n"), 0o600))
	dsn := filepath.Join(t.TempDir(), "ledger.db")
	p := startLedgerProcWith(t, dsn, keyFile, []string{"STRIPE_SECRET_KEY=sk_test_123", "STRIPE_WEBHOOK_SECRET=whsec_x", "STRIPE_API_BASE=" + mock}, "-demo")
	c := crashClient{url: p.url, hc: &http.Client{Timeout: 20 * time.Second}}
	st, m, ok := c.post("/api/v1/accounts", "acct", "")
	require.True(t, ok)
	require.Equal(t, 201, st)
	account := m["account"].(map[string]any)["id"].(string)
	st, m, ok = c.post("/api/v1/accounts/"+account+"/checkout", "co-1", `{"credits":"750"}`)
	require.True(t, ok)
	require.Equal(t, 201, st, "%v", m)
	assert.NotEmpty(t, m["url"])
	resp, err := c.hc.Get(p.url + "/api/v1/ledger")
	require.NoError(t, err)
	var info map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
	resp.Body.Close()
	assert.Equal(t, true, info["checkout"])
	assert.Equal(t, true, info["demoSignup"])

	cmd := exec.Command(buildBinary(t), "-addr", "127.0.0.1:0", "-web", "", "-ledger-db", filepath.Join(t.TempDir(), "l.db"), "-operator-key-file", keyFile)
	cmd.Env = append(os.Environ(), "STRIPE_SECRET_KEY=sk_test_123", "STRIPE_WEBHOOK_SECRET=")
	out, err := cmd.CombinedOutput()
	assert.Error(t, err)
	assert.Contains(t, string(out), "STRIPE_WEBHOOK_SECRET")
}

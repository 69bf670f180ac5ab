package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/ledger"
)

// The spec's reference vector (standard-webhooks libraries, every language's tests).
func TestStandardWebhooksReferenceVector(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	payload := []byte(`{"test": 2432232314}`)
	ts := time.Unix(1614265330, 0)
	const want = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	sig, err := wh.Sign(id, ts, payload)
	require.NoError(t, err)
	assert.Equal(t, want, sig)
	assert.Equal(t, want, specSignature(t, secret, id, "1614265330", payload), "the spec, written out")
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,bad v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	assert.NoError(t, wh.VerifyIgnoringTimestamp(payload, h), "one of several signatures")
	h.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLawdd")
	assert.Error(t, wh.VerifyIgnoringTimestamp(payload, h))
}

// specSignature is the spec's signature written out: v1, base64 of HMAC-SHA256 over
// "id.timestamp.body" with the secret's base64-decoded key.
func specSignature(t *testing.T, secret, id, ts string, body []byte) string {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	require.NoError(t, err)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// receiver is a webhook endpoint in the test: it records what arrives and can be switched to
// answer 500, to hang, or be down (its listener closed).
type receiver struct {
	t      *testing.T
	secret string
	addr   string
	srv    *httptest.Server
	mode   atomic.Int32 // 0 ok, 1 answers 500, 2 hangs until the client gives up
	hits   [4]atomic.Int32
	mu     sync.Mutex
	got    []received
	bad    []string
}

type received struct {
	id, ts string
	body   []byte
}

const (
	recvOK = iota
	recv500
	recvHang
	recvRedirect
)

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.addr = r.srv.Listener.Addr().String()
	t.Cleanup(func() { r.srv.Close() })
	return r
}

func (r *receiver) url() string { return "http://" + r.addr + "/hook" }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.hits[r.mode.Load()].Add(1)
	switch r.mode.Load() {
	case recv500:
		w.WriteHeader(500)
		return
	case recvHang:
		<-req.Context().Done()
		return
	case recvRedirect:
		http.Redirect(w, req, "/elsewhere", http.StatusFound)
		return
	}
	wh, err := standardwebhooks.NewWebhook(r.secret)
	if err == nil {
		err = wh.VerifyIgnoringTimestamp(body, req.Header) // the clock is simulated
	}
	id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.bad = append(r.bad, err.Error())
		w.WriteHeader(400)
		return
	}
	if sig := req.Header.Get("webhook-signature"); sig != specSignature(r.t, r.secret, id, ts, body) {
		r.bad = append(r.bad, "signature differs from the spec's: "+sig)
	}
	r.got = append(r.got, received{id, ts, body})
	w.WriteHeader(204)
}

// down closes the listener (connections refused); up listens on the same address again.
func (r *receiver) down() { r.srv.Close() }
func (r *receiver) up() {
	ln, err := net.Listen("tcp", r.addr)
	require.NoError(r.t, err)
	r.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(r.serve)}}
	r.srv.Start()
}

// byAccount groups what arrived by account, in arrival order, keeping the first of duplicates;
// it returns the number of duplicates.
func (r *receiver) byAccount() (map[string][]string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]bool{}
	out := map[string][]string{}
	dups := 0
	for _, g := range r.got {
		if seen[g.id] {
			dups++
			continue
		}
		seen[g.id] = true
		var ev struct {
			Data struct {
				Account string `json:"account"`
			} `json:"data"`
		}
		if err := json.Unmarshal(g.body, &ev); err != nil {
			panic(err)
		}
		out[ev.Data.Account] = append(out[ev.Data.Account], string(g.body))
	}
	return out, dups
}

// hookEnv is a ledger on a simulated clock with the HTTP API and a dispatcher.
type hookEnv struct {
	t     *testing.T
	l     *ledger.Ledger
	s     *ledgerServer
	now   atomic.Int64
	disp  *Dispatcher
	recv  *receiver
	accts []string
}

func newHookEnv(t *testing.T, dsn string) *hookEnv {
	e := &hookEnv{t: t}
	e.now.Store(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMicro())
	l, err := ledger.Open(context.Background(), dsn, ledger.Options{TokenKey: []byte(testOperatorKey), ExpiringLead: 3 * 24 * time.Hour,
		Now: func() time.Time { return time.UnixMicro(e.now.Load()) }})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	e.l = l
	h, err := New(Config{Ledger: &LedgerConfig{Ledger: l, OperatorKey: testOperatorKey}})
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	e.s = &ledgerServer{t: t, url: ts.URL}
	e.recv = newReceiver(t)
	r := e.s.do("POST", "/api/v1/webhooks/endpoints", testOperatorKey, `{"url":"`+e.recv.url()+`"}`)
	require.Equal(t, 201, r.status, string(r.body))
	e.recv.secret = r.json(t)["secret"].(string)
	require.True(t, strings.HasPrefix(e.recv.secret, "whsec_"))
	e.disp = &Dispatcher{Ledger: l, Worker: "test", Client: &http.Client{Timeout: 200 * time.Millisecond}, Lease: time.Minute}
	return e
}

func (e *hookEnv) advance(d time.Duration) { e.now.Add(d.Microseconds()) }

// deliverAll runs rounds until one finds nothing due, and returns what they did.
func (e *hookEnv) deliverAll() Round {
	var sum Round
	for i := 0; ; i++ {
		require.Less(e.t, i, 1000)
		r, err := e.disp.RunOnce(context.Background())
		require.NoError(e.t, err)
		sum.Delivered += r.Delivered
		sum.Failed += r.Failed
		sum.Dead += r.Dead
		if r.Delivered+r.Failed+r.Dead == 0 {
			return sum
		}
	}
}

// month scripts a month of two accounts over HTTP on the simulated clock; step runs after
// every day.
func (e *hookEnv) month(step func(day int)) {
	s := e.s
	a, _ := s.account()
	b, tokB := s.account()
	e.accts = []string{a, b}
	r := s.do("PUT", "/api/v1/accounts/"+a+"/low-balance", testOperatorKey, `{"credits":"450"}`)
	require.Equal(e.t, 200, r.status, string(r.body))
	r = s.do("POST", "/api/v1/accounts/"+a+"/grants", testOperatorKey, `{"kind":"plan","plan":"basic","periodStart":"2026-11-01"}`)
	require.Equal(e.t, 201, r.status, string(r.body))
	r = s.do("POST", "/api/v1/accounts/"+b+"/grants", testOperatorKey, `{"kind":"topup","credits":"100"}`)
	require.Equal(e.t, 201, r.status, string(r.body))
	for day := 1; day <= 31; day++ {
		for _, acct := range []string{a, b} {
			tok := testOperatorKey
			if acct == b {
				tok = tokB
			}
			r := s.do("POST", "/api/v1/accounts/"+acct+"/holds", tok, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"count":3,"prompt":"`+hookPrompt+`"}}`)
			if r.status == 402 {
				continue
			}
			require.Equal(e.t, 201, r.status, string(r.body))
			hold := r.json(e.t)["hold"].(map[string]any)["id"].(string)
			switch day % 4 {
			case 0:
				require.Equal(e.t, 200, s.do("POST", "/api/v1/holds/"+hold+"/release", tok, "").status)
			case 1, 2:
				require.Equal(e.t, 200, s.do("POST", "/api/v1/holds/"+hold+"/settle", tok, "").status)
			}
			// day % 4 == 3: left open, released automatically after its hour
		}
		e.advance(24 * time.Hour)
		_, err := e.l.Sweep(context.Background())
		require.NoError(e.t, err)
		step(day)
	}
}

// hookPrompt is in every hold of the scripted month: no event may carry it.
const hookPrompt = "Zq7hook gentle ripples on a calm lake"

// check asserts that every event of every account arrived exactly as recorded, in order, and
// that none carries prompt text.
func (e *hookEnv) check() (dups int) {
	e.recv.mu.Lock()
	for _, g := range e.recv.got {
		assert.NotContains(e.t, string(g.body), "Zq7hook")
	}
	e.recv.mu.Unlock()
	got, dups := e.recv.byAccount()
	e.recv.mu.Lock()
	assert.Empty(e.t, e.recv.bad)
	e.recv.mu.Unlock()
	types := map[string]bool{}
	for _, acct := range e.accts {
		evs, err := e.l.Events(context.Background(), acct, 0, 0)
		require.NoError(e.t, err)
		want := []string{}
		for _, ev := range evs {
			want = append(want, string(EventJSON(ev)))
			types[ev.Type] = true
		}
		assert.Equal(e.t, want, got[acct], "account %s: every event, as recorded, in order", acct)
	}
	for _, typ := range []string{ledger.EventGrantCreated, ledger.EventHoldSettled, ledger.EventHoldReleased, ledger.EventHoldAutoReleased,
		ledger.EventCreditsExpiring, ledger.EventCreditsExpired, ledger.EventBalanceLow} {
		assert.True(e.t, types[typ], "the month has a %s", typ)
	}
	return dups
}

func TestWebhooksDeliverAScriptedMonth(t *testing.T) {
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			e := newHookEnv(t, b.dsn(t))
			e.month(func(int) { e.deliverAll() })
			e.advance(3 * 24 * time.Hour)
			_, err := e.l.Sweep(context.Background())
			require.NoError(t, err)
			e.deliverAll()
			assert.Equal(t, 0, e.check())
			// Timestamps are the (simulated) sending instant; ids are the events'.
			e.recv.mu.Lock()
			last := e.recv.got[len(e.recv.got)-1]
			e.recv.mu.Unlock()
			sent, err := strconv.ParseInt(last.ts, 10, 64)
			require.NoError(t, err)
			assert.True(t, sent >= time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Unix() && sent <= e.l.Now().Unix(), "the simulated sending instant")
			assert.True(t, strings.HasPrefix(last.id, "evt_"))
			assert.NotContains(t, string(last.body), "prompt")
			assert.NotEmpty(t, e.recv.got)
			// The history says so.
			eps := e.s.do("GET", "/api/v1/webhooks/endpoints", testOperatorKey, "")
			require.Equal(t, 200, eps.status)
			ep := eps.json(t)["endpoints"].([]any)[0].(map[string]any)["id"].(string)
			hist := e.s.do("GET", "/api/v1/webhooks/endpoints/"+ep+"/deliveries?state=delivered&limit=2", testOperatorKey, "")
			require.Equal(t, 200, hist.status, string(hist.body))
			ds := hist.json(t)["deliveries"].([]any)
			require.Len(t, ds, 2)
			d0 := ds[0].(map[string]any)
			assert.Equal(t, "delivered", d0["state"])
			assert.Equal(t, float64(204), d0["history"].([]any)[0].(map[string]any)["code"])
			assert.NotNil(t, hist.json(t)["next"])
		})
	}
}

// The receiver is down for two days of simulated time, then answers 500 for a day, then hangs
// for a day; when it is back everything arrives, in order, and nothing is dead (the policy
// retries for a week here).
func TestWebhooksSurviveADownReceiver(t *testing.T) {
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			e := newHookEnv(t, b.dsn(t))
			e.disp.Retry = ledger.RetryPolicy{Base: 30 * time.Second, Max: 6 * time.Hour, GiveUp: 7 * 24 * time.Hour}
			failed := 0
			e.month(func(day int) {
				switch day {
				case 3:
					e.recv.down()
				case 5:
					e.recv.up()
					e.recv.mode.Store(recv500)
				case 6:
					e.recv.mode.Store(recvHang)
				case 7:
					e.recv.mode.Store(recvOK)
				}
				// Rounds every 20 minutes of the day.
				for i := 0; i < 3; i++ {
					failed += e.deliverAll().Failed
					e.advance(20 * time.Minute)
				}
			})
			// Backoff can leave the next attempt hours away: let a day pass.
			for i := 0; i < 24*3; i++ {
				e.deliverAll()
				e.advance(20 * time.Minute)
			}
			_, err := e.l.Sweep(context.Background())
			require.NoError(t, err)
			for i := 0; i < 24*3; i++ {
				e.deliverAll()
				e.advance(20 * time.Minute)
			}
			assert.Greater(t, failed, 10, "attempts failed while it was down, erring and hanging")
			assert.Positive(t, e.recv.hits[recv500].Load())
			assert.Positive(t, e.recv.hits[recvHang].Load())
			e.check()
			counts, err := e.l.DeliveryCounts(context.Background())
			require.NoError(t, err)
			assert.Zero(t, counts[ledger.DeliveryDead])
			assert.Zero(t, counts[ledger.DeliveryPending])
		})
	}
}

// Dead letters and their replay, over HTTP.
func TestWebhooksDeadLetterAndReplay(t *testing.T) {
	e := newHookEnv(t, ledgerBackends[0].dsn(t))
	e.disp.Retry = ledger.RetryPolicy{Base: time.Minute, Max: time.Hour, GiveUp: 6 * time.Hour}
	e.recv.mode.Store(recvRedirect) // a redirect is a failed attempt, never followed
	a, _ := e.s.account()
	e.accts = []string{a}
	r0 := e.deliverAll()
	assert.Equal(t, 1, r0.Failed)
	assert.Equal(t, int32(1), e.recv.hits[recvRedirect].Load(), "not followed to /elsewhere")
	e.recv.mode.Store(recv500)
	for i := 0; i < 12*6; i++ {
		e.deliverAll()
		e.advance(10 * time.Minute)
	}
	counts, err := e.l.DeliveryCounts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]int{ledger.DeliveryDead: 1}, counts)
	ep := e.s.do("GET", "/api/v1/webhooks/endpoints", testOperatorKey, "").json(t)["endpoints"].([]any)[0].(map[string]any)["id"].(string)
	dead := e.s.do("GET", "/api/v1/webhooks/endpoints/"+ep+"/deliveries?state=dead", testOperatorKey, "")
	d := dead.json(t)["deliveries"].([]any)[0].(map[string]any)
	assert.Equal(t, "dead", d["state"])
	assert.Greater(t, len(d["history"].([]any)), 5)
	assert.Equal(t, float64(302), d["history"].([]any)[0].(map[string]any)["code"])
	assert.Equal(t, float64(500), d["history"].([]any)[1].(map[string]any)["code"])

	e.recv.mode.Store(recvOK)
	r := e.s.do("POST", "/api/v1/webhooks/endpoints/"+ep+"/replay", testOperatorKey, "")
	require.Equal(t, 200, r.status, string(r.body))
	assert.JSONEq(t, `{"replayed":1}`, string(r.body))
	e.deliverAll()
	e.check2(a)
	// Replaying one event sends it again (a duplicate the receiver can tell by webhook-id).
	evID := d["event"].(map[string]any)["data"].(map[string]any)["id"].(string)
	r = e.s.do("POST", "/api/v1/webhooks/endpoints/"+ep+"/replay", testOperatorKey, `{"event":"`+evID+`"}`)
	require.Equal(t, 200, r.status, string(r.body))
	e.deliverAll()
	_, dups := e.recv.byAccount()
	assert.Equal(t, 1, dups)

	// Bad input.
	for _, c := range []struct {
		method, path, token, body string
		status                    int
	}{
		{"POST", "/api/v1/webhooks/endpoints", testOperatorKey, `{"url":"ftp://x"}`, 422},
		{"POST", "/api/v1/webhooks/endpoints", testOperatorKey, `{"url":"http://u:p@x/"}`, 422},
		{"POST", "/api/v1/webhooks/endpoints", testOperatorKey, `{"url":"http://x/","y":1}`, 400},
		{"POST", "/api/v1/webhooks/endpoints", testOperatorKey, `{}`, 400},
		{"POST", "/api/v1/webhooks/endpoints", "", `{"url":"http://x/"}`, 401},
		{"DELETE", "/api/v1/webhooks/endpoints", testOperatorKey, ``, 405},
		{"GET", "/api/v1/webhooks/endpoints/whe_nope/deliveries", testOperatorKey, ``, 404},
		{"GET", "/api/v1/webhooks/endpoints/" + ep + "/deliveries?state=lost", testOperatorKey, ``, 422},
		{"POST", "/api/v1/webhooks/endpoints/" + ep + "/replay", testOperatorKey, `{"evt":1}`, 400},
		{"PUT", "/api/v1/accounts/" + a + "/low-balance", testOperatorKey, `{"credits":"-1"}`, 422},
		{"PUT", "/api/v1/accounts/" + a + "/low-balance", testOperatorKey, `{}`, 400},
		{"PUT", "/api/v1/accounts/acct_nope/low-balance", testOperatorKey, `{"credits":null}`, 404},
	} {
		r := e.s.do(c.method, c.path, c.token, c.body)
		assert.Equal(t, c.status, r.status, "%s %s %s: %s", c.method, c.path, c.body, r.body)
	}
	_, tok := e.s.account()
	r = e.s.do("POST", "/api/v1/webhooks/endpoints", tok, `{"url":"http://x/"}`)
	assert.Equal(t, 403, r.status)
}

func (e *hookEnv) check2(acct string) {
	got, _ := e.recv.byAccount()
	evs, err := e.l.Events(context.Background(), acct, 0, 0)
	require.NoError(e.t, err)
	want := []string{}
	for _, ev := range evs {
		want = append(want, string(EventJSON(ev)))
	}
	assert.Equal(e.t, want, got[acct])
}

// Three dispatchers (three ledger handles, three connection pools, as three processes would
// have) on one database share the work: nothing lost, order per account kept, duplicates
// counted (at-least-once allows them only when a lease runs out, which it does not here).
func TestWebhooksSeveralDispatchers(t *testing.T) {
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			e := newHookEnv(t, dsn)
			e.month(func(int) {})
			var disps []*Dispatcher
			for i := 0; i < 3; i++ {
				l, err := ledger.Open(context.Background(), dsn, ledger.Options{Now: e.l.Now})
				require.NoError(t, err)
				t.Cleanup(func() { l.Close() })
				disps = append(disps, &Dispatcher{Ledger: l, Worker: fmt.Sprint("w", i), Batch: 4, Lease: time.Hour})
			}
			var wg sync.WaitGroup
			var rounds [3]int
			for i, d := range disps {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for idle := 0; idle < 3; {
						r, err := d.RunOnce(context.Background())
						assert.NoError(t, err)
						rounds[i] += r.Delivered
						if r.Delivered == 0 {
							idle++
						} else {
							idle = 0
						}
					}
				}()
			}
			wg.Wait()
			// Whatever is left (a dispatcher may have stopped early while another was busy).
			e.deliverAll()
			dups := e.check()
			t.Logf("deliveries per dispatcher %v, duplicates %d", rounds, dups)
			assert.Zero(t, dups)
		})
	}
}

// The event bodies are a contract (docs/ledger.md, "Events"): member names, order and formats.
func TestEventJSONShape(t *testing.T) {
	at := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	cases := []struct {
		ev   ledger.Event
		want string
	}{
		{ledger.Event{ID: "evt_1", Type: ledger.EventHoldSettled, Account: "acct_1", At: at, Hold: "hold_1", Credits: 300, Returned: 100, RateCard: "v1"},
			`{"type":"hold.settled","timestamp":"2026-11-02T01:00:00Z","data":{"id":"evt_1","account":"acct_1","at":"2026-11-02T01:00:00Z","hold":"hold_1","credits":"3.00","returned":"1.00","rateCard":{"version":"v1"}}}`},
		{ledger.Event{ID: "evt_2", Type: ledger.EventGrantCreated, Account: "acct_1", At: at, Bucket: "bkt_1", Kind: "monthly", Plan: "basic", Credits: 50000,
			Granted: at, Expires: at.AddDate(0, 1, 0), RateCard: "v1"},
			`{"type":"grant.created","timestamp":"2026-11-02T01:00:00Z","data":{"id":"evt_2","account":"acct_1","at":"2026-11-02T01:00:00Z","bucket":"bkt_1","kind":"monthly","plan":"basic","credits":"500.00","granted":"2026-11-02T01:00:00Z","expires":"2026-12-02T01:00:00Z","rateCard":{"version":"v1"}}}`},
		{ledger.Event{ID: "evt_3", Type: ledger.EventBalanceLow, Account: "acct_1", At: at, Credits: 4000, Threshold: 5000, RateCard: "v1"},
			`{"type":"balance.low","timestamp":"2026-11-02T01:00:00Z","data":{"id":"evt_3","account":"acct_1","at":"2026-11-02T01:00:00Z","credits":"40.00","threshold":"50.00","rateCard":{"version":"v1"}}}`},
		{ledger.Event{ID: "evt_4", Type: ledger.EventPurchaseRefunded, Account: "acct_1", At: at, Credits: 7000, Spent: 3000, Subject: "pi_A", Ref: "stripe:refund:ch_A", RateCard: "v1"},
			`{"type":"purchase.refunded","timestamp":"2026-11-02T01:00:00Z","data":{"id":"evt_4","account":"acct_1","at":"2026-11-02T01:00:00Z","credits":"70.00","spent":"30.00","charge":"pi_A","reference":"stripe:refund:ch_A","rateCard":{"version":"v1"}}}`},
		{ledger.Event{ID: "evt_5", Type: ledger.EventSubscriptionEnded, Account: "acct_1", At: at, Subject: "sub_1", Ref: "stripe:sub_1:deleted", RateCard: "v1"},
			`{"type":"subscription.ended","timestamp":"2026-11-02T01:00:00Z","data":{"id":"evt_5","account":"acct_1","at":"2026-11-02T01:00:00Z","credits":"0.00","subscription":"sub_1","reference":"stripe:sub_1:deleted","rateCard":{"version":"v1"}}}`},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, string(EventJSON(c.ev)), c.ev.Type)
	}
}

// A disabled endpoint gets nothing more: its pending deliveries are not sent, and it is gone
// from the API.
func TestWebhookEndpointDisabled(t *testing.T) {
	e := newHookEnv(t, ledgerBackends[0].dsn(t))
	e.s.account()
	ep := e.s.do("GET", "/api/v1/webhooks/endpoints", testOperatorKey, "").json(t)["endpoints"].([]any)[0].(map[string]any)["id"].(string)
	r := e.s.do("DELETE", "/api/v1/webhooks/endpoints/"+ep, testOperatorKey, "")
	require.Equal(t, 204, r.status, string(r.body))
	assert.Equal(t, 404, e.s.do("DELETE", "/api/v1/webhooks/endpoints/"+ep, testOperatorKey, "").status)
	e.s.account()
	assert.Zero(t, e.deliverAll().Delivered)
	assert.Empty(t, e.s.do("GET", "/api/v1/webhooks/endpoints", testOperatorKey, "").json(t)["endpoints"])
	assert.Equal(t, 404, e.s.do("GET", "/api/v1/webhooks/endpoints/"+ep+"/deliveries", testOperatorKey, "").status)
	counts, err := e.l.DeliveryCounts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]int{ledger.DeliveryDead: 1}, counts, "the first account's grant, never sent")
}

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/internal/stripetest"
	"github.com/creditestimator/creditestimator/ledger"
)

// stripeMock is the package's stripe-mock (started on first use, stopped by TestMain).
var stripeMock stripetest.Shared

const testWebhookSecret = "whsec_test_secret_for_webhooks"

// stripeEnv is a server with the ledger and Stripe on stripe-mock, behind a proxy that records
// what the server sends to Stripe.
type stripeEnv struct {
	*ledgerServer
	l *ledger.Ledger

	mu   sync.Mutex
	sent []url.Values // form bodies of POST /v1/checkout/sessions
}

func newStripeEnv(t *testing.T, dsn string) *stripeEnv {
	mockURL := stripeMock.URL(t)
	e := &stripeEnv{}
	target, _ := url.Parse(mockURL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && r.URL.Path == "/v1/checkout/sessions" {
			form, err := url.ParseQuery(string(body))
			if assert.NoError(t, err) {
				e.mu.Lock()
				e.sent = append(e.sent, form)
				e.mu.Unlock()
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.Close)
	l, err := ledger.Open(context.Background(), dsn, ledger.Options{TokenKey: []byte(testOperatorKey)})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	h, err := New(Config{Ledger: &LedgerConfig{Ledger: l, OperatorKey: testOperatorKey,
		Stripe: &StripeConfig{SecretKey: "sk_test_123", WebhookSecret: testWebhookSecret, APIBase: rec.URL}}})
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	e.ledgerServer, e.l = &ledgerServer{t: t, url: ts.URL}, l
	return e
}

func (e *stripeEnv) lastSent() url.Values {
	e.mu.Lock()
	defer e.mu.Unlock()
	require.NotEmpty(e.t, e.sent)
	return e.sent[len(e.sent)-1]
}

// event is a Stripe event of a type with its object, as Stripe sends it.
func event(id, typ string, object any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": stripe.APIVersion, "type": typ,
		"created": time.Now().Unix(), "data": map[string]any{"object": object}})
	return b
}

// deliver posts a payload signed with secret at ts, as Stripe does.
func (e *stripeEnv) deliver(payload []byte, secret string, ts time.Time) reply {
	e.t.Helper()
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: ts})
	return e.post(payload, signed.Header)
}

func (e *stripeEnv) post(payload []byte, signature string) reply {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.url+"/api/v1/stripe/webhook", bytes.NewReader(payload))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

func (e *stripeEnv) available(id string) string {
	return e.do("GET", "/api/v1/accounts/"+id+"/balance", testOperatorKey, "").json(e.t)["available"].(string)
}

func sessionCompleted(id, account, credits, pi string) map[string]any {
	return map[string]any{"id": id, "object": "checkout.session", "mode": "payment", "payment_status": "paid",
		"payment_intent": pi, "client_reference_id": account,
		"metadata": map[string]string{"account": account, "kind": "topup", "credits": credits}}
}

// The whole path: checkout (what is sent to Stripe is the engine's quote) → signed webhook →
// grant → a hold paid by the bought credits; then replays, a refund, a plan, its end.
func TestStripePurchaseToHold(t *testing.T) {
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			e := newStripeEnv(t, b.dsn(t))
			id, tok := e.account()
			info := e.do("GET", "/api/v1/ledger", "", "")
			assert.Equal(t, true, info.json(t)["checkout"])

			c := e.do("POST", "/api/v1/accounts/"+id+"/checkout", tok, `{"credits":"750"}`)
			require.Equal(t, 201, c.status, string(c.body))
			assert.NotEmpty(t, c.json(t)["session"])
			assert.NotEmpty(t, c.json(t)["url"])
			sent := e.lastSent()
			card := estimator.Default()
			q, err := card.TopUpQuote(750 * 100)
			require.NoError(t, err)
			assert.Equal(t, "payment", sent.Get("mode"))
			assert.Equal(t, id, sent.Get("client_reference_id"))
			assert.Equal(t, id, sent.Get("metadata[account]"))
			assert.Equal(t, "750.00", sent.Get("metadata[credits]"))
			var total int64
			for i, line := range q.Lines {
				p := fmt.Sprintf("line_items[%d]", i)
				assert.Equal(t, strings.ToLower(card.Currency()), sent.Get(p+"[price_data][currency]"))
				assert.Equal(t, strconv.FormatInt(card.MinorUnits(line.Bundle.Price), 10), sent.Get(p+"[price_data][unit_amount]"))
				assert.Equal(t, strconv.FormatInt(line.Count, 10), sent.Get(p+"[quantity]"))
				n, _ := strconv.ParseInt(sent.Get(p+"[price_data][unit_amount]"), 10, 64)
				total += n * line.Count
			}
			assert.Empty(t, sent.Get(fmt.Sprintf("line_items[%d][quantity]", len(q.Lines))))
			assert.Equal(t, card.MinorUnits(q.Total), total) // exactly the engine's quote

			// Stripe's webhook: the top-up is granted, once.
			before := e.available(id)
			done := event("evt_1", "checkout.session.completed", sessionCompleted("cs_test_1", id, "750.00", "pi_1"))
			r := e.deliver(done, testWebhookSecret, time.Now())
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, q.Credits.String(), r.json(t)["granted"])
			after := e.available(id)
			assert.NotEqual(t, before, after)
			for _, again := range [][]byte{done, event("evt_1b", "checkout.session.completed", sessionCompleted("cs_test_1", id, "750.00", "pi_1"))} {
				r = e.deliver(again, testWebhookSecret, time.Now())
				assert.Equal(t, 200, r.status)
				assert.Equal(t, true, r.json(t)["replayed"])
				assert.Equal(t, after, e.available(id))
			}
			// A hold the trial alone could not pay.
			h := e.do("POST", "/api/v1/accounts/"+id+"/holds", tok, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"count":100}}`)
			require.Equal(t, 201, h.status, string(h.body))
			h = e.do("POST", "/api/v1/accounts/"+id+"/holds", tok, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"count":50}}`)
			require.Equal(t, 201, h.status, string(h.body))
			assert.Contains(t, string(h.body), `"kind":"topup"`)

			// The charge is refunded: what is left of the purchase is voided, the spent part reported.
			refund := event("evt_2", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "refunded": true})
			r = e.deliver(refund, testWebhookSecret, time.Now())
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, (q.Credits - 50*100).String(), r.json(t)["voided"]) // the hold of 50 took from the top-up
			assert.Equal(t, "50.00", r.json(t)["spent"])
			assert.Equal(t, "0.00", e.available(id))
			r = e.deliver(refund, testWebhookSecret, time.Now())
			assert.Equal(t, true, r.json(t)["replayed"])
			dispute := event("evt_3", "charge.dispute.created", map[string]any{"id": "dp_1", "object": "dispute", "charge": "ch_1", "payment_intent": "pi_1"})
			r = e.deliver(dispute, testWebhookSecret, time.Now())
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, "0.00", r.json(t)["voided"])

			// A plan: the subscription checkout, then its paid invoice grants the billing period.
			c = e.do("POST", "/api/v1/accounts/"+id+"/checkout", tok, `{"plan":"basic"}`)
			require.Equal(t, 201, c.status, string(c.body))
			sent = e.lastSent()
			var basic estimator.Plan
			for _, p := range card.Plans() {
				if p.ID == "basic" {
					basic = p
				}
			}
			assert.Equal(t, "subscription", sent.Get("mode"))
			assert.Equal(t, "month", sent.Get("line_items[0][price_data][recurring][interval]"))
			assert.Equal(t, strconv.FormatInt(card.MinorUnits(basic.Price), 10), sent.Get("line_items[0][price_data][unit_amount]"))
			assert.Equal(t, "basic", sent.Get("subscription_data[metadata][plan]"))
			assert.Equal(t, 422, e.do("POST", "/api/v1/accounts/"+id+"/checkout", tok, `{"plan":"gold"}`).status)

			start := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
			end := start.AddDate(0, 1, 0)
			invoice := map[string]any{"id": "in_1", "object": "invoice", "billing_reason": "subscription_create",
				"parent": map[string]any{"type": "subscription_details", "subscription_details": map[string]any{
					"subscription": "sub_1", "metadata": map[string]string{"account": id, "plan": "basic"}}},
				"lines": map[string]any{"object": "list", "data": []any{map[string]any{"id": "il_1", "object": "line_item",
					"period": map[string]any{"start": start.Unix(), "end": end.Unix()}}}},
				"payments": map[string]any{"object": "list", "data": []any{map[string]any{"id": "inpay_1", "object": "invoice_payment",
					"payment": map[string]any{"type": "payment_intent", "payment_intent": "pi_inv_1"}}}}}
			r = e.deliver(event("evt_4", "invoice.paid", invoice), testWebhookSecret, time.Now())
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, (basic.Monthly + basic.Priority).String(), r.json(t)["granted"])
			bal := e.do("GET", "/api/v1/accounts/"+id+"/balance", tok, "")
			assert.Contains(t, string(bal.body), `"expires":"`+jsonTime(end)+`"`) // the billing period the invoice covers
			r = e.deliver(event("evt_4b", "invoice.paid", invoice), testWebhookSecret, time.Now())
			assert.Equal(t, true, r.json(t)["replayed"])
			r = e.deliver(event("evt_5", "customer.subscription.deleted", map[string]any{"id": "sub_1", "object": "subscription",
				"metadata": map[string]string{"account": id, "plan": "basic"}}), testWebhookSecret, time.Now())
			require.Equal(t, 200, r.status, string(r.body))
			ended, err := e.l.SubscriptionEnded(context.Background(), "sub_1")
			require.NoError(t, err)
			assert.True(t, ended)
			rep, err := e.l.Reconcile(context.Background())
			require.NoError(t, err)
			assert.Empty(t, rep.Problems)
		})
	}
}

// The webhook endpoint under attack: nothing changes unless Stripe signed it, recently.
func TestStripeWebhookHostile(t *testing.T) {
	e := newStripeEnv(t, filepath.Join(t.TempDir(), "l.db"))
	id, _ := e.account()
	good := event("evt_h", "checkout.session.completed", sessionCompleted("cs_h", id, "100", "pi_h"))
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: good, Secret: testWebhookSecret, Timestamp: time.Now()})
	tampered := bytes.Replace(good, []byte(`"100"`), []byte(`"90000"`), 1)
	cases := []struct {
		name   string
		status int
		send   func() reply
	}{
		{"no signature", 400, func() reply { return e.post(good, "") }},
		{"another secret", 400, func() reply { return e.deliver(good, "whsec_not_ours", time.Now()) }},
		{"stale (10 min)", 400, func() reply { return e.deliver(good, testWebhookSecret, time.Now().Add(-10*time.Minute)) }},
		{"from the future", 400, func() reply { return e.deliver(good, testWebhookSecret, time.Now().Add(10*time.Minute)) }},
		{"tampered body", 400, func() reply { return e.post(tampered, signed.Header) }},
		{"garbage header", 400, func() reply { return e.post(good, "t=abc,v1=zzz") }},
		{"huge body", 413, func() reply { return e.post(bytes.Repeat([]byte("x"), 300<<10), signed.Header) }},
		{"not JSON", 400, func() reply { return e.deliver([]byte("hello"), testWebhookSecret, time.Now()) }},
		{"unknown account", 200, func() reply {
			return e.deliver(event("evt_u", "checkout.session.completed", sessionCompleted("cs_u", "acct_nobody", "100", "pi_u")), testWebhookSecret, time.Now())
		}},
		{"malformed object", 200, func() reply {
			return e.deliver(event("evt_m", "checkout.session.completed", map[string]any{"id": "cs_m", "mode": 5}), testWebhookSecret, time.Now())
		}},
		{"unknown type", 200, func() reply {
			return e.deliver(event("evt_x", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}), testWebhookSecret, time.Now())
		}},
		{"unpaid session", 200, func() reply {
			s := sessionCompleted("cs_unpaid", id, "100", "pi_x")
			s["payment_status"] = "unpaid"
			return e.deliver(event("evt_np", "checkout.session.completed", s), testWebhookSecret, time.Now())
		}},
		{"refund before its purchase", 503, func() reply {
			return e.deliver(event("evt_early", "charge.refunded", map[string]any{"id": "ch_early", "object": "charge", "payment_intent": "pi_early",
				"metadata": map[string]string{"account": id, "credits": "100"}}), testWebhookSecret, time.Now())
		}},
		{"refund of nothing", 200, func() reply {
			return e.deliver(event("evt_r", "charge.refunded", map[string]any{"id": "ch_x", "object": "charge", "payment_intent": "pi_none"}), testWebhookSecret, time.Now())
		}},
	}
	for _, c := range cases {
		r := c.send()
		assert.Equal(t, c.status, r.status, c.name+": "+string(r.body))
		if r.status != 200 {
			var m map[string]any
			if assert.NoError(t, json.Unmarshal(r.body, &m), c.name) {
				assert.NotEmpty(t, m["code"], c.name)
			}
		} else {
			assert.Empty(t, r.json(t)["granted"], c.name)
		}
		assert.Equal(t, "100.00", e.available(id), c.name) // the trial, nothing more
	}
	// The signed original still works once, after all that.
	r := e.post(good, signed.Header)
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "200.00", e.available(id))
	// The purchase whose refund came first arrives; Stripe delivers the refund again: voided.
	r = e.deliver(event("evt_early_buy", "checkout.session.completed", sessionCompleted("cs_early", id, "100", "pi_early")), testWebhookSecret, time.Now())
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "300.00", e.available(id))
	r = e.deliver(event("evt_early", "charge.refunded", map[string]any{"id": "ch_early", "object": "charge", "payment_intent": "pi_early",
		"metadata": map[string]string{"account": id, "credits": "100"}}), testWebhookSecret, time.Now())
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "100.00", r.json(t)["voided"])
	assert.Equal(t, "200.00", e.available(id))
	// The unpaid session's delayed payment succeeds: granted then, once.
	paid := event("evt_async", "checkout.session.async_payment_succeeded", sessionCompleted("cs_unpaid", id, "100", "pi_x"))
	r = e.deliver(paid, testWebhookSecret, time.Now())
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "100.00", r.json(t)["granted"])
	assert.Equal(t, true, e.deliver(paid, testWebhookSecret, time.Now()).json(t)["replayed"])
	assert.Equal(t, "300.00", e.available(id))
	// Checkout needs a credential and refuses what the card cannot sell.
	assert.Equal(t, 401, e.do("POST", "/api/v1/accounts/"+id+"/checkout", "", `{"credits":"10"}`).status)
	for _, body := range []string{`{}`, `{"credits":"10","plan":"basic"}`, `{"credits":10}`, `{"credits":"-1"}`, `{"x":1}`} {
		assert.Contains(t, []int{400, 422}, e.do("POST", "/api/v1/accounts/"+id+"/checkout", testOperatorKey, body).status, body)
	}
}

// Without Stripe configured there is no checkout and no webhook.
func TestStripeNotConfigured(t *testing.T) {
	s := newLedgerServer(t, filepath.Join(t.TempDir(), "l.db"), nil, true)
	id, tok := s.account()
	assert.Equal(t, 404, s.do("POST", "/api/v1/accounts/"+id+"/checkout", tok, `{"credits":"100"}`).status)
	assert.Equal(t, 404, s.do("POST", "/api/v1/stripe/webhook", "", `{}`).status)
	_, has := s.do("GET", "/api/v1/ledger", "", "").json(t)["checkout"]
	assert.False(t, has)
}

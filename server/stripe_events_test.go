package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/ledger"
)

// Stripe's events become the ledger's, and the platform's receiver gets them signed: a paid
// top-up (grant.created), its refund (purchase.refunded), a subscription's renewal and its end.
func TestStripeEventsReachTheReceiver(t *testing.T) {
	e := newStripeEnv(t, ledgerBackends[0].dsn(t))
	recv := newReceiver(t)
	r := e.do("POST", "/api/v1/webhooks/endpoints", testOperatorKey, `{"url":"`+recv.url()+`"}`)
	require.Equal(t, 201, r.status, string(r.body))
	recv.secret = r.json(t)["secret"].(string)
	id, _ := e.account()

	r = e.deliver(event("evt_1", "checkout.session.completed", sessionCompleted("cs_1", id, "100", "pi_1")), testWebhookSecret, time.Now())
	require.Equal(t, 200, r.status, string(r.body))
	r = e.deliver(event("evt_2", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "refunded": true}), testWebhookSecret, time.Now())
	require.Equal(t, 200, r.status, string(r.body))
	start := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
	for i, s := range []time.Time{start, start.AddDate(0, 1, 0)} { // the first period, then its renewal (paid ahead)
		invoice := map[string]any{"id": "in_" + string(rune('a'+i)), "object": "invoice", "billing_reason": "subscription_cycle",
			"parent": map[string]any{"type": "subscription_details", "subscription_details": map[string]any{
				"subscription": "sub_1", "metadata": map[string]string{"account": id, "plan": "basic"}}},
			"lines": map[string]any{"object": "list", "data": []any{map[string]any{"id": "il_1", "object": "line_item",
				"period": map[string]any{"start": s.Unix(), "end": s.AddDate(0, 1, 0).Unix()}}}}}
		r = e.deliver(event("evt_inv"+string(rune('a'+i)), "invoice.paid", invoice), testWebhookSecret, time.Now())
		require.Equal(t, 200, r.status, string(r.body))
	}
	r = e.deliver(event("evt_5", "customer.subscription.deleted", map[string]any{"id": "sub_1", "object": "subscription",
		"metadata": map[string]string{"account": id, "plan": "basic"}}), testWebhookSecret, time.Now())
	require.Equal(t, 200, r.status, string(r.body))

	d := &Dispatcher{Ledger: e.l, Worker: "test", Client: &http.Client{Timeout: 5 * time.Second}}
	for i := 0; i < 50; i++ {
		rd, err := d.RunOnce(context.Background())
		require.NoError(t, err)
		if rd.Delivered+rd.Failed == 0 {
			break
		}
	}
	got, _ := recv.byAccount()
	var types []string
	for _, body := range got[id] {
		var ev struct {
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &ev))
		types = append(types, ev.Type)
		switch ev.Type {
		case ledger.EventPurchaseRefunded:
			assert.Equal(t, "pi_1", ev.Data["charge"])
			assert.Equal(t, "100.00", ev.Data["credits"])
			assert.Equal(t, "0.00", ev.Data["spent"])
		case ledger.EventSubscriptionRenewed:
			assert.Equal(t, "sub_1", ev.Data["subscription"])
			assert.Equal(t, jsonTime(start.AddDate(0, 1, 0)), ev.Data["granted"], "the renewed period")
		case ledger.EventSubscriptionEnded:
			assert.Equal(t, "sub_1", ev.Data["subscription"])
		}
	}
	assert.Equal(t, "grant.created grant.created purchase.refunded grant.created grant.created grant.created grant.created subscription.renewed subscription.ended",
		strings.Join(types, " "))
	recv.mu.Lock()
	assert.Empty(t, recv.bad)
	recv.mu.Unlock()
}

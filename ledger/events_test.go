package ledger

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// eventsOf lists an account's events as "type credits [extra]".
func (e *env) eventsOf(account string) []string {
	e.t.Helper()
	evs, err := e.l.Events(context.Background(), account, 0, 0)
	require.NoError(e.t, err)
	out := []string{}
	for _, ev := range evs {
		s := ev.Type + " " + ev.Credits.String()
		switch ev.Type {
		case EventGrantCreated, EventCreditsExpiring, EventCreditsExpired:
			s += " " + ev.Kind
		case EventHoldSettled:
			s += " returned " + ev.Returned.String()
		case EventBalanceLow:
			s += " below " + ev.Threshold.String()
		}
		assert.Equal(e.t, estimator.Default().Version(), ev.RateCard, s)
		assert.Equal(e.t, account, ev.Account)
		out = append(out, s)
	}
	return out
}

func TestEventsWrittenWithTheChanges(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{ExpiringLead: 48 * time.Hour})
		ctx := context.Background()
		a := e.account()
		e.mustGrant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-11-10"}`)
		h1 := e.mustHold(a, `{"spec":`+specOf(5)+`}`)
		e.mustSettle(h1.ID)
		h2 := e.mustHold(a, `{"spec":`+specOf(3)+`}`)
		e.mustRelease(h2.ID)
		_ = e.mustHold(a, `{"spec":`+specOf(2)+`}`)
		e.clock.Add(2 * time.Hour) // past the hold's TTL
		e.balance(a)
		// A refused call writes nothing.
		_, err := e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-11-10"}`)
		assert.Equal(t, CodeAlreadyGranted, codeOf(t, err))

		// The trial (100) expires on 2026-12-10 12:00; the plan's period on 2026-12-10 00:00.
		e.clock.Set(time.Date(2026, 12, 8, 13, 0, 0, 0, time.UTC))
		_, err = e.l.Sweep(ctx)
		require.NoError(t, err)
		_, err = e.l.Sweep(ctx) // once per bucket
		require.NoError(t, err)
		e.clock.Set(time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC))
		_, err = e.l.Sweep(ctx)
		require.NoError(t, err)

		got := e.eventsOf(a)
		require.Len(t, got, 12)
		// Buckets of one expiry come in no particular order.
		assert.ElementsMatch(t, []string{"credits.expiring 495.00 monthly", "credits.expiring 50.00 priority"}, got[6:8])
		assert.ElementsMatch(t, []string{"credits.expired 495.00 monthly", "credits.expired 50.00 priority"}, got[9:11])
		got[7], got[6], got[10], got[9] = "", "", "", ""
		assert.Equal(t, []string{
			"grant.created 100.00 trial",
			"grant.created 500.00 monthly",
			"grant.created 50.00 priority",
			"hold.settled 5.00 returned 0.00",
			"hold.released 3.00",
			"hold.auto_released 2.00",
			"", "",
			"credits.expiring 100.00 trial",
			"", "",
			"credits.expired 100.00 trial",
		}, got)
		evs, err := e.l.Events(ctx, a, 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "basic", evs[1].Plan)
		assert.Equal(t, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC), evs[1].Expires)
		assert.Equal(t, h1.ID, evs[3].Hold)
		assert.Equal(t, time.Date(2026, 11, 10, 13, 0, 0, 0, time.UTC), evs[5].At, "dated at the hold's deadline")
		e.reconcileClean()
	})
}

func TestBalanceLowOncePerCrossing(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account() // 100.00
		th := estimator.Credits(5000)
		ok, err := e.l.SetLowBalance(ctx, a, &th)
		require.NoError(t, err)
		require.True(t, ok)
		h1 := e.mustHold(a, `{"spec":`+specOf(40)+`}`) // 60 left
		assert.Equal(t, []string{"grant.created 100.00 trial"}, e.eventsOf(a))
		h2 := e.mustHold(a, `{"spec":`+specOf(20)+`}`) // 40: below
		e.mustHold(a, `{"spec":`+specOf(5)+`}`)        // 35: still below, nothing new
		e.mustSettle(h2.ID)
		e.mustRelease(h1.ID)                     // 75: above again, re-armed
		e.mustHold(a, `{"spec":`+specOf(30)+`}`) // 45: below again
		assert.Equal(t, []string{"grant.created 100.00 trial", "balance.low 40.00 below 50.00",
			"hold.settled 20.00 returned 0.00", "hold.released 40.00", "balance.low 45.00 below 50.00"}, e.eventsOf(a))
		// A threshold set above the balance fires at once.
		th = 9000
		_, err = e.l.SetLowBalance(ctx, a, &th)
		require.NoError(t, err)
		got := e.eventsOf(a)
		assert.Equal(t, "balance.low 45.00 below 90.00", got[len(got)-1])
		ok, err = e.l.SetLowBalance(ctx, "acct_nope", &th)
		require.NoError(t, err)
		assert.False(t, ok)
	})
}

// TestDeliveryStates claims, fails, retries with backoff, dead-letters and replays, in order
// per account, on simulated time.
func TestDeliveryStates(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account() // one event before the endpoint: not for it
		ep, err := e.l.CreateEndpoint(ctx, "http://127.0.0.1:1/hook")
		require.NoError(t, err)
		assert.Regexp(t, `^whsec_[A-Za-z0-9+/]{43}=$`, ep.Secret)
		b := e.account()
		e.mustGrant(a, `{"kind":"topup","credits":"100"}`)
		e.mustGrant(a, `{"kind":"topup","credits":"100"}`)
		n, err := e.l.FanOut(ctx)
		require.NoError(t, err)
		assert.Equal(t, 3, n)

		p := RetryPolicy{Base: time.Minute, Max: 10 * time.Minute, GiveUp: time.Hour}
		cs, err := e.l.ClaimDeliveries(ctx, "w1", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, cs, 2, "one per account: b's trial and a's first top-up")
		again, err := e.l.ClaimDeliveries(ctx, "w2", 10, time.Minute)
		require.NoError(t, err)
		assert.Empty(t, again, "leased")
		var aClaim Claim
		for _, c := range cs {
			if c.Event.Account == a {
				aClaim = c
			} else {
				assert.Equal(t, b, c.Event.Account)
				st, err := e.l.FinishDelivery(ctx, c, "w1", 204, "", true, p)
				require.NoError(t, err)
				assert.Equal(t, DeliveryDelivered, st)
			}
		}
		st, err := e.l.FinishDelivery(ctx, aClaim, "w1", 500, "500 Internal Server Error", false, p)
		require.NoError(t, err)
		assert.Equal(t, DeliveryPending, st)
		cs, err = e.l.ClaimDeliveries(ctx, "w1", 10, time.Minute)
		require.NoError(t, err)
		assert.Empty(t, cs, "not due yet, and a's second event waits for its first")
		delays := []time.Duration{}
		for i := 0; ; i++ {
			require.Less(t, i, 20)
			e.clock.Add(p.Delay(i + 1))
			delays = append(delays, p.Delay(i+1))
			cs, err = e.l.ClaimDeliveries(ctx, "w1", 10, time.Minute)
			require.NoError(t, err)
			require.Len(t, cs, 1)
			require.Equal(t, aClaim.Event.ID, cs[0].Event.ID, "in order")
			st, err = e.l.FinishDelivery(ctx, cs[0], "w1", 0, "connection refused", false, p)
			require.NoError(t, err)
			if st == DeliveryDead {
				break
			}
		}
		assert.Equal(t, []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute}, delays, "dead once the next attempt would be past an hour")
		// Dead: a's next event may go now.
		cs, err = e.l.ClaimDeliveries(ctx, "w1", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, cs, 1)
		assert.NotEqual(t, aClaim.Event.ID, cs[0].Event.ID)
		// Its process dies: the lease runs out and another claims it.
		e.clock.Add(2 * time.Minute)
		cs2, err := e.l.ClaimDeliveries(ctx, "w2", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, cs2, 1)
		assert.Equal(t, 2, cs2[0].Attempt)
		_, err = e.l.FinishDelivery(ctx, cs[0], "w1", 204, "", true, p) // the late first outcome: history only
		require.NoError(t, err)
		_, err = e.l.FinishDelivery(ctx, cs2[0], "w2", 204, "", true, p)
		require.NoError(t, err)

		dead, err := e.l.Deliveries(ctx, ep.ID, DeliveryDead, 0, 0)
		require.NoError(t, err)
		require.Len(t, dead, 1)
		assert.Len(t, dead[0].History, 9)
		assert.Equal(t, 500, dead[0].History[0].Code)
		n, err = e.l.Replay(ctx, ep.ID, "")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		cs, err = e.l.ClaimDeliveries(ctx, "w1", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, cs, 1)
		assert.Equal(t, aClaim.Event.ID, cs[0].Event.ID)
		counts, err := e.l.DeliveryCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{DeliveryDelivered: 2, DeliveryPending: 1}, counts)
	})
}

func TestLeases(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		take := func(h string) bool {
			ok, err := e.l.TryLease(ctx, "sweeper", h, time.Minute)
			require.NoError(t, err)
			return ok
		}
		assert.True(t, take("p1"))
		assert.False(t, take("p2"))
		assert.True(t, take("p1"), "renewed")
		e.clock.Add(61 * time.Second)
		assert.True(t, take("p2"), "p1 stopped renewing")
		assert.False(t, take("p1"))
	})
}

func ExampleRetryPolicy_Delay() {
	p := RetryPolicy{Base: 30 * time.Second, Max: 6 * time.Hour, GiveUp: 72 * time.Hour}
	for _, n := range []int{1, 2, 3, 10, 20} {
		fmt.Println(n, p.Delay(n))
	}
	// Output:
	// 1 30s
	// 2 1m0s
	// 3 2m0s
	// 10 4h16m0s
	// 20 6h0m0s
}

// Payments write their events through the same mechanism: a refund, a renewal, an end.
func TestPaymentEvents(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account()
		_, err := e.l.PayTopUp(ctx, "stripe:cs_A", a, 100*100, "pi_A")
		require.NoError(t, err)
		e.mustSettle(e.mustHold(a, `{"spec":`+specOf(100)+`}`).ID) // the trial's 100
		e.mustSettle(e.mustHold(a, `{"spec":`+specOf(30)+`}`).ID)  // 30 of the top-up
		_, err = e.l.VoidPurchase(ctx, "stripe:refund:ch_A", a, "pi_A", Reversal{Reason: "refund", Actor: "stripe"})
		require.NoError(t, err)
		_, err = e.l.VoidPurchase(ctx, "stripe:refund:ch_A", a, "pi_A", Reversal{Reason: "refund", Actor: "stripe"}) // replayed: nothing
		require.NoError(t, err)
		start := time.Date(2026, 11, 5, 9, 30, 0, 0, time.UTC)
		_, err = e.l.PayPlan(ctx, "stripe:in_1", a, "basic", start, start, "pi_P1", "sub_1") // the first period: no renewal
		require.NoError(t, err)
		e.clock.Set(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)) // the invoice comes before the period (nothing expired yet)
		_, err = e.l.PayPlan(ctx, "stripe:in_2", a, "basic", time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC), start, "pi_P2", "sub_1")
		require.NoError(t, err)
		_, err = e.l.EndSubscription(ctx, "stripe:sub_1:deleted", a, "sub_1")
		require.NoError(t, err)

		evs, err := e.l.Events(ctx, a, 0, 0)
		require.NoError(t, err)
		var got []string
		for _, ev := range evs {
			s := ev.Type + " " + ev.Credits.String()
			switch ev.Type {
			case EventPurchaseRefunded:
				s += " spent " + ev.Spent.String() + " " + ev.Subject + " " + ev.Ref
			case EventSubscriptionRenewed:
				s += " " + ev.Subject + " " + ev.Plan + " " + ev.Granted.Format(time.DateOnly) + "–" + ev.Expires.Format(time.DateOnly) + " " + ev.Ref
			case EventSubscriptionEnded:
				s += " " + ev.Subject + " " + ev.Ref
			}
			got = append(got, s)
		}
		assert.Equal(t, []string{
			"grant.created 100.00", "grant.created 100.00", "hold.settled 100.00", "hold.settled 30.00",
			"purchase.refunded 70.00 spent 30.00 pi_A stripe:refund:ch_A",
			"grant.created 500.00", "grant.created 50.00", // the first period: grants only
			"grant.created 500.00", "grant.created 50.00",
			"subscription.renewed 550.00 sub_1 basic 2026-12-05–2027-01-05 stripe:in_2",
			"subscription.ended 0.00 sub_1 stripe:sub_1:deleted",
		}, got)
		e.reconcileClean()
	})
}

// FuzzEventRequests: the decoders of the event and webhook calls never panic, refuse with a code
// and a field, and accept only what they promise: an absolute http(s) URL without user
// information, a threshold in range or null, an event id or nothing.
func FuzzEventRequests(f *testing.F) {
	for _, s := range []string{`{"url":"https://platform.example/hooks"}`, `{"url":"ftp://x"}`, `{"url":"http://u:p@x/"}`,
		`{"url":"http://x/ y"}`, `{"credits":"50.00"}`, `{"credits":null}`, `{"credits":"-1"}`, `{}`, ``,
		`{"event":"evt_x"}`, `{"event":5}`, `{"url":"https://a"}{}`, "{\"url\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		u, e1 := DecodeEndpoint(data)
		th, e2 := DecodeLowBalance(data)
		_, e3 := DecodeReplay(data)
		for _, e := range []*estimator.Error{e1, e2, e3} {
			if e != nil && (e.Code == "" || e.Message == "") {
				require.Failf(t, "an error without a code or message", "%#v", e)
			}
		}
		if e1 == nil {
			// No user information: an "@" may appear in the path or query ("http://e/@"), where
			// it is not one (CI's fuzzing found the test asserting no "@" at all). A scheme is
			// case-insensitive: "hTtp://e/" is an http URL (found by CI's fuzzing too).
			parsed, err := url.Parse(u)
			require.NoError(t, err, u)
			require.True(t, parsed.Scheme == "http" || parsed.Scheme == "https", u)
			require.Nil(t, parsed.User, u)
			require.NotEmpty(t, parsed.Host, u)
			require.LessOrEqual(t, len(u), maxURLBytes)
		}
		if e2 == nil && th != nil {
			require.True(t, *th > 0 && *th <= maxCreditsHundredths)
		}
	})
}

func TestDeliveryHistoryPruned(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		ep, err := e.l.CreateEndpoint(ctx, "http://127.0.0.1:1/hook")
		require.NoError(t, err)
		a := e.account()
		_, err = e.l.FanOut(ctx)
		require.NoError(t, err)
		cs, err := e.l.ClaimDeliveries(ctx, "w", 10, time.Minute)
		require.NoError(t, err)
		require.Len(t, cs, 1)
		_, err = e.l.FinishDelivery(ctx, cs[0], "w", 204, "", true, RetryPolicy{})
		require.NoError(t, err)
		e.clock.Add(DeliveryHistoryTTL - time.Hour)
		_, err = e.l.Sweep(ctx)
		require.NoError(t, err)
		ds, err := e.l.Deliveries(ctx, ep.ID, "", 0, 0)
		require.NoError(t, err)
		require.Len(t, ds, 1, "kept for DeliveryHistoryTTL")
		require.Len(t, ds[0].History, 1)
		e.clock.Add(2 * time.Hour)
		_, err = e.l.Sweep(ctx)
		require.NoError(t, err)
		ds, err = e.l.Deliveries(ctx, ep.ID, "", 0, 0)
		require.NoError(t, err)
		assert.Empty(t, ds)
		evs, err := e.l.Events(ctx, a, 0, 0)
		require.NoError(t, err)
		assert.NotEmpty(t, evs, "events are kept")
	})
}

// NoEvents (benchmarks only) is the ledger before events: the same answers, no event rows.
func TestNoEventsWritesNone(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{NoEvents: true})
		a := e.account()
		e.mustSettle(e.mustHold(a, `{"spec":`+specOf(5)+`}`).ID)
		assert.Empty(t, e.eventsOf(a))
		assert.Equal(t, "95.00", e.balance(a).Available.String())
	})
}

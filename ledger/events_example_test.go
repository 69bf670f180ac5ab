package ledger_test

import (
	"context"
	"fmt"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
)

// Events are written with the changes; an account's list is its outbox, oldest first.
func ExampleLedger_Events() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	held, _ := l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})
	_, _ = l.Settle(ctx, call("settle-1"), held.Hold.ID)
	evs, _ := l.Events(ctx, acct.ID, 0, 0)
	for _, ev := range evs {
		fmt.Println(ev.Type, ev.Credits)
	}
	// Output:
	// grant.created 100.00
	// hold.settled 5.00
}

// A threshold: balance.low once the available credits fall below it.
func ExampleLedger_SetLowBalance() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	threshold := estimator.Credits(9800) // 98.00
	_, _ = l.SetLowBalance(ctx, acct.ID, &threshold)
	_, _ = l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"}) // 95.00 left
	evs, _ := l.Events(ctx, acct.ID, 0, 0)
	last := evs[len(evs)-1]
	fmt.Println(last.Type, last.Credits, "below", last.Threshold)
	// Output: balance.low 95.00 below 98.00
}

// One delivery round, as a dispatcher does it: fan out, claim, send (here: pretend), finish.
func ExampleLedger_ClaimDeliveries() {
	l, done := open()
	defer done()
	ctx := context.Background()
	ep, _ := l.CreateEndpoint(ctx, "https://platform.example/hooks")
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	_, _ = l.FanOut(ctx)
	claims, _ := l.ClaimDeliveries(ctx, "worker-1", 10, time.Minute)
	for _, c := range claims {
		state, _ := l.FinishDelivery(ctx, c, "worker-1", 204, "", true, ledger.DefaultRetryPolicy)
		fmt.Println(c.Endpoint.ID == ep.ID, c.Event.Account == acct.ID, c.Event.Type, c.Attempt, state)
	}
	// Output: true true grant.created 1 delivered
}

// A job of 5 credits on a Basic plan's period: 5 of 550 used.
func ExampleLedger_UtilizationReport() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	g, _ := ledger.DecodeGrant([]byte(`{"kind":"plan","plan":"basic","periodStart":"2026-11-10"}`))
	_, _ = l.Grant(ctx, call("plan-1"), acct.ID, g)
	held, _ := l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})
	_, _ = l.Settle(ctx, call("settle-1"), held.Hold.ID)
	r, _ := l.UtilizationReport(ctx, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	p := r.Periods[0]
	fmt.Println(p.Plan, p.Granted, p.Spent, p.Left, p.Utilization, r.Bands[0].Periods)
	// Output: basic 550.00 5.00 545.00 90 1
}

// The balance at an instant is the sum of the entries dated until then.
func ExampleLedger_BalanceAt() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	before, _, _ := l.BalanceAt(ctx, acct.ID, time.Date(2026, 11, 10, 11, 0, 0, 0, time.UTC))
	at, _, _ := l.BalanceAt(ctx, acct.ID, time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC))
	fmt.Println(before.Available, at.Available)
	// Output: 0.00 100.00
}

// A named lease: one holder at a time until it stops renewing.
func ExampleLedger_TryLease() {
	l, done := open()
	defer done()
	ctx := context.Background()
	a, _ := l.TryLease(ctx, "sweeper", "process-a", time.Minute)
	b, _ := l.TryLease(ctx, "sweeper", "process-b", time.Minute)
	fmt.Println(a, b)
	// Output: true false
}

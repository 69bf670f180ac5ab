package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
)

// open makes a ledger in a temporary directory (SQLite) whose clock reads 2026-11-10 12:00 UTC.
func open() (l *ledger.Ledger, done func()) {
	dir, _ := os.MkdirTemp("", "ledger-example")
	now := func() time.Time { return time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC) }
	l, err := ledger.Open(context.Background(), filepath.Join(dir, "ledger.db"), ledger.Options{Now: now})
	if err != nil {
		panic(err)
	}
	return l, func() { l.Close(); os.RemoveAll(dir) }
}

// call is a mutating call's idempotency: who calls, their key for this change, and a hash of the
// request (a retry with the same key and hash gets the first result again).
func call(key string) ledger.Call { return ledger.Call{Scope: "operator", Key: key, RequestHash: key} }

// spec is five videos of 10 seconds of 1080p at 30 fps: 1.00 credit each with the default card.
var spec = estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Complexity: "auto", Mode: "generate", Count: 5}

// A sign-up, a hold priced by the rate card, its settle, and the balance after.
func Example() {
	l, done := open()
	defer done()
	ctx := context.Background()

	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	held, _ := l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})
	fmt.Println("held", held.Hold.Credits)

	charge, _ := l.Settle(ctx, call("settle-1"), held.Hold.ID)
	fmt.Println("charged", charge.Credits, charge.Hold.State)

	b, _, _ := l.Balance(ctx, acct.ID)
	fmt.Println("available", b.Available, "held", b.Held)

	rep, _ := l.Reconcile(ctx)
	fmt.Println("problems", len(rep.Problems))
	// Output:
	// held 5.00
	// charged 5.00 settled
	// available 95.00 held 0.00
	// problems 0
}

func ExampleLedger_CreateAccount() {
	l, done := open()
	defer done()
	ctx := context.Background()

	acct, err := l.CreateAccount(ctx, call("signup-1"), false)
	if err != nil {
		panic(err)
	}
	fmt.Println(acct.Buckets[0].Kind, acct.Buckets[0].Credits, "until", acct.Buckets[0].Expires.Format(time.DateOnly))

	again, _ := l.CreateAccount(ctx, call("signup-1"), false) // a retry: the same account
	fmt.Println(again.ID == acct.ID, again.Replayed)
	// Output:
	// trial 100.00 until 2026-12-10
	// true true
}

func ExampleLedger_Grant() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)

	g, err := l.Grant(ctx, call("topup-1"), acct.ID, ledger.GrantRequest{Kind: "topup", Credits: 50_00})
	if err != nil {
		panic(err)
	}
	fmt.Println(g.Buckets[0].Kind, g.Buckets[0].Credits, "bought", g.Purchase.Credits)

	_, err = l.Grant(ctx, call("plan-1"), acct.ID, ledger.GrantRequest{Kind: "plan", Plan: "gold",
		PeriodStart: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	var e *ledger.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Field)
	}
	// Output:
	// topup 100.00 bought 100.00
	// unknown_plan plan
}

func ExampleLedger_Hold() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)

	held, err := l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})
	if err != nil {
		panic(err)
	}
	fmt.Println(held.Hold.State, held.Hold.Credits, "from", held.Hold.Draws[0].Kind, "priced", held.Quote.Credits)

	big := spec
	big.Count = 100
	_, err = l.Hold(ctx, call("hold-2"), acct.ID, ledger.HoldRequest{Spec: big, Queue: "fast"})
	var e *ledger.Error
	if errors.As(err, &e) && e.Code == ledger.CodeInsufficientCredits {
		fmt.Println("needs", e.Needed, "has", e.Available, "top up", e.TopUp.Credits)
	}
	// Output:
	// held 5.00 from trial priced 5.00
	// needs 100.00 has 95.00 top up 100.00
}

func ExampleLedger_Settle() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	held, _ := l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})

	charge, err := l.Settle(ctx, call("settle-1"), held.Hold.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("charged", charge.Credits, "from", len(charge.Draws), "bucket")

	_, err = l.Release(ctx, call("release-1"), held.Hold.ID)
	var e *ledger.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
	}
	// Output:
	// charged 5.00 from 1 bucket
	// hold_settled
}

func ExampleLedger_Release() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	held, _ := l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})

	refund, err := l.Release(ctx, call("release-1"), held.Hold.ID)
	if err != nil {
		panic(err)
	}
	b, _, _ := l.Balance(ctx, acct.ID)
	fmt.Println("refunded", refund.Credits, "available", b.Available)
	// Output:
	// refunded 5.00 available 100.00
}

func ExampleLedger_Balance() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	_, _ = l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})

	b, found, err := l.Balance(ctx, acct.ID)
	if err != nil || !found {
		panic(err)
	}
	fmt.Println("available", b.Available, "held", b.Held, "open holds", len(b.Holds))
	fmt.Println("expiring within", b.Expiring.Days, "days:", b.Expiring.Credits)
	// Output:
	// available 95.00 held 5.00 open holds 1
	// expiring within 30 days: 95.00
}

func ExampleLedger_Entries() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup-1"), false)
	held, _ := l.Hold(ctx, call("hold-1"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})
	_, _ = l.Settle(ctx, call("settle-1"), held.Hold.ID)

	st, _, err := l.Entries(ctx, acct.ID, time.Time{}, time.Time{}, 0, 100)
	if err != nil {
		panic(err)
	}
	for _, e := range st.Entries {
		fmt.Println(e.Seq, e.Type, e.Kind, e.Credits, e.Available, e.Held)
	}
	// Output:
	// 1 grant trial 100.00 100.00 0.00
	// 2 hold trial 5.00 -5.00 5.00
	// 3 settle trial 5.00 0.00 -5.00
}

// 3 of the 5 videos were delivered: the engine's quote for 3 is charged, the rest goes back.
func ExampleLedger_SettleDelivered() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup"), false)
	held, _ := l.Hold(ctx, call("hold"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast"})
	c, _ := l.SettleDelivered(ctx, call("settle"), held.Hold.ID, ledger.Delivery{Count: 3})
	fmt.Println("charged", c.Credits, "returned", c.Returned)
	b, _, _ := l.Balance(ctx, acct.ID)
	fmt.Println("available", b.Available)
	// Output:
	// charged 3.00 returned 2.00
	// available 97.00
}

// A render runs longer than planned: its hold is extended before its deadline.
func ExampleLedger_Extend() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup"), false)
	held, _ := l.Hold(ctx, call("hold"), acct.ID, ledger.HoldRequest{Spec: spec, Queue: "fast", TTL: 10 * time.Minute})
	fmt.Println("deadline", held.Hold.Expires.Format(time.Kitchen))
	x, _ := l.Extend(ctx, call("extend"), held.Hold.ID, 3*time.Hour)
	fmt.Println("deadline", x.Hold.Expires.Format(time.Kitchen))
	// Output:
	// deadline 12:10PM
	// deadline 3:00PM
}

// The operator voids what is left of a bucket, with a reason, an actor and a memo.
func ExampleLedger_Void() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup"), false)
	v, _ := l.Void(ctx, call("void"), acct.ID, acct.Buckets[0].ID, ledger.Reversal{Reason: "correction", Actor: "ops:alice", Memo: "test account"})
	fmt.Println(v.Kind, "voided", v.Credits)
	b, _, _ := l.Balance(ctx, acct.ID)
	fmt.Println("available", b.Available)
	// Output:
	// trial voided 100.00
	// available 0.00
}

// A negative adjustment takes credits in spend order, never more than are available.
func ExampleLedger_Debit() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup"), false)
	why := ledger.Reversal{Reason: "correction", Actor: "ops:alice"}
	d, _ := l.Debit(ctx, call("debit-1"), acct.ID, ledger.DebitRequest{Credits: 2500, Reversal: why})
	fmt.Println("debited", d.Credits)
	_, err := l.Debit(ctx, call("debit-2"), acct.ID, ledger.DebitRequest{Credits: 100_00, Reversal: why})
	var e *ledger.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
	}
	// Output:
	// debited 25.00
	// insufficient_balance
}

// A paid Checkout Session grants its top-up once, however often its event arrives; a refund
// voids what is left and reports what was spent.
func ExampleLedger_PayTopUp() {
	l, done := open()
	defer done()
	ctx := context.Background()
	acct, _ := l.CreateAccount(ctx, call("signup"), false)
	p, _ := l.PayTopUp(ctx, "stripe:cs_1", acct.ID, 150_00, "pi_1")
	fmt.Println("granted", p.Buckets[0].Credits)
	again, _ := l.PayTopUp(ctx, "stripe:cs_1", acct.ID, 150_00, "pi_1")
	fmt.Println("replayed", again.Replayed)
	v, _ := l.VoidPurchase(ctx, "stripe:refund:ch_1", acct.ID, "pi_1", ledger.Reversal{Reason: "refund", Actor: "stripe"})
	fmt.Println("voided", v.Voided, "spent", v.Spent)
	// Output:
	// granted 200.00
	// replayed true
	// voided 200.00 spent 0.00
}

package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/creditestimator/creditestimator/ledger"
)

// A sign-up, a hold priced by the rate card, its settle, and the balance after.
func Example() {
	dir, _ := os.MkdirTemp("", "ledger-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	l, err := ledger.Open(ctx, filepath.Join(dir, "ledger.db"), ledger.Options{})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	call := func(key string) ledger.Call { return ledger.Call{Scope: "operator", Key: key, RequestHash: key} }

	r, _ := l.CreateAccount(ctx, call("signup-1"), false)
	var acct struct {
		Account struct{ ID string } `json:"account"`
	}
	_ = json.Unmarshal(r.Body, &acct)

	spec, _ := ledger.DecodeHold([]byte(`{"spec":{"resolution":"4k","fps":60,"durationSeconds":10}}`))
	r, _ = l.Hold(ctx, call("hold-1"), acct.Account.ID, spec)
	var hold struct {
		Hold struct{ ID, Credits string } `json:"hold"`
	}
	_ = json.Unmarshal(r.Body, &hold)
	fmt.Println("held", hold.Hold.Credits)

	r, _ = l.Settle(ctx, call("settle-1"), hold.Hold.ID)
	fmt.Println(r.Status)

	b, _, _ := l.Balance(ctx, acct.Account.ID)
	fmt.Println("available", b.Available, "held", b.Held)

	rep, _ := l.Reconcile(ctx)
	fmt.Println("problems", len(rep.Problems))
	// Output:
	// held 5.00
	// 200
	// available 95.00 held 0.00
	// problems 0
}

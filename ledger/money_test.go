package ledger

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

var why = Reversal{Reason: "correction", Actor: "ops:alice", Memo: "double grant"}

func TestVoidBucket(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account()
		g := e.mustGrant(a, `{"kind":"topup","credits":"100"}`)
		top := g.Buckets[0].ID
		// 100 trial + 100 top-up; holds of 100 and 50 take all the trial and 50 of the top-up.
		e.mustHold(a, `{"spec":`+specOf(100)+`}`)
		h := e.mustHold(a, `{"spec":`+specOf(50)+`}`)
		v, err := e.l.Void(ctx, e.call("op", nil), a, top, why)
		require.NoError(t, err)
		assert.Equal(t, "50.00", v.Credits.String())
		assert.Equal(t, "50.00", v.Held.String())
		assert.Equal(t, "0.00", e.balance(a).Available.String())
		// The held part comes back to a voided bucket: it is voided at once.
		e.mustRelease(h.ID)
		assert.Equal(t, "0.00", e.balance(a).Available.String()) // the trial is held; the top-up voided
		_, err = e.l.Void(ctx, e.call("op", nil), a, top, why)
		assert.Equal(t, CodeBucketVoided, codeOf(t, err))
		_, err = e.l.Void(ctx, e.call("op", nil), a, "bkt_nope", why)
		assert.Equal(t, CodeNotFound, codeOf(t, err))
		_, err = e.l.Void(ctx, e.call("op", nil), a, top, Reversal{Reason: "Bad Reason", Actor: "x"})
		assert.Equal(t, estimator.CodeInvalidValue, codeOf(t, err))

		st, _, err := e.l.Entries(ctx, a, time.Time{}, time.Time{}, 0, 100)
		require.NoError(t, err)
		var voids []string
		for _, en := range st.Entries {
			if en.Type == EntryVoid {
				voids = append(voids, en.Credits.String()+" "+en.Reason+" "+en.Actor)
			}
		}
		assert.Equal(t, []string{"50.00 correction ops:alice", "50.00 voided ledger"}, voids)
		e.reconcileClean()
	})
}

func TestDebitNeverBelowZero(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account()
		e.mustGrant(a, `{"kind":"adjustment","credits":"20","expires":"2027-06-01T00:00:00Z","memo":"goodwill"}`)
		d, err := e.l.Debit(ctx, e.call("op", nil), a, DebitRequest{Credits: 110 * 100, Reversal: why})
		require.NoError(t, err)
		assert.Equal(t, []string{"trial:100.00", "adjustment:10.00"}, draws(d.Draws)) // spend order
		assert.Equal(t, "10.00", e.balance(a).Available.String())
		_, err = e.l.Debit(ctx, e.call("op", nil), a, DebitRequest{Credits: 1001, Reversal: why})
		r := refusal(t, err)
		require.NotNil(t, r)
		assert.Equal(t, CodeInsufficientBalance, r.Code)
		assert.Equal(t, "10.00", e.balance(a).Available.String()) // nothing taken
		_, err = e.l.Debit(ctx, e.call("op", nil), a, DebitRequest{Credits: 1000, Reversal: why})
		require.NoError(t, err)
		assert.Equal(t, "0.00", e.balance(a).Available.String())
		e.reconcileClean()
	})
}

func TestDecodeReversalAndDebit(t *testing.T) {
	for body, code := range map[string]string{
		`{"reason":"refund","actor":"ops"}`:                      "",
		`{"actor":"ops"}`:                                        estimator.CodeMissingField,
		`{"reason":"refund"}`:                                    estimator.CodeMissingField,
		`{"reason":"Refund!","actor":"ops"}`:                     estimator.CodeInvalidValue,
		`{"reason":"refund","actor":"ops","memo":"a\u0001"}`:     estimator.CodeInvalidValue,
		`{"reason":"refund","actor":"ops","extra":1}`:            estimator.CodeUnknownField,
		`{"reason":"refund","actor":"ops","credits":"1"}`:        estimator.CodeUnknownField,
		`{"reason":"refund","actor":"ops"} {}`:                   estimator.CodeInvalidJSON,
		`{"reason":"refund","actor":"` + string(make([]byte, 0)): estimator.CodeInvalidJSON,
	} {
		_, e := DecodeReversal([]byte(body))
		got := ""
		if e != nil {
			got = e.Code
		}
		assert.Equal(t, code, got, body)
	}
	d, e := DecodeDebit([]byte(`{"credits":"2.50","reason":"correction","actor":"ops","memo":"m"}`))
	require.Nil(t, e)
	assert.Equal(t, estimator.Credits(250), d.Credits)
	_, e = DecodeDebit([]byte(`{"credits":"-2.50","reason":"correction","actor":"ops"}`))
	require.NotNil(t, e)
	assert.Equal(t, "credits", e.Field)
}

func TestPartialSettle(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account()
		e.mustGrant(a, `{"kind":"topup","credits":"100"}`)
		// 4 videos of 30 credits: 100 from the trial, 20 from the top-up.
		h := e.mustHold(a, `{"spec":`+specOf(30)+`}`)
		_ = h
		four := `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"a fox in snow","count":4}`
		held, err := e.hold(a, `{"spec":`+four+`}`)
		require.NoError(t, err)
		e.mustRelease(h.ID)
		unit := held.Quote.Credits / 4
		c, err := e.l.SettleDelivered(ctx, e.call("op", nil), held.Hold.ID, Delivery{Count: 3})
		require.NoError(t, err)
		assert.Equal(t, unit*3, c.Credits)
		assert.Equal(t, unit, c.Returned)
		assert.Equal(t, HoldSettled, c.Hold.State)
		assert.Equal(t, estimator.Credits(200*100)-3*unit, e.balance(a).Available) // only 3 videos charged
		// Settling again (another key) answers as the first time, whatever it asks.
		again, err := e.l.SettleDelivered(ctx, e.call("op", nil), held.Hold.ID, Delivery{Count: 1})
		require.NoError(t, err)
		assert.Equal(t, c.Credits, again.Credits)
		assert.Equal(t, c.Returned, again.Returned)
		// Replay with the same key: the stored (partial) result.
		call := e.call("op", nil)
		h2, err := e.hold(a, `{"spec":`+four+`}`)
		require.NoError(t, err)
		first, err := e.l.SettleDelivered(ctx, call, h2.Hold.ID, Delivery{Count: 2})
		require.NoError(t, err)
		replay, err := e.l.SettleDelivered(ctx, call, h2.Hold.ID, Delivery{Count: 2})
		require.NoError(t, err)
		assert.True(t, replay.Replayed)
		replay.Replayed = false
		assert.Equal(t, first, replay)

		// More videos than held, and a different spec, are refused; nothing changes.
		h3, err := e.hold(a, `{"spec":`+four+`}`)
		require.NoError(t, err)
		_, err = e.l.SettleDelivered(ctx, e.call("op", nil), h3.Hold.ID, Delivery{Count: 5})
		assert.Equal(t, estimator.CodeOutOfRange, codeOf(t, err))
		longer := estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 20000, Prompt: "a fox in snow", Count: 4}
		_, err = e.l.SettleDelivered(ctx, e.call("op", nil), h3.Hold.ID, Delivery{Spec: &longer})
		assert.Equal(t, estimator.CodeOutOfRange, codeOf(t, err))
		other := estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 5000, Prompt: "a cat in snow", Count: 4}
		_, err = e.l.SettleDelivered(ctx, e.call("op", nil), h3.Hold.ID, Delivery{Spec: &other})
		assert.Equal(t, estimator.CodeInvalidValue, codeOf(t, err))
		// The delivered spec: 5 seconds of 4 videos — the engine's quote for it.
		shorter := estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 5000, Prompt: "a fox in snow", Count: 4}
		q, err := e.l.Card().Estimate(shorter)
		require.NoError(t, err)
		c3, err := e.l.SettleDelivered(ctx, e.call("op", nil), h3.Hold.ID, Delivery{Spec: &shorter})
		require.NoError(t, err)
		assert.Equal(t, q.Credits, c3.Credits)
		assert.Equal(t, h3.Hold.Credits-q.Credits, c3.Returned)
		assert.Less(t, q.Credits, h3.Hold.Credits)
		e.reconcileClean()
	})
}

func TestPartialSettleIntoExpiredAndVoidedBuckets(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{MaxHoldTTL: 60 * 24 * time.Hour})
		ctx := context.Background()
		a := e.account()                                                    // trial 100, expires in 30 days
		h, err := e.hold(a, `{"spec":`+specOf(40)+`,"ttlSeconds":3456000}`) // 40 days
		require.NoError(t, err)
		g := e.mustGrant(a, `{"kind":"topup","credits":"100"}`)
		h2 := e.mustHold(a, `{"spec":`+specOf(80)+`}`) // 60 trial + 20 top-up
		_, err = e.l.Void(ctx, e.call("op", nil), a, g.Buckets[0].ID, why)
		require.NoError(t, err)
		// The top-up part of h2 is voided when it comes back; 10 of 80 delivered.
		c, err := e.l.SettleDelivered(ctx, e.call("op", nil), h2.ID, Delivery{Count: 10})
		require.NoError(t, err)
		assert.Equal(t, "10.00", c.Credits.String())
		assert.Equal(t, "50.00", e.balance(a).Available.String()) // 50 trial back, 20 top-up voided
		e.clock.Add(35 * 24 * time.Hour)                          // the trial has expired; h is still open
		c, err = e.l.SettleDelivered(ctx, e.call("op", nil), h.Hold.ID, Delivery{Count: 1})
		require.NoError(t, err)
		assert.Equal(t, "1.00", c.Credits.String())
		assert.Equal(t, "0.00", e.balance(a).Available.String()) // the rest expired at once
		e.reconcileClean()
	})
}

func TestHoldTTLAndExtend(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{HoldTTL: time.Hour, MaxHoldTTL: 6 * time.Hour})
		ctx := context.Background()
		a := e.account()
		held, err := e.hold(a, `{"spec":`+spec1+`,"ttlSeconds":7200}`)
		require.NoError(t, err)
		assert.Equal(t, held.Hold.Created.Add(2*time.Hour), held.Hold.Expires)
		_, err = e.hold(a, `{"spec":`+spec1+`,"ttlSeconds":21601}`)
		r := refusal(t, err)
		require.NotNil(t, r)
		assert.Equal(t, estimator.CodeOutOfRange, r.Code)
		assert.Equal(t, "ttlSeconds", r.Field)

		e.clock.Add(90 * time.Minute)
		x, err := e.l.Extend(ctx, e.call("op", nil), held.Hold.ID, 5*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, e.clock.Now().Add(5*time.Hour), x.Hold.Expires)
		_, err = e.l.Extend(ctx, e.call("op", nil), held.Hold.ID, 7*time.Hour)
		assert.Equal(t, estimator.CodeOutOfRange, codeOf(t, err))
		e.clock.Add(4 * time.Hour) // 5.5 h after the hold: past its first deadline, not the new one
		c := e.mustSettle(held.Hold.ID)
		assert.Equal(t, "1.00", c.Credits.String())
		_, err = e.l.Extend(ctx, e.call("op", nil), held.Hold.ID, time.Hour)
		assert.Equal(t, CodeHoldSettled, codeOf(t, err))

		h2 := e.mustHold(a, `{"spec":`+spec1+`}`) // the default TTL
		e.clock.Add(61 * time.Minute)
		_, err = e.l.Extend(ctx, e.call("op", nil), h2.ID, time.Hour)
		assert.Equal(t, CodeHoldReleased, codeOf(t, err)) // released automatically first
		e.reconcileClean()

		for body, code := range map[string]string{
			`{"ttlSeconds":0}`: estimator.CodeOutOfRange, `{"ttlSeconds":1.5}`: estimator.CodeInvalidType,
			`{"ttlSeconds":"60"}`: estimator.CodeInvalidType, `{}`: estimator.CodeMissingField, `{"ttlSeconds":60}`: "",
		} {
			_, de := DecodeExtend([]byte(body))
			got := ""
			if de != nil {
				got = de.Code
			}
			assert.Equal(t, code, got, body)
		}
	})
}

// Idempotency keys are kept 30 days by default, across a restart; payment references forever.
func TestIdempotencyKeptAcrossRestart(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := b.dsn(t)
			c := newClock()
			l, err := Open(ctx, dsn, Options{Now: c.Now})
			require.NoError(t, err)
			assert.Equal(t, 30*24*time.Hour, l.IdempotencyTTL())
			acct, err := l.CreateAccount(ctx, Call{Scope: "op", Key: "make-1", RequestHash: "h"}, false)
			require.NoError(t, err)
			p, err := l.PayTopUp(ctx, "stripe:cs_1", acct.ID, 100*100, "pi_1")
			require.NoError(t, err)
			require.Len(t, p.Buckets, 1)
			require.NoError(t, l.Close())

			c.Add(29 * 24 * time.Hour) // Stripe retries for 3 days; keys last 30
			l, err = Open(ctx, dsn, Options{Now: c.Now})
			require.NoError(t, err)
			_, err = l.Sweep(ctx)
			require.NoError(t, err)
			again, err := l.CreateAccount(ctx, Call{Scope: "op", Key: "make-1", RequestHash: "h"}, false)
			require.NoError(t, err)
			assert.True(t, again.Replayed)
			assert.Equal(t, acct.ID, again.ID)
			require.NoError(t, l.Close())

			c.Add(400 * 24 * time.Hour) // keys are gone; payment references are not
			l, err = Open(ctx, dsn, Options{Now: c.Now})
			require.NoError(t, err)
			defer l.Close()
			_, err = l.Sweep(ctx)
			require.NoError(t, err)
			late, err := l.CreateAccount(ctx, Call{Scope: "op", Key: "make-1", RequestHash: "h"}, false)
			require.NoError(t, err)
			assert.False(t, late.Replayed) // a new account: the key was forgotten
			rp, err := l.PayTopUp(ctx, "stripe:cs_1", acct.ID, 100*100, "pi_1")
			require.NoError(t, err)
			assert.True(t, rp.Replayed)
			assert.Equal(t, p.Buckets, rp.Buckets)
			var n int
			require.NoError(t, l.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM buckets WHERE kind = 'topup'`).Scan(&n))
			assert.Equal(t, 1, n)
		})
	}
}

func TestPaymentsGrantVoidAndReplay(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account()
		p, err := e.l.PayTopUp(ctx, "stripe:cs_A", a, 150*100, "pi_A")
		require.NoError(t, err)
		require.Len(t, p.Buckets, 1)
		assert.Equal(t, "200.00", p.Buckets[0].Credits.String()) // the card's bundles: 2 × 100
		again, err := e.l.PayTopUp(ctx, "stripe:cs_A", a, 150*100, "pi_A")
		require.NoError(t, err)
		assert.True(t, again.Replayed)
		assert.Equal(t, "300.00", e.balance(a).Available.String())

		// Spend 250: the trial's 100 and 150 of the top-up; then the payment is refunded.
		for _, n := range []int{100, 100, 50} {
			e.mustSettle(e.mustHold(a, `{"spec":`+specOf(n)+`}`).ID)
		}
		acct, found, err := e.l.PurchaseAccount(ctx, "pi_A")
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, a, acct)
		refund := Reversal{Reason: "refund", Actor: "stripe", Memo: "ch_A"}
		v, err := e.l.VoidPurchase(ctx, "stripe:refund:ch_A", a, "pi_A", refund)
		require.NoError(t, err)
		assert.Equal(t, "50.00", v.Voided.String())
		assert.Equal(t, "150.00", v.Spent.String())
		assert.Equal(t, "0.00", e.balance(a).Available.String())
		// A dispute of the same charge later: nothing left to void, nothing spent anew.
		d, err := e.l.VoidPurchase(ctx, "stripe:dp_A", a, "pi_A", Reversal{Reason: "dispute", Actor: "stripe"})
		require.NoError(t, err)
		assert.Equal(t, "0.00", d.Voided.String())
		assert.Equal(t, "150.00", d.Spent.String())
		rv, err := e.l.VoidPurchase(ctx, "stripe:refund:ch_A", a, "pi_A", refund)
		require.NoError(t, err)
		assert.True(t, rv.Replayed)
		assert.Equal(t, v.Voided, rv.Voided)

		// A plan's invoice: the billing period the invoice covers, once.
		start := time.Date(2026, 11, 5, 9, 30, 0, 0, time.UTC)
		pp, err := e.l.PayPlan(ctx, "stripe:in_1", a, "basic", start, start, "pi_P1", "sub_1")
		require.NoError(t, err)
		require.Len(t, pp.Buckets, 2)
		assert.Equal(t, time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC), pp.Buckets[0].Expires)
		// The renewal: the next period of the same anchor.
		e.clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC))
		pr, err := e.l.PayPlan(ctx, "stripe:in_2", a, "basic", time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC), start, "pi_P2", "sub_1")
		require.NoError(t, err)
		require.Len(t, pr.Buckets, 2)
		assert.Equal(t, time.Date(2027, 1, 5, 9, 30, 0, 0, time.UTC), pr.Buckets[0].Expires)
		// Another invoice for a period already granted: paid, recorded, nothing granted.
		dup, err := e.l.PayPlan(ctx, "stripe:in_3", a, "basic", time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC), start, "pi_P3", "sub_1")
		require.NoError(t, err)
		assert.Empty(t, dup.Buckets)
		assert.Contains(t, dup.Note, CodeAlreadyGranted)
		_, err = e.l.EndSubscription(ctx, "stripe:sub_1:deleted", a, "sub_1")
		require.NoError(t, err)
		ended, err := e.l.SubscriptionEnded(ctx, "sub_1")
		require.NoError(t, err)
		assert.True(t, ended)
		e.reconcileClean()
	})
}

// Reconcile checks reversals: a void or debit without its reason and actor, void entries on a
// bucket never voided, and a partial charge whose entries disagree with the hold are reported.
func TestReconcileChecksReversals(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account()
		g := e.mustGrant(a, `{"kind":"topup","credits":"100"}`)
		_, err := e.l.Void(ctx, e.call("op", nil), a, g.Buckets[0].ID, why)
		require.NoError(t, err)
		_, err = e.l.Debit(ctx, e.call("op", nil), a, DebitRequest{Credits: 500, Reversal: why})
		require.NoError(t, err)
		h := e.mustHold(a, `{"spec":`+specOf(4)+`}`)
		_, err = e.l.SettleDelivered(ctx, e.call("op", nil), h.ID, Delivery{Count: 3})
		require.NoError(t, err)
		e.reconcileClean()
		problems := func() []string {
			r, err := e.l.Reconcile(ctx)
			require.NoError(t, err)
			var out []string
			for _, p := range r.Problems {
				out = append(out, p.Message)
			}
			return out
		}
		_, err = e.l.db.ExecContext(ctx, e.l.q(`UPDATE entries SET actor = '' WHERE type = ?`), EntryDebit)
		require.NoError(t, err)
		assert.NotEmpty(t, problems())
		_, err = e.l.db.ExecContext(ctx, e.l.q(`UPDATE entries SET actor = 'x' WHERE type = ?`), EntryDebit)
		require.NoError(t, err)
		e.reconcileClean()
		_, err = e.l.db.ExecContext(ctx, e.l.q(`UPDATE buckets SET voided_at = NULL WHERE id = ?`), g.Buckets[0].ID)
		require.NoError(t, err)
		assert.Contains(t, problems(), "void entries of 10000 on a bucket that was never voided")
		_, err = e.l.db.ExecContext(ctx, e.l.q(`UPDATE buckets SET voided_at = 1 WHERE id = ?`), g.Buckets[0].ID)
		require.NoError(t, err)
		_, err = e.l.db.ExecContext(ctx, e.l.q(`UPDATE holds SET charged = 400 WHERE id = ?`), h.ID) // as if all 4 were charged
		require.NoError(t, err)
		assert.NotEmpty(t, problems())
	})
}

// Stripe may deliver one event several times at once: one grant, every answer the same.
func TestConcurrentPaymentReplays(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account()
		var wg sync.WaitGroup
		results := make([]Payment, 16)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := e.l.PayTopUp(ctx, "stripe:cs_dup", a, 100*100, "pi_dup")
				if assert.NoError(t, err) {
					results[i] = p
				}
			}()
		}
		wg.Wait()
		fresh := 0
		for _, p := range results {
			if !p.Replayed {
				fresh++
			}
			require.Len(t, p.Buckets, 1)
			assert.Equal(t, results[0].Buckets[0].ID, p.Buckets[0].ID)
		}
		assert.Equal(t, 1, fresh)
		assert.Equal(t, "200.00", e.balance(a).Available.String())
		e.reconcileClean()
	})
}

// A standard-queue hold charges nothing, partially or not, but its delivery is still checked.
func TestPartialSettleStandardQueue(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		a := e.account()
		h := e.mustHold(a, `{"spec":`+specOf(4)+`,"queue":"standard"}`)
		_, err := e.l.SettleDelivered(ctx, e.call("op", nil), h.ID, Delivery{Count: 5})
		assert.Equal(t, estimator.CodeOutOfRange, codeOf(t, err))
		c, err := e.l.SettleDelivered(ctx, e.call("op", nil), h.ID, Delivery{Count: 2})
		require.NoError(t, err)
		assert.Equal(t, "0.00", c.Credits.String())
		assert.Equal(t, HoldSettled, c.Hold.State)
		assert.Equal(t, "100.00", e.balance(a).Available.String())
		e.reconcileClean()
	})
}

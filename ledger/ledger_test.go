package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

func TestTrialHoldSettleRelease(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		b := e.balance(a)
		assert.Equal(t, "100.00", b.Available.String())
		require.Len(t, b.Buckets, 1)
		assert.Equal(t, "trial", b.Buckets[0].Kind)
		assert.Equal(t, time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC), b.Buckets[0].Expires) // the card's 30 days

		held, err := e.hold(a, `{"spec":`+specOf(5)+`}`)
		require.NoError(t, err)
		assert.Equal(t, "5.00", held.Hold.Credits.String())
		assert.Equal(t, "fast", held.Hold.Queue)
		assert.Equal(t, HoldHeld, held.Hold.State)
		assert.Equal(t, "5.00", held.Quote.Credits.String())
		assert.Equal(t, estimator.Default().Digest(), held.Hold.RateCard.Digest)
		assert.Equal(t, estimator.Default().Digest(), held.Quote.RateCard.Digest)
		assert.False(t, held.Replayed)
		b = e.balance(a)
		assert.Equal(t, "95.00", b.Available.String())
		assert.Equal(t, "5.00", b.Held.String())

		charge := e.mustSettle(held.Hold.ID)
		assert.Equal(t, "5.00", charge.Credits.String())
		assert.Equal(t, HoldSettled, charge.Hold.State)
		assert.Equal(t, []string{"trial:5.00"}, draws(charge.Draws))
		b = e.balance(a)
		assert.Equal(t, "95.00", b.Available.String())
		assert.Equal(t, "0.00", b.Held.String())

		id2 := e.mustHold(a, `{"spec":`+specOf(7)+`}`).ID
		assert.Equal(t, "88.00", e.balance(a).Available.String())
		refund := e.mustRelease(id2)
		assert.Equal(t, "7.00", refund.Credits.String())
		assert.Equal(t, HoldReleased, refund.Hold.State)
		assert.Equal(t, "95.00", e.balance(a).Available.String())
		e.reconcileClean()
	})
}

func TestSettleReleaseConflicts(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		id := e.mustHold(a, `{"spec":`+spec1+`}`).ID
		first := e.mustSettle(id)
		again := e.mustSettle(id) // another key: answers as the first time, charges nothing more
		assert.False(t, again.Replayed)
		assert.Equal(t, first, again)
		_, err := e.release(id)
		assert.Equal(t, CodeHoldSettled, codeOf(t, err))

		id2 := e.mustHold(a, `{"spec":`+spec1+`}`).ID
		e.mustRelease(id2)
		e.mustRelease(id2)
		_, err = e.settle(id2)
		assert.Equal(t, CodeHoldReleased, codeOf(t, err))
		assert.Equal(t, "99.00", e.balance(a).Available.String())

		_, err = e.l.Settle(context.Background(), e.call("op", nil), "hold_nope")
		assert.Equal(t, CodeNotFound, codeOf(t, err))
		e.reconcileClean()
	})
}

func TestSpendOrderAndExpiry(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account() // trial 100, expires in 30 days
		// adjustment expiring in 10 days pays first; then two buckets expiring together: by kind
		e.mustGrant(a, `{"kind":"adjustment","credits":"3.00","expires":"`+e.clock.at(10*24*time.Hour).Format(time.RFC3339)+`"}`)
		e.mustGrant(a, `{"kind":"adjustment","credits":"2.00","expires":"2026-12-10T12:00:00Z"}`)
		g := e.mustGrant(a, `{"kind":"topup","credits":"100"}`)
		require.NotNil(t, g.Purchase)
		assert.Equal(t, "100.00", g.Purchase.Credits.String())
		assert.Contains(t, string(g.Purchase.Engine), `"totalUsd":"10.00"`)

		h := e.mustHold(a, `{"spec":`+specOf(6)+`}`)
		assert.Equal(t, []string{"adjustment:3.00", "trial:3.00"}, draws(h.Draws)) // ties: trial before adjustment

		// 31 days on, the trial and adjustments have expired: only the top-up is left, whatever
		// the clock said when the hold was written.
		e.clock.Add(31 * 24 * time.Hour)
		b := e.balance(a)
		assert.Equal(t, "100.00", b.Available.String())
		require.Len(t, b.Buckets, 1)
		assert.Equal(t, "topup", b.Buckets[0].Kind)
		_, err := e.hold(a, `{"spec":{"resolution":"4k","fps":60,"durationSeconds":10,"count":21}}`)
		r := refusal(t, err)
		require.NotNil(t, r)
		assert.Equal(t, CodeInsufficientCredits, r.Code)
		assert.Equal(t, "105.00", r.Needed.String())
		assert.Equal(t, "100.00", r.Available.String())
		e.reconcileClean()
	})
}

func TestAutoRelease(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{HoldTTL: 10 * time.Minute})
		a := e.account()
		id := e.mustHold(a, `{"spec":`+specOf(4)+`}`).ID
		e.clock.Add(9 * time.Minute)
		assert.Equal(t, "4.00", e.balance(a).Held.String())
		e.clock.Add(time.Minute)
		b := e.balance(a)
		assert.Equal(t, "0.00", b.Held.String())
		assert.Equal(t, "100.00", b.Available.String())
		_, err := e.settle(id)
		r := refusal(t, err)
		require.NotNil(t, r)
		assert.Equal(t, CodeHoldReleased, r.Code)
		assert.Contains(t, r.Message, "automatically")
		e.mustRelease(id)
		// the sweeper does the same for accounts nobody touches
		id2 := e.mustHold(a, `{"spec":`+specOf(2)+`}`).ID
		e.clock.Add(11 * time.Minute)
		n, err := e.l.Sweep(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		_, err = e.settle(id2)
		assert.Equal(t, CodeHoldReleased, codeOf(t, err))
		e.reconcileClean()
	})
}

func TestReleaseIntoExpiredBucket(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{HoldTTL: 48 * time.Hour})
		a := e.account()
		e.mustGrant(a, `{"kind":"adjustment","credits":"5.00","expires":"`+e.clock.at(time.Hour).Format(time.RFC3339)+`"}`)
		id := e.mustHold(a, `{"spec":`+specOf(5)+`}`).ID
		e.clock.Add(2 * time.Hour)
		e.mustRelease(id)
		b := e.balance(a)
		assert.Equal(t, "100.00", b.Available.String()) // the 5.00 went back to a bucket that had expired
		st, _, err := e.l.Entries(context.Background(), a, time.Time{}, time.Time{}, 0, 0)
		require.NoError(t, err)
		last := st.Entries[len(st.Entries)-1]
		assert.Equal(t, "expire", last.Type)
		assert.Equal(t, "5.00", last.Credits.String())
		e.reconcileClean()
	})
}

func TestStaleQuote(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		d := estimator.Default().Digest()
		_, err := e.hold(a, `{"spec":`+spec1+`,"quote":{"credits":"0.50","rateCard":{"digest":"`+d+`"}}}`)
		r := refusal(t, err)
		require.NotNil(t, r)
		assert.Equal(t, CodeStaleQuote, r.Code)
		assert.Equal(t, "quote", r.Field)
		require.NotNil(t, r.Quote)
		assert.Equal(t, "1.00", r.Quote.Credits.String())
		_, err = e.hold(a, `{"spec":`+spec1+`,"quote":{"credits":"1.00","rateCard":{"digest":"sha256:old"}}}`)
		assert.Equal(t, CodeStaleQuote, codeOf(t, err))
		e.mustHold(a, `{"spec":`+spec1+`,"quote":{"credits":"1.00","rateCard":{"version":"x","digest":"`+d+`"}}}`)
		assert.Equal(t, "99.00", e.balance(a).Available.String())
	})
}

func TestInsufficientAndStandardQueue(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{Card: cardWithTrial(t, "10")})
		a := e.account()
		_, err := e.hold(a, `{"spec":`+specOf(12)+`}`)
		r := refusal(t, err)
		require.NotNil(t, r)
		assert.Equal(t, CodeInsufficientCredits, r.Code)
		assert.Equal(t, "12.00", r.Needed.String())
		assert.Equal(t, "10.00", r.Available.String())
		require.NotNil(t, r.TopUp)
		assert.Equal(t, "2.00", r.TopUp.Need.String())
		assert.Equal(t, "100.00", r.TopUp.Credits.String())
		assert.Contains(t, string(r.TopUp.Engine), `"totalUsd":"10.00"`)
		require.NotNil(t, r.Standard)
		assert.Equal(t, "4", r.Standard.Slowdown)
		require.NotNil(t, r.Quote)
		assert.Equal(t, "12.00", r.Quote.Credits.String())

		h := e.mustHold(a, `{"spec":`+specOf(12)+`,"queue":"standard"}`)
		assert.Equal(t, "0.00", h.Credits.String())
		assert.Equal(t, "standard", h.Queue)
		assert.Empty(t, h.Draws)
		assert.Equal(t, "0.00", e.mustSettle(h.ID).Credits.String())
		assert.Equal(t, "10.00", e.balance(a).Available.String())
		st, _, err := e.l.Entries(context.Background(), a, time.Time{}, time.Time{}, 0, 0)
		require.NoError(t, err)
		var types []string
		for _, x := range st.Entries {
			types = append(types, x.Type)
		}
		assert.Equal(t, []string{"grant", "hold", "settle"}, types)
		e.reconcileClean()
	})
}

func TestIdempotency(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		body := `{"spec":` + spec1 + `}`
		h, _ := DecodeHold([]byte(body))
		call := Call{Scope: "op", Key: "same-key", RequestHash: HashRequest("POST", "/h", []byte(body))}
		r1, err := e.l.Hold(context.Background(), call, a, h)
		require.NoError(t, err)
		r2, err := e.l.Hold(context.Background(), call, a, h)
		require.NoError(t, err)
		assert.False(t, r1.Replayed)
		assert.True(t, r2.Replayed)
		r2.Replayed = false
		assert.Equal(t, r1, r2, "a replay is the first result")
		assert.Equal(t, "99.00", e.balance(a).Available.String())

		call.RequestHash = HashRequest("POST", "/h", []byte(body+" "))
		_, err = e.l.Hold(context.Background(), call, a, h)
		assert.Equal(t, CodeIdempotencyConflict, codeOf(t, err))

		// keys are per caller: the same key from another caller is a new request
		call2 := call
		call2.Scope = "acct:" + a
		r4, err := e.l.Hold(context.Background(), call2, a, h)
		require.NoError(t, err)
		assert.NotEqual(t, r1.Hold.ID, r4.Hold.ID)

		// a refusal is replayed too
		big := `{"spec":` + specOf(99) + `}` // 98.00 are available
		hb, _ := DecodeHold([]byte(big))
		callBig := Call{Scope: "op", Key: "too-big", RequestHash: "b"}
		_, err = e.l.Hold(context.Background(), callBig, a, hb)
		first := refusal(t, err)
		require.NotNil(t, first)
		_, err = e.l.Hold(context.Background(), callBig, a, hb)
		second := refusal(t, err)
		require.NotNil(t, second)
		assert.False(t, first.Replayed)
		assert.True(t, second.Replayed)
		second.Replayed = false
		assert.Equal(t, first, second)

		// without a token key, a replayed account creation cannot show the token again
		c := Call{Scope: "op", Key: "acct-key", RequestHash: "h"}
		acct, err := e.l.CreateAccount(context.Background(), c, false)
		require.NoError(t, err)
		again, err := e.l.CreateAccount(context.Background(), c, false)
		require.NoError(t, err)
		assert.NotEmpty(t, acct.Token)
		assert.Empty(t, again.Token)
		assert.Equal(t, acct.ID, again.ID)
		assert.Equal(t, acct.Buckets, again.Buckets)

		// concurrent retries of one key: one hold
		var wg sync.WaitGroup
		call3 := Call{Scope: "op", Key: "race", RequestHash: "x"}
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.l.Hold(context.Background(), call3, a, h)
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		assert.Equal(t, "97.00", e.balance(a).Available.String())
		e.reconcileClean()
	})
}

// With a token key, a retried account creation answers exactly the first answer, token
// included, while neither the idempotency record nor the account row holds the token in the clear.
// Under another key, or none, the token cannot be derived and the retry has none.
func TestCreateAccountRetryAnswersToken(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		key := []byte("0123456789abcdef-operator-key")
		e := open(Options{TokenKey: key})
		ctx := context.Background()
		c := Call{Scope: "op", Key: "create-1", RequestHash: "h"}
		first, err := e.l.CreateAccount(ctx, c, false)
		require.NoError(t, err)
		assert.False(t, first.Replayed)
		token := first.Token
		require.NotEmpty(t, token)
		id := first.ID

		second, err := e.l.CreateAccount(ctx, c, false)
		require.NoError(t, err)
		assert.True(t, second.Replayed)
		second.Replayed = false
		assert.Equal(t, first, second, "a retry gets the first result, token included")
		got, found, err := e.l.AccountByToken(ctx, token)
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, id, got)

		answered, err := e.l.Answered(ctx, "op", "create-1")
		require.NoError(t, err)
		assert.True(t, answered)
		answered, err = e.l.Answered(ctx, "op", "never-used")
		require.NoError(t, err)
		assert.False(t, answered)

		// another creation gets another account and another token
		other, err := e.l.CreateAccount(ctx, Call{Scope: "op", Key: "create-2", RequestHash: "h"}, false)
		require.NoError(t, err)
		assert.NotEqual(t, token, other.Token)
		assert.NotEqual(t, id, other.ID)

		// the token is nowhere in the database in the clear
		var stored []byte
		require.NoError(t, e.l.db.QueryRowContext(ctx, e.l.q(`SELECT response FROM idempotency WHERE scope = ? AND idem_key = ?`), "op", "create-1").Scan(&stored))
		assert.NotContains(t, string(stored), token)
		o, err := loadOutcome(storedFormat, stored)
		require.NoError(t, err)
		assert.Equal(t, id, o.Account.ID)
		assert.Empty(t, o.Account.Token)
		var hash, salt string
		require.NoError(t, e.l.db.QueryRowContext(ctx, e.l.q(`SELECT token_hash, token_salt FROM accounts WHERE id = ?`), id).Scan(&hash, &salt))
		assert.NotContains(t, hash+salt, token[len("cet_"):])

		// the same database under another key, or none: the token cannot be derived
		for _, o := range []Options{{TokenKey: []byte("another-key-of-enough-bytes")}, {}} {
			e2 := open(o)
			r, err := e2.l.CreateAccount(ctx, c, false)
			require.NoError(t, err)
			assert.True(t, r.Replayed)
			assert.Empty(t, r.Token)
			assert.Equal(t, id, r.ID)
		}

		_, err = Open(ctx, filepath.Join(t.TempDir(), "short.db"), Options{TokenKey: []byte("short")})
		assert.ErrorContains(t, err, "at least 16 bytes")
	})
}

func TestPlanGrantsAndPriority(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		g := e.mustGrant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-11-01"}`)
		require.Len(t, g.Buckets, 2)
		assert.Nil(t, g.Purchase)
		assert.Equal(t, KindMonthly, g.Buckets[0].Kind)
		assert.Equal(t, "basic", g.Buckets[0].Plan)
		assert.Equal(t, "500.00", g.Buckets[0].Credits.String())
		assert.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), g.Buckets[0].Expires)
		assert.Equal(t, KindPriority, g.Buckets[1].Kind)
		assert.Equal(t, "50.00", g.Buckets[1].Credits.String())
		_, err := e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-11-15"}`)
		assert.Equal(t, CodeAlreadyGranted, codeOf(t, err))
		_, err = e.grant(a, `{"kind":"plan","plan":"gold","periodStart":"2026-12-01"}`)
		assert.Equal(t, estimator.CodeUnknownPlan, codeOf(t, err))
		_, err = e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-10-01"}`)
		assert.Equal(t, estimator.CodeInvalidDate, codeOf(t, err))

		// Basic (standard-queue plan): expiring first, monthly before priority.
		for i := 0; i < 5; i++ {
			h := e.mustHold(a, `{"spec":`+specOf(100)+`}`)
			assert.Equal(t, KindMonthly, h.Draws[0].Kind)
		}
		h := e.mustHold(a, `{"spec":`+specOf(20)+`}`)
		assert.Equal(t, []string{"priority:20.00"}, draws(h.Draws))

		// With a fast-queue plan (Premium) live, priority credits buy nothing and pay last.
		b := e.account()
		e.mustGrant(b, `{"kind":"plan","plan":"basic","periodStart":"2026-11-01"}`)
		e.mustGrant(b, `{"kind":"plan","plan":"premium","periodStart":"2026-11-01"}`)
		h = e.mustHold(b, `{"spec":`+specOf(100)+`}`)
		for _, d := range h.Draws {
			assert.NotEqual(t, KindPriority, d.Kind)
		}
		e.reconcileClean()
	})
}

func TestBalanceExpiringAndForecast(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		b := e.balance(a)
		assert.True(t, b.Forecast.RunsOut.IsZero())
		assert.Equal(t, "100.00", b.Expiring.Credits.String()) // the trial expires within 30 days
		// spend 3.00 a day for 10 days: 70.00 left at 0.10/day (30 credits/30 days) → 70 days,
		// but the trial expires in 20 days: it runs out when the trial expires.
		for i := 0; i < 10; i++ {
			e.mustSettle(e.mustHold(a, `{"spec":`+specOf(3)+`}`).ID)
			e.clock.Add(24 * time.Hour)
		}
		b = e.balance(a)
		require.False(t, b.Forecast.RunsOut.IsZero())
		assert.Equal(t, "30.00", b.Forecast.Spent.String())
		assert.Equal(t, "1.00", b.Forecast.PerDay.String())
		assert.Equal(t, "2026-12-10", b.Forecast.RunsOut.Format("2006-01-02"))
		e.mustGrant(a, `{"kind":"topup","credits":"1000"}`)
		b = e.balance(a)
		// 70 trial credits last until the trial expires (20 days); then 1000 at 1/day would last
		// 1000 days, but the top-up expires after the card's 180 days: that is the run-out date.
		assert.Equal(t, "2027-05-19", b.Forecast.RunsOut.Format("2006-01-02"))
		assert.Equal(t, "70.00", b.Expiring.Credits.String())
	})
}

func TestEntriesWindow(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		start := e.clock.Now()
		for i := 0; i < 5; i++ {
			e.clock.Add(time.Hour)
			e.mustSettle(e.mustHold(a, `{"spec":`+spec1+`}`).ID)
		}
		all, ok, err := e.l.Entries(context.Background(), a, time.Time{}, time.Time{}, 0, 0)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Len(t, all.Entries, 11)
		w, _, err := e.l.Entries(context.Background(), a, start.Add(90*time.Minute), start.Add(3*time.Hour+time.Minute), 0, 0)
		require.NoError(t, err)
		assert.Len(t, w.Entries, 4)
		p, _, err := e.l.Entries(context.Background(), a, time.Time{}, time.Time{}, 0, 4)
		require.NoError(t, err)
		require.NotZero(t, p.Next)
		p2, _, err := e.l.Entries(context.Background(), a, time.Time{}, time.Time{}, p.Next, 4)
		require.NoError(t, err)
		assert.Equal(t, all.Entries[4].Seq, p2.Entries[0].Seq)
		_, ok, err = e.l.Entries(context.Background(), "acct_nope", time.Time{}, time.Time{}, 0, 0)
		require.NoError(t, err)
		assert.False(t, ok)
	})
}

func TestConcurrentHoldsNeverOverspend(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{Card: cardWithTrial(t, "10")})
		a := e.account()
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		start := make(chan struct{})
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				body := `{"spec":` + spec1 + `}`
				h, _ := DecodeHold([]byte(body))
				_, err := e.l.Hold(context.Background(), e.call("op", []byte(body)), a, h)
				code := "held"
				var r *Error
				if errors.As(err, &r) {
					code = r.Code
				} else {
					assert.NoError(t, err)
				}
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		assert.Equal(t, map[string]int{"held": 10, CodeInsufficientCredits: 54}, codes)
		b := e.balance(a)
		assert.Equal(t, "0.00", b.Available.String())
		assert.Equal(t, "10.00", b.Held.String())
		e.reconcileClean()
	})
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		name, body, code, field string
	}{
		{"not json", `{`, "invalid_json", ""},
		{"array", `[]`, "invalid_type", ""},
		{"two values", `{"spec":{}} {}`, "invalid_json", ""},
		{"bad utf8", "{\"spec\":\"\xff\"}", "invalid_utf8", "spec"}, // the engine's parser names where
		{"trailing junk", `{"spec":` + spec1 + `}xyz`, "invalid_json", ""},
		{"trailing brace", `{"spec":` + spec1 + `}}`, "invalid_json", ""},
		{"unknown", `{"spec":` + spec1 + `,"price":1}`, "unknown_field", "price"},
		{"duplicate", `{"spec":` + spec1 + `,"spec":` + spec1 + `}`, "duplicate_field", "spec"},
		{"no spec", `{}`, "missing_field", "spec"},
		{"spec error", `{"spec":{"resolution":"1080p","fps":25,"durationSeconds":10}}`, "", ""},
		{"spec unknown", `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"x":1}}`, "unknown_field", "spec.x"},
		{"queue", `{"spec":` + spec1 + `,"queue":"turbo"}`, CodeUnsupportedQueue, "queue"},
		{"queue type", `{"spec":` + spec1 + `,"queue":1}`, "invalid_type", "queue"},
		{"quote credits", `{"spec":` + spec1 + `,"quote":{"credits":"1.001","rateCard":{"digest":"x"}}}`, "invalid_value", "quote.credits"},
		{"quote number", `{"spec":` + spec1 + `,"quote":{"credits":1,"rateCard":{"digest":"x"}}}`, "invalid_type", "quote.credits"},
		{"quote card", `{"spec":` + spec1 + `,"quote":{"credits":"1"}}`, "missing_field", "quote.rateCard"},
		{"quote digest", `{"spec":` + spec1 + `,"quote":{"credits":"1","rateCard":{}}}`, "missing_field", "quote.rateCard.digest"},
	} {
		t.Run("hold/"+c.name, func(t *testing.T) {
			_, e := DecodeHold([]byte(c.body))
			if c.code == "" { // decodes; the card rejects it when pricing
				require.Nil(t, e)
				return
			}
			require.NotNil(t, e)
			assert.Equal(t, c.code, e.Code, e.Message)
			assert.Equal(t, c.field, e.Field)
			assert.GreaterOrEqual(t, estimator.HTTPStatus(e.Code), 400)
		})
	}
	for _, c := range []struct {
		name, body, code, field string
	}{
		{"no kind", `{}`, "missing_field", "kind"},
		{"trial", `{"kind":"trial"}`, CodeUnsupportedGrantKind, "kind"},
		{"plan member on topup", `{"kind":"topup","credits":"5","plan":"basic"}`, "unknown_field", "plan"},
		{"plan no date", `{"kind":"plan","plan":"basic"}`, "missing_field", "periodStart"},
		{"plan bad date", `{"kind":"plan","plan":"basic","periodStart":"2026-13-01"}`, "invalid_date", "periodStart"},
		{"topup zero", `{"kind":"topup","credits":"0"}`, "out_of_range", "credits"},
		{"topup negative", `{"kind":"topup","credits":"-5"}`, "invalid_value", "credits"},
		{"topup huge", `{"kind":"topup","credits":"1000000000.01"}`, "out_of_range", "credits"},
		{"topup exponent", `{"kind":"topup","credits":"1e3"}`, "invalid_value", "credits"},
		{"adjustment no expiry", `{"kind":"adjustment","credits":"5"}`, "missing_field", "expires"},
		{"adjustment bad expiry", `{"kind":"adjustment","credits":"5","expires":"soon"}`, "invalid_date", "expires"},
		{"adjustment after 9999 in UTC", `{"kind":"adjustment","credits":"5","expires":"9999-12-31T23:30:00-00:31"}`, "invalid_date", "expires"},
		{"plan period ending after 9999", `{"kind":"plan","plan":"basic","periodStart":"9999-12-01"}`, "invalid_date", "periodStart"},
		{"trailing junk", `{"kind":"adjustment","credits":"5","expires":"2030-01-01T00:00:00Z"}xyz`, "invalid_json", ""},
		{"two objects", `{"kind":"topup","credits":"5"}{"kind":"topup","credits":"5"}`, "invalid_json", ""},
		{"duplicate", `{"kind":"topup","credits":"5","credits":"6"}`, "duplicate_field", "credits"},
		{"memo control", `{"kind":"adjustment","credits":"5","expires":"2030-01-01T00:00:00Z","memo":"a\nb"}`, "invalid_value", "memo"},
		{"memo long", `{"kind":"adjustment","credits":"5","expires":"2030-01-01T00:00:00Z","memo":"` + strings.Repeat("m", 201) + `"}`, "out_of_range", "memo"},
	} {
		t.Run("grant/"+c.name, func(t *testing.T) {
			_, e := DecodeGrant([]byte(c.body))
			require.NotNil(t, e)
			assert.Equal(t, c.code, e.Code, e.Message)
			assert.Equal(t, c.field, e.Field)
		})
	}
	for _, k := range []struct{ key, code string }{{"", CodeMissingIdempotencyKey}, {"a b", "invalid_value"}, {strings.Repeat("k", 256), "out_of_range"}} {
		e := CheckKey(k.key)
		require.NotNil(t, e)
		assert.Equal(t, k.code, e.Code)
	}
	assert.Nil(t, DecodeEmpty(nil))
	assert.Nil(t, DecodeEmpty([]byte(" {} ")))
	assert.NotNil(t, DecodeEmpty([]byte(`{"x":1}`)))
	for _, junk := range []string{`{}}}}`, `{}xyz`, `{} {}`, `{}]`, "{}\x00"} {
		e := DecodeEmpty([]byte(junk))
		if assert.NotNil(t, e, junk) {
			assert.Equal(t, estimator.CodeInvalidJSON, e.Code, junk)
		}
	}
}

func TestParseInstant(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" when refused
	}{
		{"2027-01-02", "2027-01-02T00:00:00Z"},
		{"2027-01-02T03:04:05.123456789+02:00", "2027-01-02T01:04:05.123456789Z"},
		{"9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"},
		{"9999-12-31T23:59:59.9999999Z", ""}, // past the last microsecond
		{"9999-12-31T23:00:00-05:00", ""},    // 10000-01-01T04:00:00Z in UTC
		{"10000-01-01T00:00:00Z", ""},
		{"2027-01-02T03:04:05", ""},
		{"", ""},
	} {
		got, ok := ParseInstant(c.in)
		if c.want == "" {
			assert.False(t, ok, c.in)
			continue
		}
		if assert.True(t, ok, c.in) {
			assert.Equal(t, c.want, got.Format(time.RFC3339Nano), c.in)
		}
	}
}

func TestLedgerErrorsTable(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		spent := e.mustHold(a, `{"spec":`+spec1+`}`).ID
		e.mustSettle(spent)
		released := e.mustHold(a, `{"spec":`+spec1+`}`).ID
		e.mustRelease(released)
		second := func(_ any, err error) error { return err }
		cases := []struct {
			name  string
			err   error
			code  string
			field string
		}{
			{"hold unknown account", second(e.hold("acct_x", `{"spec":`+spec1+`}`)), CodeNotFound, ""},
			{"grant unknown account", second(e.grant("acct_x", `{"kind":"topup","credits":"5"}`)), CodeNotFound, ""},
			{"spec rejected by card", second(e.hold(a, `{"spec":{"resolution":"8k","fps":30,"durationSeconds":10}}`)), "unsupported_resolution", "spec.resolution"},
			{"insufficient", second(e.hold(a, `{"spec":`+specOf(100)+`}`)), CodeInsufficientCredits, ""},
			{"stale quote", second(e.hold(a, `{"spec":`+spec1+`,"quote":{"credits":"2","rateCard":{"digest":"d"}}}`)), CodeStaleQuote, "quote"},
			{"settle released", second(e.settle(released)), CodeHoldReleased, ""},
			{"release settled", second(e.release(spent)), CodeHoldSettled, ""},
			{"settle unknown", second(e.settle("hold_x")), CodeNotFound, ""},
			{"unknown plan", second(e.grant(a, `{"kind":"plan","plan":"x","periodStart":"2026-12-01"}`)), "unknown_plan", "plan"},
			{"plan over", second(e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"2020-01-01"}`)), "invalid_date", "periodStart"},
			{"adjustment past", second(e.grant(a, `{"kind":"adjustment","credits":"1","expires":"2020-01-01T00:00:00Z"}`)), "invalid_date", "expires"},
			{"missing key", second(e.l.Settle(context.Background(), Call{Scope: "op"}, spent)), CodeMissingIdempotencyKey, "Idempotency-Key"},
		}
		for _, c := range cases {
			r := refusal(t, c.err)
			if assert.NotNil(t, r, c.name) {
				assert.Equal(t, c.code, r.Code, c.name)
				assert.Equal(t, c.field, r.Field, c.name)
				assert.NotEmpty(t, r.Message, c.name)
				assert.ErrorContains(t, c.err, c.code, c.name)
			}
		}
		e.reconcileClean()
	})
}

func TestMigrationsIdempotent(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		// opening again applies nothing and keeps the data
		require.NoError(t, migrate(context.Background(), e.l.db, e.l.dialect, migrations))
		assert.Equal(t, "100.00", e.balance(a).Available.String())
		// a database from a newer program is refused
		_, err := e.l.db.Exec(e.l.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`), len(migrations)+1, "future", 0)
		require.NoError(t, err)
		assert.ErrorContains(t, migrate(context.Background(), e.l.db, e.l.dialect, migrations), "newer")
	})
}

func TestReconcileFindsTampering(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		e.mustSettle(e.mustHold(a, `{"spec":`+spec1+`}`).ID)
		e.reconcileClean()
		_, err := e.l.db.Exec(e.l.q(`UPDATE buckets SET remaining = remaining + 1 WHERE account_id = ?`), a)
		require.NoError(t, err)
		r, err := e.l.Reconcile(context.Background())
		require.NoError(t, err)
		assert.NotEmpty(t, r.Problems)
	})
}

func TestIdempotencyKeysExpire(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{IdempotencyTTL: time.Hour})
		a := e.account()
		body := `{"spec":` + spec1 + `}`
		h, _ := DecodeHold([]byte(body))
		call := Call{Scope: "op", Key: "reused", RequestHash: "x"}
		r1, err := e.l.Hold(context.Background(), call, a, h)
		require.NoError(t, err)
		e.clock.Add(30 * time.Minute)
		_, err = e.l.Sweep(context.Background())
		require.NoError(t, err)
		r2, err := e.l.Hold(context.Background(), call, a, h)
		require.NoError(t, err)
		assert.True(t, r2.Replayed)
		assert.Equal(t, r1.Hold, r2.Hold)
		e.clock.Add(31 * time.Minute)
		_, err = e.l.Sweep(context.Background())
		require.NoError(t, err)
		r3, err := e.l.Hold(context.Background(), call, a, h)
		require.NoError(t, err)
		assert.False(t, r3.Replayed, "a key older than the TTL is forgotten")
		assert.NotEqual(t, r1.Hold.ID, r3.Hold.ID)
	})
}

func TestStatementShowsDueExpiries(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		e.clock.Add(31 * 24 * time.Hour) // the trial has expired; nobody called since
		st, ok, err := e.l.Entries(context.Background(), a, time.Time{}, time.Time{}, 0, 0)
		require.NoError(t, err)
		require.True(t, ok)
		require.Len(t, st.Entries, 2)
		assert.Equal(t, "expire", st.Entries[1].Type)
		assert.Equal(t, time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC), st.Entries[1].At)
		e.reconcileClean()
	})
}

func TestCallsAfterCloseFail(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		require.NoError(t, e.l.Close())
		require.NoError(t, e.l.Close()) // twice is harmless
		h, _ := DecodeHold([]byte(`{"spec":` + spec1 + `}`))
		_, err := e.l.Hold(context.Background(), e.call("op", nil), a, h)
		assert.Error(t, err)
		var r *Error
		assert.False(t, errors.As(err, &r), "a closed ledger is a failure, not a refusal")
	})
}

func TestReconcileDuringWrites(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					body := `{"spec":` + spec1 + `}`
					h, _ := DecodeHold([]byte(body))
					r, err := e.l.Hold(context.Background(), e.call("op", []byte(body)), a, h)
					if err != nil {
						var re *Error
						if !errors.As(err, &re) || re.Code != CodeInsufficientCredits {
							assert.NoError(t, err)
						}
						return
					}
					_, err = e.l.Settle(context.Background(), e.call("op", nil), r.Hold.ID)
					assert.NoError(t, err)
				}
			}()
		}
		for i := 0; i < 10; i++ {
			r, err := e.l.Reconcile(context.Background())
			require.NoError(t, err)
			require.Empty(t, r.Problems, "a snapshot taken during writes is consistent")
		}
		close(stop)
		wg.Wait()
		e.reconcileClean()
	})
}

// Settles and releases of the same holds race (each with its own key): exactly one of each pair
// wins, the other is 409, and the credits add up. Calls that fail inside a group commit (an
// unknown account or hold) are rolled back alone while the others of their batch commit.
func TestConcurrentSettleReleaseAndFailingCalls(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{Card: cardWithTrial(t, "40")})
		a := e.account()
		var ids []string
		for i := 0; i < 16; i++ {
			ids = append(ids, e.mustHold(a, `{"spec":`+spec1+`}`).ID)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := map[string]int{}
		start := make(chan struct{})
		for _, id := range ids {
			for _, settle := range []bool{true, false} {
				wg.Add(2)
				go func() {
					defer wg.Done()
					<-start
					var err error
					if settle {
						_, err = e.l.Settle(context.Background(), e.call("op", []byte(id+"s")), id)
					} else {
						_, err = e.l.Release(context.Background(), e.call("op", []byte(id+"r")), id)
					}
					mu.Lock()
					defer mu.Unlock()
					var r *Error
					switch {
					case err == nil:
						won[id]++
						if settle {
							won["settled"]++
						}
					case errors.As(err, &r):
						assert.Contains(t, []string{CodeHoldSettled, CodeHoldReleased}, r.Code)
					default:
						assert.NoError(t, err)
					}
				}()
				go func() { // fails inside the same batches
					defer wg.Done()
					<-start
					body := `{"spec":` + spec1 + `}`
					h, _ := DecodeHold([]byte(body))
					var r *Error
					_, err := e.l.Hold(context.Background(), e.call("op", []byte(body)), "acct_missing", h)
					if assert.ErrorAs(t, err, &r) {
						assert.Equal(t, CodeNotFound, r.Code)
					}
					_, err = e.l.Settle(context.Background(), e.call("op", nil), "hold_missing")
					if assert.ErrorAs(t, err, &r) {
						assert.Equal(t, CodeNotFound, r.Code)
					}
				}()
			}
		}
		close(start)
		wg.Wait()
		for _, id := range ids {
			assert.Equal(t, 1, won[id], "one winner for %s", id)
		}
		settled := won["settled"]
		b := e.balance(a)
		assert.Equal(t, "0.00", b.Held.String())
		assert.Equal(t, estimator.Credits((40-settled)*100).String(), b.Available.String())
		e.reconcileClean()
	})
}

// A hold records its spec without the prompt's text, in the form holds have always been
// recorded with (the reference below is the ledger's former encoder of it).
func TestHoldRecordsPrivateSpec(t *testing.T) {
	former := func(s estimator.Spec) string {
		prompt := s.Prompt
		s.Prompt = ""
		b := s.AppendJSON(nil)
		if prompt != "" {
			sum := sha256.Sum256([]byte(prompt))
			extra, _ := json.Marshal(struct {
				Chars  int    `json:"promptChars"`
				SHA256 string `json:"promptSha256"`
			}{len([]rune(prompt)), hex.EncodeToString(sum[:])})
			b = append(b[:len(b)-1], ',')
			b = append(b, extra[1:]...)
		}
		return string(b)
	}
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		for _, body := range []string{
			`{"spec":` + spec1 + `}`,
			`{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"a <calm> lake & \"dawn\" 湖 🌅"}}`,
		} {
			req, de := DecodeHold([]byte(body))
			require.Nil(t, de)
			h := e.mustHold(a, body)
			var stored string
			require.NoError(t, e.l.db.QueryRowContext(context.Background(), e.l.q(`SELECT spec FROM holds WHERE id = ?`), h.ID).Scan(&stored))
			assert.Equal(t, former(req.Spec), stored)
			if req.Spec.Prompt != "" {
				assert.NotContains(t, stored, "lake")
			}
		}
	})
}

package ledger

import (
	"context"
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
		assert.Equal(t, "2026-12-10T12:00:00Z", jsonTime(b.Buckets[0].Expires)) // the card's 30 days

		h := e.hold(a, `{"spec":`+specOf(5)+`}`)
		m := decode(t, h.Body)
		hold := m["hold"].(map[string]any)
		assert.Equal(t, "5.00", hold["credits"])
		assert.Equal(t, "fast", hold["queue"])
		assert.Equal(t, "5.00", m["quote"].(map[string]any)["credits"])
		assert.Equal(t, estimator.Default().Digest(), hold["rateCard"].(map[string]any)["digest"])
		b = e.balance(a)
		assert.Equal(t, "95.00", b.Available.String())
		assert.Equal(t, "5.00", b.Held.String())

		s := e.settle(hold["id"].(string))
		require.Equal(t, 200, s.Status, string(s.Body))
		assert.Equal(t, "5.00", decode(t, s.Body)["charge"].(map[string]any)["credits"])
		b = e.balance(a)
		assert.Equal(t, "95.00", b.Available.String())
		assert.Equal(t, "0.00", b.Held.String())

		id2 := holdID(t, e.hold(a, `{"spec":`+specOf(7)+`}`))
		assert.Equal(t, "88.00", e.balance(a).Available.String())
		r := e.release(id2)
		require.Equal(t, 200, r.Status, string(r.Body))
		assert.Equal(t, "7.00", decode(t, r.Body)["refund"].(map[string]any)["credits"])
		assert.Equal(t, "95.00", e.balance(a).Available.String())
		e.reconcileClean()
	})
}

func TestSettleReleaseConflicts(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		id := holdID(t, e.hold(a, `{"spec":`+spec1+`}`))
		first := e.settle(id)
		require.Equal(t, 200, first.Status)
		again := e.settle(id) // another key: answers as the first time, charges nothing more
		require.Equal(t, 200, again.Status)
		assert.JSONEq(t, string(first.Body), string(again.Body))
		r := e.release(id)
		assert.Equal(t, 409, r.Status)
		assert.Equal(t, CodeHoldSettled, decode(t, r.Body)["code"])

		id2 := holdID(t, e.hold(a, `{"spec":`+spec1+`}`))
		require.Equal(t, 200, e.release(id2).Status)
		require.Equal(t, 200, e.release(id2).Status)
		s := e.settle(id2)
		assert.Equal(t, 409, s.Status)
		assert.Equal(t, CodeHoldReleased, decode(t, s.Body)["code"])
		assert.Equal(t, "99.00", e.balance(a).Available.String())

		nf, err := asSettle(t)(e.l.Settle(context.Background(), e.call("op", nil), "hold_nope"))
		require.NoError(t, err)
		assert.Equal(t, 404, nf.Status)
		e.reconcileClean()
	})
}

func TestSpendOrderAndExpiry(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account() // trial 100, expires in 30 days
		// adjustment expiring in 10 days pays first; then two buckets expiring together: by kind
		require.Equal(t, 201, e.grant(a, `{"kind":"adjustment","credits":"3.00","expires":"`+e.clock.at(10*24*time.Hour).Format(time.RFC3339)+`"}`).Status)
		require.Equal(t, 201, e.grant(a, `{"kind":"adjustment","credits":"2.00","expires":"2026-12-10T12:00:00Z"}`).Status)
		r := e.grant(a, `{"kind":"topup","credits":"100"}`)
		require.Equal(t, 201, r.Status, string(r.Body))
		assert.Equal(t, "10.00", decode(t, r.Body)["purchase"].(map[string]any)["totalUsd"])

		h := decode(t, e.hold(a, `{"spec":`+specOf(6)+`}`).Body)["hold"].(map[string]any)
		draws := h["buckets"].([]any)
		require.Len(t, draws, 2)
		assert.Equal(t, "adjustment", draws[0].(map[string]any)["kind"])
		assert.Equal(t, "3.00", draws[0].(map[string]any)["credits"])
		assert.Equal(t, "trial", draws[1].(map[string]any)["kind"]) // ties: trial before adjustment
		assert.Equal(t, "3.00", draws[1].(map[string]any)["credits"])

		// 31 days on, the trial and adjustments have expired: only the top-up is left, whatever
		// the clock said when the hold was written.
		e.clock.Add(31 * 24 * time.Hour)
		b := e.balance(a)
		assert.Equal(t, "100.00", b.Available.String())
		require.Len(t, b.Buckets, 1)
		assert.Equal(t, "topup", b.Buckets[0].Kind)
		r = e.hold(a, `{"spec":{"resolution":"4k","fps":60,"durationSeconds":10,"count":21}}`)
		require.Equal(t, 402, r.Status)
		m := decode(t, r.Body)
		assert.Equal(t, "105.00", m["needed"])
		assert.Equal(t, "100.00", m["available"])
		e.reconcileClean()
	})
}

func TestAutoRelease(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{HoldTTL: 10 * time.Minute})
		a := e.account()
		id := holdID(t, e.hold(a, `{"spec":`+specOf(4)+`}`))
		e.clock.Add(9 * time.Minute)
		assert.Equal(t, "4.00", e.balance(a).Held.String())
		e.clock.Add(time.Minute)
		b := e.balance(a)
		assert.Equal(t, "0.00", b.Held.String())
		assert.Equal(t, "100.00", b.Available.String())
		s := e.settle(id)
		assert.Equal(t, 409, s.Status)
		assert.Contains(t, decode(t, s.Body)["message"], "automatically")
		r := e.release(id)
		assert.Equal(t, 200, r.Status)
		// the sweeper does the same for accounts nobody touches
		id2 := holdID(t, e.hold(a, `{"spec":`+specOf(2)+`}`))
		e.clock.Add(11 * time.Minute)
		n, err := e.l.Sweep(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, 409, e.settle(id2).Status)
		e.reconcileClean()
	})
}

func TestReleaseIntoExpiredBucket(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{HoldTTL: 48 * time.Hour})
		a := e.account()
		require.Equal(t, 201, e.grant(a, `{"kind":"adjustment","credits":"5.00","expires":"`+e.clock.at(time.Hour).Format(time.RFC3339)+`"}`).Status)
		id := holdID(t, e.hold(a, `{"spec":`+specOf(5)+`}`))
		e.clock.Add(2 * time.Hour)
		require.Equal(t, 200, e.release(id).Status)
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
		r := e.hold(a, `{"spec":`+spec1+`,"quote":{"credits":"0.50","rateCard":{"digest":"`+d+`"}}}`)
		require.Equal(t, 409, r.Status)
		m := decode(t, r.Body)
		assert.Equal(t, CodeStaleQuote, m["code"])
		assert.Equal(t, "1.00", m["quote"].(map[string]any)["credits"])
		r = e.hold(a, `{"spec":`+spec1+`,"quote":{"credits":"1.00","rateCard":{"digest":"sha256:old"}}}`)
		assert.Equal(t, 409, r.Status)
		r = e.hold(a, `{"spec":`+spec1+`,"quote":{"credits":"1.00","rateCard":{"version":"x","digest":"`+d+`"}}}`)
		assert.Equal(t, 201, r.Status)
		assert.Equal(t, "99.00", e.balance(a).Available.String())
	})
}

func TestInsufficientAndStandardQueue(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{Card: cardWithTrial(t, "10")})
		a := e.account()
		r := e.hold(a, `{"spec":`+specOf(12)+`}`)
		require.Equal(t, 402, r.Status)
		m := decode(t, r.Body)
		assert.Equal(t, CodeInsufficientCredits, m["code"])
		assert.Equal(t, "12.00", m["needed"])
		assert.Equal(t, "10.00", m["available"])
		tu := m["topUp"].(map[string]any)
		assert.Equal(t, "2.00", tu["need"])
		assert.Equal(t, "100.00", tu["credits"])
		assert.Equal(t, "10.00", tu["totalUsd"])
		sq := m["standardQueue"].(map[string]any)
		assert.Equal(t, "0.00", sq["credits"])
		assert.Equal(t, "4", sq["slowdown"])

		s := e.hold(a, `{"spec":`+specOf(12)+`,"queue":"standard"}`)
		require.Equal(t, 201, s.Status)
		h := decode(t, s.Body)["hold"].(map[string]any)
		assert.Equal(t, "0.00", h["credits"])
		assert.Equal(t, "standard", h["queue"])
		c := e.settle(h["id"].(string))
		assert.Equal(t, "0.00", decode(t, c.Body)["charge"].(map[string]any)["credits"])
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
		r1, err := asHold(t)(e.l.Hold(context.Background(), call, a, h))
		require.NoError(t, err)
		r2, err := asHold(t)(e.l.Hold(context.Background(), call, a, h))
		require.NoError(t, err)
		assert.Equal(t, string(r1.Body), string(r2.Body))
		assert.True(t, r2.Replayed)
		assert.Equal(t, "99.00", e.balance(a).Available.String())

		call.RequestHash = HashRequest("POST", "/h", []byte(body+" "))
		r3, err := asHold(t)(e.l.Hold(context.Background(), call, a, h))
		require.NoError(t, err)
		assert.Equal(t, 409, r3.Status)
		assert.Equal(t, CodeIdempotencyConflict, decode(t, r3.Body)["code"])

		// keys are per caller: the same key from another caller is a new request
		call2 := call
		call2.Scope = "acct:" + a
		r4, err := asHold(t)(e.l.Hold(context.Background(), call2, a, h))
		require.NoError(t, err)
		assert.Equal(t, 201, r4.Status)

		// without a token key, a replayed account creation cannot show the token again
		c := Call{Scope: "op", Key: "acct-key", RequestHash: "h"}
		first, err := asAccount(t)(e.l.CreateAccount(context.Background(), c, false))
		require.NoError(t, err)
		second, err := asAccount(t)(e.l.CreateAccount(context.Background(), c, false))
		require.NoError(t, err)
		assert.NotNil(t, decode(t, first.Body)["token"])
		assert.Nil(t, decode(t, second.Body)["token"])
		assert.Equal(t, decode(t, first.Body)["account"], decode(t, second.Body)["account"])

		// concurrent retries of one key: one hold
		var wg sync.WaitGroup
		call3 := Call{Scope: "op", Key: "race", RequestHash: "x"}
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := asHold(t)(e.l.Hold(context.Background(), call3, a, h))
				assert.NoError(t, err)
				assert.Equal(t, 201, r.Status)
			}()
		}
		wg.Wait()
		assert.Equal(t, "97.00", e.balance(a).Available.String())
		e.reconcileClean()
	})
}

// With a token key, a retried account creation answers exactly the first answer, token
// included, while neither the idempotency record nor the account row holds the token in the clear.
// Under another key, or none, the token cannot be derived and the retry says "token": null.
func TestCreateAccountRetryAnswersToken(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		key := []byte("0123456789abcdef-operator-key")
		e := open(Options{TokenKey: key})
		ctx := context.Background()
		c := Call{Scope: "op", Key: "create-1", RequestHash: "h"}
		first, err := asAccount(t)(e.l.CreateAccount(ctx, c, false))
		require.NoError(t, err)
		require.Equal(t, 201, first.Status, string(first.Body))
		assert.False(t, first.Replayed)
		token, _ := decode(t, first.Body)["token"].(string)
		require.NotEmpty(t, token)
		id := decode(t, first.Body)["account"].(map[string]any)["id"].(string)

		second, err := asAccount(t)(e.l.CreateAccount(ctx, c, false))
		require.NoError(t, err)
		assert.True(t, second.Replayed)
		assert.Equal(t, 201, second.Status)
		assert.Equal(t, string(first.Body), string(second.Body), "a retry answers the first answer, byte for byte")
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
		other, err := asAccount(t)(e.l.CreateAccount(ctx, Call{Scope: "op", Key: "create-2", RequestHash: "h"}, false))
		require.NoError(t, err)
		assert.NotEqual(t, token, decode(t, other.Body)["token"])

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
			r, err := asAccount(t)(e2.l.CreateAccount(ctx, c, false))
			require.NoError(t, err)
			assert.True(t, r.Replayed)
			assert.Nil(t, decode(t, r.Body)["token"])
			assert.Equal(t, id, decode(t, r.Body)["account"].(map[string]any)["id"])
		}

		_, err = Open(ctx, filepath.Join(t.TempDir(), "short.db"), Options{TokenKey: []byte("short")})
		assert.ErrorContains(t, err, "at least 16 bytes")
	})
}

func TestPlanGrantsAndPriority(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		r := e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-11-01"}`)
		require.Equal(t, 201, r.Status, string(r.Body))
		bs := decode(t, r.Body)["buckets"].([]any)
		require.Len(t, bs, 2)
		assert.Equal(t, "monthly", bs[0].(map[string]any)["kind"])
		assert.Equal(t, "500.00", bs[0].(map[string]any)["credits"])
		assert.Equal(t, "2026-12-01T00:00:00Z", bs[0].(map[string]any)["expires"])
		assert.Equal(t, "priority", bs[1].(map[string]any)["kind"])
		assert.Equal(t, "50.00", bs[1].(map[string]any)["credits"])
		assert.Equal(t, 409, e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-11-15"}`).Status)
		assert.Equal(t, 422, e.grant(a, `{"kind":"plan","plan":"gold","periodStart":"2026-12-01"}`).Status)
		assert.Equal(t, 422, e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-10-01"}`).Status)

		// Basic (standard-queue plan): expiring first, monthly before priority.
		for i := 0; i < 5; i++ {
			h := decode(t, e.hold(a, `{"spec":`+specOf(100)+`}`).Body)["hold"].(map[string]any)
			assert.Equal(t, "monthly", h["buckets"].([]any)[0].(map[string]any)["kind"])
		}
		h := decode(t, e.hold(a, `{"spec":`+specOf(20)+`}`).Body)["hold"].(map[string]any)
		kinds := []string{}
		for _, d := range h["buckets"].([]any) {
			kinds = append(kinds, d.(map[string]any)["kind"].(string)+":"+d.(map[string]any)["credits"].(string))
		}
		assert.Equal(t, []string{"priority:20.00"}, kinds)

		// With a fast-queue plan (Premium) live, priority credits buy nothing and pay last.
		b := e.account()
		require.Equal(t, 201, e.grant(b, `{"kind":"plan","plan":"basic","periodStart":"2026-11-01"}`).Status)
		require.Equal(t, 201, e.grant(b, `{"kind":"plan","plan":"premium","periodStart":"2026-11-01"}`).Status)
		h = decode(t, e.hold(b, `{"spec":`+specOf(100)+`}`).Body)["hold"].(map[string]any)
		for _, d := range h["buckets"].([]any) {
			assert.NotEqual(t, "priority", d.(map[string]any)["kind"])
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
			require.Equal(t, 200, e.settle(holdID(t, e.hold(a, `{"spec":`+specOf(3)+`}`))).Status)
			e.clock.Add(24 * time.Hour)
		}
		b = e.balance(a)
		require.False(t, b.Forecast.RunsOut.IsZero())
		assert.Equal(t, "30.00", b.Forecast.Spent.String())
		assert.Equal(t, "1.00", b.Forecast.PerDay.String())
		assert.Equal(t, "2026-12-10", b.Forecast.RunsOut.Format("2006-01-02"))
		r := e.grant(a, `{"kind":"topup","credits":"1000"}`)
		require.Equal(t, 201, r.Status)
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
			e.settle(holdID(t, e.hold(a, `{"spec":`+spec1+`}`)))
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
		codes := map[int]int{}
		start := make(chan struct{})
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				body := `{"spec":` + spec1 + `}`
				h, _ := DecodeHold([]byte(body))
				r, err := asHold(t)(e.l.Hold(context.Background(), e.call("op", []byte(body)), a, h))
				assert.NoError(t, err)
				mu.Lock()
				codes[r.Status]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		assert.Equal(t, map[int]int{201: 10, 402: 54}, codes)
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
		spent := holdID(t, e.hold(a, `{"spec":`+spec1+`}`))
		e.settle(spent)
		released := holdID(t, e.hold(a, `{"spec":`+spec1+`}`))
		e.release(released)
		cases := []struct {
			name   string
			do     func() Response
			status int
			code   string
		}{
			{"hold unknown account", func() Response { return e.hold("acct_x", `{"spec":`+spec1+`}`) }, 404, CodeNotFound},
			{"grant unknown account", func() Response { return e.grant("acct_x", `{"kind":"topup","credits":"5"}`) }, 404, CodeNotFound},
			{"spec rejected by card", func() Response { return e.hold(a, `{"spec":{"resolution":"8k","fps":30,"durationSeconds":10}}`) }, 422, "unsupported_resolution"},
			{"insufficient", func() Response { return e.hold(a, `{"spec":`+specOf(100)+`}`) }, 402, CodeInsufficientCredits},
			{"stale quote", func() Response {
				return e.hold(a, `{"spec":`+spec1+`,"quote":{"credits":"2","rateCard":{"digest":"d"}}}`)
			}, 409, CodeStaleQuote},
			{"settle released", func() Response { return e.settle(released) }, 409, CodeHoldReleased},
			{"release settled", func() Response { return e.release(spent) }, 409, CodeHoldSettled},
			{"settle unknown", func() Response { return e.settle("hold_x") }, 404, CodeNotFound},
			{"unknown plan", func() Response { return e.grant(a, `{"kind":"plan","plan":"x","periodStart":"2026-12-01"}`) }, 422, "unknown_plan"},
			{"plan over", func() Response { return e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"2020-01-01"}`) }, 422, "invalid_date"},
			{"adjustment past", func() Response {
				return e.grant(a, `{"kind":"adjustment","credits":"1","expires":"2020-01-01T00:00:00Z"}`)
			}, 422, "invalid_date"},
			{"missing key", func() Response {
				r, _ := asSettle(t)(e.l.Settle(context.Background(), Call{Scope: "op"}, spent))
				return r
			}, 400, CodeMissingIdempotencyKey},
		}
		for _, c := range cases {
			r := c.do()
			assert.Equal(t, c.status, r.Status, c.name+": "+string(r.Body))
			assert.Equal(t, c.code, decode(t, r.Body)["code"], c.name)
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
		e.settle(holdID(t, e.hold(a, `{"spec":`+spec1+`}`)))
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
		r1, err := asHold(t)(e.l.Hold(context.Background(), call, a, h))
		require.NoError(t, err)
		e.clock.Add(30 * time.Minute)
		_, err = e.l.Sweep(context.Background())
		require.NoError(t, err)
		r2, err := asHold(t)(e.l.Hold(context.Background(), call, a, h))
		require.NoError(t, err)
		assert.True(t, r2.Replayed)
		assert.Equal(t, string(r1.Body), string(r2.Body))
		e.clock.Add(31 * time.Minute)
		_, err = e.l.Sweep(context.Background())
		require.NoError(t, err)
		r3, err := asHold(t)(e.l.Hold(context.Background(), call, a, h))
		require.NoError(t, err)
		assert.False(t, r3.Replayed, "a key older than the TTL is forgotten")
		assert.NotEqual(t, holdID(t, r1), holdID(t, r3))
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
		assert.Equal(t, "2026-12-10T12:00:00Z", jsonTime(st.Entries[1].At))
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
		_, err := asHold(t)(e.l.Hold(context.Background(), e.call("op", nil), a, h))
		assert.Error(t, err)
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
					r, err := asHold(t)(e.l.Hold(context.Background(), e.call("op", []byte(body)), a, h))
					if !assert.NoError(t, err) || r.Status != 201 {
						return
					}
					_, err = asSettle(t)(e.l.Settle(context.Background(), e.call("op", nil), decode(t, r.Body)["hold"].(map[string]any)["id"].(string)))
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
			ids = append(ids, holdID(t, e.hold(a, `{"spec":`+spec1+`}`)))
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
					var r Response
					var err error
					if settle {
						r, err = asSettle(t)(e.l.Settle(context.Background(), e.call("op", []byte(id+"s")), id))
					} else {
						r, err = asRelease(t)(e.l.Release(context.Background(), e.call("op", []byte(id+"r")), id))
					}
					assert.NoError(t, err)
					mu.Lock()
					defer mu.Unlock()
					if r.Status == 200 {
						won[id]++
						if settle {
							won["settled"]++
						}
					} else {
						assert.Equal(t, 409, r.Status, string(r.Body))
					}
				}()
				go func() { // fails inside the same batches
					defer wg.Done()
					<-start
					body := `{"spec":` + spec1 + `}`
					h, _ := DecodeHold([]byte(body))
					r, err := asHold(t)(e.l.Hold(context.Background(), e.call("op", []byte(body)), "acct_missing", h))
					assert.NoError(t, err)
					assert.Equal(t, 404, r.Status)
					r, err = asSettle(t)(e.l.Settle(context.Background(), e.call("op", nil), "hold_missing"))
					assert.NoError(t, err)
					assert.Equal(t, 404, r.Status)
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

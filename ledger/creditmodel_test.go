package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// The credit model is the engine's: the ledger (SQLite and PostgreSQL), the wallet op and the
// spend op (the editor's preview) must give the same buckets, expiries and spend.

// The helpers below are the only places these tests read the ledger's answers.

type grantedBucket struct{ id, kind, plan, credits, granted, expires string }

// grantBuckets grants and returns the new buckets, or the error code.
func grantBuckets(e *env, account, body string) ([]grantedBucket, string) {
	g, err := e.grant(account, body)
	if code := codeOf(e.t, err); code != "" {
		return nil, code
	}
	return bucketsOf(g.Buckets), ""
}

func bucketsOf(list []Bucket) []grantedBucket {
	var out []grantedBucket
	for _, b := range list {
		out = append(out, grantedBucket{b.ID, b.Kind, b.Plan, b.Credits.String(), rfc(b.Granted), rfc(b.Expires)})
	}
	return out
}

// newAccount makes an account and returns it with its trial bucket.
func newAccount(e *env) (string, []grantedBucket) {
	a, err := e.l.CreateAccount(context.Background(), e.call("op", nil), false)
	require.NoError(e.t, err)
	return a.ID, bucketsOf(a.Buckets)
}

func rfc(t time.Time) string { return t.UTC().Format(rfc3339Micro) }

type drawn struct{ id, credits string }

// holdAndSettle holds a fast-queue job and settles it: the buckets it drew, or covered false
// and the credits available.
func holdAndSettle(e *env, account, spec string) (draws []drawn, covered bool, available string) {
	h, err := e.hold(account, `{"spec":`+spec+`}`)
	if r := refusal(e.t, err); r != nil {
		require.Equal(e.t, CodeInsufficientCredits, r.Code, r.Message)
		return nil, false, r.Available.String()
	}
	for _, d := range h.Hold.Draws {
		draws = append(draws, drawn{d.Bucket, d.Credits.String()})
	}
	e.mustSettle(h.Hold.ID)
	return draws, true, ""
}

func grantCode(e *env, account, body string) string {
	_, code := grantBuckets(e, account, body)
	return code
}

func day(t testing.TB, s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	require.NoError(t, err)
	return d
}

// Billing periods keep the plan's day: Jan 31 → Feb 28 → Mar 31, continued without naming the
// anchor, or named explicitly; a date that starts no period of the anchor is refused.
func TestPlanGrantsTakeBillingPeriods(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		e.clock.Set(day(t, "2028-01-31"))
		a := e.account()
		bs, code := grantBuckets(e, a, `{"kind":"plan","plan":"basic","periodStart":"2028-01-31"}`)
		require.Empty(t, code)
		require.Equal(t, "2028-02-29T00:00:00Z", bs[0].expires) // leap year
		// The next period continues the plan's anchor (the 31st) without naming it.
		bs, code = grantBuckets(e, a, `{"kind":"plan","plan":"basic","periodStart":"2028-02-29"}`)
		require.Empty(t, code)
		require.Equal(t, "2028-02-29T00:00:00Z", bs[0].granted)
		require.Equal(t, "2028-03-31T00:00:00Z", bs[0].expires)
		require.Equal(t, "2028-03-31T00:00:00Z", bs[1].expires)
		bs, code = grantBuckets(e, a, `{"kind":"plan","plan":"basic","periodStart":"2028-03-31"}`)
		require.Empty(t, code)
		require.Equal(t, "2028-04-30T00:00:00Z", bs[0].expires)
		require.Equal(t, "already_granted", grantCode(e, a, `{"kind":"plan","plan":"basic","periodStart":"2028-04-15","anchor":"2028-01-15"}`))
		// Named explicitly: a year-end anchor.
		b := e.account()
		bs, code = grantBuckets(e, b, `{"kind":"plan","plan":"premium","periodStart":"2028-02-29","anchor":"2027-12-31"}`)
		require.Empty(t, code)
		require.Equal(t, "2028-03-31T00:00:00Z", bs[0].expires)
		require.Equal(t, "invalid_date", grantCode(e, b, `{"kind":"plan","plan":"basic","periodStart":"2028-03-30","anchor":"2027-12-31"}`))
		require.Equal(t, "invalid_date", grantCode(e, b, `{"kind":"plan","plan":"basic","periodStart":"2028-03-30","anchor":"2028-04-30"}`))
		// A period that has ended is refused; one that has begun is granted from its start.
		require.Equal(t, "invalid_date", grantCode(e, b, `{"kind":"plan","plan":"basic","periodStart":"2027-12-31"}`))
		bs, code = grantBuckets(e, b, `{"kind":"plan","plan":"basic","periodStart":"2028-01-30"}`)
		require.Empty(t, code)
		require.Equal(t, "2028-02-29T00:00:00Z", bs[0].expires)
		g, de := DecodeGrant([]byte(`{"kind":"plan","plan":"basic","periodStart":"2028-01-30","anchor":"2028-13-01"}`))
		require.NotNil(t, de, "%+v", g)
		require.Equal(t, "anchor", de.Field)
		e.reconcileClean()
	})
}

// Migration 3 on a ledger with grants from before billing periods: they keep their calendar
// month expiry, a new grant overlapping one is refused, and the next month's is granted.
func TestMigrationKeepsGrantedExpiry(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := b.dsn(t)
			db, d, err := openDB(dsn, 0)
			require.NoError(t, err)
			require.NoError(t, migrate(ctx, db, d, migrations[:2]))
			rb := rebinder{dialect: d}
			exec := func(q string, args ...any) {
				_, err := db.ExecContext(ctx, rb.q(q), args...)
				require.NoError(t, err)
			}
			start, end := day(t, "2026-11-15").UnixMicro(), day(t, "2026-12-01").UnixMicro()
			exec(`INSERT INTO accounts (id, token_hash, created_at) VALUES (?, ?, ?)`, "acct_old", "h", start)
			exec(`INSERT INTO buckets (id, account_id, kind, plan, period, credits, remaining, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				"bkt_old", "acct_old", KindMonthly, "basic", "2026-11", 50000, 50000, start, end)
			exec(`INSERT INTO entries (account_id, at, type, bucket_id, kind, credits, available, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				"acct_old", start, EntryGrant, "bkt_old", KindMonthly, 50000, 50000, 0)
			require.NoError(t, db.Close())

			c := newClock()
			c.Set(day(t, "2026-11-20"))
			l, err := Open(ctx, dsn, Options{Now: c.Now})
			require.NoError(t, err)
			defer l.Close()
			e := &env{t: t, l: l, clock: c}
			var exp int64
			var anchor sql.NullInt64
			require.NoError(t, l.db.QueryRow(l.q(`SELECT expires_at, period_anchor FROM buckets WHERE id = ?`), "bkt_old").Scan(&exp, &anchor))
			require.Equal(t, end, exp)
			require.False(t, anchor.Valid)
			require.Equal(t, "already_granted", grantCode(e, "acct_old", `{"kind":"plan","plan":"basic","periodStart":"2026-11-20"}`))
			bs, code := grantBuckets(e, "acct_old", `{"kind":"plan","plan":"basic","periodStart":"2026-12-01"}`)
			require.Empty(t, code)
			require.Equal(t, "2027-01-01T00:00:00Z", bs[0].expires)
			e.reconcileClean()
		})
	}
}

// A scenario: one or two plans from a start day on the 28th–31st, top-ups and jobs, over two
// years, every event at midnight UTC of its day.
type scenario struct {
	start  time.Time
	end    time.Time
	plans  []scenarioPlan
	events []event // by day; on one day: grants first, then top-ups, then jobs
}

type scenarioPlan struct {
	id       string
	anchor   time.Time
	explicit bool // name the anchor in every grant (else only periods continue it)
}

type event struct {
	at     time.Time
	order  int    // 0 plan grant, 1 top-up, 2 job
	plan   int    // plan grant: which plan
	period int64  // plan grant: which period
	body   string // top-up: the grant body; job: the spec
}

func newScenario(r *rand.Rand, start string) scenario {
	var s scenario
	var err error
	s.start, err = time.Parse("2006-01-02", start)
	if err != nil {
		panic(err)
	}
	s.end = s.start.AddDate(2, 0, 0)
	ids := []string{"basic", "premium"}
	first := r.Intn(2)
	s.plans = append(s.plans, scenarioPlan{id: ids[first], anchor: s.start, explicit: r.Intn(2) == 0})
	if r.Intn(2) == 0 { // a second plan, the other one, from a later day
		s.plans = append(s.plans, scenarioPlan{id: ids[1-first], anchor: s.start.AddDate(0, 0, 1+r.Intn(200)), explicit: r.Intn(2) == 0})
	}
	for pi, p := range s.plans {
		anchor := estimator.Instant(p.anchor.UnixMicro())
		for n := int64(0); ; n++ {
			at := time.UnixMicro(int64(estimator.PeriodStart(anchor, n))).UTC()
			if !at.Before(s.end) {
				break
			}
			if pi == 1 && n > 0 && p.explicit && r.Intn(8) == 0 {
				// A month without the second plan. Its next grant names the anchor: after a gap
				// the ledger cannot continue the plan's anchor by itself.
				continue
			}
			s.events = append(s.events, event{at: at, order: 0, plan: pi, period: n})
		}
	}
	days := int(s.end.Sub(s.start).Hours() / 24)
	for i := 0; i < 12+r.Intn(6); i++ {
		s.events = append(s.events, event{at: s.start.AddDate(0, 0, r.Intn(days)), order: 1,
			body: fmt.Sprintf(`{"kind":"topup","credits":"%d"}`, 50+r.Intn(1500))})
	}
	for i := 0; i < 90; i++ {
		spec := specOf(1 + r.Intn(100))
		if r.Intn(2) == 0 { // 5 credits a video
			spec = fmt.Sprintf(`{"resolution":"4k","fps":60,"durationSeconds":10,"count":%d}`, 1+r.Intn(90))
		}
		s.events = append(s.events, event{at: s.start.AddDate(0, 0, r.Intn(days)), order: 2, body: spec})
	}
	sort.SliceStable(s.events, func(i, j int) bool {
		a, b := s.events[i], s.events[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.order < b.order
	})
	return s
}

// runLedger plays the scenario on a ledger and returns its transcript: every bucket granted
// (kind, plan, credits, granted, expires) and every job (the buckets that paid it, by grant
// number, or what was available when it was not covered). Before each job it asks the spend op
// what the hold will draw, from the balance, and checks the hold drew exactly that.
func runLedger(t *testing.T, e *env, s scenario) []string {
	var out []string
	e.clock.Set(s.start)
	account, trial := newAccount(e)
	num := map[string]int{}
	record := func(bs []grantedBucket) {
		for _, b := range bs {
			num[b.id] = len(num)
			out = append(out, fmt.Sprintf("bucket %d %s %s %s %s %s", num[b.id], b.kind, b.plan, b.credits, b.granted, b.expires))
		}
	}
	record(trial)
	card := e.l.Card()
	for _, ev := range s.events {
		e.clock.Set(ev.at)
		switch ev.order {
		case 0:
			p := s.plans[ev.plan]
			body := `{"kind":"plan","plan":"` + p.id + `","periodStart":"` + ev.at.Format("2006-01-02") + `"`
			if p.explicit {
				body += `,"anchor":"` + p.anchor.Format("2006-01-02") + `"`
			}
			bs, code := grantBuckets(e, account, body+"}")
			require.Empty(t, code, body)
			record(bs)
		case 1:
			bs, code := grantBuckets(e, account, ev.body)
			require.Empty(t, code, ev.body)
			record(bs)
		case 2:
			preview := spendPreview(t, e, card, account, ev.body)
			draws, covered, available := holdAndSettle(e, account, ev.body)
			line := "job " + ev.at.Format("2006-01-02") + " "
			if covered {
				var parts []string
				for _, d := range draws {
					parts = append(parts, fmt.Sprintf("%d:%s", num[d.id], d.credits))
				}
				line += "paid " + strings.Join(parts, ",")
				require.Equal(t, preview, fmt.Sprint(draws), "the spend op's preview is what the hold drew")
			} else {
				line += "short, available " + available
				require.Equal(t, "short "+available, preview)
			}
			out = append(out, line)
		}
	}
	e.reconcileClean()
	return out
}

// spendPreview asks the spend op which buckets of the account's balance pay spec now.
func spendPreview(t *testing.T, e *env, card *estimator.RateCard, account, spec string) string {
	b, ok, err := e.l.Balance(context.Background(), account)
	require.NoError(t, err)
	require.True(t, ok)
	type bucket struct {
		ID      string `json:"id"`
		Kind    string `json:"kind"`
		Plan    string `json:"plan,omitempty"`
		Credits string `json:"credits"`
		Granted string `json:"granted"`
		Expires string `json:"expires"`
	}
	req := struct {
		At      string          `json:"at"`
		Spec    json.RawMessage `json:"spec"`
		Buckets []bucket        `json:"buckets"`
	}{At: rfc(b.At), Spec: json.RawMessage(spec), Buckets: []bucket{}}
	for _, x := range b.Buckets {
		req.Buckets = append(req.Buckets, bucket{x.ID, x.Kind, x.Plan, x.Available.String(), rfc(x.Granted), rfc(x.Expires)})
	}
	body, _ := json.Marshal(req)
	out, err := card.Do("spend", body)
	require.NoError(t, err, string(body))
	var res struct {
		Covered   bool   `json:"covered"`
		Available string `json:"available"`
		PaidFrom  []struct {
			ID      string `json:"id"`
			Credits string `json:"credits"`
		} `json:"paidFrom"`
	}
	require.NoError(t, json.Unmarshal(out, &res))
	if !res.Covered {
		return "short " + res.Available
	}
	var draws []drawn
	for _, p := range res.PaidFrom {
		draws = append(draws, drawn{p.ID, p.Credits})
	}
	return fmt.Sprint(draws)
}

// runWallet plays the scenario through the wallet op alone: buckets without expiries (the
// wallet's defaults: the card's validity, the plan's billing period from planStart) and, for
// each job, one wallet request on its day with the buckets as the wallet's own earlier answers
// left them.
func runWallet(t *testing.T, s scenario) []string {
	card := estimator.Default()
	type wb struct {
		kind, plan, planStart string
		credits, remaining    estimator.Credits
		granted               string
		expires               string
	}
	var bs []wb
	var out []string
	walletOp := func(req map[string]any) map[string]any {
		body, _ := json.Marshal(req)
		res, err := card.Do("wallet", body)
		require.NoError(t, err, string(body))
		var m map[string]any
		require.NoError(t, json.Unmarshal(res, &m))
		return m
	}
	at := func(d string) string { return d + "T00:00:00Z" }
	add := func(b wb) {
		req := map[string]any{"kind": b.kind, "credits": b.credits.String(), "granted": b.granted}
		if b.plan != "" {
			req["plan"], req["planStart"] = b.plan, b.planStart
		}
		m := walletOp(map[string]any{"date": b.granted, "buckets": []any{req}})
		b.expires = m["buckets"].([]any)[0].(map[string]any)["expires"].(string)
		b.remaining = b.credits
		out = append(out, fmt.Sprintf("bucket %d %s %s %s %s %s", len(bs), b.kind, b.plan, b.credits, at(b.granted), at(b.expires)))
		bs = append(bs, b)
	}
	startDay := s.start.Format("2006-01-02")
	add(wb{kind: "trial", credits: card.Trial().Credits, granted: startDay})
	for _, ev := range s.events {
		d := ev.at.Format("2006-01-02")
		switch ev.order {
		case 0:
			p := s.plans[ev.plan]
			for _, plan := range card.Plans() {
				if plan.ID != p.id {
					continue
				}
				for _, part := range []struct {
					kind    string
					credits estimator.Credits
				}{{"monthly", plan.Monthly}, {"priority", plan.Priority}} {
					if part.credits > 0 {
						add(wb{kind: part.kind, plan: p.id, planStart: p.anchor.Format("2006-01-02"), credits: part.credits, granted: d})
					}
				}
			}
		case 1:
			var g struct{ Credits string }
			require.NoError(t, json.Unmarshal([]byte(ev.body), &g))
			p, err := card.TopUpQuote(credits(t, g.Credits))
			require.NoError(t, err)
			add(wb{kind: "topup", credits: p.Credits, granted: d})
		case 2:
			// The buckets usable that day, with what the wallet left in them.
			var req []any
			var index []int
			for i, b := range bs {
				if b.granted <= d && d < b.expires {
					item := map[string]any{"kind": b.kind, "credits": b.remaining.String(), "granted": b.granted}
					if b.plan != "" {
						item["plan"], item["planStart"] = b.plan, b.planStart
					}
					req = append(req, item)
					index = append(index, i)
				}
			}
			require.LessOrEqual(t, len(req), 32)
			m := walletOp(map[string]any{"date": d, "buckets": req, "jobs": []any{map[string]any{"spec": json.RawMessage(ev.body)}}})
			job := m["jobs"].([]any)[0].(map[string]any)
			line := "job " + d + " "
			if job["covered"].(bool) {
				var parts []string
				for _, p := range job["paidFrom"].([]any) {
					p := p.(map[string]any)
					i := index[int(p["bucket"].(float64))]
					bs[i].remaining -= credits(t, p["credits"].(string))
					parts = append(parts, fmt.Sprintf("%d:%s", i, p["credits"]))
				}
				line += "paid " + strings.Join(parts, ",")
			} else {
				line += "short, available " + m["balance"].(map[string]any)["total"].(string)
			}
			out = append(out, line)
		}
	}
	return out
}

// The property: for random plans (one or two, standard and fast queue), start days on the
// 28th–31st (leap years included), top-ups and jobs over two years, the wallet op, the ledger on
// SQLite and the ledger on PostgreSQL grant the same buckets with the same expiries and pay
// every job from the same buckets, day by day; the spend op previews every hold exactly.
func TestCreditModelWalletAndLedgersAgree(t *testing.T) {
	// Start days on the 28th–31st, a leap day and months of every length; the rest is random.
	starts := []string{"2028-01-31", "2027-01-30", "2027-03-31", "2028-02-29", "2027-08-31", "2027-12-28", "2027-05-30", "2028-01-29"}
	for i, start := range starts {
		seed := int64(i + 1)
		s := newScenario(rand.New(rand.NewSource(seed)), start)
		want := runWallet(t, s)
		for _, b := range backends {
			t.Run(fmt.Sprintf("%s/%s", start, b.name), func(t *testing.T) {
				c := newClock()
				l, err := Open(context.Background(), b.dsn(t), Options{Now: c.Now})
				require.NoError(t, err)
				defer l.Close()
				got := runLedger(t, &env{t: t, l: l, clock: c}, s)
				require.Equal(t, want, got, "start %s, plans %+v", s.start.Format("2006-01-02"), s.plans)
			})
		}
	}
}

// credits reads "12.34" as hundredths.
func credits(t testing.TB, s string) estimator.Credits {
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole+(frac + "00")[:2], 10, 64)
	require.NoError(t, err, s)
	return estimator.Credits(n)
}

// An empty monthly bucket of a fast-queue plan still gives the fast queue: priority credits keep
// paying last (the spend op says the same).
func TestPriorityLastWhileFastPlanIsEmpty(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		a := e.account()
		for _, g := range []string{`{"kind":"plan","plan":"basic","periodStart":"2026-11-01"}`, `{"kind":"plan","plan":"premium","periodStart":"2026-11-10"}`, `{"kind":"topup","credits":"100"}`} {
			_, code := grantBuckets(e, a, g)
			require.Empty(t, code, g)
		}
		kindOf := map[string]string{}
		for _, b := range e.balance(a).Buckets {
			kindOf[b.ID] = b.Kind
		}
		kinds := func(draws []drawn) string {
			var ks []string
			for _, d := range draws {
				ks = append(ks, kindOf[d.id]+":"+d.credits)
			}
			return strings.Join(ks, ",")
		}
		big := `{"resolution":"4k","fps":60,"durationSeconds":10,"count":100}` // 500 credits
		for i := 0; i < 11; i++ {                                              // trial 100, basic 500, premium 5000
			_, covered, _ := holdAndSettle(e, a, big)
			require.True(t, covered)
		}
		// Premium's credits are spent (the trial expires 12 h after them); its bucket stays listed.
		listed := false
		for _, b := range e.balance(a).Buckets {
			if b.Plan == "premium" {
				listed = true
				require.Zero(t, b.Available)
			}
		}
		require.True(t, listed)
		draws, covered, _ := holdAndSettle(e, a, specOf(100))
		require.True(t, covered)
		require.Equal(t, "trial:100.00", kinds(draws))
		// Premium's monthly bucket is empty and still live: the top-up pays before priority.
		preview := spendPreview(t, e, e.l.Card(), a, specOf(30))
		draws, covered, _ = holdAndSettle(e, a, specOf(30))
		require.True(t, covered)
		require.Equal(t, "topup:30.00", kinds(draws))
		require.Equal(t, preview, fmt.Sprint(draws))
		e.reconcileClean()
	})
}

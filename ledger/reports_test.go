package ledger

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// snapshot is the model's balance at an instant of a random history (model_test.go).
type snapshot struct {
	at, available, held int64
}

// checkReports asks, after a random history, for the balance at every instant the model
// recorded and for the utilization of every month a plan period began in, and compares them
// with the model's own figures (its buckets' credits, what settles took from them, what
// expired in them).
func checkReports(t *testing.T, e *env, account string, m *model, snaps []snapshot) {
	t.Helper()
	ctx := context.Background()
	for i, s := range snaps {
		b, ok, err := e.l.BalanceAt(ctx, account, instant(s.at))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, estimator.Credits(s.available).String()+"/"+estimator.Credits(s.held).String(),
			b.Available.String()+"/"+b.Held.String(), "balance at snapshot %d (%s)", i, instant(s.at))
	}
	now := e.clock.Now().UnixMicro()
	type key struct {
		plan  string
		start int64
	}
	want := map[string][]string{} // month → periods
	sums := map[key]*[4]int64{}
	ends := map[key]int64{}
	for _, b := range m.buckets {
		if b.kind != KindMonthly && b.kind != KindPriority || b.granted > now {
			continue
		}
		k := key{b.plan, b.granted}
		if sums[k] == nil {
			sums[k] = &[4]int64{}
		}
		s := sums[k]
		s[0] += b.credits
		s[1] += b.spent
		s[2] += b.expired
		s[3] += b.remaining + heldIn(m, b.id)
		ends[k] = b.expires
	}
	for k, s := range sums {
		month := instant(k.start).Format("2006-01")
		want[month] = append(want[month], fmt.Sprintf("%s %s %s/%s/%s/%s %d", k.plan, instant(k.start).Format(time.DateOnly),
			estimator.Credits(s[0]), estimator.Credits(s[1]), estimator.Credits(s[2]), estimator.Credits(s[3]), s[1]*10000/s[0]))
	}
	for month, w := range want {
		sort.Strings(w)
		mt, err := time.Parse("2006-01", month)
		require.NoError(t, err)
		r, err := e.l.UtilizationReport(ctx, mt)
		require.NoError(t, err)
		var got []string
		bands := 0
		for _, p := range r.Periods {
			if p.Account != account {
				continue // an earlier seed's account in the same database
			}
			got = append(got, fmt.Sprintf("%s %s %s/%s/%s/%s %d", p.Plan, p.Start.Format(time.DateOnly), p.Granted, p.Spent, p.Expired, p.Left, p.Utilization))
			assert.Zero(t, p.Other)
		}
		for _, b := range r.Bands {
			bands += b.Periods
		}
		sort.Strings(got)
		require.Equal(t, w, got, "utilization of %s", month)
		assert.Equal(t, len(r.Periods), bands)
	}
	require.NotEmpty(t, want, "the history granted a plan")
}

func heldIn(m *model, bucket string) int64 {
	var n int64
	for _, h := range m.holds {
		if h.open {
			n += h.draws[bucket]
		}
	}
	return n
}

func TestUtilizationBands(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		e := open(Options{})
		ctx := context.Background()
		// Five accounts on Basic (500 monthly + 50 priority) from 2026-11-10, using 0, 55, 275,
		// 440 and 550 of their 550 credits (the period ends before the trial: it pays first).
		for _, use := range []int{0, 55, 275, 440, 550} {
			a := e.account()
			e.mustGrant(a, `{"kind":"plan","plan":"basic","periodStart":"2026-11-10"}`)
			for left := use; left > 0; {
				n := min(left, 100)
				e.mustSettle(e.mustHold(a, `{"spec":`+specOf(n)+`}`).ID)
				left -= n
			}
		}
		r, err := e.l.UtilizationReport(ctx, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		assert.Equal(t, 5, r.Accounts)
		got := []int{}
		for _, b := range r.Bands {
			got = append(got, b.Periods)
		}
		assert.Equal(t, []int{1, 1, 0, 1, 2}, got, "0 %%, 10 %%, 50 %%, 80 %%, 100 %%")
		assert.Equal(t, "2750.00", r.Granted.String())
		assert.Equal(t, "1320.00", r.Spent.String())
		assert.Equal(t, int64(4800), r.Utilization)
		// Another month: nothing.
		r, err = e.l.UtilizationReport(ctx, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		assert.Empty(t, r.Periods)
		// After the period: what was left expired (written or not).
		e.clock.Set(time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC))
		r, err = e.l.UtilizationReport(ctx, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		assert.Equal(t, "1430.00", r.Expired.String())
		assert.Equal(t, "0.00", r.Left.String())
		assert.Equal(t, 5, r.PeriodsEnded)
	})
}

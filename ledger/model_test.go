package ledger

import (
	"context"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// The model: buckets and holds in memory, written from the rules in docs/ledger.md rather than
// from the implementation. Random grants, holds, settles, releases and clock moves run against
// both; balances must agree after every step.
type modelBucket struct {
	id, kind         string
	remaining        int64
	granted, expires int64
	// for the reports (reports_test.go)
	plan                    string
	credits, spent, expired int64
}

type modelHold struct {
	id      string
	open    bool
	credits int64
	expires int64
	draws   map[string]int64
}

type model struct {
	buckets map[string]*modelBucket
	holds   map[string]*modelHold
	order   []string // hold ids in creation order
}

func (m *model) catchUp(now int64) {
	for _, h := range m.holds {
		if h.open && h.expires <= now {
			h.open = false
			for b, c := range h.draws {
				m.buckets[b].remaining += c
			}
		}
	}
	for _, b := range m.buckets {
		if b.expires <= now {
			b.expired += b.remaining
			b.remaining = 0
		}
	}
}

func (m *model) usable(now int64) []*modelBucket {
	var out []*modelBucket
	for _, b := range m.buckets {
		if b.remaining > 0 && b.granted <= now && now < b.expires {
			out = append(out, b)
		}
	}
	rank := map[string]int{"trial": 0, "monthly": 1, "priority": 2, "topup": 3, "adjustment": 4}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.expires != b.expires {
			return a.expires < b.expires
		}
		if rank[a.kind] != rank[b.kind] {
			return rank[a.kind] < rank[b.kind]
		}
		if a.granted != b.granted {
			return a.granted < b.granted
		}
		return a.id < b.id
	})
	return out
}

func TestModelBased(t *testing.T) {
	each(t, func(t *testing.T, open func(Options) *env) {
		steps := 250
		if testing.Short() {
			steps = 60
		}
		for seed := uint64(1); seed <= 3; seed++ {
			e := open(Options{HoldTTL: time.Hour})
			runModel(t, e, seed, steps)
			e.reconcileClean()
		}
	})
}

func runModel(t *testing.T, e *env, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	ctx := context.Background()
	a := e.account()
	m := &model{buckets: map[string]*modelBucket{}, holds: map[string]*modelHold{}}
	addBuckets := func(g Granted, err error) {
		require.NoError(t, err)
		for _, b := range g.Buckets {
			m.buckets[b.ID] = &modelBucket{id: b.ID, kind: b.Kind, remaining: int64(b.Credits), granted: b.Granted.UnixMicro(), expires: b.Expires.UnixMicro(),
				plan: b.Plan, credits: int64(b.Credits)}
		}
	}
	// the account's trial, read back once
	bal := e.balance(a)
	for _, b := range bal.Buckets {
		m.buckets[b.ID] = &modelBucket{id: b.ID, kind: b.Kind, remaining: int64(b.Available), granted: b.Granted.UnixMicro(), expires: b.Expires.UnixMicro(),
			credits: int64(b.Available)}
	}
	var snaps []snapshot
	planMonths := map[string]bool{}
	for step := 0; step < steps; step++ {
		now := e.clock.Now().UnixMicro()
		m.catchUp(now)
		var what string
		switch op := rng.IntN(100); {
		case op < 8:
			what = "topup"
			addBuckets(e.grant(a, `{"kind":"topup","credits":"`+strconv.Itoa(1+rng.IntN(150))+`"}`))
		case op < 16:
			what = "adjustment"
			exp := e.clock.Now().Add(time.Duration(1+rng.IntN(24*20)) * time.Hour)
			// two adjustments often share an expiry, to exercise the kind tie-break
			if rng.IntN(2) == 0 {
				exp = time.Date(exp.Year(), exp.Month(), exp.Day(), 0, 0, 0, 0, time.UTC).Add(24 * time.Hour)
			}
			addBuckets(e.grant(a, `{"kind":"adjustment","credits":"`+strconv.Itoa(1+rng.IntN(20))+`.`+strconv.Itoa(10+rng.IntN(90))+`","expires":"`+exp.Format(time.RFC3339)+`"}`))
		case op < 20:
			what = "plan"
			month := e.clock.Now().Format("2006-01")
			if !planMonths[month] {
				planMonths[month] = true
				addBuckets(e.grant(a, `{"kind":"plan","plan":"basic","periodStart":"`+month+`-01"}`))
			}
		case op < 55:
			what = "hold"
			n := 1 + rng.IntN(40)
			queue := "fast"
			if rng.IntN(8) == 0 {
				queue = "standard"
			}
			r, err := e.hold(a, `{"spec":`+specOf(n)+`,"queue":"`+queue+`"}`)
			need := int64(n * 100)
			if queue == "standard" {
				need = 0
			}
			us := m.usable(now)
			var avail int64
			for _, b := range us {
				avail += b.remaining
			}
			if avail < need {
				require.Equal(t, CodeInsufficientCredits, codeOf(t, err), "step %d", step)
				break
			}
			require.NoError(t, err, "step %d", step)
			mh := &modelHold{id: r.Hold.ID, open: true, credits: need, expires: now + time.Hour.Microseconds(), draws: map[string]int64{}}
			left := need
			var want []string
			for _, b := range us {
				if left == 0 {
					break
				}
				take := min(left, b.remaining)
				b.remaining -= take
				left -= take
				mh.draws[b.id] += take
				want = append(want, b.id+":"+estimator.Credits(take).String())
			}
			var got []string
			for _, d := range r.Hold.Draws {
				got = append(got, d.Bucket+":"+d.Credits.String())
			}
			require.Equal(t, want, got, "step %d: draws", step)
			m.holds[mh.id] = mh
			m.order = append(m.order, mh.id)
		case op < 75 && len(m.order) > 0:
			what = "settle"
			h := m.holds[m.order[rng.IntN(len(m.order))]]
			_, err := e.settle(h.id)
			switch {
			case h.open:
				require.NoError(t, err, "step %d", step)
				h.open = false
				for b, c := range h.draws {
					m.buckets[b].spent += c
				}
				h.draws = nil
			case h.draws == nil: // settled before
				require.NoError(t, err, "step %d", step)
			default:
				require.Equal(t, CodeHoldReleased, codeOf(t, err), "step %d", step)
			}
		case op < 90 && len(m.order) > 0:
			what = "release"
			h := m.holds[m.order[rng.IntN(len(m.order))]]
			_, err := e.release(h.id)
			switch {
			case h.open:
				require.NoError(t, err, "step %d", step)
				h.open = false
				for b, c := range h.draws {
					m.buckets[b].remaining += c
				}
				m.catchUp(now) // credits back in an expired bucket expire at once
			case h.draws == nil:
				require.Equal(t, CodeHoldSettled, codeOf(t, err), "step %d", step)
			default:
				require.NoError(t, err, "step %d", step)
			}
		default:
			what = "clock"
			if rng.IntN(4) == 0 {
				e.clock.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
			} else {
				e.clock.Add(time.Duration(1+rng.IntN(50)) * time.Minute)
			}
		}
		// compare
		now = e.clock.Now().UnixMicro()
		m.catchUp(now)
		bal := e.balance(a)
		var avail, held int64
		want := map[string]string{}
		heldBy := map[string]int64{}
		for _, h := range m.holds {
			if h.open {
				held += h.credits
				for b, c := range h.draws {
					heldBy[b] += c
				}
			}
		}
		for _, b := range m.buckets {
			if b.expires <= now || (b.remaining == 0 && heldBy[b.id] == 0) {
				continue
			}
			if b.granted <= now {
				avail += b.remaining
			}
			want[b.id] = estimator.Credits(b.remaining).String() + "/" + estimator.Credits(heldBy[b.id]).String()
		}
		got := map[string]string{}
		for _, b := range bal.Buckets {
			got[b.ID] = b.Available.String() + "/" + b.Held.String()
		}
		require.Equal(t, want, got, "seed %d step %d after %s", seed, step, what)
		require.Equal(t, estimator.Credits(avail).String(), bal.Available.String(), "seed %d step %d after %s", seed, step, what)
		require.Equal(t, estimator.Credits(held).String(), bal.Held.String(), "seed %d step %d after %s", seed, step, what)
		if len(snaps) > 0 && snaps[len(snaps)-1].at == now { // the balance at an instant is its last
			snaps = snaps[:len(snaps)-1]
		}
		snaps = append(snaps, snapshot{at: now, available: avail, held: held})
	}
	checkReports(t, e, a, m, snaps)
	_ = ctx
}

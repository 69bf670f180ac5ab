package estimator

import (
	"math"
	"math/rand"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// cover is a brute-force candidate: bundle counts with their totals.
type cover struct {
	cost, credits, count int64 // micro-dollars, whole credits, bundles
}

func (a cover) better(b cover) bool {
	if a.cost != b.cost {
		return a.cost < b.cost
	}
	if a.credits != b.credits {
		return a.credits > b.credits
	}
	return a.count < b.count
}

// bruteForce enumerates every combination of bundles worth less than maxN + largest bundle
// (an optimal cover never has a bundle it could drop) and returns, for every need n in
// 1..maxN whole credits, the best cover under the documented order.
func bruteForce(bs []Bundle, maxN int64) []cover {
	sizes := make([]int64, len(bs))
	for i, b := range bs {
		sizes[i] = int64(b.Credits) / creditScale
	}
	limit := maxN + sizes[len(sizes)-1]
	var all []cover
	var rec func(i int, c cover)
	rec = func(i int, c cover) {
		if i == len(bs) {
			if c.count > 0 {
				all = append(all, c)
			}
			return
		}
		for k := int64(0); c.credits+k*sizes[i] < limit; k++ {
			rec(i+1, cover{c.cost + k*int64(bs[i].Price), c.credits + k*sizes[i], c.count + k})
		}
	}
	rec(0, cover{})
	sort.Slice(all, func(a, b int) bool { return all[a].credits > all[b].credits })
	best := make([]cover, maxN+1)
	var run cover
	have := false
	j := 0
	for n := limit; n >= 1; n-- {
		for j < len(all) && all[j].credits >= n {
			if !have || all[j].better(run) {
				run, have = all[j], true
			}
			j++
		}
		if n <= maxN {
			best[n] = run
		}
	}
	return best
}

// naiveDP is the textbook covering DP over whole credits without the large-need reduction.
func naiveDP(bs []Bundle, maxN int64) []cover {
	f := make([]cover, maxN+1)
	for n := int64(1); n <= maxN; n++ {
		first := true
		for _, b := range bs {
			s := int64(b.Credits) / creditScale
			p := n - s
			if p < 0 {
				p = 0
			}
			c := cover{f[p].cost + int64(b.Price), f[p].credits + s, f[p].count + 1}
			if first || c.better(f[n]) {
				f[n], first = c, false
			}
		}
	}
	return f
}

func checkPlan(t *testing.T, c *RateCard, need Credits, want cover) TopUpPlan {
	t.Helper()
	p, err := c.TopUpQuote(need)
	require.NoError(t, err)
	var cost, credits, count int64
	for _, l := range p.Lines {
		require.Positive(t, l.Count)
		cost += l.Count * int64(l.Bundle.Price)
		credits += l.Count * int64(l.Bundle.Credits)
		count += l.Count
		require.Equal(t, l.Count*int64(l.Bundle.Price), int64(l.Subtotal))
	}
	require.Equal(t, int64(p.Total), cost, "need %s", need)
	require.Equal(t, int64(p.Credits), credits, "need %s", need)
	require.Equal(t, p.Need+p.Surplus, p.Credits)
	require.GreaterOrEqual(t, p.Credits, need)
	got := cover{cost, credits / creditScale, count}
	require.Equal(t, want, got, "need %s", need)
	return p
}

func TestTopUpMatchesBruteForceUpTo20000(t *testing.T) {
	c := Default()
	const maxN = 20_000
	best := bruteForce(c.topUps.Bundles, maxN)
	for n := int64(1); n <= maxN; n++ {
		checkPlan(t, c, Credits(n*creditScale), best[n])
	}
	// Fractional needs round up to the next whole credit.
	for n := int64(1); n <= maxN; n += 97 {
		checkPlan(t, c, Credits(n*creditScale-37), best[n])
	}
}

// oddBundles are coprime sizes, so that the unit is 1 credit and the reduction threshold
// (M = 73 credits) is far below the range tested.
const oddBundles = `{"validDays":30,"bundles":[{"credits":"3","priceUsd":"1.00"},{"credits":"7","priceUsd":"2.31"},{"credits":"10","priceUsd":"3.00"}]}`

func TestTopUpOddBundlesMatchBruteForce(t *testing.T) {
	c := ecCard(t, "topUps", oddBundles)
	const maxN = 600
	best := bruteForce(c.topUps.Bundles, maxN)
	for n := int64(1); n <= maxN; n++ {
		checkPlan(t, c, Credits(n*creditScale), best[n])
	}
}

// The reduction with the largest bundle agrees with the plain DP far beyond its threshold.
func TestTopUpLargeNeedReductionMatchesPlainDP(t *testing.T) {
	for _, tc := range []struct {
		name string
		card *RateCard
		maxN int64
	}{
		{"default", Default(), 200_000}, // threshold 50,900 credits
		{"odd", ecCard(t, "topUps", oddBundles), 3_000},
		{"awkward", ecCard(t, "topUps", `{"validDays":30,"bundles":[{"credits":"6","priceUsd":"1.00"},{"credits":"9","priceUsd":"1.45"},{"credits":"20","priceUsd":"3.10"},{"credits":"35","priceUsd":"5.25"}]}`), 5_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.card.newTopUpSolver(math.MaxInt64 / 4)
			require.Nil(t, err)
			require.Less(t, s.m*s.g/creditScale, tc.maxN/2, "the test must reach well past the threshold")
			f := naiveDP(tc.card.topUps.Bundles, tc.maxN)
			step := int64(1)
			if tc.maxN > 10_000 {
				step = 100 // the default card's unit is 100 credits
			}
			for n := step; n <= tc.maxN; n += step {
				checkPlan(t, tc.card, Credits(n*creditScale), f[n])
			}
		})
	}
}

func TestTopUpDefaultThreshold(t *testing.T) {
	s, err := Default().newTopUpSolver(math.MaxInt64 / 4)
	require.Nil(t, err)
	require.Equal(t, int64(100*creditScale), s.g)
	require.Equal(t, int64(509), s.m) // B = 9,900 + 9,500 + 9,000 + 7,500 + 5,000 = 40,900; + 10,000
	require.Len(t, s.cost, 510)
}

func TestTopUpProperties(t *testing.T) {
	c := Default()
	dearest, cheapest := c.topUps.Bundles[0], c.topUps.Bundles[len(c.topUps.Bundles)-1]
	r := rand.New(rand.NewSource(3))
	var prev TopUpPlan
	needs := []int64{0, 1, 99, 100, 101, 550, 9_999, 10_000, 10_001, 50_900, 50_901, 123_456, 1e6, 1e9, 1e12, 7e13}
	for i := 0; i < 2000; i++ {
		needs = append(needs, r.Int63n(7e13))
	}
	sort.Slice(needs, func(a, b int) bool { return needs[a] < needs[b] })
	for i, n := range needs {
		need := Credits(n * creditScale)
		p, err := c.TopUpQuote(need)
		require.NoError(t, err, n)
		// A bigger need never costs less.
		if i > 0 {
			require.GreaterOrEqual(t, p.Total, prev.Total, "need %d", n)
		}
		prev = p
		if p.Credits == 0 {
			require.Zero(t, n)
			continue
		}
		// The price per credit never exceeds the smallest bundle's nor beats the largest's
		// (cross-multiplied exactly in 128 bits).
		require.True(t, ratioLE(p.Total, p.Credits, dearest.Price, dearest.Credits), "need %d", n)
		require.True(t, ratioLE(cheapest.Price, cheapest.Credits, p.Total, p.Credits), "need %d", n)
		// Surplus is below the largest bundle (an optimal cover never carries a droppable bundle).
		require.Less(t, p.Surplus, cheapest.Credits)
	}
	// Buying more never gives a worse price per credit than the card promises for that size:
	// a need of exactly a bundle's size costs at most that bundle.
	for _, b := range c.topUps.Bundles {
		p, err := c.TopUpQuote(b.Credits)
		require.NoError(t, err)
		require.LessOrEqual(t, p.Total, b.Price)
	}
}

func ratioLE(a Money, ac Credits, b Money, bc Credits) bool {
	x, _ := u128{lo: uint64(a)}.mul(uint64(bc))
	y, _ := u128{lo: uint64(b)}.mul(uint64(ac))
	return x.hi < y.hi || (x.hi == y.hi && x.lo <= y.lo)
}

func TestTopUpEdges(t *testing.T) {
	c := Default()
	// 10^15 credits is accepted but its price ($6·10^13) does not fit: a clear overflow.
	e := ecErr(t, c, "topup", `{"need":"1000000000000000"}`)
	require.Equal(t, CodeOverflow, e.Code)
	require.Equal(t, "need", e.Field)
	// The largest need whose price fits is answered exactly.
	m := ecDo(t, c, "topup", `{"need":"70000000000000"}`)
	require.Equal(t, "4200000000000.00", m["totalUsd"])
	require.Equal(t, "0.0600", m["pricePerCreditUsd"])
	for _, tc := range []struct{ req, code, field string }{
		{`{"need":"1000000000000000.01"}`, CodeOutOfRange, "need"},
		{`{"need":"9223372036854775807"}`, CodeOutOfRange, "need"},
		{`{"need":"92233720368547758.07"}`, CodeOutOfRange, "need"},
		{`{"need":"-1"}`, CodeOutOfRange, "need"},
		{`{"need":"1.001"}`, CodeInvalidValue, "need"},
		{`{"need":12}`, CodeInvalidType, "need"},
		{`{"need":"abc"}`, CodeInvalidValue, "need"},
		{`{}`, CodeMissingField, "need"},
		{`{"need":"1","extra":1}`, CodeUnknownField, "extra"},
		{`{"need":"1","need":"2"}`, CodeDuplicateField, "need"},
		{`[]`, CodeInvalidType, ""},
		{`{"need":`, CodeInvalidJSON, "need"},
	} {
		e := ecErr(t, c, "topup", tc.req)
		require.Equal(t, tc.code, e.Code, tc.req)
		require.Equal(t, tc.field, e.Field, tc.req)
	}
	// The Go API rejects the same ranges.
	_, err := c.TopUpQuote(-1)
	require.Error(t, err)
	_, err = c.TopUpQuote(math.MaxInt64)
	require.Error(t, err)
	p, err := c.TopUpQuote(0)
	require.NoError(t, err)
	require.Zero(t, p.Total)
	require.Equal(t, `{"need":"0.00","credits":"0.00","surplus":"0.00","totalUsd":"0.00","pricePerCreditUsd":null,"validDays":180,"bundles":[]}`, string(p.AppendJSON(nil)))
}

func TestTopUpExamples(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ need, total, credits, ppc string }{
		{"1", "10.00", "100.00", "0.1000"},
		{"100", "10.00", "100.00", "0.1000"},
		{"450", "45.00", "500.00", "0.0900"},  // 500 for $45 beats 4×100 + ... for $50
		{"800", "75.00", "800.00", "0.0938"},  // 500 + 3×100 ($75) beats the 1,000 bundle ($80)
		{"900", "80.00", "1000.00", "0.0800"}, // the 1,000 bundle beats 500 + 4×100 ($85)
		{"10000", "600.00", "10000.00", "0.0600"},
		{"9000", "600.00", "10000.00", "0.0600"}, // 5,000+2,500+1,000+500 costs $625
	} {
		m := ecDo(t, c, "topup", `{"need":"`+tc.need+`"}`)
		require.Equal(t, tc.total, m["totalUsd"], tc.need)
		require.Equal(t, tc.credits, m["credits"], tc.need)
		require.Equal(t, tc.ppc, m["pricePerCreditUsd"], tc.need)
	}
}

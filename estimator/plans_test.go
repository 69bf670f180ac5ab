package estimator

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// fullSpeedCost is an independent evaluation of a full-speed curve through the public API.
func fullSpeedCost(t testing.TB, c *RateCard, id string, w Credits) Money {
	t.Helper()
	price, inc := Money(0), Credits(0)
	if id != "payg" {
		found := false
		for _, p := range c.Plans() {
			if p.ID == id {
				price, inc, found = p.Price, p.Monthly+p.Priority, true
			}
		}
		require.True(t, found, id)
	}
	if w <= inc {
		return price
	}
	p, err := c.TopUpQuote(w - inc)
	require.NoError(t, err)
	return price + p.Total
}

// checkBreakEven verifies every break-even statement on a grid that holds every point where a
// curve can step (all included amounts are multiples of 50 credits, bundles of 100).
func checkBreakEven(t *testing.T, c *RateCard, r PlanComparison, upTo int64) {
	var grid []Credits
	for k := int64(0); k*50 <= upTo; k++ {
		grid = append(grid, Credits(k*50*creditScale), Credits(k*50*creditScale+1))
	}
	require.NotEmpty(t, r.BreakEven)
	for _, be := range r.BreakEven {
		var first, again, lastDearer, after Credits = -1, -1, -1, -1
		for i, w := range grid {
			a, b := fullSpeedCost(t, c, be.Option, w), fullSpeedCost(t, c, be.Than, w)
			if a < b && first < 0 {
				first = w
			}
			if a > b {
				if first >= 0 && again < 0 {
					again = w
				}
				lastDearer = w
				after = -1
				if i+1 < len(grid) {
					after = grid[i+1]
				}
			}
		}
		require.Equal(t, first >= 0, be.HasFirst, "%+v", be)
		if be.HasFirst {
			require.Equal(t, first, be.FirstCheaper, "%+v", be)
		}
		require.Equal(t, again >= 0, be.HasDearerAgain, "%+v", be)
		if be.HasDearerAgain {
			require.Equal(t, again, be.DearerAgain, "%+v", be)
		}
		if be.HasNever {
			require.Equal(t, after, be.NeverDearer, "%+v (last dearer %s)", be, lastDearer)
		} else {
			// Never settles: the option is dearer somewhere in the last stretch of the scan.
			require.Greater(t, int64(lastDearer), (upTo-20_000)*creditScale, "%+v", be)
		}
	}
}

func TestPlansBreakEvenDefaultCard(t *testing.T) {
	c := Default()
	r, err := c.ComparePlans(PlanWorkload{Credits: 800 * creditScale})
	require.NoError(t, err)
	checkBreakEven(t, c, r, 100_000)
	// The numbers the docs quote.
	byPair := map[string]BreakEven{}
	for _, be := range r.BreakEven {
		byPair[be.Option+">"+be.Than] = be
	}
	require.Equal(t, "200.01", byPair["basic>payg"].FirstCheaper.String())
	require.Equal(t, "2250.01", byPair["basic>payg"].DearerAgain.String())
	require.Equal(t, "4150.01", byPair["premium>basic"].FirstCheaper.String())
	require.Equal(t, "10000.01", byPair["premium>basic"].DearerAgain.String())
	require.False(t, byPair["premium>basic"].HasNever)
	require.Equal(t, "3900.01", byPair["premium>payg"].FirstCheaper.String())
}

// A card whose big plan is much cheaper per credit than any top-up: it wins for good.
func TestPlansBreakEvenSettles(t *testing.T) {
	c := ecCard(t, "plans", `[
		{"id":"basic","name":"Basic","priceUsd":"29.00","monthlyCredits":"500","priorityCredits":"50","queue":"standard"},
		{"id":"studio","name":"Studio","priceUsd":"200.00","monthlyCredits":"5000","priorityCredits":"0","queue":"fast"}]`)
	r, err := c.ComparePlans(PlanWorkload{Credits: 100 * creditScale})
	require.NoError(t, err)
	checkBreakEven(t, c, r, 100_000)
	settled := 0
	for _, be := range r.BreakEven {
		if be.Option == "studio" {
			require.True(t, be.HasNever, "%+v", be)
			settled++
		}
	}
	require.Equal(t, 2, settled)
}

func TestPlansOptionsAndRecommendation(t *testing.T) {
	c := Default()
	r := rand.New(rand.NewSource(11))
	needs := []int64{0, 1, 100, 101, 550, 551, 800, 5000, 5550, 20_000, 123_456_78}
	for i := 0; i < 150; i++ {
		needs = append(needs, r.Int63n(3_000_000))
	}
	for _, n := range needs {
		w := Credits(n)
		res, err := c.ComparePlans(PlanWorkload{Credits: w, Videos: 10})
		require.NoError(t, err)
		var best *PlanOption
		for i := range res.Options {
			o := &res.Options[i]
			// Totals add up exactly.
			require.Equal(t, w, o.Used+o.Queued, o.ID)
			require.Equal(t, o.Cost, o.PlanCost+o.TopUp.Total, o.ID)
			if o.FullSpeed {
				require.Zero(t, o.Queued, o.ID)
				require.Equal(t, o.Included+o.TopUp.Credits, o.Used+o.Expiring+o.Carried, o.ID)
				if !o.OneTime {
					require.Equal(t, fullSpeedCost(t, c, map[string]string{"payg": "payg", "basic": "basic", "basic+topup": "basic", "premium": "premium", "premium+topup": "premium"}[o.ID], w), o.Cost, o.ID)
					if best == nil || o.Cost < best.Cost {
						best = o
					}
				}
			} else {
				require.Positive(t, o.Queued, o.ID)
			}
		}
		require.NotNil(t, best)
		for _, o := range res.Options {
			if o.ID == res.Recommended {
				require.Equal(t, best.Cost, o.Cost, "need %s", w)
			}
		}
	}
}

func TestPlansOp(t *testing.T) {
	c := Default()
	m := ecDo(t, c, "plans", `{"jobs":[{"spec":{"resolution":"4k","fps":60,"durationSeconds":10},"count":100},{"spec":{"resolution":"720p","fps":30,"durationSeconds":5,"count":4},"count":50}],"like":{"resolution":"4k","fps":60,"durationSeconds":10}}`)
	// 100 × 5.00 + 50 × 4 × 0.25 = 550 credits, 300 videos.
	require.Equal(t, "550.00", m["need"])
	require.Equal(t, jsonNum(300), m["videos"])
	rec := m["recommended"].(map[string]any)
	require.Equal(t, "basic", rec["id"])
	opts := m["options"].([]any)
	ids := []string{}
	for _, o := range opts {
		ids = append(ids, o.(map[string]any)["id"].(string))
	}
	require.Equal(t, []string{"trial+queue", "payg", "basic", "premium"}, ids)
	basic := opts[2].(map[string]any)
	require.Equal(t, "29.00", basic["costUsd"])
	require.Equal(t, "100.00", basic["utilization"])
	require.Equal(t, "0.0527", basic["pricePerCreditUsd"])
	require.Equal(t, "0.0967", basic["pricePerVideoUsd"])
	like := m["like"].(map[string]any)
	require.Equal(t, "5.00", like["unitCredits"])
	plans := like["plans"].([]any)
	require.Equal(t, jsonNum(20), plans[0].(map[string]any)["videos"])  // trial 100
	require.Equal(t, jsonNum(110), plans[1].(map[string]any)["videos"]) // basic 550
	require.Equal(t, jsonNum(1000), plans[2].(map[string]any)["videos"])
	require.Equal(t, "0.2990", plans[2].(map[string]any)["pricePerVideoUsd"])

	for _, tc := range []struct{ req, code, field string }{
		{`{}`, CodeMissingField, "credits"},
		{`{"credits":"1","jobs":[]}`, CodeInvalidValue, "jobs"},
		{`{"credits":"-1"}`, CodeOutOfRange, "credits"},
		{`{"credits":"1000000000000000.01"}`, CodeOutOfRange, "credits"},
		{`{"credits":"1000000000000000"}`, CodeOverflow, "credits"},
		{`{"jobs":[{"spec":{"resolution":"8k","fps":30,"durationSeconds":5}}]}`, CodeUnsupportedResolution, "jobs[0].spec.resolution"},
		{`{"jobs":[{"spec":{"resolution":"720p","fps":30,"durationSeconds":5},"count":-3}]}`, CodeOutOfRange, "jobs[0].count"},
		{`{"jobs":[{"spec":{"resolution":"720p","fps":30,"durationSeconds":5},"count":100001}]}`, CodeOutOfRange, "jobs[0].count"},
		{`{"jobs":[{"count":1}]}`, CodeMissingField, "jobs[0].spec"},
		{`{"jobs":"x"}`, CodeInvalidType, "jobs"},
		{`{"credits":"5","like":{"resolution":"720p","fps":31,"durationSeconds":5}}`, CodeUnsupportedFPS, "like.fps"},
		{`{"credits":"5","plan":"gold"}`, CodeUnknownField, "plan"},
	} {
		e := ecErr(t, c, "plans", tc.req)
		require.Equal(t, tc.code, e.Code, tc.req)
		require.Equal(t, tc.field, e.Field, tc.req)
	}
	many := `{"jobs":[` + repeatJoin(`{"spec":{"resolution":"720p","fps":30,"durationSeconds":5}}`, maxEconomicsItems+1) + `]}`
	e := ecErr(t, c, "plans", many)
	require.Equal(t, CodeTooManyItems, e.Code)
	// 32 jobs of 100 × 100,000 4K/60 60 s extreme videos: large but exact.
	big := `{"jobs":[` + repeatJoin(`{"spec":{"resolution":"4k","fps":60,"durationSeconds":60,"complexity":"extreme","count":100},"count":100000}`, maxEconomicsItems) + `]}`
	m = ecDo(t, c, "plans", big)
	require.Equal(t, "76800000000.00", m["need"]) // 240 × 100 × 100,000 × 32
}

func repeatJoin(s string, n int) string {
	out := make([]byte, 0, (len(s)+1)*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, s...)
	}
	return string(out)
}

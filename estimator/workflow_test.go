package estimator

import (
	"encoding/json"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWorkflowDefaultPlan(t *testing.T) {
	c := Default()
	m := ecDo(t, c, "workflow", `{"final":{"resolution":"4k","fps":60,"durationSeconds":10}}`)
	// Defaults: 5 prototypes at 720p/24 fps/5 s (0.42 × 0.5 = 0.21 credits), the 4K/60 final
	// (5 credits), 2 minor refinements (0.1 × 5 = 0.50). Baseline: 7 renders at 5 credits.
	require.Equal(t, "7.05", m["workflow"].(map[string]any)["credits"])
	require.Equal(t, "35.00", m["baseline"].(map[string]any)["credits"])
	s := m["saving"].(map[string]any)
	require.Equal(t, "27.95", s["credits"])
	require.Equal(t, "79.86", s["percent"]) // the card's answer; the reference text says ~70
	require.Equal(t, "70", m["referenceClaimPercent"])
	p := m["prototype"].(map[string]any)
	require.Equal(t, "720p", p["resolution"])
	require.Equal(t, jsonNum(24), p["fps"])
	require.Equal(t, jsonNum(5), p["durationSeconds"])
}

func TestWorkflowTotalsAddUp(t *testing.T) {
	c := Default()
	r := rand.New(rand.NewSource(5))
	formats := []string{"720p", "1080p", "1440p", "2160p"}
	fps := []int64{24, 30, 60}
	for i := 0; i < 500; i++ {
		req := WorkflowRequest{
			Final:       Spec{Resolution: formats[r.Intn(4)], FPS: fps[r.Intn(3)], DurationMillis: 1000 + r.Int63n(59_001), Complexity: []string{"low", "medium", "high", "extreme"}[r.Intn(4)]},
			Prototypes:  r.Int63n(50),
			Refinements: r.Int63n(20),
		}
		if r.Intn(2) == 0 {
			req.RefinementMode = "refine-major"
		}
		if r.Intn(2) == 0 {
			req.PricePerCredit = Money(1 + r.Int63n(200_000))
		}
		p, err := c.PlanWorkflow(req)
		require.NoError(t, err)
		for _, side := range []WorkflowSide{p.Workflow, p.Baseline} {
			var sum Credits
			for _, l := range side.Lines {
				require.Equal(t, l.Unit*Credits(l.Count), l.Credits)
				sum += l.Credits
			}
			require.Equal(t, sum, side.Credits)
		}
		require.Equal(t, p.Baseline.Credits-p.Workflow.Credits, p.Saving)
		// Prototypes never cost more than finals: the default prototype is the cheapest cell.
		require.LessOrEqual(t, p.Workflow.Lines[0].Unit, p.Workflow.Lines[1].Unit)
		if req.Prototypes > 0 {
			require.GreaterOrEqual(t, p.Saving, Credits(0))
		}
		want, _ := percent(int64(p.Saving), int64(p.Baseline.Credits))
		if p.Saving >= 0 {
			require.Equal(t, want, p.SavingPercent)
		}
	}
}

func TestWorkflowErrors(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ req, code, field string }{
		{`{}`, CodeMissingField, "final"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"prototypes":-1}`, CodeOutOfRange, "prototypes"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"refinements":10001}`, CodeOutOfRange, "refinements"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"prototypes":9223372036854775807}`, CodeOutOfRange, "prototypes"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"prototypes":1.5}`, CodeInvalidValue, "prototypes"},
		{`{"final":{"resolution":"4k","fps":61,"durationSeconds":10}}`, CodeUnsupportedFPS, "final.fps"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":100}}`, CodeOutOfRange, "final.durationSeconds"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"prototype":{"resolution":"360p","fps":24,"durationSeconds":5}}`, CodeUnsupportedResolution, "prototype.resolution"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"refinementMode":"generate"}`, CodeUnsupportedMode, "refinementMode"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"refinementMode":"polish"}`, CodeUnsupportedMode, "refinementMode"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"pricePerCreditUsd":"-0.01"}`, CodeOutOfRange, "pricePerCreditUsd"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"pricePerCreditUsd":0.06}`, CodeInvalidType, "pricePerCreditUsd"},
		{`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"seed":42}`, CodeUnknownField, "seed"},
	} {
		e := ecErr(t, c, "workflow", tc.req)
		require.Equal(t, tc.code, e.Code, tc.req)
		require.Equal(t, tc.field, e.Field, tc.req)
	}
	// The maximum counts are exact, not an overflow.
	m := ecDo(t, c, "workflow", `{"final":{"resolution":"4k","fps":60,"durationSeconds":60,"complexity":"extreme","count":100},"prototypes":10000,"refinements":10000}`)
	require.Equal(t, "480000000.00", m["baseline"].(map[string]any)["credits"]) // 20,000 × 24,000
}

// On a card with extreme prices the totals stop fitting: an overflow error, never a wrap or a
// silent zero.
func TestWorkflowOverflowOnExtremeCard(t *testing.T) {
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(defaultCardJSON, &m))
	m["reference"] = json.RawMessage(`{"resolution":"1080p","fps":30,"durationSeconds":10,"credits":"1000000","label":"x"}`)
	m["formats"] = json.RawMessage(`[{"resolution":"1080p","label":"1080p","multipliers":{"24":"0.85","30":"1","60":"1.7"}},
		{"resolution":"2160p","label":"2160p","multipliers":{"24":"1000","30":"1000","60":"1000"}}]`)
	delete(m, "translations") // they name the formats replaced above
	b, err := json.Marshal(m)
	require.NoError(t, err)
	c, err := ParseRateCard(b)
	require.NoError(t, err)
	final := `{"resolution":"2160p","fps":60,"durationSeconds":60,"complexity":"extreme","count":100}`
	e := ecErr(t, c, "workflow", `{"final":`+final+`,"prototypes":10000,"refinements":10000}`)
	require.Equal(t, CodeOverflow, e.Code)
	// Fewer variations fit and are exact: 2 × 4.8·10^12 credits.
	out := ecDo(t, c, "workflow", `{"final":`+final+`,"prototypes":1,"refinements":1}`)
	require.Equal(t, "9600000000000.00", out["baseline"].(map[string]any)["credits"])
}

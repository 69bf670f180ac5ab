package estimator_test

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

var (
	propResolutions = []string{"720p", "1080p", "1440p", "2160p"}
	propFPS         = []int64{24, 30, 60}
	propLevels      = []string{"low", "medium", "high", "extreme"}
	propModes       = []string{"refine-minor", "refine-major", "generate"} // ascending cost
)

func randomSpec(r *rand.Rand) estimator.Spec {
	return estimator.Spec{
		Resolution:     propResolutions[r.IntN(len(propResolutions))],
		FPS:            propFPS[r.IntN(len(propFPS))],
		DurationMillis: 1000 + r.Int64N(59_001),
		Complexity:     propLevels[r.IntN(len(propLevels))],
		Mode:           propModes[r.IntN(len(propModes))],
		Count:          1 + r.Int64N(100),
	}
}

func mustCredits(t *testing.T, s estimator.Spec) int64 {
	t.Helper()
	q, err := estimator.Default().Estimate(s)
	require.NoError(t, err, "%+v", s)
	return q.Credits.Hundredths()
}

// Cost never falls when duration, resolution, frame rate, complexity or mode rises, and count
// scales exactly.
func TestPropertiesMonotonic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		s := randomSpec(r)
		base := mustCredits(t, s)

		longer := s
		longer.DurationMillis = min(60_000, s.DurationMillis+1+r.Int64N(5000))
		assert.GreaterOrEqual(t, mustCredits(t, longer), base, "duration %+v", s)

		for _, res := range propResolutions {
			if rank(propResolutions, res) >= rank(propResolutions, s.Resolution) {
				higher := s
				higher.Resolution = res
				assert.GreaterOrEqual(t, mustCredits(t, higher), base, "resolution %+v → %s", s, res)
			}
		}
		for _, fps := range propFPS {
			if fps >= s.FPS {
				higher := s
				higher.FPS = fps
				assert.GreaterOrEqual(t, mustCredits(t, higher), base, "fps %+v → %d", s, fps)
			}
		}
		for _, lvl := range propLevels {
			if rank(propLevels, lvl) >= rank(propLevels, s.Complexity) {
				higher := s
				higher.Complexity = lvl
				assert.GreaterOrEqual(t, mustCredits(t, higher), base, "complexity %+v → %s", s, lvl)
			}
		}
		// Refinements cost less than a new generation of the same video.
		gen := s
		gen.Mode = "generate"
		if s.Mode != "generate" {
			assert.Less(t, mustCredits(t, s), mustCredits(t, gen), "refinement %+v", s)
		}
		// count scales exactly.
		one := s
		one.Count = 1
		assert.Equal(t, mustCredits(t, one)*s.Count, base, "count %+v", s)
	}
}

func rank(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// The fixed-point result equals the exact rational product rounded up to 0.01 credit, computed
// independently with math/big from the card's numbers.
func TestPropertyExactAgainstBigRat(t *testing.T) {
	format := map[string]map[int64]string{
		"720p":  {24: "0.42", 30: "0.5", 60: "0.85"},
		"1080p": {24: "0.85", 30: "1", 60: "1.7"},
		"1440p": {24: "1.55", 30: "1.8", 60: "3"},
		"2160p": {24: "2.55", 30: "3", 60: "5"},
	}
	level := map[string]string{"low": "1", "medium": "2", "high": "4", "extreme": "8"}
	mode := map[string]string{"generate": "1", "refine-minor": "0.1", "refine-major": "0.2"}
	rat := func(s string) *big.Rat {
		v, ok := new(big.Rat).SetString(s)
		require.True(t, ok, s)
		return v
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		s := randomSpec(r)
		billed := (s.DurationMillis + 999) / 1000
		unit := new(big.Rat).Mul(rat(format[s.Resolution][s.FPS]), big.NewRat(billed, 10))
		unit.Mul(unit, rat(level[s.Complexity]))
		unit.Mul(unit, rat(mode[s.Mode]))
		unit.Mul(unit, big.NewRat(100, 1)) // hundredths
		ceil := new(big.Int).Quo(unit.Num(), unit.Denom())
		if new(big.Int).Mul(ceil, unit.Denom()).Cmp(unit.Num()) != 0 {
			ceil.Add(ceil, big.NewInt(1))
		}
		q, err := estimator.Default().Estimate(s)
		require.NoError(t, err)
		require.Equal(t, ceil.Int64(), q.UnitCredits.Hundredths(), "%+v", s)
		require.Equal(t, ceil.Int64()*s.Count, q.Credits.Hundredths(), "%+v", s)
	}
}

// Random contract requests never panic and always give either a quote or an error object.
func TestRandomRequestsAnswer(t *testing.T) {
	card := estimator.Default()
	ok, bad := 0, 0
	for _, req := range estimatortest.RandomRequests(42, 10_000) {
		out, err := card.Do("quote", req)
		if err != nil {
			var e *estimator.Error
			require.ErrorAs(t, err, &e)
			require.NotEmpty(t, e.Code)
			bad++
			continue
		}
		var q map[string]any
		require.NoError(t, jsonUnmarshal(out, &q), "%s", out)
		ok++
	}
	assert.Greater(t, ok, 7000)
	assert.Greater(t, bad, 500)
}

// Go values marshal through encoding/json to exactly the bytes Do returns.
func TestMarshalJSONMatchesDo(t *testing.T) {
	card := estimator.Default()
	for _, req := range estimatortest.RandomRequests(7, 2000) {
		s, err := estimator.DecodeSpec(req)
		if err != nil {
			continue
		}
		q, err := card.Estimate(s)
		if err != nil {
			continue
		}
		viaDo, err := card.Do("quote", req)
		require.NoError(t, err)
		viaStd, err := jsonMarshal(q)
		require.NoError(t, err)
		require.Equal(t, string(viaDo), string(viaStd))
		// A Spec round-trips through its JSON.
		back, err := estimator.DecodeSpec(s.AppendJSON(nil))
		require.NoError(t, err)
		if s.Count == 0 {
			s.Count = 1
		}
		require.Equal(t, s, back)
	}
}

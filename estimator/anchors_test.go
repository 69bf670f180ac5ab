package estimator_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// The default card must reproduce the anchor points of the reference text exactly.
func TestDefaultCardAnchors(t *testing.T) {
	card := estimator.Default()
	quote := func(s estimator.Spec) estimator.Quote {
		t.Helper()
		q, err := card.Estimate(s)
		require.NoError(t, err)
		return q
	}
	tests := []struct {
		name string
		spec estimator.Spec
		want string
	}{
		{"10 s 1080p 30 fps low", estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Complexity: "low"}, "1.00"},
		{"4K at 30 fps", estimator.Spec{Resolution: "2160p", FPS: 30, DurationMillis: 10_000, Complexity: "low"}, "3.00"},
		{"4k alias", estimator.Spec{Resolution: "4k", FPS: 30, DurationMillis: 10_000, Complexity: "low"}, "3.00"},
		{"4K at 60 fps", estimator.Spec{Resolution: "2160p", FPS: 60, DurationMillis: 10_000, Complexity: "low"}, "5.00"},
		{"720p prototype 6 s", estimator.Spec{Resolution: "720p", FPS: 30, DurationMillis: 6_000, Complexity: "low"}, "0.30"},
		{"720p prototype 10 s", estimator.Spec{Resolution: "720p", FPS: 30, DurationMillis: 10_000, Complexity: "low"}, "0.50"},
		{"refine minor is 10%", estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Mode: "refine-minor"}, "0.10"},
		{"refine major is 20%", estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Mode: "refine-major"}, "0.20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, quote(tt.spec).Credits.String())
		})
	}

	// Every 720p/30 fps clip of 6 to 10 s costs 0.30 to 0.50 credits.
	for ms := int64(6000); ms <= 10_000; ms += 250 {
		c := quote(estimator.Spec{Resolution: "720p", FPS: 30, DurationMillis: ms}).Credits.Hundredths()
		assert.GreaterOrEqual(t, c, int64(30), "at %d ms", ms)
		assert.LessOrEqual(t, c, int64(50), "at %d ms", ms)
	}

	calm := quote(estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: "gentle ripples on a calm lake"})
	assert.Equal(t, "1", calm.Complexity.Multiplier.String())
	assert.Equal(t, "1.00", calm.Credits.String())

	battle := quote(estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: "thousands of troops fiercely fighting on an ancient battlefield"})
	assert.GreaterOrEqual(t, int64(battle.Complexity.Multiplier), int64(8*10_000), "×8 or more")
	assert.Equal(t, "extreme", battle.Complexity.Level)
	assert.Equal(t, "8.00", battle.Credits.String())

	battleZH := quote(estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: "数千名士兵在古战场上激烈厮杀"})
	assert.Equal(t, "extreme", battleZH.Complexity.Level)

	// Refinements cost 10% to 20% of the full generation.
	full := quote(estimator.Spec{Resolution: "2160p", FPS: 60, DurationMillis: 10_000})
	minor := quote(estimator.Spec{Resolution: "2160p", FPS: 60, DurationMillis: 10_000, Mode: "refine-minor"})
	major := quote(estimator.Spec{Resolution: "2160p", FPS: 60, DurationMillis: 10_000, Mode: "refine-major"})
	assert.Equal(t, full.Credits.Hundredths()/10, minor.Credits.Hundredths())
	assert.Equal(t, full.Credits.Hundredths()/5, major.Credits.Hundredths())
}

func TestDefaultCardSupportsContractValues(t *testing.T) {
	card := estimator.Default()
	for _, res := range []string{"720p", "1080p", "1440p", "2160p", "4k", "4K"} {
		for _, fps := range []int64{24, 30, 60} {
			_, err := card.Estimate(estimator.Spec{Resolution: res, FPS: fps, DurationMillis: 5000})
			assert.NoError(t, err, "%s at %d fps", res, fps)
		}
	}
}

package estimator_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// The rule features a prompt has together (its counted signals and its counted crowd) add the
// weight of each pair of them and of their number, as one "together" signal after the others;
// signals set aside (negated, slow, alone) are not among them, and the weights still add up to
// the score.
func TestTogetherWeighsCountedRuleFeatures(t *testing.T) {
	pairs := map[string]int64{"combat+crowd-count": 30, "combat+weather": -5, "fire+explosion": 7}
	counts := map[int]int64{2: 1, 3: 100}
	m := defaultCardMap(t)
	tg := at(m, "complexity", "model", "together").(map[string]any)
	tg["pairs"] = map[string]any{}
	for k, w := range pairs {
		tg["pairs"].(map[string]any)[k] = w
	}
	tg["counts"] = map[string]any{"2": counts[2], "3": counts[3]}
	card, err := estimator.ParseRateCard(marshalCard(t, m))
	require.NoError(t, err)
	delete(at(m, "complexity", "model").(map[string]any), "together")
	for _, tr := range m["translations"].(map[string]any) {
		delete(tr.(map[string]any)["signals"].(map[string]any), "together")
	}
	alone, err := estimator.ParseRateCard(marshalCard(t, m))
	require.NoError(t, err)

	for _, prompt := range []string{
		"thousands of soldiers fighting",
		"soldiers fighting in the rain",
		"a house on fire, explosions, soldiers fighting in heavy rain",
		"a fire with no explosions",
		"a calm lake",
		"slow drone shot of a burning village while soldiers fight",
		"数千名士兵在古战场上激烈厮杀",
	} {
		t.Run(prompt, func(t *testing.T) {
			base, got := alone.Analyze(prompt), card.Analyze(prompt)
			var ids []string
			for _, s := range base.Signals {
				if s.Kind != "words" && s.Ignored == "" {
					ids = append(ids, s.ID)
				}
			}
			var want int64
			for i := range ids {
				for j := range ids {
					if i != j {
						want += pairs[ids[i]+"+"+ids[j]]
					}
				}
			}
			for k := 2; k <= len(ids); k++ {
				want += counts[k]
			}
			assert.Equal(t, base.Score+want, got.Score, "rule features %v", ids)
			var sum int64
			var rest []estimator.Signal
			for _, s := range got.Signals {
				sum += s.Weight
				if s.ID == "together" {
					assert.Equal(t, estimator.Signal{Kind: "together", ID: "together", Label: "Combined signals", Weight: want}, s)
					continue
				}
				rest = append(rest, s)
			}
			assert.Equal(t, got.Score, sum, "the weights add up to the score")
			assert.Equal(t, base.Signals, rest, "the other signals are the same")
			if want == 0 {
				assert.Len(t, got.Signals, len(base.Signals), "no together signal of weight 0")
			}
		})
	}
}

// The together signal is translated like the others.
func TestTogetherIsTranslated(t *testing.T) {
	q, err := estimator.Default().Estimate(estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000,
		Prompt: "thousands of soldiers fighting in the rain as a tower collapses", Locale: "de-DE"})
	require.NoError(t, err)
	var found bool
	for _, s := range q.Complexity.Signals {
		if s.ID == "together" {
			found = true
			assert.Equal(t, "Kombinierte Signale", s.Label)
		}
	}
	assert.True(t, found, "%+v", q.Complexity.Signals)
}

package estimator_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// A card written before negation, calm words, units and the Chinese crowd rules (the default
// card of 2026-11-25) is still valid: the new keys are optional, and without them the analyzer
// reads it much as before.
func TestCardWithoutNewComplexityKeys(t *testing.T) {
	raw, err := os.ReadFile("testdata/ratecard-2026-11-25.1.json")
	require.NoError(t, err)
	card, err := estimator.ParseRateCard(raw)
	require.NoError(t, err)
	for prompt, level := range map[string]string{
		"gentle ripples on a calm lake":                                   "low",
		"thousands of troops fiercely fighting on an ancient battlefield": "extreme",
		"数千名士兵在古战场上激烈厮杀":                                                  "extreme",
		"20 dancers, water splashing, a building collapsing":              "extreme",
		"no explosions": "medium", // no negation words in this card: the explosion counts
	} {
		assert.Equal(t, level, card.Analyze(prompt).Level, prompt)
	}
	// Without measure words a Chinese numeral still counts a crowd before a crowd noun.
	cx := card.Analyze("两千名士兵")
	require.NotEmpty(t, cx.Signals)
	assert.Equal(t, "两千名士兵", cx.Signals[0].Match)
}

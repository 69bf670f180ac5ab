package estimator_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// A prompt of several sentences is priced at most model.spread.levels levels above its heaviest
// sentence read alone: one "spread" signal, naming no words, takes its score down to the highest
// score of that level; the other signals stay as they were, and the weights still add up to the
// score. A prompt the cap does not reach, and a card without it, are priced as before.
func TestSpreadCapsByTheHeaviestSentence(t *testing.T) {
	card := estimator.Default()
	m := defaultCardMap(t)
	delete(at(m, "complexity", "model").(map[string]any), "spread")
	for _, tr := range m["translations"].(map[string]any) {
		delete(tr.(map[string]any)["signals"].(map[string]any), "spread")
	}
	uncapped, err := estimator.ParseRateCard(marshalCard(t, m))
	require.NoError(t, err)
	type cardLevel struct {
		name     string
		minScore int64
	}
	var levels []cardLevel
	for _, l := range at(m, "complexity", "levels").([]any) {
		lm := l.(map[string]any)
		levels = append(levels, cardLevel{lm["name"].(string), int64(lm["minScore"].(float64))})
	}
	index := func(name string) int {
		for i, l := range levels {
			if l.name == name {
				return i
			}
		}
		t.Fatalf("no level %q", name)
		return -1
	}

	capped := 0
	for _, prompt := range []string{
		// Lively scenes, one a sentence, adding up.
		"A dog runs across the beach. Waves crash on the rocks. A storm rolls in with heavy rain. Fireworks burst over the city. A car races down the street. A crowd cheers.",
		"A skateboarder races down a hill. Rain falls on the street. A fire burns in a barrel. Explosions of color fill the sky. A whip pan follows a speeding car.",
		"一只狗在沙滩上奔跑！海浪拍打礁石！暴雨来临！烟花在城市上空绽放！一辆车在街上飞驰！人群欢呼！",
		// One sentence carries the scene.
		"A quiet morning.\nThousands of troops fiercely fighting on an ancient battlefield, cities burning, explosions everywhere.",
		"thousands of troops fiercely fighting on an ancient battlefield",
		"A calm lake. Gentle ripples. Soft light.",
		"a tsunami sweeping through a coastal city; cars and buildings carried away",
	} {
		t.Run(prompt, func(t *testing.T) {
			base, got := uncapped.Analyze(prompt), card.Analyze(prompt)
			heaviest := -1
			var sentences []string
			for _, s := range strings.FieldsFunc(prompt, func(r rune) bool { return strings.ContainsRune(".!?;\n。！？；", r) }) {
				if s = strings.TrimSpace(s); s != "" {
					sentences = append(sentences, s)
				}
			}
			for _, s := range sentences {
				heaviest = max(heaviest, index(uncapped.Analyze(s).Level))
			}
			var rest []estimator.Signal
			var sum, cut int64
			for _, s := range got.Signals {
				sum += s.Weight
				if s.ID == "spread" {
					assert.Equal(t, estimator.Signal{Kind: "spread", ID: "spread", Label: "Capped by its most demanding sentence", Weight: s.Weight}, s)
					cut = s.Weight
					continue
				}
				rest = append(rest, s)
			}
			assert.Equal(t, got.Score, sum, "the weights add up to the score")
			assert.Equal(t, base.Signals, rest, "the other signals are the same")
			if len(sentences) < 2 || index(base.Level) <= heaviest+1 {
				assert.Equal(t, base, got, "not capped")
				return
			}
			capped++
			assert.Equal(t, levels[heaviest+1].name, got.Level, "one level above the heaviest sentence")
			assert.Equal(t, levels[heaviest+2].minScore-1, got.Score, "the highest score of that level")
			assert.Equal(t, got.Score-base.Score, cut)
		})
	}
	assert.GreaterOrEqual(t, capped, 2, "some prompts must reach the cap")
}

// A Chinese rendering of a quote names the cap in the card's translation.
func TestSpreadTranslated(t *testing.T) {
	card := estimator.Default()
	prompt := "A dog runs across the beach. Waves crash on the rocks. A storm rolls in with heavy rain. Fireworks burst over the city. A car races down the street. A crowd cheers."
	q, err := card.Estimate(estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: prompt, Locale: "zh-Hans"})
	require.NoError(t, err)
	var labels []string
	for _, s := range q.Complexity.Signals {
		if s.ID == "spread" {
			labels = append(labels, s.Label)
		}
	}
	assert.Equal(t, []string{"以最复杂的一句为上限"}, labels)
}

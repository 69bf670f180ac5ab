package estimator_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

func defaultCardMap(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(estimator.Default().JSON(), &m))
	return m
}

func marshalCard(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// at walks a decoded card by keys and indexes.
func at(m any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m = m.(map[string]any)[k]
		case int:
			m = m.([]any)[k]
		}
	}
	return m
}

func TestParseRateCardRejectsMalformedCards(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		field  string
	}{
		{"unknown top-level key", func(m map[string]any) { m["discount"] = 1 }, "discount"},
		{"missing reference", func(m map[string]any) { delete(m, "reference") }, "reference"},
		{"empty version", func(m map[string]any) { m["version"] = " " }, "version"},
		{"negative multiplier", func(m map[string]any) { at(m, "formats", 0, "multipliers").(map[string]any)["30"] = "-0.5" }, "formats[0].multipliers.30"},
		{"zero multiplier", func(m map[string]any) { at(m, "formats", 0, "multipliers").(map[string]any)["24"] = "0" }, "formats[0].multipliers.24"},
		{"float multiplier", func(m map[string]any) { at(m, "formats", 1, "multipliers").(map[string]any)["60"] = 1.7 }, "formats[1].multipliers.60"},
		{"duplicate resolution", func(m map[string]any) { at(m, "formats", 1).(map[string]any)["resolution"] = "720p" }, "formats[1].resolution"},
		{"duplicate alias", func(m map[string]any) { at(m, "formats", 3).(map[string]any)["aliases"] = []any{"hd"} }, "formats[3].aliases[0]"},
		{"resolution cheaper than a lower one", func(m map[string]any) {
			at(m, "formats", 3, "multipliers").(map[string]any)["30"] = "1.5"
		}, "formats[3].multipliers.30"},
		{"fps cheaper than a lower one", func(m map[string]any) {
			at(m, "formats", 0, "multipliers").(map[string]any)["60"] = "0.45"
		}, "formats[0].multipliers.60"},
		{"missing fps in a row", func(m map[string]any) { delete(at(m, "formats", 2, "multipliers").(map[string]any), "24") }, "formats[2].multipliers"},
		{"reference multiplier not 1", func(m map[string]any) { at(m, "formats", 1, "multipliers").(map[string]any)["30"] = "1.1" }, "formats[1].multipliers.30"},
		{"reference names unknown resolution", func(m map[string]any) { at(m, "reference").(map[string]any)["resolution"] = "8k" }, "reference.resolution"},
		{"zero reference credits", func(m map[string]any) { at(m, "reference").(map[string]any)["credits"] = "0" }, "reference.credits"},
		{"levels unsorted", func(m map[string]any) { at(m, "complexity", "levels", 2).(map[string]any)["minScore"] = 2 }, "complexity.levels[2].minScore"},
		{"levels overlapping", func(m map[string]any) { at(m, "complexity", "levels", 2).(map[string]any)["minScore"] = 3 }, "complexity.levels[2].minScore"},
		{"level cheaper than lower", func(m map[string]any) { at(m, "complexity", "levels", 3).(map[string]any)["multiplier"] = "3" }, "complexity.levels[3].multiplier"},
		{"first level not at 0", func(m map[string]any) { at(m, "complexity", "levels", 0).(map[string]any)["minScore"] = 1 }, "complexity.levels[0].minScore"},
		{"crowd bands unsorted", func(m map[string]any) { at(m, "complexity", "crowd", "bands", 1).(map[string]any)["min"] = 2 }, "complexity.crowd.bands[1].min"},
		{"duplicate term", func(m map[string]any) {
			s := at(m, "complexity", "signals", 1).(map[string]any)
			s["terms"] = append([]any{"battle"}, s["terms"].([]any)...)
		}, "complexity.signals[1].terms[0]"},
		{"duplicate term after stemming", func(m map[string]any) {
			s := at(m, "complexity", "signals", 1).(map[string]any)
			s["terms"] = append([]any{"battles"}, s["terms"].([]any)...)
		}, "complexity.signals[1].terms[0]"},
		{"signal term also a negation", func(m map[string]any) {
			n := at(m, "complexity", "negation").(map[string]any)
			n["terms"] = append([]any{"battle"}, n["terms"].([]any)...)
		}, "complexity.negation.terms[0]"},
		{"negation scope 0", func(m map[string]any) { at(m, "complexity", "negation").(map[string]any)["scope"] = 0 }, "complexity.negation.scope"},
		{"negation of two words", func(m map[string]any) {
			n := at(m, "complexity", "negation").(map[string]any)
			n["terms"] = append([]any{"not any"}, n["terms"].([]any)...)
		}, "complexity.negation.terms[0]"},
		{"calm exception of two words", func(m map[string]any) { at(m, "complexity", "calm").(map[string]any)["except"] = []any{"slow motion"} }, "complexity.calm.except[0]"},
		{"amplifier not a boolean", func(m map[string]any) { at(m, "complexity", "signals", 0).(map[string]any)["amplifier"] = "yes" }, "complexity.signals[0].amplifier"},
		{"mixed-script Han term", func(m map[string]any) {
			s := at(m, "complexity", "signals", 0).(map[string]any)
			s["terms"] = append([]any{"战斗x"}, s["terms"].([]any)...)
		}, "complexity.signals[0].terms[0]"},
		{"Latin measure word", func(m map[string]any) { at(m, "complexity", "crowd").(map[string]any)["measureWords"] = "名x" }, "complexity.crowd.measureWords"},
		{"Latin neutral term", func(m map[string]any) { at(m, "complexity", "neutral").([]any)[0] = "volcano" }, "complexity.neutral[0]"},
		{"repeat percent above 100", func(m map[string]any) { at(m, "complexity").(map[string]any)["repeats"] = map[string]any{"crowd": 101} }, "complexity.repeats.crowd"},
		{"model key of three words", func(m map[string]any) { at(m, "complexity", "model", "weights").(map[string]any)["a b c"] = 1 }, "complexity.model.weights.a b c"},
		{"model key of three Han characters", func(m map[string]any) { at(m, "complexity", "model", "weights").(map[string]any)["大火灾"] = 1 }, "complexity.model.weights.大火灾"},
		{"model weight out of range", func(m map[string]any) { at(m, "complexity", "model", "weights").(map[string]any)["zebra"] = 1001 }, "complexity.model.weights.zebra"},
		{"model weight not an integer", func(m map[string]any) { at(m, "complexity", "model", "weights").(map[string]any)["zebra"] = 1.5 }, "complexity.model.weights.zebra"},
		{"model key twice after stemming", func(m map[string]any) {
			w := at(m, "complexity", "model", "weights").(map[string]any)
			w["zebras"], w["zebra"] = 1, 2
		}, "complexity.model.weights.zebras"},
		{"model explains too much", func(m map[string]any) { at(m, "complexity", "model").(map[string]any)["explain"] = 17 }, "complexity.model.explain"},
		{"model background not an object", func(m map[string]any) { at(m, "complexity", "model").(map[string]any)["background"] = []any{} }, "complexity.model.background"},
		{"together pair of an unknown signal", func(m map[string]any) { togetherPairs(m)["combat+nope"] = 1 }, "complexity.model.together.pairs.combat+nope"},
		{"together pair of one signal", func(m map[string]any) { togetherPairs(m)["fire+fire"] = 1 }, "complexity.model.together.pairs.fire+fire"},
		{"together pair without +", func(m map[string]any) { togetherPairs(m)["fire"] = 1 }, "complexity.model.together.pairs.fire"},
		{"together pair twice", func(m map[string]any) {
			togetherPairs(m)["combat+titan"], togetherPairs(m)["titan+combat"] = 1, 2
		}, "complexity.model.together.pairs.titan+combat"},
		{"together pair weight out of range", func(m map[string]any) { togetherPairs(m)["combat+crowd-count"] = -1001 }, "complexity.model.together.pairs.combat+crowd-count"},
		{"together count of one", func(m map[string]any) { togetherCounts(m)["1"] = 1 }, "complexity.model.together.counts.1"},
		{"together count above 8", func(m map[string]any) { togetherCounts(m)["9"] = 1 }, "complexity.model.together.counts.9"},
		{"together count not a plain number", func(m map[string]any) { togetherCounts(m)["03"] = 1 }, "complexity.model.together.counts.03"},
		{"together without a label", func(m map[string]any) { delete(at(m, "complexity", "model", "together").(map[string]any), "label") }, "complexity.model.together.label"},
		{"unknown key in together", func(m map[string]any) {
			at(m, "complexity", "model", "together").(map[string]any)["triples"] = map[string]any{}
		}, "complexity.model.together.triples"},
		{"spread of no levels", func(m map[string]any) { at(m, "complexity", "model", "spread").(map[string]any)["levels"] = 0 }, "complexity.model.spread.levels"},
		{"spread of 17 levels", func(m map[string]any) { at(m, "complexity", "model", "spread").(map[string]any)["levels"] = 17 }, "complexity.model.spread.levels"},
		{"spread of a fraction", func(m map[string]any) { at(m, "complexity", "model", "spread").(map[string]any)["levels"] = 1.5 }, "complexity.model.spread.levels"},
		{"spread without a label", func(m map[string]any) { delete(at(m, "complexity", "model", "spread").(map[string]any), "label") }, "complexity.model.spread.label"},
		{"unknown key in spread", func(m map[string]any) { at(m, "complexity", "model", "spread").(map[string]any)["sentences"] = 2 }, "complexity.model.spread.sentences"},
		{"unknown key in calm", func(m map[string]any) { at(m, "complexity", "calm").(map[string]any)["scope"] = 1 }, "complexity.calm.scope"},
		{"negative weight", func(m map[string]any) { at(m, "complexity", "signals", 0).(map[string]any)["weight"] = -1 }, "complexity.signals[0].weight"},
		{"unknown key in signal", func(m map[string]any) { at(m, "complexity", "signals", 0).(map[string]any)["boost"] = 1 }, "complexity.signals[0].boost"},
		{"refinement not cheaper", func(m map[string]any) { at(m, "modes", 1).(map[string]any)["multiplier"] = "1" }, "modes[1].multiplier"},
		{"generate not 1", func(m map[string]any) { at(m, "modes", 0).(map[string]any)["multiplier"] = "1.5" }, "modes[0].multiplier"},
		{"bundles unsorted", func(m map[string]any) { at(m, "topUps", "bundles", 1).(map[string]any)["credits"] = "50" }, "topUps.bundles[1].credits"},
		{"bigger bundle dearer per credit", func(m map[string]any) { at(m, "topUps", "bundles", 5).(map[string]any)["priceUsd"] = "1000.00" }, "topUps.bundles[5].priceUsd"},
		{"negative plan price", func(m map[string]any) { at(m, "plans", 0).(map[string]any)["priceUsd"] = "-29" }, "plans[0].priceUsd"},
		{"duplicate plan", func(m map[string]any) { at(m, "plans", 1).(map[string]any)["id"] = "basic" }, "plans[1].id"},
		{"min duration above max", func(m map[string]any) { at(m, "duration").(map[string]any)["minSeconds"] = 90 }, "duration.maxSeconds"},
		{"currency", func(m map[string]any) { m["currency"] = "XYZ" }, "currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := defaultCardMap(t)
			tt.mutate(m)
			_, err := estimator.ParseRateCard(marshalCard(t, m))
			var e *estimator.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.field, e.Field, e.Message)
			assert.Contains(t, []string{estimator.CodeInvalidRateCard, estimator.CodeDuplicateField}, e.Code)
		})
	}
}

// TestLexiconErrorsNameTheItem: the paths of a lexicon's items are built only for an error, so
// these name items past the first, in lists of every kind, and the term listed before.
func TestLexiconErrorsNameTheItem(t *testing.T) {
	// fromCard is an item taken from the card itself, at a path.
	type fromCard []any
	appended := []struct {
		name   string
		list   []any // where the item is appended: the last key names the list in its object
		item   any
		inText string
	}{
		{"a term in two signals", []any{"complexity", "signals", 2, "terms"}, fromCard{"complexity", "signals", 0, "terms", 3}, "is already listed at complexity.signals[0].terms[3]"},
		{"a term not a string", []any{"complexity", "signals", 1, "terms"}, 7, "must be a string"},
		{"a blank term", []any{"complexity", "signals", 1, "terms"}, " ", "non-empty term"},
		{"a crowd noun of two words", []any{"complexity", "crowd", "nouns"}, "fire fighters", "is one word"},
		{"a neutral term in Latin letters", []any{"complexity", "neutral"}, "kite", "is Chinese"},
		{"a calm term of two words", []any{"complexity", "calm", "terms"}, "very still", "must be one word"},
	}
	for _, tt := range appended {
		t.Run(tt.name, func(t *testing.T) {
			m := defaultCardMap(t)
			item := tt.item
			if from, ok := item.(fromCard); ok {
				item = at(m, from...)
			}
			parent := at(m, tt.list[:len(tt.list)-1]...).(map[string]any)
			key := tt.list[len(tt.list)-1].(string)
			parent[key] = append(parent[key].([]any), item)
			var field strings.Builder
			for _, k := range tt.list {
				if i, ok := k.(int); ok {
					field.WriteString("[" + strconv.Itoa(i) + "]")
				} else {
					if field.Len() > 0 {
						field.WriteString(".")
					}
					field.WriteString(k.(string))
				}
			}
			field.WriteString("[" + strconv.Itoa(len(parent[key].([]any))-1) + "]")
			requireCardError(t, m, field.String(), tt.inText)
		})
	}
	t.Run("a model weight not a number", func(t *testing.T) {
		m := defaultCardMap(t)
		at(m, "complexity", "model", "weights").(map[string]any)["zebra"] = "1"
		requireCardError(t, m, "complexity.model.weights.zebra", "must be an integer, not string")
	})
	t.Run("a background key of three words", func(t *testing.T) {
		m := defaultCardMap(t)
		at(m, "complexity", "model", "background").(map[string]any)["a b c"] = 1
		requireCardError(t, m, "complexity.model.background.a b c", "one or two words")
	})
}

// requireCardError parses card m and requires an error at field whose message holds inText.
func requireCardError(t *testing.T, m map[string]any, field, inText string) {
	t.Helper()
	_, err := estimator.ParseRateCard(marshalCard(t, m))
	var e *estimator.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, field, e.Field, e.Message)
	assert.Contains(t, e.Message, inText)
}

func TestParseRateCardRejectsBadJSON(t *testing.T) {
	for _, in := range []string{"", "{", "[]", "null", `{"version":"1"}`, strings.Repeat("[", 1000)} {
		_, err := estimator.ParseRateCard([]byte(in))
		var e *estimator.Error
		require.ErrorAs(t, err, &e, "%q", in)
	}
}

// The digest is the SHA-256 of the canonical form: reformatting or reordering the card keeps
// it, and any change of a value changes it.
func TestDigestIsCanonical(t *testing.T) {
	def := estimator.Default()
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, def.Digest())

	var indented bytes.Buffer
	require.NoError(t, json.Indent(&indented, estimator.Default().JSON(), "", "      "))
	again, err := estimator.ParseRateCard(indented.Bytes())
	require.NoError(t, err)
	assert.Equal(t, def.Digest(), again.Digest())

	reordered, err := estimator.ParseRateCard(marshalCard(t, defaultCardMap(t))) // encoding/json sorts keys
	require.NoError(t, err)
	assert.Equal(t, def.Digest(), reordered.Digest())

	m := defaultCardMap(t)
	m["version"] = "2026-12-01.1"
	changed, err := estimator.ParseRateCard(marshalCard(t, m))
	require.NoError(t, err)
	assert.NotEqual(t, def.Digest(), changed.Digest())
	assert.Equal(t, "2026-12-01.1", changed.Version())
}

// One truth: prices come from the card. A card with other numbers prices differently, and
// every quote names the card it was priced with.
func TestPricesComeFromTheCard(t *testing.T) {
	m := defaultCardMap(t)
	at(m, "reference").(map[string]any)["credits"] = "2.00"
	at(m, "formats", 3, "multipliers").(map[string]any)["60"] = "6"
	at(m, "modes", 1).(map[string]any)["multiplier"] = "0.15"
	at(m, "complexity", "levels", 3).(map[string]any)["multiplier"] = "10"
	m["version"] = "test-card"
	card, err := estimator.ParseRateCard(marshalCard(t, m))
	require.NoError(t, err)

	q, err := card.Estimate(estimator.Spec{Resolution: "2160p", FPS: 60, DurationMillis: 10_000, Mode: "refine-minor", Complexity: "extreme"})
	require.NoError(t, err)
	assert.Equal(t, "18.00", q.Credits.String()) // 2 × 6 × 1 × 10 × 0.15
	assert.Equal(t, "test-card", q.RateCard.Version)
	assert.Equal(t, card.Digest(), q.RateCard.Digest)
}

func TestEmbeddedCardFileIsTheDefault(t *testing.T) {
	data, err := os.ReadFile("ratecard.json")
	require.NoError(t, err)
	assert.Equal(t, data, estimator.Default().JSON())
}

func togetherPairs(m map[string]any) map[string]any {
	return at(m, "complexity", "model", "together", "pairs").(map[string]any)
}

// togetherCounts is the card's together.counts, added when the card has none.
func togetherCounts(m map[string]any) map[string]any {
	tg := at(m, "complexity", "model", "together").(map[string]any)
	if tg["counts"] == nil {
		tg["counts"] = map[string]any{}
	}
	return tg["counts"].(map[string]any)
}

package estimator

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The choices are the card's, read here independently from its JSON: every format with its label
// (translated when the card translates it), lower-case aliases and frame rates; every mode and
// level; the limits; the default spec at the card's reference point.
func TestChoicesAreTheCards(t *testing.T) {
	platform, err := os.ReadFile("../web/test/fixtures/platform-card.json")
	require.NoError(t, err)
	yen, err := os.ReadFile("../web/test/fixtures/jpy-card.json")
	require.NoError(t, err)
	tests := []struct {
		name, card, locale, lang string
	}{
		{"default card, its own language", string(defaultCardJSON), "", ""},
		{"default card in German", string(defaultCardJSON), "de", "de"},
		{"default card, de-AT reads German", string(defaultCardJSON), "de-AT", "de"},
		{"default card, zh-CN reads Simplified Chinese", string(defaultCardJSON), "zh-CN", "zh-Hans"},
		{"default card in Arabic", string(defaultCardJSON), "ar", "ar"},
		{"default card, an untranslated language keeps its labels", string(defaultCardJSON), "fr", ""},
		{"platform card", string(platform), "ja", ""},
		{"yen card", string(yen), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseRateCard([]byte(tt.card))
			require.NoError(t, err)
			req := `{}`
			if tt.locale != "" {
				req = `{"locale":"` + tt.locale + `"}`
			}
			out, err := c.Do("choices", []byte(req))
			require.NoError(t, err)
			var got map[string]any
			require.NoError(t, json.Unmarshal(out, &got))
			require.Equal(t, choicesFromJSON(t, []byte(tt.card), tt.lang), got)
		})
	}
}

// choicesFromJSON is the widget's former reading of a card (ce/choices.js), kept as the oracle.
func choicesFromJSON(t *testing.T, card []byte, lang string) map[string]any {
	var c struct {
		Version, Currency string
		Reference         struct {
			Resolution      string
			FPS             float64
			DurationSeconds float64
		}
		Duration struct{ MinSeconds, MaxSeconds, BillingIncrementSeconds float64 }
		Limits   struct{ MaxCount, MaxPromptChars float64 }
		Formats  []struct {
			Resolution, Label string
			Aliases           []string
			Multipliers       map[string]string
		}
		Modes      []struct{ Name, Label string }
		Complexity struct {
			Levels []struct{ Name, Label string }
		}
		Translations map[string]struct {
			Formats, Modes, Levels map[string]string
		}
	}
	require.NoError(t, json.Unmarshal(card, &c))
	tr := c.Translations[lang]
	label := func(m map[string]string, key, own string) string {
		if m[key] != "" {
			return m[key]
		}
		return own
	}
	var res []any
	for _, f := range c.Formats {
		var fps []float64
		for k := range f.Multipliers {
			n, err := strconv.Atoi(k)
			require.NoError(t, err)
			fps = append(fps, float64(n))
		}
		sort.Float64s(fps)
		aliases := []any{}
		for _, a := range f.Aliases {
			aliases = append(aliases, strings.ToLower(a))
		}
		fpsAny := []any{}
		for _, n := range fps {
			fpsAny = append(fpsAny, n)
		}
		res = append(res, map[string]any{"value": f.Resolution, "label": label(tr.Formats, f.Resolution, f.Label), "aliases": aliases, "fps": fpsAny})
	}
	var modes, levels []any
	for _, m := range c.Modes {
		modes = append(modes, map[string]any{"value": m.Name, "label": label(tr.Modes, m.Name, m.Label)})
	}
	for _, l := range c.Complexity.Levels {
		levels = append(levels, map[string]any{"value": l.Name, "label": label(tr.Levels, l.Name, l.Label)})
	}
	return map[string]any{
		"version": c.Version, "currency": c.Currency, "resolutions": res, "modes": modes, "levels": levels,
		"duration": map[string]any{"min": c.Duration.MinSeconds, "max": c.Duration.MaxSeconds, "step": c.Duration.BillingIncrementSeconds},
		"maxCount": c.Limits.MaxCount, "maxPromptChars": c.Limits.MaxPromptChars,
		"defaultSpec": map[string]any{"resolution": c.Reference.Resolution, "fps": c.Reference.FPS, "durationSeconds": c.Reference.DurationSeconds,
			"prompt": "", "complexity": "auto", "mode": "generate", "count": float64(1)},
	}
}

// The choices request is {} or {"locale": tag}; anything else is refused with its field.
func TestChoicesRequest(t *testing.T) {
	c := Default()
	for _, tt := range []struct{ req, code, field string }{
		{`{"locale":"not a tag"}`, CodeInvalidValue, "locale"},
		{`{"locale":5}`, CodeInvalidType, "locale"},
		{`{"lang":"de"}`, CodeUnknownField, "lang"},
		{`[]`, CodeInvalidType, ""},
		{`{}x`, CodeInvalidJSON, ""},
	} {
		_, err := c.Do("choices", []byte(tt.req))
		var e *Error
		require.ErrorAs(t, err, &e, tt.req)
		require.Equal(t, tt.code, e.Code, tt.req)
		require.Equal(t, tt.field, e.Field, tt.req)
	}
	out, err := c.Do("choices", []byte(`{"locale":null}`))
	require.NoError(t, err)
	own, _ := c.Do("choices", []byte(`{}`))
	require.Equal(t, string(own), string(out))
}

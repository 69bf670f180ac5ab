package estimator

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// cardWithTranslations returns the default card's JSON with its translations replaced.
func cardWithTranslations(t *testing.T, translations string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(defaultCardJSON, &m))
	if translations == "" {
		delete(m, "translations")
	} else {
		m["translations"] = json.RawMessage(translations)
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestCardTranslationsValidated(t *testing.T) {
	for _, tc := range []struct{ name, tr, field string }{
		{"not an object", `["de"]`, "translations"},
		{"bad tag", `{"de_DE":{}}`, "translations.de_DE"},
		{"own language", `{"en":{"modes":{"generate":"x"}}}`, "translations.en"},
		{"unknown section", `{"de":{"colours":{}}}`, "translations.de.colours"},
		{"unknown format", `{"de":{"formats":{"8k":"8K"}}}`, "translations.de.formats.8k"},
		{"unknown mode", `{"de":{"modes":{"remix":"Remix"}}}`, "translations.de.modes.remix"},
		{"unknown level", `{"de":{"levels":{"auto":"Auto"}}}`, "translations.de.levels.auto"},
		{"unknown signal", `{"de":{"signals":{"dragons":"Drachen"}}}`, "translations.de.signals.dragons"},
		{"unknown plan", `{"de":{"plans":{"gold":"Gold"}}}`, "translations.de.plans.gold"},
		{"empty label", `{"de":{"modes":{"generate":" "}}}`, "translations.de.modes.generate"},
		{"label not a string", `{"de":{"levels":{"low":1}}}`, "translations.de.levels.low"},
		{"reference not a string", `{"de":{"reference":{}}}`, "translations.de.reference"},
		{"twice in another case", `{"de":{},"DE":{}}`, "translations.DE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRateCard(cardWithTranslations(t, tc.tr))
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, CodeInvalidRateCard, e.Code, e.Error())
			require.Equal(t, tc.field, e.Field, e.Error())
		})
	}
	_, err := ParseRateCard(cardWithTranslations(t, `{"fr":{"levels":{"low":"Calme"}},"pt-BR":{}}`))
	require.NoError(t, err, "a partial translation is valid")
	_, err = ParseRateCard(cardWithTranslations(t, ""))
	require.NoError(t, err, "translations are optional")
}

func TestCardLanguageValidated(t *testing.T) {
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(defaultCardJSON, &m))
	m["language"] = json.RawMessage(`"english"`) // 7 letters: a well-formed but odd tag is accepted
	b, _ := json.Marshal(m)
	_, err := ParseRateCard(b)
	require.NoError(t, err)
	m["language"] = json.RawMessage(`"en US"`)
	b, _ = json.Marshal(m)
	_, err = ParseRateCard(b)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "language", e.Field)
}

func TestTranslationLookup(t *testing.T) {
	c, err := ParseRateCard(cardWithTranslations(t, `{"zh-Hans":{"levels":{"low":"平静"}},"zh-Hant":{"levels":{"low":"平靜"}},"de":{"levels":{"low":"Ruhig"}},"pt-BR":{"levels":{"low":"Calmo"}}}`))
	require.NoError(t, err)
	for locale, want := range map[string]string{
		"": "Calm", "en": "Calm", "en-GB": "Calm", "fr": "Calm",
		"de": "Ruhig", "de-AT": "Ruhig", "DE-de": "Ruhig",
		"zh": "平静", "zh-CN": "平静", "zh-Hans-SG": "平静", "zh-TW": "平靜", "zh-Hant": "平靜", "zh-hant-hk": "平靜",
		"pt-BR": "Calmo", "pt": "Calm",
	} {
		q, err := c.Estimate(Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Locale: locale})
		require.NoError(t, err, locale)
		require.Equal(t, want, q.Complexity.Label, locale)
	}
	require.Equal(t, []string{"zh-Hans", "zh-Hant", "de", "pt-BR"}, c.Languages())
	require.Equal(t, "en", c.Language())
}

// A locale never changes a price: every number of the quote is the same in every language.
func TestLocaleNeverChangesPrice(t *testing.T) {
	c := Default()
	base := Spec{Resolution: "4k", FPS: 60, DurationMillis: 12_500, Prompt: "an army charges across a burning battlefield", Mode: "refine-major", Count: 7}
	ref, err := c.Estimate(base)
	require.NoError(t, err)
	for _, loc := range append(c.Languages(), "fr", "en") {
		s := base
		s.Locale = loc
		q, err := c.Estimate(s)
		require.NoError(t, err, loc)
		require.Equal(t, ref.Credits, q.Credits, loc)
		require.Equal(t, ref.USD, q.USD, loc)
		require.Equal(t, ref.Complexity.Score, q.Complexity.Score, loc)
		require.Len(t, q.Breakdown, len(ref.Breakdown))
		for i := range q.Breakdown {
			require.Equal(t, ref.Breakdown[i].Multiplier, q.Breakdown[i].Multiplier, loc)
		}
	}
	// The shared signal labels of the untranslated quote are not touched by a translated one.
	again, err := c.Estimate(base)
	require.NoError(t, err)
	require.Equal(t, ref, again)
}

func TestDefaultCardTranslatesEveryLabel(t *testing.T) {
	c := Default()
	require.ElementsMatch(t, []string{"zh-Hans", "ja", "de", "es", "ar"}, c.Languages())
	for _, tr := range c.translations {
		require.NotEmpty(t, tr.reference, tr.lang)
		require.NotEmpty(t, tr.standardQueue, tr.lang)
		require.NotEmpty(t, tr.roi, tr.lang)
		for i, l := range tr.formats {
			require.NotEmpty(t, l, "%s format %s", tr.lang, c.formats[i].name)
		}
		for i, l := range tr.modes {
			require.NotEmpty(t, l, "%s mode %s", tr.lang, c.modes[i].name)
		}
		for i, l := range tr.levels {
			require.NotEmpty(t, l, "%s level %s", tr.lang, c.levels[i].name)
		}
		for _, d := range c.analyzer.signals {
			require.NotEmpty(t, tr.signals[d.id], "%s signal %s", tr.lang, d.id)
		}
		require.NotEmpty(t, tr.signals[crowdSignalID], tr.lang)
		for _, p := range c.plans {
			require.NotEmpty(t, tr.plans[p.ID], "%s plan %s", tr.lang, p.ID)
		}
	}
	require.Equal(t, "Basic", c.PlanName("basic", "fr"))
	require.Equal(t, "基础版", c.PlanName("basic", "zh-CN"))
}

func TestCardCurrencies(t *testing.T) {
	withCurrency := func(code string) ([]byte, *RateCard, error) {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(defaultCardJSON, &m))
		m["currency"] = json.RawMessage(`"` + code + `"`)
		b, _ := json.Marshal(m)
		c, err := ParseRateCard(b)
		return b, c, err
	}
	for _, code := range []string{"USD", "EUR", "GBP", "CHF"} {
		_, c, err := withCurrency(code)
		require.NoError(t, err, code)
		require.Equal(t, code, c.Currency())
		// The same card in another two-decimal currency prices the same amounts.
		q, err := c.Estimate(Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000})
		require.NoError(t, err)
		require.Equal(t, "0.06", q.USD.Min.String())
	}
	for code, want := range map[string]string{
		"JPY": "JPY has 0 decimal places", "KWD": "KWD has 3 decimal places", "usd": "ISO 4217", "XYZ": "ISO 4217",
	} {
		_, _, err := withCurrency(code)
		var e *Error
		require.ErrorAs(t, err, &e, code)
		require.Equal(t, "currency", e.Field)
		require.Contains(t, e.Message, want)
	}
}

package estimator

import (
	"encoding/json"
	"os"
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
		for _, d := range c.an().signals {
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
	withCurrency := func(code string, edit func(m map[string]json.RawMessage)) (*RateCard, error) {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(defaultCardJSON, &m))
		m["currency"] = json.RawMessage(`"` + code + `"`)
		if edit != nil {
			edit(m)
		}
		b, _ := json.Marshal(m)
		return ParseRateCard(b)
	}
	for _, code := range []string{"USD", "EUR", "GBP", "CHF"} {
		c, err := withCurrency(code, nil)
		require.NoError(t, err, code)
		require.Equal(t, code, c.Currency())
		out, err := c.Do("quote", []byte(`{"resolution":"1080p","fps":30,"durationSeconds":10}`))
		require.NoError(t, err)
		require.Contains(t, string(out), `"usd":{"min":"0.06","max":"0.10"}`)
	}
	for code, want := range map[string]string{"usd": "ISO 4217", "XYZ": "ISO 4217"} {
		_, err := withCurrency(code, nil)
		var e *Error
		require.ErrorAs(t, err, &e, code)
		require.Equal(t, "currency", e.Field)
		require.Contains(t, e.Message, want)
	}
	// JPY has no minor unit: the card's amounts must be whole yen.
	_, err := withCurrency("JPY", func(m map[string]json.RawMessage) {
		m["topUps"] = json.RawMessage(`{"validDays":180,"bundles":[{"credits":"100","priceUsd":"1500.50"}]}`)
	})
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "topUps.bundles[0].priceUsd", e.Field)
	require.Contains(t, e.Message, "JPY has 0 decimal places")
	// KWD has three.
	_, err = withCurrency("KWD", func(m map[string]json.RawMessage) {
		delete(m, "translations")
		m["plans"] = json.RawMessage(`[{"id":"basic","name":"Basic","priceUsd":"9.0005","monthlyCredits":"500","priorityCredits":"0","queue":"standard"}]`)
	})
	require.ErrorAs(t, err, &e)
	require.Equal(t, "plans[0].priceUsd", e.Field)
}

// A card priced in yen: every amount a response shows is whole yen, rounded half away from zero
// from the exact value, and the sentences name the currency.
func TestJPYCardAmountsInWholeYen(t *testing.T) {
	b, err := os.ReadFile("../web/test/fixtures/jpy-card.json")
	require.NoError(t, err)
	c, err := ParseRateCard(b)
	require.NoError(t, err)
	require.Equal(t, "JPY", c.Currency())
	do := func(op, req string) string {
		out, err := c.Do(op, []byte(req))
		require.NoError(t, err, op)
		return string(out)
	}
	// 1 credit at 15 yen (10 000 credits for 90 000) to 15 yen (100 for 1 500): 9 to 15 yen.
	q := do("quote", `{"resolution":"1080p","fps":30,"durationSeconds":10}`)
	require.Contains(t, q, `"usd":{"min":"9","max":"15"}`)
	// 0.05 credits: 0.45 yen to 0.75 yen, shown as 0 and 1 (half away from zero).
	q = do("quote", `{"resolution":"720p","fps":30,"durationSeconds":1}`)
	require.Contains(t, q, `"credits":"0.05"`)
	require.Contains(t, q, `"usd":{"min":"0","max":"1"}`)
	tu := do("topup", `{"need":"750"}`)
	require.Contains(t, tu, `"totalUsd":"11250"`)
	require.Contains(t, tu, `"priceUsd":"6750"`)
	require.NotRegexp(t, `"(totalUsd|priceUsd|subtotalUsd)":"\d+\.`, tu)
	pl := do("plans", `{"credits":"40"}`)
	require.Contains(t, pl, `"costUsd":"1500"`)
	require.Contains(t, pl, `"planUsd":"4350"`)
	require.Contains(t, pl, "1500 JPY a month")
	require.NotContains(t, pl, "$")
	roi := do("roi", `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10}}`)
	require.Contains(t, roi, `"traditional":{"costUsd":"1200000"`)
	require.Contains(t, roi, `"totalUsd":"9"`)
	wf := do("workflow", `{"final":{"resolution":"1080p","fps":30,"durationSeconds":10},"prototypes":5,"refinements":2}`)
	require.NotRegexp(t, `"(min|max)":"\d+\.\d`, wf)
	// The typed API keeps exact values; only the JSON form rounds to the minor unit.
	p, err := c.TopUpQuote(CreditsFromHundredths(75_000))
	require.NoError(t, err)
	require.Equal(t, int64(11_250_000_000), p.Total.Micros())
}

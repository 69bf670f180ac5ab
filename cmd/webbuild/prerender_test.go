package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

func TestPrerenderPutsTheCardsPricesInTheHTML(t *testing.T) {
	page := []byte(`<div data-plans><!--card:plans--></div><table><tbody><!--card:compare--></tbody></table><table><tbody><!--card:bundles--></tbody></table><p><!--card:bundle-note--></p>`)
	out := string(prerender(page, estimator.Default()))
	require.NotContains(t, out, "<!--card:")
	for _, want := range []string{
		`data-plan="basic"`, `<h3>Basic</h3>`, `$29.00<small> / month</small>`, `550 a month`, `$0.0527 per credit`,
		`data-plan="premium"`, `$299.00`, `5,000 monthly credits`, `$0.0598 per credit`,
		`<th scope="row">Premium</th>`, `<td>100 credits</td><td class="num">$10.00</td><td class="num">$0.1000</td>`,
		`Top-up credits stay valid 180 days.`, `data-plan="payg"`,
	} {
		require.Contains(t, out, want)
	}
	// A page without markers is untouched.
	require.Equal(t, "<p>x</p>", string(prerender([]byte("<p>x</p>"), estimator.Default())))
}

func TestPrerenderFormatsMoney(t *testing.T) {
	require.Equal(t, "$1,234,567.00", money(estimator.MoneyFromMicros(1_234_567_000_000), "USD"))
	require.Equal(t, "¥3,000", money(estimator.MoneyFromMicros(3_000_000_000), "JPY"))
	require.Equal(t, "€0.50", money(estimator.MoneyFromMicros(500_000), "EUR"))
	require.Equal(t, "CHF 1.00", money(estimator.MoneyFromMicros(1_000_000), "CHF"))
	require.Equal(t, "¥1,234.50", unitPriceText([]unitPrice{{PricePerCredit: ptr("1234.50")}}, 0, "JPY"))
	require.Equal(t, "—", unitPriceText([]unitPrice{{}}, 0, "JPY"))
	require.Equal(t, "—", unitPriceText(nil, 0, "JPY"))
	require.Equal(t, "45.5", credits(estimator.CreditsFromHundredths(4550)))
	require.True(t, strings.HasPrefix(credits(estimator.CreditsFromHundredths(123456700)), "1,234,567"))
}

func ptr(s string) *string { return &s }

// A yen card's prices per credit in the HTML are the engine's digits: two decimals, always.
func TestPrerenderYenPricesAreTheEngines(t *testing.T) {
	b, err := os.ReadFile("../../web/test/fixtures/jpy-card.json")
	require.NoError(t, err)
	card, err := estimator.ParseRateCard(b)
	require.NoError(t, err)
	out := string(prerender([]byte(`<!--card:plans--><!--card:compare--><!--card:bundles-->`), card))
	for _, want := range []string{`¥7.91 per credit`, `<td class="num">¥15.00</td>`, `<td class="num">¥9.00</td>`} {
		require.Contains(t, out, want)
	}
}

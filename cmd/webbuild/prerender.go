package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math/big"
	"strings"

	"github.com/creditestimator/creditestimator/estimator"
)

// The pricing page carries its plans, bundles and plan comparison in its HTML, rendered here from
// the card at build time, so the prices are there without JavaScript and for search engines. The
// page script re-renders them in the reader's language once it runs. Markers in index.html:
// <!--card:plans-->, <!--card:compare-->, <!--card:bundles-->, <!--card:bundle-note-->.
// The text is the page catalogue's English (web/pages/messages.js).

// prerender replaces the card markers of a page; pages without markers are returned unchanged.
func prerender(page []byte, card *estimator.RateCard) []byte {
	if !bytes.Contains(page, []byte("<!--card:")) {
		return page
	}
	cur := card.Currency()
	prices := enginePrices(card)
	var plans, compare, bundles strings.Builder
	for i, p := range card.Plans() {
		granted := p.Monthly + p.Priority
		perCredit := unitPriceText(prices.Plans, i, cur)
		fmt.Fprintf(&plans, `<article class="card plan" data-plan="%s"><h3>%s</h3><p class="price">%s<small> / month</small></p><ul>`,
			esc(p.ID), esc(p.Name), esc(money(p.Price, cur)))
		fmt.Fprintf(&plans, `<li>%s monthly credits</li>`, esc(credits(p.Monthly)))
		if p.Priority > 0 {
			fmt.Fprintf(&plans, `<li>+ %s priority credits each month</li>`, esc(credits(p.Priority)))
		}
		queue := "Standard generation queue"
		if p.Queue == "fast" {
			queue = "Fast generation queue"
		}
		fmt.Fprintf(&plans, `<li>%s</li>`, queue)
		if p.Priority > 0 {
			fmt.Fprintf(&plans, `<li>%s per credit, counting monthly and priority credits (%s a month)</li>`, esc(perCredit), esc(credits(granted)))
		} else {
			fmt.Fprintf(&plans, `<li>%s per credit (%s credits a month)</li>`, esc(perCredit), esc(credits(granted)))
		}
		plans.WriteString(`</ul></article>`)
		short := "Standard"
		if p.Queue == "fast" {
			short = "Fast"
		}
		fmt.Fprintf(&compare, `<tr><th scope="row">%s</th><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td></tr>`,
			esc(p.Name), esc(money(p.Price, cur)), esc(credits(p.Monthly)), esc(credits(p.Priority)), esc(perCredit), short)
	}
	t := card.TopUps()
	trial := card.Trial()
	plans.WriteString(`<article class="card plan" data-plan="payg"><h3>Pay as you go</h3><p class="price">No subscription</p><ul>`)
	fmt.Fprintf(&plans, `<li>%s free trial credits (valid %d days)</li>`, esc(credits(trial.Credits)), trial.ValidDays)
	if len(t.Bundles) > 0 {
		fmt.Fprintf(&plans, `<li>Top-ups from %s for %s credits</li>`, esc(money(t.Bundles[0].Price, cur)), esc(credits(t.Bundles[0].Credits)))
	}
	fmt.Fprintf(&plans, `<li>Top-up credits stay valid %d days</li></ul></article>`, t.ValidDays)
	for i, b := range t.Bundles {
		fmt.Fprintf(&bundles, `<tr><td>%s credits</td><td class="num">%s</td><td class="num">%s</td></tr>`,
			esc(credits(b.Credits)), esc(money(b.Price, cur)), esc(unitPriceText(prices.Bundles, i, cur)))
	}
	note := fmt.Sprintf("Top-up credits stay valid %d days. %s", t.ValidDays, card.StandardQueue().Label)
	r := strings.NewReplacer(
		"<!--card:plans-->", plans.String(),
		"<!--card:compare-->", compare.String(),
		"<!--card:bundles-->", bundles.String(),
		"<!--card:bundle-note-->", esc(note),
	)
	return []byte(r.Replace(string(page)))
}

func esc(s string) string { return html.EscapeString(s) }

// group writes the integer digits with commas every three ("12345" → "12,345").
func group(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// decimal formats v / 10^places with grouped integer digits and exactly `keep` decimals (keep ≤ places,
// rounded half away from zero).
func decimal(v *big.Rat, keep int) string {
	s := v.FloatString(keep)
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	out := group(intPart)
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// credits formats credits in English without trailing zero decimals ("550", "45.5").
func credits(c estimator.Credits) string {
	s := decimal(new(big.Rat).SetFrac64(c.Hundredths(), 100), 2)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" {
		return "0"
	}
	return s
}

// minorDigits is ISO 4217's minor unit of the currencies a card may use.
func minorDigits(currency string) int {
	switch currency {
	case "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "TND":
		return 3
	}
	return 2
}

var symbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

func withCurrency(amount, currency string) string {
	if s, ok := symbols[currency]; ok {
		return s + amount
	}
	return currency + " " + amount
}

// money formats an amount in the currency's minor unit ("$29.00", "¥3,000").
func money(m estimator.Money, currency string) string {
	return withCurrency(decimal(new(big.Rat).SetFrac64(m.Micros(), 1_000_000), minorDigits(currency)), currency)
}

// cardPrices is the engine's "prices" answer: every plan's and bundle's price per credit, already
// rounded by the engine's rule for the card's currency (the pages show the same digits).
type cardPrices struct {
	Plans   []unitPrice `json:"plans"`
	Bundles []unitPrice `json:"bundles"`
}

type unitPrice struct {
	PricePerCredit *string `json:"pricePerCreditUsd"`
}

// enginePrices asks the engine for the card's prices per credit; an empty answer shows dashes.
func enginePrices(card *estimator.RateCard) cardPrices {
	var p cardPrices
	if out, err := card.Do("prices", []byte(`{}`)); err == nil {
		_ = json.Unmarshal(out, &p)
	}
	return p
}

// unitPriceText writes the engine's digits with grouping and the currency ("$0.0527", "¥14.38"),
// or a dash when there is no price.
func unitPriceText(list []unitPrice, i int, currency string) string {
	if i >= len(list) || list[i].PricePerCredit == nil {
		return "—"
	}
	intPart, frac, _ := strings.Cut(*list[i].PricePerCredit, ".")
	s := group(intPart)
	if frac != "" {
		s += "." + frac
	}
	return withCurrency(s, currency)
}

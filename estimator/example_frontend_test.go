package estimator_test

import (
	"fmt"

	"github.com/creditestimator/creditestimator/estimator"
)

// What each plan and bundle of the default card costs per credit, rounded by the unit-price rule
// (four decimals in USD); the "prices" operation answers the same numbers as JSON.
func ExampleRateCard_Prices() {
	card := estimator.Default()
	p := card.Prices()
	fmt.Println(p.Currency, p.Plans[0].Plan.ID, p.Plans[0].Credits, p.Plans[0].PricePerCredit.Micros())
	out, _ := card.Do("prices", []byte(`{}`))
	fmt.Println(string(out)[:128])
	// Output:
	// USD basic 550.00 52700
	// {"currency":"USD","unitPricePlaces":4,"plans":[{"id":"basic","priceUsd":"29.00","credits":"550.00","pricePerCreditUsd":"0.0527"}
}

// What a front end offers on the default card, labelled in German (the card translates its
// labels); the "choices" operation answers the same as JSON.
func ExampleRateCard_Choices() {
	ch := estimator.Default().Choices("de")
	fmt.Println(ch.Resolutions[0].Value, ch.Resolutions[0].FPS, ch.Modes[0].Label, ch.Levels[0].Label)
	fmt.Println(ch.MinSeconds, ch.MaxSeconds, ch.MaxCount, ch.Default.Resolution)
	// Output:
	// 720p [24 30 60] Neue Generierung Ruhig
	// 1 60 100 1080p
}

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

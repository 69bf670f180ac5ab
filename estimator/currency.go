package estimator

import "github.com/creditestimator/creditestimator/estimator/internal/jsonx"

// Currencies a card may price in. Money is kept in millionths of the currency; every amount a
// response shows is rounded half away from zero to the currency's minor unit and printed with its
// decimals: cents for USD or EUR ("29.00"), whole yen for JPY ("3000"), thousandths for KWD. The
// card's own amounts (plan and bundle prices, the ROI default) must be exact in that unit. Unit
// prices (per credit, per video) keep four decimals in every currency.

// currencyMinorDigits is ISO 4217's minor unit of common currencies.
var currencyMinorDigits = map[string]int{
	"USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CNY": 2, "HKD": 2, "SGD": 2,
	"TWD": 2, "INR": 2, "BRL": 2, "MXN": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "ZAR": 2,
	"AED": 2, "SAR": 2, "EGP": 2, "MAD": 2, "TRY": 2, "ILS": 2, "THB": 2, "MYR": 2, "PHP": 2, "IDR": 2,
	"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "XAF": 0, "XOF": 0, "PYG": 0,
	"BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}

// checkCurrency reports why a card cannot price in a currency, or "" when it can.
func checkCurrency(code string) string {
	if _, ok := currencyMinorDigits[code]; !ok {
		return "must be an ISO 4217 currency code this engine knows (e.g. \"USD\", \"EUR\", \"JPY\")"
	}
	return ""
}

// moneyFmt writes amounts in a card's currency: rounded half away from zero to its minor unit
// and printed with that many decimals ("29.00" in USD, "3000" in JPY). The zero value writes
// cents, like Money.String.
type moneyFmt struct {
	places int   // decimals of the minor unit
	unit   int64 // micro-units in one minor unit; 0 means cents
}

func moneyFmtFor(minor int) moneyFmt {
	unit := int64(1)
	for i := minor; i < moneyPlaces; i++ {
		unit *= 10
	}
	return moneyFmt{places: minor, unit: unit}
}

// appendAmount appends m in the currency's minor unit.
func (f moneyFmt) appendAmount(dst []byte, m Money) []byte {
	if f.unit == 0 {
		return m.AppendText(dst)
	}
	return jsonx.AppendFixed(dst, roundHalfAway(int64(m), f.unit), f.places)
}

// text is m for a sentence: "$29.00" in USD, "3000 JPY" in other currencies.
func (c *RateCard) moneyText(m Money) string {
	s := string(c.money.appendAmount(nil, m))
	if c.currency == "USD" {
		return "$" + s
	}
	return s + " " + c.currency
}

// checkWhole reports a card amount finer than the currency's minor unit ("" when it is exact).
func (c *RateCard) checkWhole(m Money) string {
	if c.money.unit != 0 && int64(m)%c.money.unit != 0 {
		return "must be a whole number of the currency's minor unit (" + c.currency + " has " + string(rune('0'+c.money.places)) + " decimal places)"
	}
	return ""
}

// MinorUnits is m in the card currency's minor unit — cents in USD, yen in JPY — rounded half
// away from zero: the integer amount a payment provider charges (Stripe's unit_amount).
func (c *RateCard) MinorUnits(m Money) int64 {
	if c.money.unit == 0 {
		return m.Cents()
	}
	return roundHalfAway(int64(m), c.money.unit)
}

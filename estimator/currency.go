package estimator

// Currencies a card may price in. Amounts are exact in hundredths of the currency (money is kept
// in millionths and shown rounded to the cent, half away from zero), so a card's currency must
// have a minor unit of two decimals: USD, EUR, GBP and the others below. Currencies without a
// minor unit (JPY, KRW) or with three decimals (BHD, KWD) are refused with a clear error rather
// than shown with decimals they do not have.

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
	d, ok := currencyMinorDigits[code]
	switch {
	case !ok:
		return "must be an ISO 4217 currency code this engine knows (e.g. \"USD\", \"EUR\")"
	case d != 2:
		return code + " has " + string(rune('0'+d)) + " decimal places; amounts are exact in hundredths, so only currencies with 2 decimal places are supported"
	}
	return ""
}

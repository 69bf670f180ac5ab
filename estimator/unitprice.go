package estimator

import (
	"math"
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Prices per credit and per video: one rule for every surface. A unit price is the exact
// quotient (price ÷ credits, or price ÷ videos) rounded half away from zero, once, to a
// hundredth of the card currency's minor unit, and written with exactly that many decimals:
// four in USD or EUR ("0.0527"), two in JPY ("14.38"), five in KWD. Pages print these digits
// as they are; they never divide or round a price themselves (docs/economics.md).

// unitStep is one hundredth of the minor unit, in micro-units (100 for cents, 10,000 for yen).
func (f moneyFmt) unitStep() int64 {
	if f.unit == 0 {
		return 100 // the zero value writes cents, like Money.String
	}
	if f.unit < 100 {
		return 1
	}
	return f.unit / 100
}

// unitPlaces is the number of decimals of a unit price: the minor unit's plus two.
func (f moneyFmt) unitPlaces() int {
	if f.unit == 0 {
		return 4
	}
	return min(f.places+2, moneyPlaces)
}

// appendUnitPrice appends a unit price by the rule (m is normally already on the step).
func (f moneyFmt) appendUnitPrice(dst []byte, m Money) []byte {
	step := f.unitStep()
	return jsonx.AppendFixed(dst, roundHalfAway(int64(m), step), f.unitPlaces())
}

// unitPrice is total ÷ (per ÷ scale) rounded half away from zero to the step; ok is false when
// per is not positive or total is negative. scale is 100 for credits (hundredths), 1 for videos.
func (f moneyFmt) unitPrice(total Money, per, scale int64) (Money, bool) {
	if per <= 0 || total < 0 {
		return 0, false
	}
	step := f.unitStep()
	if per <= math.MaxInt64/step {
		q, ok := mulDivRound(int64(total), scale, per*step)
		if ok && q <= math.MaxInt64/step {
			return Money(q * step), true
		}
	}
	// per × step does not fit 64 bits: a vanishing price, computed exactly all the same.
	num, _ := u128{lo: uint64(total)}.mul(uint64(scale)) // both below 2^63: fits
	den, _ := u128{lo: uint64(per)}.mul(uint64(step))
	q, ok := num.divRoundWide(den)
	if !ok || q > math.MaxInt64/step {
		return 0, false
	}
	return Money(q * step), true
}

// pricePerCredit is total ÷ credits by the unit-price rule; ok is false when no credits were bought.
func (f moneyFmt) pricePerCredit(total Money, cr Credits) (Money, bool) {
	return f.unitPrice(total, int64(cr), creditScale)
}

// pricePerVideo is total ÷ n videos by the unit-price rule; ok is false when n is 0.
func (f moneyFmt) pricePerVideo(total Money, n int64) (Money, bool) {
	return f.unitPrice(total, n, 1)
}

// appendOptUnitPrice writes a quoted unit price, or null when there is none.
func (f moneyFmt) appendOptUnitPrice(dst []byte, m Money, ok bool) []byte {
	if !ok {
		return appendLit(dst, "null")
	}
	dst = append(dst, '"')
	dst = f.appendUnitPrice(dst, m)
	return append(dst, '"')
}

// CardPrices is what the card's plans and bundles cost per credit (the "prices" operation): the
// numbers a pricing page shows beside each plan and bundle.
type CardPrices struct {
	Currency string
	Plans    []PlanPrice
	Bundles  []BundlePrice
	money    moneyFmt
}

// PlanPrice is a plan's price per credit, counting its monthly and priority credits.
type PlanPrice struct {
	Plan           Plan
	Credits        Credits // granted each billing period: monthly + priority
	PricePerCredit Money   // valid when Credits > 0
}

// BundlePrice is a top-up bundle's price per credit.
type BundlePrice struct {
	Bundle         Bundle
	PricePerCredit Money
}

// Prices returns the price per credit of every plan and bundle of the card, by the unit-price
// rule of its currency.
func (c *RateCard) Prices() CardPrices {
	p := CardPrices{Currency: c.currency, money: c.money}
	for _, pl := range c.plans {
		granted := pl.Monthly + pl.Priority
		per, _ := c.money.pricePerCredit(pl.Price, granted)
		p.Plans = append(p.Plans, PlanPrice{Plan: pl, Credits: granted, PricePerCredit: per})
	}
	for _, b := range c.topUps.Bundles {
		per, _ := c.money.pricePerCredit(b.Price, b.Credits)
		p.Bundles = append(p.Bundles, BundlePrice{Bundle: b, PricePerCredit: per})
	}
	return p
}

// AppendJSON appends the prices' contract JSON to dst.
func (p CardPrices) AppendJSON(dst []byte) []byte {
	dst = appendLit(dst, `{"currency":`)
	dst = jsonx.AppendString(dst, p.Currency)
	dst = appendLit(dst, `,"unitPricePlaces":`)
	dst = strconv.AppendInt(dst, int64(p.money.unitPlaces()), 10)
	dst = appendLit(dst, `,"plans":[`)
	for i, pl := range p.Plans {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"id":`)
		dst = jsonx.AppendString(dst, pl.Plan.ID)
		dst = appendMoneyField(dst, "priceUsd", pl.Plan.Price, p.money)
		dst = appendCreditsField(dst, "credits", pl.Credits)
		dst = appendLit(dst, `,"pricePerCreditUsd":`)
		dst = p.money.appendOptUnitPrice(dst, pl.PricePerCredit, pl.Credits > 0)
		dst = append(dst, '}')
	}
	dst = appendLit(dst, `],"bundles":[`)
	for i, b := range p.Bundles {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"credits":"`)
		dst = b.Bundle.Credits.AppendText(dst)
		dst = append(dst, '"')
		dst = appendMoneyField(dst, "priceUsd", b.Bundle.Price, p.money)
		dst = appendLit(dst, `,"pricePerCreditUsd":`)
		dst = p.money.appendOptUnitPrice(dst, b.PricePerCredit, b.Bundle.Credits > 0)
		dst = append(dst, '}')
	}
	return appendLit(dst, "]}")
}

// MarshalJSON encodes the prices in the contract's form.
func (p CardPrices) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// decodePricesRequest accepts only an empty object: the prices depend on the card alone.
func decodePricesRequest(_ *RateCard, data []byte) (struct{}, *Error) {
	_, err := decodeRequest(data)
	return struct{}{}, err
}

func cardPrices(c *RateCard, _ struct{}) (CardPrices, *Error) { return c.Prices(), nil }

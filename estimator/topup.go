package estimator

import (
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Top-up quote: the cheapest combination of the card's bundles whose credits cover a need.
//
// It is an unbounded covering knapsack, solved exactly by dynamic programming in units of
// g = the greatest common divisor of the bundle sizes (a cover of n credits is a cover of n
// rounded up to a multiple of g). Ties are broken by more credits for the same price, then by
// fewer bundles. Large needs are reduced with the largest bundle L, which the card guarantees
// has the lowest price per credit:
//
// Exchange lemma. Take an optimal cover. If it holds some smaller bundle s at least
// L/gcd(s, L) times, those copies add up to a multiple of L and can be swapped for copies of L:
// same credits, never a higher price (L is the cheapest per credit), no more bundles. And if it
// holds L/g or more smaller bundles in all, two of their prefix sums agree modulo L, so a run
// of them adds up to a multiple of L and the same swap applies. Hence some optimal cover (under
// the full tie-break order) holds smaller bundles worth at most
//
//	B = min( Σ_s (L/gcd(s,L) − 1)·s , (L/g − 1)·max s )
//
// credits. For a need n > M = B + L such a cover has k ≥ ⌈(n−B)/L⌉ copies of L, so with
// k0 = ⌈(n−M)/L⌉ ≤ k − 1: best(n) = k0 copies of L + best(n − k0·L). The table is therefore
// only needed up to M (for the default card: g = 100 credits, B = 40,900, M = 50,900 credits,
// i.e. 509 table rows), and a need of 10^15 credits costs the same work as one of 50,900.

// TopUpLine is one bundle of a top-up plan and how many of it to buy.
type TopUpLine struct {
	Bundle   Bundle
	Count    int64
	Subtotal Money
}

// TopUpPlan is the cheapest way to buy at least Need credits.
type TopUpPlan struct {
	Need           Credits
	Credits        Credits // bought
	Surplus        Credits // Credits − Need
	Total          Money
	PricePerCredit Money // Total / Credits by the unit-price rule (unitprice.go); 0 when nothing is bought
	Lines          []TopUpLine
	ValidDays      int64
	money          moneyFmt // the card currency's minor unit, for the JSON form
}

// maxTopUpTable bounds the dynamic-programming table (rows); only a card with unusually
// fine-grained bundles could need more, and then large needs are refused, not guessed.
const maxTopUpTable = 1 << 21

// topUpSolver holds the exact table for one card.
type topUpSolver struct {
	g      int64   // unit, in hundredths of a credit
	sizes  []int64 // bundle sizes in units
	prices []int64 // micro-dollars
	last   int     // index of the largest (cheapest per credit) bundle
	m      int64   // reduction threshold M, in units
	cost   []int64 // best cost to cover u units
	cred   []int64 // units bought by that cover
	count  []int64 // bundles in that cover
	choice []int8  // a bundle of that cover; -1 for u = 0
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// newTopUpSolver builds the table for needs up to upTo hundredths of a credit (rows beyond
// the reduction threshold M are never needed).
func (c *RateCard) newTopUpSolver(upTo int64) (*topUpSolver, *Error) {
	const big = maxTopUpTable * 4 // only "larger than the table allows" matters beyond this
	bs := c.topUps.Bundles
	s := &topUpSolver{last: len(bs) - 1}
	for _, b := range bs {
		s.g = gcd(s.g, int64(b.Credits))
	}
	L := int64(bs[s.last].Credits) / s.g
	var sum, maxS int64
	for i, b := range bs {
		u := int64(b.Credits) / s.g
		s.sizes = append(s.sizes, u)
		s.prices = append(s.prices, int64(b.Price))
		if i == s.last {
			continue
		}
		if t := L/gcd(u, L) - 1; t > 0 {
			if u > big/t || sum+t*u > big {
				sum = big
			} else {
				sum += t * u
			}
		}
		if u > maxS {
			maxS = u
		}
	}
	B := sum
	if maxS == 0 || L-1 <= big/maxS {
		if alt := (L - 1) * maxS; alt < B {
			B = alt
		}
	}
	s.m = B + L
	n := (upTo + s.g - 1) / s.g
	if n > s.m {
		n = s.m
	}
	if n > maxTopUpTable {
		return nil, newError(CodeOutOfRange, "", "this rate card's bundles are too fine-grained for an exact top-up plan of this size")
	}
	s.cost = make([]int64, n+1)
	s.cred = make([]int64, n+1)
	s.count = make([]int64, n+1)
	s.choice = make([]int8, n+1)
	s.choice[0] = -1
	for u := int64(1); u <= n; u++ {
		best := -1
		var bc, bcr, bn int64
		for i, sz := range s.sizes {
			prev := u - sz
			if prev < 0 {
				prev = 0
			}
			cc, ok := addMoney(Money(s.cost[prev]), Money(s.prices[i]))
			if !ok {
				return nil, overflowAt("")
			}
			cr, cn := s.cred[prev]+sz, s.count[prev]+1
			if best < 0 || int64(cc) < bc || (int64(cc) == bc && (cr > bcr || (cr == bcr && cn < bn))) {
				best, bc, bcr, bn = i, int64(cc), cr, cn
			}
		}
		s.cost[u], s.cred[u], s.count[u], s.choice[u] = bc, bcr, bn, int8(best)
	}
	return s, nil
}

// units converts a need to table units (rounded up).
func (s *topUpSolver) units(need Credits) int64 {
	return (int64(need) + s.g - 1) / s.g
}

// solve returns the bundle counts, the units bought and the cost of the best cover of u units.
func (s *topUpSolver) solve(u int64) (counts []int64, units int64, cost Money, ok bool) {
	counts = make([]int64, len(s.sizes))
	var k0 int64
	L := s.sizes[s.last]
	if u > s.m {
		k0 = (u - s.m + L - 1) / L
		u -= k0 * L
	}
	if u >= int64(len(s.cost)) {
		return nil, 0, 0, false // table built too small: a caller bug, reported as overflow
	}
	counts[s.last] = k0
	for r := u; r > 0; {
		i := s.choice[r]
		counts[i]++
		r -= s.sizes[i]
		if r < 0 {
			r = 0
		}
	}
	extra, ok1 := mulDivRound(k0, s.prices[s.last], 1)
	total, ok2 := addMoney(Money(s.cost[u]), Money(extra))
	if !ok1 || !ok2 || extra > maxMoneyMicros {
		return nil, 0, 0, false
	}
	return counts, s.cred[u] + k0*L, total, true
}

// costOf returns the best cost to cover u units.
func (s *topUpSolver) costOf(u int64) (Money, bool) {
	var k0 int64
	L := s.sizes[s.last]
	if u > s.m {
		k0 = (u - s.m + L - 1) / L
		u -= k0 * L
	}
	if u >= int64(len(s.cost)) {
		return 0, false
	}
	extra, ok1 := mulDivRound(k0, s.prices[s.last], 1)
	total, ok2 := addMoney(Money(s.cost[u]), Money(extra))
	return total, ok1 && ok2 && extra <= maxMoneyMicros
}

// TopUpQuote returns the cheapest combination of top-up bundles that buys at least need
// credits. need must be between 0 and 10^15 credits; a plan whose price does not fit the exact
// arithmetic (about $4.6 trillion) is an overflow error. The error is an *Error.
func (c *RateCard) TopUpQuote(need Credits) (TopUpPlan, error) {
	p, err := c.topUpQuote(need, "need")
	if err != nil {
		return TopUpPlan{}, err
	}
	return p, nil
}

func (c *RateCard) topUpQuote(need Credits, field string) (TopUpPlan, *Error) {
	if need < 0 || need > maxNeedHundredths {
		return TopUpPlan{}, newError(CodeOutOfRange, field, "must be between 0 and "+strconv.FormatInt(maxNeed, 10)+" credits, not "+need.String())
	}
	p := TopUpPlan{Need: need, ValidDays: c.topUps.ValidDays, money: c.money}
	if need == 0 {
		return p, nil
	}
	s, err := c.newTopUpSolver(int64(need))
	if err != nil {
		return TopUpPlan{}, under(field, err)
	}
	return s.plan(c, need, field)
}

// plan turns a solved cover into a TopUpPlan.
func (s *topUpSolver) plan(c *RateCard, need Credits, field string) (TopUpPlan, *Error) {
	p := TopUpPlan{Need: need, ValidDays: c.topUps.ValidDays, money: c.money}
	if need <= 0 {
		return p, nil
	}
	counts, units, total, ok := s.solve(s.units(need))
	if !ok {
		return TopUpPlan{}, newError(CodeOverflow, field, "the price of "+need.String()+" credits does not fit the exact arithmetic")
	}
	p.Credits = Credits(units * s.g)
	p.Surplus = p.Credits - need
	p.Total = total
	p.PricePerCredit, _ = c.money.pricePerCredit(total, p.Credits)
	for i := len(counts) - 1; i >= 0; i-- { // largest bundle first
		if counts[i] == 0 {
			continue
		}
		b := c.topUps.Bundles[i]
		sub, _ := mulDivRound(counts[i], int64(b.Price), 1)
		p.Lines = append(p.Lines, TopUpLine{Bundle: b, Count: counts[i], Subtotal: Money(sub)})
	}
	return p, nil
}

// AppendJSON appends the top-up plan's contract JSON to dst.
func (p TopUpPlan) AppendJSON(dst []byte) []byte {
	dst = appendLit(dst, `{"need":"`)
	dst = p.Need.AppendText(dst)
	dst = append(dst, '"')
	dst = appendCreditsField(dst, "credits", p.Credits)
	dst = appendCreditsField(dst, "surplus", p.Surplus)
	dst = appendMoneyField(dst, "totalUsd", p.Total, p.money)
	dst = appendLit(dst, `,"pricePerCreditUsd":`)
	dst = p.money.appendOptUnitPrice(dst, p.PricePerCredit, p.Credits > 0)
	dst = appendLit(dst, `,"validDays":`)
	dst = strconv.AppendInt(dst, p.ValidDays, 10)
	dst = appendLit(dst, `,"bundles":[`)
	for i, l := range p.Lines {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"credits":"`)
		dst = l.Bundle.Credits.AppendText(dst)
		dst = append(dst, '"')
		dst = appendMoneyField(dst, "priceUsd", l.Bundle.Price, p.money)
		dst = appendLit(dst, `,"count":`)
		dst = strconv.AppendInt(dst, l.Count, 10)
		dst = appendMoneyField(dst, "subtotalUsd", l.Subtotal, p.money)
		dst = append(dst, '}')
	}
	return appendLit(dst, "]}")
}

// MarshalJSON encodes the plan in the contract's form.
func (p TopUpPlan) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// decodeTopUpRequest decodes {"need": "1234.5"}.
func decodeTopUpRequest(data []byte) (Credits, *Error) {
	o, err := decodeRequest(data, "need")
	if err != nil {
		return 0, err
	}
	v, p, ok := o.get("need")
	if !ok || v.Kind == jsonx.Null {
		return 0, missing(p)
	}
	n, err := fixedValue(v, p, creditPlaces, 0, maxNeedHundredths, true, "")
	return Credits(n), err
}

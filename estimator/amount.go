package estimator

import (
	"math"
	"math/bits"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Scales of the fixed-point value types. They are part of the contract: a change here changes
// what every surface prints.
const (
	creditPlaces     = 2 // Credits are counted in hundredths of a credit.
	moneyPlaces      = 6 // Money is counted in micro-dollars.
	multiplierPlaces = 4 // Multipliers are counted in ten-thousandths.

	creditScale     = 100
	moneyScale      = 1_000_000
	multiplierScale = 10_000
	centMicros      = 10_000 // micro-dollars in one cent
)

// Credits is an exact amount of credits in hundredths of a credit. The zero value is zero credits.
type Credits int64

// CreditsFromHundredths returns n hundredths of a credit.
func CreditsFromHundredths(n int64) Credits { return Credits(n) }

// Hundredths returns the amount in hundredths of a credit.
func (c Credits) Hundredths() int64 { return int64(c) }

// String formats c with exactly two decimals, e.g. "5.00".
func (c Credits) String() string { return string(c.AppendText(nil)) }

// AppendText appends String's form of c to dst. Not inlined (see newError).
//
//go:noinline
func (c Credits) AppendText(dst []byte) []byte {
	return jsonx.AppendFixed(dst, int64(c), creditPlaces)
}

// Money is an exact amount of US dollars in micro-dollars (10^-6 USD). The zero value is $0.
type Money int64

// MoneyFromMicros returns n micro-dollars.
func MoneyFromMicros(n int64) Money { return Money(n) }

// Micros returns the amount in micro-dollars.
func (m Money) Micros() int64 { return int64(m) }

// Cents rounds m to whole cents, half away from zero (the money display rule).
func (m Money) Cents() int64 { return roundHalfAway(int64(m), centMicros) }

// String formats m rounded to the cent (half away from zero) with two decimals, e.g. "29.00".
func (m Money) String() string { return string(m.AppendText(nil)) }

// AppendText appends String's form of m to dst.
func (m Money) AppendText(dst []byte) []byte { return jsonx.AppendFixed(dst, m.Cents(), 2) }

// AppendUnitPrice appends m rounded half away from zero to four decimals, the form used for
// prices per credit or per video (e.g. "0.0527").
func (m Money) AppendUnitPrice(dst []byte) []byte {
	return jsonx.AppendFixed(dst, roundHalfAway(int64(m), 100), 4)
}

// Multiplier is an exact factor in ten-thousandths (1.7 is 17000). The zero value is zero.
type Multiplier int64

// String formats the multiplier without trailing zeros, e.g. "1.7", "0.1", "8".
func (m Multiplier) String() string { return string(m.AppendText(nil)) }

// AppendText appends String's form of m to dst.
func (m Multiplier) AppendText(dst []byte) []byte {
	return appendTrimmed(dst, int64(m), multiplierPlaces)
}

// appendTrimmed appends v/10^places without trailing zeros of the fraction: "1.7", "8", "0.1".
func appendTrimmed(dst []byte, v int64, places int) []byte {
	start := len(dst)
	dst = jsonx.AppendFixed(dst, v, places)
	end := len(dst)
	for end > start && dst[end-1] == '0' && places > 0 {
		end--
		places--
	}
	if end > start && dst[end-1] == '.' {
		end--
	}
	return dst[:end]
}

// appendSeconds appends a duration in milliseconds as seconds: "10", "7.25".
func appendSeconds(dst []byte, ms int64) []byte { return appendTrimmed(dst, ms, 3) }

// roundHalfAway divides v by unit (> 0) and rounds half away from zero.
func roundHalfAway(v, unit int64) int64 {
	q, r := v/unit, v%unit
	if r < 0 {
		r = -r
	}
	if 2*r >= unit {
		if v < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

// u128 is an unsigned 128-bit integer used for exact products of several fixed-point factors.
type u128 struct{ hi, lo uint64 }

// mul multiplies x by a non-negative factor; ok is false on 128-bit overflow.
func (x u128) mul(f uint64) (u128, bool) {
	hi1, lo := bits.Mul64(x.lo, f)
	hi2, lo2 := bits.Mul64(x.hi, f)
	if hi2 != 0 {
		return u128{}, false
	}
	hi, carry := bits.Add64(hi1, lo2, 0)
	if carry != 0 {
		return u128{}, false
	}
	return u128{hi, lo}, true
}

// divCeil returns ceil(x/d) when it fits in int64.
func (x u128) divCeil(d uint64) (int64, bool) {
	if x.hi >= d {
		return 0, false
	}
	q, r := bits.Div64(x.hi, x.lo, d)
	if r != 0 {
		q++
	}
	if q > 1<<62 {
		return 0, false
	}
	return int64(q), true
}

// divRound returns x/d rounded half away from zero (half up, x is non-negative) when it fits.
func (x u128) divRound(d uint64) (int64, bool) {
	if x.hi >= d {
		return 0, false
	}
	q, r := bits.Div64(x.hi, x.lo, d)
	if r >= d-r { // 2r >= d without overflow
		q++
	}
	if q > 1<<62 {
		return 0, false
	}
	return int64(q), true
}

// divRoundWide returns x/d rounded half up, for any d > 0 below 2^127 (a divisor wider than 64
// bits too), when the quotient fits in int64. It divides bit by bit: only vanishing unit prices,
// whose divisor does not fit 64 bits, come here.
func (x u128) divRoundWide(d u128) (int64, bool) {
	var q, r u128
	for i := 127; i >= 0; i-- {
		r = r.shl1()
		r.lo |= x.bit(i)
		if !r.less(d) {
			r = r.sub(d)
			q = q.setBit(i)
		}
	}
	if !r.shl1().less(d) { // 2r >= d: half up
		q, _ = q.add(1)
	}
	if q.hi != 0 || q.lo > math.MaxInt64 {
		return 0, false
	}
	return int64(q.lo), true
}

func (x u128) less(y u128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

func (x u128) sub(y u128) u128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, borrow)
	return u128{hi, lo}
}

func (x u128) add(n uint64) (u128, bool) {
	lo, carry := bits.Add64(x.lo, n, 0)
	hi, carry := bits.Add64(x.hi, 0, carry)
	return u128{hi, lo}, carry == 0
}

func (x u128) shl1() u128 { return u128{x.hi<<1 | x.lo>>63, x.lo << 1} }

func (x u128) bit(i int) uint64 {
	if i >= 64 {
		return x.hi >> uint(i-64) & 1
	}
	return x.lo >> uint(i) & 1
}

func (x u128) setBit(i int) u128 {
	if i >= 64 {
		x.hi |= 1 << uint(i-64)
	} else {
		x.lo |= 1 << uint(i)
	}
	return x
}

// mulDivRound returns a*b/d rounded half up, for non-negative a and b and positive d.
func mulDivRound(a, b, d int64) (int64, bool) {
	x, ok := u128{lo: uint64(a)}.mul(uint64(b))
	if !ok {
		return 0, false
	}
	return x.divRound(uint64(d))
}

// mulDivCeil returns ceil(a*b/d), for non-negative a and b and positive d.
func mulDivCeil(a, b, d int64) (int64, bool) {
	x, ok := u128{lo: uint64(a)}.mul(uint64(b))
	if !ok {
		return 0, false
	}
	return x.divCeil(uint64(d))
}

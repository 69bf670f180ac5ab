package jsonx

import (
	"errors"
	"math/bits"
	"strconv"
)

// Errors of ParseFixed.
var (
	ErrSyntax    = errors.New("jsonx: not a decimal number")
	ErrPrecision = errors.New("jsonx: more decimal places than allowed")
	ErrRange     = errors.New("jsonx: number out of range")
)

// pow10 holds 10^0 … 10^19 (10^19 still fits in uint64).
var pow10 = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// expCap bounds exponents and places during ParseFixed; beyond it every
// non-zero result is out of range (or too precise) anyway.
const expCap = 1 << 40

// ParseFixed parses a decimal number written as a JSON number literal
// ("-12", "0.125", "1e3", "2.50E-1", "0.10") into an int64 scaled by
// 10^places, exactly, without floats. Trailing zeros are fine ("1.500" with
// places 2 is 150). Non-zero digits beyond `places` decimals give
// ErrPrecision; a result outside int64 gives ErrRange; anything that is not
// a JSON number literal ("", "1.", ".5", "+1", "01", "0x10", "NaN", " 1")
// gives ErrSyntax. A negative places requires the value to be a multiple of
// 10^-places. Huge exponents are handled in constant time.
func ParseFixed(s string, places int) (int64, error) {
	end, _, reason := scanNumber(s, 0)
	if reason != "" || end != len(s) {
		return 0, ErrSyntax
	}
	neg := s[0] == '-'
	i := 0
	if neg {
		i = 1
	}
	intStart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fracEnd = i
	}
	var exp int64
	if i < len(s) { // 'e' or 'E'
		i++
		expNeg := false
		if s[i] == '+' || s[i] == '-' {
			expNeg = s[i] == '-'
			i++
		}
		for ; i < len(s); i++ {
			if exp < expCap {
				exp = exp*10 + int64(s[i]-'0')
			}
		}
		if exp > expCap {
			exp = expCap
		}
		if expNeg {
			exp = -exp
		}
	}

	// The digits of the integer and fraction parts form one sequence;
	// digit j of it has weight 10^(intLen-1-j+exp).
	intLen := intEnd - intStart
	fracLen := fracEnd - fracStart
	digit := func(j int) byte {
		if j < intLen {
			return s[intStart+j]
		}
		return s[fracStart+j-intLen]
	}
	total := intLen + fracLen
	first := 0
	for first < total && digit(first) == '0' {
		first++
	}
	if first == total {
		return 0, nil // zero, whatever the exponent or sign
	}
	last := total - 1
	for digit(last) == '0' {
		last--
	}
	p := int64(places)
	if p > expCap {
		p = expCap
	} else if p < -expCap {
		p = -expCap
	}
	// value·10^places = D·10^k, D = digits[first..last] (no zeros at either end).
	k := int64(intLen-1-last) + exp + p
	if k < 0 {
		return 0, ErrPrecision
	}
	n := int64(last - first + 1)
	if n+k > 19 {
		return 0, ErrRange
	}
	var d uint64
	for j := first; j <= last; j++ {
		d = d*10 + uint64(digit(j)-'0')
	}
	hi, lo := bits.Mul64(d, pow10[k])
	limit := uint64(1<<63 - 1)
	if neg {
		limit++
	}
	if hi != 0 || lo > limit {
		return 0, ErrRange
	}
	if neg {
		return int64(-lo), nil
	}
	return int64(lo), nil
}

// AppendFixed appends v/10^places with exactly `places` decimals: "-0.05",
// "12.00", and "3" when places is 0. A negative places appends v followed
// by -places zeros (v·10^-places). math.MinInt64 is handled.
func AppendFixed(dst []byte, v int64, places int) []byte {
	if places <= 0 {
		dst = strconv.AppendInt(dst, v, 10)
		if v != 0 {
			for ; places < 0; places++ {
				dst = append(dst, '0')
			}
		}
		return dst
	}
	u := uint64(v)
	if v < 0 {
		dst = append(dst, '-')
		u = -u
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	if len(digits) <= places {
		dst = append(dst, '0', '.')
		for z := places - len(digits); z > 0; z-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	cut := len(digits) - places
	dst = append(dst, digits[:cut]...)
	dst = append(dst, '.')
	return append(dst, digits[cut:]...)
}

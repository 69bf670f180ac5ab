package jsonx

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseFixed(t *testing.T) {
	tests := []struct {
		in     string
		places int
		want   int64
		err    error
	}{
		{"0", 2, 0, nil},
		{"-0", 2, 0, nil},
		{"-0.0e5", 0, 0, nil},
		{"0e999999999999999999999", 2, 0, nil},
		{"-12", 0, -12, nil},
		{"-12", 2, -1200, nil},
		{"0.125", 3, 125, nil},
		{"0.125", 4, 1250, nil},
		{"0.125", 2, 0, ErrPrecision},
		{"1e3", 0, 1000, nil},
		{"1E+3", 2, 100000, nil},
		{"2.50E-1", 2, 25, nil},
		{"2.50E-1", 1, 0, ErrPrecision},
		{"2.5e-1", 2, 25, nil},
		{"0.10", 1, 1, nil},
		{"0.10", 2, 10, nil},
		{"1.500", 2, 150, nil},
		{"1.5000000000000000000000000", 1, 15, nil},
		{"10", 0, 10, nil},
		{"10.000", 0, 10, nil},
		{"1000e-3", 0, 1, nil},
		{"1234.5678", 4, 12345678, nil},
		{"0.001", 3, 1, nil},
		{"0.001", 2, 0, ErrPrecision},
		{"0.0000000000000000000000001", 30, 100000, nil},
		{"9223372036854775807", 0, math.MaxInt64, nil},
		{"9223372036854775808", 0, 0, ErrRange},
		{"-9223372036854775808", 0, math.MinInt64, nil},
		{"-9223372036854775809", 0, 0, ErrRange},
		{"-92233720368547758.08", 2, math.MinInt64, nil},
		{"92233720368547758.07", 2, math.MaxInt64, nil},
		{"92233720368547758.08", 2, 0, ErrRange},
		{"9223372036854775807000e-3", 0, math.MaxInt64, nil},
		{"99999999999999999999", 0, 0, ErrRange},
		{"18446744073709551616", 0, 0, ErrRange},
		{"1e18", 0, 1e18, nil},
		{"1e19", 0, 0, ErrRange},
		{"1e17", 2, 0, ErrRange},
		{"1e999999999", 2, 0, ErrRange},
		{"1e99999999999999999999999999999", 2, 0, ErrRange},
		{"1e-999999999", 2, 0, ErrPrecision},
		{"1e-99999999999999999999999999999", 2, 0, ErrPrecision},
		{"5", -1, 0, ErrPrecision},
		{"50", -1, 5, nil},
		{"1", 1 << 60, 0, ErrRange},
		{"0", 1 << 60, 0, nil},
		{"1", -(1 << 60), 0, ErrPrecision},

		{"", 2, 0, ErrSyntax},
		{"1.", 2, 0, ErrSyntax},
		{".5", 2, 0, ErrSyntax},
		{"+1", 2, 0, ErrSyntax},
		{"0x10", 2, 0, ErrSyntax},
		{"NaN", 2, 0, ErrSyntax},
		{"Infinity", 2, 0, ErrSyntax},
		{"-Infinity", 2, 0, ErrSyntax},
		{"01", 2, 0, ErrSyntax},
		{"-01", 2, 0, ErrSyntax},
		{"-", 2, 0, ErrSyntax},
		{"1e", 2, 0, ErrSyntax},
		{"1e+", 2, 0, ErrSyntax},
		{"1.e3", 2, 0, ErrSyntax},
		{" 1", 2, 0, ErrSyntax},
		{"1 ", 2, 0, ErrSyntax},
		{"1,5", 2, 0, ErrSyntax},
		{"1_000", 2, 0, ErrSyntax},
		{"١", 2, 0, ErrSyntax},
		{`"1"`, 2, 0, ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseFixed(tt.in, tt.places)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, "%q places %d", tt.in, tt.places)
			assert.Zero(t, got)
			continue
		}
		if assert.NoError(t, err, "%q places %d", tt.in, tt.places) {
			assert.Equal(t, tt.want, got, "%q places %d", tt.in, tt.places)
		}
	}
}

// TestParseFixedMatchesBigRat checks ParseFixed against exact big.Rat
// arithmetic on generated literals.
func TestParseFixedMatchesBigRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	digits := func(n int, lead bool) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		if lead && n > 1 && b[0] == '0' {
			b[0] = '1' + byte(rng.IntN(9))
		}
		return string(b)
	}
	minI, maxI := new(big.Int).SetInt64(math.MinInt64), new(big.Int).SetInt64(math.MaxInt64)
	for i := 0; i < 50000; i++ {
		s := ""
		if rng.IntN(2) == 0 {
			s = "-"
		}
		s += digits(1+rng.IntN(20), true)
		if rng.IntN(2) == 0 {
			s += "." + digits(1+rng.IntN(8), false)
		}
		if rng.IntN(3) == 0 {
			s += []string{"e", "E", "e+", "e-", "E-"}[rng.IntN(5)] + strconv.Itoa(rng.IntN(25))
		}
		places := rng.IntN(12) - 2
		got, err := ParseFixed(s, places)

		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("big.Rat rejects %q", s)
		}
		scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(places))), nil))
		if places >= 0 {
			r.Mul(r, scale)
		} else {
			r.Quo(r, scale)
		}
		switch {
		case !r.IsInt():
			if !assert.ErrorIs(t, err, ErrPrecision, "%q places %d", s, places) {
				return
			}
		case r.Num().Cmp(minI) < 0 || r.Num().Cmp(maxI) > 0:
			if !assert.ErrorIs(t, err, ErrRange, "%q places %d", s, places) {
				return
			}
		default:
			if !assert.NoError(t, err, "%q places %d", s, places) || !assert.Equal(t, r.Num().Int64(), got, "%q places %d", s, places) {
				return
			}
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func TestAppendFixed(t *testing.T) {
	tests := []struct {
		v      int64
		places int
		want   string
	}{
		{0, 0, "0"},
		{0, 2, "0.00"},
		{3, 0, "3"},
		{-5, 2, "-0.05"},
		{1200, 2, "12.00"},
		{-1200, 2, "-12.00"},
		{125, 3, "0.125"},
		{1, 5, "0.00001"},
		{12345, 2, "123.45"},
		{math.MaxInt64, 0, "9223372036854775807"},
		{math.MaxInt64, 2, "92233720368547758.07"},
		{math.MinInt64, 0, "-9223372036854775808"},
		{math.MinInt64, 2, "-92233720368547758.08"},
		{math.MinInt64, 19, "-0.9223372036854775808"},
		{math.MinInt64, 21, "-0.009223372036854775808"},
		{7, -2, "700"},
		{0, -2, "0"},
		{-7, -1, "-70"},
	}
	for _, tt := range tests {
		got := string(AppendFixed(nil, tt.v, tt.places))
		assert.Equal(t, tt.want, got, "%d places %d", tt.v, tt.places)
		back, err := ParseFixed(got, tt.places)
		assert.NoError(t, err)
		assert.Equal(t, tt.v, back)
	}
	assert.Equal(t, "x=1.5", string(AppendFixed([]byte("x="), 15, 1)))
	dst := make([]byte, 0, 64)
	assert.Zero(t, testing.AllocsPerRun(100, func() { dst = AppendFixed(dst[:0], math.MinInt64, 2) }))
}

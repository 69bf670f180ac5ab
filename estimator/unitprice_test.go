package estimator

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The unit-price rule: the exact quotient, rounded half away from zero once, to a hundredth of
// the currency's minor unit, written with exactly that many decimals.
func TestUnitPriceRule(t *testing.T) {
	tests := []struct {
		minor   int
		total   string // in the currency
		credits string
		want    string
	}{
		{2, "29.00", "550", "0.0527"},   // 0.052727…
		{2, "10.00", "100", "0.1000"},   // exact: still four decimals
		{2, "0.01", "200", "0.0001"},    // 0.00005 → half away from zero
		{2, "0.01", "201", "0.0000"},    // 0.0000497…
		{0, "1500", "100", "15.00"},     // the yen card's smallest bundle
		{0, "11250", "782.34", "14.38"}, // 14.37994…
		{0, "4350", "550", "7.91"},      // 7.909…
		{0, "6750", "540", "12.50"},     // 12.5 exactly
		{0, "1", "8", "0.13"},           // 0.125 → half away from zero
		{0, "1", "9", "0.11"},           // 0.111…
		{3, "9.000", "500", "0.01800"},  // KWD: five decimals
		{3, "1.000", "3", "0.33333"},    // 0.33333…
		{3, "2.000", "3", "0.66667"},    // 0.66666…
		{2, "4600000000000.00", "1", "4600000000000.0000"},
		{2, "1500.00", "100", "15.0000"}, // docs/economics.md's table
		{2, "11250.00", "800", "14.0625"},
		{0, "11250", "800", "14.06"},
		{3, "29.000", "550", "0.05273"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%s/%s", tt.minor, tt.total, tt.credits), func(t *testing.T) {
			f := moneyFmtFor(tt.minor)
			total := MoneyFromMicros(scaledDecimal(t, tt.total, 1_000_000))
			cr := CreditsFromHundredths(scaledDecimal(t, tt.credits, 100))
			m, ok := f.pricePerCredit(total, cr)
			require.True(t, ok)
			require.Equal(t, tt.want, string(f.appendUnitPrice(nil, m)))
		})
	}
}

// scaledDecimal reads a decimal string as an integer count of 1/scale.
func scaledDecimal(t *testing.T, s string, scale int64) int64 {
	r, ok := new(big.Rat).SetString(s)
	require.True(t, ok, s)
	r.Mul(r, new(big.Rat).SetInt64(scale))
	require.True(t, r.IsInt(), s)
	return r.Num().Int64()
}

// No credits or videos: no price; a huge divisor that overflows 64 bits is still exact.
func TestUnitPriceEdges(t *testing.T) {
	f := moneyFmtFor(0)
	_, ok := f.pricePerCredit(MoneyFromMicros(1_000_000), 0)
	require.False(t, ok)
	_, ok = f.pricePerVideo(MoneyFromMicros(1_000_000), 0)
	require.False(t, ok)
	_, ok = f.pricePerCredit(MoneyFromMicros(-1), 1)
	require.False(t, ok)
	// 10^15 credits for ¥4.6 trillion: per × step = 10^17 × 10^4 does not fit int64.
	m, ok := f.pricePerCredit(MoneyFromMicros(4_600_000_000_000*1_000_000), CreditsFromHundredths(100_000_000_000_000_000))
	require.True(t, ok)
	require.Equal(t, "0.00", string(f.appendUnitPrice(nil, m)))
	m, ok = f.pricePerCredit(MoneyFromMicros(math.MaxInt64), CreditsFromHundredths(math.MaxInt64/3))
	require.True(t, ok)
	require.Equal(t, "0.00", string(f.appendUnitPrice(nil, m)))
	m, ok = f.pricePerVideo(MoneyFromMicros(3_000_000), 2)
	require.True(t, ok)
	require.Equal(t, "1.50", string(f.appendUnitPrice(nil, m)))
	// The zero value writes USD's four decimals.
	require.Equal(t, "0.0527", string(moneyFmt{}.appendUnitPrice(nil, MoneyFromMicros(52_700))))
}

// Every price per credit on the yen card, wherever an operation answers one, has the same
// digits for the same purchase: the prices op, the topup op and the plans op agree.
func TestYenPricesAgree(t *testing.T) {
	b, err := os.ReadFile("../web/test/fixtures/jpy-card.json")
	require.NoError(t, err)
	c, err := ParseRateCard(b)
	require.NoError(t, err)
	out, err := c.Do("prices", []byte(`{}`))
	require.NoError(t, err)
	var p struct {
		Currency string `json:"currency"`
		Places   int    `json:"unitPricePlaces"`
		Plans    []struct {
			ID, Credits, PricePerCreditUsd string
		} `json:"plans"`
		Bundles []struct {
			Credits, PriceUsd, PricePerCreditUsd string
		} `json:"bundles"`
	}
	require.NoError(t, json.Unmarshal(out, &p))
	require.Equal(t, "JPY", p.Currency)
	require.Equal(t, 2, p.Places)
	require.Equal(t, "basic", p.Plans[0].ID)
	require.Equal(t, "550.00", p.Plans[0].Credits)
	require.Equal(t, "7.91", p.Plans[0].PricePerCreditUsd)
	require.Equal(t, "15.00", p.Bundles[0].PricePerCreditUsd)
	twoPlaces := regexp.MustCompile(`^\d+\.\d\d$`)
	for _, bu := range p.Bundles {
		require.Regexp(t, twoPlaces, bu.PricePerCreditUsd)
		tu, err := c.Do("topup", []byte(`{"need":"`+bu.Credits+`"}`))
		require.NoError(t, err)
		require.Contains(t, string(tu), `"pricePerCreditUsd":"`+bu.PricePerCreditUsd+`"`, "bundle %s", bu.Credits)
	}
	tu, err := c.Do("topup", []byte(`{"need":"750"}`))
	require.NoError(t, err)
	require.Contains(t, string(tu), `"pricePerCreditUsd":"14.06"`) // 11250 ÷ 800 bought = 14.0625
	pl, err := c.Do("plans", []byte(`{"credits":"100"}`))
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`"pricePer(Credit|Video)Usd":"([^"]*)"`).FindAllStringSubmatch(string(pl), -1) {
		require.Regexp(t, twoPlaces, m[2])
	}
	roi, err := c.Do("roi", []byte(`{"credits":"1","pricePerCreditUsd":"7.91"}`))
	require.NoError(t, err)
	require.Contains(t, string(roi), `"pricePerCreditUsd":"7.91"`)
}

// The prices op takes an empty object and nothing else.
func TestPricesRequest(t *testing.T) {
	c := Default()
	out, err := c.Do("prices", []byte(`{}`))
	require.NoError(t, err)
	require.Contains(t, string(out), `"currency":"USD","unitPricePlaces":4,"plans":[{"id":`)
	for _, bad := range []string{``, `[]`, `{"x":1}`, `{}x`} {
		_, err := c.Do("prices", []byte(bad))
		var e *Error
		require.ErrorAs(t, err, &e, bad)
	}
}

// The rule against an exact oracle: total ÷ (per ÷ scale), rounded half away from zero to a
// hundredth of the minor unit, for every currency shape (0, 2 or 3 decimals) and any size.
func FuzzUnitPriceRule(f *testing.F) {
	f.Add(int64(29_000_000), int64(55_000), uint8(2), true)
	f.Add(int64(1_500_000_000), int64(10_000), uint8(0), true)
	f.Add(int64(1), int64(math.MaxInt64), uint8(0), false)
	f.Add(int64(math.MaxInt64), int64(1), uint8(3), false)
	f.Fuzz(func(t *testing.T, total, per int64, minorSel uint8, credits bool) {
		minor := []int{0, 2, 3}[int(minorSel)%3]
		fm := moneyFmtFor(minor)
		scale := int64(1)
		if credits {
			scale = creditScale
		}
		got, ok := fm.unitPrice(Money(total), per, scale)
		if per <= 0 || total < 0 {
			require.False(t, ok)
			return
		}
		step := fm.unitStep()
		exact := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(total), big.NewInt(scale)), new(big.Int).Mul(big.NewInt(per), big.NewInt(step)))
		q, r := new(big.Int).QuoRem(exact.Num(), exact.Denom(), new(big.Int))
		if new(big.Int).Lsh(r, 1).Cmp(exact.Denom()) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		want := new(big.Int).Mul(q, big.NewInt(step))
		if !want.IsInt64() {
			require.False(t, ok)
			return
		}
		require.True(t, ok)
		require.Equal(t, want.Int64(), int64(got))
		text := string(fm.appendUnitPrice(nil, got))
		_, frac, _ := strings.Cut(text, ".")
		require.Len(t, frac, minor+2, text)
	})
}

// FuzzDivRoundWide: the bit-by-bit 128-bit division rounds half up exactly like math/big.
func FuzzDivRoundWide(f *testing.F) {
	f.Add(uint64(0), uint64(100), uint64(0), uint64(7))
	f.Add(uint64(1<<62), uint64(3), uint64(1), uint64(0))
	f.Add(uint64(math.MaxUint64), uint64(math.MaxUint64), uint64(0), uint64(2))
	f.Add(uint64(5), uint64(0), uint64(10), uint64(0))
	f.Fuzz(func(t *testing.T, xhi, xlo, dhi, dlo uint64) {
		dhi &= 1<<62 - 1 // divisors stay below 2^126, as the callers' are
		if dhi == 0 && dlo == 0 {
			return
		}
		x, d := u128{xhi, xlo}, u128{dhi, dlo}
		wide := func(v u128) *big.Int {
			return new(big.Int).Or(new(big.Int).Lsh(new(big.Int).SetUint64(v.hi), 64), new(big.Int).SetUint64(v.lo))
		}
		q, r := new(big.Int).QuoRem(wide(x), wide(d), new(big.Int))
		if new(big.Int).Lsh(r, 1).Cmp(wide(d)) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		got, ok := x.divRoundWide(d)
		if !q.IsInt64() {
			require.False(t, ok)
			return
		}
		require.True(t, ok)
		require.Equal(t, q.Int64(), got)
	})
}

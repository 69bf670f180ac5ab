package estimator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func mustInstant(t testing.TB, s string) Instant {
	t.Helper()
	i, ok := ParseInstant(s)
	require.True(t, ok, s)
	return i
}

// Billing periods keep the anchor's day: clamped in a shorter month, back to it in a longer one.
func TestPeriodStartKeepsAnchorDay(t *testing.T) {
	for _, tc := range []struct {
		anchor string
		want   []string // periods 0, 1, 2, …
	}{
		{"2026-01-31", []string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"}},
		{"2028-01-31", []string{"2028-01-31", "2028-02-29", "2028-03-31"}}, // leap year
		{"2028-01-29", []string{"2028-01-29", "2028-02-29", "2028-03-29"}},
		{"2026-01-29", []string{"2026-01-29", "2026-02-28", "2026-03-29"}},
		{"2026-01-30", []string{"2026-01-30", "2026-02-28", "2026-03-30", "2026-04-30", "2026-05-30"}},
		{"2026-03-31", []string{"2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"}},
		{"2026-11-30", []string{"2026-11-30", "2026-12-30", "2027-01-30", "2027-02-28", "2027-03-30"}},
		{"2026-12-31", []string{"2026-12-31", "2027-01-31", "2027-02-28", "2027-03-31"}}, // year end
		{"2027-12-15", []string{"2027-12-15", "2028-01-15"}},
		{"2100-01-31", []string{"2100-01-31", "2100-02-28"}}, // 2100 is not a leap year
		{"2000-01-31", []string{"2000-01-31", "2000-02-29"}}, // 2000 is
		{"9999-11-30", []string{"9999-11-30", "9999-12-30", "10000-01-30"}},
	} {
		anchor := mustInstant(t, tc.anchor)
		for n, want := range tc.want {
			require.Equal(t, want+"T00:00:00Z", PeriodStart(anchor, int64(n)).String(), "%s period %d", tc.anchor, n)
		}
	}
}

// The anchor's time of day is kept, and PeriodAt finds the period of every instant, its edges
// included.
func TestPeriodAt(t *testing.T) {
	anchor := mustInstant(t, "2026-01-31T15:30:00.25Z")
	for _, tc := range []struct {
		at, start, end string
		n              int64
	}{
		{"2026-01-31T15:30:00.25Z", "2026-01-31T15:30:00.25Z", "2026-02-28T15:30:00.25Z", 0},
		{"2026-02-28T15:30:00.249999Z", "2026-01-31T15:30:00.25Z", "2026-02-28T15:30:00.25Z", 0},
		{"2026-02-28T15:30:00.25Z", "2026-02-28T15:30:00.25Z", "2026-03-31T15:30:00.25Z", 1},
		{"2026-03-01T00:00:00Z", "2026-02-28T15:30:00.25Z", "2026-03-31T15:30:00.25Z", 1},
		{"2026-03-31T00:00:00Z", "2026-02-28T15:30:00.25Z", "2026-03-31T15:30:00.25Z", 1},
		{"2027-01-01T00:00:00Z", "2026-12-31T15:30:00.25Z", "2027-01-31T15:30:00.25Z", 11},
		{"2026-01-31T15:30:00.249999Z", "2025-12-31T15:30:00.25Z", "2026-01-31T15:30:00.25Z", -1},
	} {
		p := PeriodAt(anchor, mustInstant(t, tc.at))
		require.Equal(t, tc.start, p.Start.String(), tc.at)
		require.Equal(t, tc.end, p.End.String(), tc.at)
		require.Equal(t, tc.n, p.N, tc.at)
		require.True(t, p.Contains(mustInstant(t, tc.at)))
		require.Equal(t, p, Period(anchor, p.N))
	}
}

// Against the time package: for anchors on every day of 1999–2030 (28th–31st and a few others)
// and 30 periods each, a period starts on min(anchor day, month length) and ends where the next
// starts, and PeriodAt agrees at every period's first and last microsecond.
func TestPeriodsMatchTimePackage(t *testing.T) {
	for day := time.Date(1999, 1, 1, 7, 0, 0, 0, time.UTC); day.Year() < 2031; day = day.AddDate(0, 0, 1) {
		if d := day.Day(); d < 28 && d != 1 && d != 15 {
			continue
		}
		anchor := Instant(day.UnixMicro())
		for n := 0; n < 30; n++ {
			first := time.Date(day.Year(), day.Month()+time.Month(n), 1, 7, 0, 0, 0, time.UTC)
			last := first.AddDate(0, 1, -1).Day()
			want := time.Date(first.Year(), first.Month(), min(day.Day(), last), 7, 0, 0, 0, time.UTC)
			start := PeriodStart(anchor, int64(n))
			require.Equal(t, want.UnixMicro(), int64(start), "%s period %d", day, n)
			p := PeriodAt(anchor, start)
			require.Equal(t, int64(n), p.N)
			require.Equal(t, int64(n)-1, PeriodAt(anchor, start-1).N)
		}
	}
}

func TestInstantText(t *testing.T) {
	for _, s := range []string{"1970-01-01T00:00:00Z", "2026-11-29T15:41:36.416522Z", "2026-11-29T15:41:36.4Z", "1900-01-01T00:00:00.000001Z", "9999-12-31T23:59:59.999999Z"} {
		i := mustInstant(t, s)
		require.Equal(t, s, i.String())
		tt, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		require.Equal(t, tt.UnixMicro(), int64(i), s)
		require.Equal(t, tt.Format("2006-01-02T15:04:05.999999Z07:00"), i.String())
	}
	require.Equal(t, "2026-11-29T00:00:00Z", mustInstant(t, "2026-11-29").String())
	for _, s := range []string{"", "2026-11-29T", "2026-11-29T15:41:36", "2026-11-29T15:41:36+00:00", "2026-11-29T24:00:00Z",
		"2026-11-29T15:60:00Z", "2026-11-29T15:41:60Z", "2026-11-29T15:41:36.Z", "2026-11-29T15:41:36.1234567Z",
		"2026-11-29 15:41:36Z", "2026-02-30T00:00:00Z", "2026-11-29T15:41:36.-1Z", "1899-12-31T23:59:59Z"} {
		_, ok := ParseInstant(s)
		require.False(t, ok, s)
	}
	require.Equal(t, mustDate(t, "1969-12-31"), Instant(-1).Date())
}

// The spend order: soonest expiry, kind, grant, place; priority last only under a live fast plan.
func TestSpendOrder(t *testing.T) {
	c := Default()
	at := mustInstant(t, "2026-11-15T00:00:00Z")
	day := func(s string) Instant { return mustInstant(t, s) }
	bs := []CreditBucket{
		{Kind: BucketTopUp, Credits: 100, Granted: day("2026-11-02"), Expires: day("2026-12-01")},
		{Kind: BucketTopUp, Credits: 100, Granted: day("2026-11-01"), Expires: day("2026-12-01")},
		{Kind: BucketMonthly, Plan: "basic", Credits: 100, Granted: day("2026-11-01"), Expires: day("2026-12-01")},
		{Kind: BucketPriority, Plan: "basic", Credits: 100, Granted: day("2026-11-01"), Expires: day("2026-11-20")},
		{Kind: BucketTrial, Credits: 100, Granted: day("2026-11-16"), Expires: day("2026-12-16")}, // future
		{Kind: BucketAdjustment, Credits: 100, Granted: day("2026-10-01"), Expires: at},           // expired at at
		{Kind: BucketTrial, Credits: 0, Granted: day("2026-11-01"), Expires: day("2026-11-16")},   // empty
		{Kind: BucketAdjustment, Credits: 100, Granted: day("2026-11-01"), Expires: day("2026-12-01")},
	}
	require.Equal(t, []int{3, 2, 1, 0, 7}, c.SpendOrder(bs, at))
	require.False(t, c.PriorityLast(bs, at))
	// An empty monthly bucket of a fast plan still gives the fast queue: priority goes last.
	fast := append(bs, CreditBucket{Kind: BucketMonthly, Plan: "premium", Granted: day("2026-11-01"), Expires: day("2026-12-01")})
	require.True(t, c.PriorityLast(fast, at))
	require.Equal(t, []int{2, 1, 0, 7, 3}, c.SpendOrder(fast, at))
	// Not once it has expired.
	require.False(t, c.PriorityLast(fast, day("2026-12-01")))

	draws, avail, ok := c.Spend(fast, at, 250)
	require.True(t, ok)
	require.Equal(t, Credits(500), avail)
	require.Equal(t, []Draw{{2, 100}, {1, 100}, {0, 50}}, draws)
	draws, avail, ok = c.Spend(fast, at, 501)
	require.False(t, ok)
	require.Nil(t, draws)
	require.Equal(t, Credits(500), avail)
}

func TestExpiry(t *testing.T) {
	c := Default()
	g := mustInstant(t, "2026-01-31T10:00:00Z")
	trial, ok := c.Expiry(BucketTrial, g)
	require.True(t, ok)
	require.Equal(t, g.AddDays(c.Trial().ValidDays), trial)
	top, _ := c.Expiry(BucketTopUp, g)
	require.Equal(t, "2026-07-30T10:00:00Z", top.String())
	m, _ := c.Expiry(BucketMonthly, g)
	require.Equal(t, "2026-02-28T10:00:00Z", m.String())
	require.Equal(t, "2026-03-31T10:00:00Z", PlanExpiry(g, mustInstant(t, "2026-02-28T10:00:00Z")).String())
	_, ok = c.Expiry(BucketAdjustment, g)
	require.False(t, ok)
}

// Any anchor and instant in range: t lies in PeriodAt's period, periods tile, and a period is
// 28 to 31 days long.
func FuzzPeriodAt(f *testing.F) {
	f.Add(int64(1769817600000000), int64(1772236800000000))
	f.Add(int64(-2208988800000000), int64(253402300799999999))
	lo, hi := int64(-2208988800000000), int64(253402300799999999) // 1900-01-01 … 9999-12-31
	f.Fuzz(func(t *testing.T, a, at int64) {
		if a < lo || a > hi || at < lo || at > hi {
			return
		}
		p := PeriodAt(Instant(a), Instant(at))
		if !p.Contains(Instant(at)) || p != Period(Instant(a), p.N) || PeriodStart(Instant(a), p.N+1) != p.End {
			t.Fatalf("anchor %d at %d: period %+v", a, at, p)
		}
		if days := (p.End - p.Start) / microsPerDay; days < 28 || days > 31 {
			t.Fatalf("anchor %d at %d: a period of %d days", a, at, days)
		}
	})
}

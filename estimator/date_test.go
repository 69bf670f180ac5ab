package estimator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Every day from 1900-01-01 to 9999-12-31 against the time package.
func TestDateMatchesTimePackage(t *testing.T) {
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	d0, ok := ParseDate("1900-01-01")
	require.True(t, ok)
	require.Equal(t, Date(start.Unix()/86400), d0)
	day := start
	for d := d0; day.Year() <= 9999; d++ {
		s := day.Format("2006-01-02")
		got, ok := ParseDate(s)
		if !ok || got != d || d.String() != s {
			t.Fatalf("%s: parsed %v %v, formatted %s", s, got, ok, d.String())
		}
		if day.Day() == 1 || day.Day() >= 28 { // month arithmetic around month ends
			y, m, dd := day.Date()
			next := time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
			last := next.AddDate(0, 1, -1).Day()
			want := time.Date(next.Year(), next.Month(), min(dd, last), 0, 0, 0, 0, time.UTC)
			if got := PeriodStart(d.Instant(), 1).Date(); got.String() != want.Format("2006-01-02") {
				t.Fatalf("%s + 1 month = %s, want %s", s, got, want.Format("2006-01-02"))
			}
		}
		day = day.AddDate(0, 0, 1)
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, s := range []string{"", "2026-1-01", "2026-01-1", "26-01-01", "2026/01/01", "2026-00-10", "2026-13-01",
		"2026-02-29", "2025-02-29", "1900-02-29", "2026-04-31", "2026-01-32", "2026-01-00", "1899-12-31",
		"+026-01-01", "2026-01-01T00:00:00Z", " 2026-01-01", "2026-01-01 ", "２０２６-01-01", "2026-0a-01", "10000-01-01"} {
		_, ok := ParseDate(s)
		require.False(t, ok, s)
	}
	for _, s := range []string{"2024-02-29", "2000-02-29", "1900-01-01", "9999-12-31"} {
		d, ok := ParseDate(s)
		require.True(t, ok, s)
		require.Equal(t, s, d.String())
	}
	// Derived dates past 9999 still format (a 180-day top-up bought on 9999-12-31).
	d, _ := ParseDate("9999-12-31")
	require.Equal(t, "10000-06-28", d.AddDays(180).String())
}

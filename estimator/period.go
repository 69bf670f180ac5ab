package estimator

// Billing periods. A plan is billed from the instant it starts (its anchor); period n (n ≥ 0)
// starts n months later on the anchor's day of month, clamped to the last day of a shorter
// month, at the anchor's time of day, and ends when period n+1 starts. The anchor's day is kept:
// a plan started on January 31 has periods starting January 31, February 28 (29 in a leap
// year), March 31, April 30, May 31 — never "February 28 → March 28". Monthly and priority
// credits belong to one period and expire when it ends.

// BillingPeriod is period N of a plan started at Anchor: the instants Start ≤ t < End.
type BillingPeriod struct {
	Anchor Instant
	N      int64
	Start  Instant
	End    Instant
}

// PeriodStart returns the start of period n of a plan started at anchor: n months after the
// anchor's month, on the anchor's day (or that month's last day when it is shorter), at the
// anchor's time of day, UTC. n may be negative (the periods before the anchor, by the same rule).
func PeriodStart(anchor Instant, n int64) Instant {
	y, m, d := anchor.Date().Civil()
	months := y*12 + (m - 1) + n
	y, m = floorDiv(months, 12), months-floorDiv(months, 12)*12+1
	if last := daysIn(y, m); d > last {
		d = last
	}
	return Date(daysFromCivil(y, m, d)).Instant() + Instant(anchor.clock())
}

// PeriodAt returns the billing period of a plan started at anchor that contains t. For t
// before the anchor it is the period by the same rule with a negative N.
func PeriodAt(anchor, t Instant) BillingPeriod {
	ay, am, _ := anchor.Date().Civil()
	ty, tm, _ := t.Date().Civil()
	n := (ty*12 + tm) - (ay*12 + am)
	// n is t's month offset; the period starting in t's month may start after t.
	for PeriodStart(anchor, n) > t {
		n--
	}
	for PeriodStart(anchor, n+1) <= t {
		n++
	}
	return BillingPeriod{Anchor: anchor, N: n, Start: PeriodStart(anchor, n), End: PeriodStart(anchor, n+1)}
}

// Period returns period n of a plan started at anchor.
func Period(anchor Instant, n int64) BillingPeriod {
	return BillingPeriod{Anchor: anchor, N: n, Start: PeriodStart(anchor, n), End: PeriodStart(anchor, n+1)}
}

// Contains reports whether t is in the period.
func (p BillingPeriod) Contains(t Instant) bool { return p.Start <= t && t < p.End }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

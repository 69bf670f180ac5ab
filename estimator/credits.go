package estimator

import (
	"cmp"
	"slices"
)

// The credit model, written once: bucket kinds, how long each kind stays valid, billing periods
// (period.go) and the order buckets pay in. The wallet op (wallet.go), the spend op (spend.go,
// the editor's "pays from …" preview through the wasm module) and the ledger's holds, balances,
// expiry and plan grants (package ledger) all call these functions, so a preview and the ledger
// cannot disagree. The functions take buckets, the card (its plans and validity windows) and an
// instant; the wallet's dates are their midnight UTC instants.

// Bucket kinds, in the order ties of the spend order go: gifts first, then the plan's credits,
// priority credits kept as long as the monthly ones last, paid top-ups, operator adjustments.
const (
	BucketTrial      = "trial"
	BucketMonthly    = "monthly"
	BucketPriority   = "priority"
	BucketTopUp      = "topup"
	BucketAdjustment = "adjustment"
)

var bucketKinds = [...]string{BucketTrial, BucketMonthly, BucketPriority, BucketTopUp, BucketAdjustment}

// BucketKinds returns every bucket kind, in tie order.
func BucketKinds() []string { return append([]string(nil), bucketKinds[:]...) }

// KindRank returns kind's place in the tie order of the spend order; false for an unknown kind.
func KindRank(kind string) (int, bool) {
	for i, k := range bucketKinds {
		if k == kind {
			return i, true
		}
	}
	return len(bucketKinds), false
}

// CreditBucket is a bucket as the credit model sees it: what it can still pay, from when to when.
type CreditBucket struct {
	Kind    string
	Plan    string  // the card plan that granted it (monthly, priority); "" for other kinds
	Credits Credits // what it can pay now
	Granted Instant
	Expires Instant // the first instant it can no longer pay
}

// UsableAt reports whether the bucket can pay at t: Granted ≤ t < Expires.
func (b CreditBucket) UsableAt(t Instant) bool { return b.Granted <= t && t < b.Expires }

// Expiry returns when a bucket of kind granted at t expires by the card's rules: a trial after
// the card's trial validity (days of 24 hours), a top-up after the card's top-up validity, monthly
// and priority credits at the end of the billing period that starts at t (PlanExpiry for a plan
// started earlier). An adjustment has no default expiry: false.
func (c *RateCard) Expiry(kind string, t Instant) (Instant, bool) {
	switch kind {
	case BucketTrial:
		return t.AddDays(c.trial.ValidDays), true
	case BucketTopUp:
		return t.AddDays(c.topUps.ValidDays), true
	case BucketMonthly, BucketPriority:
		return PlanExpiry(t, t), true
	}
	return 0, false
}

// PlanExpiry returns when monthly and priority credits granted at t expire for a plan started at
// anchor: at the end of the billing period that contains t.
func PlanExpiry(anchor, t Instant) Instant { return PeriodAt(anchor, t).End }

// hasPlan reports whether the card has a plan with this id.
func (c *RateCard) hasPlan(id string) bool {
	for _, p := range c.plans {
		if p.ID == id {
			return true
		}
	}
	return false
}

// FastPlan reports whether plan is one of the card's plans whose queue is fast.
func (c *RateCard) FastPlan(plan string) bool {
	for _, p := range c.plans {
		if p.ID == plan {
			return p.Queue == "fast"
		}
	}
	return false
}

// PriorityLast reports whether priority credits pay last at t: the account already has the fast
// queue from a plan (a monthly bucket of a fast-queue card plan usable at t, whatever it holds),
// so priority credits buy nothing there and are kept until everything else is spent.
func (c *RateCard) PriorityLast(bs []CreditBucket, t Instant) bool {
	for _, b := range bs {
		if b.Kind == BucketMonthly && b.UsableAt(t) && c.FastPlan(b.Plan) {
			return true
		}
	}
	return false
}

// SpendOrder returns the indexes of the buckets that can pay at t (usable, with credits), in
// the order they pay:
//
//  1. priority credits after every other bucket while PriorityLast holds;
//  2. the bucket that expires soonest;
//  3. ties by kind: trial, monthly, priority, topup, adjustment;
//  4. then the earlier grant, then the earlier place in bs (the ledger lists buckets by id).
func (c *RateCard) SpendOrder(bs []CreditBucket, t Instant) []int {
	priorityLast := c.PriorityLast(bs, t)
	order := make([]int, 0, len(bs))
	for i, b := range bs {
		if b.Credits > 0 && b.UsableAt(t) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &bs[i], &bs[j]
		if priorityLast && (a.Kind == BucketPriority) != (b.Kind == BucketPriority) {
			return boolCmp(a.Kind == BucketPriority, b.Kind == BucketPriority)
		}
		if a.Expires != b.Expires {
			return cmp.Compare(a.Expires, b.Expires)
		}
		ra, _ := KindRank(a.Kind)
		rb, _ := KindRank(b.Kind)
		if ra != rb {
			return cmp.Compare(ra, rb)
		}
		return cmp.Compare(a.Granted, b.Granted)
	})
	return order
}

// boolCmp orders false before true.
func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// Draw is what one bucket pays towards a spend.
type Draw struct {
	Bucket  int // index into the buckets
	Credits Credits
}

// Spend pays need at t from the buckets in SpendOrder: all or nothing, so ok is false (and
// nothing is drawn) when the usable credits, available, fall short. A bucket never goes below
// zero. bs is not changed.
func (c *RateCard) Spend(bs []CreditBucket, t Instant, need Credits) (draws []Draw, available Credits, ok bool) {
	order := c.SpendOrder(bs, t)
	for _, i := range order {
		available += bs[i].Credits
	}
	if available < need {
		return nil, available, false
	}
	left := need
	for _, i := range order {
		if left == 0 {
			break
		}
		take := min(bs[i].Credits, left)
		left -= take
		draws = append(draws, Draw{Bucket: i, Credits: take})
	}
	return draws, available, true
}

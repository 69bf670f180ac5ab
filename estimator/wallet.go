package estimator

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Wallet preview: a person's credits in buckets (trial, monthly, priority, top-up), each with
// the date it was granted and the date it expires, and a list of jobs at given dates.
//
// Rules (documented in docs/economics.md). The credit model itself — kinds, validity, billing
// periods, spend order — is credits.go and period.go, shared with the ledger; a day d is its
// midnight UTC instant there.
//   - A bucket can pay on a day d when granted ≤ d < expires: "expires" is the first day on
//     which the credits are gone.
//   - Default expiry when a bucket gives none: RateCard.Expiry (trial and top-up validity;
//     monthly and priority credits at the end of their billing period, of a plan started on
//     planStart when given, else on granted). An adjustment needs an explicit expiry.
//   - Jobs run in date order (stable for equal dates). Each job is paid from the buckets that
//     can pay that day in RateCard.SpendOrder (soonest expiry first, ties by kind, grant date,
//     then input order; priority credits last while a fast-queue plan is live).
//   - A job is paid in full or not at all: the wallet never goes negative. A job it cannot
//     cover is reported with its shortfall and is not charged; the options then say what the
//     cheapest top-up (bought on the day of the first uncovered job) that covers every job
//     costs, and what would run for free in the standard queue instead.

// Bucket is credits of one kind, usable from Granted until the day before Expires. Plan names
// the card plan that granted monthly and priority credits ("" when unknown): a live monthly
// bucket of a fast-queue plan puts priority credits last (RateCard.SpendOrder).
type Bucket struct {
	Kind    string
	Plan    string
	Credits Credits
	Granted Date
	Expires Date
}

// WalletJob is a job to pay on Date.
type WalletJob struct {
	Date    Date
	Credits Credits
}

// WalletRequest is a wallet and the jobs to preview. Date is the day of the balance view;
// jobs must not be earlier.
type WalletRequest struct {
	Date    Date
	Buckets []Bucket
	Jobs    []WalletJob
}

// Payment is what one bucket paid towards a job.
type Payment struct {
	Bucket  int // index into the request's buckets
	Kind    string
	Credits Credits
}

// JobResult is how one job was paid.
type JobResult struct {
	Job       int // index into the request's jobs
	Date      Date
	Credits   Credits
	Covered   bool
	Payments  []Payment
	Shortfall Credits // credits missing on that day when not covered
}

// BucketResult is a bucket after the jobs.
type BucketResult struct {
	Bucket
	Status    string // at the request date: "active", "future" (not granted yet) or "expired"
	Spent     Credits
	Remaining Credits
}

// Expiring is credits that expire unused.
type Expiring struct {
	Bucket  int
	Kind    string
	Expires Date
	Credits Credits
}

// WalletTopUp is the cheapest top-up that lets every job run at full speed.
type WalletTopUp struct {
	Date    Date    // bought on the day of the first uncovered job
	Expires Date    // when its credits expire
	Missing Credits // the least extra credits that cover every job
	Plan    TopUpPlan
}

// WalletOptions are the ways to run jobs the wallet cannot cover.
type WalletOptions struct {
	TopUp       *WalletTopUp // nil when no single top-up can cover every job (see Reason)
	Reason      string
	QueueJobs   int64 // jobs that would run in the standard queue instead
	QueueCredit Credits
	Slowdown    Multiplier
	QueueLabel  string
}

// WalletPreview is the result of PreviewWallet.
type WalletPreview struct {
	Date          Date
	Balance       [len(bucketKinds)]Credits // usable at Date, by kind
	Total         Credits
	Buckets       []BucketResult
	Jobs          []JobResult // in the order they ran
	Needed        Credits
	Paid          Credits
	Shortfall     Credits // credits of the jobs not covered
	Covered       bool
	Expiring      []Expiring // by expiry date
	ExpiringTotal Credits
	Options       *WalletOptions // nil when every job is covered
}

// PreviewWallet pays the jobs from the wallet by the rules above. The error is an *Error.
func (c *RateCard) PreviewWallet(r WalletRequest) (WalletPreview, error) {
	p, err := c.previewWallet(r)
	if err != nil {
		return WalletPreview{}, err
	}
	return p, nil
}

// DefaultExpiry returns the expiry the card gives a bucket of kind granted on a date
// (RateCard.Expiry at midnight UTC); false for an adjustment, which has none.
func (c *RateCard) DefaultExpiry(kind string, granted Date) (Date, bool) {
	t, ok := c.Expiry(kind, granted.Instant())
	return t.Date(), ok
}

func (c *RateCard) validateWallet(r WalletRequest) *Error {
	if len(r.Buckets) > maxEconomicsItems {
		return newError(CodeTooManyItems, "buckets", "has "+strconv.Itoa(len(r.Buckets))+" buckets; at most "+strconv.Itoa(maxEconomicsItems)+" are allowed")
	}
	if len(r.Jobs) > maxEconomicsItems {
		return newError(CodeTooManyItems, "jobs", "has "+strconv.Itoa(len(r.Jobs))+" jobs; at most "+strconv.Itoa(maxEconomicsItems)+" are allowed")
	}
	var sum Credits
	for i, b := range r.Buckets {
		p := index("buckets", i)
		if _, ok := KindRank(b.Kind); !ok {
			return newError(CodeInvalidValue, join(p, "kind"), "must be trial, monthly, priority, topup or adjustment, not "+quoteShort(b.Kind))
		}
		if b.Plan != "" && !c.hasPlan(b.Plan) {
			return newError(CodeUnknownPlan, join(p, "plan"), "the rate card has no plan "+quoteShort(b.Plan))
		}
		if b.Credits < 0 || b.Credits > maxNeedHundredths {
			return newError(CodeOutOfRange, join(p, "credits"), "must be between 0 and "+strconv.FormatInt(maxNeed, 10)+" credits")
		}
		if b.Expires <= b.Granted {
			return newError(CodeInvalidDate, join(p, "expires"), "must be after granted ("+b.Granted.String()+"), not "+b.Expires.String())
		}
		if sum += b.Credits; sum > 1<<62 {
			return overflowAt("buckets")
		}
	}
	sum = 0
	for i, j := range r.Jobs {
		p := index("jobs", i)
		if j.Credits < 0 || j.Credits > maxNeedHundredths {
			return newError(CodeOutOfRange, join(p, "credits"), "must be between 0 and "+strconv.FormatInt(maxNeed, 10)+" credits")
		}
		if j.Date < r.Date {
			return newError(CodeInvalidDate, join(p, "date"), "must not be before the wallet date "+r.Date.String())
		}
		if sum += j.Credits; sum > 1<<62 {
			return overflowAt("jobs")
		}
	}
	return nil
}

// jobOrder returns job indexes in date order (stable).
func jobOrder(js []WalletJob) []int {
	order := make([]int, len(js))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(js[a].Date, js[b].Date) })
	return order
}

// creditBuckets returns the wallet's buckets for the credit model, dates as midnight UTC.
func creditBuckets(bs []Bucket) []CreditBucket {
	out := make([]CreditBucket, len(bs))
	for i, b := range bs {
		out[i] = CreditBucket{Kind: b.Kind, Plan: b.Plan, Credits: b.Credits, Granted: b.Granted.Instant(), Expires: b.Expires.Instant()}
	}
	return out
}

// simulate runs the jobs against the buckets with RateCard.Spend. It returns what remains in
// each bucket and, when record is set, how each job was paid.
func (c *RateCard) simulate(bs []Bucket, js []WalletJob, jobs []int, record bool) (remaining []Credits, results []JobResult, covered bool) {
	cb := creditBuckets(bs)
	covered = true
	for _, ji := range jobs {
		j := js[ji]
		res := JobResult{Job: ji, Date: j.Date, Credits: j.Credits}
		draws, avail, ok := c.Spend(cb, j.Date.Instant(), j.Credits)
		if !ok {
			covered = false
			res.Shortfall = j.Credits - avail
		} else {
			res.Covered = true
			for _, d := range draws {
				cb[d.Bucket].Credits -= d.Credits
				if record {
					res.Payments = append(res.Payments, Payment{Bucket: d.Bucket, Kind: bs[d.Bucket].Kind, Credits: d.Credits})
				}
			}
		}
		if record {
			results = append(results, res)
		}
	}
	remaining = make([]Credits, len(bs))
	for i := range cb {
		remaining[i] = cb[i].Credits
	}
	return remaining, results, covered
}

func (c *RateCard) previewWallet(r WalletRequest) (WalletPreview, *Error) {
	if err := c.validateWallet(r); err != nil {
		return WalletPreview{}, err
	}
	jobs := jobOrder(r.Jobs)
	remaining, results, covered := c.simulate(r.Buckets, r.Jobs, jobs, true)
	p := WalletPreview{Date: r.Date, Jobs: results, Covered: covered}
	for i, b := range r.Buckets {
		br := BucketResult{Bucket: b, Spent: b.Credits - remaining[i], Remaining: remaining[i]}
		switch {
		case r.Date < b.Granted:
			br.Status = "future"
		case r.Date >= b.Expires:
			br.Status = "expired"
		default:
			br.Status = "active"
			rank, _ := KindRank(b.Kind)
			p.Balance[rank] += b.Credits
			p.Total += b.Credits
		}
		p.Buckets = append(p.Buckets, br)
		if remaining[i] > 0 {
			p.Expiring = append(p.Expiring, Expiring{Bucket: i, Kind: b.Kind, Expires: b.Expires, Credits: remaining[i]})
			p.ExpiringTotal += remaining[i]
		}
	}
	sortStable(p.Expiring, func(a, b *Expiring) int { return cmp.Compare(a.Expires, b.Expires) })
	var firstUncovered = -1
	for k, res := range results {
		p.Needed += res.Credits
		if res.Covered {
			p.Paid += res.Credits
		} else {
			p.Shortfall += res.Credits
			if firstUncovered < 0 {
				firstUncovered = k
			}
		}
	}
	if covered {
		return p, nil
	}
	o := &WalletOptions{Slowdown: c.standardQueue.Slowdown, QueueLabel: c.standardQueue.Label}
	for _, res := range results {
		if !res.Covered {
			o.QueueJobs++
			o.QueueCredit += res.Credits
		}
	}
	// The least extra credits X, bought on the day of the first uncovered job, that cover every
	// job, computed directly (leastTopUp) instead of searched: the work stays O(jobs × (jobs +
	// buckets)) whatever the amounts.
	day := results[firstUncovered].Date
	extraExpires, _ := c.DefaultExpiry(BucketTopUp, day)
	extra := Bucket{Kind: BucketTopUp, Granted: day, Expires: extraExpires}
	hi, ok := c.leastTopUp(r.Buckets, r.Jobs, jobs, extra)
	if !ok {
		o.Reason = "no single top-up bought on " + day.String() + " covers every job: its credits expire on " + extra.Expires.String() + " before a later job"
	} else {
		plan, err := c.topUpQuote(hi, "jobs")
		switch {
		case err != nil && err.Code == CodeOverflow:
			o.Reason = "the top-up of " + hi.String() + " credits these jobs need does not fit the exact arithmetic; run " + plural(o.QueueJobs, "job", "jobs") + " free in the standard queue"
		case err != nil:
			return WalletPreview{}, err
		default:
			o.TopUp = &WalletTopUp{Date: day, Expires: extra.Expires, Missing: hi, Plan: plan}
			o.Reason = "buy " + plan.Credits.String() + " credits for " + c.moneyText(plan.Total) + " on " + day.String() + " to run every job at full speed, or run " + plural(o.QueueJobs, "job", "jobs") + " free in the standard queue (about " + o.Slowdown.String() + "x slower)"
		}
	}
	p.Options = o
	return p, nil
}

// leastTopUp returns the least credits X that a bucket like extra must hold so that every job is
// covered, or false when no amount does.
//
// Paying each job, in date order, from the buckets valid that day soonest expiry first (the
// rules above) is the earliest-deadline-first greedy, which covers every job whenever any
// assignment of credits to jobs does. By Hall's theorem such an assignment exists exactly when
// every set S of jobs needs no more than the buckets valid on some day of S hold:
// need(S) ≤ credits(N(S)). So X is the largest deficit need(S) − credits(N(S)) (without extra)
// over the sets S with a job extra can pay, and no X exists when a set without such a job has a
// positive deficit.
//
// A bucket is valid on a contiguous run of the jobs in date order, so a bucket valid on some job
// of S and on a later job j is valid on S's last job before j too. That gives a dynamic program
// over S's last job: f(j) = need(j) + max(−credits(valid at j), max over k < j of
// f(k) − credits(valid at j but not at k)), kept apart by whether S has a job extra can pay.
//
// The priority rule of the spend order (priority credits last while a fast-queue plan is live)
// is not earliest-deadline-first, so the greedy may need more than that bound. The amount is
// then checked by running the jobs, and when it falls short the least amount between the bound
// and the jobs' total need is found by bisection (covering every job is monotone in the amount:
// with every job paid, more credits in one bucket leave every bucket at least as full), at most
// 63 runs: the work stays bounded.
func (c *RateCard) leastTopUp(bs []Bucket, js []WalletJob, order []int, extra Bucket) (Credits, bool) {
	x, ok := hallTopUp(bs, js, order, extra)
	if !ok {
		return 0, false
	}
	covers := func(x Credits) bool {
		extra.Credits = x
		_, _, covered := c.simulate(append(append([]Bucket(nil), bs...), extra), js, order, false)
		return covered
	}
	if covers(x) {
		return x, true
	}
	var total Credits
	for _, j := range js {
		total += j.Credits
	}
	if !covers(total) {
		return 0, false
	}
	lo, hi := x, total // covers(lo) is false, covers(hi) is true
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if covers(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// hallTopUp is leastTopUp's bound for the earliest-deadline-first order (see above).
func hallTopUp(bs []Bucket, js []WalletJob, order []int, extra Bucket) (Credits, bool) {
	n := len(order)
	// lo, hi: the run of jobs (positions in date order) each bucket is valid on; empty when lo > hi.
	type run struct{ lo, hi int }
	valid := func(b Bucket) run {
		r := run{lo: n, hi: -1}
		for pos, ji := range order {
			if d := js[ji].Date; b.Granted <= d && d < b.Expires {
				if pos < r.lo {
					r.lo = pos
				}
				r.hi = pos
			}
		}
		return r
	}
	runs := make([]run, len(bs))
	for i, b := range bs {
		runs[i] = valid(b)
	}
	e := valid(extra)
	const none = Credits(-1 << 62)
	// f[pos][t]: the best deficit of a set whose last job is pos; t = 1 when the set has a job
	// extra can pay. none when no such set exists.
	f := make([][2]Credits, n)
	byLo := make([]Credits, n+1) // credits valid at j, by the first job they are valid on
	best := [2]Credits{none, none}
	for j := 0; j < n; j++ {
		clear(byLo)
		var all Credits
		for i, r := range runs {
			if r.lo <= j && j <= r.hi {
				byLo[r.lo] += bs[i].Credits
				all += bs[i].Credits
			}
		}
		in := 0
		if e.lo <= j && j <= e.hi {
			in = 1
		}
		need := js[order[j]].Credits
		f[j] = [2]Credits{none, none}
		f[j][in] = need - all
		// newSince = credits valid at j whose run starts after k, for k = j-1 down to 0.
		var newSince Credits
		for k := j - 1; k >= 0; k-- {
			newSince += byLo[k+1]
			for t := 0; t < 2; t++ {
				if f[k][t] == none {
					continue
				}
				tt := t | in
				if v := f[k][t] + need - newSince; v > f[j][tt] {
					f[j][tt] = v
				}
			}
		}
		for t := 0; t < 2; t++ {
			if f[j][t] > best[t] {
				best[t] = f[j][t]
			}
		}
	}
	if best[0] > 0 || best[1] <= 0 {
		return 0, false
	}
	return best[1], true
}

// AppendJSON appends the preview's contract JSON to dst.
func (p WalletPreview) AppendJSON(dst []byte) []byte {
	dst = appendLit(dst, `{"date":"`)
	dst = p.Date.AppendText(dst)
	dst = appendLit(dst, `","balance":{"total":"`)
	dst = p.Total.AppendText(dst)
	dst = append(dst, '"')
	for i, k := range bucketKinds {
		dst = appendCreditsField(dst, k, p.Balance[i])
	}
	dst = appendLit(dst, `},"covered":`)
	dst = strconv.AppendBool(dst, p.Covered)
	dst = appendCreditsField(dst, "needed", p.Needed)
	dst = appendCreditsField(dst, "paid", p.Paid)
	dst = appendCreditsField(dst, "shortfall", p.Shortfall)
	dst = appendLit(dst, `,"buckets":[`)
	for i, b := range p.Buckets {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"bucket":`)
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = appendLit(dst, `,"kind":`)
		dst = jsonx.AppendString(dst, b.Kind)
		dst = appendLit(dst, `,"granted":"`)
		dst = b.Granted.AppendText(dst)
		dst = appendLit(dst, `","expires":"`)
		dst = b.Expires.AppendText(dst)
		dst = appendLit(dst, `","status":`)
		dst = jsonx.AppendString(dst, b.Status)
		dst = appendCreditsField(dst, "credits", b.Credits)
		dst = appendCreditsField(dst, "spent", b.Spent)
		dst = appendCreditsField(dst, "remaining", b.Remaining)
		dst = append(dst, '}')
	}
	dst = appendLit(dst, `],"jobs":[`)
	for i, j := range p.Jobs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"job":`)
		dst = strconv.AppendInt(dst, int64(j.Job), 10)
		dst = appendLit(dst, `,"date":"`)
		dst = j.Date.AppendText(dst)
		dst = append(dst, '"')
		dst = appendCreditsField(dst, "credits", j.Credits)
		dst = appendLit(dst, `,"covered":`)
		dst = strconv.AppendBool(dst, j.Covered)
		dst = appendCreditsField(dst, "shortfall", j.Shortfall)
		dst = appendLit(dst, `,"paidFrom":[`)
		for k, pay := range j.Payments {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = appendLit(dst, `{"bucket":`)
			dst = strconv.AppendInt(dst, int64(pay.Bucket), 10)
			dst = appendLit(dst, `,"kind":`)
			dst = jsonx.AppendString(dst, pay.Kind)
			dst = appendCreditsField(dst, "credits", pay.Credits)
			dst = append(dst, '}')
		}
		dst = appendLit(dst, "]}")
	}
	dst = appendLit(dst, `],"expiring":[`)
	for i, e := range p.Expiring {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"bucket":`)
		dst = strconv.AppendInt(dst, int64(e.Bucket), 10)
		dst = appendLit(dst, `,"kind":`)
		dst = jsonx.AppendString(dst, e.Kind)
		dst = appendLit(dst, `,"expires":"`)
		dst = e.Expires.AppendText(dst)
		dst = append(dst, '"')
		dst = appendCreditsField(dst, "credits", e.Credits)
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	dst = appendCreditsField(dst, "expiringTotal", p.ExpiringTotal)
	dst = appendLit(dst, `,"options":`)
	if p.Options == nil {
		dst = appendLit(dst, "null")
		return append(dst, '}')
	}
	o := p.Options
	dst = appendLit(dst, `{"topUp":`)
	if o.TopUp == nil {
		dst = appendLit(dst, "null")
	} else {
		dst = appendLit(dst, `{"date":"`)
		dst = o.TopUp.Date.AppendText(dst)
		dst = appendLit(dst, `","expires":"`)
		dst = o.TopUp.Expires.AppendText(dst)
		dst = append(dst, '"')
		dst = appendCreditsField(dst, "missing", o.TopUp.Missing)
		dst = appendLit(dst, `,"plan":`)
		dst = o.TopUp.Plan.AppendJSON(dst)
		dst = append(dst, '}')
	}
	dst = appendLit(dst, `,"standardQueue":{"jobs":`)
	dst = strconv.AppendInt(dst, o.QueueJobs, 10)
	dst = appendCreditsField(dst, "credits", o.QueueCredit)
	dst = appendLit(dst, `,"costUsd":"0.00","slowdown":"`)
	dst = o.Slowdown.AppendText(dst)
	dst = appendLit(dst, `","label":`)
	dst = jsonx.AppendString(dst, o.QueueLabel)
	dst = appendLit(dst, `},"reason":`)
	dst = jsonx.AppendString(dst, o.Reason)
	return appendLit(dst, "}}")
}

// MarshalJSON encodes the preview in the contract's form.
func (p WalletPreview) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// dateAt reads a required or optional "YYYY-MM-DD" member.
func (o object) date(key string, required bool, def Date) (Date, string, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		if required {
			return 0, p, missing(p)
		}
		return def, p, nil
	}
	if v.Kind != jsonx.String {
		return 0, p, typeError(p, "a date string \"YYYY-MM-DD\"", v)
	}
	d, okd := ParseDate(v.Str)
	if !okd {
		return 0, p, newError(CodeInvalidDate, p, "must be a date \"YYYY-MM-DD\" between 1900-01-01 and 9999-12-31, not "+quoteShort(v.Str))
	}
	return d, p, nil
}

// decodeWalletRequest decodes the wallet op's request; specs of jobs are priced here.
func (c *RateCard) decodeWalletRequest(data []byte) (WalletRequest, *Error) {
	var r WalletRequest
	o, err := decodeRequest(data, "date", "buckets", "jobs")
	if err != nil {
		return r, err
	}
	if err := o.checkPromptBudget(c.maxPromptChars); err != nil {
		return r, err
	}
	if r.Date, _, err = o.date("date", true, 0); err != nil {
		return r, err
	}
	items, path, err := o.requiredArray("buckets")
	if err != nil {
		return r, err
	}
	if err := checkItems(items, path); err != nil {
		return r, err
	}
	for i, item := range items {
		ip := index(path, i)
		bo, err := asObject(item, ip, "kind", "plan", "planStart", "credits", "granted", "expires")
		if err != nil {
			return r, err
		}
		var b Bucket
		if b.Kind, b.Plan, b.Credits, err = c.bucketHead(bo); err != nil {
			return r, err
		}
		if b.Granted, _, err = bo.date("granted", true, 0); err != nil {
			return r, err
		}
		// Monthly and priority credits expire when the billing period of their plan that
		// contains granted ends; the plan started on planStart (default: granted).
		planStart, sp, err := bo.date("planStart", false, b.Granted)
		if err != nil {
			return r, err
		}
		if bo.has("planStart") && b.Kind != BucketMonthly && b.Kind != BucketPriority {
			return r, newError(CodeInvalidValue, sp, "only monthly and priority buckets belong to a plan's billing period")
		}
		if planStart > b.Granted {
			return r, newError(CodeInvalidDate, sp, "must not be after granted ("+b.Granted.String()+"), not "+planStart.String())
		}
		def, hasDef := c.DefaultExpiry(b.Kind, b.Granted)
		if b.Kind == BucketMonthly || b.Kind == BucketPriority {
			def = PlanExpiry(planStart.Instant(), b.Granted.Instant()).Date()
		}
		if !hasDef {
			if b.Expires, _, err = bo.date("expires", true, 0); err != nil {
				return r, err
			}
		} else if b.Expires, _, err = bo.date("expires", false, def); err != nil {
			return r, err
		}
		r.Buckets = append(r.Buckets, b)
	}
	jobs, jpath, _, err := o.optionalArray("jobs")
	if err != nil {
		return r, err
	}
	if err := checkItems(jobs, jpath); err != nil {
		return r, err
	}
	for i, item := range jobs {
		ip := index(jpath, i)
		jo, err := asObject(item, ip, "spec", "credits", "date")
		if err != nil {
			return r, err
		}
		var j WalletJob
		if j.Date, _, err = jo.date("date", false, r.Date); err != nil {
			return r, err
		}
		if j.Credits, err = c.specOrCredits(jo, "a job needs a spec or credits"); err != nil {
			return r, err
		}
		r.Jobs = append(r.Jobs, j)
	}
	return r, nil
}

// bucketHead reads what a bucket of a wallet or spend request has first: its kind, its plan (if
// any, one of the card's) and its credits.
func (c *RateCard) bucketHead(bo object) (kind, plan string, credits Credits, err *Error) {
	var kp, pp string
	if kind, kp, err = bo.requiredString("kind"); err != nil {
		return
	}
	if _, ok := KindRank(kind); !ok {
		err = newError(CodeInvalidValue, kp, "must be trial, monthly, priority, topup or adjustment, not "+quoteShort(kind))
		return
	}
	if plan, pp, err = bo.optionalString("plan", ""); err != nil {
		return
	}
	if plan != "" && !c.hasPlan(plan) {
		err = newError(CodeUnknownPlan, pp, "the rate card has no plan "+quoteShort(plan))
		return
	}
	n, _, err := bo.requiredFixed("credits", creditPlaces, 0, maxNeedHundredths, true, "")
	if err != nil {
		return
	}
	credits = Credits(n)
	return
}

package estimator

import (
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Plan comparison for a monthly workload.
//
// Options, in this order:
//   - "trial": the one-time sign-up credits; the rest of the month runs in the free standard
//     queue. It is one-time, so it is never the recommendation for a monthly workload.
//   - "payg": pay as you go, the cheapest top-up covering the month. Its surplus is carried
//     over (top-ups stay valid for the card's top-up validity), so nothing expires this month.
//   - each card plan: when its monthly + priority credits cover the workload, "<id>" alone
//     (the unused part expires at the end of the billing month); otherwise two options,
//     "<id>+topup" (the plan plus the cheapest top-up for the rest, full speed) and
//     "<id>+queue" (the plan, the rest in the free standard queue, slower).
//
// The recommendation is the cheapest option that runs the whole workload at full speed
// (ties: fewer credits expiring unused, then the order above). Break-even points compare the
// full-speed cost curves of pay as you go and each plan (plus top-ups) over every monthly need:
// they are step functions, so the answer is the first need at which the dearer-based option
// becomes cheaper, the need from which it is never dearer again (if any) and, when it is not
// cheaper everywhere above, the first need where it is dearer again. The curves become
// periodic (period = the largest bundle) beyond the top-up reduction threshold, so a finite
// scan over segments decides "for every larger need" exactly.

// PlanOption is one way to pay for the workload.
type PlanOption struct {
	ID             string
	Name           string
	Plan           string // card plan id; "" for trial and pay as you go
	Cost           Money  // per month (the trial: once)
	PlanCost       Money
	TopUp          TopUpPlan
	Included       Credits // trial or plan credits
	Used           Credits // credits of the workload paid at full speed
	Queued         Credits // credits of the workload run in the standard queue
	Expiring       Credits // included credits left unused, expiring
	Carried        Credits // top-up surplus carried to next month
	Utilization    int64   // Used / (Included + bought), hundredths of a percent
	PricePerCredit Money   // Cost / Used by the unit-price rule; valid when Used > 0
	PricePerVideo  Money   // Cost / videos by the unit-price rule; valid when videos are known
	FullSpeed      bool
	OneTime        bool
	Queue          string // queue of the paid credits: "fast" or "standard"
}

// BreakEven compares two full-speed cost curves: Option (the one with the higher fixed price)
// against Than.
type BreakEven struct {
	Option, Than   string
	FirstCheaper   Credits // smallest monthly need at which Option costs less; valid if HasFirst
	HasFirst       bool
	NeverDearer    Credits // from this need on Option never costs more; valid if HasNever
	HasNever       bool
	DearerAgain    Credits // first need ≥ FirstCheaper at which Option costs more again; valid if HasDearerAgain
	HasDearerAgain bool
	Statement      string
}

// VideosPerPlan is how many videos like one spec a grant covers.
type VideosPerPlan struct {
	ID            string
	Name          string
	Credits       Credits
	Videos        int64
	Leftover      Credits
	Cost          Money
	PricePerVideo Money // valid when Videos > 0
}

// PlanComparison is the result of ComparePlans.
type PlanComparison struct {
	Need           Credits
	Videos         int64 // 0 when the workload was given as credits
	Options        []PlanOption
	Recommended    string
	Reason         string
	BreakEven      []BreakEven
	LikeCredits    Credits // credits of one video like the "like" spec; 0 when none given
	VideosPerPlans []VideosPerPlan
	money          moneyFmt // the card currency's minor unit, for the JSON form
}

// PlanWorkload is a monthly workload: Credits, or jobs priced by Estimate.
type PlanWorkload struct {
	Credits Credits
	Videos  int64 // videos per month, 0 if unknown
	Like    *Spec // optional: report how many videos like it each grant covers
}

// PlanJob is a spec and how many times a month it runs.
type PlanJob struct {
	Spec  Spec
	Count int64
}

// WorkloadFromJobs prices jobs into a monthly workload.
func (c *RateCard) WorkloadFromJobs(jobs []PlanJob) (PlanWorkload, error) {
	w, err := c.workloadFromJobs(jobs, nil)
	if err != nil {
		return PlanWorkload{}, err
	}
	return w, nil
}

func (c *RateCard) workloadFromJobs(jobs []PlanJob, paths []string) (PlanWorkload, *Error) {
	var w PlanWorkload
	if len(jobs) > maxEconomicsItems {
		return w, newError(CodeTooManyItems, "jobs", "has "+strconv.Itoa(len(jobs))+" jobs; at most "+strconv.Itoa(maxEconomicsItems)+" are allowed")
	}
	for i, j := range jobs {
		p := index("jobs", i)
		if paths != nil {
			p = paths[i]
		}
		if j.Count < 1 || j.Count > maxJobRepeat {
			return w, newError(CodeOutOfRange, join(p, "count"), "must be between 1 and "+strconv.Itoa(maxJobRepeat)+", not "+strconv.FormatInt(j.Count, 10))
		}
		q, err := c.estimate(j.Spec)
		if err != nil {
			return w, under(join(p, "spec"), err)
		}
		cr, ok := mulCredits(q.Credits, j.Count)
		if !ok || w.Credits+cr > maxNeedHundredths {
			return w, newError(CodeOutOfRange, "jobs", "the monthly workload exceeds "+strconv.FormatInt(maxNeed, 10)+" credits")
		}
		w.Credits += cr
		w.Videos += q.Count * j.Count
	}
	return w, nil
}

// ComparePlans compares the ways to pay for a monthly workload. The error is an *Error.
func (c *RateCard) ComparePlans(w PlanWorkload) (PlanComparison, error) {
	p, err := c.comparePlans(w, "credits")
	if err != nil {
		return PlanComparison{}, err
	}
	return p, nil
}

func (c *RateCard) comparePlans(w PlanWorkload, field string) (PlanComparison, *Error) {
	if w.Credits < 0 || w.Credits > maxNeedHundredths {
		return PlanComparison{}, newError(CodeOutOfRange, field, "must be between 0 and "+strconv.FormatInt(maxNeed, 10)+" credits")
	}
	c.plansOnce.Do(c.preparePlans)
	if c.plansErr != nil {
		return PlanComparison{}, under(field, c.plansErr)
	}
	s := c.fullSolver
	need := w.Credits
	r := PlanComparison{Need: need, Videos: w.Videos, money: c.money}
	add := func(o PlanOption) {
		o.PricePerCredit, _ = c.money.pricePerCredit(o.Cost, o.Used)
		o.PricePerVideo, _ = c.money.pricePerVideo(o.Cost, w.Videos)
		bought := o.Included + o.TopUp.Credits
		if bought > 0 {
			o.Utilization, _ = percent(int64(o.Used), int64(bought))
		}
		r.Options = append(r.Options, o)
	}
	topUp := func(n Credits) (TopUpPlan, *Error) { return s.plan(c, n, field) }

	// Trial only.
	t := c.trial.Credits
	tr := PlanOption{ID: "trial", Name: "Trial credits only", Included: t, OneTime: true, Queue: "standard"}
	if need <= t {
		tr.Used, tr.Expiring, tr.FullSpeed = need, t-need, true
	} else {
		tr.ID, tr.Name = "trial+queue", "Trial credits, then the standard queue"
		tr.Used, tr.Queued = t, need-t
	}
	add(tr)

	// Pay as you go.
	pp, err := topUp(need)
	if err != nil {
		return PlanComparison{}, err
	}
	add(PlanOption{ID: "payg", Name: "Pay as you go (top-ups)", Cost: pp.Total, TopUp: pp, Used: need, Carried: pp.Surplus, FullSpeed: true, Queue: "standard"})

	// Each plan.
	for _, pl := range c.plans {
		inc := pl.Monthly + pl.Priority
		base := PlanOption{ID: pl.ID, Name: pl.Name, Plan: pl.ID, Cost: pl.Price, PlanCost: pl.Price, Included: inc, Queue: pl.Queue}
		if need <= inc {
			base.Used, base.Expiring, base.FullSpeed = need, inc-need, true
			add(base)
			continue
		}
		rest := need - inc
		tp, err := topUp(rest)
		if err != nil {
			return PlanComparison{}, err
		}
		withTopUp := base
		withTopUp.ID, withTopUp.Name = pl.ID+"+topup", pl.Name+" + top-ups"
		withTopUp.TopUp, withTopUp.Used, withTopUp.Carried, withTopUp.FullSpeed = tp, need, tp.Surplus, true
		var ok bool
		if withTopUp.Cost, ok = addMoney(pl.Price, tp.Total); !ok {
			return PlanComparison{}, overflowAt(field)
		}
		add(withTopUp)
		queued := base
		queued.ID, queued.Name = pl.ID+"+queue", pl.Name+", then the standard queue"
		queued.Used, queued.Queued = inc, rest
		add(queued)
	}

	// Recommendation.
	best := -1
	for i, o := range r.Options {
		if !o.FullSpeed || o.OneTime {
			continue
		}
		if best < 0 || o.Cost < r.Options[best].Cost || (o.Cost == r.Options[best].Cost && o.Expiring < r.Options[best].Expiring) {
			best = i
		}
	}
	b := r.Options[best]
	r.Recommended = b.ID
	r.Reason = b.Name + " is the cheapest way to run " + need.String() + " credits a month at full speed: " + c.moneyText(b.Cost) + " a month"
	if b.Expiring > 0 {
		r.Reason += ", with " + b.Expiring.String() + " credits expiring unused"
	}
	slow := -1
	for i, o := range r.Options {
		if !o.FullSpeed && !o.OneTime && o.Cost < b.Cost && (slow < 0 || o.Cost < r.Options[slow].Cost) {
			slow = i
		}
	}
	if slow >= 0 {
		o := r.Options[slow]
		r.Reason += "; if slower generation is acceptable, " + o.Name + " costs " + c.moneyText(o.Cost) + " with " + o.Queued.String() + " credits in the standard queue (about " + c.standardQueue.Slowdown.String() + "x slower)"
	}
	if need <= t && need > 0 {
		r.Reason += "; the one-time trial credits cover this workload once"
	}

	// Break-even points between the full-speed curves (the card's alone: computed once).
	r.BreakEven = append([]BreakEven(nil), c.breakEvens...)

	// Videos per grant.
	if w.Like != nil {
		q, err := c.estimate(*w.Like)
		if err != nil {
			return PlanComparison{}, under("like", err)
		}
		u := q.UnitCredits
		r.LikeCredits = u
		grant := func(id, name string, cr Credits, cost Money) {
			v := VideosPerPlan{ID: id, Name: name, Credits: cr, Videos: int64(cr / u), Cost: cost}
			v.Leftover = cr - Credits(v.Videos)*u
			v.PricePerVideo, _ = c.money.pricePerVideo(cost, v.Videos)
			r.VideosPerPlans = append(r.VideosPerPlans, v)
		}
		grant("trial", "Trial credits (once)", t, 0)
		for _, pl := range c.plans {
			grant(pl.ID, pl.Name, pl.Monthly+pl.Priority, pl.Price)
		}
	}
	return r, nil
}

// maxBreakEvenSteps bounds the break-even scan (the default card needs about 660 steps).
const maxBreakEvenSteps = 1 << 21

// costCurve is the full-speed monthly cost of a need W: price + top-ups for W − included.
type costCurve struct {
	id, name string
	price    Money
	included Credits
}

func (s *topUpSolver) curveCost(cc costCurve, w Credits) (Money, bool) {
	if w <= cc.included {
		return cc.price, true
	}
	t, ok := s.costOf((int64(w-cc.included) + s.g - 1) / s.g)
	if !ok {
		return 0, false
	}
	return addMoney(cc.price, t)
}

// preparePlans builds what plan comparisons share and depends on the card alone: the full top-up
// table (break-even scans and large needs reach its threshold) and the break-even points.
func (c *RateCard) preparePlans() {
	c.fullSolver, c.plansErr = c.newTopUpSolver(1 << 62)
	if c.plansErr == nil {
		c.breakEvens, c.plansErr = c.computeBreakEvens(c.fullSolver)
	}
}

// computeBreakEvens finds the break-even points between every pair of full-speed cost curves
// (pay as you go and each plan with top-ups).
func (c *RateCard) computeBreakEvens(s *topUpSolver) ([]BreakEven, *Error) {
	curves := []costCurve{{id: "payg", name: "Pay as you go"}}
	for _, pl := range c.plans {
		curves = append(curves, costCurve{id: pl.ID, name: pl.Name + " (+ top-ups)", price: pl.Price, included: pl.Monthly + pl.Priority})
	}
	var out []BreakEven
	for i := range curves {
		for j := range curves {
			a, bb := curves[i], curves[j]
			if i == j || a.price < bb.price || (a.price == bb.price && i < j) {
				continue
			}
			be, err := s.breakEven(a, bb)
			if err != nil {
				return nil, err
			}
			out = append(out, be)
		}
	}
	return out, nil
}

// breakEven scans the segments on which both curves are constant (they step right after
// included + k·g), from 0 to one full period beyond the point where both are periodic.
func (s *topUpSolver) breakEven(a, b costCurve) (BreakEven, *Error) {
	be := BreakEven{Option: a.id, Than: b.id}
	G := s.g
	L := s.sizes[s.last] * G
	maxInc := a.included
	if b.included > maxInc {
		maxInc = b.included
	}
	periodic := int64(maxInc) + s.m*G // both curves satisfy cost(W+L) = cost(W) + price(L) above this
	end := periodic + L
	if end/G > maxBreakEvenSteps {
		be.Statement = "not computed: on this rate card the cost curves have more than " + strconv.Itoa(maxBreakEvenSteps) + " steps to compare"
		return be, nil
	}
	// next breakpoint of a curve strictly after w: included + k·G + 1 > w.
	next := func(cc costCurve, w int64) int64 {
		base := int64(cc.included) + 1
		if w < base {
			return base
		}
		return base + ((w-base)/G+1)*G
	}
	lastDearerEnd := int64(-1) // start of the segment after the last one where a > b
	for w := int64(0); w <= end; {
		ca, ok1 := s.curveCost(a, Credits(w))
		cb, ok2 := s.curveCost(b, Credits(w))
		if !ok1 || !ok2 {
			return be, overflowAt("")
		}
		nw := next(a, w)
		if nb := next(b, w); nb < nw {
			nw = nb
		}
		switch {
		case ca < cb:
			if !be.HasFirst {
				be.FirstCheaper, be.HasFirst = Credits(w), true
			}
		case ca > cb:
			lastDearerEnd = nw
			if be.HasFirst && !be.HasDearerAgain {
				be.DearerAgain, be.HasDearerAgain = Credits(w), true
			}
		}
		w = nw
	}
	if lastDearerEnd <= periodic+1 { // no dearer need beyond the periodic point
		be.NeverDearer, be.HasNever = Credits(lastDearerEnd), true
		if lastDearerEnd < 0 {
			be.NeverDearer = 0
		}
	}
	switch {
	case !be.HasFirst:
		be.Statement = a.name + " is never cheaper than " + b.name
	case be.HasNever && !be.HasDearerAgain:
		be.Statement = a.name + " is cheaper than " + b.name + " from " + be.FirstCheaper.String() + " credits a month"
	case be.HasNever:
		be.Statement = a.name + " is first cheaper than " + b.name + " at " + be.FirstCheaper.String() + " credits a month and never dearer from " + be.NeverDearer.String() + " (dearer again at " + be.DearerAgain.String() + ")"
	default:
		be.Statement = a.name + " is first cheaper than " + b.name + " at " + be.FirstCheaper.String() + " credits a month, but not at every larger need: " + b.name + " is cheaper again at " + be.DearerAgain.String() + " and at needs recurring every " + Credits(L).String() + " credits"
	}
	return be, nil
}

// AppendJSON appends the comparison's contract JSON to dst.
func (r PlanComparison) AppendJSON(dst []byte) []byte {
	dst = appendLit(dst, `{"need":"`)
	dst = r.Need.AppendText(dst)
	dst = appendLit(dst, `","videos":`)
	if r.Videos > 0 {
		dst = strconv.AppendInt(dst, r.Videos, 10)
	} else {
		dst = appendLit(dst, "null")
	}
	dst = appendLit(dst, `,"options":[`)
	for i, o := range r.Options {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"id":`)
		dst = jsonx.AppendString(dst, o.ID)
		dst = appendLit(dst, `,"name":`)
		dst = jsonx.AppendString(dst, o.Name)
		dst = appendLit(dst, `,"plan":`)
		if o.Plan == "" {
			dst = appendLit(dst, "null")
		} else {
			dst = jsonx.AppendString(dst, o.Plan)
		}
		dst = appendMoneyField(dst, "costUsd", o.Cost, r.money)
		dst = appendMoneyField(dst, "planUsd", o.PlanCost, r.money)
		dst = appendMoneyField(dst, "topUpUsd", o.TopUp.Total, r.money)
		dst = appendCreditsField(dst, "includedCredits", o.Included)
		dst = appendCreditsField(dst, "topUpCredits", o.TopUp.Credits)
		dst = appendCreditsField(dst, "usedCredits", o.Used)
		dst = appendCreditsField(dst, "queuedCredits", o.Queued)
		dst = appendCreditsField(dst, "expiringCredits", o.Expiring)
		dst = appendCreditsField(dst, "carriedCredits", o.Carried)
		dst = appendLit(dst, `,"utilization":"`)
		dst = appendPercent(dst, o.Utilization)
		dst = appendLit(dst, `","pricePerCreditUsd":`)
		dst = r.money.appendOptUnitPrice(dst, o.PricePerCredit, o.Used > 0)
		dst = appendLit(dst, `,"pricePerVideoUsd":`)
		dst = r.money.appendOptUnitPrice(dst, o.PricePerVideo, r.Videos > 0)
		dst = appendLit(dst, `,"fullSpeed":`)
		dst = strconv.AppendBool(dst, o.FullSpeed)
		dst = appendLit(dst, `,"oneTime":`)
		dst = strconv.AppendBool(dst, o.OneTime)
		dst = appendLit(dst, `,"queue":`)
		dst = jsonx.AppendString(dst, o.Queue)
		dst = appendLit(dst, `,"topUp":`)
		if o.TopUp.Credits > 0 {
			dst = o.TopUp.AppendJSON(dst)
		} else {
			dst = appendLit(dst, "null")
		}
		dst = append(dst, '}')
	}
	dst = appendLit(dst, `],"recommended":{"id":`)
	dst = jsonx.AppendString(dst, r.Recommended)
	dst = appendLit(dst, `,"reason":`)
	dst = jsonx.AppendString(dst, r.Reason)
	dst = appendLit(dst, `},"breakEven":[`)
	for i, b := range r.BreakEven {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"option":`)
		dst = jsonx.AppendString(dst, b.Option)
		dst = appendLit(dst, `,"than":`)
		dst = jsonx.AppendString(dst, b.Than)
		dst = appendOptCredits(dst, "firstCheaperAt", b.FirstCheaper, b.HasFirst)
		dst = appendOptCredits(dst, "neverDearerFrom", b.NeverDearer, b.HasNever)
		dst = appendOptCredits(dst, "dearerAgainAt", b.DearerAgain, b.HasDearerAgain)
		dst = appendLit(dst, `,"statement":`)
		dst = jsonx.AppendString(dst, b.Statement)
		dst = append(dst, '}')
	}
	dst = appendLit(dst, `],"like":`)
	if r.LikeCredits == 0 {
		dst = appendLit(dst, "null")
		return append(dst, '}')
	}
	dst = appendLit(dst, `{"unitCredits":"`)
	dst = r.LikeCredits.AppendText(dst)
	dst = appendLit(dst, `","plans":[`)
	for i, v := range r.VideosPerPlans {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"id":`)
		dst = jsonx.AppendString(dst, v.ID)
		dst = appendLit(dst, `,"name":`)
		dst = jsonx.AppendString(dst, v.Name)
		dst = appendCreditsField(dst, "credits", v.Credits)
		dst = appendLit(dst, `,"videos":`)
		dst = strconv.AppendInt(dst, v.Videos, 10)
		dst = appendCreditsField(dst, "leftoverCredits", v.Leftover)
		dst = appendMoneyField(dst, "costUsd", v.Cost, r.money)
		dst = appendLit(dst, `,"pricePerVideoUsd":`)
		dst = r.money.appendOptUnitPrice(dst, v.PricePerVideo, v.Videos > 0 && v.Cost > 0)
		dst = append(dst, '}')
	}
	return appendLit(dst, "]}}")
}

// MarshalJSON encodes the comparison in the contract's form.
func (r PlanComparison) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

func appendOptCredits(dst []byte, key string, cr Credits, ok bool) []byte {
	if !ok {
		return append(dst, ",\""+key+"\":null"...)
	}
	return appendCreditsField(dst, key, cr)
}

// decodePlansRequest decodes {"credits":"1200"} or {"jobs":[{"spec":{…},"count":4}]}, with an
// optional "like" spec.
func (c *RateCard) decodePlansRequest(data []byte) (PlanWorkload, string, *Error) {
	o, err := decodeRequest(data, "credits", "jobs", "like")
	if err != nil {
		return PlanWorkload{}, "", err
	}
	if err := o.checkPromptBudget(c.maxPromptChars); err != nil {
		return PlanWorkload{}, "", err
	}
	amount, cp, hasCredits, err := o.optionalCredits("credits", 0, maxNeedHundredths)
	if err != nil {
		return PlanWorkload{}, "", err
	}
	items, jp, hasJobs, err := o.optionalArray("jobs")
	if err != nil {
		return PlanWorkload{}, "", err
	}
	var w PlanWorkload
	field := cp
	switch {
	case hasCredits && hasJobs:
		return w, "", newError(CodeInvalidValue, jp, "give either credits or jobs, not both")
	case hasCredits:
		w.Credits = amount
	case hasJobs:
		field = jp
		if err := checkItems(items, jp); err != nil {
			return w, "", err
		}
		jobs := make([]PlanJob, 0, len(items))
		paths := make([]string, 0, len(items))
		for i, item := range items {
			ip := index(jp, i)
			jo, err := asObject(item, ip, "spec", "count")
			if err != nil {
				return w, "", err
			}
			sv, sp, ok := jo.get("spec")
			if !ok || sv.Kind == jsonx.Null {
				return w, "", missing(sp)
			}
			s, err := specFromValue(sv, sp)
			if err != nil {
				return w, "", err
			}
			n, _, err := jo.optionalInt("count", -1<<62, 1<<62, 1)
			if err != nil {
				return w, "", err
			}
			jobs = append(jobs, PlanJob{Spec: s, Count: n})
			paths = append(paths, ip)
		}
		if w, err = c.workloadFromJobs(jobs, paths); err != nil {
			return w, "", err
		}
	default:
		return w, "", newError(CodeMissingField, "credits", "give the monthly workload as credits or as jobs")
	}
	if v, lp, ok := o.get("like"); ok && v.Kind != jsonx.Null {
		s, err := specFromValue(v, lp)
		if err != nil {
			return w, "", err
		}
		w.Like = &s
	}
	return w, field, nil
}

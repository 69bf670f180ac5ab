package estimator

import (
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Workflow planner: N low-fidelity prototypes, the final render and M seed-locked refinements
// of it, against making every variation at final quality.
//
//	workflow = N × prototype + 1 × final + M × refinement (the final spec in refinement mode)
//	baseline = max(N, 1) × final + M × final   (every variation rendered at final quality, the
//	           chosen one being the final; every refinement a full regeneration)
//
// The default prototype is the card's lowest resolution at its lowest frame rate, half the
// final's billed duration (rounded up to the billing increment, at least the card minimum),
// with the final's prompt and complexity, one video. The default refinement mode is
// "refine-minor". The reference text claims "about 70%" saving; the response reports what the
// card really gives next to that figure.

// Defaults of the workflow request.
const (
	defaultPrototypes     = 5
	defaultRefinements    = 2
	defaultRefinementMode = "refine-minor"
	referenceSavingClaim  = 70 // percent, from the reference text
)

// WorkflowRequest describes the plan to price.
type WorkflowRequest struct {
	Final          Spec
	Prototype      *Spec // nil: the default prototype
	Prototypes     int64
	Refinements    int64
	RefinementMode string // "" = refine-minor
	PricePerCredit Money  // 0: report the card's price range only
}

// WorkflowLine is one step of a plan.
type WorkflowLine struct {
	Step    string // "prototype", "final", "refinement", "variation", "regeneration"
	Label   string
	Count   int64
	Unit    Credits
	Credits Credits
}

// WorkflowSide is one strategy's total.
type WorkflowSide struct {
	Lines   []WorkflowLine
	Credits Credits
	USD     PriceRange
	AtPrice Money // valid when the request gave a price per credit
}

// WorkflowPlan is the result of PlanWorkflow.
type WorkflowPlan struct {
	Prototype     Spec
	Workflow      WorkflowSide
	Baseline      WorkflowSide
	Saving        Credits
	SavingUSD     PriceRange
	SavingAtPrice Money
	SavingPercent int64 // hundredths of a percent of the baseline
	HasPrice      bool
	Note          string
	money         moneyFmt // the card currency's minor unit, for the JSON form
}

// DefaultPrototype returns the default prototype for a final spec (see the package rules).
func (c *RateCard) DefaultPrototype(final Spec) Spec {
	billed := c.minSeconds
	if final.DurationMillis > 0 {
		half := (final.DurationMillis + 1) / 2 // ms, rounded up
		inc := c.incrementSeconds * 1000
		billed = (half + inc - 1) / inc * c.incrementSeconds
		if billed < c.minSeconds {
			billed = c.minSeconds
		}
		if billed > c.maxSeconds {
			billed = c.maxSeconds
		}
	}
	return Spec{
		Resolution:     c.formats[0].name,
		FPS:            c.fps[0],
		DurationMillis: billed * 1000,
		Prompt:         final.Prompt,
		Complexity:     orDefault(final.Complexity, complexityAuto),
		Mode:           modeGenerate,
		Count:          1,
	}
}

// PlanWorkflow prices the workflow and the baseline. The error is an *Error.
func (c *RateCard) PlanWorkflow(r WorkflowRequest) (WorkflowPlan, error) {
	p, err := c.planWorkflow(r)
	if err != nil {
		return WorkflowPlan{}, err
	}
	return p, nil
}

func (c *RateCard) planWorkflow(r WorkflowRequest) (WorkflowPlan, *Error) {
	if r.Prototypes < 0 || r.Prototypes > maxWorkflowCount {
		return WorkflowPlan{}, newError(CodeOutOfRange, "prototypes", "must be between 0 and "+strconv.Itoa(maxWorkflowCount)+", not "+strconv.FormatInt(r.Prototypes, 10))
	}
	if r.Refinements < 0 || r.Refinements > maxWorkflowCount {
		return WorkflowPlan{}, newError(CodeOutOfRange, "refinements", "must be between 0 and "+strconv.Itoa(maxWorkflowCount)+", not "+strconv.FormatInt(r.Refinements, 10))
	}
	if r.PricePerCredit < 0 || r.PricePerCredit > maxPriceMicros {
		return WorkflowPlan{}, newError(CodeOutOfRange, "pricePerCreditUsd", "must be between 0 and "+strconv.Itoa(maxPriceMicros/moneyScale))
	}
	var memo analysisMemo // the final spec's prompt is analysed once for final, prototype and refinement
	final, err := c.estimateMemo(r.Final, &memo)
	if err != nil {
		return WorkflowPlan{}, under("final", err)
	}
	p := WorkflowPlan{HasPrice: r.PricePerCredit > 0, money: c.money}
	protoPath := "prototype"
	if r.Prototype != nil {
		p.Prototype = *r.Prototype
	} else {
		p.Prototype = c.DefaultPrototype(r.Final)
		protoPath = "final" // the default is derived from the final spec
	}
	proto, err := c.estimateMemo(p.Prototype, &memo)
	if err != nil {
		return WorkflowPlan{}, under(protoPath, err)
	}
	mode := orDefault(r.RefinementMode, defaultRefinementMode)
	if mode == modeGenerate {
		return WorkflowPlan{}, newError(CodeUnsupportedMode, "refinementMode", "must be a refinement mode, not generate")
	}
	rs := r.Final
	rs.Mode = mode
	refine, err := c.estimateMemo(rs, &memo)
	if err != nil {
		if err.Field == "mode" {
			return WorkflowPlan{}, under("refinementMode", &Error{Code: err.Code, Message: err.Message})
		}
		return WorkflowPlan{}, under("final", err)
	}
	overflow := false
	line := func(step, label string, n int64, unit Credits) WorkflowLine {
		cr, ok := mulCredits(unit, n)
		overflow = overflow || !ok
		return WorkflowLine{Step: step, Label: label, Count: n, Unit: unit, Credits: cr}
	}
	p.Workflow.Lines = []WorkflowLine{
		line("prototype", "Low-fidelity prototype ("+c.formats[c.formatIndex(p.Prototype.Resolution)].cellLabels[c.fpsIndex(p.Prototype.FPS)]+", "+strconv.FormatInt(proto.BilledSeconds, 10)+" s)", r.Prototypes, proto.Credits),
		line("final", "Final render", 1, final.Credits),
		line("refinement", "Seed-locked refinement ("+mode+")", r.Refinements, refine.Credits),
	}
	variations := r.Prototypes
	if variations < 1 {
		variations = 1
	}
	p.Baseline.Lines = []WorkflowLine{
		line("variation", "Variation at final quality", variations, final.Credits),
		line("regeneration", "Full regeneration at final quality", r.Refinements, final.Credits),
	}
	for _, side := range []*WorkflowSide{&p.Workflow, &p.Baseline} {
		for _, l := range side.Lines {
			side.Credits += l.Credits
			overflow = overflow || side.Credits > 1<<62 || side.Credits < 0
		}
		if overflow {
			return WorkflowPlan{}, overflowAt("final")
		}
		side.USD.Min, side.USD.Max = c.creditsToUSD(side.Credits)
		if p.HasPrice {
			var ok bool
			if side.AtPrice, ok = creditsCost(side.Credits, r.PricePerCredit); !ok {
				return WorkflowPlan{}, overflowAt("pricePerCreditUsd")
			}
		}
	}
	p.Saving = p.Baseline.Credits - p.Workflow.Credits
	p.SavingUSD.Min = p.Baseline.USD.Min - p.Workflow.USD.Min
	p.SavingUSD.Max = p.Baseline.USD.Max - p.Workflow.USD.Max
	p.SavingAtPrice = p.Baseline.AtPrice - p.Workflow.AtPrice
	if p.Saving >= 0 {
		p.SavingPercent, _ = percent(int64(p.Saving), int64(p.Baseline.Credits))
	} else {
		neg, _ := percent(int64(-p.Saving), int64(p.Baseline.Credits))
		p.SavingPercent = -neg
	}
	p.Note = "On this rate card the workflow saves " + string(appendPercent(nil, p.SavingPercent)) + "% of the credits of rendering every variation at final quality; the reference text claims about " + strconv.Itoa(referenceSavingClaim) + "%."
	return p, nil
}

// AppendJSON appends the workflow plan's contract JSON to dst.
func (p WorkflowPlan) AppendJSON(dst []byte) []byte {
	dst = appendLit(dst, `{"prototype":`)
	dst = p.Prototype.AppendJSON(dst)
	dst = appendLit(dst, `,"workflow":`)
	dst = p.Workflow.appendJSON(dst, p.HasPrice, p.money)
	dst = appendLit(dst, `,"baseline":`)
	dst = p.Baseline.appendJSON(dst, p.HasPrice, p.money)
	dst = appendLit(dst, `,"saving":{"credits":"`)
	dst = p.Saving.AppendText(dst)
	dst = appendLit(dst, `","percent":"`)
	dst = appendPercent(dst, p.SavingPercent)
	dst = appendLit(dst, `","usd":{"min":"`)
	dst = p.money.appendAmount(dst, p.SavingUSD.Min)
	dst = appendLit(dst, `","max":"`)
	dst = p.money.appendAmount(dst, p.SavingUSD.Max)
	dst = appendLit(dst, `"},"atPriceUsd":`)
	dst = appendOptMoney(dst, p.SavingAtPrice, p.HasPrice, p.money)
	dst = appendLit(dst, `},"referenceClaimPercent":"`)
	dst = strconv.AppendInt(dst, referenceSavingClaim, 10)
	dst = appendLit(dst, `","note":`)
	dst = jsonx.AppendString(dst, p.Note)
	return append(dst, '}')
}

// MarshalJSON encodes the plan in the contract's form.
func (p WorkflowPlan) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

func (s WorkflowSide) appendJSON(dst []byte, hasPrice bool, money moneyFmt) []byte {
	dst = appendLit(dst, `{"credits":"`)
	dst = s.Credits.AppendText(dst)
	dst = appendLit(dst, `","usd":{"min":"`)
	dst = money.appendAmount(dst, s.USD.Min)
	dst = appendLit(dst, `","max":"`)
	dst = money.appendAmount(dst, s.USD.Max)
	dst = appendLit(dst, `"},"atPriceUsd":`)
	dst = appendOptMoney(dst, s.AtPrice, hasPrice, money)
	dst = appendLit(dst, `,"lines":[`)
	for i, l := range s.Lines {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"step":`)
		dst = jsonx.AppendString(dst, l.Step)
		dst = appendLit(dst, `,"label":`)
		dst = jsonx.AppendString(dst, l.Label)
		dst = appendLit(dst, `,"count":`)
		dst = strconv.AppendInt(dst, l.Count, 10)
		dst = appendCreditsField(dst, "unitCredits", l.Unit)
		dst = appendCreditsField(dst, "credits", l.Credits)
		dst = append(dst, '}')
	}
	return appendLit(dst, "]}")
}

func appendOptMoney(dst []byte, m Money, ok bool, money moneyFmt) []byte {
	if !ok {
		return appendLit(dst, "null")
	}
	dst = append(dst, '"')
	dst = money.appendAmount(dst, m)
	return append(dst, '"')
}

// decodeWorkflowRequest decodes a workflow request whose prompts have at most promptBudget
// characters together.
func decodeWorkflowRequest(data []byte, promptBudget int64) (WorkflowRequest, *Error) {
	var r WorkflowRequest
	o, err := decodeRequest(data, "final", "prototype", "prototypes", "refinements", "refinementMode", "pricePerCreditUsd")
	if err != nil {
		return r, err
	}
	if err := o.checkPromptBudget(promptBudget); err != nil {
		return r, err
	}
	fv, fp, ok := o.get("final")
	if !ok || fv.Kind == jsonx.Null {
		return r, missing(fp)
	}
	if r.Final, err = specFromValue(fv, fp); err != nil {
		return r, err
	}
	if pv, pp, ok := o.get("prototype"); ok && pv.Kind != jsonx.Null {
		s, err := specFromValue(pv, pp)
		if err != nil {
			return r, err
		}
		r.Prototype = &s
	}
	if r.Prototypes, _, err = o.optionalInt("prototypes", -1<<62, 1<<62, defaultPrototypes); err != nil {
		return r, err
	}
	if r.Refinements, _, err = o.optionalInt("refinements", -1<<62, 1<<62, defaultRefinements); err != nil {
		return r, err
	}
	if r.RefinementMode, _, err = o.optionalString("refinementMode", defaultRefinementMode); err != nil {
		return r, err
	}
	price, _, _, err := o.optionalMoney("pricePerCreditUsd", 0, maxPriceMicros)
	if err != nil {
		return r, err
	}
	r.PricePerCredit = price
	return r, nil
}

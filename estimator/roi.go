package estimator

import (
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// ROI: what a video costs on the platform against a traditional production.
//
//	generation   = credits × the person's price per credit (default: the card's best price,
//	               the largest bundle's)
//	subscription = the plan's monthly price ÷ videos made per month (optional)
//	total        = generation + subscription share
//	saving       = traditional − total; ratio = traditional ÷ total
//
// The traditional cost defaults to the card's (an outsourced 30-second product video). It is a
// cost per video as entered: it is not scaled to the spec's duration.

// ROIRequest describes the comparison.
type ROIRequest struct {
	Credits         Credits // the video's credits (from a spec or given)
	PricePerCredit  Money   // 0: the card's best price per credit
	Plan            string  // optional card plan id whose price is amortized
	SubscriptionUSD Money   // optional monthly subscription price (instead of Plan)
	VideosPerMonth  int64   // videos the subscription is spread over (default 1)
	Traditional     Money   // 0: the card's default
}

// ROIResult is the result of CompareROI.
type ROIResult struct {
	Credits           Credits
	PricePerCredit    Money
	Generation        Money
	Plan              string
	Subscription      Money
	VideosPerMonth    int64
	SubscriptionShare Money
	Total             Money
	Traditional       Money
	TraditionalLabel  string
	TraditionalSecs   int64
	Saving            Money
	SavingPercent     int64    // hundredths of a percent of the traditional cost
	CostPercent       int64    // total as hundredths of a percent of the traditional cost
	Ratio             int64    // traditional ÷ total, hundredths; valid when Total > 0
	money             moneyFmt // the card currency's minor unit, for the JSON form
}

// CompareROI compares a video's cost with a traditional production. The error is an *Error.
func (c *RateCard) CompareROI(r ROIRequest) (ROIResult, error) {
	res, err := c.compareROI(r)
	if err != nil {
		return ROIResult{}, err
	}
	return res, nil
}

func (c *RateCard) compareROI(r ROIRequest) (ROIResult, *Error) {
	if r.Credits < 0 || r.Credits > maxNeedHundredths {
		return ROIResult{}, newError(CodeOutOfRange, "credits", "must be between 0 and "+strconv.FormatInt(maxNeed, 10)+" credits")
	}
	if r.PricePerCredit < 0 || r.PricePerCredit > maxPriceMicros {
		return ROIResult{}, newError(CodeOutOfRange, "pricePerCreditUsd", "must be between 0 and "+strconv.Itoa(maxPriceMicros/moneyScale))
	}
	if r.Traditional < 0 || r.Traditional > maxCardMoney {
		return ROIResult{}, newError(CodeOutOfRange, "traditionalUsd", "must be between 0 and "+strconv.Itoa(maxCardMoney/moneyScale))
	}
	if r.SubscriptionUSD < 0 || r.SubscriptionUSD > maxCardMoney {
		return ROIResult{}, newError(CodeOutOfRange, "subscriptionUsd", "must be between 0 and "+strconv.Itoa(maxCardMoney/moneyScale))
	}
	if r.Plan != "" && r.SubscriptionUSD != 0 {
		return ROIResult{}, newError(CodeInvalidValue, "subscriptionUsd", "give either plan or subscriptionUsd, not both")
	}
	if r.VideosPerMonth == 0 {
		r.VideosPerMonth = 1
	}
	if r.VideosPerMonth < 1 || r.VideosPerMonth > maxVideosPerMonth {
		return ROIResult{}, newError(CodeOutOfRange, "videosPerMonth", "must be between 1 and "+strconv.Itoa(maxVideosPerMonth)+", not "+strconv.FormatInt(r.VideosPerMonth, 10))
	}
	res := ROIResult{money: c.money, Credits: r.Credits, PricePerCredit: r.PricePerCredit, Plan: r.Plan, Subscription: r.SubscriptionUSD,
		VideosPerMonth: r.VideosPerMonth, Traditional: r.Traditional, TraditionalLabel: c.roi.Label, TraditionalSecs: c.roi.TraditionalSeconds}
	if res.PricePerCredit == 0 {
		// The card's best price per credit, exactly (micro-dollars, rounded half up).
		ppc, _ := mulDivRound(int64(c.cheapest.Price), creditScale, int64(c.cheapest.Credits))
		res.PricePerCredit = Money(ppc)
	}
	if res.Traditional == 0 {
		res.Traditional = c.roi.TraditionalCost
	} else {
		res.TraditionalLabel, res.TraditionalSecs = "Traditional production (as entered)", 0
	}
	if r.Plan != "" {
		found := false
		for _, p := range c.plans {
			if p.ID == r.Plan {
				res.Subscription, found = p.Price, true
			}
		}
		if !found {
			return ROIResult{}, newError(CodeUnknownPlan, "plan", "unknown plan "+quoteShort(r.Plan)+c.planHint())
		}
	}
	var ok bool
	if res.Generation, ok = creditsCost(r.Credits, res.PricePerCredit); !ok {
		return ROIResult{}, overflowAt("credits")
	}
	share, _ := mulDivRound(int64(res.Subscription), 1, r.VideosPerMonth)
	res.SubscriptionShare = Money(share)
	if res.Total, ok = addMoney(res.Generation, res.SubscriptionShare); !ok {
		return ROIResult{}, overflowAt("credits")
	}
	res.Saving = res.Traditional - res.Total
	if res.Traditional > 0 {
		res.CostPercent, ok = percent(int64(res.Total), int64(res.Traditional))
		if !ok {
			return ROIResult{}, overflowAt("credits")
		}
		res.SavingPercent = 10000 - res.CostPercent
	}
	if res.Total > 0 {
		if res.Ratio, ok = mulDivRound(int64(res.Traditional), 100, int64(res.Total)); !ok {
			return ROIResult{}, overflowAt("credits")
		}
	}
	return res, nil
}

func (c *RateCard) planHint() string {
	h := "; plans:"
	for _, p := range c.plans {
		h += " " + p.ID
	}
	return h
}

// AppendJSON appends the ROI result's contract JSON to dst.
func (r ROIResult) AppendJSON(dst []byte) []byte {
	dst = appendLit(dst, `{"credits":"`)
	dst = r.Credits.AppendText(dst)
	dst = appendLit(dst, `","pricePerCreditUsd":"`)
	dst = r.money.appendUnitPrice(dst, r.PricePerCredit)
	dst = append(dst, '"')
	dst = appendMoneyField(dst, "generationUsd", r.Generation, r.money)
	dst = appendLit(dst, `,"subscription":`)
	if r.Subscription == 0 {
		dst = appendLit(dst, "null")
	} else {
		dst = appendLit(dst, `{"plan":`)
		if r.Plan == "" {
			dst = appendLit(dst, "null")
		} else {
			dst = jsonx.AppendString(dst, r.Plan)
		}
		dst = appendMoneyField(dst, "monthlyUsd", r.Subscription, r.money)
		dst = appendLit(dst, `,"videosPerMonth":`)
		dst = strconv.AppendInt(dst, r.VideosPerMonth, 10)
		dst = appendMoneyField(dst, "shareUsd", r.SubscriptionShare, r.money)
		dst = append(dst, '}')
	}
	dst = appendMoneyField(dst, "totalUsd", r.Total, r.money)
	dst = appendLit(dst, `,"traditional":{"costUsd":"`)
	dst = r.money.appendAmount(dst, r.Traditional)
	dst = appendLit(dst, `","label":`)
	dst = jsonx.AppendString(dst, r.TraditionalLabel)
	dst = appendLit(dst, `,"seconds":`)
	if r.TraditionalSecs > 0 {
		dst = strconv.AppendInt(dst, r.TraditionalSecs, 10)
	} else {
		dst = appendLit(dst, "null")
	}
	dst = append(dst, '}')
	dst = appendMoneyField(dst, "savingUsd", r.Saving, r.money)
	dst = appendLit(dst, `,"savingPercent":"`)
	dst = appendPercent(dst, r.SavingPercent)
	dst = appendLit(dst, `","costPercent":"`)
	dst = appendPercent(dst, r.CostPercent)
	dst = appendLit(dst, `","ratio":`)
	if r.Total > 0 {
		dst = append(dst, '"')
		dst = jsonx.AppendFixed(dst, r.Ratio, 2)
		dst = append(dst, '"')
	} else {
		dst = appendLit(dst, "null")
	}
	return append(dst, '}')
}

// MarshalJSON encodes the result in the contract's form.
func (r ROIResult) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

func (c *RateCard) decodeROIRequest(data []byte) (ROIRequest, *Error) {
	var r ROIRequest
	o, err := decodeRequest(data, "spec", "credits", "pricePerCreditUsd", "plan", "subscriptionUsd", "videosPerMonth", "traditionalUsd")
	if err != nil {
		return r, err
	}
	if r.Credits, err = c.specOrCredits(o, "give the video as a spec or as credits"); err != nil {
		return r, err
	}
	if r.PricePerCredit, _, _, err = o.optionalMoney("pricePerCreditUsd", 1, maxPriceMicros); err != nil {
		return r, err
	}
	if r.Plan, _, err = o.optionalString("plan", ""); err != nil {
		return r, err
	}
	if r.SubscriptionUSD, _, _, err = o.optionalMoney("subscriptionUsd", 1, maxCardMoney); err != nil {
		return r, err
	}
	if r.VideosPerMonth, _, err = o.optionalInt("videosPerMonth", -1<<62, 1<<62, 1); err != nil {
		return r, err
	}
	if r.VideosPerMonth < 1 {
		return r, newError(CodeOutOfRange, "videosPerMonth", "must be between 1 and "+strconv.Itoa(maxVideosPerMonth)+", not "+strconv.FormatInt(r.VideosPerMonth, 10))
	}
	if r.Traditional, _, _, err = o.optionalMoney("traditionalUsd", 1, maxCardMoney); err != nil {
		return r, err
	}
	if r.Plan == "" && o.has("plan") {
		return r, newError(CodeUnknownPlan, "plan", "unknown plan \"\""+c.planHint())
	}
	return r, nil
}

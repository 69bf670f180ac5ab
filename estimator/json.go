package estimator

import (
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// encoding/json support for the request types: UnmarshalJSON applies exactly the strict rules of
// the operation's own decoder (the rules DecodeSpec documents), so json.Unmarshal never silently
// drops a member, and MarshalJSON writes the contract's form, so the two round-trip.
//
// The wallet and ROI requests may give a video as a spec; they hold credits, so UnmarshalJSON
// prices such specs with the embedded Default card. A service with its own card decodes those
// requests through that card's Do instead.

// UnmarshalJSON decodes the contract's JSON with DecodeSpec's rules. On error s is unchanged and
// the error is an *Error naming the field at fault.
func (s *Spec) UnmarshalJSON(data []byte) error {
	v, err := decodeSpec(data)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// UnmarshalJSON decodes a workflow request with the workflow operation's rules (the Default
// card's prompt budget).
func (r *WorkflowRequest) UnmarshalJSON(data []byte) error {
	v, err := decodeWorkflowRequest(data, Default().maxPromptChars)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalJSON encodes the request in the contract's form.
func (r WorkflowRequest) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the request's contract JSON to dst. Zero RefinementMode is written as the
// default ("refine-minor"); zero PricePerCredit is left out (the card's price range is used).
func (r WorkflowRequest) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"final":`...)
	dst = r.Final.AppendJSON(dst)
	if r.Prototype != nil {
		dst = append(dst, `,"prototype":`...)
		dst = r.Prototype.AppendJSON(dst)
	}
	dst = append(dst, `,"prototypes":`...)
	dst = strconv.AppendInt(dst, r.Prototypes, 10)
	dst = append(dst, `,"refinements":`...)
	dst = strconv.AppendInt(dst, r.Refinements, 10)
	dst = append(dst, `,"refinementMode":`...)
	dst = jsonx.AppendString(dst, orDefault(r.RefinementMode, defaultRefinementMode))
	if r.PricePerCredit != 0 {
		dst = appendExactMoneyField(dst, "pricePerCreditUsd", r.PricePerCredit)
	}
	return append(dst, '}')
}

// UnmarshalJSON decodes an ROI request with the roi operation's rules; a spec is priced with the
// Default card.
func (r *ROIRequest) UnmarshalJSON(data []byte) error {
	v, err := Default().decodeROIRequest(data)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalJSON encodes the request in the contract's form (the video as credits).
func (r ROIRequest) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the request's contract JSON to dst; zero optional amounts are left out.
func (r ROIRequest) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"credits":"`...)
	dst = r.Credits.AppendText(dst)
	dst = append(dst, '"')
	if r.PricePerCredit != 0 {
		dst = appendExactMoneyField(dst, "pricePerCreditUsd", r.PricePerCredit)
	}
	if r.Plan != "" {
		dst = append(dst, `,"plan":`...)
		dst = jsonx.AppendString(dst, r.Plan)
	}
	if r.SubscriptionUSD != 0 {
		dst = appendExactMoneyField(dst, "subscriptionUsd", r.SubscriptionUSD)
	}
	vpm := r.VideosPerMonth
	if vpm == 0 {
		vpm = 1
	}
	dst = append(dst, `,"videosPerMonth":`...)
	dst = strconv.AppendInt(dst, vpm, 10)
	if r.Traditional != 0 {
		dst = appendExactMoneyField(dst, "traditionalUsd", r.Traditional)
	}
	return append(dst, '}')
}

// UnmarshalJSON decodes a wallet request with the wallet operation's rules; specs of jobs are
// priced, and default expiries computed, with the Default card.
func (r *WalletRequest) UnmarshalJSON(data []byte) error {
	v, err := Default().decodeWalletRequest(data)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalJSON encodes the request in the contract's form (jobs as credits, expiries explicit).
func (r WalletRequest) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the request's contract JSON to dst.
func (r WalletRequest) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"date":"`...)
	dst = r.Date.AppendText(dst)
	dst = append(dst, `","buckets":[`...)
	for i, b := range r.Buckets {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"kind":`...)
		dst = jsonx.AppendString(dst, b.Kind)
		dst = append(dst, `,"credits":"`...)
		dst = b.Credits.AppendText(dst)
		dst = append(dst, `","granted":"`...)
		dst = b.Granted.AppendText(dst)
		dst = append(dst, `","expires":"`...)
		dst = b.Expires.AppendText(dst)
		dst = append(dst, `"}`...)
	}
	dst = append(dst, `],"jobs":[`...)
	for i, j := range r.Jobs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"credits":"`...)
		dst = j.Credits.AppendText(dst)
		dst = append(dst, `","date":"`...)
		dst = j.Date.AppendText(dst)
		dst = append(dst, `"}`...)
	}
	return append(dst, "]}"...)
}

// appendExactMoneyField appends ,"key":"amount" with every significant decimal of m (6 places at most).
func appendExactMoneyField(dst []byte, key string, m Money) []byte {
	dst = append(dst, ',')
	dst = jsonx.AppendString(dst, key)
	dst = append(dst, `:"`...)
	dst = appendTrimmed(dst, int64(m), moneyPlaces)
	return append(dst, '"')
}

// TopUpRequest is the topup operation's request: the credits still needed.
type TopUpRequest struct {
	Need Credits
}

// UnmarshalJSON decodes {"need":"12.50"} with the topup operation's rules.
func (r *TopUpRequest) UnmarshalJSON(data []byte) error {
	need, err := decodeTopUpRequest(data)
	if err != nil {
		return err
	}
	r.Need = need
	return nil
}

// MarshalJSON encodes the request in the contract's form.
func (r TopUpRequest) MarshalJSON() ([]byte, error) {
	dst := append([]byte(nil), `{"need":"`...)
	dst = r.Need.AppendText(dst)
	return append(dst, `"}`...), nil
}

// UnmarshalJSON decodes the plans operation's request ({"credits":…} or {"jobs":[…]}, optional
// "like") with its rules; jobs are priced with the Default card into Credits and Videos.
func (w *PlanWorkload) UnmarshalJSON(data []byte) error {
	v, _, err := Default().decodePlansRequest(data)
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// MarshalJSON encodes the workload as the plans request's credits form ({"credits":…,"like":…});
// Videos, known only from jobs, is not part of that form.
func (w PlanWorkload) MarshalJSON() ([]byte, error) {
	dst := append([]byte(nil), `{"credits":"`...)
	dst = w.Credits.AppendText(dst)
	dst = append(dst, '"')
	if w.Like != nil {
		dst = append(dst, `,"like":`...)
		dst = w.Like.AppendJSON(dst)
	}
	return append(dst, '}'), nil
}

package estimator

import (
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Spend preview (op "spend"): which of an account's buckets pay one job at an instant, by the
// credit model's spend order (credits.go) — what the ledger's hold will draw. The editor's
// "pays from …" line asks it through the wasm module with the buckets of the ledger's balance,
// so the page never orders buckets itself.

// maxSpendBuckets bounds the buckets of one spend request: a ledger account's live buckets (a
// bucket per top-up) can outnumber a wallet preview's. The work is one sort.
const maxSpendBuckets = 128

// SpendRequest is the spend op's request: the buckets as they are at At (Credits is what each
// can still pay), and the credits the job needs.
type SpendRequest struct {
	At      Instant
	Need    Credits
	Buckets []CreditBucket
	IDs     []string // the buckets' ids, echoed in the answer ("" when not given)
}

// SpendPreview is the result of PreviewSpend.
type SpendPreview struct {
	At           Instant
	Needed       Credits
	Available    Credits // usable at At
	Covered      bool
	Shortfall    Credits // Needed − Available when not covered
	Left         Credits // Available after paying (Available when not covered)
	PriorityLast bool
	Draws        []Draw // in the order they pay; none when not covered
	buckets      []CreditBucket
	ids          []string
}

// PreviewSpend pays r.Need at r.At from r.Buckets by RateCard.Spend. The error is an *Error.
func (c *RateCard) PreviewSpend(r SpendRequest) (SpendPreview, error) {
	p, err := c.previewSpend(r)
	if err != nil {
		return SpendPreview{}, err
	}
	return p, nil
}

func (c *RateCard) previewSpend(r SpendRequest) (SpendPreview, *Error) {
	if len(r.Buckets) > maxSpendBuckets {
		return SpendPreview{}, newError(CodeTooManyItems, "buckets", "has "+strconv.Itoa(len(r.Buckets))+" buckets; at most "+strconv.Itoa(maxSpendBuckets)+" are allowed")
	}
	if r.Need < 0 || r.Need > maxNeedHundredths {
		return SpendPreview{}, newError(CodeOutOfRange, "credits", "must be between 0 and "+strconv.FormatInt(maxNeed, 10)+" credits")
	}
	var sum Credits
	for i, b := range r.Buckets {
		p := index("buckets", i)
		if _, ok := KindRank(b.Kind); !ok {
			return SpendPreview{}, newError(CodeInvalidValue, join(p, "kind"), "must be trial, monthly, priority, topup or adjustment, not "+quoteShort(b.Kind))
		}
		if b.Credits < 0 || b.Credits > maxNeedHundredths {
			return SpendPreview{}, newError(CodeOutOfRange, join(p, "credits"), "must be between 0 and "+strconv.FormatInt(maxNeed, 10)+" credits")
		}
		if b.Expires <= b.Granted {
			return SpendPreview{}, newError(CodeInvalidDate, join(p, "expires"), "must be after granted ("+b.Granted.String()+"), not "+b.Expires.String())
		}
		if sum += b.Credits; sum > 1<<62 {
			return SpendPreview{}, overflowAt("buckets")
		}
	}
	draws, avail, ok := c.Spend(r.Buckets, r.At, r.Need)
	p := SpendPreview{At: r.At, Needed: r.Need, Available: avail, Covered: ok, Left: avail,
		PriorityLast: c.PriorityLast(r.Buckets, r.At), Draws: draws, buckets: r.Buckets, ids: r.IDs}
	if ok {
		p.Left = avail - r.Need
	} else {
		p.Shortfall = r.Need - avail
	}
	return p, nil
}

// AppendJSON appends the preview's contract JSON to dst.
func (p SpendPreview) AppendJSON(dst []byte) []byte {
	dst = appendLit(dst, `{"at":"`)
	dst = p.At.AppendText(dst)
	dst = append(dst, '"')
	dst = appendCreditsField(dst, "needed", p.Needed)
	dst = appendCreditsField(dst, "available", p.Available)
	dst = appendLit(dst, `,"covered":`)
	dst = strconv.AppendBool(dst, p.Covered)
	dst = appendCreditsField(dst, "shortfall", p.Shortfall)
	dst = appendCreditsField(dst, "left", p.Left)
	dst = appendLit(dst, `,"priorityLast":`)
	dst = strconv.AppendBool(dst, p.PriorityLast)
	dst = appendLit(dst, `,"paidFrom":[`)
	for k, d := range p.Draws {
		if k > 0 {
			dst = append(dst, ',')
		}
		b := p.buckets[d.Bucket]
		dst = appendLit(dst, `{"bucket":`)
		dst = strconv.AppendInt(dst, int64(d.Bucket), 10)
		if d.Bucket < len(p.ids) && p.ids[d.Bucket] != "" {
			dst = appendLit(dst, `,"id":`)
			dst = jsonx.AppendString(dst, p.ids[d.Bucket])
		}
		dst = appendLit(dst, `,"kind":`)
		dst = jsonx.AppendString(dst, b.Kind)
		dst = appendCreditsField(dst, "credits", d.Credits)
		dst = appendLit(dst, `,"expires":"`)
		dst = b.Expires.AppendText(dst)
		dst = appendLit(dst, `"}`)
	}
	return appendLit(dst, "]}")
}

// MarshalJSON encodes the preview in the contract's form.
func (p SpendPreview) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// decodeSpendRequest decodes the spend op's request; a spec is priced here.
func (c *RateCard) decodeSpendRequest(data []byte) (SpendRequest, *Error) {
	var r SpendRequest
	o, err := decodeRequest(data, "at", "spec", "credits", "buckets")
	if err != nil {
		return r, err
	}
	if err := o.checkPromptBudget(c.maxPromptChars); err != nil {
		return r, err
	}
	if r.At, _, err = o.instant("at", true, 0); err != nil {
		return r, err
	}
	if r.Need, err = c.specOrCredits(o, "the job needs a spec or credits"); err != nil {
		return r, err
	}
	items, path, err := o.requiredArray("buckets")
	if err != nil {
		return r, err
	}
	if len(items) > maxSpendBuckets {
		return r, newError(CodeTooManyItems, path, "has "+strconv.Itoa(len(items))+" items; at most "+strconv.Itoa(maxSpendBuckets)+" are allowed")
	}
	for i, item := range items {
		bo, err := asObject(item, index(path, i), "id", "kind", "plan", "credits", "granted", "expires")
		if err != nil {
			return r, err
		}
		var b CreditBucket
		var id string
		if id, _, err = bo.optionalString("id", ""); err != nil {
			return r, err
		}
		if b.Kind, b.Plan, b.Credits, err = c.bucketHead(bo); err != nil {
			return r, err
		}
		if b.Granted, _, err = bo.instant("granted", true, 0); err != nil {
			return r, err
		}
		def, hasDef := c.Expiry(b.Kind, b.Granted)
		if b.Expires, _, err = bo.instant("expires", !hasDef, def); err != nil {
			return r, err
		}
		r.Buckets = append(r.Buckets, b)
		r.IDs = append(r.IDs, id)
	}
	return r, nil
}

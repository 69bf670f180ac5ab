package estimator

import "strings"

// An op is one operation of the contract: request JSON in, response JSON out. Every surface
// (Go callers, the wasm module, the HTTP server) goes through Do, so they cannot disagree.
type op func(c *RateCard, dst, request []byte) ([]byte, *Error)

// ops holds every operation by name. Each decodes its request strictly, computes, and appends
// its response JSON to a buffer of a typical size.
var ops = map[string]op{
	"quote":    typedOp(decodeQuoteRequest, (*RateCard).estimateShared, 1536),
	"topup":    typedOp(decodeTopUp, topUpForNeed, 512),
	"plans":    typedOp((*RateCard).decodePlans, comparePlansRequest, 4096),
	"wallet":   typedOp((*RateCard).decodeWalletRequest, (*RateCard).previewWallet, 2048),
	"workflow": typedOp(decodeWorkflow, (*RateCard).planWorkflow, 2048),
	"roi":      typedOp((*RateCard).decodeROIRequest, (*RateCard).compareROI, 512),
	"verify":   typedOp(decodeVerifyRequest, (*RateCard).verify, 64),
	"spend":    typedOp((*RateCard).decodeSpendRequest, (*RateCard).previewSpend, 512),
	"prices":   typedOp(decodePricesRequest, cardPrices, 1024),
	"choices":  typedOp(decodeChoicesRequest, choicesFor, 2048),
}

// typedOp builds an op from a strict decoder, a computation and the result's JSON encoder.
func typedOp[Req any, Res interface{ AppendJSON([]byte) []byte }](
	decode func(*RateCard, []byte) (Req, *Error),
	run func(*RateCard, Req) (Res, *Error),
	size int,
) op {
	return func(c *RateCard, dst, request []byte) ([]byte, *Error) {
		req, err := decode(c, request)
		if err != nil {
			return nil, err
		}
		res, err := run(c, req)
		if err != nil {
			return nil, err
		}
		if dst == nil {
			dst = make([]byte, 0, size)
		}
		return res.AppendJSON(dst), nil
	}
}

// Adapters for the operations whose decoders or computations take other arguments.

func decodeQuoteRequest(_ *RateCard, b []byte) (Spec, *Error) {
	if s, ok := fastSpec(b); ok {
		return s, nil
	}
	return decodeSpec(b)
}

func decodeTopUp(_ *RateCard, b []byte) (Credits, *Error) { return decodeTopUpRequest(b) }

func topUpForNeed(c *RateCard, need Credits) (TopUpPlan, *Error) { return c.topUpQuote(need, "need") }

func decodeWorkflow(c *RateCard, b []byte) (WorkflowRequest, *Error) {
	return decodeWorkflowRequest(b, c.maxPromptChars)
}

// plansRequest is a decoded plans request and the field its workload came from.
type plansRequest struct {
	workload PlanWorkload
	field    string
}

func (c *RateCard) decodePlans(b []byte) (plansRequest, *Error) {
	w, field, err := c.decodePlansRequest(b)
	return plansRequest{w, field}, err
}

func comparePlansRequest(c *RateCard, r plansRequest) (PlanComparison, *Error) {
	return c.comparePlans(r.workload, r.field)
}

// Ops lists the names of the operations Do accepts, sorted.
func Ops() []string {
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sortStable(names, func(a, b *string) int { return strings.Compare(*a, *b) })
	return names
}

// Do runs the operation op on a JSON request and returns its JSON response. The error is
// always an *Error (code unknown_op for an op that does not exist). Do never panics: an
// unexpected panic becomes an error with code "internal".
func (c *RateCard) Do(op string, request []byte) (response []byte, err error) {
	return c.AppendDo(nil, op, request)
}

// AppendDo is Do appending the response to dst, for a caller that reuses one buffer (the wasm
// module writes into its response buffer). On an error it returns nil and the error; dst's
// bytes after len(dst) may have been written.
func (c *RateCard) AppendDo(dst []byte, op string, request []byte) (response []byte, err error) {
	f, ok := ops[op]
	if !ok {
		return nil, newError(CodeUnknownOp, "", "unknown operation "+quoteShort(op))
	}
	return c.run(f, dst, request)
}

// run runs the operation f; an unexpected panic becomes an error with code "internal".
func (c *RateCard) run(f op, dst, request []byte) (response []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			response, err = nil, newError(CodeInternal, "", "internal error")
		}
	}()
	out, e := f(c, dst, request)
	if e != nil {
		return nil, e
	}
	return out, nil
}

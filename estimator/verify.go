package estimator

import (
	"strings"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Verification of a quote a client computed (op "verify", POST /api/v1/quote/verify).
//
// Request: {"spec":<Spec>,"quote":<the client's quote>}, both required, no other members, decoded
// as strictly as every request (one parse: duplicate members, invalid UTF-8, deep nesting and
// oversized documents are refused anywhere in it, the quote included). The spec is priced afresh
// with the card in force and the client's quote is compared with that quote on the members that
// decide the charge (ChargeMembers):
//
//   - rateCard.version differs         → reason card_version_differs
//   - rateCard.digest differs          → reason card_digest_differs
//   - credits / unitCredits differ     → reason amount_differs
//   - count / billedSeconds differ     → reason quantity_differs
//
// Strings compare by their decoded text, other values by their canonical JSON (so 2 and 2.0
// differ: the contract writes canonical numbers). When none differs the answer is
// {"valid":true}; otherwise {"valid":false,"reasons":[{"code","field","expected","got"},…],
// "quote":<the fresh quote>} where expected and got are JSON values (got is null when the
// client's quote lacks the member). A spec the card rejects answers its error with the field
// under "spec"; a quote that is not an object is invalid_type at "quote".

// verifyRequest is a decoded verify request: the spec, and the client's quote as parsed.
type verifyRequest struct {
	spec  Spec
	quote jsonx.Value
}

func decodeVerifyRequest(_ *RateCard, data []byte) (verifyRequest, *Error) {
	o, err := decodeRequest(data, "spec", "quote")
	if err != nil {
		return verifyRequest{}, err
	}
	sv, sp, ok := o.get("spec")
	if !ok || sv.Kind == jsonx.Null {
		return verifyRequest{}, missing(sp)
	}
	qv, qp, ok := o.get("quote")
	if !ok || qv.Kind == jsonx.Null {
		return verifyRequest{}, missing(qp)
	}
	s, err := specFromValue(sv, sp)
	if err != nil {
		return verifyRequest{}, err
	}
	return verifyRequest{spec: s, quote: qv}, nil
}

// Verdict is the answer of verify: nil Reasons when the client's quote is valid.
type Verdict struct {
	Reasons []Reason
	Quote   []byte // the fresh quote's JSON (set when Reasons is not empty)
}

// Reason is one charge member in which the client's quote differs.
type Reason struct {
	Code, Field   string
	Expected, Got []byte // JSON values; Got is null when the client's quote lacks the member
}

func (c *RateCard) verify(r verifyRequest) (Verdict, *Error) {
	q, err := c.estimate(r.spec)
	if err != nil {
		return Verdict{}, under("spec", err)
	}
	if r.quote.Kind != jsonx.Object { // checked after the spec, as the server always did
		return Verdict{}, newError(CodeInvalidType, "quote", "must be an object (the quote to verify), not "+r.quote.Kind.String())
	}
	fresh := q.AppendJSON(make([]byte, 0, 1536))
	want, perr := jsonx.Parse(fresh, jsonx.Limits{})
	if perr != nil {
		return Verdict{}, newError(CodeInternal, "", "internal error: the fresh quote does not parse")
	}
	var v Verdict
	for _, m := range chargeMembers {
		wv, wok := lookupPath(want, m.Path)
		gv, gok := lookupPath(r.quote, m.Path)
		if !wok && !gok || wok && gok && sameValue(wv, gv) {
			continue
		}
		rs := Reason{Code: m.Code, Field: m.Path, Expected: []byte("null"), Got: []byte("null")}
		if wok {
			rs.Expected = jsonx.AppendCanonical(nil, wv)
		}
		if gok {
			rs.Got = jsonx.AppendCanonical(nil, gv)
		}
		v.Reasons = append(v.Reasons, rs)
	}
	if len(v.Reasons) > 0 {
		v.Quote = fresh
	}
	return v, nil
}

// lookupPath finds a dotted path ("rateCard.version") in an object.
func lookupPath(v jsonx.Value, path string) (jsonx.Value, bool) {
	for {
		head, rest, nested := strings.Cut(path, ".")
		m, ok := v.Get(head)
		if !ok {
			return jsonx.Value{}, false
		}
		if !nested {
			return m, true
		}
		v, path = m, rest
	}
}

// sameValue compares strings by their decoded text and everything else by canonical JSON.
func sameValue(a, b jsonx.Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	if a.Kind == jsonx.String {
		return a.Str == b.Str
	}
	return string(jsonx.AppendCanonical(nil, a)) == string(jsonx.AppendCanonical(nil, b))
}

// AppendJSON appends the verdict's contract JSON to dst.
func (v Verdict) AppendJSON(dst []byte) []byte {
	if len(v.Reasons) == 0 {
		return appendLit(dst, `{"valid":true}`)
	}
	dst = appendLit(dst, `{"valid":false,"reasons":[`)
	for i, r := range v.Reasons {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"code":`)
		dst = jsonx.AppendString(dst, r.Code)
		dst = appendLit(dst, `,"field":`)
		dst = jsonx.AppendString(dst, r.Field)
		dst = appendLit(dst, `,"expected":`)
		dst = append(dst, r.Expected...)
		dst = appendLit(dst, `,"got":`)
		dst = append(dst, r.Got...)
		dst = append(dst, '}')
	}
	dst = appendLit(dst, `],"quote":`)
	dst = append(dst, v.Quote...)
	return append(dst, '}')
}

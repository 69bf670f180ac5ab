package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/creditestimator/creditestimator/estimator"
)

// Verification of a client's quote (POST /api/v1/quote/verify).
//
// Request: {"spec":<Spec>,"quote":<Quote the client computed>}, both members required, no others.
// The server prices the spec afresh with its card in force and compares the client's quote with it:
//
//   - rateCard.version differs         → reason card_version_differs
//   - rateCard.digest differs          → reason card_digest_differs
//   - credits / unitCredits differ     → reason amount_differs (field "credits" / "unitCredits")
//   - count / billedSeconds differ     → reason quantity_differs (field "count" / "billedSeconds")
//
// These are the members that decide what a person is charged under which card. The quote is valid
// when none of them differs: {"valid":true}. Otherwise the answer is
// {"valid":false,"reasons":[{"code":..,"field":..,"expected":..,"got":..},...],"quote":<server's quote>}
// where expected/got are the JSON values (got is null when the client's quote lacks the member).
// Descriptive members (labels, breakdown, complexity signals, usd range) do not change the charge
// and are not compared, so a client on an older label text still verifies while its price is current.
//
// A spec the server rejects answers the estimator's error object with the field prefixed "spec."
// (status by code); a quote that is not a JSON object answers invalid_type for field "quote".

// verifyRequest is the decoded wrapper: raw member bytes, untouched.
type verifyRequest struct {
	spec, quote json.RawMessage
}

type reason struct {
	Code     string          `json:"code"`
	Field    string          `json:"field"`
	Expected json.RawMessage `json:"expected"`
	Got      json.RawMessage `json:"got"`
}

// compared lists the quote members that decide the charge, with the reason code of a difference.
var compared = []struct{ path, code string }{
	{"rateCard.version", "card_version_differs"},
	{"rateCard.digest", "card_digest_differs"},
	{"credits", "amount_differs"},
	{"unitCredits", "amount_differs"},
	{"count", "quantity_differs"},
	{"billedSeconds", "quantity_differs"},
}

func (s *Server) serveVerify(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readPOST(w, r)
	if !ok {
		return
	}
	defer putBuf(body)
	req, perr := decodeVerifyRequest(*body)
	if perr != nil {
		writeError(w, estimator.HTTPStatus(perr.Code), perr)
		return
	}
	want, err := s.card.Do("quote", req.spec)
	if err != nil {
		s.writeDoError(w, err, "spec")
		return
	}
	out, perr := verify(want, req.quote)
	if perr != nil {
		writeError(w, estimator.HTTPStatus(perr.Code), perr)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// verify compares the client's quote with the server's fresh quote want and returns the answer.
func verify(want, got json.RawMessage) ([]byte, *estimator.Error) {
	gotObj, err := objectMembers(got)
	if err != nil {
		return nil, &estimator.Error{Code: "invalid_type", Field: "quote", Message: "quote must be a JSON object"}
	}
	wantObj, err := objectMembers(want)
	if err != nil {
		return nil, &estimator.Error{Code: "internal", Message: "server quote is not an object"}
	}
	var reasons []reason
	for _, c := range compared {
		wv := lookup(wantObj, c.path)
		gv := lookup(gotObj, c.path)
		if wv == nil && gv == nil {
			continue
		}
		if wv != nil && gv != nil && sameJSONValue(wv, gv) {
			continue
		}
		reasons = append(reasons, reason{Code: c.code, Field: c.path, Expected: orNull(wv), Got: orNull(gv)})
	}
	if len(reasons) == 0 {
		return []byte(`{"valid":true}`), nil
	}
	rb, err := json.Marshal(reasons)
	if err != nil {
		return nil, &estimator.Error{Code: "internal", Message: "cannot encode reasons"}
	}
	out := make([]byte, 0, len(rb)+len(want)+40)
	out = append(out, `{"valid":false,"reasons":`...)
	out = append(out, rb...)
	out = append(out, `,"quote":`...)
	out = append(out, want...)
	out = append(out, '}')
	return out, nil
}

func orNull(v json.RawMessage) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	return v
}

// objectMembers decodes a JSON object into its members' raw values (nested objects too, lazily).
func objectMembers(b json.RawMessage) (map[string]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("not an object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// lookup finds a dotted path ("rateCard.version") in an object's members; nil when absent.
func lookup(m map[string]json.RawMessage, path string) json.RawMessage {
	for {
		head, rest, nested := strings.Cut(path, ".")
		v, ok := m[head]
		if !ok {
			return nil
		}
		if !nested {
			return v
		}
		inner, err := objectMembers(v)
		if err != nil {
			return nil
		}
		m, path = inner, rest
	}
}

// sameJSONValue compares two JSON values: strings by their decoded text, everything else by the
// compact source text (so 1 and 1.0 differ: the contract writes canonical numbers).
func sameJSONValue(a, b json.RawMessage) bool {
	a, b = bytes.TrimSpace(a), bytes.TrimSpace(b)
	if len(a) > 0 && a[0] == '"' && len(b) > 0 && b[0] == '"' {
		var sa, sb string
		if json.Unmarshal(a, &sa) != nil || json.Unmarshal(b, &sb) != nil {
			return false
		}
		return sa == sb
	}
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// decodeVerifyRequest strictly decodes {"spec":..,"quote":..}: exactly these two members, once each,
// no trailing data. Member values are kept as raw bytes for card.Do and the comparison.
func decodeVerifyRequest(b []byte) (*verifyRequest, *estimator.Error) {
	bad := func(code, field, msg string) *estimator.Error {
		return &estimator.Error{Code: code, Field: field, Message: msg}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, bad("invalid_json", "", "the request body is not valid JSON")
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, bad("invalid_type", "", `the request must be an object {"spec":{...},"quote":{...}}`)
	}
	var req verifyRequest
	var haveSpec, haveQuote bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad("invalid_json", "", "the request body is not valid JSON")
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, bad("invalid_json", key, "the request body is not valid JSON")
		}
		switch key {
		case "spec":
			if haveSpec {
				return nil, bad("duplicate_field", "spec", "spec appears twice")
			}
			req.spec, haveSpec = raw, true
		case "quote":
			if haveQuote {
				return nil, bad("duplicate_field", "quote", "quote appears twice")
			}
			req.quote, haveQuote = raw, true
		default:
			return nil, bad("unknown_field", key, "unknown member "+jsonQuote(key)+"; expected spec and quote")
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, bad("invalid_json", "", "the request body is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("invalid_json", "", "unexpected data after the request object")
	}
	if !haveSpec {
		return nil, bad("missing_field", "spec", "spec is required")
	}
	if !haveQuote {
		return nil, bad("missing_field", "quote", "quote is required")
	}
	return &req, nil
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsonString(s string) string { return jsonQuote(s) }

package estimator

import (
	"strconv"
	"strings"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// RequestValue is a value of a JSON request parsed by ParseRequest, for front ends that decode
// requests of their own (the server's ledger routes) with the rules every surface shares.
type RequestValue struct {
	v    jsonx.Value
	path string
}

// ParseRequest parses data as one JSON value with the strict rules of every request: at most
// MaxRequestBytes and MaxRequestValues, valid UTF-8, no duplicate members, nothing but white
// space after the value. The error is an *Error naming the field at fault.
func ParseRequest(data []byte) (RequestValue, *Error) {
	v, err := parseDocument(data, MaxRequestBytes, MaxRequestValues)
	if err != nil {
		return RequestValue{}, err
	}
	return RequestValue{v: v}, nil
}

// Path is the value's JSON path ("" for the whole request, "quote.rateCard", …).
func (r RequestValue) Path() string { return r.path }

// Kind is the value's JSON type: "null", "boolean", "number", "string", "array" or "object".
func (r RequestValue) Kind() string { return r.v.Kind.String() }

// Str is a string value's text ("" for any other kind).
func (r RequestValue) Str() string {
	if r.v.Kind != jsonx.String {
		return ""
	}
	return r.v.Str
}

// Keys are an object's member names in the order written (none for any other kind).
func (r RequestValue) Keys() []string {
	keys := make([]string, len(r.v.Members))
	for i, m := range r.v.Members {
		keys[i] = m.Key
	}
	return keys
}

// Int is a number value written as a plain integer (digits, an optional minus sign: no
// fraction, no exponent) that fits an int64; ok is false for anything else.
func (r RequestValue) Int() (n int64, ok bool) {
	if r.v.Kind != jsonx.Number {
		return 0, false
	}
	s := r.v.Str
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Get returns an object's member.
func (r RequestValue) Get(key string) (RequestValue, bool) {
	v, ok := r.v.Get(key)
	return RequestValue{v: v, path: join(r.path, key)}, ok
}

// Spec decodes the value as a Spec, with DecodeSpec's rules; error fields are under its path.
func (r RequestValue) Spec() (Spec, *Error) { return specFromValue(r.v, r.path) }

package estimator

import (
	"errors"
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Strict decoding shared by every request and by the rate card. Every failure is an *Error
// whose Field is the JSON path of the value at fault.

// MaxRequestBytes bounds a request on every surface (Go, wasm, HTTP): a longer one is refused
// with request_too_large before it is parsed. The HTTP server's body limit and the wasm module's
// request buffer are this size, so all surfaces refuse the same requests. A prompt of the default
// card's 4,000 characters fits even with every character written as a \u escape.
const MaxRequestBytes = 64 << 10

// MaxRequestValues bounds the JSON values (scalars, arrays and objects) of a request: the parser
// refuses the first value past it with request_too_large before building it, so a request's tree
// is never larger than this many values however its bytes are spent. The largest valid request
// (a wallet with maxEconomicsItems buckets and jobs with full specs) has about 500.
const MaxRequestValues = 1024

// maxCardValues bounds the values of a rate card document (the default card has about 600).
const maxCardValues = 1 << 16

// anyInt bounds numbers whose real range a later step checks: beyond it a value is simply out of
// range, and every product of it with card factors still fits the exact arithmetic.
const anyInt = 1 << 62

// maxDepth bounds nesting of requests and cards; no valid document nests deeper.
const maxDepth = 16

// TooLargeError returns the error every operation gives for a request longer than
// MaxRequestBytes, for front ends that refuse such a request before handing it to Do (the wasm
// module refuses it before copying it into its memory).
func TooLargeError() *Error { return tooLarge(MaxRequestBytes) }

func tooLarge(maxBytes int) *Error {
	return newError(CodeRequestTooLarge, "", "the request is larger than "+strconv.Itoa(maxBytes)+" bytes")
}

// parseDocument parses request or card bytes into a JSON tree of at most maxValues values.
func parseDocument(data []byte, maxBytes, maxValues int) (jsonx.Value, *Error) {
	return parseLimited(data, maxBytes, jsonx.Limits{MaxDepth: maxDepth, MaxValues: maxValues})
}

// parseEmbedded parses the embedded card's bytes (or a section of them), which the tests parse
// in full with every check (TestDeferredAnalyzerEqualsEager): duplicate keys are not looked for.
func parseEmbedded(data []byte) (jsonx.Value, *Error) {
	return parseLimited(data, MaxCardBytes, jsonx.Limits{MaxDepth: maxDepth, MaxValues: maxCardValues, KnownUnique: true})
}

func parseLimited(data []byte, maxBytes int, lim jsonx.Limits) (jsonx.Value, *Error) {
	maxValues := lim.MaxValues
	if len(data) > maxBytes {
		return jsonx.Value{}, tooLarge(maxBytes)
	}
	v, err := jsonx.Parse(data, lim)
	if err != nil {
		var je *jsonx.Error
		if errors.As(err, &je) {
			switch je.Code {
			case "invalid_utf8":
				return jsonx.Value{}, newError(CodeInvalidUTF8, je.Path, "invalid UTF-8 at byte "+strconv.Itoa(je.Offset)+": "+je.Reason)
			case "duplicate_field":
				return jsonx.Value{}, newError(CodeDuplicateField, je.Path, je.Reason)
			case "too_many_values":
				return jsonx.Value{}, newError(CodeRequestTooLarge, je.Path, "the request has more than "+strconv.Itoa(maxValues)+" JSON values")
			}
			return jsonx.Value{}, newError(CodeInvalidJSON, je.Path, "malformed JSON at byte "+strconv.Itoa(je.Offset)+": "+je.Reason)
		}
		return jsonx.Value{}, newError(CodeInvalidJSON, "", err.Error())
	}
	return v, nil
}

// join builds the path of a member of the object at path. Not inlined (see newError): ≈ 10 KB.
//
//go:noinline
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index builds the path of an array element.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// object is a decoded JSON object whose keys were checked against the allowed set.
type object struct {
	path    string
	members []jsonx.Member
}

// asObject checks that v is an object holding only the allowed keys.
func asObject(v jsonx.Value, path string, allowed ...string) (object, *Error) {
	if v.Kind != jsonx.Object {
		return object{}, typeError(path, "an object", v)
	}
	for _, m := range v.Members {
		known := false
		for _, a := range allowed {
			if m.Key == a {
				known = true
				break
			}
		}
		if !known {
			return object{}, newError(CodeUnknownField, join(path, m.Key), "unknown field \""+m.Key+"\"")
		}
	}
	return object{path: path, members: v.Members}, nil
}

// get returns the member value and its path.
func (o object) get(key string) (jsonx.Value, string, bool) {
	for _, m := range o.members {
		if m.Key == key {
			return m.Value, join(o.path, key), true
		}
	}
	return jsonx.Value{}, join(o.path, key), false
}

// has reports whether key is present and not null.
func (o object) has(key string) bool {
	v, _, ok := o.get(key)
	return ok && v.Kind != jsonx.Null
}

// typeError is the error of a value of the wrong JSON type. Not inlined (see newError).
//
//go:noinline
func typeError(path, want string, v jsonx.Value) *Error {
	return newError(CodeInvalidType, path, "must be "+want+", not "+v.Kind.String())
}

// missing is the error of a required member that is absent. Not inlined (see newError).
//
//go:noinline
func missing(path string) *Error {
	return newError(CodeMissingField, path, "is required")
}

// requiredString reads a required string member.
func (o object) requiredString(key string) (string, string, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		return "", p, missing(p)
	}
	if v.Kind != jsonx.String {
		return "", p, typeError(p, "a string", v)
	}
	return v.Str, p, nil
}

// optionalString reads an optional string member; def when absent or null.
func (o object) optionalString(key, def string) (string, string, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		return def, p, nil
	}
	if v.Kind != jsonx.String {
		return "", p, typeError(p, "a string", v)
	}
	return v.Str, p, nil
}

// fixedValue reads v as an exact decimal with at most places decimals, within [min, max]
// (both in scaled units). With asString it must be a decimal string instead of a JSON number:
// the rate card writes amounts as strings so that no tool on the way turns them into floats.
func fixedValue(v jsonx.Value, path string, places int, min, max int64, asString bool, what string) (int64, *Error) {
	var lit string
	switch {
	case asString && v.Kind == jsonx.String:
		lit = v.Str
	case asString:
		return 0, typeError(path, "a decimal string", v)
	case v.Kind == jsonx.Number:
		lit = v.Str
	default:
		return 0, typeError(path, what, v)
	}
	n, err := jsonx.ParseFixed(lit, places)
	if len(lit) > maxEchoed { // an answer never echoes a huge literal back
		lit = lit[:maxEchoed] + "…"
	}
	switch {
	case errors.Is(err, jsonx.ErrPrecision):
		if places == 0 {
			return 0, newError(CodeInvalidValue, path, "must be a whole number, not "+lit)
		}
		return 0, newError(CodeInvalidValue, path, "has more than "+strconv.Itoa(places)+" decimal places: "+lit)
	case errors.Is(err, jsonx.ErrRange):
		return 0, newError(CodeOutOfRange, path, lit+" is out of range")
	case err != nil:
		return 0, newError(CodeInvalidValue, path, "is not a decimal number: "+quoteShort(lit))
	}
	if n < min || n > max {
		if min == -anyInt && max == anyInt {
			return 0, newError(CodeOutOfRange, path, lit+" is out of range")
		}
		return 0, newError(CodeOutOfRange, path, "must be between "+string(jsonx.AppendFixed(nil, min, places))+" and "+string(jsonx.AppendFixed(nil, max, places))+", not "+lit)
	}
	return n, nil
}

// requiredFixed reads a required exact number member.
func (o object) requiredFixed(key string, places int, min, max int64, asString bool, what string) (int64, string, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		return 0, p, missing(p)
	}
	n, err := fixedValue(v, p, places, min, max, asString, what)
	return n, p, err
}

// optionalFixed reads an optional exact number member; def when absent or null.
func (o object) optionalFixed(key string, places int, min, max, def int64, asString bool, what string) (int64, string, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		return def, p, nil
	}
	n, err := fixedValue(v, p, places, min, max, asString, what)
	return n, p, err
}

// requiredInt reads a required JSON integer within [min, max].
func (o object) requiredInt(key string, min, max int64) (int64, string, *Error) {
	return o.requiredFixed(key, 0, min, max, false, "an integer")
}

// optionalInt reads an optional JSON integer within [min, max]; def when absent or null.
func (o object) optionalInt(key string, min, max, def int64) (int64, string, *Error) {
	return o.optionalFixed(key, 0, min, max, def, false, "an integer")
}

// requiredArray reads a required array member.
func (o object) requiredArray(key string) ([]jsonx.Value, string, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		return nil, p, missing(p)
	}
	if v.Kind != jsonx.Array {
		return nil, p, typeError(p, "an array", v)
	}
	return v.Items, p, nil
}

// maxEchoed bounds the part of a number literal an error message repeats.
const maxEchoed = 40

// quoteShort quotes s for a message (as a JSON string), cut to a readable length.
func quoteShort(s string) string {
	const max = 40
	r := []rune(s)
	if len(r) > max {
		return string(jsonx.AppendString(nil, string(r[:max]))) + "…"
	}
	return string(jsonx.AppendString(nil, s))
}

// asciiLower lower-cases ASCII letters only: names in the card and the contract are ASCII, and
// the Unicode case tables would cost the wasm module tens of kilobytes.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// asciiEqualFold reports whether a and b are equal ignoring the case of ASCII letters.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

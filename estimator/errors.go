package estimator

import "github.com/creditestimator/creditestimator/estimator/internal/jsonx"

// Error codes. They are stable: clients switch on them.
const (
	CodeInvalidJSON           = "invalid_json"
	CodeInvalidUTF8           = "invalid_utf8"
	CodeUnknownField          = "unknown_field"
	CodeDuplicateField        = "duplicate_field"
	CodeMissingField          = "missing_field"
	CodeInvalidType           = "invalid_type"
	CodeInvalidValue          = "invalid_value"
	CodeOutOfRange            = "out_of_range"
	CodeUnsupportedResolution = "unsupported_resolution"
	CodeUnsupportedFPS        = "unsupported_fps"
	CodeUnsupportedMode       = "unsupported_mode"
	CodeUnsupportedComplexity = "unsupported_complexity"
	CodePromptTooLong         = "prompt_too_long"
	CodeUnknownOp             = "unknown_op"
	CodeInvalidRateCard       = "invalid_rate_card"
	CodeRequestTooLarge       = "request_too_large"
	CodeUnknownPlan           = "unknown_plan"
	CodeInvalidDate           = "invalid_date"
	CodeTooManyItems          = "too_many_items"
	CodeOverflow              = "overflow"
	CodeInternal              = "internal"
)

// Error is the one error type of the contract. It marshals to
// {"code":"...","field":"...","message":"..."}; Field is the JSON path of the value at fault
// (e.g. "fps", "jobs[2].resolution") or "" when the request as a whole is at fault.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Code + ": " + e.Message
	}
	return e.Code + ": " + e.Field + ": " + e.Message
}

// MarshalJSON encodes the error object of the contract.
func (e *Error) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil), nil }

// AppendJSON appends the error object to dst.
func (e *Error) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"code":`...)
	dst = jsonx.AppendString(dst, e.Code)
	dst = append(dst, `,"field":`...)
	dst = jsonx.AppendString(dst, e.Field)
	dst = append(dst, `,"message":`...)
	dst = jsonx.AppendString(dst, e.Message)
	return append(dst, '}')
}

// AppendJSONString appends s as a JSON string escaped exactly as every response of the package
// is (like encoding/json: HTML-safe, invalid UTF-8 as U+FFFD), for front ends that wrap responses.
func AppendJSONString(dst []byte, s string) []byte { return jsonx.AppendString(dst, s) }

// newError is an Error. Not inlined: inlined at its ~200 call sites it made the wasm module
// ≈ 4 KB (brotli) larger (issue 20's size budget); so are join, fail, typeError, missing,
// appendCreditsField and Credits.AppendText, for the same reason (docs/wasm.md).
//
//go:noinline
func newError(code, field, message string) *Error {
	return &Error{Code: code, Field: field, Message: message}
}

// HTTPStatus maps an error code to the HTTP status the server answers with.
func HTTPStatus(code string) int {
	switch code {
	case CodeUnknownOp:
		return 404
	case CodeRequestTooLarge:
		return 413
	case CodeInternal:
		return 500
	case CodeUnknownPlan, CodeOutOfRange, CodeUnsupportedResolution, CodeUnsupportedFPS,
		CodeUnsupportedMode, CodeUnsupportedComplexity, CodePromptTooLong, CodeTooManyItems,
		CodeOverflow, CodeInvalidDate, CodeInvalidValue:
		return 422
	default:
		return 400
	}
}

package server

import (
	"errors"
	"net/http"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
)

// codeStatus is the HTTP status of every error code the server answers with that is not the
// estimator's (estimator.HTTPStatus maps those): the ledger's codes and the server's own.
var codeStatus = map[string]int{
	ledger.CodeUnauthorized:          http.StatusUnauthorized,
	ledger.CodeForbidden:             http.StatusForbidden,
	ledger.CodeNotFound:              http.StatusNotFound,
	ledger.CodeInsufficientCredits:   http.StatusPaymentRequired,
	ledger.CodeStaleQuote:            http.StatusConflict,
	ledger.CodeIdempotencyConflict:   http.StatusConflict,
	ledger.CodeHoldSettled:           http.StatusConflict,
	ledger.CodeHoldReleased:          http.StatusConflict,
	ledger.CodeAlreadyGranted:        http.StatusConflict,
	ledger.CodeRateLimited:           http.StatusTooManyRequests,
	ledger.CodeMissingIdempotencyKey: http.StatusBadRequest,
	ledger.CodeUnsupportedQueue:      http.StatusUnprocessableEntity,
	ledger.CodeUnsupportedGrantKind:  http.StatusUnprocessableEntity,
	ledger.CodeInsufficientBalance:   http.StatusConflict,
	ledger.CodeBucketVoided:          http.StatusConflict,
	"method_not_allowed":             http.StatusMethodNotAllowed,
	"unsupported_media_type":         http.StatusUnsupportedMediaType,
	"unavailable":                    http.StatusServiceUnavailable,
	"invalid_signature":              http.StatusBadRequest,
	"payment_provider_error":         http.StatusBadGateway,
	"overloaded":                     http.StatusServiceUnavailable,
	"unknown_op":                     http.StatusNotFound,
}

// statusOf returns the HTTP status of an error code: the table above, then the estimator's.
func statusOf(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return estimator.HTTPStatus(code)
}

// writeError is the one error writer of every route: the error object and the status of its
// code. A *ledger.Error carries the members its code adds (ledgerErrorBody).
func writeError(w http.ResponseWriter, err error) {
	var le *ledger.Error
	var ee *estimator.Error
	switch {
	case errors.As(err, &le):
		writeJSON(w, statusOf(le.Code), ledgerErrorBody(le))
	case errors.As(err, &ee):
		writeJSON(w, statusOf(ee.Code), ee.AppendJSON(nil))
	default: // a bug, never bad input; the caller logs it
		writeJSON(w, http.StatusInternalServerError, (&estimator.Error{Code: estimator.CodeInternal, Message: "internal error"}).AppendJSON(nil))
	}
}

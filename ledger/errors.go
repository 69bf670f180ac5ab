package ledger

import "github.com/creditestimator/creditestimator/estimator"

// Error is the ledger's error: a code (the Code… constants here, or the estimator's), the
// field at fault ("" for the call as a whole) and a message for people. A call that refuses
// its input answers it as its error; errors.As finds it. Every other error (the database's, a
// cancelled context) is not an *Error and means the call may be retried with the same key.
type Error struct {
	Code    string
	Field   string
	Message string

	// Replayed: this is the stored answer of an earlier call with the same key (a refusal is
	// answered again like a success is).
	Replayed bool

	// insufficient_credits: what the job needs and what is available, the cheapest top-up
	// that covers the gap (nil when the card sells none that does), and the free queue.
	Needed, Available estimator.Credits
	TopUp             *Purchase
	Standard          *StandardOffer
	// insufficient_credits and stale_quote: the server's quote for the spec.
	Quote *Quote
}

func (e *Error) Error() string {
	if e.Field == "" {
		return "ledger: " + e.Code + ": " + e.Message
	}
	return "ledger: " + e.Code + ": " + e.Field + ": " + e.Message
}

// fromEstimator is the estimator's error as the ledger's, its field under prefix.
func fromEstimator(e *estimator.Error, prefix string) *Error {
	field := e.Field
	if prefix != "" {
		field = join(prefix, e.Field)
	}
	return &Error{Code: e.Code, Field: field, Message: e.Message}
}

func newError(code, field, msg string) *Error { return &Error{Code: code, Field: field, Message: msg} }

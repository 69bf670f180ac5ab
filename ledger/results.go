package ledger

import (
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// The results of the ledger's calls are plain values: credits in hundredths, instants in UTC
// with microsecond precision. Package server encodes them for HTTP; a Go caller reads them.

// Bucket is credits of one kind granted at an instant and valid until another.
type Bucket struct {
	ID      string
	Kind    string // KindTrial, KindMonthly, KindPriority, KindTopUp or KindAdjustment
	Plan    string // the plan of monthly and priority credits; "" otherwise
	Credits estimator.Credits
	Granted time.Time
	Expires time.Time
}

// Account is what CreateAccount answers: the new account, its token and its trial bucket.
type Account struct {
	ID string
	// Token is the bearer token of the account. A replay has it only when the ledger has a
	// TokenKey that derives it again (see Options.TokenKey); otherwise it is "".
	Token    string
	Buckets  []Bucket // nil when the card grants no trial
	Replayed bool     // the stored result of an earlier call with the same key
}

// Granted is what Grant answers: the buckets it added and, for a top-up, the purchase.
type Granted struct {
	Buckets  []Bucket
	Purchase *Purchase // top-ups only
	Replayed bool
}

// Purchase is the top-up the card sells for a number of credits (estimator.RateCard.TopUpQuote).
type Purchase struct {
	Need    estimator.Credits
	Credits estimator.Credits // bought (at least Need)
	// Engine is the engine's own encoding of the plan (estimator.TopUpPlan.AppendJSON), kept as
	// it was when the call was first answered so that a replay answers it unchanged.
	Engine []byte
}

// Quote is the price the server's card gave a hold's spec (estimator.RateCard.Estimate).
type Quote struct {
	Credits  estimator.Credits
	RateCard estimator.CardRef
	// Engine is the engine's own encoding of the quote (estimator.Quote.AppendJSON), recorded
	// with the hold and answered unchanged by a replay.
	Engine []byte
}

// Draw is the credits a hold took from one bucket.
type Draw struct {
	Bucket  string // the bucket's id
	Kind    string
	Credits estimator.Credits
	Expires time.Time // the bucket's expiry
}

// Hold is a reservation of a job's credits.
type Hold struct {
	ID       string
	Account  string
	State    string // HoldHeld, HoldSettled or HoldReleased
	Queue    string // "fast" or "standard"
	Credits  estimator.Credits
	Draws    []Draw // in spend order; empty for a standard-queue hold
	Created  time.Time
	Expires  time.Time // released automatically then, unless settled
	RateCard estimator.CardRef
}

// Held is what Hold answers: the new hold and the quote it was priced with.
type Held struct {
	Hold     Hold
	Quote    Quote
	Replayed bool
}

// Closed is what Settle (the charge) and Release (the refund) answer: the credits and the
// buckets they came from or went back to, and the hold as it is now.
type Closed struct {
	Credits estimator.Credits
	Draws   []Draw
	// Returned and ReturnedDraws: what a partial charge did not take, back in its buckets (zero
	// and nil for a full charge and a release).
	Returned      estimator.Credits
	ReturnedDraws []Draw
	Hold          Hold
	Replayed      bool
}

// StandardOffer is the free standard queue an insufficient_credits error offers.
type StandardOffer struct {
	Slowdown string // e.g. "4"
	Label    string
}

package server

import (
	"encoding/json"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
)

// The ledger's results as JSON (docs/ledger.md). These are the bodies the API has always sent,
// member for member and byte for byte: a replayed call gets its typed result back from the
// ledger and is encoded here exactly as the first answer was (tests pin both).

// rfc3339Micro formats the ledger's instants (UTC, microseconds, trailing zeros dropped).
const rfc3339Micro = "2006-01-02T15:04:05.999999Z07:00"

func jsonTime(t time.Time) string { return t.UTC().Format(rfc3339Micro) }

type bucketJSON struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Plan    string `json:"plan,omitempty"`
	Credits string `json:"credits"`
	Granted string `json:"granted,omitempty"`
	Expires string `json:"expires"`
}

func bucketsJSON(bs []ledger.Bucket) []bucketJSON {
	if bs == nil {
		return nil
	}
	out := make([]bucketJSON, len(bs))
	for i, b := range bs {
		out[i] = bucketJSON{ID: b.ID, Kind: b.Kind, Plan: b.Plan, Credits: b.Credits.String(), Granted: jsonTime(b.Granted), Expires: jsonTime(b.Expires)}
	}
	return out
}

type drawJSON struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Credits string `json:"credits"`
	Expires string `json:"expires"`
}

func drawsJSON(ds []ledger.Draw) []drawJSON {
	out := make([]drawJSON, len(ds)) // a list, never null
	for i, d := range ds {
		out[i] = drawJSON{ID: d.Bucket, Kind: d.Kind, Credits: d.Credits.String(), Expires: jsonTime(d.Expires)}
	}
	return out
}

type holdJSON struct {
	ID      string     `json:"id"`
	Account string     `json:"account"`
	State   string     `json:"state"`
	Queue   string     `json:"queue"`
	Credits string     `json:"credits"`
	Buckets []drawJSON `json:"buckets"`
	Created string     `json:"created"`
	Expires string     `json:"expires"`
	Card    cardJSON   `json:"rateCard"`
}

type cardJSON struct {
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

func holdAsJSON(h ledger.Hold) holdJSON {
	return holdJSON{ID: h.ID, Account: h.Account, State: h.State, Queue: h.Queue, Credits: h.Credits.String(),
		Buckets: drawsJSON(h.Draws), Created: jsonTime(h.Created), Expires: jsonTime(h.Expires),
		Card: cardJSON{h.RateCard.Version, h.RateCard.Digest}}
}

func marshal(v any) []byte { b, _ := json.Marshal(v); return b } // the values here cannot fail

// accountBody is 201 of POST /accounts and of the demo sign-up.
func accountBody(a ledger.Account) []byte {
	var token *string
	if a.Token != "" {
		token = &a.Token
	}
	return marshal(struct {
		Account struct {
			ID string `json:"id"`
		} `json:"account"`
		Token   *string      `json:"token"`
		Buckets []bucketJSON `json:"buckets"`
	}{struct {
		ID string `json:"id"`
	}{a.ID}, token, bucketsJSON(a.Buckets)})
}

// grantBody is 201 of POST /accounts/{id}/grants.
func grantBody(g ledger.Granted) []byte {
	var purchase json.RawMessage
	if g.Purchase != nil {
		purchase = g.Purchase.Engine
	}
	return marshal(struct {
		Buckets  []bucketJSON    `json:"buckets"`
		Purchase json.RawMessage `json:"purchase,omitempty"`
	}{bucketsJSON(g.Buckets), purchase})
}

// heldBody is 201 of POST /accounts/{id}/holds.
func heldBody(h ledger.Held) []byte {
	return marshal(struct {
		Hold  holdJSON        `json:"hold"`
		Quote json.RawMessage `json:"quote"`
	}{holdAsJSON(h.Hold), h.Quote.Engine})
}

type closedJSON struct {
	Credits string     `json:"credits"`
	Buckets []drawJSON `json:"buckets"`
}

// settledBody is 200 of POST /holds/{id}/settle.
func settledBody(c ledger.Closed) []byte {
	if c.Returned > 0 {
		// A partial charge: what was charged, and what went back to its buckets.
		return marshal(struct {
			Charge   closedJSON `json:"charge"`
			Returned closedJSON `json:"returned"`
			Hold     holdJSON   `json:"hold"`
		}{closedJSON{c.Credits.String(), drawsJSON(c.Draws)}, closedJSON{c.Returned.String(), drawsJSON(c.ReturnedDraws)}, holdAsJSON(c.Hold)})
	}
	return marshal(struct {
		Charge closedJSON `json:"charge"`
		Hold   holdJSON   `json:"hold"`
	}{closedJSON{c.Credits.String(), drawsJSON(c.Draws)}, holdAsJSON(c.Hold)})
}

// releasedBody is 200 of POST /holds/{id}/release.
func releasedBody(c ledger.Closed) []byte {
	return marshal(struct {
		Refund closedJSON `json:"refund"`
		Hold   holdJSON   `json:"hold"`
	}{closedJSON{c.Credits.String(), drawsJSON(c.Draws)}, holdAsJSON(c.Hold)})
}

// ledgerErrorBody is the error object of a ledger error, with the members its code adds:
// insufficient_credits the needed and available credits, the top-up, the standard queue and
// the quote; stale_quote the quote.
func ledgerErrorBody(e *ledger.Error) []byte {
	b := (&estimator.Error{Code: e.Code, Field: e.Field, Message: e.Message}).AppendJSON(nil)
	var extra []byte
	switch {
	case e.Code == ledger.CodeInsufficientCredits:
		extra = append(extra, `"needed":"`...)
		extra = append(extra, e.Needed.String()...)
		extra = append(extra, `","available":"`...)
		extra = append(extra, e.Available.String()...)
		extra = append(extra, `","topUp":`...)
		if e.TopUp != nil {
			extra = append(extra, e.TopUp.Engine...)
		} else {
			extra = append(extra, "null"...)
		}
		var sq ledger.StandardOffer
		if e.Standard != nil {
			sq = *e.Standard
		}
		extra = append(extra, `,"standardQueue":`...)
		extra = append(extra, marshal(struct {
			Queue    string `json:"queue"`
			Credits  string `json:"credits"`
			Slowdown string `json:"slowdown"`
			Label    string `json:"label"`
		}{"standard", "0.00", sq.Slowdown, sq.Label})...)
		extra = append(extra, `,"quote":`...)
		extra = appendQuote(extra, e.Quote)
	case e.Quote != nil:
		extra = append(extra, `"quote":`...)
		extra = appendQuote(extra, e.Quote)
	default:
		return b
	}
	b = append(b[:len(b)-1], ',')
	b = append(b, extra...)
	return append(b, '}')
}

func appendQuote(dst []byte, q *ledger.Quote) []byte {
	if q == nil || len(q.Engine) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, q.Engine...)
}

type balanceBucketJSON struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Plan    string `json:"plan,omitempty"`
	Credits string `json:"credits"` // available now (not held)
	Held    string `json:"held"`
	Granted string `json:"granted"`
	Expires string `json:"expires"`
	Status  string `json:"status"` // "active" or "future" (granted later)
}

func balanceBucketsJSON(bs []ledger.BalanceBucket) []balanceBucketJSON {
	out := make([]balanceBucketJSON, len(bs))
	for i, b := range bs {
		status := "active"
		if b.Future {
			status = "future"
		}
		out[i] = balanceBucketJSON{ID: b.ID, Kind: b.Kind, Plan: b.Plan, Credits: b.Available.String(), Held: b.Held.String(),
			Granted: jsonTime(b.Granted), Expires: jsonTime(b.Expires), Status: status}
	}
	return out
}

type holdSummaryJSON struct {
	ID      string `json:"id"`
	Queue   string `json:"queue"`
	Credits string `json:"credits"`
	Expires string `json:"expires"`
}

// balanceBody is 200 of GET /accounts/{id}/balance.
func balanceBody(b ledger.Balance) []byte {
	type expiring struct {
		Days    int                 `json:"days"`
		Credits string              `json:"credits"`
		Buckets []balanceBucketJSON `json:"buckets"`
	}
	type forecast struct {
		Days    int     `json:"days"`
		Spent   string  `json:"spent"`
		PerDay  string  `json:"perDay"`
		RunsOut *string `json:"runsOut"`
	}
	f := forecast{Days: b.Forecast.Days, Spent: b.Forecast.Spent.String(), PerDay: b.Forecast.PerDay.String()}
	if !b.Forecast.RunsOut.IsZero() {
		s := b.Forecast.RunsOut.UTC().Format("2006-01-02")
		f.RunsOut = &s
	}
	holds := make([]holdSummaryJSON, len(b.Holds))
	for i, h := range b.Holds {
		holds[i] = holdSummaryJSON{ID: h.ID, Queue: h.Queue, Credits: h.Credits.String(), Expires: jsonTime(h.Expires)}
	}
	return marshal(struct {
		Account   string              `json:"account"`
		At        string              `json:"at"`
		Available string              `json:"available"`
		Held      string              `json:"held"`
		Buckets   []balanceBucketJSON `json:"buckets"`
		Expiring  expiring            `json:"expiringSoon"`
		Forecast  forecast            `json:"forecast"`
		Holds     []holdSummaryJSON   `json:"holds"`
	}{b.Account, jsonTime(b.At), b.Available.String(), b.Held.String(), balanceBucketsJSON(b.Buckets),
		expiring{b.Expiring.Days, b.Expiring.Credits.String(), balanceBucketsJSON(b.Expiring.Buckets)}, f, holds})
}

// entryJSON is one line of a statement.
type entryJSON struct {
	Seq       int64  `json:"seq"`
	At        string `json:"at"`
	Type      string `json:"type"`
	Kind      string `json:"kind,omitempty"`
	Bucket    string `json:"bucket,omitempty"`
	Hold      string `json:"hold,omitempty"`
	Credits   string `json:"credits"`
	Available string `json:"available"`
	Held      string `json:"held"`
	Memo      string `json:"memo,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Actor     string `json:"actor,omitempty"`
}

func entryAsJSON(e ledger.Entry) entryJSON {
	return entryJSON{Seq: e.Seq, At: jsonTime(e.At), Type: e.Type, Kind: e.Kind, Bucket: e.Bucket, Hold: e.Hold,
		Credits: e.Credits.String(), Available: e.Available.String(), Held: e.Held.String(), Memo: e.Memo,
		Reason: e.Reason, Actor: e.Actor}
}

// statementBody is 200 of GET /accounts/{id}/entries (JSON).
func statementBody(st ledger.Statement) []byte {
	entries := make([]entryJSON, len(st.Entries))
	for i, e := range st.Entries {
		entries[i] = entryAsJSON(e)
	}
	var next *int64
	if st.Next != 0 {
		next = &st.Next
	}
	return marshal(struct {
		Account string      `json:"account"`
		Entries []entryJSON `json:"entries"`
		Next    *int64      `json:"next"`
	}{st.Account, entries, next})
}

// extendedBody is 200 of POST /holds/{id}/extend: the hold with its new deadline.
func extendedBody(c ledger.Closed) []byte {
	return marshal(struct {
		Hold holdJSON `json:"hold"`
	}{holdAsJSON(c.Hold)})
}

// voidedBody is 200 of POST /accounts/{id}/buckets/{bucket}/void.
func voidedBody(v ledger.Voided) []byte {
	return marshal(struct {
		Bucket  string `json:"bucket"`
		Kind    string `json:"kind"`
		Voided  string `json:"voided"`
		Pending string `json:"pending"`
	}{v.Bucket, v.Kind, v.Credits.String(), v.Held.String()})
}

// debitedBody is 201 of POST /accounts/{id}/debits.
func debitedBody(d ledger.Debited) []byte {
	return marshal(struct {
		Debit closedJSON `json:"debit"`
	}{closedJSON{d.Credits.String(), drawsJSON(d.Draws)}})
}

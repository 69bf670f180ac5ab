package ledger

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// An idempotency row stores a call's outcome so that a retry gets the same result, and over
// HTTP the same bytes: package server encodes a replayed result exactly as the first one.
//
// Two formats are read:
//   - status = 0 (storedFormat): response is storedVersion followed by the outcome in
//     encoding/gob — the typed result, nothing of HTTP;
//   - status > 0: a row written before typed results (schema ≤ 2), response being the HTTP
//     body that was sent. loadLegacy reads it back into a typed result; the server's encoding
//     of that result is the same body again. Such rows are at most Options.IdempotencyTTL old
//     and Sweep deletes them with the rest, so this reader can go once every ledger has swept
//     them out.
const (
	storedFormat  = 0
	storedVersion = 1
)

func storeOutcome(o outcome) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte(storedVersion)
	if err := gob.NewEncoder(&b).Encode(o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func loadOutcome(status int64, stored []byte) (outcome, error) {
	var o outcome
	if status != storedFormat {
		return loadLegacy(status, stored)
	}
	if len(stored) == 0 || stored[0] != storedVersion {
		return o, errors.New("ledger: idempotency record of an unknown version")
	}
	if err := gob.NewDecoder(bytes.NewReader(stored[1:])).Decode(&o); err != nil {
		return o, err
	}
	// gob does not keep an empty slice apart from nil: a hold's draws are always a list.
	if o.Held != nil && o.Held.Hold.Draws == nil {
		o.Held.Hold.Draws = []Draw{}
	}
	if o.Closed != nil {
		if o.Closed.Draws == nil {
			o.Closed.Draws = []Draw{}
		}
		if o.Closed.Hold.Draws == nil {
			o.Closed.Hold.Draws = []Draw{}
		}
	}
	return o, nil
}

// The members of the HTTP bodies stored before typed results (read by loadLegacy only).
type legacyBucket struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Plan    string `json:"plan"`
	Credits string `json:"credits"`
	Granted string `json:"granted"`
	Expires string `json:"expires"`
}

type legacyHold struct {
	ID      string         `json:"id"`
	Account string         `json:"account"`
	State   string         `json:"state"`
	Queue   string         `json:"queue"`
	Credits string         `json:"credits"`
	Buckets []legacyBucket `json:"buckets"`
	Created string         `json:"created"`
	Expires string         `json:"expires"`
	Card    struct {
		Version string `json:"version"`
		Digest  string `json:"digest"`
	} `json:"rateCard"`
}

type legacyClosed struct {
	Credits string         `json:"credits"`
	Buckets []legacyBucket `json:"buckets"`
}

type legacyBody struct {
	// errors
	Code          *string         `json:"code"`
	Field         string          `json:"field"`
	Message       string          `json:"message"`
	Needed        string          `json:"needed"`
	Available     string          `json:"available"`
	TopUp         json.RawMessage `json:"topUp"`
	StandardQueue *struct {
		Slowdown string `json:"slowdown"`
		Label    string `json:"label"`
	} `json:"standardQueue"`
	// results
	Account *struct {
		ID string `json:"id"`
	} `json:"account"`
	Token    *string         `json:"token"`
	Buckets  []legacyBucket  `json:"buckets"`
	Purchase json.RawMessage `json:"purchase"`
	Hold     *legacyHold     `json:"hold"`
	Quote    json.RawMessage `json:"quote"`
	Charge   *legacyClosed   `json:"charge"`
	Refund   *legacyClosed   `json:"refund"`
}

// loadLegacy reads a row stored as an HTTP answer (status and JSON body) into an outcome.
func loadLegacy(status int64, body []byte) (outcome, error) {
	var o outcome
	var b legacyBody
	if err := json.Unmarshal(body, &b); err != nil {
		return o, errors.New("ledger: unreadable idempotency record: " + err.Error())
	}
	switch {
	case status >= 400 && b.Code != nil:
		e := &Error{Code: *b.Code, Field: b.Field, Message: b.Message}
		if e.Code == CodeInsufficientCredits {
			e.Needed, _ = parseCredits(b.Needed)
			e.Available, _ = parseCredits(b.Available)
			if p := legacyPurchase(b.TopUp); p != nil {
				e.TopUp = p
			}
			if sq := b.StandardQueue; sq != nil {
				e.Standard = &StandardOffer{Slowdown: sq.Slowdown, Label: sq.Label}
			}
		}
		if len(b.Quote) > 0 {
			e.Quote = legacyQuote(b.Quote)
		}
		o.Err = e
	case b.Account != nil:
		o.Account = &Account{ID: b.Account.ID, Buckets: legacyBuckets(b.Buckets)}
	case b.Hold != nil && b.Charge != nil:
		o.Closed = legacyClose(b.Charge, b.Hold)
	case b.Hold != nil && b.Refund != nil:
		o.Closed = legacyClose(b.Refund, b.Hold)
	case b.Hold != nil:
		o.Held = &Held{Hold: b.Hold.typed(), Quote: *legacyQuote(b.Quote)}
	case status < 300:
		o.Granted = &Granted{Buckets: legacyBuckets(b.Buckets), Purchase: legacyPurchase(b.Purchase)}
	default:
		return o, errors.New("ledger: idempotency record of an unknown shape")
	}
	return o, nil
}

func legacyTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t.UTC()
}

func legacyCredits(s string) estimator.Credits { c, _ := parseCredits(s); return c }

func legacyBuckets(bs []legacyBucket) []Bucket {
	if bs == nil {
		return nil
	}
	out := make([]Bucket, len(bs))
	for i, b := range bs {
		out[i] = Bucket{ID: b.ID, Kind: b.Kind, Plan: b.Plan, Credits: legacyCredits(b.Credits), Granted: legacyTime(b.Granted), Expires: legacyTime(b.Expires)}
	}
	return out
}

func legacyDraws(bs []legacyBucket) []Draw {
	out := make([]Draw, len(bs))
	for i, b := range bs {
		out[i] = Draw{Bucket: b.ID, Kind: b.Kind, Credits: legacyCredits(b.Credits), Expires: legacyTime(b.Expires)}
	}
	return out
}

func (h legacyHold) typed() Hold {
	return Hold{ID: h.ID, Account: h.Account, State: h.State, Queue: h.Queue, Credits: legacyCredits(h.Credits),
		Draws: legacyDraws(h.Buckets), Created: legacyTime(h.Created), Expires: legacyTime(h.Expires),
		RateCard: estimator.CardRef{Version: h.Card.Version, Digest: h.Card.Digest}}
}

func legacyClose(c *legacyClosed, h *legacyHold) *Closed {
	return &Closed{Credits: legacyCredits(c.Credits), Draws: legacyDraws(c.Buckets), Hold: h.typed()}
}

// legacyQuote keeps the engine's quote as it was sent, with its price and card.
func legacyQuote(raw json.RawMessage) *Quote {
	var q struct {
		Credits string `json:"credits"`
		Card    struct {
			Version string `json:"version"`
			Digest  string `json:"digest"`
		} `json:"rateCard"`
	}
	_ = json.Unmarshal(raw, &q)
	return &Quote{Credits: legacyCredits(q.Credits), RateCard: estimator.CardRef{Version: q.Card.Version, Digest: q.Card.Digest}, Engine: bytes.Clone(raw)}
}

func legacyPurchase(raw json.RawMessage) *Purchase {
	if len(raw) == 0 || strings.TrimSpace(string(raw)) == "null" {
		return nil
	}
	var p struct {
		Need    string `json:"need"`
		Credits string `json:"credits"`
	}
	_ = json.Unmarshal(raw, &p)
	return &Purchase{Need: legacyCredits(p.Need), Credits: legacyCredits(p.Credits), Engine: bytes.Clone(raw)}
}

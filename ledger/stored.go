package ledger

import (
	"bytes"
	"encoding/binary"
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
//   - status = 0 (storedFormat): response is storedVersion followed by the outcome in the
//     ledger's own binary encoding below — the typed result, nothing of HTTP;
//   - status > 0: a row written before typed results (schema ≤ 2), response being the HTTP
//     body that was sent. loadLegacy reads it back into a typed result; the server's encoding
//     of that result is the same body again. Such rows are at most Options.IdempotencyTTL old
//     and Sweep deletes them with the rest, so this reader can go once every ledger has swept
//     them out.
const (
	storedFormat  = 0
	storedVersion = 1
)

// The encoding is explicit, field by field, so that it does not change when a Go type does:
// strings and byte strings are a uvarint length and the bytes; integers zig-zag varints;
// instants varint microseconds since the epoch (UTC); a list is a uvarint of its length + 1
// (0 for nil: a nil list and an empty one are told apart); an optional value a presence byte.
// outcome is one tag byte and its member.
const (
	tagAccount byte = 1 + iota
	tagGranted
	tagHeld
	tagClosed
	tagError
	tagClosedPartial // a partial charge: what was charged and what went back
	tagVoided
	tagDebited
	tagPayment
)

func storeOutcome(o outcome) ([]byte, error) {
	w := &enc{b: []byte{storedVersion}}
	switch {
	case o.Account != nil:
		w.byte(tagAccount)
		w.str(o.Account.ID)
		w.str("") // the token is never stored
		w.buckets(o.Account.Buckets)
	case o.Granted != nil:
		w.byte(tagGranted)
		w.buckets(o.Granted.Buckets)
		w.purchase(o.Granted.Purchase)
	case o.Held != nil:
		w.byte(tagHeld)
		w.hold(o.Held.Hold)
		w.quote(o.Held.Quote)
	case o.Closed != nil && o.Closed.Returned > 0:
		w.byte(tagClosedPartial)
		w.int(int64(o.Closed.Credits))
		w.draws(o.Closed.Draws)
		w.int(int64(o.Closed.Returned))
		w.draws(o.Closed.ReturnedDraws)
		w.hold(o.Closed.Hold)
	case o.Voided != nil:
		w.byte(tagVoided)
		w.str(o.Voided.Bucket)
		w.str(o.Voided.Kind)
		w.int(int64(o.Voided.Credits))
		w.int(int64(o.Voided.Held))
	case o.Debited != nil:
		w.byte(tagDebited)
		w.int(int64(o.Debited.Credits))
		w.draws(o.Debited.Draws)
	case o.Payment != nil:
		p := o.Payment
		w.byte(tagPayment)
		w.str(p.Ref)
		w.str(p.Account)
		w.str(p.Kind)
		w.buckets(p.Buckets)
		w.int(int64(p.Voided))
		w.int(int64(p.Spent))
		w.str(p.Note)
	case o.Closed != nil:
		w.byte(tagClosed)
		w.int(int64(o.Closed.Credits))
		w.draws(o.Closed.Draws)
		w.hold(o.Closed.Hold)
	case o.Err != nil:
		e := o.Err
		w.byte(tagError)
		w.str(e.Code)
		w.str(e.Field)
		w.str(e.Message)
		w.int(int64(e.Needed))
		w.int(int64(e.Available))
		w.purchase(e.TopUp)
		w.present(e.Standard != nil)
		if e.Standard != nil {
			w.str(e.Standard.Slowdown)
			w.str(e.Standard.Label)
		}
		w.present(e.Quote != nil)
		if e.Quote != nil {
			w.quote(*e.Quote)
		}
	default:
		return nil, errors.New("ledger: storing an empty outcome")
	}
	return w.b, nil
}

func loadOutcome(status int64, stored []byte) (outcome, error) {
	var o outcome
	if status != storedFormat {
		return loadLegacy(status, stored)
	}
	if len(stored) == 0 || stored[0] != storedVersion {
		return o, errors.New("ledger: idempotency record of an unknown version")
	}
	r := &dec{b: stored[1:]}
	switch r.byte() {
	case tagAccount:
		a := &Account{ID: r.str()}
		r.str() // token: never stored
		a.Buckets = r.buckets()
		o.Account = a
	case tagGranted:
		o.Granted = &Granted{Buckets: r.buckets(), Purchase: r.purchase()}
	case tagHeld:
		o.Held = &Held{Hold: r.hold(), Quote: r.quote()}
	case tagClosed:
		o.Closed = &Closed{Credits: estimator.Credits(r.int()), Draws: r.draws(), Hold: r.hold()}
	case tagClosedPartial:
		c := &Closed{Credits: estimator.Credits(r.int()), Draws: r.draws()}
		c.Returned, c.ReturnedDraws = estimator.Credits(r.int()), r.draws()
		c.Hold = r.hold()
		if c.Returned <= 0 { // a full charge is stored as tagClosed
			r.fail()
		}
		o.Closed = c
	case tagVoided:
		o.Voided = &Voided{Bucket: r.str(), Kind: r.str(), Credits: estimator.Credits(r.int()), Held: estimator.Credits(r.int())}
	case tagDebited:
		o.Debited = &Debited{Credits: estimator.Credits(r.int()), Draws: r.draws()}
	case tagPayment:
		p := &Payment{Ref: r.str(), Account: r.str(), Kind: r.str(), Buckets: r.buckets()}
		p.Voided, p.Spent = estimator.Credits(r.int()), estimator.Credits(r.int())
		p.Note = r.str()
		o.Payment = p
	case tagError:
		e := &Error{Code: r.str(), Field: r.str(), Message: r.str()}
		e.Needed, e.Available = estimator.Credits(r.int()), estimator.Credits(r.int())
		e.TopUp = r.purchase()
		if r.present() {
			e.Standard = &StandardOffer{Slowdown: r.str(), Label: r.str()}
		}
		if r.present() {
			q := r.quote()
			e.Quote = &q
		}
		o.Err = e
	default:
		r.fail()
	}
	if r.bad || len(r.b) != 0 {
		return outcome{}, errors.New("ledger: unreadable idempotency record")
	}
	return o, nil
}

type enc struct{ b []byte }

func (w *enc) byte(c byte)      { w.b = append(w.b, c) }
func (w *enc) int(n int64)      { w.b = binary.AppendVarint(w.b, n) }
func (w *enc) uint(n uint64)    { w.b = binary.AppendUvarint(w.b, n) }
func (w *enc) str(s string)     { w.uint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *enc) bytes(p []byte)   { w.uint(uint64(len(p))); w.b = append(w.b, p...) }
func (w *enc) time(t time.Time) { w.int(t.UnixMicro()) }
func (w *enc) present(ok bool)  { w.b = append(w.b, map[bool]byte{false: 0, true: 1}[ok]) }
func (w *enc) list(n int, isNil bool) {
	if isNil {
		w.uint(0)
		return
	}
	w.uint(uint64(n) + 1)
}

func (w *enc) buckets(bs []Bucket) {
	w.list(len(bs), bs == nil)
	for _, b := range bs {
		w.str(b.ID)
		w.str(b.Kind)
		w.str(b.Plan)
		w.int(int64(b.Credits))
		w.time(b.Granted)
		w.time(b.Expires)
	}
}

func (w *enc) draws(ds []Draw) {
	w.list(len(ds), ds == nil)
	for _, d := range ds {
		w.str(d.Bucket)
		w.str(d.Kind)
		w.int(int64(d.Credits))
		w.time(d.Expires)
	}
}

func (w *enc) hold(h Hold) {
	w.str(h.ID)
	w.str(h.Account)
	w.str(h.State)
	w.str(h.Queue)
	w.int(int64(h.Credits))
	w.draws(h.Draws)
	w.time(h.Created)
	w.time(h.Expires)
	w.str(h.RateCard.Version)
	w.str(h.RateCard.Digest)
}

func (w *enc) quote(q Quote) {
	w.int(int64(q.Credits))
	w.str(q.RateCard.Version)
	w.str(q.RateCard.Digest)
	w.bytes(q.Engine)
}

func (w *enc) purchase(p *Purchase) {
	w.present(p != nil)
	if p != nil {
		w.int(int64(p.Need))
		w.int(int64(p.Credits))
		w.bytes(p.Engine)
	}
}

// dec reads what enc wrote; past the end or on a malformed value it sets bad and reads zeros.
type dec struct {
	b   []byte
	bad bool
}

func (r *dec) fail() { r.bad, r.b = true, nil }

func (r *dec) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *dec) int() int64 {
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *dec) uint() uint64 {
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *dec) bytes() []byte {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	p := bytes.Clone(r.b[:n])
	r.b = r.b[n:]
	return p
}

func (r *dec) str() string     { return string(r.bytes()) }
func (r *dec) time() time.Time { return time.UnixMicro(r.int()).UTC() }
func (r *dec) present() bool   { return r.byte() == 1 }

// list returns a list's length, or -1 for nil.
func (r *dec) list() int {
	n := r.uint()
	if n > uint64(len(r.b))+1 { // every element takes at least a byte
		r.fail()
		return -1
	}
	return int(n) - 1
}

func (r *dec) buckets() []Bucket {
	n := r.list()
	if n < 0 {
		return nil
	}
	bs := make([]Bucket, n)
	for i := range bs {
		bs[i] = Bucket{ID: r.str(), Kind: r.str(), Plan: r.str(), Credits: estimator.Credits(r.int()), Granted: r.time(), Expires: r.time()}
	}
	return bs
}

func (r *dec) draws() []Draw {
	n := r.list()
	if n < 0 {
		return nil
	}
	ds := make([]Draw, n)
	for i := range ds {
		ds[i] = Draw{Bucket: r.str(), Kind: r.str(), Credits: estimator.Credits(r.int()), Expires: r.time()}
	}
	return ds
}

func (r *dec) hold() Hold {
	h := Hold{ID: r.str(), Account: r.str(), State: r.str(), Queue: r.str(), Credits: estimator.Credits(r.int())}
	h.Draws = r.draws()
	h.Created, h.Expires = r.time(), r.time()
	h.RateCard.Version, h.RateCard.Digest = r.str(), r.str()
	return h
}

func (r *dec) quote() Quote {
	q := Quote{Credits: estimator.Credits(r.int())}
	q.RateCard.Version, q.RateCard.Digest = r.str(), r.str()
	q.Engine = r.bytes()
	return q
}

func (r *dec) purchase() *Purchase {
	if !r.present() {
		return nil
	}
	return &Purchase{Need: estimator.Credits(r.int()), Credits: estimator.Credits(r.int()), Engine: r.bytes()}
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

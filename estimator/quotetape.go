package estimator

import (
	"strconv"
	"strings"
)

// The quote tape is the wasm module's fast form of the quote op's answer, for the JS shim's
// estimate(): the values of the quote's JSON, in the JSON's order, as text separated by
// TapeSeparator, each array's length before its items, every member of a signal present ("" for
// an absent "ignored"). The shim builds from it the object JSON.parse builds from the JSON (the
// same members, in the same order, with the same values) in a third of the time: JSON.parse of
// a 2 KB quote, most of it the explanation's signals, cost more than the estimate itself
// (docs/wasm.md). The module and the shim are built together, so the tape has no version of its
// own: web/test/node/parity.test.mjs checks estimate() against the native JSON on every quote
// request it sends, and quotetape_test.go the tape against the op's JSON.
//
// Layout (one field per line):
//
//	credits, unitCredits, count, billedSeconds, reference.credits, reference.label,
//	len(breakdown), then factor, label, multiplier per factor,
//	complexity.level, .label, .multiplier, .source, .score,
//	len(signals), then kind, id, label, match, weight, ignored per signal,
//	usd.min, usd.max, rateCard.version, rateCard.digest
//
// A string holding the separator (a rate card's label may) would not come back whole: then the
// answer is the quote's JSON, which begins with '{' (a tape begins with a digit). Every string is
// UTF-8 (the card's JSON and the prompt are checked for it, and a match is cut at word ends), so
// the shim's TextDecoder gives back the strings JSON.parse would.
const TapeSeparator = 0x01

// AppendQuoteTape runs the quote operation on a JSON request, as AppendDo(dst, "quote",
// request) does, and appends its answer as the quote tape (or, when a string of the quote holds
// the separator, as the quote's JSON). For the wasm module; every other caller wants AppendDo.
func (c *RateCard) AppendQuoteTape(dst, request []byte) ([]byte, error) {
	return c.run(quoteTape, dst, request)
}

// quoteTape is the quote op answering with the tape.
func quoteTape(c *RateCard, dst, request []byte) ([]byte, *Error) {
	s, err := decodeQuoteRequest(c, request)
	if err != nil {
		return nil, err
	}
	q, err := c.estimateSharedAs(s, true)
	if err != nil {
		return nil, err
	}
	w := tapeWriter{b: dst}
	q.writeTape(&w, q.signals)
	if w.bad {
		return q.appendJSON(dst, nil), nil
	}
	return w.b, nil
}

// A tapeWriter appends a tape's fields, each followed by the separator, and notes a string that
// holds the separator (bad). Its methods are not inlined: inlined at their ~50 call sites they
// made the module ≈ 2 KB (brotli) larger.
type tapeWriter struct {
	b   []byte
	bad bool
}

//go:noinline
func (w *tapeWriter) str(s string) {
	// Card labels are the strings that could hold it (a prompt may not: checkPrompt).
	if strings.IndexByte(s, TapeSeparator) >= 0 {
		w.bad = true
	}
	w.b = append(append(w.b, s...), TapeSeparator)
}

//go:noinline
func (w *tapeWriter) int(n int64) { w.b = append(strconv.AppendInt(w.b, n, 10), TapeSeparator) }

//go:noinline
func (w *tapeWriter) credits(c Credits) { w.b = append(c.AppendText(w.b), TapeSeparator) }

//go:noinline
func (w *tapeWriter) multiplier(m Multiplier) { w.b = append(m.AppendText(w.b), TapeSeparator) }

// writeTape writes q's tape, with its signals' part given (nil: written from q).
func (q Quote) writeTape(w *tapeWriter, signals []byte) {
	start := len(w.b)
	w.credits(q.Credits)
	w.credits(q.UnitCredits)
	w.int(q.Count)
	w.int(q.BilledSeconds)
	w.credits(q.Reference.Credits)
	w.str(q.Reference.Label)
	w.int(int64(len(q.Breakdown)))
	for _, f := range q.Breakdown {
		w.str(f.Factor)
		w.str(f.Label)
		w.multiplier(f.Multiplier)
	}
	cx := q.Complexity
	w.str(cx.Level)
	w.str(cx.Label)
	w.multiplier(cx.Multiplier)
	w.str(cx.Source)
	w.int(cx.Score)
	if signals == nil {
		if signals = appendTapeSignals(nil, cx.Signals); signals == nil {
			w.bad = true
		}
	}
	w.b = append(w.b, signals...)
	w.b = q.money.appendAmount(w.b, q.USD.Min)
	w.b = append(w.b, TapeSeparator)
	w.b = q.money.appendAmount(w.b, q.USD.Max)
	w.b = append(w.b, TapeSeparator)
	w.str(q.RateCard.Version)
	w.str(q.RateCard.Digest)
	if len(w.b) > start {
		w.b = w.b[:len(w.b)-1] // the last field's separator
	}
}

// appendTapeSignals appends the signals' part of a tape to dst: their number, then their
// fields, each followed by the separator. It returns nil when one of their strings holds the
// separator.
func appendTapeSignals(dst []byte, signals []Signal) []byte {
	w := tapeWriter{b: dst}
	w.int(int64(len(signals)))
	for _, s := range signals {
		w.str(s.Kind)
		w.str(s.ID)
		w.str(s.Label)
		w.str(s.Match)
		w.int(s.Weight)
		w.str(s.Ignored)
	}
	if w.bad {
		return nil
	}
	return w.b
}

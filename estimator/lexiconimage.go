package estimator

import "unicode/utf8"

// The lexicon image: the rules' part of a card's analyzer (everything but the word model) as a
// compact byte string, written at build time (estimator/internal/cmd/cardsource, into the file
// `make wasm` builds in place of cardjson.go) and read back at the embedded card's first prompt
// (deferred.go). Reading it allocates the same values the card's parse builds, in the same table
// slots, without the JSON, the stemming, the validation and the duplicate checks, which were
// most of the editor's first live price after the engine's start in Chromium (docs/wasm.md).
//
// Layout: varints (zigzag-encoded); a string is its length and bytes; a slice is its length plus
// one, 0 for nil (the image keeps nil and empty apart, as a parse does), but where a parse never
// leaves one nil or empty: a lexicon entry's terms, counted in the entry's first number with its
// flags and which of its numbers follow, and a term's words before its last, counted in the
// term's number with its signal, and a Han slot's entries. A table slot is skipped by a run
// length of empty slots. Derived values are not written: a lexicon slot's key (the hash of its
// stem), a Han slot's rune and an entry's second one (from the texts) and the Han first-rune
// filter are recomputed. Strings are read in place: the lexicon's point into the image.

// AppendLexiconImage appends the image of c's rules' lexicon (its complexity analyzer without
// the word model) to b. The module's build writes the default card's into the module
// (estimator/internal/cmd/cardsource), which reads it back at its first prompt instead of
// parsing the lexicon's JSON.
func (c *RateCard) AppendLexiconImage(b []byte) []byte {
	a := c.an()
	w := imageWriter{b: b}
	w.len(a.signals == nil, len(a.signals))
	for _, d := range a.signals {
		w.str(d.id)
		w.str(d.kind)
		w.str(d.label)
		w.int(d.weight)
		w.int(flagBits(d.calmable, d.amplifier, d.pluralOnly))
	}
	// The reader allocates the entries, terms and words before the last of the lexicon, and the
	// Han entries, once each (one allocation per entry was a third of its time in Chromium).
	nTerms, nPrev, nHan := 0, 0, 0
	for _, s := range a.words {
		if s.entry != nil {
			for _, t := range s.entry.terms {
				nTerms++
				nPrev += len(t.prev)
			}
		}
	}
	for _, s := range a.han.slots {
		nHan += len(s.entries)
	}
	w.int(int64(a.nwords))
	w.int(int64(nTerms))
	w.int(int64(nPrev))
	w.int(int64(nHan))
	w.len(a.words == nil, len(a.words))
	gap := 0
	for _, s := range a.words {
		if s.entry == nil {
			gap++
			continue
		}
		w.int(int64(gap))
		gap = 0
		w.str(s.stem)
		e := s.entry
		// One number for the flags, which numbers follow, and the number of terms (an entry's
		// terms are appended, so none is nil); a term's number of words before its last (at most
		// three) with its signal, then those words (its prev, never nil).
		head := flagBits(e.noun, e.unit, e.negator, e.stop, e.calm, e.calmExcept)
		if e.num != 0 {
			head |= 1 << 6
		}
		if e.numPlural != 0 {
			head |= 1 << 7
		}
		w.int(head | int64(len(e.terms))<<8)
		if e.num != 0 {
			w.int(e.num)
		}
		if e.numPlural != 0 {
			w.int(e.numPlural)
		}
		for _, t := range e.terms {
			w.int(int64(len(t.prev)) | int64(t.signal)<<2)
			for _, p := range t.prev {
				w.str(p)
			}
		}
	}
	w.int(int64(gap))
	w.int(int64(a.han.shift))
	w.len(a.han.slots == nil, len(a.han.slots))
	gap = 0
	for _, s := range a.han.slots {
		if s.r == 0 {
			gap++
			continue
		}
		w.int(int64(gap))
		gap = 0
		// A slot holds one entry or more (they are appended), which all start with its rune and
		// whose second runes are in their texts: their texts are read in place.
		w.int(int64(len(s.entries)))
		for _, e := range s.entries {
			w.str(e.text)
			w.int(int64(e.role) | int64(e.signal)<<3)
		}
	}
	w.int(int64(gap))
	w.len(a.hanNouns == nil, len(a.hanNouns))
	for _, r := range sortedRunes(a.hanNouns) {
		w.int(int64(r))
		w.strs(a.hanNouns[r])
	}
	w.runes(a.measures)
	w.runes(a.fillers)
	w.strs(a.hanUnits)
	w.int(a.bareMin)
	w.len(a.bands == nil, len(a.bands))
	for _, bd := range a.bands {
		w.int(bd.min)
		w.int(bd.weight)
	}
	w.str(a.crowdLabel)
	w.int(int64(a.negScope))
	w.len(a.repeats == nil, len(a.repeats))
	for _, r := range a.repeats {
		w.str(r.kind)
		w.int(r.pct)
	}
	return w.b
}

func sortedRunes(m map[rune][]string) []rune {
	rs := make([]rune, 0, len(m))
	for r := range m {
		rs = append(rs, r)
	}
	sortStable(rs, func(x, y *rune) int { return int(*x - *y) })
	return rs
}

type imageWriter struct{ b []byte }

func (w *imageWriter) int(v int64) {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		w.b = append(w.b, byte(u)|0x80)
		u >>= 7
	}
	w.b = append(w.b, byte(u))
}

func (w *imageWriter) str(s string) {
	w.int(int64(len(s)))
	w.b = append(w.b, s...)
}

func (w *imageWriter) len(isNil bool, n int) {
	if isNil {
		w.int(0)
		return
	}
	w.int(int64(n) + 1)
}

func (w *imageWriter) strs(ss []string) {
	w.len(ss == nil, len(ss))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *imageWriter) runes(rs []rune) {
	w.len(rs == nil, len(rs))
	for _, r := range rs {
		w.int(int64(r))
	}
}

func flagBits(fs ...bool) int64 {
	var v int64
	for i, f := range fs {
		if f {
			v |= 1 << i
		}
	}
	return v
}

// readLexiconImage fills a (a zero analyzer) from an image; false if the image is malformed
// (then a is left in an unspecified state and the caller builds from the JSON).
func (a *analyzer) readLexiconImage(img string) (ok bool) {
	r := imageReader{s: img}
	if n, isNil := r.slice(); !isNil {
		a.signals = make([]signalDef, n)
	}
	for i := range a.signals {
		d := &a.signals[i]
		d.id, d.kind, d.label = r.str(), r.str(), r.str()
		d.weight = r.int()
		f := r.int()
		d.calmable, d.amplifier, d.pluralOnly = f&1 != 0, f&2 != 0, f&4 != 0
	}
	a.nwords = r.count()
	entries, terms, prevs, hans := make([]lexEntry, a.nwords), make([]wordTerm, r.count()), make([]string, r.count()), make([]hanEntry, r.count())
	if n, isNil := r.slice(); !isNil {
		a.words = make([]lexSlot, n)
	}
	for i := r.count(); ; {
		if i >= len(a.words) || r.bad {
			break
		}
		s := &a.words[i]
		s.stem = r.str()
		s.key = featureKey(fnvAddString(fnvOffset, s.stem))
		if len(entries) == 0 {
			r.bad = true
			break
		}
		e := &entries[0]
		entries = entries[1:]
		s.entry = e
		f := r.int()
		e.noun, e.unit, e.negator, e.stop, e.calm, e.calmExcept = f&1 != 0, f&2 != 0, f&4 != 0, f&8 != 0, f&16 != 0, f&32 != 0
		if f&(1<<6) != 0 {
			e.num = r.int()
		}
		if f&(1<<7) != 0 {
			e.numPlural = r.int()
		}
		if k := f >> 8; k > 0 {
			if k > int64(len(terms)) {
				r.bad = true
				break
			}
			e.terms, terms = terms[:k:k], terms[k:]
			for j := range e.terms {
				h := r.int()
				np := h & 3
				if np > int64(len(prevs)) {
					r.bad = true
					break
				}
				prev := prevs[:np:np]
				prevs = prevs[np:]
				for p := range prev {
					prev[p] = r.str()
				}
				e.terms[j] = wordTerm{prev: prev, signal: int(h >> 2)}
			}
		}
		i += 1 + r.count()
	}
	a.han.shift = uint8(r.int())
	if n, isNil := r.slice(); !isNil {
		a.han.slots = make([]hanSlot, n)
	}
	for i := r.count(); ; {
		if i >= len(a.han.slots) || r.bad {
			break
		}
		s := &a.han.slots[i]
		k := r.count()
		if k == 0 || k > len(hans) {
			r.bad = true
			break
		}
		s.entries, hans = hans[:k:k], hans[k:]
		for j := range s.entries {
			e := &s.entries[j]
			e.text = r.str()
			first, size := utf8.DecodeRuneInString(e.text)
			if j == 0 {
				s.r = first
				a.markHan(first)
			}
			if size < len(e.text) {
				e.second, _ = utf8.DecodeRuneInString(e.text[size:])
			}
			h := r.int()
			e.role, e.signal = uint8(h&7), int(h>>3)
		}
		i += 1 + r.count()
	}
	if k, isNil := r.slice(); !isNil {
		a.hanNouns = make(map[rune][]string, k)
		for range k {
			nr := rune(r.int())
			a.markHan(nr)
			a.hanNouns[nr] = r.strs()
		}
	}
	a.measures, a.fillers = r.runes(), r.runes()
	a.hanUnits = r.strs()
	a.bareMin = r.int()
	if k, isNil := r.slice(); !isNil {
		a.bands = make([]band, k)
		for i := range a.bands {
			a.bands[i] = band{min: r.int(), weight: r.int()}
		}
	}
	a.crowdLabel = r.str()
	a.negScope = int(r.int())
	if k, isNil := r.slice(); !isNil {
		a.repeats = make([]kindRepeat, k)
		for i := range a.repeats {
			a.repeats[i] = kindRepeat{kind: r.str(), pct: r.int()}
		}
	}
	// The Han index's first slot for a rune is the top bits of its hash: its shift must fit its
	// length, or a lookup would fall outside it.
	fits := a.han.shift >= 1 && a.han.shift <= 32 && len(a.han.slots) == 1<<(32-a.han.shift)
	return fits && !r.bad && r.i == len(r.s) && len(entries) == 0 && len(terms) == 0 && len(prevs) == 0 && len(hans) == 0
}

// imageReader reads an image; past its end or on a bad number it reads zeros and sets bad.
type imageReader struct {
	s   string
	i   int
	bad bool
}

// Not inlined, like its kin: the reader's calls are many, its size is the module's (issue 20).
//
//go:noinline
func (r *imageReader) int() int64 {
	var u uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.i >= len(r.s) {
			r.bad = true
			return 0
		}
		c := r.s[r.i]
		r.i++
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1)
		}
	}
	r.bad = true
	return 0
}

// count reads a length: a number from 0 to the image's length (a longer one is malformed).
//
//go:noinline
func (r *imageReader) count() int {
	n := r.int()
	if n < 0 || n > int64(len(r.s)) {
		r.bad = true
		return 0
	}
	return int(n)
}

//go:noinline
func (r *imageReader) slice() (n int, isNil bool) {
	k := r.count()
	if k == 0 {
		return 0, true
	}
	return k - 1, false
}

//go:noinline
func (r *imageReader) str() string {
	n := r.count()
	if r.bad || n > len(r.s)-r.i {
		r.bad = true
		return ""
	}
	s := r.s[r.i : r.i+n]
	r.i += n
	return s
}

//go:noinline
func (r *imageReader) strs() []string {
	k, isNil := r.slice()
	if isNil {
		return nil
	}
	ss := make([]string, k)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

//go:noinline
func (r *imageReader) runes() []rune {
	k, isNil := r.slice()
	if isNil {
		return nil
	}
	rs := make([]rune, k)
	for i := range rs {
		rs[i] = rune(r.int())
	}
	return rs
}

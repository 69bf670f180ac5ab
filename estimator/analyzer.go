package estimator

import (
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// The complexity analyzer reads a prompt and finds signals of rendering complexity: crowds
// ("thousands of troops", "20 dancers", "数千名士兵"), action ("fighting"), physics
// ("collapsing", "explosions", "water splashing"), particles and fast camera moves. Its lexicon,
// weights and level thresholds are rate card data. It is deterministic: the score is the sum of
// the weights of the distinct signals found, and the level is the highest whose minScore the
// score reaches.
//
// Matching rules: Latin-script words are compared case-insensitively after folding plurals
// ("explosions" → "explosion", "fireflies" → "firefly"); multi-word terms match consecutive
// words, whatever punctuation separates them; Han characters are matched as substrings, since
// Chinese has no spaces between words. Numbers are digits ("20", "1,000") or number words
// ("thousands", "twenty"; Chinese numerals such as 二十, 数千, 两万) and count a crowd when a crowd
// noun follows within three words (Latin) or after an optional measure word (Chinese).

const (
	maxSignalDefs  = 64
	maxTermWords   = 4
	maxWordBytes   = 32
	crowdSignalID  = "crowd-count"
	crowdLookback  = 3
	maxCrowdNumber = 1_000_000_000
)

// Signal is one piece of evidence the analyzer found in a prompt.
type Signal struct {
	Kind   string // "crowd", "action", "physics", "particles", "camera", ...
	ID     string // the card's signal id; "crowd-count" for counted crowds
	Label  string // human label from the card
	Match  string // the words of the prompt that matched, as written
	Weight int64
}

// Complexity is the analyzer's verdict (or the person's explicit choice) for a prompt.
type Complexity struct {
	Level      string
	Label      string
	Multiplier Multiplier
	Source     string // "auto" (from the prompt) or "explicit" (chosen by the person)
	Score      int64
	Signals    []Signal
}

type signalDef struct {
	id, kind, label string
	weight          int64
}

// wordTerm is a Latin term indexed by its last word; prev holds the words before it.
type wordTerm struct {
	prev   []string
	signal int
}

type hanTerm struct {
	text   string
	signal int
}

type band struct{ min, weight int64 }

type analyzer struct {
	signals    []signalDef
	words      map[string]*lexEntry // folded Latin word → what it can mean
	wordBloom  [1 << 10]uint64      // bit wordHash(w): w may be in words; most words skip the map
	han        map[rune][]hanTerm   // first rune → Han terms
	hanNouns   map[rune][]string    // first rune → Han crowd nouns
	hanFirst   [1 << 10]uint64      // bit (r mod 2^16): some Han term or noun may start with r
	bands      []band
	crowdLabel string
}

// lexEntry is everything a folded Latin word can mean to the analyzer.
type lexEntry struct {
	terms     []wordTerm // terms ending with this word
	noun      bool       // a crowd noun
	num       int64      // its value as a number word ("dozen" 12), 0 if none
	numPlural int64      // its value when written as a plural ("dozens" 24), 0 if none
}

// entry returns the lexicon entry of a folded word, creating it.
func (a *analyzer) entry(word string) *lexEntry {
	if a.words == nil {
		a.words = map[string]*lexEntry{}
	}
	e := a.words[word]
	if e == nil {
		e = &lexEntry{}
		a.words[word] = e
		h := wordHash([]byte(word))
		a.wordBloom[h>>6] |= 1 << (h & 63)
	}
	return e
}

// wordHash is a cheap 16-bit hash for the word filter. It reads only the length and the
// first, middle and last bytes (constant time: a byte loop is slow under wasm); the filter
// only decides which words go on to the map lookup.
func wordHash(b []byte) uint32 {
	n := len(b)
	if n == 0 {
		return 0
	}
	x := uint32(b[0]) | uint32(b[n/3])<<8 | uint32(b[2*n/3])<<16 | uint32(b[n-1])<<24
	x = (x ^ uint32(n)*0x85EBCA6B) * 0x9E3779B1
	return x >> 16
}

func (p *cardParser) complexity(o object) {
	if p.err != nil {
		return
	}
	co, ok := p.sub(o, "complexity", "levels", "signals", "crowd", "numberWords")
	if !ok {
		return
	}
	p.levels(co)
	p.signals(co)
	p.crowd(co)
	p.numberWords(co)
}

func (p *cardParser) levels(o object) {
	if p.err != nil {
		return
	}
	items, path, err := o.requiredArray("levels")
	if p.fail(err) {
		return
	}
	if len(items) == 0 || len(items) > 16 {
		p.bad(path, "must list between 1 and 16 levels")
		return
	}
	for i, item := range items {
		ip := index(path, i)
		lo, err := asObject(item, ip, "name", "label", "multiplier", "minScore")
		if p.fail(err) {
			return
		}
		var l level
		var np string
		l.name, np, err = lo.requiredString("name")
		if p.fail(err) {
			return
		}
		if l.name == "" || l.name == complexityAuto || p.c.levelIndex(l.name) >= 0 {
			p.bad(np, "must be a unique level name other than \"auto\"")
			return
		}
		l.label = p.label(lo, "label")
		l.mult = p.multiplier(lo, "multiplier", 1)
		var sp string
		l.minScore, sp, err = lo.requiredInt("minScore", 0, 1_000_000)
		if p.fail(err) {
			return
		}
		if i == 0 && l.minScore != 0 {
			p.bad(sp, "the first level must start at score 0")
			return
		}
		if i > 0 {
			prev := p.c.levels[i-1]
			if l.minScore <= prev.minScore {
				p.bad(sp, "levels must be sorted by minScore with no overlap")
				return
			}
			if l.mult <= prev.mult {
				p.bad(join(ip, "multiplier"), "a higher level must cost more than a lower one")
				return
			}
		}
		p.c.levels = append(p.c.levels, l)
	}
}

func (p *cardParser) signals(o object) {
	if p.err != nil {
		return
	}
	items, path, err := o.requiredArray("signals")
	if p.fail(err) {
		return
	}
	if len(items) > maxSignalDefs {
		p.bad(path, "lists more than 64 signals")
		return
	}
	a := &p.c.analyzer
	a.han = map[rune][]hanTerm{}
	seenTerm := map[string]string{}
	seenID := map[string]bool{crowdSignalID: true}
	for i, item := range items {
		ip := index(path, i)
		so, err := asObject(item, ip, "id", "kind", "label", "weight", "terms")
		if p.fail(err) {
			return
		}
		var d signalDef
		var idp string
		d.id, idp, err = so.requiredString("id")
		if p.fail(err) {
			return
		}
		if d.id == "" || seenID[d.id] {
			p.bad(idp, "must be a unique id (\""+crowdSignalID+"\" is reserved)")
			return
		}
		seenID[d.id] = true
		d.kind = p.label(so, "kind")
		d.label = p.label(so, "label")
		d.weight, _, err = so.requiredInt("weight", 0, maxWeight)
		if p.fail(err) {
			return
		}
		terms, tp, err := so.requiredArray("terms")
		if p.fail(err) {
			return
		}
		if len(terms) == 0 {
			p.bad(tp, "must list at least one term")
			return
		}
		for j, t := range terms {
			jp := index(tp, j)
			if t.Kind != jsonx.String {
				p.fail(typeError(jp, "a string", t))
				return
			}
			key, ok := p.addTerm(t.Str, len(a.signals), jp)
			if !ok {
				return
			}
			if prev, dup := seenTerm[key]; dup {
				p.bad(jp, "term \""+t.Str+"\" is already listed at "+prev)
				return
			}
			seenTerm[key] = jp
		}
		a.signals = append(a.signals, d)
	}
}

// addTerm indexes one lexicon term; it returns the term's normalized key.
func (p *cardParser) addTerm(term string, signal int, path string) (string, bool) {
	a := &p.c.analyzer
	if strings.TrimSpace(term) == "" || len(term) > 64 {
		p.bad(path, "must be a non-empty term of at most 64 bytes")
		return "", false
	}
	if r, _ := utf8.DecodeRuneInString(term); isHan(r) {
		for _, r := range term {
			if !isHan(r) {
				p.bad(path, "a Chinese term must consist of Han characters only")
				return "", false
			}
		}
		a.han[r] = append(a.han[r], hanTerm{text: term, signal: signal})
		a.markHan(r)
		return term, true
	}
	words := latinWords(term)
	if len(words) == 0 || len(words) > maxTermWords {
		p.bad(path, "a term must have between 1 and 4 words")
		return "", false
	}
	e := a.entry(words[len(words)-1])
	e.terms = append(e.terms, wordTerm{prev: words[:len(words)-1], signal: signal})
	return strings.Join(words, " "), true
}

func (p *cardParser) crowd(o object) {
	if p.err != nil {
		return
	}
	co, ok := p.sub(o, "crowd", "label", "nouns", "bands")
	if !ok {
		return
	}
	a := &p.c.analyzer
	a.crowdLabel = p.label(co, "label")
	nouns, np, err := co.requiredArray("nouns")
	if p.fail(err) {
		return
	}
	a.hanNouns = map[rune][]string{}
	for j, n := range nouns {
		jp := index(np, j)
		if n.Kind != jsonx.String {
			p.fail(typeError(jp, "a string", n))
			return
		}
		if r, _ := utf8.DecodeRuneInString(n.Str); isHan(r) {
			a.hanNouns[r] = append(a.hanNouns[r], n.Str)
			a.markHan(r)
			continue
		}
		words := latinWords(n.Str)
		if len(words) != 1 {
			p.bad(jp, "a crowd noun is one word")
			return
		}
		a.entry(words[0]).noun = true
	}
	items, bp, err := co.requiredArray("bands")
	if p.fail(err) {
		return
	}
	if len(items) == 0 || len(items) > 16 {
		p.bad(bp, "must list between 1 and 16 bands")
		return
	}
	for i, item := range items {
		ip := index(bp, i)
		bo, err := asObject(item, ip, "min", "weight")
		if p.fail(err) {
			return
		}
		min, mp, err := bo.requiredInt("min", 2, maxCrowdNumber)
		if p.fail(err) {
			return
		}
		w, wp, err := bo.requiredInt("weight", 0, maxWeight)
		if p.fail(err) {
			return
		}
		if i > 0 {
			if min <= a.bands[i-1].min {
				p.bad(mp, "bands must be sorted by min with no overlap")
				return
			}
			if w < a.bands[i-1].weight {
				p.bad(wp, "a bigger crowd must not weigh less than a smaller one")
				return
			}
		}
		a.bands = append(a.bands, band{min: min, weight: w})
	}
}

func (p *cardParser) numberWords(o object) {
	if p.err != nil {
		return
	}
	v, path, ok := o.get("numberWords")
	if !ok {
		p.fail(missing(path))
		return
	}
	if v.Kind != jsonx.Object {
		p.fail(typeError(path, "an object", v))
		return
	}
	a := &p.c.analyzer
	for _, m := range v.Members {
		kp := join(path, m.Key)
		if m.Key == "" || len(m.Key) > maxWordBytes || asciiLower(m.Key) != m.Key || len(latinWords(m.Key)) != 1 {
			p.bad(kp, "must be one lower-case word")
			return
		}
		n, err := fixedValue(m.Value, kp, 0, 1, maxCrowdNumber, false, "an integer")
		if p.fail(err) {
			return
		}
		// Keyed by the folded form, like every word: "dozens" is the plural of "dozen".
		var w word
		readWord(m.Key, 0, &w)
		if e := a.entry(w.folded()); w.plural {
			e.numPlural = n
		} else {
			e.num = n
		}
	}
}

// levelIndex finds a complexity level by name; -1 if none.
func (c *RateCard) levelIndex(name string) int {
	for i := range c.levels {
		if c.levels[i].name == name {
			return i
		}
	}
	return -1
}

// levelForScore returns the highest level whose minScore the score reaches.
func (c *RateCard) levelForScore(score int64) int {
	li := 0
	for i := range c.levels {
		if score >= c.levels[i].minScore {
			li = i
		}
	}
	return li
}

// Analyze reads a prompt and returns its complexity as the card's analyzer sees it.
func (c *RateCard) Analyze(prompt string) Complexity {
	var found signalSet
	c.analyzer.scan(prompt, &found)
	li := c.levelForScore(found.score)
	l := c.levels[li]
	return Complexity{
		Level:      l.name,
		Label:      l.label,
		Multiplier: l.mult,
		Source:     complexityAuto,
		Score:      found.score,
		Signals:    c.analyzer.signalsOf(prompt, &found),
	}
}

// hit is one signal found: which (index into signals, or crowdHit) and where.
type hit struct {
	signal     int
	start, end int
	weight     int64
}

const crowdHit = -1

// signalSet collects distinct signals in order of first appearance without allocating.
type signalSet struct {
	n     int
	seen  uint64 // bit i: signals[i] found
	crowd int    // index of the crowd hit in items, -1 before one
	score int64
	items [maxSignalDefs + 1]hit
}

func (s *signalSet) add(h hit) {
	if h.signal == crowdHit {
		if s.crowd < 0 {
			s.crowd = s.n
			s.items[s.n] = h
			s.n++
			s.score += h.weight
		} else if h.weight > s.items[s.crowd].weight {
			// A bigger crowd replaces a smaller one: one crowd signal, the largest.
			s.score += h.weight - s.items[s.crowd].weight
			s.items[s.crowd] = h
		}
		return
	}
	if s.seen&(1<<uint(h.signal)) != 0 {
		return
	}
	s.seen |= 1 << uint(h.signal)
	s.items[s.n] = h
	s.n++
	s.score += h.weight
}

// signalsOf turns the hits into the contract's signals (one allocation).
func (a *analyzer) signalsOf(prompt string, s *signalSet) []Signal {
	out := make([]Signal, s.n)
	for i, h := range s.items[:s.n] {
		if h.signal == crowdHit {
			out[i] = Signal{Kind: "crowd", ID: crowdSignalID, Label: a.crowdLabel, Match: prompt[h.start:h.end], Weight: h.weight}
			continue
		}
		d := &a.signals[h.signal]
		out[i] = Signal{Kind: d.kind, ID: d.id, Label: d.label, Match: prompt[h.start:h.end], Weight: h.weight}
	}
	return out
}

// word is one Latin word of the prompt as the scanner keeps it.
type word struct {
	buf        [maxWordBytes]byte
	n          int  // bytes in buf (lower-cased, folded); 0 for a word too long to match
	plural     bool // folding removed a plural ending
	digits     bool // all digits (and commas between them)
	start, end int  // byte span in the prompt
	num        int64
}

func (w *word) folded() string { return string(w.buf[:w.n]) }

func (a *analyzer) scan(prompt string, found *signalSet) {
	found.crowd = -1
	var window [maxTermWords]word // the last words, the newest at (count-1)%len
	count := 0
	i := 0
	for i < len(prompt) {
		b := prompt[i]
		if b < utf8.RuneSelf {
			if isASCIIWordByte(b) {
				w := &window[count%len(window)]
				i = readWord(prompt, i, w)
				count++
				a.matchWord(&window, count, found)
				continue
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(prompt[i:])
		switch {
		case isHan(r):
			a.scanHan(prompt, i, r, found)
			i += size // a Han character also separates Latin words
		case isWordRune(r):
			w := &window[count%len(window)]
			i = readWord(prompt, i, w)
			count++
			a.matchWord(&window, count, found)
		default:
			i += size
		}
	}
}

// Classes of ASCII bytes for readWord and scan: one table load instead of a chain of
// comparisons per byte, which the wasm backend runs slowly.
const (
	clsOther = iota // a separator (and every non-ASCII byte: see readWord)
	clsLower        // a-z and the apostrophe
	clsUpper        // A-Z
	clsDigit        // 0-9
	clsComma        // part of a number between digits: "1,000"
)

var asciiClass = func() (t [256]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		t[b] = clsLower
	}
	t['\''] = clsLower
	for b := 'A'; b <= 'Z'; b++ {
		t[b] = clsUpper
	}
	for b := '0'; b <= '9'; b++ {
		t[b] = clsDigit
	}
	t[','] = clsComma
	return t
}()

// load64 returns s[i:i+8] as a little-endian word; the compiler makes it one load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// store64 stores x little-endian into b[:8]; the compiler makes it one store.
func store64(b []byte, x uint64) {
	b = b[:8]
	b[0], b[1], b[2], b[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
	b[4], b[5], b[6], b[7] = byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)
}

// lowerPrefix returns how many of the low-order bytes of x, in memory order, are 'a'..'z'
// before the first byte that is not: 0 to 8. (A byte >= 0x80 may carry into the next one, but
// it ends the prefix first.)
func lowerPrefix(x uint64) int {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	lower := (x + lsb*(0x80-'a')) &^ (x + lsb*(0x80-'z'-1)) &^ x & msb
	return bits.TrailingZeros64(^lower&msb) >> 3
}

// readWord reads the word starting at i into w, lower-cased and folded, and returns the index
// after it. A number's value is kept in w.num.
func readWord(s string, i int, w *word) int {
	// The state lives in locals (registers) while reading and is stored into w once.
	n, digits, num := 0, true, int64(0) // n < 0: too long to match anything
	overflow := false
	j := i
	for j < len(s) {
		// Fast path: copy a run of up to eight lower-case letters at once (most of a prompt).
		if j+8 <= len(s) && uint(n) <= uint(len(w.buf)-8) {
			x := load64(s, j)
			if k := lowerPrefix(x); k > 0 {
				store64(w.buf[n:], x) // bytes past the run are overwritten later or ignored
				n += k
				j += k
				digits = false
				if k == 8 {
					continue
				}
				if j >= len(s) {
					break
				}
			}
		}
		b := s[j]
		if b < utf8.RuneSelf {
			switch asciiClass[b] {
			case clsLower:
				digits = false
			case clsUpper:
				digits = false
				b += 'a' - 'A'
			case clsDigit:
				if num > maxCrowdNumber {
					overflow = true
				} else {
					num = num*10 + int64(b-'0')
				}
			case clsComma:
				if digits && j > i && j+1 < len(s) && isDigit(s[j+1]) {
					// A comma between digits belongs to a number: "1,000".
					j++
					continue
				}
				goto done
			default:
				goto done
			}
			if uint(n) < uint(len(w.buf)) {
				w.buf[n] = b
				n++
			} else {
				n = -1
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if isHan(r) || !isWordRune(r) {
			break
		}
		digits = false
		lr := toLower(r)
		if n >= 0 && n+utf8.RuneLen(lr) <= len(w.buf) {
			n += utf8.EncodeRune(w.buf[n:], lr)
		} else {
			n = -1
		}
		j += size
	}
done:
	w.start, w.end, w.digits, w.plural = i, j, digits, false
	switch {
	case n < 0:
		w.n, w.num = 0, 0
	case digits && overflow:
		w.n, w.num = n, maxCrowdNumber
	case digits:
		w.n, w.num = n, num
	default:
		w.num = 0
		f := fold(w.buf[:n])
		w.plural = f != n
		w.n = f
	}
	return j
}

// matchWord checks the newest word (at count-1) against the lexicon: terms ending with it, a
// number word, a crowd noun counted by a number up to three words before it.
func (a *analyzer) matchWord(window *[maxTermWords]word, count int, found *signalSet) {
	cur := &window[(count-1)%len(window)]
	if cur.n == 0 || cur.digits {
		return
	}
	h := wordHash(cur.buf[:cur.n])
	if a.wordBloom[h>>6]&(1<<(h&63)) == 0 {
		return
	}
	e := a.words[cur.folded()]
	if e == nil {
		return
	}
	if cur.plural && e.numPlural > 0 {
		cur.num = e.numPlural
	} else if !cur.plural && e.num > 0 {
		cur.num = e.num
	}
	for _, t := range e.terms {
		if len(t.prev) >= count {
			continue
		}
		start := cur.start
		ok := true
		for k := range t.prev {
			w := &window[(count-2-k+len(window))%len(window)]
			if w.folded() != t.prev[len(t.prev)-1-k] {
				ok = false
				break
			}
			start = w.start
		}
		if ok {
			found.add(hit{signal: t.signal, start: start, end: cur.end, weight: a.signals[t.signal].weight})
		}
	}
	if !e.noun {
		return
	}
	for k := 1; k <= crowdLookback && k < count; k++ {
		w := &window[(count-1-k+len(window))%len(window)]
		if w.num > 0 {
			a.addCrowd(found, w.num, w.start, cur.end)
			return
		}
	}
}

// addCrowd records a counted crowd if it reaches a band.
func (a *analyzer) addCrowd(found *signalSet, n int64, start, end int) {
	var weight int64 = -1
	for _, b := range a.bands {
		if n >= b.min {
			weight = b.weight
		}
	}
	if weight >= 0 {
		found.add(hit{signal: crowdHit, start: start, end: end, weight: weight})
	}
}

// markHan notes that a Han term or noun starts with r.
func (a *analyzer) markHan(r rune) { a.hanFirst[(r>>6)&0x3ff] |= 1 << (uint(r) & 63) }

// mayStartHan is a cheap filter before the map lookups: false means nothing starts with r.
func (a *analyzer) mayStartHan(r rune) bool { return a.hanFirst[(r>>6)&0x3ff]&(1<<(uint(r)&63)) != 0 }

// scanHan matches Han terms and counted Han crowds at byte i, where the rune r starts.
func (a *analyzer) scanHan(prompt string, i int, r rune, found *signalSet) {
	if !a.mayStartHan(r) {
		return
	}
	rest := prompt[i:]
	for _, t := range a.han[r] {
		if strings.HasPrefix(rest, t.text) {
			found.add(hit{signal: t.signal, start: i, end: i + len(t.text), weight: a.signals[t.signal].weight})
		}
	}
	for _, noun := range a.hanNouns[r] {
		if !strings.HasPrefix(rest, noun) {
			continue
		}
		// Look back over at most two measure words or 的, then read the numeral before them.
		j := i
		for k := 0; k < 2 && j > 0; k++ {
			pr, size := utf8.DecodeLastRuneInString(prompt[:j])
			if !isMeasureWord(pr) {
				break
			}
			j -= size
		}
		start := j
		for start > 0 {
			pr, size := utf8.DecodeLastRuneInString(prompt[:start])
			if !isHanNumeral(pr) && !(pr < utf8.RuneSelf && (isDigit(byte(pr)) || pr == ',')) {
				break
			}
			start -= size
		}
		if start == j {
			continue
		}
		if n := parseNumeral(prompt[start:j]); n > 0 {
			a.addCrowd(found, n, start, i+len(noun))
			return
		}
	}
}

// parseNumeral reads digits or a Chinese numeral (二十, 三百, 两千, 数千, 一万二千). 数 and 几
// ("several") count as one of the unit that follows. It returns 0 when it cannot read one.
func parseNumeral(s string) int64 {
	var total, section, digit int64
	arabic := int64(-1)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if arabic < 0 {
				arabic = 0
			}
			if arabic <= maxCrowdNumber {
				arabic = arabic*10 + int64(r-'0')
			}
			continue
		case r == ',':
			continue
		}
		if arabic >= 0 {
			// Digits followed by a unit: "3千" = 3000.
			digit, arabic = min(arabic, maxCrowdNumber), -1
		}
		switch r {
		case '零':
			digit = 0
		case '一':
			digit = 1
		case '二', '两':
			digit = 2
		case '三':
			digit = 3
		case '四':
			digit = 4
		case '五':
			digit = 5
		case '六':
			digit = 6
		case '七':
			digit = 7
		case '八':
			digit = 8
		case '九':
			digit = 9
		case '数', '几':
			digit = 1
		case '十', '百', '千':
			unit := int64(10)
			if r == '百' {
				unit = 100
			} else if r == '千' {
				unit = 1000
			}
			if digit == 0 {
				digit = 1
			}
			section += digit * unit
			digit = 0
		case '万':
			total += (section + digit) * 10_000
			section, digit = 0, 0
		}
		if total > maxCrowdNumber {
			return maxCrowdNumber
		}
	}
	if arabic >= 0 {
		digit = min(arabic, maxCrowdNumber)
	}
	return min(total+section+digit, maxCrowdNumber)
}

func isHanNumeral(r rune) bool {
	return strings.ContainsRune("零一二两三四五六七八九十百千万数几", r)
}

func isMeasureWord(r rune) bool {
	return strings.ContainsRune("名个位只匹头辆艘架群条的多余", r)
}

// isHan reports whether r is a Han ideograph, by Unicode block (the module carries no Unicode
// tables: they would cost about 85 KB of compressed wasm).
func isHan(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, // CJK Unified Ideographs, by far the most common
		r >= 0x3400 && r <= 0x4DBF,   // Extension A
		r >= 0x20000 && r <= 0x323AF, // Extensions B to H
		r >= 0xF900 && r <= 0xFAFF,   // Compatibility Ideographs
		r >= 0x2E80 && r <= 0x2FDF,   // Radicals
		r == 0x3005, r == 0x3007:     // 々 〇
		return true
	}
	return false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// isWordRune reports whether r belongs to a word. Beyond ASCII it counts every rune as a
// letter except the common separators, punctuation, symbols and emoji.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIWordByte(byte(r))
	}
	switch {
	case r <= 0xBF: // Latin-1 punctuation and symbols: no-break space, « », ¿ ...
		return r == 0xAA || r == 0xB5 || r == 0xBA
	case r == 0xD7, r == 0xF7, // × ÷
		r >= 0x2000 && r <= 0x2BFF,                                                                                     // general punctuation, symbols, arrows, shapes
		r >= 0x3000 && r <= 0x303F,                                                                                     // CJK punctuation
		r >= 0xFE30 && r <= 0xFE4F,                                                                                     // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF0F, r >= 0xFF1A && r <= 0xFF20, r >= 0xFF3B && r <= 0xFF40, r >= 0xFF5B && r <= 0xFF65, // full-width punctuation
		r >= 0x1F000, // emoji and pictographs
		r == 0xFEFF, r == 0xFFFD:
		return false
	}
	return true
}

// toLower lower-cases the letters of Latin-1, Latin Extended-A, Greek and Cyrillic; other runes
// are returned as they are. (The lexicon is English and Chinese; this keeps accented words of
// other languages matching their own lower-case forms without Unicode tables.)
func toLower(r rune) rune {
	switch {
	case r >= 0xC0 && r <= 0xDE && r != 0xD7, r >= 0x391 && r <= 0x3AB && r != 0x3A2, r >= 0x410 && r <= 0x42F:
		return r + 32
	case r >= 0x400 && r <= 0x40F:
		return r + 80
	case r >= 0x100 && r <= 0x137, r >= 0x14A && r <= 0x177:
		return r | 1
	case r >= 0x139 && r <= 0x148, r >= 0x179 && r <= 0x17E:
		if r%2 == 1 {
			return r + 1
		}
	}
	return r
}

func isASCIIWordByte(b byte) bool {
	c := asciiClass[b]
	return c != clsOther && c != clsComma
}

// latinWords splits a lexicon term into folded words the way the scanner reads a prompt.
func latinWords(s string) []string {
	var words []string
	var w word
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) && !isHan(r) {
			i = readWord(s, i, &w)
			if w.n == 0 {
				return nil
			}
			words = append(words, w.folded())
			continue
		}
		i += size
	}
	return words
}

// fold turns a lower-case English plural into its singular form in place and returns the new
// length: "explosions" → "explosion", "splashes" → "splash", "fireflies" → "firefly".
// Words ending in "ss", "us" or "is" are kept ("grass", "debris").
func fold(b []byte) int {
	n := len(b)
	if n < 4 || b[n-1] != 's' {
		return n
	}
	switch {
	case n > 4 && b[n-3] == 'i' && b[n-2] == 'e':
		b[n-3] = 'y'
		return n - 2
	case n > 4 && b[n-2] == 'e' && (b[n-3] == 'x' || (b[n-3] == 's' || b[n-3] == 'h') && (b[n-4] == 's' || b[n-4] == 'c')):
		// -sses, -shes, -ches, -xes
		return n - 2
	case b[n-2] == 's' || b[n-2] == 'u' || b[n-2] == 'i' || b[n-2] == '\'':
		return n
	}
	return n - 1
}

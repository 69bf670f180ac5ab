package estimator

import (
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator/internal/scan"
)

// The complexity analyzer reads a prompt and finds signals of rendering complexity: crowds
// ("thousands of bison", "a herd of", "两百名乐手"), action ("fighting"), physics ("collapsing",
// "a flash flood"), particles, fast camera moves and words of scale ("massive"). Its lexicon,
// weights, rules' parameters and level thresholds are rate card data. It is deterministic and
// exact: the score is an integer sum of the weights of the distinct signals it counts, and the
// level is the highest whose minScore the score reaches. docs/complexity.md describes the rules
// and the rubric they are measured against.
//
// Words. Latin-script words are lower-cased and stemmed (scan.Stem: "explosions", "exploding",
// "exploded" all match the term "explode"); multi-word terms match consecutive words, whatever
// punctuation separates them. Han text has no spaces: each run of Han characters is segmented
// by longest match over the card's Han lexicon, left to right.
//
// Rules. A number (digits, number words, "two hundred"; Chinese numerals 两百, 数千, 一万二千)
// counts a crowd when, within three words, a crowd noun or any plural noun that is not a unit
// follows ("hundreds of commuters"; not "ten seconds"), or in Chinese when a measure word (名,
// 只, 艘, …) or a crowd noun follows, or the numeral is large and no unit follows (百万角马).
// A negation ("no", "without", 没有) makes the signals of the next few words in its clause
// ignored; slowness or stillness ("slow", "quiet", 缓缓) anywhere in a clause cancels that
// clause's "calmable" signals (fast moves, camera moves, water, weather); an "amplifier" signal
// (scale words: "massive", "epic") counts only beside another counted signal. Ignored signals
// are still reported, with weight 0 and the reason, so the explanation shows what was read.

const (
	maxSignalDefs  = 64
	maxTermWords   = 4
	maxHanTerm     = 32 // bytes (ten Han characters)
	crowdSignalID  = "crowd-count"
	crowdLookback  = 3
	maxCrowdNumber = scan.MaxNumber
	maxScope       = 16
)

// Reasons a signal is reported but not counted (Signal.Ignored).
const (
	IgnoredNegated = "negated" // inside a negation: "no crowds", "没有爆炸"
	IgnoredSlow    = "slow"    // a calmable signal in a clause that says slow or still
	IgnoredAlone   = "alone"   // an amplifier with nothing counted to amplify
)

// Signal is one piece of evidence the analyzer found in a prompt.
type Signal struct {
	Kind    string // "crowd", "action", "physics", "particles", "camera", "scale", ...
	ID      string // the card's signal id; "crowd-count" for counted crowds
	Label   string // human label from the card
	Match   string // the words of the prompt that matched, as written
	Weight  int64  // what it adds to the score; 0 when ignored
	Ignored string // "" when counted, else why not: IgnoredNegated, IgnoredSlow, IgnoredAlone
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
	calmable        bool // cancelled by slowness or stillness in its clause
	amplifier       bool // counts only beside another counted signal
	pluralOnly      bool // Latin terms match only plural forms: "soldiers", not "a soldier"
}

// wordTerm is a Latin term indexed by the stem of its last word; prev holds the stems before it.
type wordTerm struct {
	prev   []string
	signal int
}

// Roles of a Han lexicon entry.
const (
	hanSignal = iota
	hanNegator
	hanStop
	hanCalm
	hanNeutral // a word that means nothing here but must not be split (火山 is not 火)
)

type hanEntry struct {
	text   string
	second rune // the second character, 0 for a one-character entry: most candidates fail on it
	role   uint8
	signal int
}

type band struct{ min, weight int64 }

type analyzer struct {
	signals    []signalDef
	words      []lexSlot // Latin stem → what it can mean: open addressing by the stem's FNV hash
	nwords     int
	han        hanIndex          // first rune → Han entries, longest first
	hanNouns   map[rune][]string // first rune → Han crowd nouns
	hanFirst   [1 << 10]uint64   // bit (r mod 2^16): some Han entry or noun may start with r
	measures   []rune            // Han measure words that count a crowd after a numeral
	fillers    []rune            // Han characters skipped between a numeral and a noun (个, 多)
	hanUnits   []string          // Han units after which a numeral is not a crowd (年, 米)
	bareMin    int64             // a Han numeral this large counts a crowd on its own
	bands      []band
	crowdLabel string
	negScope   int // words (Latin) or characters (Han) a negation covers
	repeats    []kindRepeat
	model      wordModel // learned weights of words and pairs (analyzer_model.go)
}

// kindRepeat: after the heaviest counted signal of a kind, each further one adds pct percent of
// its weight ("crowded", "rush hour" and "hundreds of commuters" are one crowd).
type kindRepeat struct {
	kind string
	pct  int64
}

// lexEntry is everything a Latin stem can mean to the analyzer.
type lexEntry struct {
	terms      []wordTerm // terms ending with this stem
	noun       bool       // a crowd noun ("bison", "people")
	unit       bool       // a unit, never a crowd ("seconds", "frames")
	negator    bool       // "no", "without"
	stop       bool       // ends a negation: "but"
	calm       bool       // "slow", "quiet"
	calmExcept bool       // a calm word directly before it is not calm: "slow motion"
	num        int64      // its value as a number word ("dozen" 12), 0 if none
	numPlural  int64      // its value when written as a plural ("dozens" 24), 0 if none
}

// lexSlot is one slot of the lexicon's table (empty while entry is nil): a stem, its key (featureKey of its FNV-1a hash,
// the hash the word model reads the word by) and its entry.
type lexSlot struct {
	key   uint64
	stem  string
	entry *lexEntry
}

// entry returns the lexicon entry of a stem, creating it.
func (a *analyzer) entry(stem string) *lexEntry {
	key := featureKey(fnvAddString(fnvOffset, stem))
	if e := a.find(stem, key); e != nil {
		return e
	}
	if 2*(a.nwords+1) > len(a.words) {
		old := a.words
		a.words = make([]lexSlot, max(64, 2*len(old)))
		for _, s := range old {
			if s.entry != nil {
				a.place(s)
			}
		}
	}
	e := &lexEntry{}
	a.place(lexSlot{key: key, stem: stem, entry: e})
	a.nwords++
	return e
}

func (a *analyzer) place(s lexSlot) {
	mask := uint64(len(a.words) - 1)
	for i := s.key & mask; ; i = (i + 1) & mask {
		if a.words[i].entry == nil {
			a.words[i] = s
			return
		}
	}
}

// find returns the entry of the stem whose key is given, or nil.
func (a *analyzer) find(stem string, key uint64) *lexEntry {
	if len(a.words) == 0 {
		return nil
	}
	mask := uint64(len(a.words) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &a.words[i]
		if s.entry == nil {
			return nil
		}
		if s.key == key && s.stem == stem {
			return s.entry
		}
	}
}

// lookup returns the lexicon entry of a stem whose FNV-1a hash is h, or nil. The scan hashes
// each word once, for this table and for the word model.
func (a *analyzer) lookup(stem []byte, h uint64) *lexEntry {
	if len(stem) == 0 || len(a.words) == 0 {
		return nil
	}
	key := featureKey(h)
	mask := uint64(len(a.words) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &a.words[i]
		if s.entry == nil {
			return nil
		}
		if s.key == key && s.stem == string(stem) {
			return s.entry
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
	if prompt == "" {
		// Nothing to read: score 0 and no signals, without building a deferred analyzer (the
		// price a page shows before anyone types). TestAnalyzeEmptyPrompt checks it is what
		// the scan gives.
		return c.complexityOf(0, []Signal{})
	}
	return c.analyzeText(prompt)
}

// analyzeText is Analyze through the scan.
func (c *RateCard) analyzeText(prompt string) Complexity {
	a := c.an()
	var st scanState
	a.scan(prompt, &st)
	score := st.resolve(a)
	if cut := c.spreadCut(a, prompt, score); cut < 0 {
		st.push(spreadHit, hit{start: 1<<62 - 1, end: 1<<62 - 1, weight: cut})
		score += cut
	}
	return c.complexityOf(score, a.signalsOf(prompt, &st))
}

// spreadCut returns what the card's spread cap (model.spread) takes off the score of a prompt
// of several sentences priced more than its levels above its heaviest sentence read alone: the
// score then is the highest of the level the cap allows. 0 when it does not apply. Only
// prompts at the cap's reach are read again, sentence by sentence, stopping at the first that
// allows their level: at most one more reading of the prompt.
func (c *RateCard) spreadCut(a *analyzer, prompt string, score int64) int64 {
	above := a.model.spread.levels
	li := c.levelForScore(score)
	if above == 0 || li <= above {
		return 0
	}
	heaviest, sentences := -1, 0
	var st scanState
	read := func(start, end int) bool {
		st.reset()
		a.scan(prompt[start:end], &st)
		heaviest = max(heaviest, c.levelForScore(st.resolve(a)))
		return heaviest+above < li
	}
	var first [2]int
	scan.Sentences(prompt, func(start, end int) bool {
		// The first sentence is read once a second one shows the prompt has several.
		switch sentences++; sentences {
		case 1:
			first = [2]int{start, end}
			return true
		case 2:
			if !read(first[0], first[1]) {
				return false
			}
		}
		return read(start, end)
	})
	if sentences < 2 || heaviest+above >= li {
		return 0
	}
	return c.levels[heaviest+above+1].minScore - 1 - score
}

func (c *RateCard) complexityOf(score int64, signals []Signal) Complexity {
	l := c.levels[c.levelForScore(score)]
	return Complexity{
		Level:      l.name,
		Label:      l.label,
		Multiplier: l.mult,
		Source:     complexityAuto,
		Score:      score,
		Signals:    signals,
	}
}

// hit is one signal found: where, and why it does not count ("" if it does).
type hit struct {
	start, end int
	weight     int64
	ignored    string
}

// scanState is what the scan collects, without allocating: per signal the first counted hit
// and the first ignored one; the calmable hits of the current clause until it ends; the
// largest crowd.
type scanState struct {
	live, dead  uint64 // bit i: signal i has a counted / an ignored hit
	liveHit     [maxSignalDefs]hit
	deadHit     [maxSignalDefs]hit
	pending     uint64 // calmable hits of the clause, decided when it ends
	pendHit     [maxSignalDefs]hit
	clauseCalm  bool
	crowd, gone hit // the largest counted crowd and the first ignored one (weight 0: none)
	hasCrowd    bool
	hasGone     bool
	crowdBand   int // the band of the largest counted crowd
	words       wordHits
	out         [maxSignalDefs + 4 + maxExplain]hit // resolve: the signals to report, in order
	outID       [maxSignalDefs + 4 + maxExplain]int // index into signals, crowdHit, wordsHit, otherHit, togetherHit or spreadHit
	n           int
}

const crowdHit = -1

// reset makes st read a new text as a zero scanState does, without clearing the hit arrays
// (≈ 14 KB): they are read only where the masks (live, dead, pending) and the counts (n,
// words.ntop) say they were written. Reading a prompt's sentences again (spreadCut) clears the
// rest only. TestScanStateReset and FuzzScanStateReset compare with a zero state.
func (st *scanState) reset() {
	st.live, st.dead, st.pending = 0, 0, 0
	st.clauseCalm = false
	st.crowd, st.gone = hit{}, hit{}
	st.hasCrowd, st.hasGone = false, false
	st.crowdBand = 0
	st.n = 0
	wh := &st.words
	clear(wh.seen[:])
	wh.sum, wh.count, wh.ntop, wh.shown = 0, 0, 0, 0
	clear(wh.ofSignal[:])
	wh.collect = nil
}

// add records a hit of signal sig; it reports whether the hit was kept (the first of its kind).
func (st *scanState) add(a *analyzer, sig int, h hit) bool {
	bit := uint64(1) << uint(sig)
	if h.ignored != "" {
		if st.dead&bit == 0 {
			st.dead |= bit
			st.deadHit[sig] = h
			return true
		}
		return false
	}
	if a.signals[sig].calmable {
		if st.pending&bit == 0 {
			st.pending |= bit
			st.pendHit[sig] = h
			return true
		}
		return false
	}
	if st.live&bit == 0 {
		st.live |= bit
		st.liveHit[sig] = h
		return true
	}
	return false
}

// retract forgets the kept hit of signal sig that starts at start: a longer term took its
// words ("crashing" in "waves crashing" is water, not also destruction).
func (st *scanState) retract(sig, start int) {
	bit := uint64(1) << uint(sig)
	if st.live&bit != 0 && st.liveHit[sig].start == start {
		st.live &^= bit
	}
	if st.pending&bit != 0 && st.pendHit[sig].start == start {
		st.pending &^= bit
	}
	if st.dead&bit != 0 && st.deadHit[sig].start == start {
		st.dead &^= bit
	}
}

// endClause decides the calmable hits of the clause that ends.
func (st *scanState) endClause() {
	for m := st.pending; m != 0; m &= m - 1 {
		sig := bits.TrailingZeros64(m)
		bit := uint64(1) << uint(sig)
		h := st.pendHit[sig]
		if st.clauseCalm {
			if st.dead&bit == 0 {
				h.ignored = IgnoredSlow
				st.dead |= bit
				st.deadHit[sig] = h
			}
		} else if st.live&bit == 0 {
			st.live |= bit
			st.liveHit[sig] = h
		}
	}
	st.pending = 0
	st.clauseCalm = false
}

func (st *scanState) addCrowd(a *analyzer, n int64, start, end int, negated bool) {
	var weight int64 = -1
	bandIndex := -1
	for i, b := range a.bands {
		if n >= b.min {
			weight, bandIndex = b.weight, i
		}
	}
	if weight < 0 {
		return
	}
	if negated {
		if !st.hasGone {
			st.hasGone = true
			st.gone = hit{start: start, end: end, ignored: IgnoredNegated}
		}
		return
	}
	if !st.hasCrowd || bandIndex > st.crowdBand {
		// One crowd signal: the largest.
		st.hasCrowd = true
		st.crowdBand = bandIndex
		st.crowd = hit{start: start, end: end, weight: weight}
	}
}

// resolve turns what the scan collected into the signals to report, in order of appearance,
// and returns the score.
func (st *scanState) resolve(a *analyzer) int64 {
	if st.hasCrowd {
		// The words of a counted crowd count once: "20 dancers" is not also the crowd word
		// "dancers".
		for m := st.live; m != 0; m &= m - 1 {
			i := bits.TrailingZeros64(m)
			if h := st.liveHit[i]; h.start >= st.crowd.start && h.end <= st.crowd.end {
				st.live &^= 1 << uint(i)
			}
		}
	}
	counted := st.hasCrowd
	for m := st.live; m != 0; m &= m - 1 {
		if !a.signals[bits.TrailingZeros64(m)].amplifier {
			counted = true
		}
	}
	st.n = 0
	for i := range a.signals {
		bit := uint64(1) << uint(i)
		switch {
		case st.live&bit != 0:
			h := st.liveHit[i]
			if a.signals[i].amplifier && !counted {
				h.weight, h.ignored = 0, IgnoredAlone
			}
			st.push(i, h)
		case st.dead&bit != 0:
			h := st.deadHit[i]
			h.weight = 0
			st.push(i, h)
		}
	}
	if st.hasCrowd {
		st.push(crowdHit, st.crowd)
	} else if st.hasGone {
		st.push(crowdHit, st.gone)
	}
	for _, r := range a.repeats {
		st.repeat(a, r)
	}
	// A counted signal shows the own weights of its terms' words ("fire" beside the Fire
	// family); those of a signal not counted are in "other words".
	for i := 0; i < st.n; i++ {
		if id := st.outID[i]; id >= 0 && st.out[i].ignored == "" {
			st.out[i].weight += st.words.ofSignal[id]
			st.words.shown += st.words.ofSignal[id]
		}
	}
	if a.model.together.n > 0 {
		st.together(a)
	}
	st.pushWords(a)
	var score int64
	for _, h := range st.out[:st.n] {
		score += h.weight
	}
	// In order of appearance (insertion sort: at most 83 items, mostly in order); the rule
	// features' weight together and the rest of the word model's sum come last.
	for i := 1; i < st.n; i++ {
		for j := i; j > 0 && st.out[j].start < st.out[j-1].start; j-- {
			st.out[j], st.out[j-1] = st.out[j-1], st.out[j]
			st.outID[j], st.outID[j-1] = st.outID[j-1], st.outID[j]
		}
	}
	return score
}

// repeat weighs the counted signals of one kind: the heaviest (the first of equals) counts in
// full, each further one adds r.pct percent of its weight, rounded down.
func (st *scanState) repeat(a *analyzer, r kindRepeat) {
	heaviest := -1
	for i := 0; i < st.n; i++ {
		if st.out[i].ignored == "" && a.kindOf(st.outID[i]) == r.kind &&
			(heaviest < 0 || st.out[i].weight > st.out[heaviest].weight) {
			heaviest = i
		}
	}
	for i := 0; i < st.n; i++ {
		if i != heaviest && st.out[i].ignored == "" && a.kindOf(st.outID[i]) == r.kind {
			st.out[i].weight = st.out[i].weight * r.pct / 100
		}
	}
}

func (a *analyzer) kindOf(id int) string {
	if id == crowdHit {
		return "crowd"
	}
	return a.signals[id].kind
}

func (st *scanState) push(id int, h hit) {
	st.out[st.n] = h
	st.outID[st.n] = id
	st.n++
}

// signalsOf turns the resolved hits into the contract's signals (one allocation).
func (a *analyzer) signalsOf(prompt string, st *scanState) []Signal {
	out := make([]Signal, st.n)
	for i, h := range st.out[:st.n] {
		switch st.outID[i] {
		case wordsHit:
			out[i] = Signal{Kind: wordsKind, ID: wordsSignalID, Label: a.model.label, Match: prompt[h.start:h.end], Weight: h.weight}
			continue
		case otherHit:
			out[i] = Signal{Kind: wordsKind, ID: otherWordsID, Label: a.model.otherLabel, Weight: h.weight}
			continue
		case togetherHit:
			out[i] = Signal{Kind: togetherID, ID: togetherID, Label: a.model.together.label, Weight: h.weight}
			continue
		case spreadHit:
			out[i] = Signal{Kind: spreadID, ID: spreadID, Label: a.model.spread.label, Weight: h.weight}
			continue
		}
		if st.outID[i] == crowdHit {
			out[i] = Signal{Kind: "crowd", ID: crowdSignalID, Label: a.crowdLabel, Match: prompt[h.start:h.end], Weight: h.weight, Ignored: h.ignored}
			continue
		}
		d := &a.signals[st.outID[i]]
		out[i] = Signal{Kind: d.kind, ID: d.id, Label: d.label, Match: prompt[h.start:h.end], Weight: h.weight, Ignored: h.ignored}
	}
	return out
}

// word is one Latin word of the prompt as the analyzer keeps it.
type word struct {
	stem       [scan.MaxWord]byte
	n          int // bytes of the stem; 0 for a word that matches nothing
	plural     bool
	start, end int
	num        int64  // its value as a number (digits or a number word), 0 if none
	index      int    // the how-manieth word of the prompt, from 1
	hash       uint64 // FNV-1a of the stem (words, not numbers)
	kept       int    // the signal of a one-word term kept at this word, or -1
}

func (w *word) text() string { return string(w.stem[:w.n]) }

// wordScan is the state of the Latin half of the scan.
type wordScan struct {
	window      [maxTermWords]word // the last words, the newest at (count-1)%len
	count       int
	negFrom     int // words from negFrom to negUntil (indexes) are negated
	negUntil    int
	negByte     int  // Han text before this byte offset is negated
	pendingCalm bool // a calm word was read; the next word may make it "slow motion"
	lastDigits  bool // the previous token was digits ending where the next begins
	lastNum     int64
	lastEnd     int
	pairOK      bool // the previous token was a word read by the word model: a pair may end here
	// The last Han character the word model read: its hash and span (hanEnd -1: none).
	hanHash          uint64
	hanStart, hanEnd int
}

// negated reports whether the word with this index is inside a negation.
func (ws *wordScan) negated(index int) bool { return index >= ws.negFrom && index <= ws.negUntil }

func (a *analyzer) scan(prompt string, st *scanState) {
	ws := wordScan{hanEnd: -1}
	sc := scan.NewScanner(prompt)
	var t scan.Token
	for sc.Next(&t) {
		switch t.Kind {
		case scan.Word:
			a.word(prompt, &t, &ws, st)
		case scan.Han:
			a.scanHan(prompt, t.Start, t.End, &ws, st)
			ws.lastDigits = false
			ws.pairOK = false
		case scan.Break:
			ws.pairOK = false
			a.settleCalm(&ws, st, false)
			st.endClause()
			ws.negUntil, ws.negByte = 0, 0
			ws.lastDigits = false
		}
	}
	a.settleCalm(&ws, st, false)
	st.endClause()
}

// settleCalm decides a pending calm word: it is calm unless the next word is an exception.
func (a *analyzer) settleCalm(ws *wordScan, st *scanState, except bool) {
	if ws.pendingCalm && !except {
		st.clauseCalm = true
	}
	ws.pendingCalm = false
}

// word reads one Latin word: terms ending with it, a number, a crowd noun counted by a number
// up to three words before it, negation and calm words.
func (a *analyzer) word(prompt string, t *scan.Token, ws *wordScan, st *scanState) {
	ws.count++
	w := &ws.window[(ws.count-1)%len(ws.window)]
	w.start, w.end, w.index, w.num, w.plural, w.n, w.kept = t.Start, t.End, ws.count, 0, false, 0, -1
	ws.lastDigits, ws.lastNum, ws.lastEnd = t.Digits, t.Num, t.End
	pairOK := ws.pairOK
	ws.pairOK = false
	if t.N == 0 {
		a.settleCalm(ws, st, false)
		return
	}
	if t.Digits {
		w.num = t.Num
		a.settleCalm(ws, st, false)
		return
	}
	w.stem = t.Buf
	w.n, w.plural = scan.Stem(w.stem[:t.N])
	w.hash = fnvAdd(fnvOffset, w.stem[:w.n])
	e := a.lookup(w.stem[:w.n], w.hash)
	a.settleCalm(ws, st, e != nil && e.calmExcept)
	if e == nil {
		if !ws.negated(ws.count) {
			a.wordFeatures(prompt, ws, st, w, pairOK, true, -1)
		}
		if w.plural {
			a.countCrowd(ws, w, false, st)
		}
		return
	}
	switch {
	case w.plural && e.numPlural > 0:
		w.num = e.numPlural
	case !w.plural && e.num > 0:
		w.num = e.num
	}
	if w.num > 0 && ws.count > 1 {
		// "two hundred", "ten thousand": a smaller number before a larger one multiplies it.
		prev := &ws.window[(ws.count-2)%len(ws.window)]
		if prev.num > 0 && prev.num < w.num && w.num >= 100 && prev.end <= w.start {
			w.num = min(prev.num*w.num, maxCrowdNumber)
			w.start = prev.start
		}
	}
	if e.negator {
		ws.negFrom, ws.negUntil = ws.count+1, ws.count+a.negScope
	}
	if e.stop {
		ws.negUntil = 0
	}
	if e.calm {
		ws.pendingCalm = true
	}
	negated := ws.negated(ws.count)
	termHere := -1
	for _, term := range e.terms {
		if len(term.prev) >= ws.count || (!w.plural && a.signals[term.signal].pluralOnly) {
			continue
		}
		start := w.start
		ok := true
		for k := range term.prev {
			pw := &ws.window[(ws.count-2-k+len(ws.window))%len(ws.window)]
			if string(pw.stem[:pw.n]) != term.prev[len(term.prev)-1-k] { // compared in place: no conversion
				ok = false
				break
			}
			start = pw.start
		}
		if ok {
			h := hit{start: start, end: w.end, weight: a.signals[term.signal].weight}
			if negated {
				h.ignored = IgnoredNegated
			}
			for k := range term.prev {
				pw := &ws.window[(ws.count-2-k+len(ws.window))%len(ws.window)]
				if pw.kept >= 0 && pw.kept != term.signal {
					st.retract(pw.kept, pw.start)
				}
			}
			if st.add(a, term.signal, h) && len(term.prev) == 0 {
				w.kept = term.signal
			}
			if len(term.prev) == 0 {
				termHere = term.signal
			}
			break
		}
	}
	if !negated && !e.negator {
		// A word a rule term ended on is read by its signal, and a number by the crowd rule,
		// not again as a word; a negation is read by what it negates.
		a.wordFeatures(prompt, ws, st, w, pairOK && w.num == 0, w.num == 0, termHere)
	}
	// A verb form is not a noun to count: "dozens of fishing boats" counts boats, not "fish".
	if ((e.noun && !verbForm(t.Buf[:t.N])) || w.plural) && !e.unit && w.num == 0 {
		a.countCrowd(ws, w, negated, st)
	}
}

// wordFeatures reads a word that is not negated for the word model: itself (when unigram) and
// the pair it ends, when the word before it is in the same clause and was read too.
func (a *analyzer) wordFeatures(prompt string, ws *wordScan, st *scanState, w *word, pairOK, unigram bool, sig int) {
	ws.pairOK = w.num == 0
	if a.model.n == 0 && st.words.collect == nil {
		return
	}
	var prev *word
	if pairOK {
		prev = &ws.window[(ws.count-2)%len(ws.window)]
	}
	a.latinFeatures(st, w.stem[:w.n], w.hash, w.start, w.end, prev, unigram, sig)
}

// countCrowd looks for a number up to three words before the noun w.
func (a *analyzer) countCrowd(ws *wordScan, w *word, negated bool, st *scanState) {
	for k := 1; k <= crowdLookback && k < ws.count; k++ {
		pw := &ws.window[(ws.count-1-k+len(ws.window))%len(ws.window)]
		if pw.num > 0 {
			st.addCrowd(a, pw.num, pw.start, w.end, negated || ws.negated(pw.index))
			return
		}
	}
}

// hanIndex maps the first rune of Han entries to the entries (longest first): open addressing on
// the rune, at most half full. It replaced a Go map, whose lookup was a seventh of a Chinese
// prompt's scan.
type hanIndex struct {
	slots []hanSlot // power-of-two length
	shift uint8     // 32 − log2(len(slots)): a rune's first slot is the top bits of its hash
}

type hanSlot struct {
	r       rune // 0: empty (never a Han rune)
	entries []hanEntry
}

// newHanIndex indexes m, its runes in the given order (the card's: the same table for the same
// card).
func newHanIndex(m map[rune][]hanEntry, runes []rune) hanIndex {
	bits := uint8(4)
	for 1<<bits < 2*len(runes) {
		bits++
	}
	x := hanIndex{slots: make([]hanSlot, 1<<bits), shift: 32 - bits}
	mask := uint32(len(x.slots) - 1)
	for _, r := range runes {
		i := x.first(r)
		for x.slots[i].r != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = hanSlot{r: r, entries: m[r]}
	}
	return x
}

func (x *hanIndex) first(r rune) uint32 { return uint32(r) * 0x9E3779B1 >> x.shift }

// get returns the entries that start with r, nil if none.
func (x *hanIndex) get(r rune) []hanEntry {
	if len(x.slots) == 0 {
		return nil
	}
	mask := uint32(len(x.slots) - 1)
	for i := x.first(r); ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.r == r {
			return s.entries
		}
		if s.r == 0 {
			return nil
		}
	}
}

// markHan notes that a Han entry or noun starts with r.
func (a *analyzer) markHan(r rune) { a.hanFirst[(r>>6)&0x3ff] |= 1 << (uint(r) & 63) }

// mayStartHan is a cheap filter before the map lookups: false means nothing starts with r.
func (a *analyzer) mayStartHan(r rune) bool { return a.hanFirst[(r>>6)&0x3ff]&(1<<(uint(r)&63)) != 0 }

// longestHan returns the longest Han entry at the start of s, whose first rune r is size
// bytes long, or nil.
func (a *analyzer) longestHan(s string, r rune, size int) *hanEntry {
	if !a.mayStartHan(r) {
		return nil
	}
	es := a.han.get(r)
	if len(es) == 0 {
		return nil
	}
	// r is a whole Han character of the run (scanHan's offsets are characters' starts): the
	// next character is whole too.
	var second rune = -1
	if size < len(s) {
		second, _ = hanRune(s[size:])
	}
	for i := range es {
		e := &es[i]
		if e.second == 0 {
			return e // one character, the shortest: every longer one has failed
		}
		if e.second == second && strings.HasPrefix(s, e.text) {
			return e
		}
	}
	return nil
}

// hanRune decodes the first character of s, which starts at a character of a Han run that the
// scanner found (every character in it is a Han character, valid UTF-8 of three bytes or, for the
// rare supplementary ones, four): without the general decoder's checks. Only where the offset
// is known to be a character's start: scanHan's offsets all are (TestHanDigitsBeforeTheRun).
func hanRune(s string) (rune, int) {
	if s[0] < 0xF0 {
		return rune(s[0]&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	}
	return rune(s[0]&0x07)<<18 | rune(s[1]&0x3F)<<12 | rune(s[2]&0x3F)<<6 | rune(s[3]&0x3F), 4
}

// scanHan segments the Han run prompt[start:end] by longest match over the lexicon, reading
// numerals as it goes.
func (a *analyzer) scanHan(prompt string, start, end int, ws *wordScan, st *scanState) {
	i := start
	for i < end {
		r, size := hanRune(prompt[i:end])
		if e := a.longestHan(prompt[i:end], r, size); e != nil {
			next := i + len(e.text)
			if a.model.n > 0 || st.words.collect != nil {
				a.hanFeatures(prompt, i, next, ws.negByte, e.role == hanSignal, ws, st)
			}
			switch e.role {
			case hanSignal:
				h := hit{start: i, end: next, weight: a.signals[e.signal].weight}
				if i < ws.negByte {
					h.ignored = IgnoredNegated
				}
				st.add(a, e.signal, h)
			case hanNegator:
				ws.negByte = next
				for k := 0; k < a.negScope && ws.negByte < end; k++ {
					_, sz := hanRune(prompt[ws.negByte:end])
					ws.negByte += sz
				}
			case hanStop:
				ws.negByte = 0
			case hanCalm:
				st.clauseCalm = true
			}
			i = next
			continue
		}
		if isHanNumeral(r) || (i == start && ws.lastDigits && ws.lastEnd == start) {
			// A numeral is read by the crowd rule, not as characters. Digits before the run
			// ("20名") end the numeral where the run starts: its first character is then read
			// like any other.
			if next := a.hanNumeral(prompt, i, start, end, ws, st); next > i {
				i = next
				continue
			}
		}
		if a.model.n > 0 || st.words.collect != nil {
			a.hanFeatures(prompt, i, i+size, ws.negByte, false, ws, st)
		}
		i += size
	}
}

// hanNumeral reads the numeral at i (with the digits just before the run, if any: "3千名")
// and counts a crowd if a measure word, a crowd noun, or (for a large number) anything but a
// unit follows. It returns the index after the numeral's Han characters: i itself when the
// numeral is the digits alone.
func (a *analyzer) hanNumeral(prompt string, i, start, end int, ws *wordScan, st *scanState) int {
	j := i
	for j < end {
		r, size := hanRune(prompt[j:end])
		if !isHanNumeral(r) {
			break
		}
		j += size
	}
	numStart, arabic := i, int64(-1)
	if i == start && ws.lastDigits && ws.lastEnd == start {
		arabic = ws.lastNum
		numStart = start - len(trailingDigits(prompt[:start]))
	}
	n := parseNumeral(arabic, prompt[i:j])
	negated := numStart < ws.negByte
	if n < 2 {
		return j
	}
	k := j
	for f := 0; f < 2 && k < end; f++ {
		r, size := hanRune(prompt[k:end])
		if !hasRune(a.fillers, r) {
			break
		}
		k += size
	}
	if k < end {
		r, size := hanRune(prompt[k:end])
		if hasRune(a.measures, r) {
			end2 := k + size
			for _, noun := range a.hanNouns[firstRune(prompt[end2:end])] {
				if strings.HasPrefix(prompt[end2:end], noun) {
					end2 += len(noun) // the span names what is counted: 数千名士兵
					break
				}
			}
			st.addCrowd(a, n, numStart, end2, negated)
			return j
		}
		for _, noun := range a.hanNouns[r] {
			if strings.HasPrefix(prompt[k:end], noun) {
				st.addCrowd(a, n, numStart, k+len(noun), negated)
				return j
			}
		}
		if n >= a.bareMin && j > i {
			for _, u := range a.hanUnits {
				if strings.HasPrefix(prompt[k:end], u) {
					return j
				}
			}
			st.addCrowd(a, n, numStart, j, negated)
		}
	}
	return j
}

// verbForm reports whether a word ends like a verb form (-ing, -ed).
func verbForm(b []byte) bool { return hasSuffix(b, "ing") || hasSuffix(b, "ed") }

func hasSuffix(b []byte, suffix string) bool {
	return len(b) > len(suffix) && string(b[len(b)-len(suffix):]) == suffix
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// trailingDigits returns the digits (and commas) that end s: the number written before a Han
// run.
func trailingDigits(s string) string {
	j := len(s)
	for j > 0 && (isDigit(s[j-1]) || s[j-1] == ',') {
		j--
	}
	return s[j:]
}

// parseNumeral reads a Chinese numeral (二十, 三百, 两千, 数千, 上百, 一万二千), after the value
// of digits written just before it (-1 if none: "3千" = 3000). 数, 几 and 上 ("several",
// "up to") count as one of the unit that follows. It returns 0 when it reads nothing.
func parseNumeral(arabic int64, s string) int64 {
	var total, section, digit int64
	if arabic >= 0 {
		digit = min(arabic, maxCrowdNumber)
	}
	for _, r := range s {
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
		case '数', '几', '上':
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
			section = min(section+digit*unit, maxCrowdNumber)
			digit = 0
		case '万', '亿':
			unit := int64(10_000)
			if r == '亿' {
				unit = 100_000_000
			}
			if section+digit == 0 {
				digit = 1
			}
			total = min(total+(section+digit)*unit, maxCrowdNumber)
			section, digit = 0, 0
		}
	}
	return min(total+section+digit, maxCrowdNumber)
}

func isHanNumeral(r rune) bool {
	switch r {
	case '零', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '亿', '数', '几', '上':
		return true
	}
	return false
}

// hasRune reports whether r is one of the runes of set (a few Han characters from the card).
func hasRune(set []rune, r rune) bool {
	for _, x := range set {
		if x == r {
			return true
		}
	}
	return false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

package estimator

import "strconv"

// The word model: weights learned from a labelled corpus of real prompts
// (estimator/internal/cmd/traincomplexity) for words, pairs of adjacent words, Han characters
// and pairs of adjacent Han characters. Each feature counts once per prompt, whatever how often
// it occurs; its weight adds to the score beside the weights of the rule signals (which the same
// training learns). Words inside a negation are not read; every other word is, so the model can
// learn what "slowly", "jeweler" or "hearth" say about a scene. The card keeps the features as
// text ("roaring fire", "火焰"): Latin words are stemmed when the card is loaded, exactly as the
// scanner stems a prompt, and hashed; the scan looks each word up by hash, without allocating.
//
// The explanation names the features that weigh most (by absolute weight, at most
// complexity.model.explain of them) as signals of kind "words", each with the words it read, and
// adds the rest up in one "other-words" signal, so the signals' weights still sum to the score.
// The weight a word has of its own when it is also a rule's term ("fire" beside the Fire family)
// is shown in that rule's signal, which then reads "Fire: fire +27" rather than twice. Features
// the card lists as "background" (function words, "on a") count but are never named: they are
// in "other words".

const (
	maxModelFeatures = 8192 // features a card's model may list
	maxModelWeight   = 1000 // |weight| of one feature
	maxExplain       = 16   // phrases an explanation may name
	wordsSignalID    = "words"
	otherWordsID     = "other-words"
	wordsKind        = "words"
	wordsHit         = -2 // scanState.outID of a named phrase
	otherHit         = -3 // scanState.outID of the rest
	togetherHit      = -4 // scanState.outID of the rule features' weight together
	togetherID       = "together"
	spreadHit        = -5 // scanState.outID of the cut to the heaviest sentence's reach
	spreadID         = "spread"
	maxSpreadLevels  = 16
	maxTogether      = 8 // the highest number of rule features that has a weight of its own
	fnvOffset        = 14695981039346656037
	fnvPrime         = 1099511628211
)

// wordModel is the card's learned word weights, in an open-addressing table keyed by a 64-bit
// hash of the feature's text.
type wordModel struct {
	filter     [64]uint64  // bit key>>52: some feature's key may have these top bits (fits in L1; most words and characters stop here)
	slots      []modelSlot // power-of-two length, at most half full
	n          int
	label      string // label of a named phrase
	otherLabel string // label of the rest
	explain    int    // phrases the explanation names
	together   togetherWeights
	spread     spreadCap
}

// spreadCap bounds a prompt of several sentences by its most demanding one, read alone: the
// rubric judges a long prompt by the most demanding scene it describes, and a sum over the
// whole prompt cannot tell hard words spread thin over a story from one hard scene. A prompt
// is priced at most levels levels above its heaviest sentence; a signal with a negative weight
// (label) takes its score down to the highest score of that level. levels == 0: no cap.
type spreadCap struct {
	levels int
	label  string
}

// togetherWeights weigh the rule features a prompt has together (the rubric's "several sources
// at once"): a weight per pair of counted signals or of a signal and the counted crowd, and a
// weight per number of them. Learned like the words; without them (n == 0) a prompt's rule
// signals add up alone.
type togetherWeights struct {
	n      int                    // len(signals)+1 (the crowd is index n-1); 0: none
	pairs  []int32                // n×n, symmetric
	counts [maxTogether - 1]int32 // counts[k-2] is added when at least k rule features count
	label  string
}

type modelSlot struct {
	key    uint64 // 0: empty
	weight int32
	index  int16 // the feature's index, for the per-prompt "seen" set
	named  bool  // the explanation may name it (not a background feature)
}

// fnvAdd continues an FNV-1a hash over b.
func fnvAdd(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func fnvAddString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// featureKey turns a hash into a table key (0 marks an empty slot).
func featureKey(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// pairHash is the hash of a pair of words (or of Han characters) from the hashes of the two:
// each word is hashed once, whether it is read alone or in a pair.
func pairHash(first, second uint64) uint64 {
	h := first*0x9E3779B97F4A7C15 ^ second
	h ^= h >> 29
	return h * 0xBF58476D1CE4E5B9
}

func (m *wordModel) add(key uint64, weight int32, named bool) bool {
	mask := uint64(len(m.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &m.slots[i]
		if s.key == key {
			return false
		}
		if s.key == 0 {
			*s = modelSlot{key: key, weight: weight, index: int16(m.n), named: named}
			m.filter[key>>58] |= 1 << ((key >> 52) & 63)
			m.n++
			return true
		}
	}
}

// find returns the slot of a feature, or nil.
func (m *wordModel) find(key uint64) *modelSlot {
	if m.filter[key>>58]&(1<<((key>>52)&63)) == 0 {
		return nil
	}
	mask := uint64(len(m.slots) - 1)
	for i := key & mask; ; i = (i + 1) & mask {
		s := &m.slots[i]
		if s.key == key {
			return s
		}
		if s.key == 0 {
			return nil
		}
	}
}

// wordHits is what the scan collects of the word model: which features were seen, their sum and
// the heaviest ones for the explanation.
type wordHits struct {
	seen     [maxModelFeatures / 64]uint64
	sum      int64 // every counted feature
	count    int
	top      [maxExplain]hit // named features, by |weight|, heaviest first
	ntop     int
	ofSignal [maxSignalDefs]int64 // the own weights of words that are terms of signal i
	shown    int64                // what the signals and the named features show of sum
	// collect, when set (training), receives every feature the scan reads, in the model or not:
	// its text (stems joined by a space; Han characters) and the words of the prompt it spans.
	collect func(feature string, start, end int)
}

// feature counts the feature with hash h spanning prompt[start:end], if the model has it; sig is
// the signal whose term the word is, or -1.
func (st *scanState) feature(a *analyzer, h uint64, start, end, sig int) {
	s := a.model.find(featureKey(h))
	if s == nil || s.weight == 0 {
		return
	}
	wh := &st.words
	bit := uint64(1) << (uint(s.index) & 63)
	if wh.seen[s.index>>6]&bit != 0 {
		return
	}
	wh.seen[s.index>>6] |= bit
	w := int64(s.weight)
	wh.sum += w
	wh.count++
	if sig >= 0 {
		wh.ofSignal[sig] += w
		return
	}
	k := a.model.explain
	if k == 0 || !s.named {
		return
	}
	// Insert into the top list (ties keep the earlier feature first).
	aw := abs64(w)
	if wh.ntop == k && aw <= abs64(wh.top[k-1].weight) {
		return
	}
	i := min(wh.ntop, k-1)
	for i > 0 && abs64(wh.top[i-1].weight) < aw {
		wh.top[i] = wh.top[i-1]
		i--
	}
	wh.top[i] = hit{start: start, end: end, weight: w}
	if wh.ntop < k {
		wh.ntop++
	}
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// latinFeatures reads a word that is not negated (its stem given) as a feature, and with the
// word before it as a pair when prev is set; h is the stem's FNV-1a hash, which the next pair
// continues.
func (a *analyzer) latinFeatures(st *scanState, stem []byte, h uint64, start, end int, prev *word, unigram bool, sig int) {
	if unigram {
		if st.words.collect != nil {
			st.words.collect(string(stem), start, end)
		}
		st.feature(a, h, start, end, sig)
	}
	if prev != nil {
		ph := pairHash(prev.hash, h)
		if st.words.collect != nil {
			st.words.collect(prev.text()+" "+string(stem), prev.start, end)
		}
		st.feature(a, ph, prev.start, end, -1)
	}
}

// hanFeatures reads the Han characters of prompt[from:to] as features: each character (unless
// it is part of a rule signal's term: the signal stands for it) and each pair with the character
// just before it, when that one was read too. Characters before negByte are negated and not
// read.
func (a *analyzer) hanFeatures(prompt string, from, to, negByte int, inTerm bool, ws *wordScan, st *scanState) {
	for i := from; i < to; {
		size := 3 // Han characters are three bytes in UTF-8 but for the rare supplementary ones
		if prompt[i] >= 0xF0 {
			size = 4
		}
		if i+size > to {
			size = to - i
		}
		c := prompt[i : i+size]
		h := fnvAddString(fnvOffset, c)
		if i >= negByte {
			if !inTerm {
				if st.words.collect != nil {
					st.words.collect(c, i, i+size)
				}
				st.feature(a, h, i, i+size, -1)
			}
			if ws.hanEnd == i && ws.hanStart >= negByte {
				ph := pairHash(ws.hanHash, h)
				if st.words.collect != nil {
					st.words.collect(prompt[ws.hanStart:i+size], ws.hanStart, i+size)
				}
				st.feature(a, ph, ws.hanStart, i+size, -1)
			}
		}
		ws.hanHash, ws.hanStart, ws.hanEnd = h, i, i+size
		i += size
	}
}

// pushWords adds the named phrases and the rest of the word model's sum to the signals to
// report.
func (st *scanState) pushWords(a *analyzer) {
	wh := &st.words
	if wh.count == 0 {
		return
	}
	shown := wh.shown
	for _, h := range wh.top[:wh.ntop] {
		shown += h.weight
		st.push(wordsHit, h)
	}
	if rest := wh.sum - shown; rest != 0 {
		st.push(otherHit, hit{start: 1 << 62, end: 1 << 62, weight: rest})
	}
}

// together adds the weight of the counted rule features taken together (one signal, after the
// others; none when it is 0).
func (st *scanState) together(a *analyzer) {
	tw := &a.model.together
	var idx [maxSignalDefs + 1]int
	k := st.togetherIndexes(&idx, tw.n)
	if k < 2 {
		return
	}
	var w int64
	for x := 0; x < k; x++ {
		for y := x + 1; y < k; y++ {
			w += int64(tw.pairs[idx[x]*tw.n+idx[y]])
		}
	}
	for c := 2; c <= min(k, maxTogether); c++ {
		w += int64(tw.counts[c-2])
	}
	if w != 0 {
		st.push(togetherHit, hit{start: 1<<62 - 1, end: 1<<62 - 1, weight: w})
	}
}

// togetherIndexes writes the indexes of the counted rule features into idx in the order of
// st.out (a signal's index, n-1 for the crowd) and returns how many there are.
func (st *scanState) togetherIndexes(idx *[maxSignalDefs + 1]int, n int) int {
	k := 0
	for i := 0; i < st.n; i++ {
		if st.out[i].ignored != "" {
			continue
		}
		switch id := st.outID[i]; {
		case id >= 0:
			idx[k] = id
			k++
		case id == crowdHit:
			idx[k] = n - 1
			k++
		}
	}
	return k
}

// ComplexityFeatures calls fn for every feature the card's complexity analyzer reads in a prompt,
// whether or not the card's model weighs it: the words and pairs of words it reads (by stem,
// "roar fire"), Han characters and pairs ("火", "大火"), each counted rule signal
// ("signal:fire") and the band of a counted crowd ("crowd:2", the index into crowd.bands), and
// what those rule features are together: each pair ("together:combat+crowd-count", in the card's
// order of signals, the crowd last) and each number k from 2 up to how many there are
// ("together:3"). prompt[start:end] is the text the feature spans (empty for the together
// features). A feature read twice is reported twice.
//
// It is what estimator/internal/cmd/traincomplexity learns the card's weights from, so that the
// training reads a prompt exactly as the analyzer does.
func (c *RateCard) ComplexityFeatures(prompt string, fn func(feature string, start, end int)) {
	var st scanState
	st.words.collect = fn
	a := c.an()
	a.scan(prompt, &st)
	st.words.collect = nil
	st.resolve(a)
	for i, h := range st.out[:st.n] {
		if h.ignored != "" {
			continue
		}
		switch id := st.outID[i]; {
		case id == crowdHit:
			fn("crowd:"+strconv.Itoa(st.crowdBand), h.start, h.end)
		case id >= 0:
			fn("signal:"+a.signals[id].id, h.start, h.end)
		}
	}
	var idx [maxSignalDefs + 1]int
	n := len(a.signals) + 1
	// In the card's order of signals, the crowd last (resolve ordered them by position).
	var has [maxSignalDefs + 1]bool
	for _, i := range idx[:st.togetherIndexes(&idx, n)] {
		has[i] = true
	}
	k := 0
	for i := range n {
		if has[i] {
			idx[k] = i
			k++
		}
	}
	name := func(i int) string {
		if i == n-1 {
			return crowdSignalID
		}
		return a.signals[i].id
	}
	for x := 0; x < k; x++ {
		for y := x + 1; y < k; y++ {
			fn("together:"+name(idx[x])+"+"+name(idx[y]), 0, 0)
		}
	}
	for c := 2; c <= min(k, maxTogether); c++ {
		fn("together:"+strconv.Itoa(c), 0, 0)
	}
}

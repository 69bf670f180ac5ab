package estimator

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"creditestimator/estimator/internal/jsonx"
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
	signals     []signalDef
	lastWord    map[string][]wordTerm // folded last word → terms ending with it
	han         map[rune][]hanTerm    // first rune → Han terms
	crowdNouns  map[string]bool       // folded Latin nouns
	hanNouns    map[rune][]string     // first rune → Han nouns
	bands       []band
	crowdLabel  string
	numberWords map[string]int64 // lower-case word (not folded) → value
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
	a.lastWord = map[string][]wordTerm{}
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
		return term, true
	}
	words := latinWords(term)
	if len(words) == 0 || len(words) > maxTermWords {
		p.bad(path, "a term must have between 1 and 4 words")
		return "", false
	}
	last := words[len(words)-1]
	a.lastWord[last] = append(a.lastWord[last], wordTerm{prev: words[:len(words)-1], signal: signal})
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
	a.crowdNouns = map[string]bool{}
	a.hanNouns = map[rune][]string{}
	for j, n := range nouns {
		jp := index(np, j)
		if n.Kind != jsonx.String {
			p.fail(typeError(jp, "a string", n))
			return
		}
		if r, _ := utf8.DecodeRuneInString(n.Str); isHan(r) {
			a.hanNouns[r] = append(a.hanNouns[r], n.Str)
			continue
		}
		words := latinWords(n.Str)
		if len(words) != 1 {
			p.bad(jp, "a crowd noun is one word")
			return
		}
		a.crowdNouns[words[0]] = true
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
	a.numberWords = map[string]int64{}
	for _, m := range v.Members {
		kp := join(path, m.Key)
		if m.Key == "" || len(m.Key) > maxWordBytes || strings.ToLower(m.Key) != m.Key || len(latinWords(m.Key)) != 1 {
			p.bad(kp, "must be one lower-case word")
			return
		}
		n, err := fixedValue(m.Value, kp, 0, 1, maxCrowdNumber, false, "an integer")
		if p.fail(err) {
			return
		}
		a.numberWords[m.Key] = n
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
	score := found.score()
	li := c.levelForScore(score)
	l := c.levels[li]
	return Complexity{
		Level:      l.name,
		Label:      l.label,
		Multiplier: l.mult,
		Source:     complexityAuto,
		Score:      score,
		Signals:    found.slice(),
	}
}

// signalSet collects distinct signals in order of first appearance without allocating.
type signalSet struct {
	n     int
	items [maxSignalDefs + 1]Signal
	crowd int64 // the largest counted crowd so far
}

func (s *signalSet) add(sig Signal) {
	for i := 0; i < s.n; i++ {
		if s.items[i].ID == sig.ID {
			if sig.ID == crowdSignalID && sig.Weight > s.items[i].Weight {
				s.items[i] = sig
			}
			return
		}
	}
	s.items[s.n] = sig
	s.n++
}

func (s *signalSet) score() int64 {
	var total int64
	for i := 0; i < s.n; i++ {
		total += s.items[i].Weight
	}
	return total
}

func (s *signalSet) slice() []Signal {
	if s.n == 0 {
		return nil
	}
	return append([]Signal(nil), s.items[:s.n]...)
}

// word is one Latin word of the prompt as the scanner keeps it.
type word struct {
	buf        [maxWordBytes]byte
	n          int   // bytes in buf (folded); 0 for a word too long to match
	start, end int   // byte span in the prompt
	num        int64 // its value when it is a number; 0 otherwise
}

func (w *word) folded() string { return string(w.buf[:w.n]) }

func (a *analyzer) scan(prompt string, found *signalSet) {
	var window [maxTermWords]word // the last words, most recent at (count-1)%len
	count := 0
	i := 0
	for i < len(prompt) {
		r, size := rune(prompt[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(prompt[i:])
		}
		switch {
		case isHan(r):
			a.scanHan(prompt, i, found)
			// A Han character separates Latin words.
			i += size
		case isWordRune(r):
			w := &window[count%len(window)]
			i = readWord(prompt, i, w, a.numberWords)
			count++
			a.matchWord(prompt, &window, count, found)
		default:
			i += size
		}
	}
}

// readWord reads the word starting at i into w and returns the index after it.
func readWord(prompt string, i int, w *word, numbers map[string]int64) int {
	*w = word{start: i}
	digits, overflow := true, false
	var num int64
	j := i
	for j < len(prompt) {
		r, size := rune(prompt[j]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(prompt[j:])
		}
		// A comma between digits belongs to a number: "1,000".
		if r == ',' && digits && j > i && j+1 < len(prompt) && isDigit(prompt[j+1]) {
			j++
			continue
		}
		if isHan(r) || !isWordRune(r) {
			break
		}
		if r < utf8.RuneSelf && isDigit(byte(r)) {
			if num > maxCrowdNumber {
				overflow = true
			} else {
				num = num*10 + int64(r-'0')
			}
		} else {
			digits = false
		}
		lr := unicode.ToLower(r)
		if w.n+utf8.RuneLen(lr) <= len(w.buf) && w.n >= 0 {
			w.n += utf8.EncodeRune(w.buf[w.n:], lr)
		} else {
			w.n = -1 // too long to match anything
		}
		j += size
	}
	w.end = j
	if w.n < 0 {
		w.n = 0
		return j
	}
	switch {
	case digits && !overflow:
		w.num = num
	case digits:
		w.num = maxCrowdNumber
	default:
		if v, ok := numbers[string(w.buf[:w.n])]; ok {
			w.num = v
		}
		w.n = fold(w.buf[:w.n])
	}
	return j
}

// matchWord checks the newest word (at count-1) against terms and crowd nouns.
func (a *analyzer) matchWord(prompt string, window *[maxTermWords]word, count int, found *signalSet) {
	cur := &window[(count-1)%len(window)]
	if cur.n == 0 {
		return
	}
	key := cur.folded()
	for _, t := range a.lastWord[key] {
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
			d := a.signals[t.signal]
			found.add(Signal{Kind: d.kind, ID: d.id, Label: d.label, Match: prompt[start:cur.end], Weight: d.weight})
		}
	}
	if !a.crowdNouns[key] {
		return
	}
	for k := 1; k <= crowdLookback && k < count; k++ {
		w := &window[(count-1-k+len(window))%len(window)]
		if w.num > 0 {
			a.addCrowd(found, w.num, prompt[w.start:cur.end])
			return
		}
	}
}

// addCrowd records a counted crowd if it reaches a band.
func (a *analyzer) addCrowd(found *signalSet, n int64, match string) {
	var weight int64 = -1
	for _, b := range a.bands {
		if n >= b.min {
			weight = b.weight
		}
	}
	if weight < 0 {
		return
	}
	found.add(Signal{Kind: "crowd", ID: crowdSignalID, Label: a.crowdLabel, Match: match, Weight: weight})
}

// scanHan matches Han terms and counted Han crowds at byte i.
func (a *analyzer) scanHan(prompt string, i int, found *signalSet) {
	r, _ := utf8.DecodeRuneInString(prompt[i:])
	rest := prompt[i:]
	for _, t := range a.han[r] {
		if strings.HasPrefix(rest, t.text) {
			d := a.signals[t.signal]
			found.add(Signal{Kind: d.kind, ID: d.id, Label: d.label, Match: t.text, Weight: d.weight})
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
			a.addCrowd(found, n, prompt[start:i+len(noun)])
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

func isHan(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r))
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '\''
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// latinWords splits a lexicon term into folded words the way the scanner reads a prompt.
func latinWords(s string) []string {
	var words []string
	var w word
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) && !isHan(r) {
			i = readWord(s, i, &w, nil)
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
	s := string(b) // no allocation: the compiler sees it does not escape
	switch {
	case n > 4 && strings.HasSuffix(s, "ies"):
		b[n-3] = 'y'
		return n - 2
	case n > 4 && (strings.HasSuffix(s, "sses") || strings.HasSuffix(s, "shes") || strings.HasSuffix(s, "ches") || strings.HasSuffix(s, "xes")):
		return n - 2
	case n > 3 && s[n-1] == 's' && !strings.HasSuffix(s, "ss") && !strings.HasSuffix(s, "us") && !strings.HasSuffix(s, "is") && s[n-2] != '\'':
		return n - 1
	}
	return n
}

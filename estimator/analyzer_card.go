package estimator

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
	"github.com/creditestimator/creditestimator/estimator/internal/scan"
)

// Reading and validating the complexity section of a rate card into the analyzer's lexicon
// (docs/complexity.md describes the schema; README.md has the table).

// stemWords splits a lexicon term into the stems of its words, the way the scanner reads a
// prompt; nil if a word is too long or the term has Han characters or no word.
func stemWords(s string) []string {
	var words []string
	sc := scan.NewScanner(s)
	var t scan.Token
	for sc.Next(&t) {
		switch t.Kind {
		case scan.Han:
			return nil
		case scan.Word:
			if t.N == 0 {
				return nil
			}
			n, _ := scan.Stem(t.Buf[:t.N])
			words = append(words, string(t.Buf[:n]))
		}
	}
	return words
}

func isHanTerm(s string) bool {
	if s == "" || len(s) > maxHanTerm {
		return false
	}
	for _, r := range s {
		if !scan.IsHan(r) {
			return false
		}
	}
	return true
}

func (p *cardParser) complexity(o object) {
	if p.err != nil {
		return
	}
	co, ok := p.sub(o, "complexity", "levels", "signals", "crowd", "numberWords", "negation", "calm", "neutral", "repeats", "model")
	if !ok {
		return
	}
	p.levels(co)
	if p.trusted {
		p.c.deferredComplexity = func() (object, *Error) { return co, nil }
		return
	}
	p.analyzerOf(co)
}

// analyzerOf builds the analyzer from the complexity section (all of it but the levels).
func (p *cardParser) analyzerOf(co object) {
	p.han = map[rune][]hanEntry{}
	seen := map[string]termAt{}
	p.signals(co, seen)
	p.crowd(co)
	p.numberWords(co)
	p.negation(co, seen)
	p.calm(co, seen)
	p.neutral(co, seen)
	p.repeats(co)
	p.model(co)
	for _, s := range p.c.analyzer.words {
		e := s.entry
		if e == nil {
			continue
		}
		// Longest first: of the terms that end with a word, only the longest that matches
		// counts ("waves crashing" is water, not also "crashing").
		sortStable(e.terms, func(x, y *wordTerm) int { return len(y.prev) - len(x.prev) })
	}
	for _, es := range p.han {
		// Longest first: the first entry that matches is the longest match.
		sortStable(es, func(x, y *hanEntry) int { return len(y.text) - len(x.text) })
	}
	p.c.analyzer.han = newHanIndex(p.han, p.hanRunes)
	p.han, p.hanRunes = nil, nil
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

// optionalBool reads an optional boolean member.
func (p *cardParser) optionalBool(o object, key string) bool {
	v, path, ok := o.get(key)
	if !ok {
		return false
	}
	if v.Kind != jsonx.Bool {
		p.fail(typeError(path, "true or false", v))
		return false
	}
	return v.Bool
}

// stringList reads an array of strings; an absent one is empty unless required. It returns the
// list's path: an item's is index(path, i), built only for an error (a card's lexicon has
// thousands of terms, and building their paths was a tenth of reading it in the browser).
func (p *cardParser) stringList(o object, key string, max int) ([]string, string) {
	return p.stringListOf(o, key, max, true)
}

func (p *cardParser) stringListOf(o object, key string, max int, required bool) ([]string, string) {
	if !required && !o.has(key) {
		return nil, ""
	}
	items, path, err := o.requiredArray(key)
	if p.fail(err) {
		return nil, ""
	}
	if len(items) > max {
		p.bad(path, "lists more than "+strconv.Itoa(max)+" items")
		return nil, ""
	}
	out := make([]string, len(items))
	for i, it := range items {
		if it.Kind != jsonx.String {
			p.fail(typeError(index(path, i), "a string", it))
			return nil, ""
		}
		out[i] = it.Str
	}
	return out, path
}

// termAt is where a lexicon term is listed: item i of the list at path list.
type termAt struct {
	list string
	i    int
}

func (t termAt) path() string { return index(t.list, t.i) }

func (p *cardParser) signals(o object, seen map[string]termAt) {
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
	seenID := map[string]bool{crowdSignalID: true}
	for i, item := range items {
		ip := index(path, i)
		so, err := asObject(item, ip, "id", "kind", "label", "weight", "calmable", "amplifier", "pluralOnly", "terms")
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
		d.calmable = p.optionalBool(so, "calmable")
		d.amplifier = p.optionalBool(so, "amplifier")
		d.pluralOnly = p.optionalBool(so, "pluralOnly")
		terms, tp := p.stringList(so, "terms", 512)
		if p.err != nil {
			return
		}
		if len(terms) == 0 {
			p.bad(join(ip, "terms"), "must list at least one term")
			return
		}
		for j, t := range terms {
			if !p.addTerm(t, termAt{tp, j}, seen, func(stems []string) {
				e := a.entry(stems[len(stems)-1])
				e.terms = append(e.terms, wordTerm{prev: stems[:len(stems)-1], signal: len(a.signals)})
			}, hanEntry{text: t, role: hanSignal, signal: len(a.signals)}) {
				return
			}
		}
		a.signals = append(a.signals, d)
	}
}

// addTerm validates one lexicon term and indexes it: a Latin term through latin (given the
// stems of its words), a Han term as han. seen catches a term in two lists (after stemming: a
// term that means two things); another form of a term in the same list ("fight", "fighting",
// written before stemming) is accepted and indexed once.
func (p *cardParser) addTerm(term string, at termAt, seen map[string]termAt, latin func([]string), han hanEntry) bool {
	a := &p.c.analyzer
	if strings.TrimSpace(term) == "" || len(term) > 64 {
		p.bad(at.path(), "must be a non-empty term of at most 64 bytes")
		return false
	}
	var key string
	if r, _ := utf8.DecodeRuneInString(term); scan.IsHan(r) {
		if !isHanTerm(term) {
			p.bad(at.path(), "a Chinese term must consist of at most 10 Han characters only")
			return false
		}
		key = term
		if prev, dup := seen[key]; dup {
			return p.sameList(prev, at, term)
		}
		if len(term) > utf8.RuneLen(r) {
			han.second, _ = utf8.DecodeRuneInString(term[utf8.RuneLen(r):])
		}
		if p.han[r] == nil {
			p.hanRunes = append(p.hanRunes, r)
		}
		p.han[r] = append(p.han[r], han)
		a.markHan(r)
	} else {
		stems := stemWords(term)
		if len(stems) == 0 || len(stems) > maxTermWords {
			p.bad(at.path(), "a term must have between 1 and 4 words")
			return false
		}
		key = stems[0]
		if len(stems) > 1 {
			key = strings.Join(stems, " ")
		}
		if prev, dup := seen[key]; dup {
			return p.sameList(prev, at, term)
		}
		latin(stems)
	}
	seen[key] = at
	return true
}

// sameList accepts a term seen before at prev if it was in the same list as at; else it
// reports the term as listed twice.
func (p *cardParser) sameList(prev, at termAt, term string) bool {
	if prev.list == at.list {
		return true
	}
	p.bad(at.path(), "term \""+term+"\" is already listed at "+prev.path())
	return false
}

// oneWord returns the lexicon entry of a one-word Latin term, or reports why it is not one.
func (p *cardParser) oneWord(term string, at termAt, what string) *lexEntry {
	stems := stemWords(term)
	if len(stems) != 1 || len(term) > 64 {
		p.bad(at.path(), what+" is one word")
		return nil
	}
	return p.c.analyzer.entry(stems[0])
}

func (p *cardParser) crowd(o object) {
	if p.err != nil {
		return
	}
	co, ok := p.sub(o, "crowd", "label", "nouns", "units", "measureWords", "fillers", "hanUnits", "bareHanMin", "bands")
	if !ok {
		return
	}
	a := &p.c.analyzer
	a.crowdLabel = p.label(co, "label")
	nouns, np := p.stringList(co, "nouns", 512)
	a.hanNouns = map[rune][]string{}
	for j, n := range nouns {
		if r, _ := utf8.DecodeRuneInString(n); scan.IsHan(r) {
			if !isHanTerm(n) {
				p.bad(index(np, j), "a Chinese noun must consist of at most 10 Han characters only")
				return
			}
			a.hanNouns[r] = append(a.hanNouns[r], n)
			a.markHan(r)
			continue
		}
		if e := p.oneWord(n, termAt{np, j}, "a crowd noun"); e != nil {
			e.noun = true
		}
	}
	for _, ns := range a.hanNouns {
		sortStable(ns, func(x, y *string) int { return len(*y) - len(*x) })
	}
	units, up := p.stringListOf(co, "units", 512, false)
	for j, u := range units {
		if e := p.oneWord(u, termAt{up, j}, "a unit"); e != nil {
			e.unit = true
		}
	}
	// Without these keys (a card written before them) a Chinese numeral counts a crowd only
	// before a crowd noun, over any of the usual measure words.
	a.measures = []rune(p.hanChars(co, "measureWords", ""))
	a.fillers = []rune(p.hanChars(co, "fillers", "名个位只匹头辆艘架群条的多余"))
	hanUnits, hp := p.stringListOf(co, "hanUnits", 512, false)
	for j, u := range hanUnits {
		if !isHanTerm(u) {
			p.bad(index(hp, j), "a Chinese unit must consist of at most 10 Han characters only")
			return
		}
	}
	a.hanUnits = hanUnits
	var err *Error
	a.bareMin, _, err = co.optionalInt("bareHanMin", 2, maxCrowdNumber, 0) // 0: never on its own
	if p.fail(err) {
		return
	}
	if a.bareMin == 0 {
		a.bareMin = maxCrowdNumber + 1
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

// hanChars reads a string of single Han characters ("名位只").
func (p *cardParser) hanChars(o object, key, def string) string {
	s, path, err := o.optionalString(key, def)
	if p.fail(err) {
		return ""
	}
	if len(s) > 256 {
		p.bad(path, "must be at most 64 Han characters")
		return ""
	}
	for _, r := range s {
		if !scan.IsHan(r) {
			p.bad(path, "must be Han characters only")
			return ""
		}
	}
	return s
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
		if m.Key == "" || len(m.Key) > scan.MaxWord || asciiLower(m.Key) != m.Key || len(stemWords(m.Key)) != 1 {
			p.bad(kp, "must be one lower-case word")
			return
		}
		n, err := fixedValue(m.Value, kp, 0, 1, maxCrowdNumber, false, "an integer")
		if p.fail(err) {
			return
		}
		// Keyed by the stem, like every word: "dozens" is the plural of "dozen".
		b := []byte(m.Key)
		sn, plural := scan.Stem(b)
		if e := a.entry(string(b[:sn])); plural {
			e.numPlural = n
		} else {
			e.num = n
		}
	}
}

func (p *cardParser) negation(o object, seen map[string]termAt) {
	if p.err != nil {
		return
	}
	if !o.has("negation") {
		return // no negation words: every term counts
	}
	no, ok := p.sub(o, "negation", "terms", "stops", "scope")
	if !ok {
		return
	}
	a := &p.c.analyzer
	scope, _, err := no.requiredInt("scope", 1, maxScope)
	if p.fail(err) {
		return
	}
	a.negScope = int(scope)
	p.flagTerms(no, "terms", seen, hanNegator, func(e *lexEntry) { e.negator = true })
	p.flagTerms(no, "stops", seen, hanStop, func(e *lexEntry) { e.stop = true })
}

func (p *cardParser) calm(o object, seen map[string]termAt) {
	if p.err != nil {
		return
	}
	if !o.has("calm") {
		return
	}
	co, ok := p.sub(o, "calm", "terms", "except")
	if !ok {
		return
	}
	p.flagTerms(co, "terms", seen, hanCalm, func(e *lexEntry) { e.calm = true })
	except, ep := p.stringListOf(co, "except", 64, false)
	for j, w := range except {
		if e := p.oneWord(w, termAt{ep, j}, "an exception"); e != nil {
			e.calmExcept = true
		}
	}
}

func (p *cardParser) neutral(o object, seen map[string]termAt) {
	if p.err != nil {
		return
	}
	terms, tp := p.stringListOf(o, "neutral", 512, false)
	for j, t := range terms {
		if !isHanTerm(t) {
			p.bad(index(tp, j), "a neutral term is Chinese: at most 10 Han characters")
			return
		}
		if !p.addTerm(t, termAt{tp, j}, seen, nil, hanEntry{text: t, role: hanNeutral}) {
			return
		}
	}
}

// repeats reads the kinds whose further signals count for less: kind → percent.
func (p *cardParser) repeats(o object) {
	if p.err != nil || !o.has("repeats") {
		return
	}
	v, path, _ := o.get("repeats")
	if v.Kind != jsonx.Object {
		p.fail(typeError(path, "an object", v))
		return
	}
	a := &p.c.analyzer
	for _, m := range v.Members {
		kp := join(path, m.Key)
		if strings.TrimSpace(m.Key) == "" || len(m.Key) > 200 {
			p.bad(kp, "must be a signal kind")
			return
		}
		pct, err := fixedValue(m.Value, kp, 0, 0, 100, false, "an integer")
		if p.fail(err) {
			return
		}
		a.repeats = append(a.repeats, kindRepeat{kind: m.Key, pct: pct})
	}
}

// flagTerms reads a list of one-word Latin terms or Han terms with one role.
func (p *cardParser) flagTerms(o object, key string, seen map[string]termAt, role uint8, flag func(*lexEntry)) {
	if p.err != nil {
		return
	}
	terms, tp := p.stringList(o, key, 128)
	for j, t := range terms {
		if p.err != nil {
			return
		}
		if r, _ := utf8.DecodeRuneInString(t); !scan.IsHan(r) && len(stemWords(t)) > 1 {
			p.bad(index(tp, j), "must be one word")
			return
		}
		if !p.addTerm(t, termAt{tp, j}, seen, func(stems []string) { flag(p.c.analyzer.entry(stems[0])) }, hanEntry{text: t, role: role}) {
			return
		}
	}
}

// model reads the learned word weights (optional: a card without them prices by its rules
// alone). Each key is a word, two words, one Han character or two; Latin words are stemmed as
// the scanner stems a prompt, so two keys with one stem are an error, like two terms with one
// stem.
func (p *cardParser) model(o object) {
	if p.err != nil || !o.has("model") {
		return
	}
	mo, ok := p.sub(o, "model", "label", "otherLabel", "explain", "weights", "background", "together", "spread")
	if !ok {
		return
	}
	m := &p.c.analyzer.model
	m.label = p.label(mo, "label")
	m.otherLabel = p.label(mo, "otherLabel")
	explain, _, err := mo.requiredInt("explain", 0, maxExplain)
	if p.fail(err) {
		return
	}
	m.explain = int(explain)
	v, path, _ := mo.get("weights")
	if v.Kind != jsonx.Object {
		p.fail(typeError(path, "an object", v))
		return
	}
	var bg jsonx.Value
	bgPath := join(mo.path, "background")
	if mo.has("background") {
		bg, bgPath, _ = mo.get("background")
		if bg.Kind != jsonx.Object {
			p.fail(typeError(bgPath, "an object", bg))
			return
		}
	}
	if n := len(v.Members) + len(bg.Members); n > maxModelFeatures {
		p.bad(path, "has "+strconv.Itoa(n)+" features with the background ones; at most "+strconv.Itoa(maxModelFeatures)+" are allowed")
		return
	}
	size := 16
	for size < 2*(len(v.Members)+len(bg.Members)) {
		size *= 2
	}
	m.slots = make([]modelSlot, size)
	if !p.modelWeights(v, path, true) {
		return
	}
	if !p.modelWeights(bg, bgPath, false) {
		return
	}
	if mo.has("together") {
		p.together(mo)
	}
	if mo.has("spread") {
		p.spread(mo)
	}
}

// spread reads model.spread: a label and "levels", how many levels a prompt of several
// sentences may be priced above its heaviest sentence read alone (1 to 16).
func (p *cardParser) spread(mo object) {
	so, ok := p.sub(mo, "spread", "label", "levels")
	if !ok {
		return
	}
	label := p.label(so, "label")
	n, _, err := so.requiredInt("levels", 1, maxSpreadLevels)
	if p.fail(err) {
		return
	}
	p.c.analyzer.model.spread = spreadCap{levels: int(n), label: label}
}

// together reads model.together: a label, "pairs" (two rule features joined by "+": signal ids
// or "crowd-count" → weight) and "counts" (a number of rule features, 2…8 → weight).
func (p *cardParser) together(mo object) {
	to, ok := p.sub(mo, "together", "label", "pairs", "counts")
	if !ok {
		return
	}
	a := &p.c.analyzer
	tw := &a.model.together
	tw.label = p.label(to, "label")
	n := len(a.signals) + 1
	index := func(id string) int {
		if id == crowdSignalID {
			return n - 1
		}
		for i := range a.signals {
			if a.signals[i].id == id {
				return i
			}
		}
		return -1
	}
	tw.pairs = make([]int32, n*n)
	seen := make([]bool, n*n)
	weights := func(key string, each func(k string, w int32) string) {
		if !to.has(key) {
			return
		}
		v, path, _ := to.get(key)
		if v.Kind != jsonx.Object {
			p.fail(typeError(path, "an object", v))
			return
		}
		p.weightsOf(v, path, each)
	}
	weights("pairs", func(k string, w int32) string {
		x, y, _ := strings.Cut(k, "+")
		i, j := index(x), index(y)
		if i < 0 || j < 0 || i == j {
			return `must be two different signal ids (or "crowd-count") joined by "+"`
		}
		if seen[i*n+j] {
			return "is the same pair as another key"
		}
		seen[i*n+j], seen[j*n+i] = true, true
		tw.pairs[i*n+j], tw.pairs[j*n+i] = w, w
		return ""
	})
	weights("counts", func(k string, w int32) string {
		// One digit: maxTogether is 8.
		if len(k) != 1 || k[0] < '2' || k[0] > '0'+maxTogether {
			return "must be a number of rule features from 2 to " + strconv.Itoa(maxTogether)
		}
		tw.counts[k[0]-'2'] = w
		return ""
	})
	if p.err == nil {
		tw.n = n
	}
}

// modelWeights reads one map of feature → weight into the model; named features may be named by
// an explanation, background ones are not.
func (p *cardParser) modelWeights(v jsonx.Value, path string, named bool) bool {
	m := &p.c.analyzer.model
	return p.weightsOf(v, path, func(key string, w int32) string {
		h, ok := modelFeatureHash(key)
		if !ok {
			return "must be one or two words, or one or two Han characters"
		}
		if !m.add(featureKey(h), w, named) {
			return "means the same feature as another key (after stemming)"
		}
		return ""
	})
}

// weightsOf reads the members of object v (at path) as key → integer weight, handing each to
// each, which returns why it refuses the key ("" when it takes it). A key's path is built only
// for an error: a card has thousands of keys.
func (p *cardParser) weightsOf(v jsonx.Value, path string, each func(key string, w int32) string) bool {
	for _, mem := range v.Members {
		w, err := fixedValue(mem.Value, "", 0, -maxModelWeight, maxModelWeight, false, "an integer")
		if err != nil {
			err.Field = join(path, mem.Key)
			p.fail(err)
			return false
		}
		if why := each(mem.Key, int32(w)); why != "" {
			p.bad(join(path, mem.Key), why)
			return false
		}
	}
	return true
}

// modelFeatureHash hashes a model key the way the scan hashes what it reads: the stems of one or
// two Latin words joined by a space, or one or two Han characters. It allocates nothing (a card
// has thousands of keys): the words' stems are hashed in the scanner's buffer.
func modelFeatureHash(key string) (uint64, bool) {
	if r, size := utf8.DecodeRuneInString(key); scan.IsHan(r) {
		n := utf8.RuneCountInString(key)
		if n > 2 || !isHanTerm(key) {
			return 0, false
		}
		h := fnvAddString(fnvOffset, key[:size])
		if n == 2 {
			h = pairHash(h, fnvAddString(fnvOffset, key[size:]))
		}
		return h, true
	}
	if h, ok := asciiFeatureHash(key); ok {
		return h, true
	}
	return scannedFeatureHash(key)
}

// asciiFeatureHash hashes a key of one or two words of lower-case ASCII letters, one space
// between them, as the scanner would read it, without the scanner (most of a card's thousands of
// keys, at the first prompt); false for any other key, which scannedFeatureHash reads.
func asciiFeatureHash(key string) (uint64, bool) {
	var buf [scan.MaxWord]byte
	var h uint64
	words, start := 0, 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) && key[i] >= 'a' && key[i] <= 'z' {
			continue
		}
		n := i - start
		if n == 0 || n > scan.MaxWord || words == 2 || (i < len(key) && key[i] != ' ') {
			return 0, false
		}
		copy(buf[:], key[start:i])
		sn, _ := scan.Stem(buf[:n])
		w := fnvAdd(fnvOffset, buf[:sn])
		if words == 0 {
			h = w
		} else {
			h = pairHash(h, w)
		}
		words++
		start = i + 1
	}
	return h, true
}

// scannedFeatureHash hashes a Latin key through the scanner.
func scannedFeatureHash(key string) (uint64, bool) {
	// As stemWords reads a term: a Han character or a word too long to stem is not a feature.
	var h uint64
	words := 0
	sc := scan.NewScanner(key)
	var t scan.Token
	for sc.Next(&t) {
		switch t.Kind {
		case scan.Han:
			return 0, false
		case scan.Word:
			if t.N == 0 || words == 2 {
				return 0, false
			}
			n, _ := scan.Stem(t.Buf[:t.N])
			w := fnvAdd(fnvOffset, t.Buf[:n])
			if words == 0 {
				h = w
			} else {
				h = pairHash(h, w)
			}
			words++
		}
	}
	return h, words > 0
}

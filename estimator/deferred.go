package estimator

import "github.com/creditestimator/creditestimator/estimator/internal/jsonx"

// A trusted card (the embedded default) builds its analyzer at the first analysis of a prompt
// instead of at start-up, and reads its translations at the first request in another language
// (a page in the card's language never needs them; in the browser they were a tenth of Go's
// start). Reading the complexity section — stemming every term, hashing the word model's
// phrases, building the lexicon — is most of parsing the card, and the module parses the card
// before its first answer: a page's first live price (an empty prompt) does not need it.
// When the card's digest is known too (the module's build computes it), the section's JSON is
// not even parsed at start: the document is parsed with the section cut down to its levels, and
// the section's bytes are parsed at the first prompt. The tests parse the same bytes in full
// (TestDeferredAnalyzerEqualsEager), so the deferred build cannot fail; should it anyway, it
// panics like Default does for an invalid embedded card.

// an returns the card's analyzer, built first if it was deferred.
func (c *RateCard) an() *analyzer {
	c.analyzerOnce.Do(c.buildDeferredAnalyzer)
	return &c.analyzer
}

func (c *RateCard) buildDeferredAnalyzer() {
	section := c.deferredComplexity
	if section == nil {
		return
	}
	c.deferredComplexity = nil
	var p cardParser
	if defaultLexiconImage != "" && c.digest == defaultCardDigest && c.analyzer.readLexiconImage(defaultLexiconImage) {
		// The module's build read the rules' lexicon of this very card (the digest says so) into
		// an image: only the word model is read from the JSON now (lexiconimage.go).
		co, err := modelSection(section)
		p = cardParser{c: c, err: err}
		p.model(co)
	} else {
		c.analyzer = analyzer{}
		co, err := section()
		p = cardParser{c: c, err: err}
		p.analyzerOf(co)
	}
	if p.err != nil {
		panic("estimator: embedded rate card is invalid: " + p.err.Error())
	}
}

// modelSection returns the default card's complexity section with only its word model, parsed
// from the model's own bytes when the module's build found where they are (defaultModelSpan),
// else the whole section.
func modelSection(section func() (object, *Error)) (object, *Error) {
	if m := defaultModelSpan; m[0] < m[1] && m[1] <= len(defaultCardJSON) {
		v, err := parseEmbedded(defaultCardJSON[m[0]:m[1]])
		if err != nil {
			return object{}, err
		}
		return object{path: "complexity", members: []jsonx.Member{{Key: "model", Value: v}}}, nil
	}
	return section()
}

// tr returns the card's translations, parsed first if they were deferred.
func (c *RateCard) tr() []translation {
	c.translationsOnce.Do(c.buildDeferredTranslations)
	return c.translations
}

func (c *RateCard) buildDeferredTranslations() {
	section := c.deferredTranslations
	if section == nil {
		return
	}
	c.deferredTranslations = nil
	v, err := parseEmbedded(section)
	p := cardParser{c: c, err: err, trusted: true}
	p.translationsOf(v, "translations")
	if p.err != nil {
		panic("estimator: embedded rate card is invalid: " + p.err.Error())
	}
	c.precomputeTranslations()
}

// cardSpans are byte spans [start, end) of a card document's sections: the complexity section's
// value, its levels' value, and the translations' value (zero when the card has none).
type cardSpans struct {
	Complexity, Levels, Translations [2]int
}

// cut returns the document with the complexity section cut down to its levels and the
// translations' value replaced by {} — the bytes withoutAnalyzerJSON then withoutMemberValue
// make —, and the two values' own bytes. ok is false when the spans are not known or do not fit
// the document.
func (sp cardSpans) cut(data []byte) (doc, section, translations []byte, ok bool) {
	c, l, t := sp.Complexity, sp.Levels, sp.Translations
	if c[1] == 0 || c[1] > len(data) || l[0] < c[0] || l[1] > c[1] || l[0] >= l[1] || c[0] >= c[1] {
		return nil, nil, nil, false
	}
	levels := `{"levels":` + string(data[l[0]:l[1]]) + "}"
	switch {
	case t[1] == 0:
		return splice(data, c[0], c[1], levels), data[c[0]:c[1]], nil, true
	case t[1] > len(data) || t[0] >= t[1] || (t[0] < c[1] && t[1] > c[0]):
		return nil, nil, nil, false
	case t[0] > c[0]:
		doc = splice(splice(data, t[0], t[1], "{}"), c[0], c[1], levels)
	default:
		doc = splice(splice(data, c[0], c[1], levels), t[0], t[1], "{}")
	}
	return doc, data[c[0]:c[1]], data[t[0]:t[1]], true
}

// withoutMemberValue returns a trusted card's document with the value of its top-level member
// key replaced by {} (an object without members), and the value's own bytes; ok is false when the
// member is not there.
func withoutMemberValue(data []byte, key string) (doc, value []byte, ok bool) {
	vs, ve, ok := memberSpan(data, skipSpace(data, 0), key)
	if !ok {
		return nil, nil, false
	}
	return splice(data, vs, ve, "{}"), data[vs:ve], true
}

// splice returns a copy of data with data[start:end] replaced by with. Not inlined: its four
// calls in cardSpans.cut made that 10 KB of wasm.
//
//go:noinline
func splice(data []byte, start, end int, with ...string) []byte {
	n := len(data) - (end - start)
	for _, w := range with {
		n += len(w)
	}
	out := make([]byte, 0, n)
	out = append(out, data[:start]...)
	for _, w := range with {
		out = append(out, w...)
	}
	return append(out, data[end:]...)
}

// withoutAnalyzerJSON returns a trusted card's document with its complexity section cut down to
// the levels, and the section's own bytes; ok is false when the sections are not where a card
// has them (the caller then parses the whole document).
func withoutAnalyzerJSON(data []byte) (doc, section []byte, ok bool) {
	root := skipSpace(data, 0)
	cs, ce, ok := memberSpan(data, root, "complexity")
	if !ok {
		return nil, nil, false
	}
	ls, le, ok := memberSpan(data, cs, "levels")
	if !ok {
		return nil, nil, false
	}
	return splice(data, cs, ce, `{"levels":`, string(data[ls:le]), "}"), data[cs:ce], true
}

// memberSpan finds the value of member key of the object starting at data[at] ('{'): its bytes
// are data[start:end]. It reads trusted JSON only: it skips, it does not validate.
func memberSpan(data []byte, at int, key string) (start, end int, ok bool) {
	if at >= len(data) || data[at] != '{' {
		return 0, 0, false
	}
	i := at + 1
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return 0, 0, false
		}
		ks := i
		if i = skipValue(data, i); i < 0 {
			return 0, 0, false
		}
		name := data[ks+1 : i-1]
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ':' {
			return 0, 0, false
		}
		i = skipSpace(data, i+1)
		vs := i
		if i = skipValue(data, i); i < 0 {
			return 0, 0, false
		}
		if string(name) == key {
			return vs, i, true
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ',' {
			return 0, 0, false
		}
		i++
	}
}

// skipValue returns the index just after the JSON value starting at data[i] (-1 if it runs out).
func skipValue(data []byte, i int) int {
	depth := 0
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if i >= len(data) {
				return -1
			}
			i++
		case c == '{' || c == '[':
			depth++
			i++
		case c == '}' || c == ']':
			if depth == 0 {
				return i // a number or literal ended at its container's end
			}
			depth--
			i++
		case depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t'):
			return i
		default:
			i++
		}
		if depth == 0 && (c == '"' || c == '}' || c == ']') {
			return i
		}
	}
	if depth == 0 {
		return i
	}
	return -1
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t') {
		i++
	}
	return i
}

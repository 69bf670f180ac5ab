package estimator

import (
	"strconv"
	"strings"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Card translations: a card may carry its own labels in other languages (resolutions, modes,
// complexity levels, signals, plans, the reference, the standard queue and the ROI label), keyed
// by catalogue language ("de", "zh-Hans"). A quote asked for a locale explains itself with them;
// a language the card does not translate, or a label it leaves out, falls back to the card's own
// language (its "language" member, "en" when absent).

const (
	maxTranslations = 32
	maxLocaleBytes  = 35 // BCP 47 tags in practice; a longer locale is refused
	defaultLanguage = "en"
)

// translation is one language's labels, indexed like the card's own lists ("" = not translated).
type translation struct {
	lang          string
	reference     string
	formats       []string   // by format index
	cellLabels    [][]string // by format, fps index: "<label> · 30 fps"
	modes         []string   // by mode index
	levels        []string   // by level index
	signals       map[string]string
	plans         map[string]string
	standardQueue string
	roi           string
}

// Language returns the language of the card's own labels ("en" unless the card says otherwise).
func (c *RateCard) Language() string {
	if c.language == "" {
		return defaultLanguage
	}
	return c.language
}

// Languages returns the languages the card translates its labels into, in card order.
func (c *RateCard) Languages() []string {
	trs := c.tr()
	out := make([]string, len(trs))
	for i, t := range trs {
		out[i] = t.lang
	}
	return out
}

// PlanName returns a plan's name in a locale (the card's own name when not translated).
func (c *RateCard) PlanName(id, locale string) string {
	name := ""
	for _, p := range c.plans {
		if p.ID == id {
			name = p.Name
		}
	}
	if t := c.translationFor(locale); t != nil && t.plans[id] != "" {
		return t.plans[id]
	}
	return name
}

// validLanguageTag accepts the shape of a BCP 47 tag: letters and digits in subtags of 1–8,
// separated by hyphens, the first of 2–8 letters.
func validLanguageTag(s string) bool {
	if s == "" || len(s) > maxLocaleBytes {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if len(part) < 1 || len(part) > 8 || (i == 0 && len(part) < 2) {
			return false
		}
		for _, r := range part {
			isLetter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
			if !isLetter && (i == 0 || r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

// translationFor finds the card's translation for a locale: the tag itself, else its language
// and script ("zh-Hans-CN" → "zh-Hans"), else its language ("de-AT" → "de"), with Chinese
// without a script read as Simplified ("zh-CN" → "zh-Hans") unless it names Taiwan, Hong Kong
// or Macao. Nil when the card has none (the card's own labels are used).
func (c *RateCard) translationFor(locale string) *translation {
	if locale == "" || strings.EqualFold(locale, c.Language()) {
		return nil
	}
	trs := c.tr()
	if len(trs) == 0 {
		return nil
	}
	parts := strings.Split(locale, "-")
	cands := []string{locale}
	lang := strings.ToLower(parts[0])
	if len(parts) > 1 && len(parts[1]) == 4 {
		cands = append(cands, lang+"-"+strings.ToUpper(parts[1][:1])+strings.ToLower(parts[1][1:]))
	} else if lang == "zh" {
		script := "Hans"
		if len(parts) > 1 {
			switch strings.ToUpper(parts[1]) {
			case "TW", "HK", "MO":
				script = "Hant"
			}
		}
		cands = append(cands, "zh-"+script)
	}
	cands = append(cands, lang)
	for _, want := range cands {
		for i := range trs {
			if strings.EqualFold(trs[i].lang, want) {
				return &trs[i]
			}
		}
	}
	return nil
}

// checkLocale validates the optional locale member of a request.
func checkLocale(locale, path string) *Error {
	if locale != "" && !validLanguageTag(locale) {
		return newError(CodeInvalidValue, path, "must be a language tag such as \"de\" or \"zh-Hans\"")
	}
	return nil
}

// localize rewrites a quote's explanation in a locale the card translates: the card's labels
// from its translation, the format, duration and count lines in a language-neutral form (the
// widget words them in its own catalogue). Unknown locales leave the card's language.
func (c *RateCard) localize(q *Quote, fi, pi, mi int, locale string) {
	t := c.translationFor(locale)
	if t == nil {
		return
	}
	if t.reference != "" {
		q.Reference.Label = t.reference
	}
	for i := range q.Breakdown {
		f := &q.Breakdown[i]
		switch f.Factor {
		case "format":
			f.Label = t.cellLabels[fi][pi]
		case "duration":
			f.Label = strconv.FormatInt(q.BilledSeconds, 10) + " s ÷ " + strconv.FormatInt(c.refSeconds, 10) + " s"
		case "complexity":
			if li := c.levelIndex(q.Complexity.Level); li >= 0 && t.levels[li] != "" {
				f.Label = t.levels[li]
			}
		case "mode":
			if t.modes[mi] != "" {
				f.Label = t.modes[mi]
			}
		case "count":
			f.Label = "× " + strconv.FormatInt(q.Count, 10)
		}
	}
	if li := c.levelIndex(q.Complexity.Level); li >= 0 && t.levels[li] != "" {
		q.Complexity.Label = t.levels[li]
	}
	if len(q.Complexity.Signals) > 0 {
		sigs := make([]Signal, len(q.Complexity.Signals))
		copy(sigs, q.Complexity.Signals)
		for i := range sigs {
			if l := t.signals[sigs[i].ID]; l != "" {
				sigs[i].Label = l
			}
		}
		q.Complexity.Signals = sigs
	}
}

// translations parses the card's optional "language" and "translations" members. Every key must
// name something the card has; every label follows the card's label rules.
func (p *cardParser) translations(o object) {
	if p.err != nil {
		return
	}
	c := p.c
	if o.has("language") {
		lang, path, err := o.requiredString("language")
		if p.fail(err) {
			return
		}
		if !validLanguageTag(lang) {
			p.bad(path, "must be a language tag such as \"en\" or \"zh-Hans\"")
			return
		}
		c.language = lang
	}
	if !o.has("translations") {
		return
	}
	v, path, _ := o.get("translations")
	p.translationsOf(v, path)
}

// translationsOf parses the value of "translations" at path.
func (p *cardParser) translationsOf(v jsonx.Value, path string) {
	if p.err != nil {
		return
	}
	c := p.c
	if v.Kind != jsonx.Object {
		p.fail(typeError(path, "an object", v))
		return
	}
	if len(v.Members) > maxTranslations {
		p.bad(path, "must translate into at most "+strconv.Itoa(maxTranslations)+" languages")
		return
	}
	for _, m := range v.Members {
		lp := join(path, m.Key)
		if !validLanguageTag(m.Key) {
			p.bad(lp, "must be keyed by a language tag such as \"de\" or \"zh-Hans\"")
			return
		}
		if strings.EqualFold(m.Key, c.Language()) {
			p.bad(lp, "repeats the card's own language")
			return
		}
		for _, t := range c.translations {
			if strings.EqualFold(t.lang, m.Key) {
				p.bad(lp, "is translated twice")
				return
			}
		}
		to, err := asObject(m.Value, lp, "reference", "formats", "modes", "levels", "signals", "plans", "standardQueue", "roi")
		if p.fail(err) {
			return
		}
		t := translation{lang: m.Key, formats: make([]string, len(c.formats)), modes: make([]string, len(c.modes)), levels: make([]string, len(c.levels))}
		if to.has("reference") {
			t.reference = p.label(to, "reference")
		}
		if to.has("standardQueue") {
			t.standardQueue = p.label(to, "standardQueue")
		}
		if to.has("roi") {
			t.roi = p.label(to, "roi")
		}
		p.labelMap(to, "formats", func(k string) int {
			for i, f := range c.formats {
				if f.name == k {
					return i
				}
			}
			return -1
		}, t.formats)
		p.labelMap(to, "modes", c.modeIndex, t.modes)
		p.labelMap(to, "levels", c.levelIndex, t.levels)
		t.signals = p.labelSet(to, "signals", func(k string) bool {
			if p.trusted || k == crowdSignalID || (c.analyzer.model.n > 0 && (k == wordsSignalID || k == otherWordsID)) ||
				(c.analyzer.model.together.n > 0 && k == togetherID) || (c.analyzer.model.spread.levels > 0 && k == spreadID) {
				// A trusted card's analyzer is not built yet; the tests check its keys.
				return true
			}
			for _, d := range c.analyzer.signals {
				if d.id == k {
					return true
				}
			}
			return false
		})
		t.plans = p.labelSet(to, "plans", func(k string) bool {
			for _, pl := range c.plans {
				if pl.ID == k {
					return true
				}
			}
			return false
		})
		if p.err != nil {
			return
		}
		c.translations = append(c.translations, t)
	}
}

// labelMap reads an object of labels keyed by names that index finds, into out.
func (p *cardParser) labelMap(o object, key string, index func(string) int, out []string) {
	if p.err != nil || !o.has(key) {
		return
	}
	m, ok := p.anyKeys(o, key)
	if !ok {
		return
	}
	for _, mm := range m.members {
		i := index(mm.Key)
		if i < 0 {
			p.bad(join(m.path, mm.Key), "names no "+strings.TrimSuffix(key, "s")+" of this card")
			return
		}
		out[i] = p.label(m, mm.Key)
	}
}

// labelSet reads an object of labels keyed by ids that known accepts.
func (p *cardParser) labelSet(o object, key string, known func(string) bool) map[string]string {
	if p.err != nil || !o.has(key) {
		return nil
	}
	m, ok := p.anyKeys(o, key)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m.members))
	for _, mm := range m.members {
		if !known(mm.Key) {
			p.bad(join(m.path, mm.Key), "names no "+strings.TrimSuffix(key, "s")+" of this card")
			return nil
		}
		out[mm.Key] = p.label(m, mm.Key)
	}
	return out
}

// precomputeTranslations builds the translated format lines, so a localized quote allocates no labels for them.
func (c *RateCard) precomputeTranslations() {
	for ti := range c.translations {
		t := &c.translations[ti]
		t.cellLabels = make([][]string, len(c.formats))
		for i, f := range c.formats {
			label := t.formats[i]
			if label == "" {
				label = f.label
			}
			t.cellLabels[i] = make([]string, len(c.fps))
			for k, fps := range c.fps {
				t.cellLabels[i][k] = label + " · " + strconv.FormatInt(fps, 10) + " fps"
			}
		}
	}
}

// anyKeys reads a member that must be an object whose keys the caller checks.
func (p *cardParser) anyKeys(o object, key string) (object, bool) {
	v, path, _ := o.get(key)
	if v.Kind != jsonx.Object {
		p.fail(typeError(path, "an object", v))
		return object{}, false
	}
	return object{path: path, members: v.Members}, true
}

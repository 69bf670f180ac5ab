package estimator

import (
	"cmp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
	"github.com/creditestimator/creditestimator/estimator/internal/sha256"
)

// MaxCardBytes bounds a rate card document. A card is the one request larger than
// MaxRequestBytes a front end passes on (the wasm module's useRateCard).
const MaxCardBytes = 1 << 20

// Bounds that keep every product of card factors inside exact 128-bit intermediates and every
// result inside int64. A card outside them is rejected, never clamped.
const (
	maxMultiplier     = 1000 * multiplierScale // ×1000
	maxReferenceCents = 1_000_000 * creditScale
	maxCardSeconds    = 3600
	maxCardCount      = 10_000
	maxPromptLimit    = 100_000
	maxCardCredits    = 1_000_000_000 * creditScale
	maxCardMoney      = 1_000_000_000 * moneyScale
	maxValidDays      = 3660
	maxWeight         = 1000
)

// RateCard is a validated, immutable rate card: every priced number of the model. Use Default
// for the embedded card or ParseRateCard for one received at run time. It is safe for
// concurrent use.
type RateCard struct {
	// lastAnalysis is the last prompt the quote op analyzed and its complexity (estimateShared).
	lastAnalysis atomic.Pointer[analysisMemo]

	raw      []byte
	version  string
	digest   string
	currency string
	money    moneyFmt // the currency's minor unit (currency.go)
	language string   // of the card's own labels; "" is English

	translations []translation // other languages of the card's labels (translations.go)

	refFormat, refFPS int   // indexes into formats and fps
	refSeconds        int64 // reference duration
	refCredits        Credits
	refLabel          string

	minSeconds, maxSeconds, incrementSeconds int64
	maxCount, maxPromptChars                 int64

	fps     []int64 // ascending
	formats []format
	modes   []mode
	levels  []level

	analyzer analyzer
	// analyzerOnce builds the analyzer from deferredComplexity, which gives the complexity
	// section of a trusted card (the embedded default), at the first analysis of a prompt:
	// start-up prices without reading the section's lexicon and word model (deferred.go).
	analyzerOnce       sync.Once
	deferredComplexity func() (object, *Error)
	// translationsOnce parses deferredTranslations, a trusted card's translations section, at
	// the first request in another language than the card's (deferred.go).
	translationsOnce     sync.Once
	deferredTranslations []byte

	trial         Trial
	plans         []Plan
	topUps        TopUps
	standardQueue StandardQueue
	roi           ROIDefaults

	// Precomputed so that Estimate allocates nothing for labels.
	durationLabels []string // by billed seconds
	countLabels    []string // by count
	cheapest       Bundle   // lowest price per credit
	dearest        Bundle   // highest price per credit

	// The plans' full top-up table and break-even points depend on the card alone: computed
	// once, on first use, and only read afterwards.
	plansOnce  sync.Once
	fullSolver *topUpSolver
	breakEvens []BreakEven
	plansErr   *Error
}

type format struct {
	name       string
	label      string
	aliases    []string
	mult       []Multiplier // by fps index
	cellLabels []string     // "2160p 4K at 60 fps", by fps index
}

type mode struct {
	name, label string
	mult        Multiplier
}

type level struct {
	name, label string
	mult        Multiplier
	minScore    int64
}

// Trial is the one-time sign-up grant.
type Trial struct {
	Credits   Credits
	ValidDays int64
}

// Plan is a monthly subscription. Its monthly and priority credits expire at the end of the
// billing month.
type Plan struct {
	ID       string
	Name     string
	Price    Money
	Monthly  Credits
	Priority Credits
	Queue    string // "standard" or "fast"
}

// Bundle is a top-up: Credits for Price.
type Bundle struct {
	Credits Credits
	Price   Money
}

// TopUps holds the bundles, ascending by size, and how long bought credits stay valid.
type TopUps struct {
	ValidDays int64
	Bundles   []Bundle
}

// StandardQueue is the free, slower way to keep generating without credits.
type StandardQueue struct {
	Slowdown Multiplier
	Label    string
}

// ROIDefaults is the traditional production the ROI comparison defaults to.
type ROIDefaults struct {
	TraditionalCost    Money
	TraditionalSeconds int64
	Label              string
}

var (
	defaultOnce sync.Once
	defaultCard *RateCard
)

// Default returns the embedded default rate card. It panics only if the embedded card is
// invalid, which the package tests rule out.
func Default() *RateCard {
	if f := frozenFor(defaultCardJSON); f != nil {
		return f
	}
	defaultOnce.Do(func() {
		c, err := parseCard(defaultCardJSON, true, defaultCardDigest, defaultCardSpans)
		if err != nil {
			panic("estimator: embedded rate card is invalid: " + err.Error())
		}
		defaultCard = c
	})
	return defaultCard
}

// Version returns the card's version string.
func (c *RateCard) Version() string { return c.version }

// Digest returns "sha256:" and the hex SHA-256 of the card's canonical JSON (members sorted by
// key, no insignificant white space), so formatting never changes it.
func (c *RateCard) Digest() string { return c.digest }

// Currency returns the ISO 4217 code the card prices in.
func (c *RateCard) Currency() string { return c.currency }

// JSON returns a copy of the card's bytes as they were parsed.
func (c *RateCard) JSON() []byte { return append([]byte(nil), c.raw...) }

// Trial returns the sign-up grant.
func (c *RateCard) Trial() Trial { return c.trial }

// Plans returns the subscription plans.
func (c *RateCard) Plans() []Plan { return append([]Plan(nil), c.plans...) }

// TopUps returns the top-up bundles and their validity.
func (c *RateCard) TopUps() TopUps {
	t := c.topUps
	t.Bundles = append([]Bundle(nil), t.Bundles...)
	return t
}

// StandardQueue returns the free queue's terms.
func (c *RateCard) StandardQueue() StandardQueue { return c.standardQueue }

// ROIDefaults returns the default traditional production for ROI comparisons.
func (c *RateCard) ROIDefaults() ROIDefaults { return c.roi }

// ParseRateCard parses and validates a rate card. A malformed card is rejected with an *Error
// (code invalid_rate_card, or the JSON codes) whose Field is the path of the bad entry.
func ParseRateCard(data []byte) (*RateCard, error) {
	if f := frozenFor(data); f != nil {
		return f, nil // the same bytes, parsed at build time (frozen.go)
	}
	c, err := parseRateCard(data)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func parseRateCard(data []byte) (*RateCard, *Error) { return parseCard(data, false, "", cardSpans{}) }

// parseCard parses a card. A trusted card is one the tests parse in full from the same bytes
// (the embedded default): its analyzer is built at its first use, not now (deferred.go), and
// digest, when not empty, is its digest computed at build time (estimator/internal/cmd/cardsource),
// and spans, when not zero, are where its sections are in data, found then too.
func parseCard(data []byte, trusted bool, digest string, spans cardSpans) (*RateCard, *Error) {
	doc, section, translations := data, []byte(nil), []byte(nil)
	if trusted && digest != "" {
		// Nothing needs the whole tree at start: the complexity section's JSON is parsed at the
		// first prompt, the translations' at the first request in another language (deferred.go).
		// Where they are was found at build time when the module was built (spans).
		if d, s, tr, ok := spans.cut(data); ok {
			doc, section, translations = d, s, tr
		} else {
			if d, s, ok := withoutAnalyzerJSON(data); ok {
				doc, section = d, s
			}
			if d, s, ok := withoutMemberValue(doc, "translations"); ok {
				doc, translations = d, s
			}
		}
	}
	var root jsonx.Value
	var err *Error
	if trusted {
		root, err = parseEmbedded(doc)
	} else {
		root, err = parseDocument(doc, MaxCardBytes, maxCardValues)
	}
	if err != nil {
		return nil, err
	}
	if digest == "" {
		sum := sha256.Sum(jsonx.AppendCanonical(nil, root))
		digest = string(jsonx.AppendHex([]byte("sha256:"), sum[:]))
	}
	c := &RateCard{raw: append([]byte(nil), data...), digest: digest}
	p := cardParser{c: c, trusted: trusted}
	p.card(root)
	if translations != nil && p.err == nil {
		c.deferredTranslations = translations
	}
	if section != nil && p.err == nil {
		c.deferredComplexity = func() (object, *Error) {
			v, err := parseEmbedded(section)
			if err != nil {
				return object{}, err
			}
			return object{path: "complexity", members: v.Members}, nil
		}
	}
	if p.err != nil {
		if p.err.Code == CodeInvalidType || p.err.Code == CodeMissingField || p.err.Code == CodeOutOfRange || p.err.Code == CodeInvalidValue || p.err.Code == CodeUnknownField {
			p.err.Message = p.err.Code + ": " + p.err.Message
			p.err.Code = CodeInvalidRateCard
		}
		return nil, p.err
	}
	c.precompute()
	return c, nil
}

// cardParser walks the card tree; the first error stops it.
type cardParser struct {
	c       *RateCard
	err     *Error
	trusted bool // the embedded card: its analyzer is deferred (deferred.go)
	// While the analyzer is built: the Han entries by first rune, and the runes in the card's order.
	han      map[rune][]hanEntry
	hanRunes []rune
}

// fail records e, the first error, and reports whether the card has failed. Not inlined (see
// newError): ≈ 5 KB.
//
//go:noinline
func (p *cardParser) fail(e *Error) bool {
	if e != nil && p.err == nil {
		p.err = e
	}
	return p.err != nil
}

// bad records an invalid_rate_card error at path. Not inlined (see newError).
//
//go:noinline
func (p *cardParser) bad(path, msg string) {
	p.fail(newError(CodeInvalidRateCard, path, msg))
}

func (p *cardParser) card(root jsonx.Value) {
	o, err := asObject(root, "", "version", "currency", "reference", "duration", "limits", "formats",
		"modes", "complexity", "trial", "plans", "topUps", "standardQueue", "roi", "language", "translations")
	if p.fail(err) {
		return
	}
	c := p.c
	var path string
	c.version, path, err = o.requiredString("version")
	if p.fail(err) {
		return
	}
	if strings.TrimSpace(c.version) == "" || len(c.version) > 64 {
		p.bad(path, "must be a non-empty string of at most 64 bytes")
		return
	}
	c.currency, path, err = o.requiredString("currency")
	if p.fail(err) {
		return
	}
	if why := checkCurrency(c.currency); why != "" {
		p.bad(path, why)
		return
	}
	c.money = moneyFmtFor(currencyMinorDigits[c.currency])
	p.formatsAndFPS(o)
	p.duration(o)
	p.reference(o)
	p.limits(o)
	p.modes(o)
	p.complexity(o)
	p.trial(o)
	p.plans(o)
	p.topUps(o)
	p.standardQueue(o)
	p.roiDefaults(o)
	p.translations(o)
}

func (p *cardParser) sub(o object, key string, allowed ...string) (object, bool) {
	v, path, ok := o.get(key)
	if !ok {
		p.fail(missing(path))
		return object{}, false
	}
	so, err := asObject(v, path, allowed...)
	return so, !p.fail(err)
}

func (p *cardParser) label(o object, key string) string {
	s, path, err := o.requiredString(key)
	if p.fail(err) {
		return ""
	}
	if strings.TrimSpace(s) == "" || len(s) > 200 {
		p.bad(path, "must be a non-empty label of at most 200 bytes")
	}
	return s
}

func (p *cardParser) multiplier(o object, key string, min int64) Multiplier {
	n, _, err := o.requiredFixed(key, multiplierPlaces, min, maxMultiplier, true, "")
	p.fail(err)
	return Multiplier(n)
}

func (p *cardParser) formatsAndFPS(o object) {
	if p.err != nil {
		return
	}
	items, path, err := o.requiredArray("formats")
	if p.fail(err) {
		return
	}
	if len(items) == 0 || len(items) > 32 {
		p.bad(path, "must list between 1 and 32 resolutions")
		return
	}
	seen := map[string]string{}
	claim := func(name, at string) bool {
		key := asciiLower(name)
		if prev, dup := seen[key]; dup {
			p.bad(at, "duplicate resolution or alias \""+name+"\" (first at "+prev+")")
			return false
		}
		if key == "" || strings.TrimSpace(key) != key {
			p.bad(at, "must be a non-empty name without surrounding spaces")
			return false
		}
		seen[key] = at
		return true
	}
	for i, item := range items {
		ip := index(path, i)
		fo, err := asObject(item, ip, "resolution", "label", "aliases", "multipliers")
		if p.fail(err) {
			return
		}
		var f format
		var np string
		f.name, np, err = fo.requiredString("resolution")
		if p.fail(err) || !claim(f.name, np) {
			return
		}
		f.label = p.label(fo, "label")
		if v, ap, ok := fo.get("aliases"); ok {
			if v.Kind != jsonx.Array {
				p.fail(typeError(ap, "an array", v))
				return
			}
			for j, a := range v.Items {
				jp := index(ap, j)
				if a.Kind != jsonx.String {
					p.fail(typeError(jp, "a string", a))
					return
				}
				if !claim(a.Str, jp) {
					return
				}
				f.aliases = append(f.aliases, asciiLower(a.Str))
			}
		}
		mv, mp, ok := fo.get("multipliers")
		if !ok {
			p.fail(missing(mp))
			return
		}
		if mv.Kind != jsonx.Object || len(mv.Members) == 0 {
			p.bad(mp, "must be an object from frame rate to multiplier")
			return
		}
		// The first row fixes the frame rates; every row must list the same ones.
		rates := make([]int64, 0, len(mv.Members))
		for _, m := range mv.Members {
			fps, err := strconv.ParseInt(m.Key, 10, 64)
			if err != nil || fps < 1 || fps > 240 || strconv.FormatInt(fps, 10) != m.Key {
				p.bad(join(mp, m.Key), "frame rate keys must be whole numbers from 1 to 240")
				return
			}
			rates = append(rates, fps)
		}
		if i == 0 {
			p.c.fps = append([]int64(nil), rates...)
			sortStable(p.c.fps, func(x, y *int64) int { return cmp.Compare(*x, *y) })
		}
		if len(rates) != len(p.c.fps) {
			p.bad(mp, "must list the same frame rates as "+index(path, 0))
			return
		}
		f.mult = make([]Multiplier, len(p.c.fps))
		for k, fps := range p.c.fps {
			key := strconv.FormatInt(fps, 10)
			mv2, kp, ok := object{path: mp, members: mv.Members}.get(key)
			if !ok {
				p.bad(kp, "is missing: every resolution lists the same frame rates")
				return
			}
			n, err := fixedValue(mv2, kp, multiplierPlaces, 1, maxMultiplier, true, "")
			if p.fail(err) {
				return
			}
			f.mult[k] = Multiplier(n)
			// Cost never falls when the frame rate rises.
			if k > 0 && f.mult[k] < f.mult[k-1] {
				p.bad(kp, "must not be lower than the multiplier of a lower frame rate")
				return
			}
			// Nor when the resolution rises (formats are listed from lowest to highest).
			if i > 0 && f.mult[k] < p.c.formats[i-1].mult[k] {
				p.bad(kp, "must not be lower than the same frame rate at "+p.c.formats[i-1].name+" (formats go from lowest to highest resolution)")
				return
			}
		}
		p.c.formats = append(p.c.formats, f)
	}
}

func (p *cardParser) duration(o object) {
	if p.err != nil {
		return
	}
	d, ok := p.sub(o, "duration", "minSeconds", "maxSeconds", "billingIncrementSeconds")
	if !ok {
		return
	}
	var err *Error
	c := p.c
	c.minSeconds, _, err = d.requiredInt("minSeconds", 1, maxCardSeconds)
	if p.fail(err) {
		return
	}
	var mp string
	c.maxSeconds, mp, err = d.requiredInt("maxSeconds", 1, maxCardSeconds)
	if p.fail(err) {
		return
	}
	if c.maxSeconds < c.minSeconds {
		p.bad(mp, "must not be below minSeconds")
		return
	}
	var ip string
	c.incrementSeconds, ip, err = d.requiredInt("billingIncrementSeconds", 1, maxCardSeconds)
	if p.fail(err) {
		return
	}
	if c.minSeconds%c.incrementSeconds != 0 || c.maxSeconds%c.incrementSeconds != 0 {
		p.bad(ip, "minSeconds and maxSeconds must be whole multiples of the billing increment")
	}
}

func (p *cardParser) reference(o object) {
	if p.err != nil {
		return
	}
	r, ok := p.sub(o, "reference", "resolution", "fps", "durationSeconds", "credits", "label")
	if !ok {
		return
	}
	c := p.c
	name, np, err := r.requiredString("resolution")
	if p.fail(err) {
		return
	}
	c.refFormat = c.formatIndex(name)
	if c.refFormat < 0 {
		p.bad(np, "names no resolution of formats")
		return
	}
	fps, fp, err := r.requiredInt("fps", 1, 240)
	if p.fail(err) {
		return
	}
	c.refFPS = c.fpsIndex(fps)
	if c.refFPS < 0 {
		p.bad(fp, "names no frame rate of formats")
		return
	}
	if m := c.formats[c.refFormat].mult[c.refFPS]; m != multiplierScale {
		p.bad(join("formats["+strconv.Itoa(c.refFormat)+"].multipliers", strconv.FormatInt(fps, 10)), "the reference point's multiplier must be exactly 1")
		return
	}
	var dp string
	c.refSeconds, dp, err = r.requiredInt("durationSeconds", 1, maxCardSeconds)
	if p.fail(err) {
		return
	}
	if c.refSeconds%c.incrementSeconds != 0 || multiplierScale%c.refSeconds != 0 {
		p.bad(dp, "must be a whole multiple of the billing increment and divide 10000, so that the duration factor is an exact 4-place decimal")
		return
	}
	n, _, err := r.requiredFixed("credits", creditPlaces, 1, maxReferenceCents, true, "")
	if p.fail(err) {
		return
	}
	c.refCredits = Credits(n)
	c.refLabel = p.label(r, "label")
}

func (p *cardParser) limits(o object) {
	if p.err != nil {
		return
	}
	l, ok := p.sub(o, "limits", "maxCount", "maxPromptChars")
	if !ok {
		return
	}
	var err *Error
	p.c.maxCount, _, err = l.requiredInt("maxCount", 1, maxCardCount)
	if p.fail(err) {
		return
	}
	p.c.maxPromptChars, _, err = l.requiredInt("maxPromptChars", 1, maxPromptLimit)
	p.fail(err)
}

func (p *cardParser) modes(o object) {
	if p.err != nil {
		return
	}
	items, path, err := o.requiredArray("modes")
	if p.fail(err) {
		return
	}
	seen := map[string]bool{}
	for i, item := range items {
		ip := index(path, i)
		mo, err := asObject(item, ip, "name", "label", "multiplier")
		if p.fail(err) {
			return
		}
		var m mode
		var np string
		m.name, np, err = mo.requiredString("name")
		if p.fail(err) {
			return
		}
		if seen[m.name] {
			p.bad(np, "duplicate mode \""+m.name+"\"")
			return
		}
		seen[m.name] = true
		m.label = p.label(mo, "label")
		m.mult = p.multiplier(mo, "multiplier", 1)
		if p.err != nil {
			return
		}
		if m.name == modeGenerate && m.mult != multiplierScale {
			p.bad(join(ip, "multiplier"), "generate must be exactly 1")
			return
		}
		if m.name != modeGenerate && m.mult >= multiplierScale {
			p.bad(join(ip, "multiplier"), "a refinement must cost less than a new generation")
			return
		}
		p.c.modes = append(p.c.modes, m)
	}
	if !seen[modeGenerate] {
		p.bad(path, "must include the mode \"generate\"")
	}
}

func (p *cardParser) trial(o object) {
	if p.err != nil {
		return
	}
	t, ok := p.sub(o, "trial", "credits", "validDays")
	if !ok {
		return
	}
	n, _, err := t.requiredFixed("credits", creditPlaces, 0, maxCardCredits, true, "")
	if p.fail(err) {
		return
	}
	p.c.trial.Credits = Credits(n)
	p.c.trial.ValidDays, _, err = t.requiredInt("validDays", 1, maxValidDays)
	p.fail(err)
}

func (p *cardParser) plans(o object) {
	if p.err != nil {
		return
	}
	items, path, err := o.requiredArray("plans")
	if p.fail(err) {
		return
	}
	seen := map[string]bool{}
	for i, item := range items {
		ip := index(path, i)
		po, err := asObject(item, ip, "id", "name", "priceUsd", "monthlyCredits", "priorityCredits", "queue")
		if p.fail(err) {
			return
		}
		var pl Plan
		var idp string
		pl.ID, idp, err = po.requiredString("id")
		if p.fail(err) {
			return
		}
		if pl.ID == "" || seen[pl.ID] {
			p.bad(idp, "must be a unique, non-empty id")
			return
		}
		seen[pl.ID] = true
		pl.Name = p.label(po, "name")
		price, pp, err := po.requiredFixed("priceUsd", moneyPlaces, 1, maxCardMoney, true, "")
		if p.fail(err) {
			return
		}
		pl.Price = Money(price)
		if why := p.c.checkWhole(pl.Price); why != "" {
			p.bad(pp, why)
			return
		}
		monthly, _, err := po.requiredFixed("monthlyCredits", creditPlaces, 1, maxCardCredits, true, "")
		if p.fail(err) {
			return
		}
		pl.Monthly = Credits(monthly)
		prio, _, err := po.requiredFixed("priorityCredits", creditPlaces, 0, maxCardCredits, true, "")
		if p.fail(err) {
			return
		}
		pl.Priority = Credits(prio)
		var qp string
		pl.Queue, qp, err = po.requiredString("queue")
		if p.fail(err) {
			return
		}
		if pl.Queue != "standard" && pl.Queue != "fast" {
			p.bad(qp, "must be \"standard\" or \"fast\"")
			return
		}
		p.c.plans = append(p.c.plans, pl)
	}
}

func (p *cardParser) topUps(o object) {
	if p.err != nil {
		return
	}
	t, ok := p.sub(o, "topUps", "validDays", "bundles")
	if !ok {
		return
	}
	var err *Error
	p.c.topUps.ValidDays, _, err = t.requiredInt("validDays", 1, maxValidDays)
	if p.fail(err) {
		return
	}
	items, path, err := t.requiredArray("bundles")
	if p.fail(err) {
		return
	}
	if len(items) == 0 || len(items) > 32 {
		p.bad(path, "must list between 1 and 32 bundles")
		return
	}
	for i, item := range items {
		ip := index(path, i)
		bo, err := asObject(item, ip, "credits", "priceUsd")
		if p.fail(err) {
			return
		}
		n, cp, err := bo.requiredFixed("credits", creditPlaces, creditScale, maxCardCredits, true, "")
		if p.fail(err) {
			return
		}
		if n%creditScale != 0 {
			p.bad(cp, "bundles hold whole credits")
			return
		}
		price, pp, err := bo.requiredFixed("priceUsd", moneyPlaces, 1, maxCardMoney, true, "")
		if p.fail(err) {
			return
		}
		b := Bundle{Credits: Credits(n), Price: Money(price)}
		if why := p.c.checkWhole(b.Price); why != "" {
			p.bad(pp, why)
			return
		}
		if i > 0 {
			prev := p.c.topUps.Bundles[i-1]
			if b.Credits <= prev.Credits {
				p.bad(cp, "bundles must be sorted by size with no two the same size")
				return
			}
			// Buying more never gives a worse price per credit: price/credits must not rise.
			// Cross-multiplied exactly: price*prev.credits <= prev.price*credits.
			a, _ := u128{lo: uint64(b.Price)}.mul(uint64(prev.Credits))
			z, _ := u128{lo: uint64(prev.Price)}.mul(uint64(b.Credits))
			if a.hi > z.hi || (a.hi == z.hi && a.lo > z.lo) {
				p.bad(pp, "a larger bundle must not cost more per credit than a smaller one")
				return
			}
			if b.Price <= prev.Price {
				p.bad(pp, "a larger bundle must cost more in total than a smaller one")
				return
			}
		}
		p.c.topUps.Bundles = append(p.c.topUps.Bundles, b)
	}
}

func (p *cardParser) standardQueue(o object) {
	if p.err != nil {
		return
	}
	s, ok := p.sub(o, "standardQueue", "slowdown", "label")
	if !ok {
		return
	}
	p.c.standardQueue.Slowdown = p.multiplier(s, "slowdown", multiplierScale)
	p.c.standardQueue.Label = p.label(s, "label")
}

func (p *cardParser) roiDefaults(o object) {
	if p.err != nil {
		return
	}
	r, ok := p.sub(o, "roi", "traditionalUsd", "traditionalSeconds", "label")
	if !ok {
		return
	}
	cost, _, err := r.requiredFixed("traditionalUsd", moneyPlaces, 1, maxCardMoney, true, "")
	if p.fail(err) {
		return
	}
	p.c.roi.TraditionalCost = Money(cost)
	if why := p.c.checkWhole(p.c.roi.TraditionalCost); why != "" {
		p.bad(join(r.path, "traditionalUsd"), why)
		return
	}
	p.c.roi.TraditionalSeconds, _, err = r.requiredInt("traditionalSeconds", 1, maxCardSeconds)
	if p.fail(err) {
		return
	}
	p.c.roi.Label = p.label(r, "label")
}

// formatIndex finds a resolution by name or alias, case-insensitively; -1 if none.
func (c *RateCard) formatIndex(name string) int {
	for i := range c.formats {
		f := &c.formats[i]
		if asciiEqualFold(f.name, name) {
			return i
		}
		for _, a := range f.aliases {
			if asciiEqualFold(a, name) {
				return i
			}
		}
	}
	return -1
}

// fpsIndex finds a frame rate; -1 if the card has none such.
func (c *RateCard) fpsIndex(fps int64) int {
	for i, f := range c.fps {
		if f == fps {
			return i
		}
	}
	return -1
}

func (c *RateCard) precompute() {
	for i := range c.formats {
		f := &c.formats[i]
		f.cellLabels = make([]string, len(c.fps))
		for k, fps := range c.fps {
			f.cellLabels[k] = f.label + " at " + strconv.FormatInt(fps, 10) + " fps"
		}
	}
	c.durationLabels = make([]string, c.maxSeconds+1)
	for s := c.minSeconds; s <= c.maxSeconds; s += c.incrementSeconds {
		c.durationLabels[s] = strconv.FormatInt(s, 10) + " s billed (reference " + strconv.FormatInt(c.refSeconds, 10) + " s)"
	}
	c.countLabels = make([]string, c.maxCount+1)
	for n := int64(1); n <= c.maxCount; n++ {
		if n == 1 {
			c.countLabels[n] = "1 video"
		} else {
			c.countLabels[n] = strconv.FormatInt(n, 10) + " videos"
		}
	}
	c.precomputeTranslations()
	// Bundles are validated to never rise in price per credit, so the ends are the extremes.
	c.dearest = c.topUps.Bundles[0]
	c.cheapest = c.topUps.Bundles[len(c.topUps.Bundles)-1]
}

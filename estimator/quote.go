package estimator

import (
	"strconv"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Modes and the "auto" complexity of the contract.
const (
	modeGenerate   = "generate"
	complexityAuto = "auto"
)

// Spec describes the video(s) to price: the request of the quote contract.
// The zero values of Complexity ("" = "auto"), Mode ("" = "generate") and Count (0 = 1) mean
// the defaults, as an absent JSON member does.
type Spec struct {
	Resolution     string // "720p", "1080p", "1440p", "2160p" or an alias such as "4k"
	FPS            int64
	DurationMillis int64 // JSON durationSeconds, exact to the millisecond
	Prompt         string
	Complexity     string // "auto" or a level name
	Mode           string // "generate", "refine-minor", "refine-major"
	Count          int64
	// Locale asks for the explanation in a language the card translates ("de", "zh-Hans");
	// "" or an untranslated language gives the card's own labels. It never changes a price.
	Locale string
}

// Factor is one line of "why this price": a factor that multiplied the reference price.
type Factor struct {
	Factor     string // "format", "duration", "complexity", "mode", "count"
	Label      string
	Multiplier Multiplier
}

// Reference is the card's reference point every quote starts from.
type Reference struct {
	Credits Credits
	Label   string
}

// PriceRange is what credits cost in dollars at the card's cheapest and dearest price per
// credit (the largest and the smallest top-up bundle).
type PriceRange struct {
	Min, Max Money
}

// CardRef identifies the rate card a result was priced with.
type CardRef struct {
	Version, Digest string
}

// Quote is the price of a Spec.
type Quote struct {
	Credits       Credits // UnitCredits × Count
	UnitCredits   Credits // one video, rounded up to 0.01 credit
	Count         int64
	BilledSeconds int64
	Reference     Reference
	Breakdown     []Factor
	Complexity    Complexity
	USD           PriceRange
	RateCard      CardRef
	money         moneyFmt // the card currency's minor unit, for the JSON form
}

// ChargeMember is a member of a quote's JSON that decides what a person is charged under which
// card, and the reason code verification reports when a client's quote differs in it.
type ChargeMember struct {
	Path string // dotted path in the quote's JSON, e.g. "rateCard.digest"
	Code string // card_version_differs, card_digest_differs, amount_differs or quantity_differs
}

// chargeMembers are the members verify compares, in the order reasons are reported. Descriptive
// members (labels, breakdown, complexity signals, usd range) do not change the charge.
var chargeMembers = []ChargeMember{
	{"rateCard.version", "card_version_differs"},
	{"rateCard.digest", "card_digest_differs"},
	{"credits", "amount_differs"},
	{"unitCredits", "amount_differs"},
	{"count", "quantity_differs"},
	{"billedSeconds", "quantity_differs"},
}

// ChargeMembers returns the quote members that decide the charge (a copy), in report order.
func ChargeMembers() []ChargeMember { return append([]ChargeMember(nil), chargeMembers...) }

// DecodeSpec decodes a Spec from the contract's JSON with the strict rules every surface
// shares: one JSON object, no unknown or duplicate members, valid UTF-8, exact numbers of the
// right type. Range checks that depend on the rate card happen in Estimate. The error is an
// *Error naming the field at fault.
func DecodeSpec(data []byte) (Spec, error) {
	s, err := decodeSpec(data)
	if err != nil {
		return Spec{}, err
	}
	return s, nil
}

func decodeSpec(data []byte) (Spec, *Error) {
	root, err := parseDocument(data, MaxRequestBytes, MaxRequestValues)
	if err != nil {
		return Spec{}, err
	}
	return specFromValue(root, "")
}

// specFromValue decodes a Spec from a parsed JSON value found at path (also used for specs
// nested in economics requests).
func specFromValue(v jsonx.Value, path string) (Spec, *Error) {
	o, err := asObject(v, path, "resolution", "fps", "durationSeconds", "prompt", "complexity", "mode", "count", "locale")
	if err != nil {
		return Spec{}, err
	}
	var s Spec
	if s.Resolution, _, err = o.requiredString("resolution"); err != nil {
		return Spec{}, err
	}
	if s.FPS, _, err = o.requiredInt("fps", -anyInt, anyInt); err != nil {
		return Spec{}, err
	}
	if s.DurationMillis, _, err = o.requiredFixed("durationSeconds", 3, -anyInt, anyInt, false, "a number"); err != nil {
		return Spec{}, err
	}
	if s.Prompt, _, err = o.optionalString("prompt", ""); err != nil {
		return Spec{}, err
	}
	var xp, mp string
	if s.Complexity, xp, err = o.optionalString("complexity", complexityAuto); err != nil {
		return Spec{}, err
	}
	if s.Complexity == "" {
		// "" would read as the Go zero value (auto): in JSON it is a mistake, not a default.
		return Spec{}, newError(CodeUnsupportedComplexity, xp, "must not be empty; omit it for \"auto\"")
	}
	if s.Mode, mp, err = o.optionalString("mode", modeGenerate); err != nil {
		return Spec{}, err
	}
	if s.Mode == "" {
		return Spec{}, newError(CodeUnsupportedMode, mp, "must not be empty; omit it for \"generate\"")
	}
	var cp string
	if s.Count, cp, err = o.optionalInt("count", -anyInt, anyInt, 1); err != nil {
		return Spec{}, err
	}
	if o.has("count") && s.Count < 1 {
		return Spec{}, newError(CodeOutOfRange, cp, "must be at least 1, not "+strconv.FormatInt(s.Count, 10))
	}
	var lp string
	if s.Locale, lp, err = o.optionalString("locale", ""); err != nil {
		return Spec{}, err
	}
	if err = checkLocale(s.Locale, lp); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// MarshalJSON encodes the Spec in the contract's form.
func (s Spec) MarshalJSON() ([]byte, error) { return s.AppendJSON(nil), nil }

// AppendJSON appends the Spec's contract JSON to dst.
func (s Spec) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"resolution":`...)
	dst = jsonx.AppendString(dst, s.Resolution)
	dst = append(dst, `,"fps":`...)
	dst = strconv.AppendInt(dst, s.FPS, 10)
	dst = append(dst, `,"durationSeconds":`...)
	dst = appendSeconds(dst, s.DurationMillis)
	if s.Prompt != "" {
		dst = append(dst, `,"prompt":`...)
		dst = jsonx.AppendString(dst, s.Prompt)
	}
	dst = append(dst, `,"complexity":`...)
	dst = jsonx.AppendString(dst, orDefault(s.Complexity, complexityAuto))
	dst = append(dst, `,"mode":`...)
	dst = jsonx.AppendString(dst, orDefault(s.Mode, modeGenerate))
	dst = append(dst, `,"count":`...)
	count := s.Count
	if count == 0 {
		count = 1
	}
	dst = strconv.AppendInt(dst, count, 10)
	if s.Locale != "" {
		dst = append(dst, `,"locale":`...)
		dst = jsonx.AppendString(dst, s.Locale)
	}
	return append(dst, '}')
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Estimate prices a Spec. The rule: one video costs
//
//	reference credits × format × duration × complexity × mode
//
// computed exactly and rounded UP to the next 0.01 credit once, at the end; Credits is that
// unit price times Count, so count scales exactly. The duration factor is the billed duration
// (the requested one rounded up to the card's billing increment) over the reference duration.
// The error is an *Error naming the field at fault.
func (c *RateCard) Estimate(s Spec) (Quote, error) {
	q, err := c.estimate(s)
	if err != nil {
		return Quote{}, err
	}
	return q, nil
}

func (c *RateCard) estimate(s Spec) (Quote, *Error) { return c.estimateMemo(s, nil) }

// analysisMemo remembers the last prompt analysed, so that an operation pricing several specs
// with the same prompt (workflow: final, prototype, refinement) analyses it once.
type analysisMemo struct {
	prompt string
	cx     Complexity
	ok     bool
	// The quote op also keeps the signals as it last wrote them, in locale and in one of its two
	// forms (JSON, or the wasm module's tape when tape is set): the explanation is most of a
	// quote's bytes, and writing it again costs more under wasm than the rest of the quote
	// (TestQuoteOpEqualsEstimate).
	locale  string
	tape    bool
	signals []byte
}

// estimateShared is the quote op's estimate: it reads the prompt through the card's last
// analysis, so quotes of one prompt at several formats, durations or counts (a pricing table,
// an editor whose format changes) analyze it once. Only the op uses it: its quote becomes JSON
// at once, so the shared signals are never handed to a caller that could change them.
func (c *RateCard) estimateShared(s Spec) (sharedQuote, *Error) { return c.estimateSharedAs(s, false) }

// estimateSharedAs is estimateShared with the signals written as JSON or (tape) as the tape.
func (c *RateCard) estimateSharedAs(s Spec, tape bool) (sharedQuote, *Error) {
	last := c.lastAnalysis.Load()
	var m analysisMemo
	if last != nil {
		m = *last
	}
	q, err := c.estimateMemo(s, &m)
	if !m.ok {
		return sharedQuote{Quote: q}, err
	}
	same := last != nil && last.prompt == m.prompt
	if err != nil || len(q.Complexity.Signals) == 0 {
		if !same {
			c.lastAnalysis.Store(&analysisMemo{prompt: m.prompt, cx: m.cx, ok: true})
		}
		return sharedQuote{Quote: q}, err
	}
	// The signals depend on the prompt and the locale only (not on the format, the duration or
	// an explicit complexity).
	if same && last.signals != nil && last.locale == s.Locale && last.tape == tape {
		return sharedQuote{Quote: q, signals: last.signals}, nil
	}
	sig := make([]byte, 0, 64*len(q.Complexity.Signals))
	if tape {
		sig = appendTapeSignals(sig, q.Complexity.Signals) // nil when a string holds the separator
	} else {
		sig = appendSignals(sig, q.Complexity.Signals)
	}
	c.lastAnalysis.Store(&analysisMemo{prompt: m.prompt, cx: m.cx, ok: true, locale: s.Locale, tape: tape, signals: sig})
	return sharedQuote{Quote: q, signals: sig}, nil
}

// sharedQuote is the quote op's answer: a Quote and, when the card's last analysis had them,
// its signals already written (as JSON, or as the tape for AppendQuoteTape).
type sharedQuote struct {
	Quote
	signals []byte
}

func (q sharedQuote) AppendJSON(dst []byte) []byte { return q.appendJSON(dst, q.signals) }

// analyze is c.Analyze(prompt) through m (nil: no memo).
func (c *RateCard) analyze(prompt string, m *analysisMemo) Complexity {
	if m == nil {
		return c.Analyze(prompt)
	}
	if !m.ok || m.prompt != prompt {
		m.prompt, m.cx, m.ok = prompt, c.Analyze(prompt), true
	}
	return m.cx
}

func (c *RateCard) estimateMemo(s Spec, m *analysisMemo) (Quote, *Error) {
	fi := c.formatIndex(s.Resolution)
	if fi < 0 {
		return Quote{}, newError(CodeUnsupportedResolution, "resolution", "unsupported resolution "+quoteShort(s.Resolution)+c.resolutionHint())
	}
	pi := c.fpsIndex(s.FPS)
	if pi < 0 {
		return Quote{}, newError(CodeUnsupportedFPS, "fps", "unsupported frame rate "+strconv.FormatInt(s.FPS, 10)+c.fpsHint())
	}
	minMs, maxMs := c.minSeconds*1000, c.maxSeconds*1000
	if s.DurationMillis < minMs || s.DurationMillis > maxMs {
		return Quote{}, newError(CodeOutOfRange, "durationSeconds", "must be between "+strconv.FormatInt(c.minSeconds, 10)+" and "+strconv.FormatInt(c.maxSeconds, 10)+" seconds, not "+string(appendSeconds(nil, s.DurationMillis)))
	}
	if err := c.checkPrompt(s.Prompt); err != nil {
		return Quote{}, err
	}
	mi := c.modeIndex(orDefault(s.Mode, modeGenerate))
	if mi < 0 {
		return Quote{}, newError(CodeUnsupportedMode, "mode", "unsupported mode "+quoteShort(s.Mode)+c.modeHint())
	}
	count := s.Count
	if count == 0 {
		count = 1
	}
	if count < 1 || count > c.maxCount {
		return Quote{}, newError(CodeOutOfRange, "count", "must be between 1 and "+strconv.FormatInt(c.maxCount, 10)+", not "+strconv.FormatInt(count, 10))
	}
	var cx Complexity
	switch name := orDefault(s.Complexity, complexityAuto); name {
	case complexityAuto:
		cx = c.analyze(s.Prompt, m)
	default:
		li := c.levelIndex(name)
		if li < 0 {
			return Quote{}, newError(CodeUnsupportedComplexity, "complexity", "unsupported complexity "+quoteShort(name)+c.levelHint())
		}
		cx = c.analyze(s.Prompt, m)
		l := c.levels[li]
		cx.Level, cx.Label, cx.Multiplier, cx.Source = l.name, l.label, l.mult, "explicit"
	}

	// Billed seconds: the duration rounded up to the billing increment.
	incMs := c.incrementSeconds * 1000
	billed := (s.DurationMillis + incMs - 1) / incMs * c.incrementSeconds
	f := &c.formats[fi]
	md := c.modes[mi]
	durMult := Multiplier(billed * multiplierScale / c.refSeconds)

	// unit = ref × format × duration × complexity × mode, exactly, in hundredths × 10^16.
	// The card's bounds keep every intermediate below 2^128.
	x := u128{lo: uint64(c.refCredits)}
	var ok bool
	for _, m := range [...]Multiplier{f.mult[pi], durMult, cx.Multiplier, md.mult} {
		if x, ok = x.mul(uint64(m)); !ok {
			return Quote{}, newError(CodeOverflow, "", "the price does not fit the exact arithmetic")
		}
	}
	unit, ok := x.divCeil(multiplierScale * multiplierScale * multiplierScale * multiplierScale)
	if !ok || unit > (1<<62)/count {
		return Quote{}, newError(CodeOverflow, "", "the price does not fit the exact arithmetic")
	}
	total := unit * count

	q := Quote{
		money:         c.money,
		Credits:       Credits(total),
		UnitCredits:   Credits(unit),
		Count:         count,
		BilledSeconds: billed,
		Reference:     Reference{Credits: c.refCredits, Label: c.refLabel},
		Breakdown: []Factor{
			{Factor: "format", Label: f.cellLabels[pi], Multiplier: f.mult[pi]},
			{Factor: "duration", Label: c.durationLabels[billed], Multiplier: durMult},
			{Factor: "complexity", Label: cx.Label, Multiplier: cx.Multiplier},
			{Factor: "mode", Label: md.label, Multiplier: md.mult},
			{Factor: "count", Label: c.countLabels[count], Multiplier: Multiplier(count * multiplierScale)},
		},
		Complexity: cx,
		RateCard:   CardRef{Version: c.version, Digest: c.digest},
	}
	q.USD.Min, q.USD.Max = c.creditsToUSD(q.Credits)
	if s.Locale != "" {
		if err := checkLocale(s.Locale, "locale"); err != nil {
			return Quote{}, err
		}
		c.localize(&q, fi, pi, mi, s.Locale)
	}
	return q, nil
}

// creditsToUSD prices credits at the cheapest and the dearest bundle's price per credit,
// exactly to the micro-dollar (rounded half up), before the display rounding to the cent.
func (c *RateCard) creditsToUSD(cr Credits) (min, max Money) {
	lo, _ := mulDivRound(int64(cr), int64(c.cheapest.Price), int64(c.cheapest.Credits))
	hi, _ := mulDivRound(int64(cr), int64(c.dearest.Price), int64(c.dearest.Credits))
	return Money(lo), Money(hi)
}

func (c *RateCard) checkPrompt(p string) *Error {
	var n int64
	for i := 0; i < len(p); {
		// Fast path: eight printable ASCII bytes are eight valid characters. Checking a whole
		// 64-bit word at once matters under wasm, where byte loops are slow.
		if i+8 <= len(p) && n+8 <= c.maxPromptChars && plainASCII8(p[i:]) {
			i += 8
			n += 8
			continue
		}
		b := p[i]
		size := 1
		if b >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(p[i:])
			if r == utf8.RuneError && size == 1 {
				return newError(CodeInvalidUTF8, "prompt", "is not valid UTF-8 at byte "+strconv.Itoa(i))
			}
		} else if b < 0x20 && b != '\n' && b != '\t' && b != '\r' || b == 0x7f {
			return newError(CodeInvalidValue, "prompt", "contains the control character U+"+strconv.FormatInt(int64(b)+0x10000, 16)[1:]+" at byte "+strconv.Itoa(i))
		}
		i += size
		if n++; n > c.maxPromptChars {
			return newError(CodePromptTooLong, "prompt", "is longer than "+strconv.FormatInt(c.maxPromptChars, 10)+" characters")
		}
	}
	return nil
}

// plainASCII8 reports whether the 8 bytes of s are all ASCII from ' ' to '~' (no control
// character, no DEL, no multi-byte UTF-8).
func plainASCII8(s string) bool {
	s = s[:8]
	// The compiler turns these byte loads into one 64-bit load (on wasm too).
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	// The lowest byte that is < 0x20, == 0x7f or >= 0x80 sets its top bit in one of the terms.
	return ((x-lsb*0x20)|(x+lsb)|x)&msb == 0
}

func (c *RateCard) modeIndex(name string) int {
	for i := range c.modes {
		if c.modes[i].name == name {
			return i
		}
	}
	return -1
}

func (c *RateCard) resolutionHint() string {
	h := "; supported:"
	for _, f := range c.formats {
		h += " " + f.name
	}
	return h
}

func (c *RateCard) fpsHint() string {
	h := "; supported:"
	for _, f := range c.fps {
		h += " " + strconv.FormatInt(f, 10)
	}
	return h
}

func (c *RateCard) modeHint() string {
	h := "; supported:"
	for _, m := range c.modes {
		h += " " + m.name
	}
	return h
}

func (c *RateCard) levelHint() string {
	h := "; supported: auto"
	for _, l := range c.levels {
		h += " " + l.name
	}
	return h
}

// MarshalJSON encodes the Quote in the contract's form.
func (q Quote) MarshalJSON() ([]byte, error) { return q.AppendJSON(nil), nil }

// AppendJSON appends the Quote's contract JSON to dst.
func (q Quote) AppendJSON(dst []byte) []byte { return q.appendJSON(dst, nil) }

// appendJSON is AppendJSON with the signals' JSON given (nil: written from q).
func (q Quote) appendJSON(dst, signals []byte) []byte {
	dst = append(dst, `{"credits":"`...)
	dst = q.Credits.AppendText(dst)
	dst = append(dst, `","unitCredits":"`...)
	dst = q.UnitCredits.AppendText(dst)
	dst = append(dst, `","count":`...)
	dst = strconv.AppendInt(dst, q.Count, 10)
	dst = append(dst, `,"billedSeconds":`...)
	dst = strconv.AppendInt(dst, q.BilledSeconds, 10)
	dst = append(dst, `,"reference":{"credits":"`...)
	dst = q.Reference.Credits.AppendText(dst)
	dst = append(dst, `","label":`...)
	dst = jsonx.AppendString(dst, q.Reference.Label)
	dst = append(dst, `},"breakdown":[`...)
	for i, f := range q.Breakdown {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"factor":`...)
		dst = jsonx.AppendString(dst, f.Factor)
		dst = append(dst, `,"label":`...)
		dst = jsonx.AppendString(dst, f.Label)
		dst = append(dst, `,"multiplier":"`...)
		dst = f.Multiplier.AppendText(dst)
		dst = append(dst, `"}`...)
	}
	dst = append(dst, `],"complexity":`...)
	dst = q.Complexity.appendJSON(dst, signals)
	dst = append(dst, `,"usd":{"min":"`...)
	dst = q.money.appendAmount(dst, q.USD.Min)
	dst = append(dst, `","max":"`...)
	dst = q.money.appendAmount(dst, q.USD.Max)
	dst = append(dst, `"},"rateCard":`...)
	dst = q.RateCard.AppendJSON(dst)
	return append(dst, '}')
}

// AppendJSON appends {"version":...,"digest":...} to dst.
func (r CardRef) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"version":`...)
	dst = jsonx.AppendString(dst, r.Version)
	dst = append(dst, `,"digest":`...)
	dst = jsonx.AppendString(dst, r.Digest)
	return append(dst, '}')
}

// AppendJSON appends the complexity object of the contract to dst.
func (cx Complexity) AppendJSON(dst []byte) []byte { return cx.appendJSON(dst, nil) }

// appendJSON is AppendJSON with the signals' JSON given (nil: written from cx).
func (cx Complexity) appendJSON(dst, signals []byte) []byte {
	dst = append(dst, `{"level":`...)
	dst = jsonx.AppendString(dst, cx.Level)
	dst = append(dst, `,"label":`...)
	dst = jsonx.AppendString(dst, cx.Label)
	dst = append(dst, `,"multiplier":"`...)
	dst = cx.Multiplier.AppendText(dst)
	dst = append(dst, `","source":`...)
	dst = jsonx.AppendString(dst, cx.Source)
	dst = append(dst, `,"score":`...)
	dst = strconv.AppendInt(dst, cx.Score, 10)
	dst = append(dst, `,"signals":`...)
	if signals == nil {
		dst = appendSignals(dst, cx.Signals)
	} else {
		dst = append(dst, signals...)
	}
	return append(dst, '}')
}

// appendSignals appends signals as a JSON array.
func appendSignals(dst []byte, signals []Signal) []byte {
	dst = append(dst, '[')
	for i, s := range signals {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"kind":`...)
		dst = jsonx.AppendString(dst, s.Kind)
		dst = append(dst, `,"id":`...)
		dst = jsonx.AppendString(dst, s.ID)
		dst = append(dst, `,"label":`...)
		dst = jsonx.AppendString(dst, s.Label)
		dst = append(dst, `,"match":`...)
		dst = jsonx.AppendString(dst, s.Match)
		dst = append(dst, `,"weight":`...)
		dst = strconv.AppendInt(dst, s.Weight, 10)
		if s.Ignored != "" {
			// Reported so the explanation shows what was read, but not counted.
			dst = append(dst, `,"ignored":`...)
			dst = jsonx.AppendString(dst, s.Ignored)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

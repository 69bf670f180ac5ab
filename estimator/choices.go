package estimator

import (
	"strconv"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Choices is what a person can choose on a card, labelled in a language: the resolutions (with
// their aliases and frame rates), modes, complexity levels, duration and count limits, prompt
// length, currency and the default spec. A front end offers exactly these (the "choices"
// operation, and cmd/webbuild's facts for the build card) and reads nothing else of the card.
type Choices struct {
	Version        string
	Currency       string
	Resolutions    []ResolutionChoice // lowest first
	Modes          []Choice
	Levels         []Choice // calmest first
	MinSeconds     int64
	MaxSeconds     int64
	StepSeconds    int64 // the billing increment
	MaxCount       int64
	MaxPromptChars int64
	Default        Spec // DefaultSpec
}

// ResolutionChoice is one resolution: its name, label, aliases (lower case) and frame rates.
type ResolutionChoice struct {
	Value   string
	Label   string
	Aliases []string
	FPS     []int64 // ascending
}

// Choice is one option of a list: the value a request takes and its label.
type Choice struct {
	Value string
	Label string
}

// Choices returns what the card offers, labelled in a locale the card translates (the rule of
// quote requests: "de-AT" → "de", "zh-CN" → "zh-Hans"); other locales keep the card's labels.
func (c *RateCard) Choices(locale string) Choices {
	t := c.translationFor(locale)
	out := Choices{
		Version: c.version, Currency: c.currency,
		MinSeconds: c.minSeconds, MaxSeconds: c.maxSeconds, StepSeconds: c.incrementSeconds,
		MaxCount: c.maxCount, MaxPromptChars: c.maxPromptChars, Default: c.DefaultSpec(),
	}
	for i, f := range c.formats {
		label := f.label
		if t != nil && t.formats[i] != "" {
			label = t.formats[i]
		}
		out.Resolutions = append(out.Resolutions, ResolutionChoice{Value: f.name, Label: label, Aliases: append([]string{}, f.aliases...), FPS: append([]int64{}, c.fps...)})
	}
	for i, m := range c.modes {
		label := m.label
		if t != nil && t.modes[i] != "" {
			label = t.modes[i]
		}
		out.Modes = append(out.Modes, Choice{Value: m.name, Label: label})
	}
	for i, l := range c.levels {
		label := l.label
		if t != nil && t.levels[i] != "" {
			label = t.levels[i]
		}
		out.Levels = append(out.Levels, Choice{Value: l.name, Label: label})
	}
	return out
}

// AppendJSON appends the choices' contract JSON to dst (the shape of the widget's Choices type).
func (ch Choices) AppendJSON(dst []byte) []byte {
	dst = appendLit(dst, `{"version":`)
	dst = jsonx.AppendString(dst, ch.Version)
	dst = appendLit(dst, `,"currency":`)
	dst = jsonx.AppendString(dst, ch.Currency)
	dst = appendLit(dst, `,"resolutions":[`)
	for i, r := range ch.Resolutions {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"value":`)
		dst = jsonx.AppendString(dst, r.Value)
		dst = appendLit(dst, `,"label":`)
		dst = jsonx.AppendString(dst, r.Label)
		dst = appendLit(dst, `,"aliases":[`)
		for j, a := range r.Aliases {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = jsonx.AppendString(dst, a)
		}
		dst = appendLit(dst, `],"fps":[`)
		for j, n := range r.FPS {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, n, 10)
		}
		dst = appendLit(dst, "]}")
	}
	dst = appendLit(dst, `],"modes":`)
	dst = appendChoiceList(dst, ch.Modes)
	dst = appendLit(dst, `,"levels":`)
	dst = appendChoiceList(dst, ch.Levels)
	dst = appendLit(dst, `,"duration":{"min":`)
	dst = strconv.AppendInt(dst, ch.MinSeconds, 10)
	dst = appendLit(dst, `,"max":`)
	dst = strconv.AppendInt(dst, ch.MaxSeconds, 10)
	dst = appendLit(dst, `,"step":`)
	dst = strconv.AppendInt(dst, ch.StepSeconds, 10)
	dst = appendLit(dst, `},"maxCount":`)
	dst = strconv.AppendInt(dst, ch.MaxCount, 10)
	dst = appendLit(dst, `,"maxPromptChars":`)
	dst = strconv.AppendInt(dst, ch.MaxPromptChars, 10)
	d := ch.Default
	dst = appendLit(dst, `,"defaultSpec":{"resolution":`)
	dst = jsonx.AppendString(dst, d.Resolution)
	dst = appendLit(dst, `,"fps":`)
	dst = strconv.AppendInt(dst, d.FPS, 10)
	dst = appendLit(dst, `,"durationSeconds":`)
	dst = appendSeconds(dst, d.DurationMillis)
	dst = appendLit(dst, `,"prompt":`)
	dst = jsonx.AppendString(dst, d.Prompt)
	dst = appendLit(dst, `,"complexity":`)
	dst = jsonx.AppendString(dst, d.Complexity)
	dst = appendLit(dst, `,"mode":`)
	dst = jsonx.AppendString(dst, d.Mode)
	dst = appendLit(dst, `,"count":`)
	dst = strconv.AppendInt(dst, d.Count, 10)
	return appendLit(dst, "}}")
}

// MarshalJSON encodes the choices in the contract's form.
func (ch Choices) MarshalJSON() ([]byte, error) { return ch.AppendJSON(nil), nil }

func appendChoiceList(dst []byte, list []Choice) []byte {
	dst = append(dst, '[')
	for i, x := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLit(dst, `{"value":`)
		dst = jsonx.AppendString(dst, x.Value)
		dst = appendLit(dst, `,"label":`)
		dst = jsonx.AppendString(dst, x.Label)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// decodeChoicesRequest decodes {} or {"locale": "de"}.
func decodeChoicesRequest(_ *RateCard, data []byte) (string, *Error) {
	o, err := decodeRequest(data, "locale")
	if err != nil {
		return "", err
	}
	locale, _, err := o.optionalString("locale", "")
	if err != nil {
		return "", err
	}
	if err := checkLocale(locale, "locale"); err != nil {
		return "", err
	}
	return locale, nil
}

func choicesFor(c *RateCard, locale string) (Choices, *Error) { return c.Choices(locale), nil }

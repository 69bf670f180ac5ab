package estimator

import (
	"strconv"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// Shared pieces of the economics operations (topup, plans, wallet, workflow, roi): request
// decoding, nested specs, and the exact unit-price and percentage arithmetic.

// Limits of the economics requests. They bound work per request; beyond them the request is
// rejected with too_many_items or out_of_range, never truncated.
const (
	maxEconomicsItems = 32                    // jobs, buckets: bounds the work of one request (docs/server.md)
	maxJobRepeat      = 100_000               // a job's monthly count
	maxNeed           = 1_000_000_000_000_000 // 10^15 credits, in credits
	maxNeedHundredths = maxNeed * creditScale // 10^17
	maxWorkflowCount  = 10_000                // prototypes, refinements
	maxVideosPerMonth = 1_000_000             // ROI amortization
	maxPriceMicros    = 1_000 * moneyScale    // a price per credit the person enters
	maxMoneyMicros    = 1 << 62               // about $4.6 trillion: any larger total is an overflow error
)

// decodeRequest parses a request and checks its top-level members.
func decodeRequest(data []byte, allowed ...string) (object, *Error) {
	root, err := parseDocument(data, MaxRequestBytes, MaxRequestValues)
	if err != nil {
		return object{}, err
	}
	return asObject(root, "", allowed...)
}

// checkPromptBudget bounds the analyzer's work per request: the prompts anywhere in the request
// may have at most max characters together (the card's limits.maxPromptChars, which also bounds
// one prompt), so a request with many specs costs no more analysis than one longest quote.
// The error names the prompt that crosses the limit.
func (o object) checkPromptBudget(max int64) *Error {
	var n int64
	sub, over := promptChars(jsonx.Value{Kind: jsonx.Object, Members: o.members}, &n, max)
	if !over {
		return nil
	}
	field := sub
	if o.path != "" {
		field = join(o.path, sub)
	}
	return newError(CodePromptTooLong, field, "the prompts of one request are longer than "+strconv.FormatInt(max, 10)+" characters together")
}

// promptChars adds the characters of the "prompt" strings in v to *n and reports the path (below
// v) of the one that takes *n over max.
func promptChars(v jsonx.Value, n *int64, max int64) (string, bool) {
	switch v.Kind {
	case jsonx.Object:
		for _, m := range v.Members {
			if m.Key == "prompt" && m.Value.Kind == jsonx.String {
				if *n += int64(utf8.RuneCountInString(m.Value.Str)); *n > max {
					return m.Key, true
				}
				continue
			}
			if sub, over := promptChars(m.Value, n, max); over {
				if sub == "" || sub[0] == '[' {
					return m.Key + sub, true
				}
				return m.Key + "." + sub, true
			}
		}
	case jsonx.Array:
		for i, item := range v.Items {
			if sub, over := promptChars(item, n, max); over {
				if sub == "" || sub[0] == '[' {
					return index("", i) + sub, true
				}
				return index("", i) + "." + sub, true
			}
		}
	}
	return "", false
}

// under rewrites an error of a nested computation so that its field is a path below path
// (an estimate's "fps" becomes "jobs[2].spec.fps").
func under(path string, e *Error) *Error {
	if e == nil {
		return nil
	}
	out := *e
	if out.Field == "" {
		out.Field = path
	} else if path != "" {
		out.Field = join(path, out.Field)
	}
	return &out
}

// quoteAt decodes the spec at v (found at path) and prices it; errors name fields below path.
func (c *RateCard) quoteAt(v jsonx.Value, path string) (Quote, *Error) {
	s, err := specFromValue(v, path)
	if err != nil {
		return Quote{}, err
	}
	q, err := c.estimate(s)
	if err != nil {
		return Quote{}, under(path, err)
	}
	return q, nil
}

// optionalCredits reads an optional amount of credits (a decimal string, 2 places).
// specOrCredits reads a video given either as a "spec" (priced with the card) or directly as
// "credits", never both; missing is the message when neither is there.
func (c *RateCard) specOrCredits(o object, missing string) (Credits, *Error) {
	amount, cp, hasCredits, err := o.optionalCredits("credits", 0, maxNeedHundredths)
	if err != nil {
		return 0, err
	}
	sv, sp, hasSpec := o.get("spec")
	hasSpec = hasSpec && sv.Kind != jsonx.Null
	switch {
	case hasSpec && hasCredits:
		return 0, newError(CodeInvalidValue, cp, "give either spec or credits, not both")
	case hasSpec:
		q, err := c.quoteAt(sv, sp)
		if err != nil {
			return 0, err
		}
		return q.Credits, nil
	case hasCredits:
		return amount, nil
	}
	return 0, newError(CodeMissingField, sp, missing)
}

func (o object) optionalCredits(key string, min, max int64) (Credits, string, bool, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		return 0, p, false, nil
	}
	n, err := fixedValue(v, p, creditPlaces, min, max, true, "")
	return Credits(n), p, true, err
}

// optionalMoney reads an optional dollar amount (a decimal string, 6 places).
func (o object) optionalMoney(key string, min, max int64) (Money, string, bool, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		return 0, p, false, nil
	}
	n, err := fixedValue(v, p, moneyPlaces, min, max, true, "")
	return Money(n), p, true, err
}

// optionalArray reads an optional array member (nil when absent or null).
func (o object) optionalArray(key string) ([]jsonx.Value, string, bool, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		return nil, p, false, nil
	}
	if v.Kind != jsonx.Array {
		return nil, p, false, typeError(p, "an array", v)
	}
	return v.Items, p, true, nil
}

// checkItems rejects an array longer than the economics limit.
func checkItems(items []jsonx.Value, path string) *Error {
	if len(items) > maxEconomicsItems {
		return newError(CodeTooManyItems, path, "has "+strconv.Itoa(len(items))+" items; at most "+strconv.Itoa(maxEconomicsItems)+" are allowed")
	}
	return nil
}

// creditsCost prices credits at a price per credit, rounded half up to the micro-dollar.
func creditsCost(cr Credits, perCredit Money) (Money, bool) {
	if cr < 0 || perCredit < 0 {
		return 0, false
	}
	m, ok := mulDivRound(int64(cr), int64(perCredit), creditScale)
	return Money(m), ok
}

// percent is num/den as a percentage in hundredths of a percent, rounded half up.
func percent(num, den int64) (int64, bool) {
	if den <= 0 || num < 0 {
		return 0, false
	}
	return mulDivRound(num, 100*100, den)
}

// addMoney adds without silent overflow.
func addMoney(a, b Money) (Money, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) || s > maxMoneyMicros || s < -maxMoneyMicros {
		return 0, false
	}
	return s, true
}

// mulCredits multiplies an amount of credits by a count without silent overflow.
func mulCredits(cr Credits, n int64) (Credits, bool) {
	if cr < 0 || n < 0 {
		return 0, false
	}
	if n != 0 && int64(cr) > (1<<62)/n {
		return 0, false
	}
	return cr * Credits(n), true
}

func overflowAt(path string) *Error {
	return newError(CodeOverflow, path, "the amount does not fit the exact arithmetic")
}

// appendPercent writes hundredths of a percent as "12.34".
func appendPercent(dst []byte, p int64) []byte { return jsonx.AppendFixed(dst, p, 2) }

// appendCreditsField writes ,"key":"12.34" (or without the comma when first). Not inlined (see
// newError): ≈ 4 KB.
//
//go:noinline
func appendCreditsField(dst []byte, key string, cr Credits) []byte {
	dst = append(dst, ",\""+key+"\":\""...)
	dst = cr.AppendText(dst)
	return append(dst, '"')
}

// appendMoneyField writes ,"key":"12.34" (in the currency's minor unit: "3000" in JPY).
func appendMoneyField(dst []byte, key string, m Money, f moneyFmt) []byte {
	dst = append(dst, ",\""+key+"\":\""...)
	dst = f.appendAmount(dst, m)
	return append(dst, '"')
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// appendLit appends s to dst. Not inlined: the JSON writers of the economics answers (plans,
// wallet, ROI, workflow, spend, verify, top-ups, card prices, choices) append about 160 literals,
// and an inlined append is a growth check and a copy in wasm each: 5 KB of the module's brotli
// (issue 20's size budget). The quote's writer, on the hot path, keeps its inlined appends.
//
//go:noinline
func appendLit(dst []byte, s string) []byte { return append(dst, s...) }

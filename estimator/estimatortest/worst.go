package estimatortest

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Worst cases: for every operation, the costliest requests the limits allow (each at most
// estimator.MaxRequestBytes), as an attacker would write them. The benchmarks of `make bench`
// divide their cost by a plain quote's (PlainQuote), the hostile-load tests and the load
// generator's flood send them. They are built for the default card's limits (4,000 prompt
// characters, 32 jobs or buckets).

// PlainQuote is a normal quote request: what the widget sends.
const PlainQuote = `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"a calm lake at dawn, mist over the water, birds flying","count":1}`

// FreshPrompt returns body with the first character of its prompt replaced by a space (by a dot
// when it is one), or body itself when it has no prompt: another prompt of the same length. A
// benchmark that alternates the two makes every quote analyze its prompt afresh: the quote op
// keeps the last prompt it analyzed (an editor re-quotes one prompt in several formats), and a
// benchmark repeating one request would measure that memo instead of the analysis.
func FreshPrompt(body []byte) []byte {
	const key = `"prompt":"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return body
	}
	i += len(key)
	if i >= len(body) || body[i] == '"' {
		return body
	}
	_, n := utf8.DecodeRune(body[i:])
	if body[i] == '\\' { // an escape: \n, \uXXXX, or a surrogate pair \uD8XX\uDCXX
		n = 2
		if i+1 < len(body) && body[i+1] == 'u' {
			n = 6
			if i+3 < len(body) && (body[i+2] == 'd' || body[i+2] == 'D') && bytes.IndexByte([]byte("89abAB"), body[i+3]) >= 0 {
				n = 12
			}
		}
	}
	space := []byte(" ")
	if body[i] == ' ' {
		space = []byte(".")
	}
	return slices.Concat(body[:i], space, body[min(i+n, len(body)):])
}

// Request is one operation's request.
type Request struct {
	Op, Name string
	Body     []byte
}

// promptChars is the default card's limits.maxPromptChars: a request's prompts together.
const promptChars = 4000

// Prompts of promptChars characters that make the analyzer work: CJK text (no spaces, every
// character a candidate), keyword-dense English, emoji (4 bytes each), CJK written as \u escapes.
func cjk(n int) string {
	return string([]rune(strings.Repeat("数千名士兵在古战场上激烈厮杀，爆炸和烟雾，高楼倒塌，二十名骑士冲过暴风雨。", n/37+1))[:n])
}

func english(n int) string {
	return strings.Repeat("thousands of troops fighting, explosions, a tower collapsing in the rain, fast pan, 20 riders charge. ", n/100+1)[:n]
}

func emoji(n int) string { return strings.Repeat("🔥", n) }

// shortSentences: lively sentences that add up past the card's spread cap (model.spread), so
// that every sentence is read again, alone.
func shortSentences(n int) string {
	return strings.Repeat("Rain falls. A dog runs. Waves crash. ", n/37+1)[:n]
}

// escaped writes s's characters as \uXXXX escapes (the JSON text, quotes excluded).
func escaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			b.WriteString(`\u` + hex4(0xD800+(r>>10)) + `\u` + hex4(0xDC00+(r&0x3FF)))
			continue
		}
		b.WriteString(`\u` + hex4(r))
	}
	return b.String()
}

func hex4(r rune) string {
	s := strconv.FormatInt(int64(r), 16)
	return strings.Repeat("0", 4-len(s)) + s
}

func spec(promptJSON string) string {
	return `{"resolution":"2160p","fps":60,"durationSeconds":60,"prompt":"` + promptJSON + `","count":100}`
}

// jobs joins n copies of item(i).
func jobs(n int, item func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = item(i)
	}
	return strings.Join(parts, ",")
}

// WorstCases returns the worst requests of every operation plus hostile documents every
// operation must refuse cheaply.
func WorstCases() []Request {
	const items = 32
	share := promptChars / items // each job's part of the request's prompt budget
	var out []Request
	add := func(op, name, body string) { out = append(out, Request{Op: op, Name: name, Body: []byte(body)}) }

	add("quote", "4000 CJK chars", spec(cjk(promptChars)))
	add("quote", "4000 English chars", spec(english(promptChars)))
	add("quote", "4000 emoji", spec(emoji(promptChars)))
	add("quote", "4000 chars of short lively sentences", spec(shortSentences(promptChars)))
	add("quote", "4000 CJK chars as \\u escapes", spec(escaped(cjk(promptChars))))

	add("topup", "large need", `{"need":"70000000000000.99"}`)
	add("topup", "odd need", `{"need":"50899.99"}`)

	add("plans", "32 jobs sharing 4000 CJK chars + like", `{"jobs":[`+jobs(items, func(int) string {
		return `{"spec":` + spec(cjk(share-4)) + `,"count":100000}`
	})+`],"like":`+spec(cjk(4))+`}`)
	add("plans", "32 jobs without prompts", `{"jobs":[`+jobs(items, func(i int) string {
		return `{"spec":{"resolution":"720p","fps":24,"durationSeconds":` + strconv.Itoa(5+i) + `,"complexity":"extreme"},"count":` + strconv.Itoa(1+i) + `}`
	})+`]}`)

	buckets := jobs(items, func(i int) string {
		return `{"kind":"` + [...]string{"trial", "monthly", "priority", "topup"}[i%4] + `","credits":"` + strconv.Itoa(1+i) +
			`","granted":"2026-0` + strconv.Itoa(1+i%9) + `-01","expires":"2026-` + strconv.Itoa(10+i%3) + `-15"}`
	})
	add("wallet", "32 buckets × 32 jobs with specs sharing 4000 CJK chars, none covered", `{"date":"2026-01-01","buckets":[`+buckets+`],"jobs":[`+
		jobs(items, func(i int) string {
			return `{"spec":` + spec(cjk(share)) + `,"date":"2026-` + strconv.Itoa(10+i%3) + `-0` + strconv.Itoa(1+i%9) + `"}`
		})+`]}`)
	add("wallet", "32 buckets × 32 jobs of huge credits", `{"date":"2026-01-01","buckets":[`+buckets+`],"jobs":[`+
		jobs(items, func(i int) string {
			return `{"credits":"` + strconv.Itoa(999_999_999_999-i) + `.99","date":"2026-` + strconv.Itoa(10+i%3) + `-` + strconv.Itoa(10+i%18) + `"}`
		})+`]}`)

	add("workflow", "final with 4000 CJK chars", `{"final":`+spec(cjk(promptChars))+`,"prototypes":10000,"refinements":10000,"pricePerCreditUsd":"0.06"}`)
	add("workflow", "final and prototype sharing 4000 CJK chars", `{"final":`+spec(cjk(promptChars/2))+`,"prototype":`+spec(cjk(promptChars/2))+`,"prototypes":10000,"refinements":10000}`)

	add("roi", "spec with 4000 CJK chars", `{"spec":`+spec(cjk(promptChars))+`,"plan":"premium","videosPerMonth":1000000}`)

	add("verify", "4000 CJK chars, quote with a 40 KB member", `{"spec":`+spec(cjk(promptChars))+`,"quote":{"credits":"1.00","label":"`+strings.Repeat("x", 40_000)+`"}}`)
	add("verify", "4000 CJK chars, quote of 1000 values", `{"spec":`+spec(cjk(promptChars))+`,"quote":{"credits":"1.00","x":[`+strings.Repeat("0,", 995)+`0]}}`)

	// Hostile documents, 64 KiB each: refused by every operation.
	const size = 64 << 10
	add("quote", "64 KiB of [0,0,0,…] (refused: values)", "["+strings.Repeat("0,", size/2-2)+"0]")
	add("quote", "64 KiB of {\"a\":{…} (refused: depth)", strings.Repeat(`{"a":`, size/5))
	add("quote", "64 KiB string of \\u escapes (refused: prompt)", spec(strings.Repeat(`\u00e9`, (size-100)/6)))
	add("quote", "64 KiB number (refused: type)", `{"resolution":"1080p","fps":`+strings.Repeat("9", size-64)+`,"durationSeconds":10}`)
	// Priority credits paying last under a fast plan: the least top-up is bisected (≤ 63 runs).
	fastBuckets := jobs(items, func(i int) string {
		kind, plan := [...]string{"monthly", "priority"}[i%2], [...]string{"premium", "basic"}[i%2]
		return `{"kind":"` + kind + `","plan":"` + plan + `","credits":"` + strconv.Itoa(1+i) +
			`","granted":"2026-0` + strconv.Itoa(1+i%9) + `-01","expires":"2026-` + strconv.Itoa(10+i%3) + `-` + strconv.Itoa(10+i%18) + `"}`
	})
	add("wallet", "32 buckets with a fast plan × 32 jobs of huge credits, top-up bisected", `{"date":"2026-01-01","buckets":[`+fastBuckets+`],"jobs":[`+
		jobs(items, func(i int) string {
			return `{"credits":"` + strconv.Itoa(999_999_999_999-i) + `.99","date":"2026-` + strconv.Itoa(10+i%3) + `-` + strconv.Itoa(10+i%18) + `"}`
		})+`]}`)
	add("spend", "128 buckets, 4000 CJK chars in the spec", `{"at":"2026-10-10T10:10:10.101010Z","spec":`+spec(cjk(promptChars))+`,"buckets":[`+
		jobs(128, func(i int) string {
			return `{"id":"bkt_` + strconv.Itoa(i) + `","kind":"` + [...]string{"trial", "monthly", "priority", "topup", "adjustment"}[i%5] + `","plan":"premium","credits":"` + strconv.Itoa(1+i) +
				`","granted":"2026-0` + strconv.Itoa(1+i%9) + `-01T00:00:00Z","expires":"2026-` + strconv.Itoa(10+i%3) + `-` + strconv.Itoa(10+i%18) + `T00:00:00Z"}`
		})+`]}`)
	add("wallet", "64 KiB of [0,0,0,…] (refused: values)", "["+strings.Repeat("0,", size/2-2)+"0]")
	return out
}

package estimator_test

import (
	"fmt"
	"strings"

	"github.com/creditestimator/creditestimator/estimator"
)

// Pricing from Go: the embedded card, a Spec, a Quote.
func Example() {
	card := estimator.Default()
	q, err := card.Estimate(estimator.Spec{
		Resolution:     "4k",
		FPS:            60,
		DurationMillis: 10_000,
		Prompt:         "gentle ripples on a calm lake",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(q.Credits, "credits,", "$"+q.USD.Min.String(), "to", "$"+q.USD.Max.String())
	for _, f := range q.Breakdown {
		fmt.Printf("%-10s ×%-4s %s\n", f.Factor, f.Multiplier, f.Label)
	}
	// Output:
	// 5.00 credits, $0.30 to $0.50
	// format     ×5    2160p 4K at 60 fps
	// duration   ×1    10 s billed (reference 10 s)
	// complexity ×1    Calm
	// mode       ×1    New generation
	// count      ×1    1 video
}

// The JSON contract, as the server and the wasm module use it.
func ExampleRateCard_Do() {
	out, err := estimator.Default().Do("quote", []byte(`{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"thousands of troops fiercely fighting on an ancient battlefield"}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out[:60]))
	// Output:
	// {"credits":"8.00","unitCredits":"8.00","count":1,"billedSeco
}

// AppendDo writes the response after what dst holds, reusing its storage.
func ExampleRateCard_AppendDo() {
	buf := make([]byte, 0, 4096)
	buf = append(buf, "quote: "...)
	buf, err := estimator.Default().AppendDo(buf, "quote", []byte(`{"resolution":"720p","fps":24,"durationSeconds":5}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(buf[:27]))
	// Output:
	// quote: {"credits":"0.21","u
}

// The wasm module answers the JS shim's estimate() with the quote tape: the quote's values in
// its JSON's order, separated by TapeSeparator, each list's length before its items.
func ExampleRateCard_AppendQuoteTape() {
	tape, err := estimator.Default().AppendQuoteTape(nil, []byte(`{"resolution":"720p","fps":24,"durationSeconds":5}`))
	if err != nil {
		panic(err)
	}
	fields := strings.Split(string(tape), string(rune(estimator.TapeSeparator)))
	fmt.Println(fields[:7])
	// Output:
	// [0.21 0.21 1 5 1.00 10 s of 1080p at 30 fps, calm content 5]
}

// The module's build writes the default card's rules' lexicon as an image, which its first
// prompt reads instead of the lexicon's JSON: the same image for the same card, and a fraction of
// the card's size.
func ExampleRateCard_AppendLexiconImage() {
	card := estimator.Default()
	img := card.AppendLexiconImage(nil)
	again := card.AppendLexiconImage(nil)
	fmt.Println(string(img) == string(again), len(img) < len(card.JSON())/2)
	// Output:
	// true true
}

// Errors name the field at fault and carry a stable code.
func ExampleRateCard_Do_error() {
	_, err := estimator.Default().Do("quote", []byte(`{"resolution":"1080p","fps":25,"durationSeconds":10}`))
	e := err.(*estimator.Error)
	fmt.Println(e.Code, e.Field)
	fmt.Println(string(e.AppendJSON(nil)))
	// Output:
	// unsupported_fps fps
	// {"code":"unsupported_fps","field":"fps","message":"unsupported frame rate 25; supported: 24 30 60"}
}

// The analyzer explains what it found, and what it read but did not count.
func ExampleRateCard_Analyze() {
	cx := estimator.Default().Analyze("thousands of soldiers fighting in the rain as a tower collapses; no explosions")
	fmt.Println(cx.Level, "×"+cx.Multiplier.String(), "score", cx.Score)
	for _, s := range cx.Signals {
		if s.Ignored != "" {
			fmt.Printf("%s %q ignored: %s\n", s.ID, s.Match, s.Ignored)
			continue
		}
		fmt.Printf("%s %q %+d\n", s.ID, s.Match, s.Weight)
	}
	// Output:
	// extreme ×8 score 103
	// crowd-count "thousands of soldiers" +24
	// combat "fighting" +31
	// weather "rain" +15
	// words "tower" -3
	// destruction "collapses" +19
	// explosion "explosions" ignored: negated
	// together "" +15
	// other-words "" +2
}

// The members of a quote that decide the charge: what verify compares.
func ExampleChargeMembers() {
	for _, m := range estimator.ChargeMembers() {
		fmt.Println(m.Path, m.Code)
	}
	// Output:
	// rateCard.version card_version_differs
	// rateCard.digest card_digest_differs
	// credits amount_differs
	// unitCredits amount_differs
	// count quantity_differs
	// billedSeconds quantity_differs
}

// Verify prices the spec afresh and compares the client's quote on the charge members.
func ExampleRateCard_Do_verify() {
	c := estimator.Default()
	spec := `{"resolution":"720p","fps":24,"durationSeconds":5}`
	q, _ := c.Do("quote", []byte(spec))
	ok, _ := c.Do("verify", []byte(`{"spec":`+spec+`,"quote":`+string(q)+`}`))
	fmt.Println(string(ok))
	_, err := c.Do("verify", []byte(`{"spec":`+spec+`,"quote":{"credits":"9.00","credits":"0.01"}}`))
	fmt.Println(err)
	// Output:
	// {"valid":true}
	// duplicate_field: quote.credits: duplicate key "credits"
}

// A quote explained in a language the card translates its labels into.
func ExampleRateCard_Languages() {
	card := estimator.Default()
	fmt.Println(card.Language(), card.Languages())
	q, err := card.Estimate(estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: "fire", Locale: "de-AT"})
	if err != nil {
		panic(err)
	}
	fmt.Println(q.Complexity.Label, "·", q.Complexity.Signals[0].Label, "·", q.Breakdown[0].Label)
	// Output:
	// en [zh-Hans ja de es ar]
	// Lebhaft · Feuer · 1080p Full HD · 30 fps
}

// A plan's name in a locale; the card's own name when it is not translated.
func ExampleRateCard_PlanName() {
	card := estimator.Default()
	fmt.Println(card.PlanName("premium", "ja"), card.PlanName("premium", "fr"))
	// Output: プレミアム Premium
}

// The language of the card's own labels.
func ExampleRateCard_Language() {
	fmt.Println(estimator.Default().Language())
	// Output: en
}

// The currency the card prices in.
func ExampleRateCard_Currency() {
	fmt.Println(estimator.Default().Currency())
	// Output: USD
}

// A plan started on January 31 is billed on the 31st, or the month's last day when it is shorter.
func ExamplePeriodStart() {
	anchor, _ := estimator.ParseInstant("2026-01-31T09:00:00Z")
	for n := int64(0); n < 4; n++ {
		fmt.Println(estimator.PeriodStart(anchor, n))
	}
	// Output:
	// 2026-01-31T09:00:00Z
	// 2026-02-28T09:00:00Z
	// 2026-03-31T09:00:00Z
	// 2026-04-30T09:00:00Z
}

// The billing period an instant falls in: monthly credits granted for it expire at End.
func ExamplePeriodAt() {
	anchor, _ := estimator.ParseInstant("2026-01-31")
	at, _ := estimator.ParseInstant("2026-03-15T12:00:00Z")
	p := estimator.PeriodAt(anchor, at)
	fmt.Println(p.N, p.Start, p.End)
	// Output: 1 2026-02-28T00:00:00Z 2026-03-31T00:00:00Z
}

// Which buckets pay a job, in the credit model's order.
func ExampleRateCard_Spend() {
	card := estimator.Default()
	day := func(s string) estimator.Instant { t, _ := estimator.ParseInstant(s); return t }
	buckets := []estimator.CreditBucket{
		{Kind: estimator.BucketTopUp, Credits: 10_000, Granted: day("2026-11-01"), Expires: day("2027-04-30")},
		{Kind: estimator.BucketMonthly, Plan: "basic", Credits: 5_000, Granted: day("2026-11-01"), Expires: day("2026-12-01")},
	}
	draws, available, ok := card.Spend(buckets, day("2026-11-20"), 6_000)
	fmt.Println(ok, available)
	for _, d := range draws {
		fmt.Println(buckets[d.Bucket].Kind, d.Credits)
	}
	// Output:
	// true 150.00
	// monthly 50.00
	// topup 10.00
}

// The spend order puts priority credits last while a fast-queue plan is live.
func ExampleRateCard_SpendOrder() {
	card := estimator.Default()
	day := func(s string) estimator.Instant { t, _ := estimator.ParseInstant(s); return t }
	buckets := []estimator.CreditBucket{
		{Kind: estimator.BucketPriority, Plan: "basic", Credits: 5_000, Granted: day("2026-10-20"), Expires: day("2026-11-20")},
		{Kind: estimator.BucketMonthly, Plan: "premium", Credits: 100_000, Granted: day("2026-11-01"), Expires: day("2026-12-01")},
	}
	fmt.Println(card.SpendOrder(buckets, day("2026-11-10")), card.PriorityLast(buckets, day("2026-11-10")))
	// Output: [1 0] true
}

// Validity windows from the card.
func ExampleRateCard_Expiry() {
	card := estimator.Default()
	granted, _ := estimator.ParseInstant("2026-01-31T10:00:00Z")
	for _, kind := range []string{estimator.BucketTrial, estimator.BucketMonthly, estimator.BucketTopUp} {
		exp, _ := card.Expiry(kind, granted)
		fmt.Println(kind, exp)
	}
	// Output:
	// trial 2026-03-02T10:00:00Z
	// monthly 2026-02-28T10:00:00Z
	// topup 2026-07-30T10:00:00Z
}

// The editor's "pays from …" preview through Do, as the wasm module runs it.
func ExampleRateCard_PreviewSpend() {
	out, err := estimator.Default().Do("spend", []byte(`{"at":"2026-11-15T00:00:00Z","credits":"5",
		"buckets":[{"id":"bkt_1","kind":"monthly","plan":"basic","credits":"500","granted":"2026-11-01T00:00:00Z","expires":"2026-12-01T00:00:00Z"}]}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output: {"at":"2026-11-15T00:00:00Z","needed":"5.00","available":"500.00","covered":true,"shortfall":"0.00","left":"495.00","priorityLast":false,"paidFrom":[{"bucket":0,"id":"bkt_1","kind":"monthly","credits":"5.00","expires":"2026-12-01T00:00:00Z"}]}
}

func ExampleRateCard_MinorUnits() {
	c := estimator.Default()
	p, _ := c.TopUpQuote(estimator.Credits(150 * 100))
	fmt.Println(c.MinorUnits(p.Total), c.Currency())
	// Output: 2000 USD
}

func ExampleRequestValue_Int() {
	v, _ := estimator.ParseRequest([]byte(`{"ttlSeconds":7200,"ratio":1.5}`))
	ttl, _ := v.Get("ttlSeconds")
	fmt.Println(ttl.Int())
	ratio, _ := v.Get("ratio")
	fmt.Println(ratio.Int())
	// Output:
	// 7200 true
	// 0 false
}

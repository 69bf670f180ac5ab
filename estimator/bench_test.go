package estimator_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

// A 300-character prompt with several signals.
var benchPrompt = "A cinematic drone shot over thousands of troops fiercely fighting on an ancient battlefield at dusk, " +
	"explosions lighting the smoke, a tower collapsing into dust while 20 riders charge through the rain, " +
	"sparks flying from the swords, fast pan to the hero raising a torn banner as waves crash on the cliffs."

func BenchmarkEstimate(b *testing.B) {
	card := estimator.Default()
	spec := estimator.Spec{Resolution: "2160p", FPS: 60, DurationMillis: 10_000, Prompt: benchPrompt[:300]}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := card.Estimate(spec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnalyze2000(b *testing.B) {
	card := estimator.Default()
	prompt := strings.Repeat(benchPrompt, 7)[:2000]
	b.ReportAllocs()
	for b.Loop() {
		card.Analyze(prompt)
	}
}

// 2,000 characters of short lively sentences that add up past the card's spread cap: the
// analyzer reads every sentence again (docs/complexity.md, "The heaviest sentence caps a long
// prompt"); BenchmarkAnalyze2000's prompt is one run-on sentence.
func BenchmarkAnalyze2000Sentences(b *testing.B) {
	card := estimator.Default()
	prompt := strings.Repeat("A skateboarder races down a hill. Rain falls on the street. A fire burns in a barrel. ", 24)[:2000]
	if !strings.Contains(fmt.Sprint(card.Analyze(prompt).Signals), "spread") {
		b.Fatal("the prompt does not reach the spread cap")
	}
	b.ReportAllocs()
	for b.Loop() {
		card.Analyze(prompt)
	}
}

func BenchmarkAnalyze2000Chinese(b *testing.B) {
	card := estimator.Default()
	prompt := string([]rune(strings.Repeat("数千名士兵在古战场上激烈厮杀，爆炸和烟雾，高楼倒塌，二十名骑士冲过暴风雨。", 80))[:2000])
	b.ReportAllocs()
	for b.Loop() {
		card.Analyze(prompt)
	}
}

func BenchmarkDoQuoteJSON(b *testing.B) {
	card := estimator.Default()
	req := []byte(`{"resolution":"2160p","fps":60,"durationSeconds":10,"prompt":"` + benchPrompt[:300] + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := card.Do("quote", req); err != nil {
			b.Fatal(err)
		}
	}
}

// The parts of Do("quote") on their own, to see where wasm time goes.

func benchQuoteRequest() []byte {
	return []byte(`{"resolution":"2160p","fps":60,"durationSeconds":10,"prompt":"` + benchPrompt[:300] + `"}`)
}

func BenchmarkDecodeSpec(b *testing.B) {
	req := benchQuoteRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := estimator.DecodeSpec(req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnalyze300(b *testing.B) {
	card := estimator.Default()
	prompt := benchPrompt[:300]
	b.ReportAllocs()
	for b.Loop() {
		card.Analyze(prompt)
	}
}

func BenchmarkQuoteAppendJSON(b *testing.B) {
	card := estimator.Default()
	q, err := card.Estimate(estimator.Spec{Resolution: "2160p", FPS: 60, DurationMillis: 10_000, Prompt: benchPrompt[:300]})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		dst = q.AppendJSON(dst[:0])
	}
}

// BenchmarkWorstCases: every operation's worst requests through Do, each as a multiple of a
// plain quote's cost (make bench; the table goes to bench/out/worst-cases-engine.json).
func BenchmarkWorstCases(b *testing.B) {
	card := estimator.Default()
	estimatortest.BenchRatios(b, func(op string, body []byte) { _, _ = card.Do(op, body) }, os.Getenv("WORST_CASES_OUT"))
}

package estimator_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

// FuzzDecodeSpec: any bytes give a valid quote or an *Error with a code; never a panic. The
// quote JSON is valid and re-decodes.
func FuzzDecodeSpec(f *testing.F) {
	vs, _ := estimatortest.ReadVectors("testdata/quote.vectors")
	for _, v := range vs {
		f.Add(v.Request)
	}
	for _, r := range estimatortest.RandomRequests(9, 50) {
		f.Add(r)
	}
	card := estimator.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := card.Do("quote", data)
		if err != nil {
			var e *estimator.Error
			if !errors.As(err, &e) || e.Code == "" || e.Code == estimator.CodeInternal {
				t.Fatalf("bad error %#v for %q", err, data)
			}
			if !utf8.ValidString(e.Message) {
				t.Fatalf("error message is not UTF-8: %q", e.Message)
			}
			return
		}
		var m map[string]any
		if err := jsonUnmarshal(out, &m); err != nil {
			t.Fatalf("invalid quote JSON %q: %v", out, err)
		}
	})
}

// FuzzParseRateCard: any bytes give a card or an *Error; a card that parses prices every
// contract value without panicking.
func FuzzParseRateCard(f *testing.F) {
	def := estimator.Default().JSON()
	f.Add(def)
	f.Add([]byte(strings.Replace(string(def), `"0.5"`, `"0.45"`, 1)))
	f.Add([]byte(strings.Replace(string(def), `"minScore": 3`, `"minScore": 0`, 1)))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		card, err := estimator.ParseRateCard(data)
		if err != nil {
			var e *estimator.Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		for _, res := range []string{"720p", "1080p", "2160p"} {
			for _, fps := range []int64{24, 30, 60} {
				_, _ = card.Estimate(estimator.Spec{Resolution: res, FPS: fps, DurationMillis: 10_000, Prompt: "thousands of troops fighting 数千名士兵"})
			}
		}
	})
}

// FuzzAnalyze: any prompt gives a level of the card and signals whose matches are substrings
// of the prompt (but for the one rest of the word model), and whose weights sum to the score.
func FuzzAnalyze(f *testing.F) {
	for _, p := range []string{"", "thousands of troops fighting", "数千名士兵在古战场上激烈厮杀", "1,000,000,000,000 troops",
		"二十个舞者", "一万二千人", "fast, pan", "\xff\xfe", "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ", strings.Repeat("war ", 500),
		"no crowds, slow drone shot", "没有爆炸，静止", "3千名士兵", "两百名乐手", "百万角马", "two hundred thousand soldiers",
		"20名舞者", "𠀀𠀁士兵𠀂火", "名\xe4\xb8舞者", "三千\xe5名",
		"A dog runs across the beach. Waves crash on the rocks. A storm rolls in with heavy rain. Fireworks burst over the city. A car races down the street. A crowd cheers.",
		"一只狗在沙滩上奔跑！海浪拍打礁石！暴雨来临！烟花在城市上空绽放！"} {
		f.Add(p)
	}
	card := estimator.Default()
	f.Fuzz(func(t *testing.T, prompt string) {
		cx := card.Analyze(prompt)
		if cx.Level == "" || cx.Multiplier <= 0 {
			t.Fatalf("bad verdict %+v", cx)
		}
		var sum int64
		others, together, spread := 0, 0, 0
		for _, s := range cx.Signals {
			if s.ID == "other-words" {
				// The rest of the word model's sum names no words of its own.
				if others++; others > 1 || s.Match != "" || s.Ignored != "" {
					t.Fatalf("bad rest of the words %+v", cx.Signals)
				}
			} else if s.ID == "together" {
				// The rule features' weight together names no words either, and is never 0.
				if together++; together > 1 || s.Match != "" || s.Ignored != "" || s.Weight == 0 {
					t.Fatalf("bad weight together %+v", cx.Signals)
				}
			} else if s.ID == "spread" {
				// The cut to the heaviest sentence's reach names no words, and only lowers.
				if spread++; spread > 1 || s.Match != "" || s.Ignored != "" || s.Weight >= 0 {
					t.Fatalf("bad spread cut %+v", cx.Signals)
				}
			} else if !strings.Contains(prompt, s.Match) || s.Match == "" {
				t.Fatalf("match %q is not in the prompt", s.Match)
			}
			if s.Ignored != "" && s.Weight != 0 {
				t.Fatalf("ignored signal %+v has a weight", s)
			}
			sum += s.Weight
		}
		if sum != cx.Score {
			t.Fatalf("score %d is not the sum of the weights %d", cx.Score, sum)
		}
	})
}

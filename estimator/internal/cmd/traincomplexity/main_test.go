package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/internal/corpus"
)

// teamExamples reads the team's corpus (committed, unlike the real corpus's third-party texts).
func teamExamples(t *testing.T, tab *featureTable) []*example {
	t.Helper()
	card := estimator.Default()
	var exs []*example
	for _, name := range []string{"en.dev.txt", "zh.dev.txt"} {
		f, err := os.Open(filepath.Join("..", "..", "..", "testdata", "complexity", name))
		if err != nil {
			t.Fatal(err)
		}
		ps, err := corpus.Read(f, name)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			exs = append(exs, extract(card, tab, p.Text, p.Class, name[:2], name+p.Text, "train", "team"))
		}
	}
	classWeights(exs, 0.25, 1)
	return exs
}

// The same data give the same weights, bit for bit, and the fit ranks what it learned from.
func TestTrainingIsDeterministicAndLearns(t *testing.T) {
	var models []*model
	var tab *featureTable
	var exs []*example
	for range 2 {
		tab = &featureTable{index: map[string]int32{}}
		exs = teamExamples(t, tab)
		models = append(models, trainPruned(exs, tab, 3, 0.03))
	}
	if !slices.Equal(models[0].w, models[1].w) || models[0].theta != models[1].theta {
		t.Fatal("two fits of the same data differ")
	}
	var ps []corpus.Prompt
	var mult []int64
	for _, e := range exs {
		ps = append(ps, corpus.Prompt{Class: e.class})
		mult = append(mult, multOf(level(models[0].score(e), models[0].theta)))
	}
	if f := corpus.Measure(ps, mult); f.Spearman < 0.85 {
		t.Errorf("the fit ranks its own training prompts at Spearman %.3f: %v", f.Spearman, f)
	}
}

// A written card holds the model: ParseRateCard reads it back and scores like the model.
func TestRewriteCardRoundTrips(t *testing.T) {
	tab := &featureTable{index: map[string]int32{}}
	exs := teamExamples(t, tab)
	m := trainPruned(exs, tab, 3, 0.03)
	m.theta = [3]float64{1, 3, 5} // the team's corpus alone is mostly lively and above: any order will do here
	q := quantize(m, tab)
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "ratecard.json"))
	if err != nil {
		t.Fatal(err)
	}
	card, err := estimator.ParseRateCard(rewriteCard(src, q, "test.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exs {
		if got, want := card.Analyze(e.text).Score, q.score(e, tab); got != want {
			t.Fatalf("%q: the card scores %d, the model %d", e.text, got, want)
		}
	}
}

package estimator_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/internal/corpus"
)

// The labelled corpus (estimator/testdata/complexity, rubric in docs/complexity.md) measures how
// well the default card's analyzer ranks prompts it was not written for. The test split is
// never tuned on; this test fails when the test split misses the targets. Figures for both
// splits are logged (go test -run TestComplexityCorpus -v ./estimator); CORPUS_MISSES=1 also
// lists the dev prompts the analyzer places in another class than the rubric.

func readCorpus(t *testing.T, name string) []corpus.Prompt {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "complexity", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := corpus.Read(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestComplexityCorpus(t *testing.T) {
	card := estimator.Default()
	listMisses := os.Getenv("CORPUS_MISSES") != ""
	for _, lang := range []struct {
		name        string
		minSpearman float64
	}{{"en", 0.85}, {"zh", 0.80}} {
		for _, split := range []string{"dev", "test"} {
			name := lang.name + "." + split + ".txt"
			prompts := readCorpus(t, name)
			mults := make([]int64, len(prompts))
			for i, p := range prompts {
				cx := card.Analyze(p.Text)
				mults[i] = int64(cx.Multiplier)
				if listMisses && split == "dev" && corpus.Bucket(mults[i]) != p.Class {
					var why []string
					for _, s := range cx.Signals {
						why = append(why, s.ID+"="+s.Match+"/"+s.Ignored)
					}
					t.Logf("miss %s: %s → %s (%d) %v", corpus.Classes[p.Class], p.Text, cx.Level, cx.Score, why)
				}
			}
			f := corpus.Measure(prompts, mults)
			t.Logf("%s: %v", name, f)
			if split != "test" {
				continue
			}
			if f.Spearman < lang.minSpearman {
				t.Errorf("%s: Spearman %.3f < %.2f", name, f.Spearman, lang.minSpearman)
			}
			if f.CalmAt1Pct() < 90 {
				t.Errorf("%s: %.1f%% of calm prompts at ×1, want ≥ 90%%", name, f.CalmAt1Pct())
			}
			if f.ExtremeAt8Pct() < 80 {
				t.Errorf("%s: %.1f%% of extreme prompts at ≥ ×8, want ≥ 80%%", name, f.ExtremeAt8Pct())
			}
			if f.CalmAbove2 > 0 {
				t.Errorf("%s: %d calm prompts above ×2, want none", name, f.CalmAbove2)
			}
		}
	}
}

// The real corpus (testdata/complexity/real): every row is well formed, the settled class is
// what two independent raters agreed on or, where they differed, what the third reading
// decided (with the majority of the three), and the held-out split is measured. The texts of
// the third-party prompts are not in the repository (docs/complexity.md): with CORPUS_TEXTS
// naming the file corpustexts builds, every held-out prompt is measured; without it, the
// Chinese prompts this team wrote are, and must stay above the floors below (the figures the
// card reached when it was trained, less a margin: a regression fails).
func TestRealCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "complexity", "real")
	f, err := os.Open(filepath.Join(dir, "labels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	labels, err := corpus.ReadLabels(f, "labels.tsv")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	agree := map[string][2]int{}
	ids := map[string]bool{}
	for _, l := range labels {
		if ids[l.ID] || l.Source == "" || l.Licence == "" || l.Ref == "" || len(l.SHA256) != 16 || (l.Split != "train" && l.Split != "test") {
			t.Fatalf("bad row %+v", l)
		}
		ids[l.ID] = true
		a := agree[l.Lang]
		a[1]++
		want := l.A
		if l.A == l.B {
			a[0]++
			if l.Third != "-" {
				t.Errorf("%s: a third reading where the raters agreed", l.ID)
			}
		} else {
			switch {
			case l.Third == "-":
				t.Errorf("%s: raters disagree and no third reading", l.ID)
			case l.Third == l.B:
				want = l.B
			case l.Third != l.A:
				want = l.Third
			}
		}
		if l.Class != want {
			t.Errorf("%s: class %s, want %s from %s/%s/%s", l.ID, l.Class, want, l.A, l.B, l.Third)
		}
	}
	for lang, a := range agree {
		t.Logf("%s: %d prompts, the two raters agree on %d (%.1f%%)", lang, a[1], a[0], 100*float64(a[0])/float64(a[1]))
	}

	texts := []string{filepath.Join(dir, "zh-rewrites.tsv")}
	full := os.Getenv("CORPUS_TEXTS") != ""
	if full {
		texts = append(texts, os.Getenv("CORPUS_TEXTS"))
	}
	all := map[string]string{}
	for _, p := range texts {
		if err := corpus.ReadTexts(p, all); err != nil {
			t.Fatal(err)
		}
	}
	card := estimator.Default()
	byLang := map[string][]corpus.Prompt{}
	mults := map[string][]int64{}
	for _, l := range labels {
		text, ok := all[l.ID]
		if !ok || l.Split != "test" {
			continue
		}
		if corpus.TextHash(text) != l.SHA256 {
			t.Fatalf("%s: text differs from its hash", l.ID)
		}
		key := l.Lang
		if !full {
			key = l.Source
		}
		byLang[key] = append(byLang[key], corpus.Prompt{Class: slices.Index(corpus.Classes, l.Class), Text: text})
		mults[key] = append(mults[key], int64(card.Analyze(text).Multiplier))
	}
	for key, ps := range byLang {
		fig := corpus.Measure(ps, mults[key])
		t.Logf("held out, %s: %v", key, fig)
		if key != "rewrite-zh" {
			continue
		}
		if fig.N < 100 || fig.Spearman < 0.50 || fig.ExactPct() < 75 || fig.CalmAt1Pct() < 85 || fig.CalmAbove2 > 2 || fig.LivelyAt8 > 1 {
			t.Errorf("the team's Chinese prompts (held out) fell below the floors: %v", fig)
		}
	}
}

// Package corpus reads the labelled prompt corpus (estimator/testdata/complexity, rubric in
// docs/complexity.md) and measures how well an analyzer's multipliers rank it: the Spearman
// rank correlation between multiplier and class, and the targets of the rubric.
package corpus

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Classes are the rubric's classes, in order.
var Classes = []string{"calm", "lively", "complex", "extreme"}

// Prompt is one labelled prompt.
type Prompt struct {
	Class int // index into Classes
	Text  string
	Line  int
}

// Read reads "class | prompt" lines; blank lines and lines starting with # are skipped.
func Read(r io.Reader, name string) ([]Prompt, error) {
	var out []Prompt
	s := bufio.NewScanner(r)
	for line := 1; s.Scan(); line++ {
		text := strings.TrimSpace(s.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		class, prompt, ok := strings.Cut(text, " | ")
		i := slices.Index(Classes, class)
		if !ok || i < 0 || strings.TrimSpace(prompt) == "" {
			return nil, fmt.Errorf("%s:%d: want \"class | prompt\" with a class of %v", name, line, Classes)
		}
		out = append(out, Prompt{Class: i, Text: prompt, Line: line})
	}
	return out, s.Err()
}

// Figures are the measures of one set of prompts. Multipliers are fixed-point with 4 places
// (10000 = ×1), as in the estimator.
type Figures struct {
	N                int
	Spearman         float64
	CalmAt1, CalmN   int       // calm prompts at ×1
	CalmAbove2       int       // calm prompts above ×2
	ExtremeAt8, ExtN int       // extreme prompts at ×8 or more
	LivelyAt8        int       // lively prompts at ×8 or more
	Exact            int       // prompts whose level is the class's: ×1 calm, ×2 lively, ×4 complex, ×8 extreme
	Confusion        [4][4]int // [class][×1, ×2, ×4, ×8 and more]
}

// CalmAt1Pct and ExtremeAt8Pct are the shares in percent.
func (f Figures) CalmAt1Pct() float64    { return pct(f.CalmAt1, f.CalmN) }
func (f Figures) ExtremeAt8Pct() float64 { return pct(f.ExtremeAt8, f.ExtN) }
func (f Figures) ExactPct() float64      { return pct(f.Exact, f.N) }

func (f Figures) String() string {
	return fmt.Sprintf("%d prompts, Spearman %.3f, level exact %.1f%%, calm at ×1 %.1f%% (%d/%d), calm above ×2 %d, lively at ≥×8 %d, extreme at ≥×8 %.1f%% (%d/%d), confusion [class][×1 ×2 ×4 ×8] %v",
		f.N, f.Spearman, f.ExactPct(), f.CalmAt1Pct(), f.CalmAt1, f.CalmN, f.CalmAbove2, f.LivelyAt8, f.ExtremeAt8Pct(), f.ExtremeAt8, f.ExtN, f.Confusion)
}

// Bucket maps a multiplier to the column of its class: ×1, above ×1, ×4 and more, ×8 and more.
func Bucket(mult int64) int {
	switch {
	case mult >= 80_000:
		return 3
	case mult >= 40_000:
		return 2
	case mult > 10_000:
		return 1
	}
	return 0
}

// Level maps a multiplier to the class whose level it is: ×1 calm, ×2 lively, ×4 complex, ×8
// extreme; a multiplier between two of them counts as the lower.
func Level(mult int64) int {
	switch {
	case mult >= 80_000:
		return 3
	case mult >= 40_000:
		return 2
	case mult >= 20_000:
		return 1
	}
	return 0
}

// Measure measures the multipliers mult (one per prompt) against the prompts' classes.
func Measure(prompts []Prompt, mult []int64) Figures {
	var f Figures
	f.N = len(prompts)
	classes := make([]float64, len(prompts))
	mults := make([]float64, len(prompts))
	for i, p := range prompts {
		m := mult[i]
		classes[i] = float64(p.Class)
		mults[i] = float64(m)
		f.Confusion[p.Class][Bucket(m)]++
		if Level(m) == p.Class {
			f.Exact++
		}
		switch p.Class {
		case 1:
			if m >= 80_000 {
				f.LivelyAt8++
			}
		case 0:
			f.CalmN++
			if m <= 10_000 {
				f.CalmAt1++
			}
			if m > 20_000 {
				f.CalmAbove2++
			}
		case 3:
			f.ExtN++
			if m >= 80_000 {
				f.ExtremeAt8++
			}
		}
	}
	f.Spearman = Spearman(classes, mults)
	return f
}

// Spearman is the rank correlation of x and y: the Pearson correlation of their ranks, ties
// given their average rank. It is 0 when either has no spread.
func Spearman(x, y []float64) float64 {
	rx, ry := ranks(x), ranks(y)
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx /= float64(len(rx))
	my /= float64(len(ry))
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mx, ry[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j-1) / 2
		for k := i; k < j; k++ {
			r[idx[k]] = avg
		}
		i = j
	}
	return r
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

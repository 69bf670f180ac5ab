package corpus

import (
	"math"
	"strings"
	"testing"
)

func TestSpearman(t *testing.T) {
	tests := []struct {
		x, y []float64
		want float64
	}{
		{[]float64{0, 1, 2, 3}, []float64{1, 2, 4, 8}, 1},
		{[]float64{0, 1, 2, 3}, []float64{8, 4, 2, 1}, -1},
		{[]float64{0, 0, 1, 1}, []float64{1, 1, 2, 2}, 1},
		{[]float64{0, 1, 2}, []float64{1, 1, 1}, 0},
		// Ties get their average rank: ranks x = 0.5 0.5 2, y = 0 1.5 1.5.
		{[]float64{0, 0, 1}, []float64{1, 2, 2}, 0.5},
	}
	for _, tt := range tests {
		if got := Spearman(tt.x, tt.y); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Spearman(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
}

func TestReadAndMeasure(t *testing.T) {
	ps, err := Read(strings.NewReader("# comment\ncalm | a lake\n\nextreme | a war\nlively | a dog running\n"), "x")
	if err != nil || len(ps) != 3 || ps[1].Class != 3 || ps[1].Text != "a war" {
		t.Fatalf("Read = %v, %v", ps, err)
	}
	f := Measure(ps, []int64{30_000, 80_000, 20_000})
	if f.CalmAt1 != 0 || f.CalmAbove2 != 1 || f.ExtremeAt8 != 1 || f.Confusion[0][1] != 1 || f.Spearman <= 0 {
		t.Fatalf("Measure = %+v", f)
	}
	if _, err := Read(strings.NewReader("wild | a lake\n"), "x"); err == nil {
		t.Fatal("an unknown class is an error")
	}
}

package estimator

import (
	"reflect"
	"testing"
)

var resetPrompts = []string{
	"",
	"a calm lake at dawn",
	"thousands of soldiers fighting in the rain as a tower collapses; no explosions",
	"slow drone shot of a burning village while 20 riders charge",
	"数千名士兵在古战场上激烈厮杀，没有爆炸，静止",
	"A dog runs across the beach. Waves crash on the rocks. A storm rolls in with heavy rain.",
	"a giant statue in a quiet square",
	"二十名舞者在广场上跳舞，烟花绽放",
}

// analyzeWith analyzes prompt with st as it is (not zeroed first) and returns what Analyze would.
func analyzeWith(c *RateCard, st *scanState, prompt string) Complexity {
	a := c.an()
	a.scan(prompt, st)
	score := st.resolve(a)
	return c.complexityOf(score, a.signalsOf(prompt, st))
}

// A reset state reads a prompt exactly as a zero one, whatever it read before.
func TestScanStateReset(t *testing.T) {
	c := Default()
	for _, before := range resetPrompts {
		for _, p := range resetPrompts {
			var used, fresh scanState
			analyzeWith(c, &used, before)
			used.reset()
			if got, want := analyzeWith(c, &used, p), analyzeWith(c, &fresh, p); !reflect.DeepEqual(got, want) {
				t.Fatalf("after %q, %q: %+v, want %+v", before, p, got, want)
			}
		}
	}
}

func FuzzScanStateReset(f *testing.F) {
	for i, p := range resetPrompts {
		f.Add(p, resetPrompts[(i+3)%len(resetPrompts)])
	}
	c := Default()
	f.Fuzz(func(t *testing.T, before, p string) {
		var used, fresh scanState
		analyzeWith(c, &used, before)
		used.reset()
		if got, want := analyzeWith(c, &used, p), analyzeWith(c, &fresh, p); !reflect.DeepEqual(got, want) {
			t.Fatalf("after %q, %q: %+v, want %+v", before, p, got, want)
		}
	})
}

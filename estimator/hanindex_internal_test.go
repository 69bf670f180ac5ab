package estimator

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHanIndexIsTheMap: the Han index answers every rune as the map it was built from, for
// sizes from empty to many collisions.
func TestHanIndexIsTheMap(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 8, 9, 100, 1000} {
		m := map[rune][]hanEntry{}
		var runes []rune
		// Runes that share their low bits, and supplementary ones.
		for i := 0; i < n; i++ {
			r := rune(0x4E00 + i*64)
			if i%5 == 4 {
				r = rune(0x20000 + i)
			}
			m[r] = []hanEntry{{text: string(r), signal: i}}
			runes = append(runes, r)
		}
		x := newHanIndex(m, runes)
		if 2*len(m) > len(x.slots) && len(m) > 0 {
			t.Fatalf("n=%d: %d runes in %d slots: more than half full", n, len(m), len(x.slots))
		}
		for r := rune(0x3400); r < 0x20000+1100; r++ {
			if r == 0xA000 {
				r = 0x20000
			}
			got, want := x.get(r), m[r]
			if len(got) != len(want) || (len(want) > 0 && got[0].signal != want[0].signal) {
				t.Fatalf("n=%d: get(%U) = %v, want %v", n, r, got, want)
			}
		}
	}
}

// TestHanStepIntoACharacter: the scan once stepped one byte into the character after digits
// ("20名": hanNumeral), whose U+FFFD shares its bit of the first-rune filter with U+2FFFD, so a
// card with a term starting with U+2FFFD let it through the filter. The scan no longer steps
// into a character (TestHanDigitsBeforeTheRun); this keeps such a card and such prompts read.
func TestHanStepIntoACharacter(t *testing.T) {
	data := strings.Replace(string(defaultCardJSON), `"neutral": [`, "\"neutral\": [\"\U0002FFFD兵\", ", 1)
	if data == string(defaultCardJSON) {
		t.Fatal("no neutral list in the card")
	}
	c, err := parseRateCard([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if !c.an().mayStartHan(0xFFFD) {
		t.Fatal("the filter does not let U+FFFD through: the test no longer tests the step")
	}
	for _, p := range []string{"20名", "20名舞", "3名", "20名\U0002FFFD兵"} {
		if cx := c.Analyze(p); cx.Level == "" {
			t.Fatalf("%q: no verdict", p)
		}
	}
}

// TestHanDigitsBeforeTheRun: digits just before a Han run ("20名舞者") are the numeral; the run's
// first character is then read like any other, as a whole character (it was once read from its
// second byte, as junk).
func TestHanDigitsBeforeTheRun(t *testing.T) {
	c := Default()
	for _, p := range []string{"20名舞者", "3千名士兵", "一群20只鸟", "20名", "约20位游客在广场上"} {
		var names []string
		c.ComplexityFeatures(p, func(name string, start, end int) {
			if !utf8.ValidString(name) || !utf8.ValidString(p[start:end]) {
				t.Errorf("%q: feature %q at %d:%d is not whole characters", p, name, start, end)
			}
			names = append(names, name)
		})
		if strings.HasPrefix(p, "20名") && !slices.Contains(names, "名") {
			t.Errorf("%q: 名 is not read as a character: %q", p, names)
		}
	}
	if got := c.Analyze("20名舞者"); len(got.Signals) == 0 || got.Signals[0].ID != crowdSignalID || got.Signals[0].Match != "20名舞者" {
		t.Errorf("20名舞者: the crowd is not counted: %+v", got.Signals)
	}
}

package scan

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func sentences(s string) []string {
	var out []string
	Sentences(s, func(start, end int) bool {
		out = append(out, s[start:end])
		return true
	})
	return out
}

func TestSentences(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ", nil},
		{"a calm lake", []string{"a calm lake"}},
		{"A dog runs. A cat sleeps.", []string{"A dog runs", "A cat sleeps"}},
		{"A 3.5 m wave, e.g. at www.x.com. Then calm!", []string{"A 3.5 m wave, e.g", "at www.x.com", "Then calm"}},
		{"first\nsecond\r\nthird", []string{"first", "second", "third"}},
		{"why? because; fine...", []string{"why", "because", "fine.."}},
		{"战士冲锋。城市燃烧！谁能逃？", []string{"战士冲锋", "城市燃烧", "谁能逃"}},
		{"。。。", nil},
		{"tab\tinside. ", []string{"tab\tinside"}},
	} {
		if got := sentences(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Sentences(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSentencesStops(t *testing.T) {
	n := 0
	Sentences("a. b. c. d.", func(int, int) bool { n++; return n < 2 })
	if n != 2 {
		t.Fatalf("yield called %d times after it returned false, want 2", n)
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{"A dog runs. A cat sleeps.", "战士冲锋。城市燃烧！", "a\xffb. c", "...", "x.\n."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		Sentences(s, func(start, end int) bool {
			if start < last || start >= end || end > len(s) {
				t.Fatalf("span [%d,%d) after %d in %q", start, end, last, s)
			}
			seg := s[start:end]
			if isSpace(seg[0]) || isSpace(seg[len(seg)-1]) {
				t.Fatalf("span %q keeps white space", seg)
			}
			if utf8.ValidString(s) && (!utf8.ValidString(seg) || strings.ContainsAny(seg, "\n!?;。！？；")) {
				t.Fatalf("span %q of %q is not one sentence", seg, s)
			}
			last = end
			return true
		})
	})
}

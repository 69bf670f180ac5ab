package scan

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func tokens(next func(*Token) bool, s string) []string {
	var out []string
	var t Token
	for next(&t) {
		switch t.Kind {
		case Word:
			out = append(out, fmt.Sprintf("W%d-%d:%q/%v/%d", t.Start, t.End, t.Text(), t.Digits, t.Num))
		case Han:
			out = append(out, fmt.Sprintf("H%d-%d:%s", t.Start, t.End, s[t.Start:t.End]))
		case Break:
			out = append(out, fmt.Sprintf("B%d-%d", t.Start, t.End))
		}
	}
	return out
}

func fast(s string) []string {
	sc := NewScanner(s)
	return tokens(sc.Next, s)
}

func reference(s string) []string {
	sc := NewReference(s)
	return tokens(sc.Next, s)
}

func TestScanner(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Thousands of TROOPS, 1,000 men", []string{`W0-9:"thousands"/false/0`, `W10-12:"of"/false/0`, `W13-19:"troops"/false/0`, "B19-20", `W21-26:"1000"/true/1000`, `W27-30:"men"/false/0`}},
		{"city-wide; no crowds.", []string{`W0-4:"city"/false/0`, `W5-9:"wide"/false/0`, "B9-10", `W11-13:"no"/false/0`, `W14-20:"crowds"/false/0`, "B20-21"}},
		{"数千名士兵，没有爆炸", []string{"H0-15:数千名士兵", "B15-18", "H18-30:没有爆炸"}},
		{"3千名soldiers", []string{`W0-1:"3"/true/3`, "H1-7:千名", `W7-15:"soldiers"/false/0`}},
		{"Ñandú ÉLAN", []string{`W0-7:"ñandú"/false/0`, `W8-13:"élan"/false/0`}},
		{strings.Repeat("a", 40) + " b", []string{`W0-40:""/false/0`, `W41-42:"b"/false/0`}},
		{"9,999,999,999,999 ships", []string{`W0-17:"9999999999999"/true/1000000000`, `W18-23:"ships"/false/0`}},
		{"1,a ,5 5,", []string{`W0-1:"1"/true/1`, "B1-2", `W2-3:"a"/false/0`, "B4-5", `W5-6:"5"/true/5`, `W7-8:"5"/true/5`, "B8-9"}},
	}
	for _, tt := range tests {
		if got := fast(tt.in); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Scanner(%q) =\n %v\nwant\n %v", tt.in, got, tt.want)
		}
		if got := reference(tt.in); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Reference(%q) =\n %v\nwant\n %v", tt.in, got, tt.want)
		}
	}
}

// FuzzScanner: the fast scanner gives exactly the reference scanner's tokens.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{"", "thousands of troops fighting", "数千名士兵在古战场上激烈厮杀", "1,000,000,000,000 troops",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnop", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh", "a,b,1,2,,3", "Ñandú ÉLAN Ωμέγα",
		"\xff\xfe", "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ", "explosions{|}~\x7f\x80", "it's a dog's life", strings.Repeat("war ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := fast(s), reference(s)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Scanner(%q) =\n %v\nreference\n %v", s, got, want)
		}
	})
}

// FuzzDecodeRune: DecodeRune is utf8.DecodeRuneInString.
func FuzzDecodeRune(f *testing.F) {
	for _, s := range []string{"", "a", "数", "\xe0\x80\x80", "\xed\xa0\x80", "\xef\xbf\xbd", "\xe4\xb8", "€x", "\xf0\x9f\x98\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, n := DecodeRune(s)
		wr, wn := utf8.DecodeRuneInString(s)
		if r != wr || n != wn {
			t.Fatalf("DecodeRune(%q) = %U, %d; want %U, %d", s, r, n, wr, wn)
		}
	})
}

package estimator

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// lexiconOf is a card's analyzer without its word model.
func lexiconOf(c *RateCard) analyzer {
	a := *c.an()
	a.model = wordModel{}
	return a
}

// TestLexiconImageRoundTrip: reading a card's lexicon image gives, value for value (nil and
// empty slices apart, table slots in place), the lexicon parsing the card built, for every card
// the tests have; every shorter image and a longer one are refused.
func TestLexiconImageRoundTrip(t *testing.T) {
	cards := []*RateCard{Default()}
	for _, f := range []string{"../web/test/fixtures/platform-card.json", "testdata/ratecard-2026-11-25.1.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, perr := parseRateCard(data)
		if perr != nil {
			t.Fatal(f, perr)
		}
		cards = append(cards, c)
	}
	for _, c := range cards {
		img := string(c.AppendLexiconImage(nil))
		var got analyzer
		if !got.readLexiconImage(img) {
			t.Fatalf("%s: the image of %d bytes is refused", c.Version(), len(img))
		}
		if want := lexiconOf(c); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the lexicon read from its image differs from the parsed one", c.Version())
		}
		for n := 0; n < len(img); n += 1 + n/50 {
			var a analyzer
			if a.readLexiconImage(img[:n]) {
				t.Fatalf("%s: an image cut to %d of %d bytes is read", c.Version(), n, len(img))
			}
		}
		var a analyzer
		if a.readLexiconImage(img + "\x00") {
			t.Fatalf("%s: an image with a byte more is read", c.Version())
		}
	}
}

// FuzzLexiconImage: no byte string makes reading an image panic or hang.
func FuzzLexiconImage(f *testing.F) {
	img := string(Default().AppendLexiconImage(nil))
	f.Add(img)
	f.Add(img[:len(img)/2])
	f.Add("\x02\x02\x00\x00\x00")
	f.Fuzz(func(t *testing.T, s string) {
		var a analyzer
		a.readLexiconImage(s)
	})
}

// TestLexiconImageIsUsed: in the module's build (TestCardSourceBuilds builds with cardsource's
// file, which holds the image), the embedded card's first prompt reads its lexicon from the
// image, and the analyzer is value for value the one parsing builds; a card with other bytes
// does not read it.
func TestLexiconImageIsUsed(t *testing.T) {
	if defaultLexiconImage == "" {
		// The plain build has no image: cardsource's build (ESTIMATOR_CARDSOURCE=1) must.
		if os.Getenv("ESTIMATOR_CARDSOURCE") != "" {
			t.Fatal("the build has no lexicon image")
		}
		return
	}
	eager, err := parseRateCard(defaultCardJSON)
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := parseCard(defaultCardJSON, true, defaultCardDigest, defaultCardSpans)
	if err != nil {
		t.Fatal(err)
	}
	lazy.an()
	if s := lazy.analyzer.words; len(s) == 0 || !strings.Contains(defaultLexiconImage, firstStem(s)) || !sameMemory(firstStem(s), defaultLexiconImage) {
		t.Fatal("the embedded card's lexicon was not read from the image")
	}
	if !reflect.DeepEqual(lazy.analyzer, eager.analyzer) {
		t.Fatal("the analyzer read from the image differs from the parsed one")
	}
	other := []byte(strings.Replace(string(defaultCardJSON), `"`+eager.Version()+`"`, `"other"`, 1))
	oc, err := parseCard(other, true, "", cardSpans{})
	if err != nil {
		t.Fatal(err)
	}
	if oc.an(); sameMemory(firstStem(oc.analyzer.words), defaultLexiconImage) {
		t.Fatal("a card with other bytes read the image")
	}
}

func firstStem(slots []lexSlot) string {
	for _, s := range slots {
		if s.entry != nil {
			return s.stem
		}
	}
	return ""
}

// sameMemory reports whether s is a substring of img in img's own memory (read from it, not
// built by parsing).
func sameMemory(s, img string) bool {
	if s == "" || img == "" {
		return false
	}
	p, start := uintptrOf(s), uintptrOf(img)
	return p >= start && p < start+uintptr(len(img))
}

func uintptrOf(s string) uintptr { return uintptr(unsafe.Pointer(unsafe.StringData(s))) }

// TestModelSpan: in the module's build the model's span is the complexity.model value of the
// card's bytes (a JSON object), which the first prompt parses alone.
func TestModelSpan(t *testing.T) {
	m := defaultModelSpan
	if m == [2]int{} {
		if os.Getenv("ESTIMATOR_CARDSOURCE") != "" {
			t.Fatal("the build has no model span")
		}
		return
	}
	co, err := modelSection(nil)
	if err != nil || len(co.members) != 1 || co.members[0].Key != "model" || len(co.members[0].Value.Members) == 0 {
		t.Fatalf("the model span %v does not hold the model: %v", m, err)
	}
	v, perr := parseEmbedded(defaultCardJSON)
	if perr != nil {
		t.Fatal(perr)
	}
	for _, top := range v.Members {
		if top.Key != "complexity" {
			continue
		}
		for _, mem := range top.Value.Members {
			if mem.Key == "model" && !reflect.DeepEqual(mem.Value, co.members[0].Value) {
				t.Fatal("the model read from its span differs from the card's")
			}
		}
	}
}

// TestLexiconImageShift: an image whose Han index shift does not fit its slots is refused (a
// lookup would fall outside the table).
func TestLexiconImageShift(t *testing.T) {
	c := Default()
	a := *c.an()
	a.model = wordModel{}
	for _, shift := range []uint8{0, a.han.shift - 1, a.han.shift + 1, 40} {
		bad := a
		bad.han.shift = shift
		card := &RateCard{analyzer: bad}
		card.analyzerOnce.Do(func() {})
		var got analyzer
		if got.readLexiconImage(string(card.AppendLexiconImage(nil))) {
			t.Fatalf("an image with shift %d for %d slots is read", shift, len(a.han.slots))
		}
	}
}

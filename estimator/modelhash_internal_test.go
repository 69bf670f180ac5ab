package estimator

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator/internal/scan"
)

// TestModelFeatureHashIsTheStemsHash: modelFeatureHash, which hashes in the scanner's buffer
// without allocating, gives every key the hash of its stems as stemWords reads them (how the
// keys were hashed before), and refuses the same keys.
func TestModelFeatureHashIsTheStemsHash(t *testing.T) {
	byStems := func(key string) (uint64, bool) {
		var parts []string
		if r, size := utf8.DecodeRuneInString(key); scan.IsHan(r) {
			n := utf8.RuneCountInString(key)
			if n > 2 || !isHanTerm(key) {
				return 0, false
			}
			parts = []string{key[:size]}
			if n == 2 {
				parts = append(parts, key[size:])
			}
		} else {
			parts = stemWords(key)
		}
		if len(parts) == 0 || len(parts) > 2 {
			return 0, false
		}
		h := fnvAddString(fnvOffset, parts[0])
		if len(parts) == 2 {
			h = pairHash(h, fnvAddString(fnvOffset, parts[1]))
		}
		return h, true
	}
	keys := []string{"fire", "fires", "Running", "slow motion", "a b c", "", " ", "  crowd  ", "火", "大火", "大火灾",
		"fire火", "火fire", "rock-and-roll", "it's", "x y", "don't stop", "café crème", "ÉCLAIR", "naïve",
		"supercalifragilisticexpialidociousandthensomemorelettersuntilitistoolongtobeaword", "two  spaces", "1999", "3d render"}
	for _, k := range keys {
		want, wok := byStems(k)
		got, ok := modelFeatureHash(k)
		if got != want || ok != wok {
			t.Errorf("%q: got %x %v, want %x %v", k, got, ok, want, wok)
		}
	}
	var card struct {
		Complexity struct {
			Model struct{ Weights, Background map[string]int }
		}
	}
	if err := json.Unmarshal(defaultCardJSON, &card); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ws := range []map[string]int{card.Complexity.Model.Weights, card.Complexity.Model.Background} {
		for k := range ws {
			want, _ := byStems(k)
			if got, ok := modelFeatureHash(k); got != want || !ok {
				t.Errorf("card key %q: got %x %v, want %x", k, got, ok, want)
			}
			n++
		}
	}
	if n < 100 {
		t.Fatalf("the card has %d model keys", n)
	}
}

// FuzzASCIIFeatureHash: the scanner-free reading of a model key, where it takes one, hashes it
// as the scanner's reading does.
func FuzzASCIIFeatureHash(f *testing.F) {
	for _, k := range []string{"fire", "slow motion", "a b c", "", " ", "x  y", "stories", "dyed", "ab", "a b",
		"abcdefghijklmnopqrstuvwxyzabcdefg", "abcdefghijklmnopqrstuvwxyzabcdef fire", "fire ", " fire"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		h, ok := asciiFeatureHash(key)
		if !ok {
			return
		}
		want, wok := scannedFeatureHash(key)
		if !wok || h != want {
			t.Fatalf("%q: %x, the scanner's reading %x %v", key, h, want, wok)
		}
	})
}

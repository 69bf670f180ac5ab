package estimator

import (
	"os"
	"reflect"
	"testing"
)

// frozenEqualsParsed is decided before any test runs: tests price with Default(), which fills
// the card's lazily computed parts (the plans' top-up table), absent from a freshly parsed card.
var frozenEqualsParsed error

func TestMain(m *testing.M) {
	frozenEqualsParsed = compareFrozen()
	os.Exit(m.Run())
}

func compareFrozen() error {
	if frozenCard == nil {
		return nil // a plain build: nothing is frozen
	}
	fresh, err := parseRateCard(defaultCardJSON)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(frozenCard, fresh) {
		return errFrozenDiffers
	}
	return nil
}

var errFrozenDiffers = &Error{Code: CodeInternal, Message: "the frozen card differs from parsing ratecard.json: internal/freeze writes something it should not"}

// The generated card is, value for value, what parsing the embedded JSON builds, and it is what
// Default and ParseRateCard return for those bytes (and only for them).
func TestFrozenCardEqualsParsed(t *testing.T) {
	if frozenEqualsParsed != nil {
		t.Fatal(frozenEqualsParsed)
	}
	if frozenCard == nil {
		// A plain build has only the stand-in: TestFrozenCardBuilds runs this test in a build
		// with the card frozen (ESTIMATOR_FROZEN=1), where nil is a failure.
		if os.Getenv("ESTIMATOR_FROZEN") != "" {
			t.Fatal("the build has no frozen card")
		}
		return
	}
	if Default() != frozenCard {
		t.Fatal("Default() does not return the frozen card")
	}
	if c, err := ParseRateCard(defaultCardJSON); err != nil || c != frozenCard {
		t.Fatalf("ParseRateCard(default bytes) = %p, %v; want the frozen card", c, err)
	}
	other := append(append([]byte(nil), defaultCardJSON...), ' ')
	c, err := ParseRateCard(other)
	if err != nil {
		t.Fatal(err)
	}
	if c == frozenCard {
		t.Fatal("other bytes got the frozen card")
	}
	if c.Digest() != frozenCard.Digest() {
		t.Fatalf("digest %s, want %s (white space does not change it)", c.Digest(), frozenCard.Digest())
	}
}

package estimator_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/internal/freeze"
)

// frozencard.go is what go generate writes today: a changed ratecard.json, or a change to what
// parsing a card builds, fails here until the file is regenerated.
func TestFrozenCardIsCurrent(t *testing.T) {
	raw, err := os.ReadFile("ratecard.json")
	if err != nil {
		t.Fatal(err)
	}
	// Parse other bytes than the frozen ones (a trailing newline more), so this parses for real.
	card, err := estimator.ParseRateCard(append(raw, '\n'))
	if err != nil {
		t.Fatal(err)
	}
	want, err := freeze.Generate(card)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("frozencard.go")
	if err != nil {
		t.Fatal(err)
	}
	// The raw bytes differ by the newline added above; the rest must be identical.
	want = bytes.Replace(want, []byte(`\n"),`), []byte(`"),`), 1)
	if !bytes.Equal(got, want) {
		t.Fatal("frozencard.go is stale: run go generate ./estimator/")
	}
}

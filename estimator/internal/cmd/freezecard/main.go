// Command freezecard writes a rate card, parsed, as Go source for package estimator (see package
// freeze): `make build FREEZECARD=1` writes the default card's (or, with RATECARD=path, a
// platform's) to bin/frozencard.go, which the module's build puts in place of
// estimator/frozencard.go's stand-in (go build -overlay). Nothing it writes is committed.
//
//	go run -tags freezecard ./estimator/internal/cmd/freezecard [-card card.json] -out frozencard.go
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/internal/freeze"
)

func main() {
	cardPath := flag.String("card", "", "the rate card's JSON (default: the embedded default card)")
	out := flag.String("out", "frozencard.go", "the Go file to write")
	flag.Parse()
	if err := run(*cardPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "freezecard:", err)
		os.Exit(1)
	}
}

func run(cardPath, out string) error {
	// The embedded card parsed in full: Default defers its analyzer to the first prompt, and the
	// frozen card must hold it built.
	card, err := estimator.ParseRateCard(estimator.Default().JSON())
	if err != nil {
		return err
	}
	if cardPath != "" {
		b, err := os.ReadFile(cardPath)
		if err != nil {
			return err
		}
		if card, err = estimator.ParseRateCard(b); err != nil {
			return fmt.Errorf("%s: %w", cardPath, err)
		}
	}
	src, err := freeze.Generate(card)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

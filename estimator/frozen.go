package estimator

// The parsed default card is generated Go data (frozencard.go, package freeze): the module and the
// server start without parsing, validating and indexing the card's JSON — about 100 ms of a
// WebAssembly start-up. Regenerate it whenever ratecard.json or the card's parsed form changes
// (TestFrozenCardIsCurrent fails until then):
//go:generate go run -tags freezecard ./internal/cmd/freezecard -out frozencard.go

// frozenFor returns the frozen card when data are its exact bytes, or nil.
func frozenFor(data []byte) *RateCard {
	if f := frozenCard; f != nil && string(data) == string(f.raw) {
		return f
	}
	return nil
}

package estimator

import _ "embed"

// defaultCardJSON is the default card's document. `make wasm` builds the module with a generated
// stand-in for this file that holds the same bytes as a string literal
// (estimator/internal/cmd/cardsource, go build -overlay): the embed package brings io/fs and
// time into the module, ≈ 28 KB of brotli.
//
//go:embed ratecard.json
var defaultCardJSON []byte

// defaultCardDigest is the default card's digest when it was computed at build time (the
// generated stand-in sets it); empty here: computed when the card is parsed.
var defaultCardDigest string

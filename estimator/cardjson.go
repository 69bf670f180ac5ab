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

// defaultCardSpans are where the default card's complexity section, its levels and its
// translations are in its bytes, when found at build time (the generated stand-in sets them):
// start-up then cuts them out without reading the 77 KB document for them (memberSpan), which
// was most of parsing the card at start in the browser. Zero here: found when the card is parsed.
var defaultCardSpans cardSpans

// defaultLexiconImage is the default card's rules' lexicon as an image (lexiconimage.go) when
// made at build time (the generated stand-in sets it): the card's first prompt then reads it
// instead of reading, stemming and indexing about 2,000 terms of the JSON, and reads only the
// word model from the JSON (deferred.go). Empty here: the lexicon is built from the JSON.
var defaultLexiconImage string

// defaultModelSpan is where the default card's complexity.model value is in its bytes, when found
// at build time (the generated stand-in sets it): with the lexicon image, the first prompt parses
// only those bytes. Zero here.
var defaultModelSpan [2]int

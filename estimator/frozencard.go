package estimator

// frozenCard is the default card parsed at build time, or nil. This file is a stand-in: `make
// wasm` writes the parsed card as Go data (estimator/internal/cmd/freezecard) and builds the
// module with that file in place of this one (go build -overlay), so the module starts without
// parsing the card; nothing generated is committed. A plain go build parses the card at start.
var frozenCard *RateCard

//go:build js && wasm

package main

import (
	"encoding/base64"

	"github.com/creditestimator/creditestimator/estimator"
)

// platformCard is a platform's own rate card, base64 of its JSON, set at link time by
// `make build RATECARD=path` (-ldflags -X main.platformCard=…). Empty: the embedded default
// card. cmd/webbuild validates the same file in the same build, so an invalid card fails the
// build; should one get here anyway, the module refuses to start rather than price with a card
// the platform did not choose.
var platformCard string

// The card in use at start: the platform's, else the default one. Both are normally parsed at
// build time (estimator/frozen.go; make build RATECARD=path writes the platform card's frozen
// form and builds with it through -overlay), so ParseRateCard returns them without parsing, and
// the default card is not even looked at when a platform card replaces it.
func init() {
	if platformCard == "" {
		card.Store(estimator.Default())
		return
	}
	data, err := base64.StdEncoding.DecodeString(platformCard)
	if err != nil {
		panic("wasm: the platform rate card is not base64: " + err.Error())
	}
	c, err := estimator.ParseRateCard(data)
	if err != nil {
		panic("wasm: the platform rate card is invalid: " + err.Error())
	}
	card.Store(c)
}

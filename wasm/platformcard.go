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

// This init runs after exports.go's (files initialize in name order), replacing the default.
func init() {
	if platformCard == "" {
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

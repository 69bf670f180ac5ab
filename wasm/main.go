//go:build js && wasm

// Command wasm is the Credit Estimator compiled to WebAssembly.
//
// It is deliberately thin: it holds the rate card in use and forwards every
// request, as a JSON string, to [estimator.RateCard.Do]. All pricing, parsing
// and validation lives in package estimator, so the browser, the server and
// native Go give byte-identical answers.
//
// On start it publishes one object on globalThis (the name comes from the
// CREDIT_ESTIMATOR_GLOBAL environment variable set by the JS shim through
// Go.env; default "creditEstimatorWasm") with these functions taking and
// returning strings:
//
//	call(op, requestJSON)  → {"ok":<response>} | {"error":{"code":…,"field":…,"message":…}}
//	rateCard()             → {"ok":{"version":…,"digest":…,"card":<card JSON>}}
//	useRateCard(cardJSON)  → {"ok":{"version":…,"digest":…}} | {"error":…}
//	ops()                  → {"ok":["quote",…]}
//	noop()                 → "" (a bare JS→Go round trip, for benchmarks)
//
// and the byte-buffer boundary (buffers.go), numbers only, which the shim uses
// for every call it can:
//
//	buffers()              → address of the control block (request/response buffer address and capacity)
//	reserve(n)             → grows the request buffer to ≥ n bytes (n ≤ MaxRequestBytes); its capacity, or -1
//	callBuf(opIndex, n)    → Do(ops()[opIndex], request buffer[:n]) written to the response buffer:
//	                         length of the response, or ^length of the error object
//
// The shim slices or decodes the response bytes without re-encoding them, so
// parity tests compare exactly what estimator.Do produced.
package main

import "os"

// defaultGlobal is the property of globalThis that receives the exports
// when the embedder does not choose a name.
const defaultGlobal = "creditEstimatorWasm"

func main() {
	name := os.Getenv("CREDIT_ESTIMATOR_GLOBAL")
	if name == "" {
		name = defaultGlobal
	}
	if _, err := register(name, os.Getenv("CREDIT_ESTIMATOR_TEST_HOOKS") == "1"); err != nil {
		println("credit estimator: cannot register exports:", err.Error())
		os.Exit(1)
	}
	select {}
}

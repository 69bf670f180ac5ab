//go:build js && wasm

// Command wasm is the Credit Estimator compiled to WebAssembly.
//
// It is deliberately thin: it holds the rate card in use and forwards every
// request to [estimator.RateCard.Do]. All pricing, parsing and validation
// lives in package estimator, so the browser, the server and native Go give
// byte-identical answers.
//
// On start it publishes one object on globalThis (the name comes from the
// CREDIT_ESTIMATOR_GLOBAL environment variable set by the JS shim through
// Go.env; default "creditEstimatorWasm"). It has one interface, the byte
// buffer (buffers.go): numbers in, one number out, behind one guard.
//
//	buffers()           → address of the control block: request buffer address and
//	                      capacity, response buffer address and capacity, MaxRequestBytes
//	reserve(n)          → grows the request buffer to ≥ n bytes (n ≤ MaxRequestBytes); its capacity, or -1
//	callBuf(opIndex, n) → runs operation opIndex on request buffer[:n] and writes the answer
//	                      to the response buffer: its length, or ^length for an error object
//	abi                 → 2
//
// The operations are, in index order, the module's own — "ops" (the list
// of every operation name in index order), "noop" (an empty answer, the
// benchmark baseline), "rateCard" ({"version","digest","card"}) and
// "useRateCard" (request: a card's JSON; answer: {"version","digest"}) —
// then every name of estimator.Ops(). Index -1 names an operation the module
// lacks: the request buffer holds its name and the answer is Do's unknown_op
// error. A length n above MaxRequestBytes is how the shim reports a request
// it refused before copying it: the answer is Do's request_too_large error.
// Every error, a recovered panic included, is the contract's error object.
package main

import "syscall"

// defaultGlobal is the property of globalThis that receives the exports
// when the embedder does not choose a name.
const defaultGlobal = "creditEstimatorWasm"

func main() {
	name := getenv("CREDIT_ESTIMATOR_GLOBAL")
	if name == "" {
		name = defaultGlobal
	}
	if _, err := register(name, getenv("CREDIT_ESTIMATOR_TEST_HOOKS") == "1"); err != nil {
		println("credit estimator: cannot register exports:", err.Error())
		syscall.Exit(1)
	}
	select {}
}

// getenv reads the environment the shim passed through Go.env. The module does not import os:
// os, time and their godebug tables are ≈ 15 KB of brotli (the module's size budget).
func getenv(key string) string {
	v, _ := syscall.Getenv(key)
	return v
}

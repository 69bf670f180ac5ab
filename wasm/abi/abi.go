// Package abi holds the layout of the wasm module's byte-buffer control block (wasm/buffers.go):
// the one place it is written down. cmd/webbuild generates the JS side of it (facts.js), and
// wasm/abi_test.go checks that the module publishes exactly this layout.
package abi

// Indexes of the uint32 words (little-endian) of the control block; byte offset = index × 4.
const (
	RequestAddr     = 0 // address of the request buffer
	RequestCap      = 1 // its capacity in bytes
	ResponseAddr    = 2 // address of the response buffer
	ResponseCap     = 3 // its capacity in bytes
	MaxRequestBytes = 4 // estimator.MaxRequestBytes
	Words           = 5 // length of the block in words
)

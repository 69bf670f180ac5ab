// Package abi holds the facts of the wasm module's byte-buffer boundary (wasm/buffers.go) that
// the JS shim shares: its version, the module's own operations and the control block's layout.
// This is the one place they are written down. cmd/webbuild generates the JS side of it (facts.js), and
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

// Version is the boundary version the module publishes as exports.abi and the shim checks.
const Version = 3

// ModuleOps are the module's own operations, in index order, before estimator.Ops().
var ModuleOps = []string{"ops", "noop", "rateCard", "useRateCard", "quoteTape"}

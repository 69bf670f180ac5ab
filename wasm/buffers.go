//go:build js && wasm

package main

import (
	"slices"
	"strconv"
	"unsafe"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/wasm/abi"

	"github.com/hack-pad/safejs"
)

// The byte-buffer boundary, the module's one interface: a call crosses the
// JS↔Go boundary exactly once with two numbers in and one number out; the
// request and the answer move through Go-owned buffers in linear memory.
//
// Go owns two byte slices, reqBuf and respBuf, and a control block ctl in which
// it publishes their current addresses and capacities. The shim learns the
// address of ctl once per runtime (buffers()) and reads ctl before and after
// every call, so it always sees the buffers Go is using even after Go grew or
// replaced them; it re-creates its Uint8Array over WebAssembly.Memory whenever
// the memory grew (the old ArrayBuffer is detached then).
//
// Why handing raw addresses to JS is safe here:
//   - Go's garbage collector never moves heap objects (only goroutine stacks
//     move, and these buffers are heap allocations referenced from package-level
//     variables, so they are never on a stack and never freed while published);
//   - a buffer that is replaced (grown) stays referenced until ctl points at the
//     new one, which happens before Go returns to JS; JS only reads addresses
//     from ctl after a Go call returned;
//   - the Go program is single-threaded under js/wasm and JS only touches the
//     buffers while no Go code runs (between calls), so there is no race;
//   - the buffers hold plain bytes (no pointers), so writes from JS cannot
//     confuse the garbage collector;
//   - every length JS passes in is checked against the buffer's length before
//     Go slices it, so a hostile caller gets an error, never an out-of-range read.
//
// Bounded memory: the request buffer never exceeds estimator.MaxCardBytes
// (reserve refuses more; only a rate card may be longer than
// estimator.MaxRequestBytes), and the shim refuses a longer request before
// copying any of it into linear memory; every accepted request's work is
// bounded by the estimator's limits (docs/wasm.md, "Limits").
var (
	reqBuf  = make([]byte, initialRequestCap)
	respBuf = make([]byte, 0, initialResponseCap)
	// ctl: request address, request capacity, response address, response
	// capacity, estimator.MaxRequestBytes. Wasm linear memory is below 4 GiB,
	// so 32 bits hold any address. Little-endian, like all of wasm memory.
	ctl [abi.Words]uint32
)

// modOp is one of the module's own operations: it appends its answer to b.
type modOp func(b []byte, request []byte) ([]byte, *estimator.Error)

// moduleOpNames are the module's own operations, first in the index order;
// moduleOps runs them (set in init: "ops" lists opNames, which lists these).
var (
	moduleOpNames = abi.ModuleOps
	moduleOps     []modOp
)

// opNames lists every operation in index order: the module's own, then
// estimator.Ops(). callBuf's operation index is an index into it.
var opNames = append(append([]string(nil), moduleOpNames...), estimator.Ops()...)

func init() { moduleOps = []modOp{listOps, noop, rateCardInfo, useRateCard, quoteTape} }

const (
	initialRequestCap  = 4 << 10
	initialResponseCap = 2 << 10 // a quote fits; a plans answer (≈ 3 KB) grows it
)

func init() { publish() }

// publish writes the buffers' current addresses and capacities into ctl.
func publish() {
	ctl[abi.RequestAddr] = uint32(uintptr(unsafe.Pointer(unsafe.SliceData(reqBuf))))
	ctl[abi.RequestCap] = uint32(len(reqBuf))
	ctl[abi.ResponseAddr] = uint32(uintptr(unsafe.Pointer(unsafe.SliceData(respBuf))))
	ctl[abi.ResponseCap] = uint32(cap(respBuf))
	ctl[abi.MaxRequestBytes] = estimator.MaxRequestBytes
}

// buffersAddr returns the address of ctl. It stays the same for the whole life
// of the Go program (ctl is a package-level array).
func buffersAddr([]safejs.Value) int {
	return int(uintptr(unsafe.Pointer(&ctl)))
}

// intArg returns args[i] when it is a JS number holding an integer in [min, max].
func intArg(args []safejs.Value, i, min, max int) (int, bool) {
	if i >= len(args) || typeOf(args[i]) != "number" {
		return 0, false
	}
	f, err := args[i].Float()
	if err != nil || f != f || f < float64(min) || f > float64(max) || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// reserve(n) makes the request buffer hold at least n bytes, n at most
// estimator.MaxCardBytes (a rate card for useRateCard; every other request is
// refused above estimator.MaxRequestBytes before it is copied). It returns the
// request buffer's capacity, or -1 for a bad n.
func reserve(args []safejs.Value) int {
	n, ok := intArg(args, 0, 0, estimator.MaxCardBytes)
	if !ok {
		return -1
	}
	if n > len(reqBuf) {
		c := 2 * len(reqBuf)
		for c < n {
			c *= 2
		}
		if c > estimator.MaxCardBytes {
			c = estimator.MaxCardBytes
		}
		reqBuf = make([]byte, c)
		publish()
	}
	return len(reqBuf)
}

// useRateCardOp is the index of useRateCard: the one operation whose request
// (a rate card) may be longer than estimator.MaxRequestBytes.
var useRateCardOp = slices.Index(abi.ModuleOps, "useRateCard")

// requestLimit is the longest request operation i takes.
func requestLimit(i int) int {
	if i == useRateCardOp {
		return estimator.MaxCardBytes
	}
	return estimator.MaxRequestBytes
}

// maxArg bounds the numbers callBuf accepts (a length above MaxRequestBytes means "too large").
const maxArg = 1<<31 - 1

// callBuf(opIndex, n) runs opNames[opIndex] on reqBuf[:n] and writes the raw
// answer into respBuf: the response bytes for a success, the error object's
// JSON for an error. It returns the answer's length for a success and
// ^length (= -length-1, always negative) for an error. opIndex -1 is an
// operation the module lacks, named by reqBuf[:n]; n above MaxRequestBytes is
// a request the shim refused for its size.
func callBuf(args []safejs.Value) int {
	i, ok := intArg(args, 0, -1, len(opNames)-1)
	if !ok {
		return writeError(&estimator.Error{Code: estimator.CodeInvalidType, Message: "the operation index must be an integer from -1 to " + strconv.Itoa(len(opNames)-1)})
	}
	n, ok := intArg(args, 1, 0, maxArg)
	if ok && n > requestLimit(i) {
		return writeError(estimator.TooLargeError())
	}
	if !ok || n > len(reqBuf) {
		return writeError(&estimator.Error{Code: estimator.CodeInvalidType, Message: "the request length must be an integer from 0 to " + strconv.Itoa(len(reqBuf))})
	}
	req := reqBuf[:n:n]
	if i < 0 { // an operation the module lacks: Do names it in its unknown_op error
		_, err := card.Load().Do(string(req), nil)
		return writeError(asError(err))
	}
	if i < len(moduleOps) {
		out, e := moduleOps[i](respBuf[:0], req)
		if e != nil {
			return writeError(e)
		}
		return published(out)
	}
	out, err := card.Load().AppendDo(respBuf[:0], opNames[i], req)
	if err != nil {
		return writeError(asError(err))
	}
	return published(out)
}

// published records that b (respBuf's storage, maybe grown) holds the answer.
func published(b []byte) int {
	respBuf = b
	publish()
	return len(respBuf)
}

// writeError writes the error object: the one way errors leave the module.
func writeError(e *estimator.Error) int {
	return ^published(e.AppendJSON(respBuf[:0]))
}

// retained keeps the allocations of __grow alive.
var retained [][]byte

// growForTest(n) (test hooks only) allocates n bytes and keeps them, which
// grows linear memory between two calls; it returns n.
func growForTest(args []safejs.Value) int {
	n, ok := intArg(args, 0, 0, 256<<20)
	if !ok {
		return -1
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	retained = append(retained, b)
	return n
}

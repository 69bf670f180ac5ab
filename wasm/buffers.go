//go:build js && wasm

package main

import (
	"strconv"
	"unsafe"

	"github.com/creditestimator/creditestimator/estimator"

	"github.com/hack-pad/safejs"
)

// The byte-buffer boundary: a cheaper path than call(op, json) that moves the
// request and the response through Go-owned buffers in linear memory instead of
// converting JS strings, so a call crosses the JS↔Go boundary exactly once with
// two numbers in and one number out.
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
var (
	reqBuf  = make([]byte, initialRequestCap)
	respBuf = make([]byte, 0, initialResponseCap)
	// ctl: request address, request capacity, response address, response
	// capacity, estimator.MaxRequestBytes. Wasm linear memory is below 4 GiB,
	// so 32 bits hold any address. Little-endian, like all of wasm memory.
	ctl [5]uint32
)

// opNames is estimator.Ops(), fixed for the program's life: callBuf's
// operation index is an index into it, and ops() lists it in this order.
var opNames = estimator.Ops()

const (
	initialRequestCap  = 4 << 10
	initialResponseCap = 2 << 10 // a quote fits; a plans answer (≈ 3 KB) grows it
)

func init() { publish() }

// publish writes the buffers' current addresses and capacities into ctl.
func publish() {
	ctl[0] = uint32(uintptr(unsafe.Pointer(unsafe.SliceData(reqBuf))))
	ctl[1] = uint32(len(reqBuf))
	ctl[2] = uint32(uintptr(unsafe.Pointer(unsafe.SliceData(respBuf))))
	ctl[3] = uint32(cap(respBuf))
	ctl[4] = estimator.MaxRequestBytes
}

// numHandler is an exported function body of the buffer boundary: numbers in,
// a number out.
type numHandler func(args []safejs.Value) int

// guardNum turns a numHandler into a safejs callback that never panics: a
// panic becomes an error envelope string (the only case in which these
// functions return a string), and the Go program keeps running.
func guardNum(h numHandler) func(this safejs.Value, args []safejs.Value) any {
	return func(_ safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = errorEnvelope(&estimator.Error{Code: "internal", Message: "internal error: " + panicText(r)})
			}
		}()
		return h(args)
	}
}

// buffersAddr returns the address of ctl. It stays the same for the whole life
// of the Go program (ctl is a package-level array).
func buffersAddr([]safejs.Value) int {
	return int(uintptr(unsafe.Pointer(&ctl)))
}

// intArg returns args[i] when it is a JS number holding an integer in [0, max].
func intArg(args []safejs.Value, i, max int) (int, bool) {
	if i >= len(args) || typeOf(args[i]) != "number" {
		return 0, false
	}
	f, err := args[i].Float()
	if err != nil || f != f || f < 0 || f > float64(max) || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// reserve(n) makes the request buffer hold at least n bytes, n at most
// estimator.MaxRequestBytes (a larger request is refused anyway, through the
// string path). It returns the request buffer's capacity, or -1 for a bad n.
func reserve(args []safejs.Value) int {
	n, ok := intArg(args, 0, estimator.MaxRequestBytes)
	if !ok {
		return -1
	}
	if n > len(reqBuf) {
		c := 2 * len(reqBuf)
		for c < n {
			c *= 2
		}
		if c > estimator.MaxRequestBytes {
			c = estimator.MaxRequestBytes
		}
		reqBuf = make([]byte, c)
		publish()
	}
	return len(reqBuf)
}

// callBuf(opIndex, n) runs ops()[opIndex] on reqBuf[:n] and writes the raw
// answer into respBuf: Do's response bytes for a success, the error object's
// JSON for an error. It returns the answer's length for a success and
// ^length (= -length-1, always negative) for an error.
func callBuf(args []safejs.Value) int {
	ops := opNames
	i, ok := intArg(args, 0, len(ops)-1)
	if !ok {
		return writeError(&estimator.Error{Code: "invalid_type", Message: "the operation index must be an integer from 0 to " + strconv.Itoa(len(ops)-1)})
	}
	n, ok := intArg(args, 1, len(reqBuf))
	if !ok {
		return writeError(&estimator.Error{Code: "invalid_type", Message: "the request length must be an integer from 0 to " + strconv.Itoa(len(reqBuf))})
	}
	out, err := card.Load().Do(ops[i], reqBuf[:n:n])
	if err != nil {
		return writeError(asError(err))
	}
	return writeResp(out)
}

func writeResp(b []byte) int {
	respBuf = append(respBuf[:0], b...)
	publish()
	return len(respBuf)
}

func writeError(e *estimator.Error) int {
	j, err := e.MarshalJSON()
	if err != nil {
		j = []byte(`{"code":"internal","field":"","message":"cannot encode error"}`)
	}
	return ^writeResp(j)
}

// retained keeps the allocations of __grow alive.
var retained [][]byte

// growForTest(n) (test hooks only) allocates n bytes and keeps them, which
// grows linear memory between two calls; it returns n.
func growForTest(args []safejs.Value) int {
	n, ok := intArg(args, 0, 256<<20)
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

//go:build js && wasm

package main

import (
	"sync/atomic"
	"syscall"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/wasm/abi"

	"github.com/hack-pad/safejs"
)

// card is the rate card in use (set at init by platformcard.go). useRateCard swaps it
// atomically, and only after the new card validated.
var card atomic.Pointer[estimator.RateCard]

// handler is an exported function body: numbers in, a number out.
type handler func(args []safejs.Value) int

// register publishes the export object as globalThis[name] and returns it.
// testHooks adds __exit, which ends the Go program (used to test the shim's
// recovery), and __grow; they are off unless the embedder asks for them.
func register(name string, testHooks bool) (safejs.Value, error) {
	obj, err := safejs.Global().Get("Object")
	if err != nil {
		return safejs.Value{}, err
	}
	exports, err := obj.New()
	if err != nil {
		return safejs.Value{}, err
	}
	fns := []struct {
		name string
		h    handler
	}{
		{"buffers", buffersAddr},
		{"reserve", reserve},
		{"callBuf", callBuf},
	}
	if testHooks {
		fns = append(fns, []struct {
			name string
			h    handler
		}{
			{"__exit", func([]safejs.Value) int { syscall.Exit(3); return 0 }},
			{"__grow", growForTest},
		}...)
	}
	for _, f := range fns {
		fn, err := safejs.FuncOf(guard(f.h))
		if err != nil {
			return safejs.Value{}, err
		}
		if err := exports.Set(f.name, fn); err != nil {
			return safejs.Value{}, err
		}
	}
	if err := exports.Set("abi", abi.Version); err != nil {
		return safejs.Value{}, err
	}
	if err := safejs.Global().Set(name, exports); err != nil {
		return safejs.Value{}, err
	}
	return exports, nil
}

// guard is the one guard of the boundary: it turns a handler into a safejs
// callback that never panics and always returns a number. A panic becomes an
// "internal" error object in the response buffer (^length returned), for this
// call only, and the Go program keeps running.
func guard(h handler) func(this safejs.Value, args []safejs.Value) any {
	return func(_ safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = writeError(&estimator.Error{Code: estimator.CodeInternal, Message: "internal error: " + panicText(r)})
			}
		}()
		return h(args)
	}
}

func panicText(r any) string {
	switch v := r.(type) {
	case error:
		return v.Error()
	case string:
		return v
	default:
		return "unexpected panic"
	}
}

// typeOf names a JS value's type. syscall/js (and so safejs) panics on
// types it does not know, such as BigInt; those come back as "other".
func typeOf(v safejs.Value) (name string) {
	defer func() {
		if recover() != nil {
			name = "other"
		}
	}()
	return v.Type().String()
}

// asError keeps estimator errors as they are; anything else (which the
// estimator contract rules out) is reported as internal.
func asError(err error) *estimator.Error {
	if e, ok := err.(*estimator.Error); ok && e != nil {
		return e
	}
	return &estimator.Error{Code: estimator.CodeInternal, Message: "internal error: " + err.Error()}
}

// The module's own operations, before estimator.Ops() in the index order.

func listOps(b []byte, _ []byte) ([]byte, *estimator.Error) {
	b = append(b, '[')
	for i, op := range opNames {
		if i > 0 {
			b = append(b, ',')
		}
		b = estimator.AppendJSONString(b, op)
	}
	return append(b, ']'), nil
}

func noop(b []byte, _ []byte) ([]byte, *estimator.Error) { return b, nil }

// quoteTape is the quote op answered as the quote tape, which the shim's estimate() reads
// (estimator.AppendQuoteTape).
func quoteTape(b []byte, req []byte) ([]byte, *estimator.Error) {
	out, err := card.Load().AppendQuoteTape(b, req)
	if err != nil {
		return nil, asError(err)
	}
	return out, nil
}

func rateCardInfo(b []byte, _ []byte) ([]byte, *estimator.Error) {
	c := card.Load()
	b = appendCardHead(b, c)
	b = append(b, `,"card":`...)
	b = append(b, c.JSON()...)
	return append(b, '}'), nil
}

func useRateCard(b []byte, req []byte) ([]byte, *estimator.Error) {
	c, err := estimator.ParseRateCard(req)
	if err != nil {
		return nil, asError(err)
	}
	card.Store(c)
	return append(appendCardHead(b, c), '}'), nil
}

// appendCardHead appends {"version":…,"digest":… (without the closing brace).
func appendCardHead(b []byte, c *estimator.RateCard) []byte {
	b = append(b, `{"version":`...)
	b = estimator.AppendJSONString(b, c.Version())
	b = append(b, `,"digest":`...)
	return estimator.AppendJSONString(b, c.Digest())
}

//go:build js && wasm

package main

import (
	"os"
	"strconv"
	"sync/atomic"

	"github.com/creditestimator/creditestimator/estimator"

	"github.com/hack-pad/safejs"
)

// card is the rate card in use. useRateCard swaps it atomically, and only
// after the new card validated.
var card atomic.Pointer[estimator.RateCard]

func init() { card.Store(estimator.Default()) }

// handler is an exported function body: it gets the call's arguments and
// returns the envelope string.
type handler func(args []safejs.Value) string

// register publishes the export object as globalThis[name] and returns it.
// testHooks adds __exit, which ends the Go program (used to test the shim's
// recovery); it is off unless the embedder asks for it.
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
		{"call", callOp},
		{"rateCard", rateCardInfo},
		{"useRateCard", useRateCard},
		{"ops", listOps},
		{"noop", noop},
	}
	if testHooks {
		fns = append(fns, struct {
			name string
			h    handler
		}{"__exit", func([]safejs.Value) string { os.Exit(3); return "" }})
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
	// the byte-buffer boundary (buffers.go): numbers in, a number out
	nums := []struct {
		name string
		h    numHandler
	}{
		{"buffers", buffersAddr},
		{"reserve", reserve},
		{"callBuf", callBuf},
	}
	if testHooks {
		nums = append(nums, struct {
			name string
			h    numHandler
		}{"__grow", growForTest})
	}
	for _, f := range nums {
		fn, err := safejs.FuncOf(guardNum(f.h))
		if err != nil {
			return safejs.Value{}, err
		}
		if err := exports.Set(f.name, fn); err != nil {
			return safejs.Value{}, err
		}
	}
	if err := exports.Set("abi", 1); err != nil {
		return safejs.Value{}, err
	}
	if err := safejs.Global().Set(name, exports); err != nil {
		return safejs.Value{}, err
	}
	return exports, nil
}

// guard turns a handler into a safejs callback that never panics and never
// returns anything but a string: a panic becomes an "internal" error envelope
// for this call only, and the Go program keeps running.
func guard(h handler) func(this safejs.Value, args []safejs.Value) any {
	return func(_ safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = errorEnvelope(&estimator.Error{Code: "internal", Message: "internal error: " + panicText(r)})
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

// stringArg returns args[i] when it is a JS string. Anything else (missing,
// undefined, null, number, BigInt, symbol, object…) is an invalid_type error
// naming field.
func stringArg(args []safejs.Value, i int, field, what string) (string, *estimator.Error) {
	if i >= len(args) || typeOf(args[i]) != "string" {
		got := "nothing"
		if i < len(args) {
			got = typeOf(args[i])
		}
		return "", &estimator.Error{Code: "invalid_type", Field: field, Message: what + " must be a string, got " + got}
	}
	s, err := args[i].String()
	if err != nil {
		return "", &estimator.Error{Code: "invalid_type", Field: field, Message: what + " is not a readable string"}
	}
	return s, nil
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

func callOp(args []safejs.Value) string {
	op, e := stringArg(args, 0, "", "the operation name")
	if e != nil {
		return errorEnvelope(e)
	}
	if tooLong(args, 1) {
		return errorEnvelope(&estimator.Error{Code: estimator.CodeRequestTooLarge, Message: "the request is larger than " + strconv.Itoa(estimator.MaxRequestBytes) + " bytes"})
	}
	req, e := stringArg(args, 1, "", "the request")
	if e != nil {
		return errorEnvelope(e)
	}
	out, err := card.Load().Do(op, []byte(req))
	if err != nil {
		return errorEnvelope(asError(err))
	}
	return okEnvelope(out)
}

// tooLong reports whether args[i] is a JS string longer than any request may be, without
// copying it into Go memory: its UTF-8 form has at least as many bytes as it has UTF-16 units.
func tooLong(args []safejs.Value, i int) bool {
	if i >= len(args) || typeOf(args[i]) != "string" {
		return false
	}
	n, err := args[i].Length()
	return err == nil && n > estimator.MaxRequestBytes
}

func rateCardInfo([]safejs.Value) string {
	c := card.Load()
	b := make([]byte, 0, len(c.JSON())+160)
	b = append(b, `{"ok":`...)
	b = appendCardHead(b, c)
	b = append(b, `,"card":`...)
	b = append(b, c.JSON()...)
	b = append(b, "}}"...)
	return string(b)
}

func useRateCard(args []safejs.Value) string {
	s, e := stringArg(args, 0, "", "the rate card")
	if e != nil {
		return errorEnvelope(e)
	}
	c, err := estimator.ParseRateCard([]byte(s))
	if err != nil {
		return errorEnvelope(asError(err))
	}
	card.Store(c)
	b := append([]byte(`{"ok":`), appendCardHead(nil, c)...)
	return string(append(b, "}}"...))
}

func listOps([]safejs.Value) string {
	b := []byte(`{"ok":[`)
	for i, op := range opNames {
		if i > 0 {
			b = append(b, ',')
		}
		b = estimator.AppendJSONString(b, op)
	}
	return string(append(b, "]}"...))
}

func noop([]safejs.Value) string { return "" }

// appendCardHead appends {"version":…,"digest":… (without the closing brace).
func appendCardHead(b []byte, c *estimator.RateCard) []byte {
	b = append(b, `{"version":`...)
	b = estimator.AppendJSONString(b, c.Version())
	b = append(b, `,"digest":`...)
	return estimator.AppendJSONString(b, c.Digest())
}

func okEnvelope(resp []byte) string {
	b := make([]byte, 0, len(resp)+7)
	b = append(b, `{"ok":`...)
	b = append(b, resp...)
	return string(append(b, '}'))
}

func errorEnvelope(e *estimator.Error) string {
	j, err := e.MarshalJSON()
	if err != nil {
		j = []byte(`{"code":"internal","field":"","message":"cannot encode error"}`)
	}
	b := make([]byte, 0, len(j)+10)
	b = append(b, `{"error":`...)
	b = append(b, j...)
	return string(append(b, '}'))
}

// asError keeps estimator errors as they are; anything else (which the
// estimator contract rules out) is reported as internal.
func asError(err error) *estimator.Error {
	if e, ok := err.(*estimator.Error); ok && e != nil {
		return e
	}
	return &estimator.Error{Code: "internal", Message: "internal error: " + err.Error()}
}

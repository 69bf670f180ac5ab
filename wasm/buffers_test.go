//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/creditestimator/creditestimator/estimator"

	"github.com/hack-pad/safejs"
)

// viaBuffers runs op on req through the buffer exports, as the shim does, and
// returns the answer wrapped in the envelope call() would give.
func viaBuffers(t *testing.T, x js.Value, op, req string) string {
	t.Helper()
	idx := -1
	for i, name := range opNames {
		if name == op {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("op %q not in ops()", op)
	}
	if len(req) > len(reqBuf) {
		if got := x.Call("reserve", len(req)); got.Type() != js.TypeNumber || got.Int() < len(req) {
			t.Fatalf("reserve(%d) = %v", len(req), got)
		}
	}
	if ctl[1] != uint32(len(reqBuf)) || ctl[0] != uint32(uintptr(unsafe.Pointer(&reqBuf[0]))) {
		t.Fatalf("ctl %v does not describe the request buffer", ctl)
	}
	copy(reqBuf, req)
	r := x.Call("callBuf", idx, len(req))
	if r.Type() != js.TypeNumber {
		t.Fatalf("callBuf returned a %s", r.Type())
	}
	return envelopeOf(r.Int())
}

// envelopeOf reads callBuf's answer from the response buffer through ctl, as the shim does.
func envelopeOf(n int) string {
	isErr := n < 0
	if isErr {
		n = ^n
	}
	if uint32(n) > ctl[3] || ctl[2] != uint32(uintptr(unsafe.Pointer(unsafe.SliceData(respBuf)))) {
		return "ctl does not describe the response buffer"
	}
	b := unsafe.Slice(unsafe.SliceData(respBuf), n)
	if isErr {
		return `{"error":` + string(b) + `}`
	}
	return `{"ok":` + string(b) + `}`
}

func TestBuffersMatchNative(t *testing.T) {
	x := exports(t)
	if got := x.Call("buffers"); got.Type() != js.TypeNumber || uintptr(got.Int()) != uintptr(unsafe.Pointer(&ctl)) {
		t.Fatalf("buffers() = %v, want the address of ctl", got)
	}
	if ctl[4] != estimator.MaxRequestBytes {
		t.Fatalf("ctl[4] = %d, want MaxRequestBytes", ctl[4])
	}
	reqs := []string{goodSpec, `{}`, `[]`, `null`, ``, `{`, "\"\u00e9\"", `{"spec":` + goodSpec + `}`, `[1]`,
		`{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"数千名士兵在古老的战场上激战 🎬"}`,
		"{\"prompt\":\"\xff\xfe\"}",
		`{"x":"` + strings.Repeat("é", 3000) + `"}`}
	for _, op := range opNames {
		for _, req := range reqs {
			if got, want := viaBuffers(t, x, op, req), nativeEnvelope(op, req); got != want {
				t.Errorf("callBuf(%s, %.60q)\n got %.300s\nwant %.300s", op, req, got, want)
			}
			// the string path gives the same bytes (a JS string cannot hold invalid UTF-8:
			// the buffer path passes such bytes to Do as they are, the string path cannot)
			if !utf8.ValidString(req) {
				continue
			}
			if got, want := envelope(t, x, "call", op, req), nativeEnvelope(op, req); got != want {
				t.Errorf("call(%s, %.60q) differs from native", op, req)
			}
		}
	}
}

func TestBuffersGrow(t *testing.T) {
	x := exports(t)
	// a response larger than the initial response buffer (plans lists every plan)
	plans := `{"credits":"550"}`
	want := nativeEnvelope("plans", plans)
	if !strings.HasPrefix(want, `{"ok":`) || len(want)-7 <= initialResponseCap {
		t.Fatalf("plans answer %d bytes: not larger than the initial response buffer %d", len(want)-7, initialResponseCap)
	}
	big := `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"` + strings.Repeat("a", 3*initialRequestCap) + `"}`
	for _, c := range []struct{ op, req string }{{"plans", plans}, {"quote", big}, {"quote", goodSpec}} {
		if got, want := viaBuffers(t, x, c.op, c.req), nativeEnvelope(c.op, c.req); got != want {
			t.Errorf("callBuf(%s, %.60q)\n got %.300s\nwant %.300s", c.op, c.req, got, want)
		}
	}
	if len(reqBuf) < len(big) || ctl[1] != uint32(len(reqBuf)) {
		t.Errorf("request buffer %d bytes, ctl says %d, after a %d-byte request", len(reqBuf), ctl[1], len(big))
	}
	if int(ctl[3]) < len(want)-7 || ctl[3] != uint32(cap(respBuf)) {
		t.Errorf("response buffer capacity %d (ctl %d) after a %d-byte answer", cap(respBuf), ctl[3], len(want)-7)
	}
	// reserve caps at MaxRequestBytes and refuses more
	if got := x.Call("reserve", estimator.MaxRequestBytes).Int(); got != estimator.MaxRequestBytes {
		t.Errorf("reserve(Max) = %d", got)
	}
	if got := x.Call("reserve", estimator.MaxRequestBytes+1).Int(); got != -1 {
		t.Errorf("reserve(Max+1) = %d, want -1", got)
	}
	exact := `{"prompt":"` + strings.Repeat("a", estimator.MaxRequestBytes-len(`{"prompt":""}`)) + `"}`
	if len(exact) != estimator.MaxRequestBytes {
		t.Fatal("bad test request")
	}
	if got, want := viaBuffers(t, x, "quote", exact), nativeEnvelope("quote", exact); got != want {
		t.Errorf("request of exactly MaxRequestBytes: got %.200s, want %.200s", got, want)
	}
}

func TestBuffersHostileArguments(t *testing.T) {
	x := exports(t)
	g := js.Global()
	bad := []any{js.Undefined(), js.Null(), g.Get("NaN"), g.Get("Infinity"), -1, 0.5, 1e300, "0", true,
		g.Get("BigInt").Invoke(1), g.Get("Symbol").Invoke("s"), g.Get("Object").New(), len(opNames)}
	for _, v := range bad {
		for _, args := range [][]any{{v, 0}, {0, v}} {
			if args[1] == len(opNames) {
				continue // a valid length
			}
			r := x.Call("callBuf", args...)
			if r.Type() != js.TypeNumber || r.Int() >= 0 {
				t.Errorf("callBuf(%v) = %v, want an error", args, r)
				continue
			}
			if s := envelopeOf(r.Int()); errCode(s) != "invalid_type" {
				t.Errorf("callBuf(%v) = %s, want invalid_type", args, s)
			}
		}
		if r := x.Call("reserve", v); r.Type() != js.TypeNumber || (r.Int() != -1 && v != len(opNames)) {
			t.Errorf("reserve(%v) = %v, want -1", v, r)
		}
	}
	for _, args := range [][]any{nil, {0}, {0, len(reqBuf) + 1}} {
		if r := x.Call("callBuf", args...); r.Type() != js.TypeNumber || errCode(envelopeOf(r.Int())) != "invalid_type" {
			t.Errorf("callBuf%v = %v, want invalid_type", args, r)
		}
	}
	// still answers
	if got, want := viaBuffers(t, x, "quote", goodSpec), nativeEnvelope("quote", goodSpec); got != want {
		t.Errorf("after hostile calls: %s", got)
	}
}

func TestGuardNumRecoversPanics(t *testing.T) {
	f := guardNum(func([]safejs.Value) int { panic("boom") })
	s, ok := f(safejs.Undefined(), nil).(string)
	if !ok || errCode(s) != "internal" || !strings.Contains(s, "boom") {
		t.Fatalf("guarded panic = %q, want an internal error envelope", s)
	}
	if r := f(safejs.Undefined(), nil); r == nil {
		t.Fatal("nil result")
	}
	if got, ok := guardNum(func([]safejs.Value) int { return 7 })(safejs.Undefined(), nil).(int); !ok || got != 7 {
		t.Fatalf("guardNum passes %v, want 7", got)
	}
}

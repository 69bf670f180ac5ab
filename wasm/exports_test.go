//go:build js && wasm

package main

import (
	"strings"
	"syscall/js"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"

	"github.com/hack-pad/safejs"
)

// exports registers the functions under a test-only global and returns them.
func exports(t *testing.T) js.Value {
	t.Helper()
	v, err := register("creditEstimatorWasmTest", false)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	t.Cleanup(func() { js.Global().Delete("creditEstimatorWasmTest") })
	return safejs.Unsafe(v)
}

// envelope calls fn and checks that the result is a JS string holding an
// ok or error envelope; it returns the envelope.
func envelope(t *testing.T, x js.Value, fn string, args ...any) string {
	t.Helper()
	r := x.Call(fn, args...)
	if r.Type() != js.TypeString {
		t.Fatalf("%s(%v) returned a %s, want a string", fn, args, r.Type())
	}
	s := r.String()
	if !(strings.HasPrefix(s, `{"ok":`) || strings.HasPrefix(s, `{"error":`)) || !strings.HasSuffix(s, "}") {
		t.Fatalf("%s(%v) = %q: not an envelope", fn, args, s)
	}
	return s
}

func errCode(s string) string {
	if !strings.HasPrefix(s, `{"error":{"code":"`) {
		return ""
	}
	rest := s[len(`{"error":{"code":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

const goodSpec = `{"resolution":"1080p","fps":30,"durationSeconds":10}`

func TestCallMatchesNative(t *testing.T) {
	x := exports(t)
	reqs := []string{goodSpec, `{}`, `[]`, `null`, `{"resolution":"8k","fps":30,"durationSeconds":10}`, ``, `{`, "\"\u00e9\""}
	for _, req := range reqs {
		got := envelope(t, x, "call", "quote", req)
		want := nativeEnvelope("quote", req)
		if got != want {
			t.Errorf("call(quote, %q)\n got %s\nwant %s", req, got, want)
		}
	}
}

// nativeEnvelope is what the export must return: Do's bytes, wrapped.
func nativeEnvelope(op, req string) string {
	out, err := estimator.Default().Do(op, []byte(req))
	if err != nil {
		j, _ := err.(*estimator.Error).MarshalJSON()
		return `{"error":` + string(j) + `}`
	}
	return `{"ok":` + string(out) + `}`
}

func TestEveryOpMatchesNative(t *testing.T) {
	x := exports(t)
	for _, op := range estimator.Ops() {
		for _, req := range []string{`{}`, goodSpec, `{"spec":` + goodSpec + `}`, `[1]`, `{"x":"` + strings.Repeat("é", 3000) + `"}`} {
			if got, want := envelope(t, x, "call", op, req), nativeEnvelope(op, req); got != want {
				t.Errorf("call(%s, %.60s)\n got %.300s\nwant %.300s", op, req, got, want)
			}
		}
	}
}

func TestUnknownOp(t *testing.T) {
	x := exports(t)
	for _, op := range []string{"", "nope", "QUOTE", "quote\x00"} {
		if c := errCode(envelope(t, x, "call", op, goodSpec)); c != "unknown_op" {
			t.Errorf("call(%q) code %q, want unknown_op", op, c)
		}
	}
}

// hostile returns JS values that are not strings.
func hostile() map[string]js.Value {
	g := js.Global()
	cyclic := g.Get("Object").New()
	cyclic.Set("self", cyclic)
	throwing := g.Get("Function").New(`return {get x(){throw new Error("boom")}, toString(){throw new Error("boom")}}`).Invoke()
	return map[string]js.Value{
		"undefined": js.Undefined(),
		"null":      js.Null(),
		"NaN":       g.Get("NaN"),
		"Infinity":  g.Get("Infinity"),
		"-Infinity": g.Get("Number").Get("NEGATIVE_INFINITY"),
		"number":    js.ValueOf(42),
		"true":      js.ValueOf(true),
		"symbol":    g.Get("Symbol").Invoke("s"),
		"bigint":    g.Get("BigInt").Invoke(7),
		"array":     g.Get("Array").New(1, 2),
		"object":    g.Get("Object").New(),
		"cyclic":    cyclic,
		"throwing":  throwing,
		"function":  g.Get("Function").New("return 1"),
		"String":    g.Get("String").New("boxed"),
	}
}

func TestHostileArguments(t *testing.T) {
	x := exports(t)
	for name, v := range hostile() {
		isString := typeOf(safejs.Safe(v)) == "string"
		// op position
		if s := envelope(t, x, "call", v, goodSpec); !isString && errCode(s) != "invalid_type" {
			t.Errorf("call(%s, spec) = %s, want invalid_type", name, s)
		}
		// request position
		if s := envelope(t, x, "call", "quote", v); !isString && errCode(s) != "invalid_type" {
			t.Errorf("call(quote, %s) = %s, want invalid_type", name, s)
		}
		if s := envelope(t, x, "useRateCard", v); !isString && errCode(s) != "invalid_type" {
			t.Errorf("useRateCard(%s) = %s, want invalid_type", name, s)
		}
	}
	// missing and extra arguments
	for _, args := range [][]any{nil, {"quote"}} {
		if s := envelope(t, x, "call", args...); errCode(s) != "invalid_type" {
			t.Errorf("call%v = %s, want invalid_type", args, s)
		}
	}
	if s := envelope(t, x, "useRateCard"); errCode(s) != "invalid_type" {
		t.Errorf("useRateCard() = %s, want invalid_type", s)
	}
	if s := envelope(t, x, "call", "quote", goodSpec, js.Undefined(), 5); s != nativeEnvelope("quote", goodSpec) {
		t.Errorf("extra arguments changed the answer: %s", s)
	}
	// the module still answers normally afterwards
	if s := envelope(t, x, "call", "quote", goodSpec); s != nativeEnvelope("quote", goodSpec) {
		t.Errorf("after hostile calls: %s", s)
	}
}

func TestLargeRequest(t *testing.T) {
	x := exports(t)
	big := `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"` + strings.Repeat("a", 10<<20) + `"}`
	if got, want := envelope(t, x, "call", "quote", big), nativeEnvelope("quote", big); got != want {
		t.Errorf("10 MB request: got %.200s, want %.200s", got, want)
	}
}

func TestGuardRecoversPanics(t *testing.T) {
	f := guard(func([]safejs.Value) string { panic("boom") })
	r := f(safejs.Undefined(), nil)
	s, ok := r.(string)
	if !ok || errCode(s) != "internal" || !strings.Contains(s, "boom") {
		t.Fatalf("guarded panic = %#v, want an internal error envelope", r)
	}
	var nilMap map[string]int
	f = guard(func([]safejs.Value) string { nilMap["x"] = 1; return "" })
	if s, _ := f(safejs.Undefined(), nil).(string); errCode(s) != "internal" {
		t.Fatalf("runtime error panic = %q, want internal", s)
	}
}

func TestRateCardSwap(t *testing.T) {
	x := exports(t)
	t.Cleanup(func() { card.Store(estimator.Default()) })
	def := estimator.Default()
	info := envelope(t, x, "rateCard")
	want := `{"ok":{"version":` + string(estimator.AppendJSONString(nil, def.Version())) + `,"digest":"` + def.Digest() + `","card":` + string(def.JSON()) + `}}`
	if info != want {
		t.Fatalf("rateCard() = %.300s\nwant %.300s", info, want)
	}
	before := envelope(t, x, "call", "quote", goodSpec)
	for _, bad := range []string{"", "{", "[]", `{"version":1}`, "null"} {
		if c := errCode(envelope(t, x, "useRateCard", bad)); c != "invalid_rate_card" && c != "invalid_json" {
			t.Errorf("useRateCard(%q) code %q, want invalid_rate_card", bad, c)
		}
		if envelope(t, x, "rateCard") != info || envelope(t, x, "call", "quote", goodSpec) != before {
			t.Fatalf("a refused card %q changed the card in use", bad)
		}
	}
	// the default card's own JSON is a valid card: swapping to it keeps answers
	s := envelope(t, x, "useRateCard", string(def.JSON()))
	if !strings.HasPrefix(s, `{"ok":{"version":`) || !strings.Contains(s, `"digest":"sha256:`) {
		t.Fatalf("useRateCard(default JSON) = %s", s)
	}
	if got := envelope(t, x, "call", "quote", goodSpec); got != before {
		t.Errorf("after re-using the default card: %s, want %s", got, before)
	}
}

func TestOpsAndNoop(t *testing.T) {
	x := exports(t)
	want := `{"ok":[`
	for i, op := range estimator.Ops() {
		if i > 0 {
			want += ","
		}
		want += `"` + op + `"`
	}
	want += "]}"
	if got := envelope(t, x, "ops"); got != want {
		t.Errorf("ops() = %s, want %s", got, want)
	}
	if r := x.Call("noop", "anything", js.Undefined()); r.Type() != js.TypeString || r.String() != "" {
		t.Errorf("noop() = %v", r)
	}
	if got := x.Get("abi"); got.Type() != js.TypeNumber || got.Int() != 1 {
		t.Errorf("abi = %v", got)
	}
	if !x.Get("__exit").IsUndefined() {
		t.Error("__exit exported without test hooks")
	}
}

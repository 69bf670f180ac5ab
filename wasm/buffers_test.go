//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"syscall/js"
	"testing"
	"unsafe"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"

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

const goodSpec = `{"resolution":"1080p","fps":30,"durationSeconds":10}`

func opIndex(op string) int {
	for i, name := range opNames {
		if name == op {
			return i
		}
	}
	return -1
}

// call runs op on req through the exports as the shim does (an op the module lacks: index -1
// with its name in the request buffer) and returns the answer as `{"ok":…}` or `{"error":…}`.
func call(t *testing.T, x js.Value, op, req string) string {
	t.Helper()
	idx := opIndex(op)
	if idx < 0 {
		req = op
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
	return answer(t, x.Call("callBuf", idx, len(req)))
}

// answer reads callBuf's result from the response buffer through ctl, as the shim does.
func answer(t *testing.T, r js.Value) string {
	t.Helper()
	if r.Type() != js.TypeNumber {
		t.Fatalf("callBuf returned a %s, want a number", r.Type())
	}
	n := r.Int()
	isErr := n < 0
	if isErr {
		n = ^n
	}
	if uint32(n) > ctl[3] || ctl[2] != uint32(uintptr(unsafe.Pointer(unsafe.SliceData(respBuf)))) {
		t.Fatalf("ctl %v does not describe the response buffer", ctl)
	}
	b := unsafe.Slice(unsafe.SliceData(respBuf), n)
	if isErr {
		return `{"error":` + string(b) + `}`
	}
	return `{"ok":` + string(b) + `}`
}

func errCode(s string) string {
	if !strings.HasPrefix(s, `{"error":{"code":"`) {
		return ""
	}
	rest := s[len(`{"error":{"code":"`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// native is what the module must answer: Do's bytes.
func native(op, req string) string {
	out, err := estimator.Default().Do(op, []byte(req))
	if err != nil {
		return `{"error":` + string(err.(*estimator.Error).AppendJSON(nil)) + `}`
	}
	return `{"ok":` + string(out) + `}`
}

func TestEveryOpMatchesNative(t *testing.T) {
	x := exports(t)
	if got := x.Call("buffers"); got.Type() != js.TypeNumber || uintptr(got.Int()) != uintptr(unsafe.Pointer(&ctl)) {
		t.Fatalf("buffers() = %v, want the address of ctl", got)
	}
	if ctl[4] != estimator.MaxRequestBytes {
		t.Fatalf("ctl[4] = %d, want MaxRequestBytes", ctl[4])
	}
	reqs := []string{goodSpec, `{}`, `[]`, `null`, ``, `{`, "\"\u00e9\"", `{"spec":` + goodSpec + `}`, `[1]`,
		`{"spec":` + goodSpec + `,"quote":{"credits":"1.00","credits":"2.00"}}`,
		`{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"数千名士兵在古老的战场上激战 🎬"}`,
		"{\"prompt\":\"\xff\xfe\"}", // invalid UTF-8 reaches Do as it is
		`{"x":"` + strings.Repeat("é", 3000) + `"}`}
	for _, op := range estimator.Ops() {
		for _, req := range reqs {
			if got, want := call(t, x, op, req), native(op, req); got != want {
				t.Errorf("callBuf(%s, %.60q)\n got %.300s\nwant %.300s", op, req, got, want)
			}
		}
	}
	for _, w := range estimatortest.WorstCases() {
		if got, want := call(t, x, w.Op, string(w.Body)), native(w.Op, string(w.Body)); got != want {
			t.Errorf("worst case %s %s\n got %.300s\nwant %.300s", w.Op, w.Name, got, want)
		}
	}
}

func TestUnknownOp(t *testing.T) {
	x := exports(t)
	for _, op := range []string{"", "nope", "QUOTE", "quote\x00", strings.Repeat("ü", 100)} {
		got := call(t, x, op, goodSpec)
		if errCode(got) != "unknown_op" || got != native(op, goodSpec) {
			t.Errorf("unknown op %q: %s, want %s", op, got, native(op, goodSpec))
		}
	}
}

// A length above MaxRequestBytes is a request the shim refused before copying it: the answer
// is the error Do gives for such a request, and nothing is allocated for it.
func TestTooLarge(t *testing.T) {
	x := exports(t)
	before := len(reqBuf)
	tooBig := strings.Repeat(" ", estimator.MaxRequestBytes+1)
	for _, op := range estimator.Ops() {
		got := answer(t, x.Call("callBuf", opIndex(op), estimator.MaxRequestBytes+1))
		if want := native(op, tooBig); got != want {
			t.Errorf("%s: %s, want %s", op, got, want)
		}
	}
	if r := x.Call("reserve", estimator.MaxCardBytes+1); r.Int() != -1 {
		t.Errorf("reserve(MaxCardBytes+1) = %v, want -1", r)
	}
	if len(reqBuf) != before {
		t.Errorf("the request buffer grew from %d to %d for refused requests", before, len(reqBuf))
	}
}

func TestBuffersGrow(t *testing.T) {
	x := exports(t)
	// a response larger than the initial response buffer (plans lists every plan)
	plans := `{"credits":"550"}`
	want := native("plans", plans)
	if !strings.HasPrefix(want, `{"ok":`) || len(want)-7 <= initialResponseCap {
		t.Fatalf("plans answer %d bytes: not larger than the initial response buffer %d", len(want)-7, initialResponseCap)
	}
	big := `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"` + strings.Repeat("a", 3*initialRequestCap) + `"}`
	for _, c := range []struct{ op, req string }{{"plans", plans}, {"quote", big}, {"quote", goodSpec}} {
		if got, want := call(t, x, c.op, c.req), native(c.op, c.req); got != want {
			t.Errorf("callBuf(%s, %.60q)\n got %.300s\nwant %.300s", c.op, c.req, got, want)
		}
	}
	if len(reqBuf) < len(big) || ctl[1] != uint32(len(reqBuf)) {
		t.Errorf("request buffer %d bytes, ctl says %d, after a %d-byte request", len(reqBuf), ctl[1], len(big))
	}
	if int(ctl[3]) < len(want)-7 || ctl[3] != uint32(cap(respBuf)) {
		t.Errorf("response buffer capacity %d (ctl %d) after a %d-byte answer", cap(respBuf), ctl[3], len(want)-7)
	}
	// reserve holds a request of MaxRequestBytes (a rate card of up to MaxCardBytes) and refuses more
	if got := x.Call("reserve", estimator.MaxRequestBytes).Int(); got < estimator.MaxRequestBytes {
		t.Errorf("reserve(MaxRequestBytes) = %d", got)
	}
	exact := `{"prompt":"` + strings.Repeat("a", estimator.MaxRequestBytes-len(`{"prompt":""}`)) + `"}`
	if len(exact) != estimator.MaxRequestBytes {
		t.Fatal("bad test request")
	}
	if got, want := call(t, x, "quote", exact), native("quote", exact); got != want {
		t.Errorf("request of exactly MaxRequestBytes: got %.200s, want %.200s", got, want)
	}
}

// hostile returns JS values that are not valid numbers for the boundary.
func hostile() map[string]any {
	g := js.Global()
	cyclic := g.Get("Object").New()
	cyclic.Set("self", cyclic)
	return map[string]any{
		"undefined": js.Undefined(), "null": js.Null(), "NaN": g.Get("NaN"), "Infinity": g.Get("Infinity"),
		"-Infinity": g.Get("Number").Get("NEGATIVE_INFINITY"), "negative": -2, "fraction": 0.5, "huge": 1e300,
		"numeric string": "0", "true": true, "bigint": g.Get("BigInt").Invoke(1), "symbol": g.Get("Symbol").Invoke("s"),
		"object": g.Get("Object").New(), "cyclic": cyclic, "array": g.Get("Array").New(1, 2),
		"function": g.Get("Function").New("return 1"), "boxed": g.Get("Number").New(1),
	}
}

func TestHostileArguments(t *testing.T) {
	x := exports(t)
	for name, v := range hostile() {
		for _, args := range [][]any{{v, 0}, {opIndex("quote"), v}} {
			r := x.Call("callBuf", args...)
			if s := answer(t, r); errCode(s) != "invalid_type" {
				t.Errorf("callBuf(%s in %v) = %s, want invalid_type", name, args, s)
			}
		}
		if r := x.Call("reserve", v); r.Type() != js.TypeNumber || r.Int() != -1 {
			t.Errorf("reserve(%s) = %v, want -1", name, r)
		}
	}
	reqBuf = make([]byte, initialRequestCap) // a length past the buffer but within MaxRequestBytes
	publish()
	for _, args := range [][]any{nil, {0}, {opIndex("quote"), len(reqBuf) + 1}, {len(opNames), 0}, {-2, 0}} {
		if s := answer(t, x.Call("callBuf", args...)); errCode(s) != "invalid_type" {
			t.Errorf("callBuf%v = %s, want invalid_type", args, s)
		}
	}
	// extra arguments are ignored; the module still answers
	copy(reqBuf, goodSpec)
	if got, want := answer(t, x.Call("callBuf", opIndex("quote"), len(goodSpec), js.Undefined(), 5)), native("quote", goodSpec); got != want {
		t.Errorf("after hostile calls: %s", got)
	}
}

// One guard: a panic becomes an internal error object in the response buffer, signalled like
// every other error (a negative number), and the program keeps running.
func TestGuardRecoversPanics(t *testing.T) {
	x := exports(t)
	f := guard(func([]safejs.Value) int { panic("boom") })
	n, ok := f(safejs.Undefined(), nil).(int)
	if !ok || n >= 0 {
		t.Fatalf("guarded panic returned %v, want a negative int", n)
	}
	s := `{"error":` + string(respBuf[:^n]) + `}`
	if errCode(s) != "internal" || !strings.Contains(s, "boom") {
		t.Fatalf("guarded panic = %s, want an internal error", s)
	}
	var nilMap map[string]int
	f = guard(func([]safejs.Value) int { nilMap["x"] = 1; return 0 })
	if n, _ := f(safejs.Undefined(), nil).(int); n >= 0 || errCode(`{"error":`+string(respBuf[:^n])+`}`) != "internal" {
		t.Fatalf("runtime error panic not reported as internal")
	}
	if got, want := call(t, x, "quote", goodSpec), native("quote", goodSpec); got != want {
		t.Errorf("after a panic: %s", got)
	}
}

func TestRateCardSwap(t *testing.T) {
	x := exports(t)
	t.Cleanup(func() { card.Store(estimator.Default()) })
	def := estimator.Default()
	info := call(t, x, "rateCard", "")
	want := `{"ok":{"version":` + string(estimator.AppendJSONString(nil, def.Version())) + `,"digest":"` + def.Digest() + `","card":` + string(def.JSON()) + `}}`
	if info != want {
		t.Fatalf("rateCard = %.300s\nwant %.300s", info, want)
	}
	before := call(t, x, "quote", goodSpec)
	for _, bad := range []string{"", "{", "[]", `{"version":1}`, "null"} {
		if c := errCode(call(t, x, "useRateCard", bad)); c != "invalid_rate_card" && c != "invalid_json" {
			t.Errorf("useRateCard(%q) code %q, want invalid_rate_card", bad, c)
		}
		if call(t, x, "rateCard", "") != info || call(t, x, "quote", goodSpec) != before {
			t.Fatalf("a refused card %q changed the card in use", bad)
		}
	}
	// the default card's own JSON is a valid card: swapping to it keeps answers
	s := call(t, x, "useRateCard", string(def.JSON()))
	if !strings.HasPrefix(s, `{"ok":{"version":`) || !strings.Contains(s, `"digest":"sha256:`) {
		t.Fatalf("useRateCard(default JSON) = %s", s)
	}
	if got := call(t, x, "quote", goodSpec); got != before {
		t.Errorf("after re-using the default card: %s, want %s", got, before)
	}
	// A card may be longer than MaxRequestBytes (a platform's card with its word model, laid
	// out one member a line): up to MaxCardBytes; a quote may not.
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, def.JSON(), "", "      "); err != nil {
		t.Fatal(err)
	}
	if pretty.Len() <= estimator.MaxRequestBytes || pretty.Len() > estimator.MaxCardBytes {
		t.Fatalf("the indented default card has %d bytes: not between the two limits", pretty.Len())
	}
	if s := call(t, x, "useRateCard", pretty.String()); !strings.HasPrefix(s, `{"ok":{"version":`) {
		t.Fatalf("useRateCard(%d bytes) = %.300s", pretty.Len(), s)
	}
	if got := call(t, x, "quote", goodSpec); got != before {
		t.Errorf("after the indented default card: %s, want %s", got, before)
	}
	long := `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"` + strings.Repeat(" ", estimator.MaxRequestBytes) + `"}`
	if c := errCode(call(t, x, "quote", long)); c != "request_too_large" {
		t.Errorf("a quote over MaxRequestBytes: code %q, want request_too_large", c)
	}
	if r := x.Call("callBuf", opIndex("useRateCard"), estimator.MaxCardBytes+1); r.Type() != js.TypeNumber || r.Int() >= 0 {
		t.Errorf("callBuf(useRateCard, MaxCardBytes+1) = %v, want an error", r)
	}
}

// One interface: the object holds the buffer functions and abi 3, nothing else.
func TestOneInterface(t *testing.T) {
	x := exports(t)
	keys := js.Global().Get("Object").Call("keys", x)
	var names []string
	for i := 0; i < keys.Length(); i++ {
		names = append(names, keys.Index(i).String())
	}
	if got := strings.Join(names, ","); got != "buffers,reserve,callBuf,abi" {
		t.Errorf("exports = %s, want buffers,reserve,callBuf,abi", got)
	}
	if got := x.Get("abi"); got.Type() != js.TypeNumber || got.Int() != 3 {
		t.Errorf("abi = %v", got)
	}
	want := `{"ok":["ops","noop","rateCard","useRateCard","quoteTape"`
	for _, op := range estimator.Ops() {
		want += `,"` + op + `"`
	}
	want += "]}"
	if got := call(t, x, "ops", ""); got != want {
		t.Errorf("ops = %s, want %s", got, want)
	}
	if got := call(t, x, "noop", ""); got != `{"ok":}` {
		t.Errorf("noop = %s", got)
	}
	// quoteTape answers the quote tape (estimator.AppendQuoteTape), its errors as the quote op's.
	spec := `{"resolution":"720p","fps":24,"durationSeconds":5,"prompt":"waves crash"}`
	tape, err := estimator.Default().AppendQuoteTape(nil, []byte(spec))
	if err != nil || len(tape) == 0 || tape[0] == '{' {
		t.Fatalf("AppendQuoteTape = %q, %v", tape, err)
	}
	if got := call(t, x, "quoteTape", spec); got != `{"ok":`+string(tape)+`}` {
		t.Errorf("quoteTape = %q, want the tape %q", got, tape)
	}
	if got, want := call(t, x, "quoteTape", `{"fps":24}`), call(t, x, "quote", `{"fps":24}`); got != want {
		t.Errorf("quoteTape error = %s, the quote op's %s", got, want)
	}
}

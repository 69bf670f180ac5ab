package jsonx

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"sort"
	"testing"
)

// sortedValue returns v with object members sorted by key, recursively: the
// value that AppendCanonical's output parses back to.
func sortedValue(v Value) Value {
	switch v.Kind {
	case Array:
		if v.Items == nil {
			return v
		}
		items := make([]Value, len(v.Items))
		for i := range v.Items {
			items[i] = sortedValue(v.Items[i])
		}
		v.Items = items
	case Object:
		if v.Members == nil {
			return v
		}
		ms := make([]Member, len(v.Members))
		for i, m := range v.Members {
			ms[i] = Member{Key: m.Key, Value: sortedValue(m.Value)}
		}
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Key < ms[j].Key })
		v.Members = ms
	}
	return v
}

func equalValues(a, b Value) bool {
	if a.Kind != b.Kind || a.Str != b.Str || a.Bool != b.Bool || len(a.Items) != len(b.Items) || len(a.Members) != len(b.Members) {
		return false
	}
	for i := range a.Items {
		if !equalValues(a.Items[i], b.Items[i]) {
			return false
		}
	}
	for i := range a.Members {
		if a.Members[i].Key != b.Members[i].Key || !equalValues(a.Members[i].Value, b.Members[i].Value) {
			return false
		}
	}
	return true
}

var parseSeeds = []string{
	``, ` `, `null`, `true`, `false`, `0`, `-0.5e+10`, `01`, `1.`, `"a"`, `"\u00e9\ud83d\ude00"`, `"\ud800"`,
	"\"\xff\"", `[]`, `{}`, `[1,[2,[3]]]`, `{"a":1,"a":2}`, `{"spec":{"fps":30,"resolution":"1080p"}}`,
	`{"a":[1,{"b":null}],"c":"x"}`, `[1,]`, `{"a" 1}`, `"\x"`, "\"\x01\"", `[1 2]`, `{"b":1,"a":2}`,
	benchDoc,
}

func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	codes := map[string]bool{CodeInvalidJSON: true, CodeInvalidUTF8: true, CodeDuplicateField: true, CodeTooDeep: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data, Limits{})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !codes[e.Code] || e.Offset < 0 || e.Offset > len(data) || e.Reason == "" {
				t.Fatalf("bad error %#v for %q", err, data)
			}
			if e.Code == CodeInvalidJSON && json.Valid(data) {
				t.Fatalf("invalid_json for valid %q: %v", data, err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		c := AppendCanonical(nil, v)
		if !json.Valid(c) {
			t.Fatalf("canonical form %q of %q is not valid JSON", c, data)
		}
		v2, err := Parse(c, Limits{})
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", c, data, err)
		}
		if !equalValues(sortedValue(v), v2) {
			t.Fatalf("canonical form %q of %q parses to a different value", c, data)
		}
		if c2 := AppendCanonical(nil, v2); string(c2) != string(c) {
			t.Fatalf("canonical form not stable: %q then %q", c, c2)
		}
		// Same input with a tight depth limit: never panics, and an error
		// (if any) is still an *Error.
		if _, err := Parse(data, Limits{MaxDepth: 2, MaxBytes: len(data)}); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T", err)
			}
		}
	})
}

func FuzzParseFixed(f *testing.F) {
	for _, s := range []string{"0", "-12", "0.125", "1e3", "2.50E-1", "0.10", "1.500", "", "1.", ".5", "+1", "0x10",
		"NaN", "01", "1e999999999", "1e-999999999", "9223372036854775807", "-9223372036854775808", "-92233720368547758.08"} {
		f.Add(s, 2, int64(-5))
	}
	f.Add("12", 0, int64(math.MinInt64))
	f.Add("7", -3, int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, s string, places int, v int64) {
		got, err := ParseFixed(s, places)
		if err == nil {
			// Exact agreement with big.Rat, for moderate scales.
			if places >= -40 && places <= 40 && len(s) < 200 {
				r, ok := new(big.Rat).SetString(s)
				switch {
				case !ok:
					// big.Rat refuses exponents beyond its limit; with
					// fewer than 200 digits only zero can be in range then.
					if got != 0 {
						t.Fatalf("ParseFixed(%q, %d) = %d, want 0", s, places, got)
					}
				default:
					scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(places))), nil))
					if places >= 0 {
						r.Mul(r, scale)
					} else {
						r.Quo(r, scale)
					}
					if !r.IsInt() || !r.Num().IsInt64() || r.Num().Int64() != got {
						t.Fatalf("ParseFixed(%q, %d) = %d, exact value %s", s, places, got, r.RatString())
					}
				}
			}
		} else if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrPrecision) && !errors.Is(err, ErrRange) {
			t.Fatalf("unexpected error %v", err)
		}
		if places < -40 || places > 40 {
			return
		}
		out := AppendFixed(nil, v, places)
		back, err := ParseFixed(string(out), places)
		if err != nil || back != v {
			t.Fatalf("AppendFixed(%d, %d) = %q, ParseFixed gives %d, %v", v, places, out, back, err)
		}
		if !json.Valid(out) {
			t.Fatalf("AppendFixed(%d, %d) = %q is not a JSON number", v, places, out)
		}
	})
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abc", "a\"b\\c\n\x01<>&\u2028é😀", "\xff\xc3", "\xed\xa0\x80", "\x00\x7f\u2029"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendString(nil, s)
		want, err := json.Marshal(s)
		if err != nil || string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, encoding/json gives %s", s, got, want)
		}
		v, err := Parse(got, Limits{})
		if err != nil || v.Kind != String {
			t.Fatalf("output %s does not parse: %v", got, err)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != v.Str {
			t.Fatalf("Parse(%s) = %q, encoding/json gives %q", got, v.Str, back)
		}
	})
}

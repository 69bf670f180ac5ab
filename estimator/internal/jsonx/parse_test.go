package jsonx

import (
	"encoding/json"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func num(s string) Value { return Value{Kind: Number, Str: s} }
func str(s string) Value { return Value{Kind: String, Str: s} }

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Value
	}{
		{"null", `null`, Value{Kind: Null}},
		{"true", `true`, Value{Kind: Bool, Bool: true}},
		{"false", ` false `, Value{Kind: Bool}},
		{"zero", `0`, num("0")},
		{"negative zero", `-0`, num("-0")},
		{"number kept as written", `-12.50E+03`, num("-12.50E+03")},
		{"small exponent", `1e-7`, num("1e-7")},
		{"fraction", `0.125`, num("0.125")},
		{"huge literal", `123456789012345678901234567890e999999`, num("123456789012345678901234567890e999999")},
		{"empty string", `""`, str("")},
		{"plain string", `"hello"`, str("hello")},
		{"escapes", `"a\"b\\c\/d\be\ff\ng\rh\ti"`, str("a\"b\\c/d\be\ff\ng\rh\ti")},
		{"unicode escape", `"\u00e9\u4E2D"`, str("é中")},
		{"surrogate pair", `"\ud83d\ude00"`, str("😀")},
		{"raw utf8", `"é中😀"`, str("é中😀")},
		{"escaped U+FFFD", `"\ufffd"`, str("\uFFFD")},
		{"raw U+FFFD", "\"\uFFFD\"", str("\uFFFD")},
		{"DEL is allowed", "\"\x7f\"", str("\x7f")},
		{"whitespace", " \t\r\n[ 1 , 2 ]\n", Value{Kind: Array, Items: []Value{num("1"), num("2")}}},
		{"empty array", `[]`, Value{Kind: Array}},
		{"empty object", `{ }`, Value{Kind: Object}},
		{"nested", `{"a":[1,{"b":null}],"c":{}}`, Value{Kind: Object, Members: []Member{
			{"a", Value{Kind: Array, Items: []Value{num("1"), {Kind: Object, Members: []Member{{"b", Value{Kind: Null}}}}}}},
			{"c", Value{Kind: Object}},
		}}},
		{"member order kept", `{"z":1,"a":2}`, Value{Kind: Object, Members: []Member{{"z", num("1")}, {"a", num("2")}}}},
		{"same key in different objects", `[{"a":1},{"a":2}]`, Value{Kind: Array, Items: []Value{
			{Kind: Object, Members: []Member{{"a", num("1")}}},
			{Kind: Object, Members: []Member{{"a", num("2")}}},
		}}},
		{"escaped key", `{"\u0061b":true}`, Value{Kind: Object, Members: []Member{{"ab", Value{Kind: Bool, Bool: true}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in), Limits{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, json.Valid([]byte(tt.in)), "encoding/json agrees")
		})
	}
}

func TestParseErrors(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name   string
		in     string
		lim    Limits
		code   string
		offset int
		path   string
		reason string // substring of Reason
	}{
		{"empty", ``, Limits{}, "invalid_json", 0, "", "unexpected end of input"},
		{"only space", "  \n", Limits{}, "invalid_json", 3, "", "unexpected end of input"},
		{"trailing data", `1 2`, Limits{}, "invalid_json", 2, "", "after top-level value"},
		{"two objects", `{}{}`, Limits{}, "invalid_json", 2, "", "after top-level value"},
		{"trailing comma array", `[1,]`, Limits{}, "invalid_json", 3, "[1]", "at start of value"},
		{"trailing comma object", `{"a":1,}`, Limits{}, "invalid_json", 7, "", "expected string object key"},
		{"missing colon", `{"a" 1}`, Limits{}, "invalid_json", 5, "a", "expected ':'"},
		{"missing comma", `{"a":1 "b":2}`, Limits{}, "invalid_json", 7, "", "expected ',' or '}'"},
		{"missing comma array", `[1 2]`, Limits{}, "invalid_json", 3, "", "expected ',' or ']'"},
		{"unclosed array", `[1,2`, Limits{}, "invalid_json", 4, "", "unexpected end of input"},
		{"unclosed string", `"abc`, Limits{}, "invalid_json", 4, "", "unexpected end of input"},
		{"single quotes", `'a'`, Limits{}, "invalid_json", 0, "", "unexpected character '\\''"},
		{"bare word", `nul`, Limits{}, "invalid_json", 3, "", "unexpected end of input"},
		{"bad literal", `trUe`, Limits{}, "invalid_json", 2, "", "literal true"},
		{"literal with suffix", `nullx`, Limits{}, "invalid_json", 4, "", "after top-level value"},
		{"leading zero", `01`, Limits{}, "invalid_json", 1, "", "leading zero"},
		{"leading zero negative", `[-012]`, Limits{}, "invalid_json", 3, "[0]", "leading zero"},
		{"plus sign", `+1`, Limits{}, "invalid_json", 0, "", "at start of value"},
		{"dot first", `.5`, Limits{}, "invalid_json", 0, "", "at start of value"},
		{"dot last", `1.`, Limits{}, "invalid_json", 2, "", "unexpected end of input"},
		{"dot then e", `1.e5`, Limits{}, "invalid_json", 2, "", "in number"},
		{"empty exponent", `1e`, Limits{}, "invalid_json", 2, "", "unexpected end of input"},
		{"exponent sign only", `1e+]`, Limits{}, "invalid_json", 3, "", "in number"},
		{"minus only", `-`, Limits{}, "invalid_json", 1, "", "unexpected end of input"},
		{"minus letter", `-a`, Limits{}, "invalid_json", 1, "", "in number"},
		{"hex", `0x10`, Limits{}, "invalid_json", 1, "", "after top-level value"},
		{"NaN", `NaN`, Limits{}, "invalid_json", 0, "", "at start of value"},
		{"Infinity", `-Infinity`, Limits{}, "invalid_json", 1, "", "in number"},
		{"control char in string", "\"a\x01\"", Limits{}, "invalid_json", 2, "", "control character"},
		{"newline in string", "{\"k\":\"a\nb\"}", Limits{}, "invalid_json", 7, "k", "control character"},
		{"control char after escape", "\"\\n\x1f\"", Limits{}, "invalid_json", 3, "", "control character"},
		{"bad escape", `"\x"`, Limits{}, "invalid_json", 2, "", "escape sequence"},
		{"short unicode escape", `"\u12"`, Limits{}, "invalid_json", 5, "", `\u escape`},
		{"unicode escape at end", `"\u12`, Limits{}, "invalid_json", 5, "", "unexpected end of input"},
		{"backslash at end", `"\`, Limits{}, "invalid_json", 2, "", "unexpected end of input"},
		{"key not string", `{1:2}`, Limits{}, "invalid_json", 1, "", "expected string object key"},
		{"comment", `[1 /* c */]`, Limits{}, "invalid_json", 3, "", "expected ',' or ']'"},
		{"non-ASCII outside string", "[\u00a0]", Limits{}, "invalid_json", 1, "[0]", "unexpected character"},
		{"BOM", "\uFEFF{}", Limits{}, "invalid_json", 0, "", "unexpected character"},

		{"invalid utf8 in string", "\"a\xffb\"", Limits{}, "invalid_utf8", 2, "", "invalid UTF-8"},
		{"invalid utf8 after escape", "{\"x\":[\"\\n\xc3\"]}", Limits{}, "invalid_utf8", 9, "x[0]", "invalid UTF-8"},
		{"truncated utf8 in key", "{\"\xe4\xb8\":1}", Limits{}, "invalid_utf8", 2, "", "invalid UTF-8"},
		{"utf8 encoded surrogate", "\"\xed\xa0\x80\"", Limits{}, "invalid_utf8", 1, "", "invalid UTF-8"},
		{"overlong utf8", "\"\xc0\xaf\"", Limits{}, "invalid_utf8", 1, "", "invalid UTF-8"},
		{"invalid utf8 outside string", "[\xff]", Limits{}, "invalid_utf8", 1, "[0]", "invalid UTF-8"},
		{"invalid utf8 trailing", "1 \x80", Limits{}, "invalid_utf8", 2, "", "invalid UTF-8"},
		{"lone high surrogate", `"\ud800"`, Limits{}, "invalid_utf8", 1, "", "lone surrogate"},
		{"lone high surrogate then text", `"\ud800abc"`, Limits{}, "invalid_utf8", 1, "", "lone surrogate"},
		{"lone low surrogate", `{"a":"x\udc00"}`, Limits{}, "invalid_utf8", 7, "a", "lone surrogate"},
		{"high surrogate twice", `"\ud800\ud800"`, Limits{}, "invalid_utf8", 1, "", "lone surrogate"},
		{"high surrogate then other escape", `"\ud800\n"`, Limits{}, "invalid_utf8", 1, "", "lone surrogate"},
		{"high surrogate at end", `"\ud800`, Limits{}, "invalid_json", 7, "", "unexpected end of input"},

		{"duplicate key", `{"spec":{"fps":30,"fps":60}}`, Limits{}, "duplicate_field", 18, "spec.fps", `duplicate key "fps"`},
		{"duplicate key via escape", `{"a":1,"\u0061":2}`, Limits{}, "duplicate_field", 7, "a", `duplicate key "a"`},
		{"duplicate key in array", `[0,{"k":1,"k":1}]`, Limits{}, "duplicate_field", 10, "[1].k", `duplicate key "k"`},
		{"duplicate empty key", `{"":1,"":2}`, Limits{}, "duplicate_field", 6, "", `duplicate key ""`},

		{"too deep default", deep(65), Limits{}, "too_deep", 64, strings.Repeat("[0]", 64), "nesting deeper than 64"},
		{"too deep custom", `{"a":{"b":[1]}}`, Limits{MaxDepth: 2}, "too_deep", 10, "a.b", "nesting deeper than 2"},
		{"too deep empty", `[[]]`, Limits{MaxDepth: 1}, "too_deep", 1, "[0]", "nesting deeper than 1"},
		{"too large", `[1, 2]`, Limits{MaxBytes: 5}, "too_large", 5, "", "larger than 5 bytes"},

		{"error path inside array in object", `{"a":{"b":[1,2,{"c":tru}]}}`, Limits{}, "invalid_json", 23, "a.b[2].c", "literal true"},
		{"error path of second element", `[1,"\q"]`, Limits{}, "invalid_json", 5, "[1]", "escape sequence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Parse([]byte(tt.in), tt.lim)
			require.Error(t, err)
			assert.Equal(t, Value{}, v)
			var e *Error
			require.True(t, errors.As(err, &e), "error is *Error: %T", err)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.offset, e.Offset)
			assert.Equal(t, tt.path, e.Path)
			assert.Contains(t, e.Reason, tt.reason)
			assert.Contains(t, e.Error(), tt.code)
			if tt.code == "invalid_json" {
				assert.False(t, json.Valid([]byte(tt.in)), "encoding/json also rejects %q", tt.in)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	ok := func(in string, lim Limits) {
		t.Helper()
		_, err := Parse([]byte(in), lim)
		assert.NoError(t, err, "%q %+v", in, lim)
	}
	ok(strings.Repeat("[", 64)+strings.Repeat("]", 64), Limits{})
	ok(`[[1]]`, Limits{MaxDepth: 2})
	ok(`{"a":{}}`, Limits{MaxDepth: 2})
	ok(`"scalar needs no depth"`, Limits{MaxDepth: 1})
	ok(`[1, 2]`, Limits{MaxBytes: 6})
	ok(`[1, 2]`, Limits{MaxBytes: -1})
	ok(strings.Repeat("[", 200000)+strings.Repeat("]", 200000), Limits{MaxDepth: 1 << 30})

	// A large depth limit must not exhaust the stack: the parser is iterative.
	_, err := Parse([]byte(strings.Repeat(`{"a":`, 300000)), Limits{MaxDepth: 1 << 30})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "invalid_json", e.Code)
	assert.Equal(t, 300000*5, e.Offset)
}

func TestParseManyKeys(t *testing.T) {
	// Past dupMapAt members duplicates are found with a map.
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 100; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + string(rune('A'+i%26)) + string(rune('a'+i/26)) + `":1`)
	}
	good := b.String() + "}"
	v, err := Parse([]byte(good), Limits{})
	require.NoError(t, err)
	assert.Len(t, v.Members, 100)
	for _, dupKey := range []string{"kAa", "kPa", "kVd"} {
		_, err = Parse([]byte(b.String()+`,"`+dupKey+`":2}`), Limits{})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "duplicate_field", e.Code)
		assert.Equal(t, dupKey, e.Path)
		assert.Equal(t, len(b.String())+1, e.Offset)
	}
}

func TestParseKnownUniqueSkipsTheDuplicateSearch(t *testing.T) {
	// KnownUnique is for bytes parsed before with the search (the embedded card): it does not
	// look, so a duplicate it is wrongly given comes through as two members, in order.
	for _, doc := range []string{`{"a":1,"a":2}`, manyKeys(40) + `,"k0":2}`} {
		_, err := Parse([]byte(doc), Limits{})
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "duplicate_field", e.Code)
		v, err := Parse([]byte(doc), Limits{KnownUnique: true})
		require.NoError(t, err)
		assert.Equal(t, `2`, v.Members[len(v.Members)-1].Value.Str)
	}
	v, err := Parse([]byte(manyKeys(40)+"}"), Limits{KnownUnique: true})
	require.NoError(t, err)
	assert.Len(t, v.Members, 40)
}

// manyKeys returns `{"k0":1,…,"kN-1":1` (the object left open).
func manyKeys(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":1`)
	}
	return b.String()
}

func TestParseDoesNotAliasInput(t *testing.T) {
	in := []byte(`{"k":"value","n":12}`)
	v, err := Parse(in, Limits{})
	require.NoError(t, err)
	for i := range in {
		in[i] = 'x'
	}
	assert.Equal(t, "k", v.Members[0].Key)
	assert.Equal(t, "value", v.Members[0].Value.Str)
	assert.Equal(t, "12", v.Members[1].Value.Str)
}

func TestGet(t *testing.T) {
	v, err := Parse([]byte(`{"a":1,"b":"x","c":null}`), Limits{})
	require.NoError(t, err)
	got, ok := v.Get("b")
	assert.True(t, ok)
	assert.Equal(t, str("x"), got)
	got, ok = v.Get("c")
	assert.True(t, ok)
	assert.Equal(t, Null, got.Kind)
	_, ok = v.Get("missing")
	assert.False(t, ok)
	_, ok = str("a").Get("a")
	assert.False(t, ok, "not an object")
	// First member wins for hand-built values with duplicates.
	hand := Value{Kind: Object, Members: []Member{{"a", num("1")}, {"a", num("2")}}}
	got, ok = hand.Get("a")
	assert.True(t, ok)
	assert.Equal(t, "1", got.Str)
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "null", Null.String())
	assert.Equal(t, "boolean", Bool.String())
	assert.Equal(t, "number", Number.String())
	assert.Equal(t, "string", String.String())
	assert.Equal(t, "array", Array.String())
	assert.Equal(t, "object", Object.String())
	assert.Equal(t, "Kind(9)", Kind(9).String())
}

func TestErrorString(t *testing.T) {
	e := &Error{Code: "duplicate_field", Offset: 18, Path: "spec.fps", Reason: `duplicate key "fps"`}
	assert.Equal(t, `jsonx: duplicate_field at offset 18 (path spec.fps): duplicate key "fps"`, e.Error())
	e = &Error{Code: "invalid_json", Offset: 0, Reason: "unexpected end of input"}
	assert.Equal(t, `jsonx: invalid_json at offset 0: unexpected end of input`, e.Error())
}

// MaxValues counts every value (scalars, arrays, objects, the top level included) and refuses
// the first one past the limit before building it.
func TestParseMaxValues(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		ok    bool
	}{
		{`0`, 1, true},
		{`[]`, 1, true},
		{`[0]`, 1, false},
		{`[0]`, 2, true},
		{`{"a":[1,2],"b":{}}`, 5, true},
		{`{"a":[1,2],"b":{}}`, 4, false},
		{`[[[[]]]]`, 4, true},
		{`[[[[]]]]`, 3, false},
		{`[1,2,3]`, 0, true}, // no limit
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in), Limits{MaxValues: tt.limit})
		if tt.ok {
			assert.NoError(t, err, "%s limit %d", tt.in, tt.limit)
			continue
		}
		var e *Error
		if assert.ErrorAs(t, err, &e, "%s limit %d", tt.in, tt.limit) {
			assert.Equal(t, CodeTooManyValues, e.Code)
		}
	}
}

// A wide array is refused after the limit's worth of values: the parser never holds more than
// the limit, however long the input, and allocates about the input's size, not a tree of it.
func TestParseMaxValuesBoundsWork(t *testing.T) {
	wide := []byte("[" + strings.Repeat("0,", 1<<19) + "0]") // 1 MiB, 524,289 values
	const limit = 1000
	_, err := Parse(wide, Limits{MaxValues: limit})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, CodeTooManyValues, e.Code)
	assert.Equal(t, 1+2*(limit-1), e.Offset, "refused at the first value past the limit")
	assert.Equal(t, "["+strconv.Itoa(limit-1)+"]", e.Path)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 10 {
		_, _ = Parse(wide, Limits{MaxValues: limit})
	}
	runtime.ReadMemStats(&after)
	perCall := (after.TotalAlloc - before.TotalAlloc) / 10
	// the input's string copy plus the scratch of limit values (≈ 72 B each), not 524k values
	assert.Less(t, perCall, uint64(len(wide))+uint64(limit)*256, "bytes allocated per call")
}

// The path of an error inside nested arrays counts each array's own elements.
func TestParseErrorPathNestedArrays(t *testing.T) {
	_, err := Parse([]byte(`[[1,2],[3,x]]`), Limits{})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "[1][1]", e.Path)
	_, err = Parse([]byte(`{"a":[{"b":[0,0,[1,?]]}]}`), Limits{})
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "a[0].b[2][1]", e.Path)
}

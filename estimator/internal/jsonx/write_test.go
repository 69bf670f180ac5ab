package jsonx

import (
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func marshalString(t testing.TB, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain text 123", `"plain text 123"`},
		{`quote " backslash \ slash /`, `"quote \" backslash \\ slash /"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"<a href='x'>&amp;</a>", `"\u003ca href='x'\u003e\u0026amp;\u003c/a\u003e"`},
		{"line\u2028para\u2029end", `"line\u2028para\u2029end"`},
		{"é中😀", `"é中😀"`},
		{"bad \xff byte", `"bad \ufffd byte"`},
		{"truncated \xe4\xb8", `"truncated \ufffd\ufffd"`},
		{"surrogate \xed\xa0\x80", `"surrogate \ufffd\ufffd\ufffd"`},
		{"\uFFFD literal", "\"\uFFFD literal\""},
	}
	for _, tt := range tests {
		got := string(AppendString(nil, tt.in))
		assert.Equal(t, tt.want, got, "%q", tt.in)
		assert.Equal(t, marshalString(t, tt.in), got, "encoding/json agrees for %q", tt.in)
	}
	// Appends to dst.
	assert.Equal(t, `x:"a"`, string(AppendString([]byte("x:"), "a")))
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	// Every byte value alone and inside text.
	for b := 0; b < 256; b++ {
		for _, s := range []string{string([]byte{byte(b)}), "ab" + string([]byte{byte(b)}) + "cd"} {
			require.Equal(t, marshalString(t, s), string(AppendString(nil, s)), "%q", s)
		}
	}
	// Every code point below 0x800 and a selection above.
	for r := rune(0); r < 0x800; r++ {
		s := "x" + string(r) + "y"
		require.Equal(t, marshalString(t, s), string(AppendString(nil, s)), "%U", r)
	}
	for _, r := range []rune{0x800, 0xFFF, 0x2027, 0x2028, 0x2029, 0x202A, 0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF} {
		s := string(r)
		require.Equal(t, marshalString(t, s), string(AppendString(nil, s)), "%U", r)
	}
	// Random strings from an alphabet heavy in special cases, including
	// invalid UTF-8.
	pieces := []string{"a", "Z", " ", `"`, `\`, "/", "<", ">", "&", "\n", "\t", "\x00", "\x1f", "\x7f",
		"é", "中", "😀", "\u2028", "\u2029", "\uFFFD", "\xff", "\x80", "\xc3", "\xe4\xb8", "\xed\xa0\x80", "\xf0\x9f\x98"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		require.Equal(t, marshalString(t, s), string(AppendString(nil, s)), "%q", s)
	}
	// Random bytes.
	for i := 0; i < 20000; i++ {
		buf := make([]byte, rng.IntN(16))
		for j := range buf {
			buf[j] = byte(rng.UintN(256))
		}
		s := string(buf)
		require.Equal(t, marshalString(t, s), string(AppendString(nil, s)), "%q", s)
	}
}

func TestAppendStringRoundTrip(t *testing.T) {
	for _, s := range []string{"", "abc", "a\"b\\c\n\x01<>&\u2028é😀"} {
		v, err := Parse(AppendString(nil, s), Limits{})
		require.NoError(t, err)
		assert.Equal(t, str(s), v)
	}
}

func TestAppendStringAllocs(t *testing.T) {
	dst := make([]byte, 0, 1024)
	plain := strings.Repeat("plain ascii text ", 10)
	escaped := "a\"b\\c\n<tag>&\u2028é\xff😀"
	allocs := testing.AllocsPerRun(100, func() {
		dst = AppendString(dst[:0], plain)
		dst = AppendString(dst, escaped)
	})
	assert.Zero(t, allocs)
	// Growing from nil costs one allocation for the common case.
	allocs = testing.AllocsPerRun(100, func() { _ = AppendString(nil, plain) })
	assert.Equal(t, 1.0, allocs)
}

func TestAppendCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{`null`, `null`},
		{` true `, `true`},
		{`false`, `false`},
		{`-1.50E+3`, `-1.50E+3`},
		{`"a\/b<"`, `"a/b\u003c"`},
		{`[ 1 , [ ] , { } ]`, `[1,[],{}]`},
		{`{"b":1,"a":{"y":[true],"x":null},"":"e"}`, `{"":"e","a":{"x":null,"y":[true]},"b":1}`},
		{`{"B":1,"a":2,"_":3,"é":4,"aa":5}`, `{"B":1,"_":3,"a":2,"aa":5,"é":4}`},
		{"{\n  \"k\" : \"\\u00e9\\n\"\n}", `{"k":"é\n"}`},
	}
	for _, tt := range tests {
		v, err := Parse([]byte(tt.in), Limits{})
		require.NoError(t, err, tt.in)
		got := AppendCanonical(nil, v)
		assert.Equal(t, tt.want, string(got), tt.in)
		assert.True(t, json.Valid(got))
	}
	// Hand-built values: unknown kind is null, equal keys keep their order,
	// the input is not modified by sorting.
	hand := Value{Kind: Object, Members: []Member{{"b", num("1")}, {"a", num("2")}, {"b", num("3")}, {"a", Value{Kind: Kind(42)}}}}
	assert.Equal(t, `{"a":2,"a":null,"b":1,"b":3}`, string(AppendCanonical(nil, hand)))
	assert.Equal(t, "b", hand.Members[0].Key)
	assert.Equal(t, `x[]`, string(AppendCanonical([]byte("x"), Value{Kind: Array})))
}

func TestAppendCanonicalManyMembers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := map[string]int{}
	for len(m) < 300 {
		k := make([]byte, 1+rng.IntN(6))
		for i := range k {
			k[i] = byte('0' + rng.IntN(75))
		}
		if utf8.Valid(k) {
			m[string(k)] = rng.IntN(1000)
		}
	}
	in, err := json.Marshal(m)
	require.NoError(t, err)
	v, err := Parse(in, Limits{})
	require.NoError(t, err)
	// encoding/json sorts map keys by byte order too; its output is compact.
	assert.Equal(t, string(in), string(AppendCanonical(nil, v)))
}

func TestAppendCanonicalSortsLargeObjects(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{15, 16, 17, 40} {
		// Keys k00..k(n-1) in shuffled order, each twice (hand-built) with
		// values telling the two apart: equal keys keep their order.
		perm := rng.Perm(n)
		var ms []Member
		for _, i := range perm {
			k := "k" + strconv.Itoa(100+i)
			ms = append(ms, Member{k, num(strconv.Itoa(2 * i))})
		}
		for _, i := range rng.Perm(n) {
			k := "k" + strconv.Itoa(100+i)
			ms = append(ms, Member{k, num(strconv.Itoa(2*i + 1))})
		}
		var want strings.Builder
		want.WriteString("{")
		for i := 0; i < n; i++ {
			if i > 0 {
				want.WriteString(",")
			}
			k := strconv.Itoa(100 + i)
			want.WriteString(`"k` + k + `":` + strconv.Itoa(2*i) + `,"k` + k + `":` + strconv.Itoa(2*i+1))
		}
		want.WriteString("}")
		before := append([]Member(nil), ms...)
		assert.Equal(t, want.String(), string(AppendCanonical(nil, Value{Kind: Object, Members: ms})), "n=%d", n)
		assert.Equal(t, before, ms, "input not modified")
	}
}

func TestAppendHex(t *testing.T) {
	for _, b := range [][]byte{nil, {0}, {0x0f, 0xf0, 0xab}, []byte("digest")} {
		if got, want := string(AppendHex([]byte("x:"), b)), "x:"+hex.EncodeToString(b); got != want {
			t.Errorf("AppendHex(%x) = %q, want %q", b, got, want)
		}
	}
}

package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// toAny converts v to what encoding/json.Unmarshal (with UseNumber) gives.
func toAny(v Value) any {
	switch v.Kind {
	case Bool:
		return v.Bool
	case Number:
		return json.Number(v.Str)
	case String:
		return v.Str
	case Array:
		out := make([]any, len(v.Items))
		for i := range v.Items {
			out[i] = toAny(v.Items[i])
		}
		return out
	case Object:
		out := make(map[string]any, len(v.Members))
		for _, m := range v.Members {
			out[m.Key] = toAny(m.Value)
		}
		return out
	}
	return nil
}

func stdDecode(t testing.TB, doc []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var out any
	require.NoError(t, d.Decode(&out))
	return out
}

// stdFacts walks doc with encoding/json's tokenizer (doc must be valid) and
// reports whether some object repeats a key and the maximum nesting depth.
func stdFacts(t testing.TB, doc []byte) (dup bool, depth int) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	type level struct {
		obj     bool
		keys    map[string]bool
		wantKey bool
	}
	var stack []*level
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return dup, depth
		}
		require.NoError(t, err)
		if n := len(stack); n > 0 && stack[n-1].obj {
			top := stack[n-1]
			if top.wantKey {
				if k, ok := tok.(string); ok {
					if top.keys[k] {
						dup = true
					}
					top.keys[k] = true
					top.wantKey = false
					continue
				}
			}
		}
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &level{obj: true, keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &level{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		depth = max(depth, len(stack))
	}
}

var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F][0-9a-fA-F]{2}`)

// checkAgainstStd asserts the documented relation between Parse and
// encoding/json for one input.
func checkAgainstStd(t testing.TB, doc []byte) {
	t.Helper()
	valid := json.Valid(doc)
	v, err := Parse(doc, Limits{})
	if err == nil {
		require.True(t, valid, "Parse accepted what encoding/json rejects: %q", doc)
		require.Equal(t, stdDecode(t, doc), toAny(v), "decoded values differ for %q", doc)
		return
	}
	var e *Error
	require.True(t, errors.As(err, &e), "%T", err)
	require.GreaterOrEqual(t, e.Offset, 0)
	require.LessOrEqual(t, e.Offset, len(doc))
	if !valid {
		return
	}
	// encoding/json accepts it: only the documented extra strictness may reject it.
	switch e.Code {
	case CodeInvalidUTF8:
		require.True(t, !utf8.Valid(doc) || surrogateEscape.Match(doc), "invalid_utf8 for %q", doc)
	case CodeDuplicateField:
		dup, _ := stdFacts(t, doc)
		require.True(t, dup || !utf8.Valid(doc), "duplicate_field for %q", doc)
	case CodeTooDeep:
		_, depth := stdFacts(t, doc)
		require.Greater(t, depth, DefaultMaxDepth, "too_deep for %q", doc)
	default:
		t.Fatalf("Parse rejected valid JSON %q: %v", doc, err)
	}
}

// docGen writes random JSON documents, mostly valid, with the cases the
// parser treats specially (escapes, surrogates, odd numbers, duplicate keys,
// deep nesting, invalid UTF-8) well represented.
type docGen struct {
	rng *rand.Rand
	b   []byte
}

func (g *docGen) ws() {
	for g.rng.IntN(4) == 0 {
		g.b = append(g.b, " \t\r\n"[g.rng.IntN(4)])
	}
}

var strPieces = []string{"a", "key", "fps", " ", "é", "中", "😀", `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`,
	`\u0041`, `\u00e9`, `\uFFFF`, `\ud83d\ude00`, `\uD800`, `\udc00`, "\uFFFD", "\x7f", "\xff", "\xc3", "<&>"}

func (g *docGen) str() {
	g.b = append(g.b, '"')
	for n := g.rng.IntN(4); n > 0; n-- {
		p := strPieces[g.rng.IntN(len(strPieces))]
		// Keep the rarer invalid pieces rare.
		if (p == "\xff" || p == "\xc3" || p == `\uD800` || p == `\udc00`) && g.rng.IntN(8) != 0 {
			p = "x"
		}
		g.b = append(g.b, p...)
	}
	g.b = append(g.b, '"')
}

var numbers = []string{"0", "-0", "1", "-1", "10", "123456789012345678901234567890", "0.5", "-0.001", "1e5", "1E+5",
	"2.50e-3", "1e999", "9223372036854775808", "0.0", "1.0E0"}

func (g *docGen) value(depth int) {
	g.ws()
	k := g.rng.IntN(10)
	if depth > 6 {
		k = g.rng.IntN(6)
	}
	switch k {
	case 0:
		g.b = append(g.b, "null"...)
	case 1:
		g.b = append(g.b, []string{"true", "false"}[g.rng.IntN(2)]...)
	case 2, 3:
		g.b = append(g.b, numbers[g.rng.IntN(len(numbers))]...)
	case 4, 5:
		g.str()
	case 6, 7:
		g.b = append(g.b, '[')
		for i, n := 0, g.rng.IntN(4); i < n; i++ {
			if i > 0 {
				g.b = append(g.b, ',')
			}
			g.value(depth + 1)
		}
		g.ws()
		g.b = append(g.b, ']')
	default:
		g.b = append(g.b, '{')
		for i, n := 0, g.rng.IntN(4); i < n; i++ {
			if i > 0 {
				g.b = append(g.b, ',')
			}
			g.ws()
			// A small key alphabet makes duplicates common.
			g.b = append(g.b, []string{`"a"`, `"b"`, `"c"`, `"\u0061"`, `"d"`, `"e"`}[g.rng.IntN(6)]...)
			g.ws()
			g.b = append(g.b, ':')
			g.value(depth + 1)
		}
		g.ws()
		g.b = append(g.b, '}')
	}
	g.ws()
}

var mutationBytes = []byte("{}[],:\"\\ -+.0123456789eEtrufalsn\x00\x1f\x7f\x80\xff")

func (g *docGen) mutate() {
	if len(g.b) == 0 {
		return
	}
	i := g.rng.IntN(len(g.b))
	switch g.rng.IntN(4) {
	case 0: // delete a byte
		g.b = append(g.b[:i], g.b[i+1:]...)
	case 1: // insert a byte
		c := mutationBytes[g.rng.IntN(len(mutationBytes))]
		g.b = append(g.b[:i], append([]byte{c}, g.b[i:]...)...)
	case 2: // replace a byte
		g.b[i] = mutationBytes[g.rng.IntN(len(mutationBytes))]
	case 3: // duplicate a span
		j := i + g.rng.IntN(len(g.b)-i)
		g.b = append(g.b[:j], append(append([]byte{}, g.b[i:j]...), g.b[j:]...)...)
	}
}

func TestCrossCheckEncodingJSON(t *testing.T) {
	g := &docGen{rng: rand.New(rand.NewPCG(7, 8))}
	var accepted, rejected, extra int
	for i := 0; i < 30000; i++ {
		g.b = g.b[:0]
		g.value(0)
		for m := g.rng.IntN(3); i%2 == 1 && m >= 0; m-- {
			g.mutate()
		}
		doc := append([]byte(nil), g.b...)
		checkAgainstStd(t, doc)
		_, err := Parse(doc, Limits{})
		switch {
		case err == nil:
			accepted++
		case json.Valid(doc):
			extra++
		default:
			rejected++
		}
	}
	// The generator must exercise all three outcomes substantially.
	require.Greater(t, accepted, 5000)
	require.Greater(t, rejected, 5000)
	require.Greater(t, extra, 1000)
	t.Logf("accepted %d, rejected by both %d, rejected only by jsonx %d", accepted, rejected, extra)
}

func TestCrossCheckDepth(t *testing.T) {
	for _, n := range []int{1, 63, 64, 65, 100} {
		doc := []byte(strings.Repeat(`{"a":[`, n/2) + strings.Repeat("[", n%2) + "0" + strings.Repeat("]", n%2) + strings.Repeat("]}", n/2))
		checkAgainstStd(t, doc)
		_, err := Parse(doc, Limits{})
		if n <= 64 {
			require.NoError(t, err, n)
		} else {
			require.Error(t, err, n)
		}
	}
}

func TestCrossCheckNumbers(t *testing.T) {
	// Every short string over the number alphabet: Parse and json.Valid agree
	// exactly, and ParseFixed accepts exactly the same literals.
	alphabet := []byte("-+.eE019")
	var rec func(prefix []byte, n int)
	rec = func(prefix []byte, n int) {
		_, perr := Parse(prefix, Limits{})
		require.Equal(t, json.Valid(prefix), perr == nil, "%q", prefix)
		_, ferr := ParseFixed(string(prefix), 400)
		if perr == nil {
			require.NotErrorIs(t, ferr, ErrSyntax, "%q", prefix)
		} else {
			require.ErrorIs(t, ferr, ErrSyntax, "%q", prefix)
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			rec(append(prefix, c), n-1)
		}
	}
	rec(nil, 6)
	for _, s := range []string{"1" + strings.Repeat("0", 400), "0." + strings.Repeat("9", 400), strconv.Itoa(-1 << 62)} {
		checkAgainstStd(t, []byte(s))
	}
}

func TestToAnyRejectsDifferences(t *testing.T) {
	// The cross-check helper itself must notice a wrong decoding.
	v, err := Parse([]byte(`{"a":[1,"x"]}`), Limits{})
	require.NoError(t, err)
	v.Members[0].Value.Items[1].Str = "y"
	require.False(t, reflect.DeepEqual(stdDecode(t, []byte(`{"a":[1,"x"]}`)), toAny(v)))
}

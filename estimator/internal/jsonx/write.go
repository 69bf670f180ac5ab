package jsonx

import (
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendHex appends b in lower-case hexadecimal (what encoding/hex writes, without its fmt).
func AppendHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xF])
	}
	return dst
}

// htmlSafe marks the bytes that encoding/json writes unchanged inside a
// string with HTML escaping on: printable ASCII except '"', '\\', '<', '>'
// and '&'.
var htmlSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendString appends s as a JSON string literal, escaped exactly as
// encoding/json.Marshal does by default (HTML escaping on): \" \\ \b \f \n
// \r \t, other control characters as \u00XX, '<' '>' '&' as \u003c \u003e
// \u0026, U+2028 and U+2029 as \u2028 and \u2029, and each invalid UTF-8
// byte as \ufffd. It allocates only to grow dst.
func AppendString(dst []byte, s string) []byte {
	if need := len(s) + 2; cap(dst)-len(dst) < need {
		n := make([]byte, len(dst), 2*cap(dst)+need)
		copy(n, dst)
		dst = n
	}
	dst = append(dst, '"')
	i, start := 0, 0
	for {
		// Skip the bytes that need no escaping: eight at a time while eight remain (writeStop,
		// written out because the compiler would not inline it), then one by one.
		for i+8 <= len(s) {
			x := load64(s, i)
			t := (x - swarLSB*0x20) | (x ^ (swarLSB * '"') - swarLSB) | (x ^ (swarLSB * '\\') - swarLSB) |
				(x ^ (swarLSB * '<') - swarLSB) | (x ^ (swarLSB * '>') - swarLSB) | (x ^ (swarLSB * '&') - swarLSB)
			if m := (t&^x | x) & swarMSB; m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(s) && htmlSafe[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendCanonical appends v in canonical form: no insignificant
// whitespace, object members sorted by key (byte order; members with equal
// keys keep their order), strings written by AppendString and numbers as
// their literal text (Value.Str, written unchanged). A value of unknown
// Kind is written as null. Used for digests: the same document always gives
// the same bytes, whatever its formatting or member order.
func AppendCanonical(dst []byte, v Value) []byte {
	switch v.Kind {
	case Bool:
		if v.Bool {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Number:
		return append(dst, v.Str...)
	case String:
		return AppendString(dst, v.Str)
	case Array:
		dst = append(dst, '[')
		for i := range v.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendCanonical(dst, v.Items[i])
		}
		return append(dst, ']')
	case Object:
		ms := v.Members
		dst = append(dst, '{')
		if sortedMembers(ms) {
			for i := range ms {
				dst = appendMember(dst, i, &ms[i])
			}
		} else {
			dst = appendSorted(dst, ms)
		}
		return append(dst, '}')
	}
	return append(dst, "null"...)
}

// appendSorted appends the members of an object whose keys are not in
// order, sorted stably by key, without modifying ms.
func appendSorted(dst []byte, ms []Member) []byte {
	if len(ms) > 16 {
		idx := make([]int, len(ms))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(ms[a].Key, ms[b].Key) })
		for i, j := range idx {
			dst = appendMember(dst, i, &ms[j])
		}
		return dst
	}
	// Insertion sort (stable) of an index array that stays on the stack.
	var buf [16]int
	idx := buf[:len(ms)]
	for i := range idx {
		idx[i] = i
		for j := i; j > 0 && ms[idx[j]].Key < ms[idx[j-1]].Key; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	for i, j := range idx {
		dst = appendMember(dst, i, &ms[j])
	}
	return dst
}

func appendMember(dst []byte, i int, m *Member) []byte {
	if i > 0 {
		dst = append(dst, ',')
	}
	dst = AppendString(dst, m.Key)
	dst = append(dst, ':')
	return AppendCanonical(dst, m.Value)
}

func sortedMembers(ms []Member) bool {
	for i := 1; i < len(ms); i++ {
		if ms[i].Key < ms[i-1].Key {
			return false
		}
	}
	return true
}

// Package scan splits a prompt into the tokens the complexity analyzer reads: Latin-script
// words (lower-cased, with the value of a number written in digits), runs of Han characters
// and clause breaks (punctuation that ends a clause).
//
// Scanner is the fast scanner: it copies runs of lower-case ASCII letters eight bytes at a time
// and classifies ASCII bytes by table, because the analyzer runs on every keystroke in the
// browser and the wasm backend is slow at byte loops. Reference is a plain rune-by-rune scanner
// that defines the same token stream; a fuzz test compares the two.
//
// Both take time linear in the prompt and never allocate.
package scan

import (
	"math/bits"
	"unicode/utf8"
)

// Kind is the kind of a token.
type Kind uint8

const (
	// Word is a run of letters and digits outside Han: "Explosions" → "explosions", "1,000".
	Word Kind = iota + 1
	// Han is a run of Han characters: "数千名士兵".
	Han
	// Break is one character that ends a clause: . , ; : ! ? ( ) and their CJK forms, newline.
	Break
)

// MaxWord is the longest word the scanner keeps; a longer word is a token with N == 0, which
// can match nothing.
const MaxWord = 32

// MaxNumber caps the value of a number written in digits.
const MaxNumber = 1_000_000_000

// Token is one token of a prompt.
type Token struct {
	Kind       Kind
	Start, End int  // byte span in the prompt
	N          int  // Word: bytes in Buf (the word lower-cased); 0 when longer than MaxWord
	Digits     bool // Word: digits only, with commas between digits ("1,000")
	Num        int64
	Buf        [MaxWord]byte
}

// Text returns the lower-cased word in t.Buf.
func (t *Token) Text() []byte { return t.Buf[:t.N] }

// Scanner is the fast scanner.
type Scanner struct {
	s string
	i int
}

// NewScanner returns a scanner over s.
func NewScanner(s string) Scanner { return Scanner{s: s} }

// Next reads the next token into t; it returns false at the end of the prompt.
func (sc *Scanner) Next(t *Token) bool {
	s := sc.s
	i := sc.i
	for i < len(s) {
		b := s[i]
		if b < utf8.RuneSelf {
			switch asciiClass[b] {
			case clsOther:
				i++
				continue
			case clsBreak, clsComma:
				t.Kind, t.Start, t.End = Break, i, i+1
				sc.i = i + 1
				return true
			}
			sc.i = readWord(s, i, t)
			return true
		}
		r, size := DecodeRune(s[i:])
		switch {
		case IsHan(r):
			j := i + size
			for j < len(s) && s[j] >= utf8.RuneSelf {
				// Most of a Han run is three bytes led by E3–E9 (U+3000–U+9FFF: no overlong
				// form, no surrogate), read here without a call.
				if b := s[j]; b >= 0xE3 && b <= 0xE9 && j+2 < len(s) && s[j+1]&0xC0 == 0x80 && s[j+2]&0xC0 == 0x80 {
					if !IsHan(rune(b&0x0F)<<12 | rune(s[j+1]&0x3F)<<6 | rune(s[j+2]&0x3F)) {
						break
					}
					j += 3
					continue
				}
				r, size := DecodeRune(s[j:])
				if !IsHan(r) {
					break
				}
				j += size
			}
			t.Kind, t.Start, t.End = Han, i, j
			sc.i = j
			return true
		case IsBreakRune(r):
			t.Kind, t.Start, t.End = Break, i, i+size
			sc.i = i + size
			return true
		case IsWordRune(r):
			sc.i = readWord(s, i, t)
			return true
		}
		i += size
	}
	sc.i = i
	return false
}

// Classes of ASCII bytes: one table load instead of a chain of comparisons per byte.
const (
	clsOther = iota // a separator
	clsLower        // a-z and the apostrophe
	clsUpper        // A-Z
	clsDigit        // 0-9
	clsComma        // a clause break, or part of a number between digits: "1,000"
	clsBreak        // . ; : ! ? ( ) newline
)

var asciiClass = func() (t [256]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		t[b] = clsLower
	}
	t['\''] = clsLower
	for b := 'A'; b <= 'Z'; b++ {
		t[b] = clsUpper
	}
	for b := '0'; b <= '9'; b++ {
		t[b] = clsDigit
	}
	t[','] = clsComma
	for _, b := range ".;:!?()\n" {
		t[b] = clsBreak
	}
	return t
}()

// load64 returns s[i:i+8] as a little-endian word; the compiler makes it one load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// store64 stores x little-endian into b[:8]; the compiler makes it one store.
func store64(b []byte, x uint64) {
	b = b[:8]
	b[0], b[1], b[2], b[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
	b[4], b[5], b[6], b[7] = byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)
}

// lowerPrefix returns how many of the low-order bytes of x, in memory order, are 'a'..'z'
// before the first byte that is not: 0 to 8. (A byte >= 0x80 may carry into the next one, but
// it ends the prefix first.)
func lowerPrefix(x uint64) int {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	lower := (x + lsb*(0x80-'a')) &^ (x + lsb*(0x80-'z'-1)) &^ x & msb
	return bits.TrailingZeros64(^lower&msb) >> 3
}

// readWord reads the word starting at i into t and returns the index after it.
func readWord(s string, i int, t *Token) int {
	// The state lives in locals (registers) while reading and is stored into t once.
	n, digits, num := 0, true, int64(0) // n < 0: too long to match anything
	j := i
	for j < len(s) {
		// Fast path: copy a run of up to eight lower-case letters at once (most of a prompt).
		if j+8 <= len(s) && uint(n) <= uint(MaxWord-8) {
			x := load64(s, j)
			if k := lowerPrefix(x); k > 0 {
				store64(t.Buf[n:], x) // bytes past the run are overwritten later or ignored
				n += k
				j += k
				digits = false
				if k == 8 {
					continue
				}
				if j >= len(s) {
					break
				}
			}
		}
		b := s[j]
		if b < utf8.RuneSelf {
			switch asciiClass[b] {
			case clsLower:
				digits = false
			case clsUpper:
				digits = false
				b += 'a' - 'A'
			case clsDigit:
				num = min(num*10+int64(b-'0'), MaxNumber)
			case clsComma:
				if digits && j > i && j+1 < len(s) && isDigit(s[j+1]) {
					// A comma between digits belongs to a number: "1,000".
					j++
					continue
				}
				goto done
			default:
				goto done
			}
			if uint(n) < uint(MaxWord) {
				t.Buf[n] = b
				n++
			} else {
				n = -1
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if IsHan(r) || !IsWordRune(r) {
			break
		}
		digits = false
		lr := ToLower(r)
		if n >= 0 && n+utf8.RuneLen(lr) <= MaxWord {
			n += utf8.EncodeRune(t.Buf[n:], lr)
		} else {
			n = -1
		}
		j += size
	}
done:
	t.Kind, t.Start, t.End, t.Digits, t.Num = Word, i, j, digits, 0
	if n < 0 {
		n = 0
	}
	t.N = n
	if digits {
		t.Num = num
	}
	return j
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// IsHan reports whether r is a Han ideograph, by Unicode block (no Unicode tables: they would
// cost about 85 KB of compressed wasm).
func IsHan(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, // CJK Unified Ideographs, by far the most common
		r >= 0x3400 && r <= 0x4DBF,   // Extension A
		r >= 0x20000 && r <= 0x323AF, // Extensions B to H
		r >= 0xF900 && r <= 0xFAFF,   // Compatibility Ideographs
		r >= 0x2E80 && r <= 0x2FDF,   // Radicals
		r == 0x3005, r == 0x3007:     // 々 〇
		return true
	}
	return false
}

// IsBreakRune reports whether r ends a clause.
func IsBreakRune(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '(', ')', '\n',
		'，', '。', '；', '：', '！', '？', '、', '（', '）', '…', '—', '｡', '､':
		return true
	}
	return false
}

// IsWordRune reports whether r belongs to a word (Han characters excepted: they form Han
// tokens). Beyond ASCII it counts every rune as a letter except the common separators,
// punctuation, symbols and emoji.
func IsWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := asciiClass[r]
		return c == clsLower || c == clsUpper || c == clsDigit
	}
	switch {
	case r <= 0xBF: // Latin-1 punctuation and symbols: no-break space, « », ¿ ...
		return r == 0xAA || r == 0xB5 || r == 0xBA
	case r == 0xD7, r == 0xF7, // × ÷
		r >= 0x2000 && r <= 0x2BFF,                                                                                     // general punctuation, symbols, arrows, shapes
		r >= 0x3000 && r <= 0x303F,                                                                                     // CJK punctuation
		r >= 0xFE30 && r <= 0xFE4F,                                                                                     // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF0F, r >= 0xFF1A && r <= 0xFF20, r >= 0xFF3B && r <= 0xFF40, r >= 0xFF5B && r <= 0xFF65, // full-width punctuation
		r >= 0x1F000, // emoji and pictographs
		r == 0xFEFF, r == 0xFFFD:
		return false
	}
	return !IsHan(r)
}

// ToLower lower-cases the letters of Latin-1, Latin Extended-A, Greek and Cyrillic; other runes
// are returned as they are. (The lexicon is English and Chinese; this keeps accented words of
// other languages matching their own lower-case forms without Unicode tables.)
func ToLower(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r >= 0xC0 && r <= 0xDE && r != 0xD7, r >= 0x391 && r <= 0x3AB && r != 0x3A2, r >= 0x410 && r <= 0x42F:
		return r + 32
	case r >= 0x400 && r <= 0x40F:
		return r + 80
	case r >= 0x100 && r <= 0x137, r >= 0x14A && r <= 0x177:
		return r | 1
	case r >= 0x139 && r <= 0x148, r >= 0x179 && r <= 0x17E:
		if r%2 == 1 {
			return r + 1
		}
	}
	return r
}

// DecodeRune is utf8.DecodeRuneInString with the three-byte forms of Han text decoded inline
// (the general decoder is a function call per rune, which dominates a scan of Chinese).
func DecodeRune(s string) (rune, int) {
	if len(s) >= 3 {
		b0, b1, b2 := s[0], s[1], s[2]
		if b0&0xF0 == 0xE0 && b1&0xC0 == 0x80 && b2&0xC0 == 0x80 {
			r := rune(b0&0x0F)<<12 | rune(b1&0x3F)<<6 | rune(b2&0x3F)
			// Overlong forms and surrogates are invalid: leave them to the full decoder.
			if r >= 0x800 && (r < 0xD800 || r > 0xDFFF) {
				return r, 3
			}
		}
	}
	return utf8.DecodeRuneInString(s)
}

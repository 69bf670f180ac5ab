package scan

import "unicode/utf8"

// Reference is the plain scanner that defines the token stream: one rune at a time, no tables,
// no word-at-a-time tricks. It is slower than Scanner and exists to check it (FuzzScanner).
type Reference struct {
	s string
	i int
}

// NewReference returns a reference scanner over s.
func NewReference(s string) Reference { return Reference{s: s} }

// Next reads the next token into t; it returns false at the end of the prompt.
func (sc *Reference) Next(t *Token) bool {
	s := sc.s
	for sc.i < len(s) {
		r, size := utf8.DecodeRuneInString(s[sc.i:])
		start := sc.i
		switch {
		case IsHan(r):
			end := start
			for end < len(s) {
				r, size := utf8.DecodeRuneInString(s[end:])
				if !IsHan(r) {
					break
				}
				end += size
			}
			*t = Token{Kind: Han, Start: start, End: end}
			sc.i = end
			return true
		case IsBreakRune(r):
			*t = Token{Kind: Break, Start: start, End: start + size}
			sc.i += size
			return true
		case IsWordRune(r):
			sc.i = referenceWord(s, start, t)
			return true
		}
		sc.i += size
	}
	return false
}

// referenceWord reads the word at i: word runes, and commas that have digits on both sides in
// a word of digits only.
func referenceWord(s string, i int, t *Token) int {
	var lower []byte
	digits := true
	var num int64
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if r == ',' && digits && j > i && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
			j++
			continue
		}
		if !IsWordRune(r) {
			break
		}
		if r >= '0' && r <= '9' {
			num = num*10 + int64(r-'0')
			if num > MaxNumber {
				num = MaxNumber
			}
		} else {
			digits = false
		}
		lower = utf8.AppendRune(lower, ToLower(r))
		j += size
	}
	*t = Token{Kind: Word, Start: i, End: j, Digits: digits}
	if len(lower) <= MaxWord {
		t.N = copy(t.Buf[:], lower)
	}
	if digits {
		t.Num = num
	}
	return j
}

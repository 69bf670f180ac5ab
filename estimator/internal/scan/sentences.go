package scan

import "unicode/utf8"

// Sentences calls yield with the byte span of each sentence of s, in order, until yield returns
// false: the text between sentence ends, without the surrounding white space, skipping empty
// ones. A sentence ends at a line break, at "!", "?" or ";", at "." followed by white space or
// the end ("3.5 m", "e.g." inside a sentence and "www.x.com" do not end one), and at their
// CJK forms "。", "！", "？" and "；". The analyzer and its trainer read the same spans
// (docs/complexity.md, "The heaviest sentence").
func Sentences(s string, yield func(start, end int) bool) {
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && !mayEnd[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			// The CJK ends start with 0xE3 (。) or 0xEF (！？；); other bytes are skipped
			// undecoded (a continuation byte is never a lead byte, so no end is missed).
			if r != 0xE3 && r != 0xEF {
				i++
				continue
			}
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		end := false
		switch r {
		case '\n', '\r', '!', '?', ';', '。', '！', '？', '；':
			end = true
		case '.':
			end = i+1 == len(s) || isSpace(s[i+1])
		}
		if end {
			if !emit(s, start, i, yield) {
				return
			}
			start = i + size
		}
		i += size
	}
	emit(s, start, len(s), yield)
}

// emit yields s[start:end] without its surrounding white space, unless nothing is left; it
// reports whether to go on.
func emit(s string, start, end int, yield func(start, end int) bool) bool {
	for start < end && isSpace(s[start]) {
		start++
	}
	for end > start && isSpace(s[end-1]) {
		end--
	}
	return start == end || yield(start, end)
}

// mayEnd marks the bytes that may end a sentence or start a CJK sentence end; the rest are
// skipped in a tight loop.
var mayEnd = [256]bool{'\n': true, '\r': true, '!': true, '?': true, ';': true, '.': true, 0xE3: true, 0xEF: true}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}

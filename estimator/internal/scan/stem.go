package scan

// Stem reduces a lower-cased English word in place to a crude stem shared by its inflected
// forms, and returns the stem's length and whether the word is a plural (or third person):
// a removed -s, or an irregular -men ("horsemen", kept as it is):
//
//	explosions, explosion       → explosion
//	crash, crashes, crashing, crashed → crash
//	dance, dances, dancing, danced    → danc
//	run, runs, running          → run
//	fly, flies, flying          → fly
//	glass, glasses              → glas
//
// The stem is not a word; it is a key. The lexicon's terms are stemmed by the same function,
// so a term matches every form of a word that stems alike. The rules are few and fixed (no
// dictionary): possessive 's, plural -s/-es/-ies, -ing, -ed/-ied, a final silent e, and a final
// doubled consonant, each only when enough of the word is left ("bed", "sing", "news" keep
// their letters where a rule would leave fewer than three).
func Stem(b []byte) (n int, plural bool) {
	n = len(b)
	switch {
	case n >= 3 && b[n-2] == '\'' && b[n-1] == 's':
		n -= 2
	case n >= 2 && b[n-1] == '\'':
		n--
	}
	switch {
	case n > 4 && b[n-3] == 'i' && b[n-2] == 'e' && b[n-1] == 's':
		b[n-3] = 'y'
		n -= 2
		plural = true
	case n >= 4 && b[n-1] == 's' && b[n-2] != 's' && b[n-2] != 'u' && b[n-2] != 'i' && b[n-2] != '\'':
		n--
		plural = true
	case n >= 3 && b[n-3] == 'm' && b[n-2] == 'e' && b[n-1] == 'n':
		// men, women, horsemen, firemen: plural, and kept as they are.
		return n, true
	}
	switch {
	case n >= 6 && b[n-3] == 'i' && b[n-2] == 'n' && b[n-1] == 'g' && hasVowel(b[:n-3]):
		n -= 3
	case n >= 5 && b[n-3] == 'i' && b[n-2] == 'e' && b[n-1] == 'd':
		b[n-3] = 'y'
		n -= 2
	case n >= 5 && b[n-2] == 'e' && b[n-1] == 'd' && hasVowel(b[:n-2]):
		n -= 2
	}
	if n >= 4 && b[n-1] == 'e' {
		n--
	}
	if n >= 4 && b[n-1] == b[n-2] && isConsonant(b[n-1]) {
		n--
	}
	return n, plural
}

func isConsonant(c byte) bool {
	return c >= 'a' && c <= 'z' && c != 'a' && c != 'e' && c != 'i' && c != 'o' && c != 'u'
}

func hasVowel(b []byte) bool {
	for _, c := range b {
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			return true
		}
	}
	return false
}

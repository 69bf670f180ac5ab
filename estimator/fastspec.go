package estimator

import (
	"unicode/utf8"
	"unsafe"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
)

// fastSpec decodes the common quote request — one flat object of the Spec's members, strings
// without escapes, plain numbers — in one pass, without building a JSON tree: under wasm the
// tree was most of a quote's decoding. Anything else (escapes, null, an unknown or repeated
// member, a value the strict decoder would refuse or reword) makes it answer ok == false, and
// the caller decodes the request the usual way, so every error, and every accepted request,
// comes out exactly as decodeSpec gives it (FuzzFastSpec compares the two).
func fastSpec(data []byte) (s Spec, ok bool) {
	const (
		hasResolution = 1 << iota
		hasFPS
		hasDuration
		hasPrompt
		hasComplexity
		hasMode
		hasCount
		hasLocale
	)
	var seen int
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return Spec{}, false
	}
	for {
		i = skipSpace(data, i+1)
		ks, ke, next, ok := plainStringSpan(data, i)
		if !ok {
			return Spec{}, false
		}
		key := data[ks:ke]
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return Spec{}, false
		}
		i = skipSpace(data, i+1)
		if i >= len(data) {
			return Spec{}, false
		}
		var str, num string
		if data[i] == '"' {
			str, i, ok = plainString(data, i)
		} else {
			num, i, ok = plainNumber(data, i)
		}
		if !ok {
			return Spec{}, false
		}
		isStr := num == ""
		var bit int
		switch string(key) { // compared without a copy
		case "resolution":
			bit, s.Resolution = hasResolution, str
			ok = isStr
		case "fps":
			bit = hasFPS
			s.FPS, ok = fastFixed(num, 0, isStr)
		case "durationSeconds":
			bit = hasDuration
			s.DurationMillis, ok = fastFixed(num, 3, isStr)
		case "prompt":
			bit, s.Prompt = hasPrompt, str
			ok = isStr
		case "complexity":
			bit, s.Complexity = hasComplexity, str
			ok = isStr && str != ""
		case "mode":
			bit, s.Mode = hasMode, str
			ok = isStr && str != ""
		case "count":
			bit = hasCount
			s.Count, ok = fastFixed(num, 0, isStr)
			ok = ok && s.Count >= 1
		case "locale":
			bit, s.Locale = hasLocale, str
			ok = isStr && checkLocale(str, "locale") == nil
		default:
			return Spec{}, false
		}
		if !ok || seen&bit != 0 {
			return Spec{}, false
		}
		seen |= bit
		i = skipSpace(data, i)
		if i >= len(data) {
			return Spec{}, false
		}
		if data[i] == '}' {
			break
		}
		if data[i] != ',' {
			return Spec{}, false
		}
	}
	if skipSpace(data, i+1) != len(data) || seen&(hasResolution|hasFPS|hasDuration) != hasResolution|hasFPS|hasDuration {
		return Spec{}, false
	}
	if seen&hasComplexity == 0 {
		s.Complexity = complexityAuto
	}
	if seen&hasMode == 0 {
		s.Mode = modeGenerate
	}
	if seen&hasCount == 0 {
		s.Count = 1
	}
	return s, true
}

// plainString reads the JSON string starting at data[i] when it has no escapes and is valid
// UTF-8, and returns a copy of its text and the index after its closing quote.
func plainString(data []byte, i int) (string, int, bool) {
	start, end, next, ok := plainStringSpan(data, i)
	if !ok {
		return "", 0, false
	}
	return string(data[start:end]), next, true
}

// plainStringSpan is plainString's text as data[start:end], without a copy.
func plainStringSpan(data []byte, i int) (start, end, next int, ok bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, 0, 0, false
	}
	start, ascii := i+1, true
	for j := start; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(data[start:j]) {
				return 0, 0, 0, false
			}
			return start, j, j + 1, true
		case c == '\\' || c < 0x20:
			return 0, 0, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0, 0, 0, false
}

// plainNumber reads the JSON number starting at data[i] when it has no sign and no exponent. The
// literal it returns shares data's bytes: it must not outlive the call that decodes it.
func plainNumber(data []byte, i int) (string, int, bool) {
	start := i
	for i < len(data) && (data[i] >= '0' && data[i] <= '9' || data[i] == '.') {
		i++
	}
	if i == start || i-start > 24 {
		return "", 0, false
	}
	// A view of the bytes, not a copy: the literal is only read (jsonx.ParseFixed), never kept.
	lit := unsafe.String(&data[start], i-start)
	// JSON's grammar: no leading zero before a digit, digits on both sides of a point.
	if lit[0] == '.' || lit[len(lit)-1] == '.' || (lit[0] == '0' && len(lit) > 1 && lit[1] != '.') {
		return "", 0, false
	}
	return lit, i, true
}

// fastFixed is fixedValue for a plain number that the strict decoder accepts within ±anyInt.
func fastFixed(lit string, places int, isStr bool) (int64, bool) {
	if isStr {
		return 0, false
	}
	n, err := jsonx.ParseFixed(lit, places)
	if err != nil || n < -anyInt || n > anyInt {
		return 0, false
	}
	return n, true
}

package jsonx

import (
	"math/bits"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Limits bounds the work Parse does.
type Limits struct {
	MaxDepth  int // nesting depth of arrays/objects; 0 (or less) means 64
	MaxBytes  int // 0 (or less) means no limit; longer input → too_large
	MaxValues int // values (scalars, arrays, objects) in the document; 0 (or less) means no limit; more → too_many_values
	// KnownUnique skips the search for duplicate keys, for input known to have none because
	// the same bytes were parsed with the search (an embedded document its tests parse): in
	// objects of thousands of members, that search is most of the work.
	KnownUnique bool
}

// DefaultMaxDepth is the nesting depth used when Limits.MaxDepth is 0.
const DefaultMaxDepth = 64

// dupMapAt is the member count from which duplicate keys are detected with
// a map instead of a linear scan.
const dupMapAt = 16

// Parse parses exactly one JSON value (RFC 8259) with optional surrounding
// whitespace. See the package comment for the extra strictness. Every error
// is an *Error. Strings and number literals of the result share one copy of
// data.
func Parse(data []byte, lim Limits) (Value, error) {
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return Value{}, &Error{Code: CodeTooLarge, Offset: lim.MaxBytes,
			Reason: "input larger than " + strconv.Itoa(lim.MaxBytes) + " bytes"}
	}
	sc := scratchPool.Get().(*scratch)
	p := parser{s: string(data), maxDepth: lim.MaxDepth, budget: lim.MaxValues, knownUnique: lim.KnownUnique, scratch: *sc}
	if p.budget <= 0 {
		p.budget = -1 // never reaches 0
	}
	if p.maxDepth <= 0 {
		p.maxDepth = DefaultMaxDepth
	}
	v, err := p.parse()
	sc.release(p.scratch)
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

// scratch is the parser's working space. It is reused across calls through
// scratchPool: allocating it anew cost three allocations per Parse, which
// the wasm garbage collector makes expensive.
type scratch struct {
	stack []frame
	vals  []Value  // elements of open arrays
	mems  []Member // members of open objects
}

// Scratch slices that grew beyond these lengths are not kept.
// maxPooledVals covers estimator.MaxRequestValues, so that no accepted request allocates new scratch.
const maxPooledVals, maxPooledFrames = 1024, 64

var scratchPool = sync.Pool{New: func() any {
	// Sized for typical documents; it grows when needed.
	return &scratch{
		stack: make([]frame, 0, 8),
		vals:  make([]Value, 0, 16),
		mems:  make([]Member, 0, 16),
	}
}}

// release puts used scratch space (possibly grown) back into the pool,
// cleared so that the pool keeps nothing of the input alive.
func (sc *scratch) release(used scratch) {
	if cap(used.vals) > maxPooledVals || cap(used.mems) > maxPooledVals || cap(used.stack) > maxPooledFrames {
		return
	}
	// Closing a container clears its elements, so only what an error left
	// open is still set in vals and mems; popped frames keep their keys.
	clear(used.stack[:cap(used.stack)])
	clear(used.vals)
	clear(used.mems)
	*sc = scratch{stack: used.stack[:0], vals: used.vals[:0], mems: used.mems[:0]}
	scratchPool.Put(sc)
}

// frame is an open array or object.
type frame struct {
	obj    bool
	inElem bool   // a member value / element is being parsed
	start  int    // first index of this container in parser.vals / parser.mems
	key    string // object: key of the member being parsed
	seen   map[string]struct{}
}

type parser struct {
	s           string
	i           int
	maxDepth    int
	knownUnique bool // Limits.KnownUnique
	// budget is how many more values may start; the value that would take it below zero is
	// refused before anything of it is built, so a document's tree never exceeds the limit.
	budget int
	scratch
}

func (p *parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// path renders the path of the value being parsed.
func (p *parser) path() string {
	var b []byte
	for k := range p.stack {
		f := &p.stack[k]
		if !f.inElem {
			break
		}
		if f.obj {
			if len(b) > 0 {
				b = append(b, '.')
			}
			b = append(b, f.key...)
		} else {
			// This array's elements end where the next open array's begin (an open inner
			// array's elements sit above them in vals).
			end := len(p.vals)
			for j := k + 1; j < len(p.stack); j++ {
				if !p.stack[j].obj {
					end = p.stack[j].start
					break
				}
			}
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(end-f.start), 10)
			b = append(b, ']')
		}
	}
	return string(b)
}

func (p *parser) fail(code string, off int, reason string) *Error {
	return &Error{Code: code, Offset: off, Path: p.path(), Reason: reason}
}

func (p *parser) eof() *Error {
	return p.fail(CodeInvalidJSON, len(p.s), "unexpected end of input")
}

// unexpected reports the byte at i, which does not fit the grammar. Invalid
// UTF-8 there is reported as invalid_utf8.
func (p *parser) unexpected(i int, want string) *Error {
	if i >= len(p.s) {
		return p.eof()
	}
	c := p.s[i]
	if c >= utf8.RuneSelf {
		r, size := utf8.DecodeRuneInString(p.s[i:])
		if r == utf8.RuneError && size == 1 {
			return p.fail(CodeInvalidUTF8, i, "invalid UTF-8 byte")
		}
		return p.fail(CodeInvalidJSON, i, "unexpected character "+quoteRune(r)+want)
	}
	return p.fail(CodeInvalidJSON, i, "unexpected character "+quoteRune(rune(c))+want)
}

func (p *parser) parse() (Value, *Error) {
	s := p.s
	var v Value
	for {
		// Parse the start of a value.
		p.ws()
		if p.i >= len(s) {
			return Value{}, p.eof()
		}
		if p.budget == 0 {
			return Value{}, p.fail(CodeTooManyValues, p.i, "more values than the limit allows")
		}
		p.budget--
		switch c := s[p.i]; c {
		case '{', '[':
			if len(p.stack) >= p.maxDepth {
				return Value{}, p.fail(CodeTooDeep, p.i, "nesting deeper than "+strconv.Itoa(p.maxDepth))
			}
			p.i++
			p.ws()
			if c == '[' {
				if p.i < len(s) && s[p.i] == ']' {
					p.i++
					v = Value{Kind: Array}
					break
				}
				p.stack = append(p.stack, frame{start: len(p.vals), inElem: true})
				continue
			}
			if p.i < len(s) && s[p.i] == '}' {
				p.i++
				v = Value{Kind: Object}
				break
			}
			p.stack = append(p.stack, frame{obj: true, start: len(p.mems)})
			if err := p.key(); err != nil {
				return Value{}, err
			}
			continue
		case '"':
			str, err := p.str()
			if err != nil {
				return Value{}, err
			}
			v = Value{Kind: String, Str: str}
		case 't':
			if err := p.lit("true"); err != nil {
				return Value{}, err
			}
			v = Value{Kind: Bool, Bool: true}
		case 'f':
			if err := p.lit("false"); err != nil {
				return Value{}, err
			}
			v = Value{Kind: Bool}
		case 'n':
			if err := p.lit("null"); err != nil {
				return Value{}, err
			}
			v = Value{Kind: Null}
		default:
			if c != '-' && (c < '0' || c > '9') {
				return Value{}, p.unexpected(p.i, " at start of value")
			}
			end, bad, reason := scanNumber(s, p.i)
			if reason != "" {
				if bad >= len(s) {
					return Value{}, p.eof()
				}
				if reason == reasonUnexpected {
					return Value{}, p.unexpected(bad, " in number")
				}
				return Value{}, p.fail(CodeInvalidJSON, bad, reason)
			}
			v = Value{Kind: Number, Str: s[p.i:end]}
			p.i = end
		}

		// A value is complete: hand it to the enclosing containers, closing
		// those that end here.
		for {
			n := len(p.stack)
			if n == 0 {
				p.ws()
				if p.i < len(s) {
					return Value{}, p.unexpected(p.i, " after top-level value")
				}
				return v, nil
			}
			f := &p.stack[n-1]
			if f.obj {
				p.mems = append(p.mems, Member{Key: f.key, Value: v})
			} else {
				p.vals = append(p.vals, v)
			}
			f.inElem = false
			p.ws()
			if p.i >= len(s) {
				return Value{}, p.eof()
			}
			c := s[p.i]
			if c == ',' {
				p.i++
				if f.obj {
					if err := p.key(); err != nil {
						return Value{}, err
					}
				} else {
					f.inElem = true
				}
				break
			}
			if f.obj {
				if c != '}' {
					return Value{}, p.unexpected(p.i, ", expected ',' or '}' after object member")
				}
				ms := make([]Member, len(p.mems)-f.start)
				copy(ms, p.mems[f.start:])
				clear(p.mems[f.start:])
				p.mems = p.mems[:f.start]
				v = Value{Kind: Object, Members: ms}
			} else {
				if c != ']' {
					return Value{}, p.unexpected(p.i, ", expected ',' or ']' after array element")
				}
				vs := make([]Value, len(p.vals)-f.start)
				copy(vs, p.vals[f.start:])
				clear(p.vals[f.start:])
				p.vals = p.vals[:f.start]
				v = Value{Kind: Array, Items: vs}
			}
			p.i++
			p.stack = p.stack[:n-1]
		}
	}
}

// key parses `"key" :` of the innermost (object) frame, checking for a
// duplicate.
func (p *parser) key() *Error {
	p.ws()
	if p.i >= len(p.s) {
		return p.eof()
	}
	if p.s[p.i] != '"' {
		return p.unexpected(p.i, ", expected string object key")
	}
	at := p.i
	k, err := p.str()
	if err != nil {
		return err
	}
	f := &p.stack[len(p.stack)-1]
	f.key, f.inElem = k, true
	ms := p.mems[f.start:]
	dup := false
	switch {
	case p.knownUnique:
	case f.seen != nil:
		_, dup = f.seen[k]
		f.seen[k] = struct{}{}
	case len(ms) >= dupMapAt:
		f.seen = make(map[string]struct{}, 2*len(ms))
		for i := range ms {
			f.seen[ms[i].Key] = struct{}{}
		}
		_, dup = f.seen[k]
		f.seen[k] = struct{}{}
	default:
		for i := range ms {
			if ms[i].Key == k {
				dup = true
				break
			}
		}
	}
	if dup {
		return p.fail(CodeDuplicateField, at, "duplicate key "+string(AppendString(nil, k)))
	}
	p.ws()
	if p.i >= len(p.s) {
		return p.eof()
	}
	if p.s[p.i] != ':' {
		return p.unexpected(p.i, ", expected ':' after object key")
	}
	p.i++
	return nil
}

func (p *parser) lit(word string) *Error {
	for j := 0; j < len(word); j++ {
		if p.i+j >= len(p.s) {
			return p.eof()
		}
		if p.s[p.i+j] != word[j] {
			return p.unexpected(p.i+j, " in literal "+word)
		}
	}
	p.i += len(word)
	return nil
}

// strSafe marks ASCII bytes that stand for themselves inside a string.
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str parses the string starting at p.s[p.i] == '"'. Without escapes the
// result is a substring of the input.
func (p *parser) str() (string, *Error) {
	s := p.s
	start := p.i + 1
	i := start
	for {
		// Skip plain bytes eight at a time while eight remain (skipPlain written out: a call
		// per run is costly under wasm), then one by one.
		for i+8 <= len(s) {
			if m := strStop(load64(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(s) && strSafe[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			return s[start:i], nil
		case c == '\\':
			return p.strEscaped(start, i)
		case c < 0x20:
			return "", p.fail(CodeInvalidJSON, i, "control character in string")
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return "", p.fail(CodeInvalidUTF8, i, "invalid UTF-8 in string")
		}
		i += size
	}
	return "", p.eof()
}

// strEscaped continues str from the first backslash at i.
func (p *parser) strEscaped(start, i int) (string, *Error) {
	s := p.s
	b := make([]byte, 0, i-start+16)
	b = append(b, s[start:i]...)
	for i < len(s) {
		if j := skipPlain(s, i); j > i {
			b = append(b, s[i:j]...)
			i = j
			if i >= len(s) {
				break
			}
		}
		c := s[i]
		if strSafe[c] {
			b = append(b, c)
			i++
			continue
		}
		switch {
		case c == '"':
			p.i = i + 1
			return string(b), nil
		case c == '\\':
			if i+1 >= len(s) {
				return "", p.eof()
			}
			e := s[i+1]
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, err := p.hex4(i + 2)
				if err != nil {
					return "", err
				}
				at := i
				i += 6
				if r >= 0xDC00 && r <= 0xDFFF {
					return "", p.fail(CodeInvalidUTF8, at, "lone surrogate in \\u escape")
				}
				if r >= 0xD800 && r <= 0xDBFF {
					if i+1 >= len(s) || s[i] != '\\' || s[i+1] != 'u' {
						if i+1 >= len(s) && (i >= len(s) || s[i] == '\\') {
							return "", p.eof()
						}
						return "", p.fail(CodeInvalidUTF8, at, "lone surrogate in \\u escape")
					}
					lo, err := p.hex4(i + 2)
					if err != nil {
						return "", err
					}
					if lo < 0xDC00 || lo > 0xDFFF {
						return "", p.fail(CodeInvalidUTF8, at, "lone surrogate in \\u escape")
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					i += 6
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return "", p.unexpected(i+1, " in escape sequence")
			}
			i += 2
			continue
		case c < 0x20:
			return "", p.fail(CodeInvalidJSON, i, "control character in string")
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return "", p.fail(CodeInvalidUTF8, i, "invalid UTF-8 in string")
		}
		b = append(b, s[i:i+size]...)
		i += size
	}
	return "", p.eof()
}

// hex4 decodes the four hex digits at s[i:].
func (p *parser) hex4(i int) (rune, *Error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(p.s) {
			return 0, p.eof()
		}
		c := p.s[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, p.unexpected(j, " in \\u escape")
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

const reasonUnexpected = "unexpected"

// scanNumber scans the JSON number literal at s[i:]. It returns the end of
// the literal; on a syntax error it returns the offending offset (len(s) at
// end of input) and a non-empty reason (reasonUnexpected when the byte there
// simply does not fit). The literal ends at the first byte that cannot
// continue it; callers check what follows.
func scanNumber(s string, i int) (end, bad int, reason string) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return 0, i, reasonUnexpected
	}
	switch c := s[i]; {
	case c == '0':
		i++
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			return 0, i, "leading zero in number"
		}
	case c >= '1' && c <= '9':
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return 0, i, reasonUnexpected
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, i, reasonUnexpected
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, i, reasonUnexpected
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i, 0, ""
}

// quoteRune formats r for an error message like strconv.QuoteRune does for printable ASCII
// ('x', '\”), and as U+XXXX otherwise, without strconv's Unicode tables.
func quoteRune(r rune) string {
	switch {
	case r == '\'' || r == '\\':
		return "'\\" + string(r) + "'"
	case r > ' ' && r < 0x7f:
		return "'" + string(r) + "'"
	}
	hex := strconv.FormatInt(int64(r), 16)
	for len(hex) < 4 {
		hex = "0" + hex
	}
	return "U+" + hex
}

package estimator

import "github.com/creditestimator/creditestimator/estimator/internal/jsonx"

// Instants without the time package (it would cost the wasm module ~30 KB), like Date. The
// ledger stores instants as microseconds since the Unix epoch, UTC; the credit model (credits.go,
// period.go) works on the same unit, and a Date is its midnight UTC instant, so the wallet
// preview (dates) and the ledger (instants) go through the same functions.

// Instant is a moment: microseconds since 1970-01-01T00:00:00Z (negative before), always UTC.
type Instant int64

// Microseconds in a day; a civil day in UTC has no leap seconds or time-zone changes.
const microsPerDay = 86_400_000_000

// Instant returns midnight UTC at the start of t.
func (t Date) Instant() Instant { return Instant(t) * microsPerDay }

// Date returns the UTC calendar day t falls on.
func (t Instant) Date() Date {
	d := int64(t) / microsPerDay
	if int64(t)%microsPerDay < 0 {
		d--
	}
	return Date(d)
}

// AddDays returns the instant n days of 24 hours after t (before, for negative n).
func (t Instant) AddDays(n int64) Instant { return t + Instant(n*microsPerDay) }

// clock returns the microseconds since midnight UTC of t's day.
func (t Instant) clock() int64 { return int64(t - t.Date().Instant()) }

// String formats t in RFC 3339 in UTC with up to microseconds, trailing zeros of the fraction
// dropped ("2026-11-29T15:41:36.4165Z", "2026-12-01T00:00:00Z"): the ledger's form.
func (t Instant) String() string { return string(t.AppendText(nil)) }

// AppendText appends String's form of t to dst.
func (t Instant) AppendText(dst []byte) []byte {
	dst = t.Date().AppendText(dst)
	c := t.clock()
	s := c / 1_000_000
	frac := c % 1_000_000
	two := func(dst []byte, n int64) []byte { return append(dst, byte('0'+n/10), byte('0'+n%10)) }
	dst = append(dst, 'T')
	dst = two(dst, s/3600)
	dst = append(dst, ':')
	dst = two(dst, s/60%60)
	dst = append(dst, ':')
	dst = two(dst, s%60)
	if frac != 0 {
		digits := []byte{'.', 0, 0, 0, 0, 0, 0}
		for i := 6; i >= 1; i-- {
			digits[i] = byte('0' + frac%10)
			frac /= 10
		}
		n := len(digits)
		for digits[n-1] == '0' {
			n--
		}
		dst = append(dst, digits[:n]...)
	}
	return append(dst, 'Z')
}

// ParseInstant parses an RFC 3339 time in UTC with at most microseconds:
// "YYYY-MM-DDTHH:MM:SS[.f…]Z" (the form String writes), or a bare date "YYYY-MM-DD" (midnight UTC).
// Years are 1900–9999, like Date. Offsets other than Z are refused: every instant of the credit
// model is UTC.
func ParseInstant(s string) (Instant, bool) {
	if len(s) < 10 {
		return 0, false
	}
	d, ok := ParseDate(s[:10])
	if !ok {
		return 0, false
	}
	if len(s) == 10 {
		return d.Instant(), true
	}
	rest := s[10:]
	if len(rest) < 10 || (rest[0] != 'T' && rest[0] != 't') || rest[3] != ':' || rest[6] != ':' || (rest[len(rest)-1] != 'Z' && rest[len(rest)-1] != 'z') {
		return 0, false
	}
	num := func(b string) (int64, bool) {
		if len(b) == 0 {
			return 0, false
		}
		var n int64
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int64(b[i]-'0')
		}
		return n, true
	}
	h, ok1 := num(rest[1:3])
	m, ok2 := num(rest[4:6])
	sec, ok3 := num(rest[7:9])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	var micros int64
	if frac := rest[9 : len(rest)-1]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 7 {
			return 0, false
		}
		f, ok := num(frac[1:])
		if !ok {
			return 0, false
		}
		for i := len(frac) - 1; i < 6; i++ {
			f *= 10
		}
		micros = f
	}
	return d.Instant() + Instant((h*3600+m*60+sec)*1_000_000+micros), true
}

// instant reads a required or optional RFC 3339 instant member (or a bare date, midnight UTC).
func (o object) instant(key string, required bool, def Instant) (Instant, string, *Error) {
	v, p, ok := o.get(key)
	if !ok || v.Kind == jsonx.Null {
		if required {
			return 0, p, missing(p)
		}
		return def, p, nil
	}
	if v.Kind != jsonx.String {
		return 0, p, typeError(p, "an RFC 3339 time string in UTC (\"2026-11-29T15:41:36Z\") or a date \"YYYY-MM-DD\"", v)
	}
	t, okt := ParseInstant(v.Str)
	if !okt {
		return 0, p, newError(CodeInvalidDate, p, "must be an RFC 3339 time in UTC (\"2026-11-29T15:41:36.5Z\", at most microseconds) or a date \"YYYY-MM-DD\", years 1900–9999, not "+quoteShort(v.Str))
	}
	return t, p, nil
}

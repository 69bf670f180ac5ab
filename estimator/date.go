package estimator

import "strconv"

// Civil dates without the time package (it would cost the wasm module ~30 KB). A Date is a
// proleptic Gregorian calendar day, counted in days since 1970-01-01; there is no time of day
// and no time zone. Every economics request takes its dates explicitly, so results never
// depend on a hidden "now".

// Date is a calendar day: days since 1970-01-01 (negative before).
type Date int64

// The range of dates requests may use: years 1900 through 9999.
const (
	minDateYear = 1900
	maxDateYear = 9999
)

// DateOf returns the date of year y, month m (1–12), day d. ok is false for a day that does
// not exist or a year outside 1900–9999.
func DateOf(y, m, d int64) (Date, bool) {
	if y < minDateYear || y > maxDateYear || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return Date(daysFromCivil(y, m, d)), true
}

// ParseDate parses the strict form "YYYY-MM-DD" (exactly 10 bytes, zero-padded).
func ParseDate(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	num := func(b string) (int64, bool) {
		var n int64
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int64(b[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	return DateOf(y, m, d)
}

// Civil returns the year, month and day of t.
func (t Date) Civil() (y, m, d int64) { return civilFromDays(int64(t)) }

// AddDays returns the date n days after t (before, for negative n).
func (t Date) AddDays(n int64) Date { return t + Date(n) }

// String formats t as "YYYY-MM-DD".
func (t Date) String() string { return string(t.AppendText(nil)) }

// AppendText appends String's form of t to dst.
func (t Date) AppendText(dst []byte) []byte {
	y, m, d := t.Civil()
	if y < 0 || y > 9999 { // only derived dates (an expiry past 9999) get here
		dst = strconv.AppendInt(dst, y, 10)
		dst = append(dst, '-')
	} else {
		dst = append(dst, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	}
	dst = append(dst, byte('0'+m/10), byte('0'+m%10), '-')
	return append(dst, byte('0'+d/10), byte('0'+d%10))
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic
// Gregorian date (valid here for positive years).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

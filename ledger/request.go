package ledger

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
)

// Error codes of the ledger, beyond the estimator's (whose codes the spec decoder reports).
const (
	CodeUnauthorized          = "unauthorized"
	CodeNotFound              = "not_found"
	CodeInsufficientCredits   = "insufficient_credits"
	CodeStaleQuote            = "stale_quote"
	CodeIdempotencyConflict   = "idempotency_conflict"
	CodeMissingIdempotencyKey = "missing_idempotency_key"
	CodeHoldSettled           = "hold_settled"
	CodeHoldReleased          = "hold_released"
	CodeAlreadyGranted        = "already_granted"
	CodeRateLimited           = "rate_limited"
	CodeForbidden             = "forbidden"
	CodeUnsupportedQueue      = "unsupported_queue"
	CodeUnsupportedGrantKind  = "unsupported_grant_kind"
)

// Limits and formats.
const (
	maxCreditsHundredths   = 1_000_000_000 * 100 // one grant: at most a billion credits
	maxMemoBytes           = 200
	maxIdempotencyKeyBytes = 255
	maxEntriesPage         = 1000
	rfc3339Micro           = "2006-01-02T15:04:05.999999Z07:00"
)

func errf(code, field, msg string) *estimator.Error {
	return &estimator.Error{Code: code, Field: field, Message: msg}
}

// fields is one JSON object's members, parsed by the engine's strict parser (estimator.
// ParseRequest: one value, nothing after it, valid UTF-8, no duplicate members) and checked
// against the members a request allows.
type fields struct {
	path string
	m    map[string]estimator.RequestValue
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decodeObject decodes data as one JSON object whose members are among allowed.
func decodeObject(data []byte, path string, allowed ...string) (fields, *estimator.Error) {
	v, e := estimator.ParseRequest(data)
	if e != nil {
		return fields{path: path}, e
	}
	return objectOf(v, path, allowed...)
}

// objectOf checks that v is an object whose members are among allowed.
func objectOf(v estimator.RequestValue, path string, allowed ...string) (fields, *estimator.Error) {
	f := fields{path: path, m: map[string]estimator.RequestValue{}}
	if v.Kind() != "object" {
		return f, errf(estimator.CodeInvalidType, path, "must be a JSON object")
	}
	for _, key := range v.Keys() {
		if !slices.Contains(allowed, key) {
			return f, errf(estimator.CodeUnknownField, join(path, key), "unknown member; allowed: "+strings.Join(allowed, ", "))
		}
		f.m[key], _ = v.Get(key)
	}
	return f, nil
}

// has reports whether key is present and not null.
func (f fields) has(key string) bool {
	v, ok := f.m[key]
	return ok && v.Kind() != "null"
}

func (f fields) str(key string, required bool) (string, *estimator.Error) {
	if !f.has(key) {
		if required {
			return "", errf(estimator.CodeMissingField, join(f.path, key), "required")
		}
		return "", nil
	}
	v := f.m[key]
	if v.Kind() != "string" {
		return "", errf(estimator.CodeInvalidType, join(f.path, key), "must be a string")
	}
	return v.Str(), nil
}

// credits decodes a decimal string of credits with at most two decimals, in (0, max].
func (f fields) credits(key string, required bool) (estimator.Credits, bool, *estimator.Error) {
	s, err := f.str(key, required)
	if err != nil || (s == "" && !required && !f.has(key)) {
		return 0, false, err
	}
	c, ok := parseCredits(s)
	if !ok {
		return 0, false, errf(estimator.CodeInvalidValue, join(f.path, key), "must be a decimal number of credits with at most 2 decimals, e.g. \"5.00\"")
	}
	if c <= 0 || c > maxCreditsHundredths {
		return 0, false, errf(estimator.CodeOutOfRange, join(f.path, key), "must be more than 0 and at most 1000000000 credits")
	}
	return c, true, nil
}

// parseCredits parses "12", "12.5", "12.50" (no sign, no exponent) into hundredths.
func parseCredits(s string) (estimator.Credits, bool) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasDot && (frac == "" || len(frac) > 2)) {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	fr, _ := strconv.ParseInt(frac, 10, 64)
	return estimator.Credits(w*100 + fr), true
}

// MaxInstant is the latest instant the ledger takes: its instants are shown in RFC 3339, whose
// years have four digits.
var MaxInstant = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)

// ParseInstant reads an RFC 3339 time (or a YYYY-MM-DD date, meaning its midnight UTC) as the
// ledger takes instants: in UTC, and no later than MaxInstant (a time written with an offset
// can fall after 9999 in UTC, and would then be shown as 10000-…, which RFC 3339 cannot say).
func ParseInstant(s string) (time.Time, bool) {
	var t time.Time
	var err error
	if len(s) == 10 {
		t, err = time.Parse("2006-01-02", s)
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	t = t.UTC()
	if err != nil || t.After(MaxInstant) {
		return time.Time{}, false
	}
	return t, true
}

// lastPeriodStart bounds a plan grant's period start: a period starting later could end after
// MaxInstant.
var lastPeriodStart = time.Date(9999, 12, 1, 0, 0, 0, 0, time.UTC)

// GrantRequest is the body of POST /accounts/{id}/grants.
type GrantRequest struct {
	Kind        string // "plan", "topup" or "adjustment"
	Plan        string
	PeriodStart time.Time
	Anchor      time.Time // the plan's start (its billing periods' anchor); zero: continue or start at PeriodStart
	Credits     estimator.Credits
	Expires     time.Time
	Memo        string
}

// DecodeGrant decodes a grant request strictly.
func DecodeGrant(data []byte) (GrantRequest, *estimator.Error) {
	var g GrantRequest
	f, e := decodeObject(data, "", "kind", "plan", "periodStart", "anchor", "credits", "expires", "memo")
	if e != nil {
		return g, e
	}
	if g.Kind, e = f.str("kind", true); e != nil {
		return g, e
	}
	allowedFor := map[string][]string{
		"plan":       {"kind", "plan", "periodStart", "anchor"},
		"topup":      {"kind", "credits"},
		"adjustment": {"kind", "credits", "expires", "memo"},
	}
	allowed, ok := allowedFor[g.Kind]
	if !ok {
		return g, errf(CodeUnsupportedGrantKind, "kind", "must be plan, topup or adjustment (the trial is granted when the account is made), not "+strconv.Quote(clip(g.Kind)))
	}
	for k := range f.m {
		if !slices.Contains(allowed, k) {
			return g, errf(estimator.CodeUnknownField, k, "not a member of a "+g.Kind+" grant; allowed: "+strings.Join(allowed, ", "))
		}
	}
	switch g.Kind {
	case "plan":
		if g.Plan, e = f.str("plan", true); e != nil {
			return g, e
		}
		if g.Plan == "" {
			// An empty name names no plan: refused like a missing one, not looked up.
			return g, errf(estimator.CodeMissingField, "plan", "required")
		}
		ps, e := f.str("periodStart", true)
		if e != nil {
			return g, e
		}
		t, err := time.Parse("2006-01-02", ps)
		if err != nil {
			return g, errf(estimator.CodeInvalidDate, "periodStart", "must be a date YYYY-MM-DD, not "+strconv.Quote(clip(ps)))
		}
		if !t.Before(lastPeriodStart) {
			return g, errf(estimator.CodeInvalidDate, "periodStart", "must be before 9999-12-01: a later period would end after the year 9999")
		}
		g.PeriodStart = t.UTC()
		if f.has("anchor") {
			as, e := f.str("anchor", true)
			if e != nil {
				return g, e
			}
			a, err := time.Parse("2006-01-02", as)
			if err != nil {
				return g, errf(estimator.CodeInvalidDate, "anchor", "must be a date YYYY-MM-DD, not "+strconv.Quote(clip(as)))
			}
			g.Anchor = a.UTC()
		}
	case "topup":
		if g.Credits, _, e = f.credits("credits", true); e != nil {
			return g, e
		}
	case "adjustment":
		if g.Credits, _, e = f.credits("credits", true); e != nil {
			return g, e
		}
		ex, e := f.str("expires", true)
		if e != nil {
			return g, e
		}
		t, ok := ParseInstant(ex)
		if !ok {
			return g, errf(estimator.CodeInvalidDate, "expires", "must be an RFC 3339 time no later than 9999-12-31T23:59:59.999999Z, e.g. 2027-01-01T00:00:00Z, not "+strconv.Quote(clip(ex)))
		}
		g.Expires = t
		if g.Memo, e = f.str("memo", false); e != nil {
			return g, e
		}
		if len(g.Memo) > maxMemoBytes {
			return g, errf(estimator.CodeOutOfRange, "memo", "at most 200 bytes")
		}
		for _, r := range g.Memo {
			if r < 0x20 || r == 0x7f {
				return g, errf(estimator.CodeInvalidValue, "memo", "must not contain control characters")
			}
		}
	}
	return g, nil
}

// HoldRequest is the body of POST /accounts/{id}/holds.
type HoldRequest struct {
	Spec  estimator.Spec
	Queue string // "fast" (default) or "standard"
	// Quote is what the client showed, when it sent one: the hold is refused with stale_quote
	// when the server's price or card differs.
	HasQuote    bool
	QuoteCredit estimator.Credits
	QuoteDigest string
	// TTL is how long the hold may stay open before it is released automatically ("ttlSeconds");
	// 0 means the ledger's HoldTTL. More than its MaxHoldTTL is out_of_range.
	TTL time.Duration
}

// maxTTLSeconds bounds ttlSeconds before the ledger's own maximum is applied (100 years).
const maxTTLSeconds = 100 * 366 * 24 * 3600

// ttlSeconds reads a "ttlSeconds" member: a whole number of seconds, at least 1.
func (f fields) ttlSeconds() (time.Duration, *estimator.Error) {
	if !f.has("ttlSeconds") {
		return 0, nil
	}
	n, ok := f.m["ttlSeconds"].Int()
	if !ok {
		return 0, errf(estimator.CodeInvalidType, "ttlSeconds", "must be a whole number of seconds")
	}
	if n < 1 || n > maxTTLSeconds {
		return 0, errf(estimator.CodeOutOfRange, "ttlSeconds", "must be at least 1 second and at most the server's maximum hold TTL")
	}
	return time.Duration(n) * time.Second, nil
}

// DecodeExtend decodes the body of an extension: {"ttlSeconds":N}.
func DecodeExtend(data []byte) (time.Duration, *estimator.Error) {
	f, e := decodeObject(data, "", "ttlSeconds")
	if e != nil {
		return 0, e
	}
	if !f.has("ttlSeconds") {
		return 0, errf(estimator.CodeMissingField, "ttlSeconds", "required: the new deadline, in seconds from now")
	}
	return f.ttlSeconds()
}

// DecodeHold decodes a hold request strictly; the spec follows the quote contract's rules.
func DecodeHold(data []byte) (HoldRequest, *estimator.Error) {
	var h HoldRequest
	f, e := decodeObject(data, "", "spec", "queue", "quote", "ttlSeconds")
	if e != nil {
		return h, e
	}
	if h.TTL, e = f.ttlSeconds(); e != nil {
		return h, e
	}
	if !f.has("spec") {
		return h, errf(estimator.CodeMissingField, "spec", "required: the quote contract's spec")
	}
	if h.Spec, e = f.m["spec"].Spec(); e != nil {
		return h, e
	}
	if h.Queue, e = f.str("queue", false); e != nil {
		return h, e
	}
	if h.Queue == "" {
		h.Queue = "fast"
	}
	if h.Queue != "fast" && h.Queue != "standard" {
		return h, errf(CodeUnsupportedQueue, "queue", "must be fast or standard, not "+strconv.Quote(clip(h.Queue)))
	}
	if f.has("quote") {
		q, e := objectOf(f.m["quote"], "quote", "credits", "rateCard")
		if e != nil {
			return h, e
		}
		if h.QuoteCredit, _, e = q.credits("credits", true); e != nil {
			return h, e
		}
		if !q.has("rateCard") {
			return h, errf(estimator.CodeMissingField, "quote.rateCard", "required: the card the quote was priced with")
		}
		rc, e := objectOf(q.m["rateCard"], "quote.rateCard", "version", "digest")
		if e != nil {
			return h, e
		}
		if h.QuoteDigest, e = rc.str("digest", true); e != nil {
			return h, e
		}
		if _, e = rc.str("version", false); e != nil {
			return h, e
		}
		h.HasQuote = true
	}
	return h, nil
}

// DecodeEmpty accepts an empty body or an empty JSON object (settle, release, sign-up).
func DecodeEmpty(data []byte) *estimator.Error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	_, e := decodeObject(data, "")
	return e
}

func clip(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

package ledger

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

// FuzzDecodeRequests: the ledger's request decoders never panic, refuse with a code and never
// accept what a strict reader would not: one UTF-8 JSON object, and for a grant, values in range.
func FuzzDecodeRequests(f *testing.F) {
	for _, s := range []string{
		`{}`, ``, `{}}}}`, `{"kind":"adjustment","credits":"5","expires":"2030-01-01T00:00:00Z"}xyz`,
		`{"kind":"topup","credits":"100"}`, `{"kind":"plan","plan":"basic","periodStart":"2026-11-01"}`,
		`{"kind":"adjustment","credits":"0.01","expires":"9999-12-31T23:00:00-05:00","memo":"m"}`,
		`{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10},"queue":"standard"}`,
		`{"spec":{"resolution":"4k","fps":60,"durationSeconds":10},"quote":{"credits":"5","rateCard":{"digest":"d"}}}`,
		"{\"spec\":\"\xff\"}", `[]`, `{"a":1,"a":2}`,
		`{"count":3}`, `{"count":1e2}`, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":5,"count":4}}`,
		`{"ttlSeconds":7200}`, `{"reason":"refund","actor":"ops","memo":"m"}`, `{"credits":"5","reason":"correction","actor":"ops"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range []*estimator.Error{DecodeEmpty(data), second(DecodeGrant(data)), second(DecodeHold(data)),
			second(DecodeSettle(data)), second(DecodeExtend(data)), second(DecodeReversal(data)), second(DecodeDebit(data))} {
			if e != nil && (e.Code == "" || e.Message == "") {
				require.Failf(t, "an error without a code or message", "%#v", e)
			}
		}
		trimmed := strings.TrimSpace(string(data))
		if DecodeEmpty(data) == nil && trimmed != "" && !strings.HasPrefix(trimmed, "{") {
			require.Failf(t, "DecodeEmpty accepted", "%q", data)
		}
		if d, e := DecodeSettle(data); e == nil && (d.Count < 0 || d.Count > 1_000_000 || (d.Count > 0 && d.Spec != nil)) {
			require.Failf(t, "settle", "%+v from %q", d, data)
		}
		if ttl, e := DecodeExtend(data); e == nil && ttl <= 0 {
			require.Failf(t, "extend", "%v from %q", ttl, data)
		}
		if r, e := DecodeReversal(data); e == nil && (r.check() != nil) {
			require.Failf(t, "a decoded reversal the ledger refuses", "%+v from %q", r, data)
		}
		g, e := DecodeGrant(data)
		if e != nil {
			return
		}
		if !utf8.Valid(data) {
			require.Failf(t, "accepted invalid UTF-8", "%q", data)
		}
		switch g.Kind {
		case "plan":
			if g.Plan == "" || g.PeriodStart.IsZero() || !g.PeriodStart.Before(lastPeriodStart) {
				require.Failf(t, "plan grant", "%+v from %q", g, data)
			}
		case "topup", "adjustment":
			if g.Credits <= 0 || g.Credits > maxCreditsHundredths {
				require.Failf(t, "credits", "%d from %q", g.Credits, data)
			}
			if g.Kind == "adjustment" && (g.Expires.After(MaxInstant) || g.Expires.Location() != time.UTC) {
				require.Failf(t, "expiry", "%v from %q", g.Expires, data)
			}
		default:
			require.Failf(t, "kind", "%q from %q", g.Kind, data)
		}
	})
}

func second[T any](_ T, e *estimator.Error) *estimator.Error { return e }

// FuzzStoredOutcome: reading any stored bytes never panics, and what reads back is stored again
// as the same bytes.
func FuzzStoredOutcome(f *testing.F) {
	now := time.Date(2026, 11, 10, 12, 0, 0, 123456000, time.UTC)
	hold := Hold{ID: "hold_1", Account: "acct_1", State: HoldHeld, Queue: "fast", Credits: 500,
		Draws: []Draw{{Bucket: "bkt_1", Kind: KindTrial, Credits: 500, Expires: now}}, Created: now, Expires: now.Add(time.Hour),
		RateCard: estimator.CardRef{Version: "v", Digest: "d"}}
	q := Quote{Credits: 500, RateCard: estimator.CardRef{Version: "v", Digest: "d"}, Engine: []byte(`{"credits":"5.00"}`)}
	for _, o := range []outcome{
		{Account: &Account{ID: "acct_1", Buckets: []Bucket{{ID: "bkt_1", Kind: KindTrial, Credits: 10000, Granted: now, Expires: now}}}},
		{Account: &Account{ID: "acct_2"}},
		{Granted: &Granted{Buckets: []Bucket{}, Purchase: &Purchase{Need: 50, Credits: 10000, Engine: []byte("{}")}}},
		{Held: &Held{Hold: hold, Quote: q}},
		{Closed: &Closed{Credits: 500, Draws: []Draw{}, Hold: Hold{Draws: []Draw{}}}},
		{Err: &Error{Code: CodeInsufficientCredits, Message: "m", Needed: 3, Available: 1, TopUp: &Purchase{Engine: []byte("{}")}, Standard: &StandardOffer{"4", "slow"}, Quote: &q}},
		{Err: &Error{Code: CodeHoldSettled, Message: "m"}},
		{Closed: &Closed{Credits: 300, Draws: []Draw{{Bucket: "bkt_1", Kind: KindTrial, Credits: 300, Expires: now}}, Returned: 100,
			ReturnedDraws: []Draw{{Bucket: "bkt_1", Kind: KindTrial, Credits: 100, Expires: now}}, Hold: hold}},
		{Voided: &Voided{Bucket: "bkt_1", Kind: KindTopUp, Credits: 700, Held: 50}},
		{Debited: &Debited{Credits: 5, Draws: []Draw{}}},
		{Payment: &Payment{Ref: "stripe:cs_1", Account: "acct_1", Kind: PaymentTopUp, Buckets: []Bucket{{ID: "bkt_2", Kind: KindTopUp, Credits: 10000, Granted: now, Expires: now}}}},
		{Payment: &Payment{Ref: "stripe:refund:ch_1", Account: "acct_1", Kind: PaymentVoid, Voided: 7, Spent: 3, Note: "n"}},
	} {
		b, err := storeOutcome(o)
		require.NoError(f, err)
		back, err := loadOutcome(storedFormat, b)
		require.NoError(f, err)
		require.Equal(f, o, back)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := loadOutcome(storedFormat, b)
		if err != nil {
			return
		}
		again, err := storeOutcome(o)
		require.NoError(t, err)
		back, err := loadOutcome(storedFormat, again)
		require.NoError(t, err)
		require.Equal(t, o, back)
	})
}

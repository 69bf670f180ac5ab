package estimator

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, ok := ParseDate(s)
	require.True(t, ok, s)
	return d
}

func TestWalletSpendsSoonestExpiryFirst(t *testing.T) {
	c := Default()
	req := `{"date":"2026-11-25","buckets":[
		{"kind":"topup","credits":"300","granted":"2026-10-01"},
		{"kind":"monthly","credits":"500","granted":"2026-11-10"},
		{"kind":"priority","credits":"50","granted":"2026-11-10"},
		{"kind":"trial","credits":"100","granted":"2026-11-01"}],
		"jobs":[{"credits":"120"},{"credits":"500","date":"2026-12-01"}]}`
	m := ecDo(t, c, "wallet", req)
	bs := m["buckets"].([]any)
	// Default expiries: top-up +180 days, monthly and priority next billing date, trial +30 days.
	require.Equal(t, "2027-03-30", bs[0].(map[string]any)["expires"])
	require.Equal(t, "2026-12-10", bs[1].(map[string]any)["expires"])
	require.Equal(t, "2026-12-10", bs[2].(map[string]any)["expires"])
	require.Equal(t, "2026-12-01", bs[3].(map[string]any)["expires"])
	jobs := m["jobs"].([]any)
	// Job 0 on 11-25: trial expires first (12-01) → 100, then monthly (12-10; monthly before priority) → 20.
	require.Equal(t, []any{
		map[string]any{"bucket": jsonNum(3), "kind": "trial", "credits": "100.00"},
		map[string]any{"bucket": jsonNum(1), "kind": "monthly", "credits": "20.00"},
	}, jobs[0].(map[string]any)["paidFrom"])
	// Job 1 on 12-01: the trial has expired that day (expires is exclusive); monthly 480,
	// then priority 20.
	require.Equal(t, []any{
		map[string]any{"bucket": jsonNum(1), "kind": "monthly", "credits": "480.00"},
		map[string]any{"bucket": jsonNum(2), "kind": "priority", "credits": "20.00"},
	}, jobs[1].(map[string]any)["paidFrom"])
	require.Equal(t, true, m["covered"])
	require.Nil(t, m["options"])
	require.Equal(t, "330.00", m["expiringTotal"]) // 30 priority on 12-10, 300 top-up on 2027-03-30
	require.Equal(t, "950.00", m["balance"].(map[string]any)["total"])
}

func TestWalletUncoveredOptions(t *testing.T) {
	c := Default()
	m := ecDo(t, c, "wallet", `{"date":"2026-11-25","buckets":[{"kind":"monthly","credits":"40","granted":"2026-11-01"}],
		"jobs":[{"credits":"30"},{"credits":"30","date":"2026-11-26"},{"credits":"10","date":"2026-12-05"}]}`)
	require.Equal(t, false, m["covered"])
	jobs := m["jobs"].([]any)
	require.Equal(t, true, jobs[0].(map[string]any)["covered"])
	require.Equal(t, "20.00", jobs[1].(map[string]any)["shortfall"])
	require.Equal(t, "10.00", jobs[2].(map[string]any)["shortfall"]) // monthly expired 12-01
	o := m["options"].(map[string]any)
	tu := o["topUp"].(map[string]any)
	require.Equal(t, "2026-11-26", tu["date"])
	require.Equal(t, "30.00", tu["missing"]) // 20 on 11-26 (10 monthly left) + 10 on 12-05 (monthly expired)
	require.Equal(t, "10.00", tu["plan"].(map[string]any)["totalUsd"])
	q := o["standardQueue"].(map[string]any)
	require.Equal(t, jsonNum(2), q["jobs"])
	require.Equal(t, "40.00", q["credits"])
	require.Equal(t, "4", q["slowdown"])
}

// A top-up that expires before a later job cannot cover everything.
func TestWalletTopUpCannotReach(t *testing.T) {
	c := Default()
	m := ecDo(t, c, "wallet", `{"date":"2026-01-01","buckets":[],"jobs":[{"credits":"1"},{"credits":"1","date":"2026-12-31"}]}`)
	o := m["options"].(map[string]any)
	require.Nil(t, o["topUp"])
	require.Contains(t, o["reason"], "expire")
}

func TestWalletErrors(t *testing.T) {
	c := Default()
	many := make([]string, maxEconomicsItems+1)
	for i := range many {
		many[i] = `{"kind":"topup","credits":"1","granted":"2026-01-01"}`
	}
	manyJobs := strings.Repeat(`{"credits":"1"},`, maxEconomicsItems) + `{"credits":"1"}`
	for _, tc := range []struct{ req, code, field string }{
		{`{"date":"2026-11-25","buckets":[{"kind":"topup","credits":"1","granted":"2026-11-01","expires":"2026-11-01"}]}`, CodeInvalidDate, "buckets[0].expires"},
		{`{"date":"2026-11-25","buckets":[{"kind":"topup","credits":"1","granted":"2026-11-01","expires":"2026-10-01"}]}`, CodeInvalidDate, "buckets[0].expires"},
		{`{"date":"2026-11-31","buckets":[]}`, CodeInvalidDate, "date"},
		{`{"date":"25/11/2026","buckets":[]}`, CodeInvalidDate, "date"},
		{`{"date":20261125,"buckets":[]}`, CodeInvalidType, "date"},
		{`{"buckets":[]}`, CodeMissingField, "date"},
		{`{"date":"2026-11-25"}`, CodeMissingField, "buckets"},
		{`{"date":"2026-11-25","buckets":[` + strings.Join(many, ",") + `]}`, CodeTooManyItems, "buckets"},
		{`{"date":"2026-11-25","buckets":[],"jobs":[` + manyJobs + `]}`, CodeTooManyItems, "jobs"},
		{`{"date":"2026-11-25","buckets":[{"kind":"topup","credits":"-1","granted":"2026-11-01"}]}`, CodeOutOfRange, "buckets[0].credits"},
		{`{"date":"2026-11-25","buckets":[{"kind":"gift","credits":"1","granted":"2026-11-01"}]}`, CodeInvalidValue, "buckets[0].kind"},
		{`{"date":"2026-11-25","buckets":[{"kind":"topup","credits":"1"}]}`, CodeMissingField, "buckets[0].granted"},
		{`{"date":"2026-11-25","buckets":[{"kind":"topup","credits":"1","granted":"2026-11-01","color":1}]}`, CodeUnknownField, "buckets[0].color"},
		{`{"date":"2026-11-25","buckets":[],"jobs":[{"credits":"-5"}]}`, CodeOutOfRange, "jobs[0].credits"},
		{`{"date":"2026-11-25","buckets":[],"jobs":[{}]}`, CodeMissingField, "jobs[0].spec"},
		{`{"date":"2026-11-25","buckets":[],"jobs":[{"credits":"1","spec":{"resolution":"720p","fps":30,"durationSeconds":5}}]}`, CodeInvalidValue, "jobs[0].credits"},
		{`{"date":"2026-11-25","buckets":[],"jobs":[{"spec":{"resolution":"720p","fps":25,"durationSeconds":5}}]}`, CodeUnsupportedFPS, "jobs[0].spec.fps"},
		{`{"date":"2026-11-25","buckets":[],"jobs":[{"spec":{"resolution":"720p","fps":30,"durationSeconds":5,"count":0}}]}`, CodeOutOfRange, "jobs[0].spec.count"},
		{`{"date":"2026-11-25","buckets":[],"jobs":[{"credits":"1","date":"2026-11-24"}]}`, CodeInvalidDate, "jobs[0].date"},
		{`{"date":"2026-11-25","buckets":[{"kind":"topup","credits":"9223372036854775807","granted":"2026-11-01"}]}`, CodeOutOfRange, "buckets[0].credits"},
	} {
		e := ecErr(t, c, "wallet", tc.req)
		require.Equal(t, tc.code, e.Code, tc.req)
		require.Equal(t, tc.field, e.Field, tc.req)
	}
	// The most buckets of the most credits each (3.2·10^18 hundredths) still fit the exact
	// arithmetic and are answered.
	huge := make([]string, maxEconomicsItems)
	for i := range huge {
		huge[i] = `{"kind":"topup","credits":"1000000000000000","granted":"2026-11-01"}`
	}
	m := ecDo(t, c, "wallet", `{"date":"2026-11-25","buckets":[`+strings.Join(huge, ",")+`],"jobs":[{"credits":"1000000000000000"}]}`)
	require.Equal(t, "32000000000000000.00", m["balance"].(map[string]any)["total"])
	require.Equal(t, true, m["covered"])
	// The same need with an empty wallet: the top-up would cost more than the arithmetic holds,
	// so the option says so instead of guessing.
	m = ecDo(t, c, "wallet", `{"date":"2026-11-25","buckets":[],"jobs":[{"credits":"1000000000000000"}]}`)
	o := m["options"].(map[string]any)
	require.Nil(t, o["topUp"])
	require.Contains(t, o["reason"], "does not fit")
}

// Random wallets and jobs: balances never go negative, expired or future buckets never pay,
// every covered job is paid exactly, and the offered top-up is the least that covers.
func TestWalletProperties(t *testing.T) {
	c := Default()
	r := rand.New(rand.NewSource(7))
	base := mustDate(t, "2026-01-01")
	for iter := 0; iter < 3000; iter++ {
		req := WalletRequest{Date: base.AddDays(int64(r.Intn(60)))}
		size := 8
		if iter%10 == 0 {
			size = maxEconomicsItems // up to the limit, less the top-up the checks add
		}
		for i, n := 0, r.Intn(size); i < n; i++ {
			kind := bucketKinds[r.Intn(len(bucketKinds))]
			g := base.AddDays(int64(r.Intn(90)) - 30)
			exp, ok := c.DefaultExpiry(kind, g)
			b := Bucket{Kind: kind, Credits: Credits(r.Int63n(50_000)), Granted: g, Expires: exp}
			if kind == BucketMonthly || kind == BucketPriority {
				// Some with a fast-queue plan: priority credits then pay last (not soonest expiry
				// first), which the least top-up must still get right.
				if plans := c.Plans(); r.Intn(2) == 0 {
					b.Plan = plans[r.Intn(len(plans))].ID
				}
			}
			if !ok || r.Intn(3) == 0 {
				b.Expires = g.AddDays(1 + int64(r.Intn(40)))
			}
			req.Buckets = append(req.Buckets, b)
		}
		for i, n := 0, r.Intn(size); i < n; i++ {
			req.Jobs = append(req.Jobs, WalletJob{Date: req.Date.AddDays(int64(r.Intn(200))), Credits: Credits(r.Int63n(30_000))})
		}
		p, err := c.PreviewWallet(req)
		require.NoError(t, err)
		spent := make([]Credits, len(req.Buckets))
		var needed, paid, short Credits
		lastDate := Date(-1 << 40)
		for _, j := range p.Jobs {
			require.GreaterOrEqual(t, j.Date, lastDate, "jobs run in date order")
			lastDate = j.Date
			needed += j.Credits
			var sum Credits
			for _, pay := range j.Payments {
				b := req.Buckets[pay.Bucket]
				require.True(t, b.Granted <= j.Date && j.Date < b.Expires, "bucket %d paid outside its validity", pay.Bucket)
				require.Positive(t, pay.Credits)
				spent[pay.Bucket] += pay.Credits
				sum += pay.Credits
			}
			if j.Covered {
				require.Equal(t, j.Credits, sum)
				require.Zero(t, j.Shortfall)
				paid += j.Credits
			} else {
				require.Zero(t, sum)
				require.Positive(t, j.Shortfall)
				short += j.Credits
			}
		}
		require.Equal(t, needed, p.Needed)
		require.Equal(t, paid, p.Paid)
		require.Equal(t, short, p.Shortfall)
		var expiring Credits
		for i, b := range p.Buckets {
			require.Equal(t, spent[i], b.Spent)
			require.GreaterOrEqual(t, b.Remaining, Credits(0))
			require.Equal(t, b.Credits, b.Spent+b.Remaining)
			expiring += b.Remaining
		}
		require.Equal(t, expiring, p.ExpiringTotal)
		require.Equal(t, p.Shortfall == 0, p.Covered)
		if p.Covered {
			require.Nil(t, p.Options)
			continue
		}
		require.NotNil(t, p.Options)
		if tu := p.Options.TopUp; tu != nil {
			// Buying the plan covers every job; one hundredth less than "missing" does not.
			covers := func(x Credits) bool {
				w := req
				w.Buckets = append(append([]Bucket(nil), req.Buckets...), Bucket{Kind: BucketTopUp, Credits: x, Granted: tu.Date, Expires: tu.Expires})
				q, err := c.PreviewWallet(w)
				require.NoError(t, err)
				return q.Covered
			}
			require.True(t, covers(tu.Plan.Credits))
			require.True(t, covers(tu.Missing))
			require.False(t, covers(tu.Missing-1))
			require.GreaterOrEqual(t, tu.Plan.Credits, tu.Missing)
		} else if strings.HasPrefix(p.Options.Reason, "no single top-up") {
			// Not even a top-up of every credit needed covers every job.
			w := req
			w.Buckets = append(append([]Bucket(nil), req.Buckets...), Bucket{Kind: BucketTopUp, Credits: p.Needed, Granted: p.Jobs[0].Date, Expires: firstUncoveredDate(p).AddDays(c.TopUps().ValidDays)})
			w.Buckets[len(w.Buckets)-1].Granted = firstUncoveredDate(p)
			q, err := c.PreviewWallet(w)
			require.NoError(t, err)
			require.False(t, q.Covered, "a top-up of %s would cover every job", p.Needed)
		}
	}
}

func firstUncoveredDate(p WalletPreview) Date {
	for _, j := range p.Jobs {
		if !j.Covered {
			return j.Date
		}
	}
	return p.Date
}

func jsonNum(n int) any { return jsonNumber(strconv.Itoa(n)) }

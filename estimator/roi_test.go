package estimator

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// The reference text's example: 30 credits at $0.06 = $1.80; with the $299 subscription the
// total is "less than 1%" of $8,000 only when the subscription is spread over 4+ videos.
func TestROIReferenceExample(t *testing.T) {
	c := Default()
	m := ecDo(t, c, "roi", `{"credits":"30"}`)
	require.Equal(t, "1.80", m["generationUsd"])
	require.Equal(t, "0.0600", m["pricePerCreditUsd"])
	require.Equal(t, "8000.00", m["traditional"].(map[string]any)["costUsd"])
	require.Equal(t, "0.02", m["costPercent"])
	require.Equal(t, "4444.44", m["ratio"])

	m = ecDo(t, c, "roi", `{"credits":"30","plan":"premium"}`)
	require.Equal(t, "300.80", m["totalUsd"])
	require.Equal(t, "3.76", m["costPercent"])
	require.Equal(t, "7699.20", m["savingUsd"])
	m = ecDo(t, c, "roi", `{"credits":"30","plan":"premium","videosPerMonth":3}`)
	require.Equal(t, "1.27", m["costPercent"])
	m = ecDo(t, c, "roi", `{"credits":"30","plan":"premium","videosPerMonth":4}`)
	require.Equal(t, "76.55", m["totalUsd"])
	require.Equal(t, "0.96", m["costPercent"])
	require.Equal(t, "99.04", m["savingPercent"])

	m = ecDo(t, c, "roi", `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":30,"complexity":"high"},"pricePerCreditUsd":"0.10","traditionalUsd":"5000","subscriptionUsd":"29","videosPerMonth":10}`)
	require.Equal(t, "12.00", m["credits"])
	require.Equal(t, "1.20", m["generationUsd"])
	require.Equal(t, "4.10", m["totalUsd"]) // 1.20 + 2.90
	require.Nil(t, m["traditional"].(map[string]any)["seconds"])
	require.Equal(t, "4995.90", m["savingUsd"])
}

func TestROITotalsAddUp(t *testing.T) {
	c := Default()
	r := rand.New(rand.NewSource(9))
	for i := 0; i < 2000; i++ {
		req := ROIRequest{
			Credits:        Credits(r.Int63n(1e9)),
			PricePerCredit: Money(r.Int63n(1e6)),
			VideosPerMonth: 1 + r.Int63n(1000),
			Traditional:    Money(r.Int63n(1e11)),
		}
		if r.Intn(2) == 0 {
			req.Plan = []string{"basic", "premium"}[r.Intn(2)]
		}
		res, err := c.CompareROI(req)
		require.NoError(t, err)
		require.Equal(t, res.Total, res.Generation+res.SubscriptionShare)
		require.Equal(t, res.Traditional, res.Total+res.Saving)
		require.Equal(t, int64(10000), res.CostPercent+res.SavingPercent)
	}
}

func TestROIErrors(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ req, code, field string }{
		{`{}`, CodeMissingField, "spec"},
		{`{"credits":"30","plan":"gold"}`, CodeUnknownPlan, "plan"},
		{`{"credits":"30","plan":""}`, CodeUnknownPlan, "plan"},
		{`{"credits":"30","plan":"basic","subscriptionUsd":"29"}`, CodeInvalidValue, "subscriptionUsd"},
		{`{"credits":"30","spec":{"resolution":"4k","fps":60,"durationSeconds":10}}`, CodeInvalidValue, "credits"},
		{`{"credits":"30","videosPerMonth":0}`, CodeOutOfRange, "videosPerMonth"},
		{`{"credits":"30","videosPerMonth":1000001}`, CodeOutOfRange, "videosPerMonth"},
		{`{"credits":"30","pricePerCreditUsd":"0"}`, CodeOutOfRange, "pricePerCreditUsd"},
		{`{"credits":"30","pricePerCreditUsd":"1000.000001"}`, CodeOutOfRange, "pricePerCreditUsd"},
		{`{"credits":"30","pricePerCreditUsd":"0.0000001"}`, CodeInvalidValue, "pricePerCreditUsd"},
		{`{"credits":"30","traditionalUsd":"-8000"}`, CodeOutOfRange, "traditionalUsd"},
		{`{"credits":"-30"}`, CodeOutOfRange, "credits"},
		{`{"credits":"9223372036854775807"}`, CodeOutOfRange, "credits"},
		{`{"spec":{"resolution":"4k","fps":60}}`, CodeMissingField, "spec.durationSeconds"},
	} {
		e := ecErr(t, c, "roi", tc.req)
		require.Equal(t, tc.code, e.Code, tc.req)
		require.Equal(t, tc.field, e.Field, tc.req)
	}
	// 10^15 credits at $1,000 a credit does not fit: overflow, named.
	e := ecErr(t, c, "roi", `{"credits":"1000000000000000","pricePerCreditUsd":"1000"}`)
	require.Equal(t, CodeOverflow, e.Code)
	require.Equal(t, "credits", e.Field)
	// 10^15 credits even at the default price is $6·10^13 = 6·10^19 micro-dollars: overflow.
	e = ecErr(t, c, "roi", `{"credits":"1000000000000000"}`)
	require.Equal(t, CodeOverflow, e.Code)
	// 10^13 credits fits: $6·10^11.
	m := ecDo(t, c, "roi", `{"credits":"10000000000000"}`)
	require.Equal(t, "600000000000.00", m["generationUsd"])
}

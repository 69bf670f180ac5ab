package estimator

import (
	"strings"
	"testing"
)

func benchOp(b *testing.B, op, req string) {
	c := Default()
	if _, err := c.Do(op, []byte(req)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Do(op, []byte(req)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTopUpSmall(b *testing.B) { benchOp(b, "topup", `{"need":"1234.56"}`) }
func BenchmarkTopUp10e13(b *testing.B) { benchOp(b, "topup", `{"need":"10000000000000"}`) }
func BenchmarkPlans(b *testing.B)      { benchOp(b, "plans", `{"credits":"1500"}`) }
func BenchmarkWorkflow(b *testing.B) {
	benchOp(b, "workflow", `{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"prototypes":10,"refinements":3}`)
}
func BenchmarkROI(b *testing.B) {
	benchOp(b, "roi", `{"credits":"30","plan":"premium","videosPerMonth":4}`)
}

// The worst case the limits allow: maxEconomicsItems buckets and jobs, none covered (so the least
// covering top-up is computed). estimatortest.WorstCases has more (BenchmarkWorstCases).
func BenchmarkWalletWorstCase(b *testing.B) {
	n := maxEconomicsItems
	bs := strings.Repeat(`{"kind":"monthly","credits":"1","granted":"2026-11-01"},`, n-1) + `{"kind":"topup","credits":"1","granted":"2026-11-01"}`
	js := strings.Repeat(`{"credits":"1000","date":"2026-11-30"},`, n-1) + `{"credits":"1000","date":"2026-12-31"}`
	benchOp(b, "wallet", `{"date":"2026-11-25","buckets":[`+bs+`],"jobs":[`+js+`]}`)
}

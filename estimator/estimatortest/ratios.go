package estimatortest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Ratio is one worst case's measured cost against a plain quote's.
type Ratio struct {
	Op           string  `json:"op"`
	Name         string  `json:"name"`
	Bytes        int     `json:"bytes"`
	NsPerOp      float64 `json:"nsPerOp"`
	BytesPerOp   int64   `json:"bytesAllocatedPerOp"`
	TimesAQuote  float64 `json:"timesAPlainQuote"`
	PlainQuoteNs float64 `json:"plainQuoteNs"`
}

// BenchRatios benchmarks run on PlainQuote and on every worst case (WorstCases), each alternating
// with its FreshPrompt so that every prompt is analyzed, as sub-benchmarks of b; each reports its
// ns/op ÷ the plain quote's as "×quote". It logs the table and, when outPath is not empty, writes
// it there as JSON. run must do one request.
func BenchRatios(b *testing.B, run func(op string, body []byte), outPath string) []Ratio {
	var base float64
	var table []Ratio
	measure := func(name string, op string, body []byte) (float64, int64) {
		var ns float64
		var bytesPerOp int64
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var m0, m1 runtimeMem
			bodies := [2][]byte{body, FreshPrompt(body)}
			i := 0
			m0.read()
			for b.Loop() {
				run(op, bodies[i&1])
				i++
			}
			m1.read()
			ns = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			bytesPerOp = int64(m1.total-m0.total) / int64(b.N)
			if base > 0 {
				b.ReportMetric(ns/base, "×quote")
			}
		})
		return ns, bytesPerOp
	}
	base, _ = measure("plain_quote", "quote", []byte(PlainQuote))
	if base <= 0 {
		return nil
	}
	for _, w := range WorstCases() {
		ns, by := measure(w.Op+"/"+strings.ReplaceAll(w.Name, " ", "_"), w.Op, w.Body)
		table = append(table, Ratio{Op: w.Op, Name: w.Name, Bytes: len(w.Body), NsPerOp: ns, BytesPerOp: by,
			TimesAQuote: ns / base, PlainQuoteNs: base})
	}
	var sb strings.Builder
	sb.WriteString("worst case ÷ plain quote (" + time.Duration(base).String() + " per plain quote):\n")
	worst := map[string]float64{}
	for _, r := range table {
		sb.WriteString(pad(r.Op, 9) + pad(ftoa(r.TimesAQuote)+"×", 9) + pad(itoa(int64(r.BytesPerOp))+" B", 11) + r.Name + "\n")
		worst[r.Op] = max(worst[r.Op], r.TimesAQuote)
	}
	sb.WriteString("per operation, the worst:")
	for _, op := range []string{"quote", "topup", "plans", "wallet", "spend", "workflow", "roi", "verify"} {
		sb.WriteString(" " + op + " " + ftoa(worst[op]) + "×")
	}
	os.Stdout.WriteString(sb.String() + "\n")
	if outPath != "" {
		if err := os.MkdirAll(filepath.Dir(outPath), 0o755); err == nil {
			data, _ := json.MarshalIndent(table, "", "  ")
			_ = os.WriteFile(outPath, append(data, '\n'), 0o644)
		}
	}
	return table
}

func pad(s string, n int) string {
	for len([]rune(s)) < n {
		s += " "
	}
	return s
}

func ftoa(f float64) string {
	return strings.TrimRight(strings.TrimRight(formatFixed(f, 1), "0"), ".")
}

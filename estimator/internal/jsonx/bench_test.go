package jsonx

import (
	"strings"
	"testing"
)

// benchDoc is a typical request of about 400 bytes.
const benchDoc = `{
  "resolution": "1080p",
  "fps": 30,
  "durationSeconds": 12.5,
  "prompt": "A slow aerial shot over a misty pine forest at dawn, birds rising from the canopy, soft \"golden\" light.\nCamera drifts east.",
  "complexity": "auto",
  "mode": "generate",
  "count": 3,
  "options": {"seed": 123456789, "watermark": false, "tags": ["nature", "aerial", "dawn"], "ratio": null}
}`

func BenchmarkParse(b *testing.B) {
	data := []byte(benchDoc)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendCanonical(b *testing.B) {
	v, err := Parse([]byte(benchDoc), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendCanonical(dst[:0], v)
	}
}

func BenchmarkAppendString(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"plain", strings.Repeat("A slow aerial shot over a misty forest. ", 10)},
		{"escaped", strings.Repeat("Say \"hi\" <b>&</b>\n\té中😀 ", 10)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dst := make([]byte, 0, 2*len(bc.s)+16)
			b.SetBytes(int64(len(bc.s)))
			b.ReportAllocs()
			for b.Loop() {
				dst = AppendString(dst[:0], bc.s)
			}
		})
	}
}

func BenchmarkParseFixed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFixed("12345.678", 3); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseQuote parses a quote request with a 300-byte prompt, the
// browser's hot path.
func BenchmarkParseQuote(b *testing.B) {
	prompt := strings.Repeat("A cinematic drone shot over thousands of troops fighting, explosions. ", 5)[:300]
	data := []byte(`{"resolution":"2160p","fps":60,"durationSeconds":10,"prompt":"` + prompt + `"}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, Limits{MaxDepth: 16}); err != nil {
			b.Fatal(err)
		}
	}
}

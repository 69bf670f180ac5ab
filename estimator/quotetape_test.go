package estimator_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

// tapeJSON writes a quote tape back as the quote's JSON, member by member as the shim's
// quoteFromTape builds its object (web/estimator.js), with the op's string escaping, so that it
// can be compared with the op's bytes. A tape of the wrong shape fails the test.
func tapeJSON(t testing.TB, tape []byte) []byte {
	t.Helper()
	f := strings.Split(string(tape), string(rune(estimator.TapeSeparator)))
	at := 0
	next := func() string {
		if at >= len(f) {
			t.Fatalf("tape ends after %d fields: %q", len(f), tape)
		}
		at++
		return f[at-1]
	}
	var b []byte
	str := func(key string) { b = estimator.AppendJSONString(append(b, `"`+key+`":`...), next()) }
	quoted := func(key string) { b = append(append(b, `"`+key+`":"`...), next()...); b = append(b, '"') }
	num := func(key string) { b = append(append(b, `"`+key+`":`...), next()...) }
	count := func() int {
		var n int
		if _, err := fmt.Sscan(next(), &n); err != nil {
			t.Fatalf("tape %q: a count is not a number: %v", tape, err)
		}
		return n
	}
	b = append(b, '{')
	quoted("credits")
	b = append(b, ',')
	quoted("unitCredits")
	b = append(b, ',')
	num("count")
	b = append(b, ',')
	num("billedSeconds")
	b = append(b, `,"reference":{`...)
	quoted("credits")
	b = append(b, ',')
	str("label")
	b = append(b, `},"breakdown":[`...)
	for i, n := 0, count(); i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		str("factor")
		b = append(b, ',')
		str("label")
		b = append(b, ',')
		quoted("multiplier")
		b = append(b, '}')
	}
	b = append(b, `],"complexity":{`...)
	str("level")
	b = append(b, ',')
	str("label")
	b = append(b, ',')
	quoted("multiplier")
	b = append(b, ',')
	str("source")
	b = append(b, ',')
	num("score")
	b = append(b, `,"signals":[`...)
	for i, n := 0, count(); i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		str("kind")
		b = append(b, ',')
		str("id")
		b = append(b, ',')
		str("label")
		b = append(b, ',')
		str("match")
		b = append(b, ',')
		num("weight")
		if f[at] != "" {
			b = append(b, ',')
			str("ignored")
		} else {
			at++
		}
		b = append(b, '}')
	}
	b = append(b, `]},"usd":{`...)
	quoted("min")
	b = append(b, ',')
	quoted("max")
	b = append(b, `},"rateCard":{`...)
	str("version")
	b = append(b, ',')
	str("digest")
	b = append(b, `}}`...)
	if at != len(f) {
		t.Fatalf("tape %q has %d fields, the quote %d", tape, len(f), at)
	}
	return b
}

// requireTapeIsQuote checks that the tape answer to request is the quote op's answer.
func requireTapeIsQuote(t *testing.T, c *estimator.RateCard, request []byte, msg string) {
	t.Helper()
	got, gerr := c.AppendQuoteTape(nil, request)
	want, werr := c.Do("quote", request)
	if werr != nil {
		var e *estimator.Error
		require.True(t, errors.As(gerr, &e), "%s: %v", msg, gerr)
		require.Equal(t, werr.Error(), gerr.Error(), msg)
		require.Nil(t, got, msg)
		return
	}
	require.NoError(t, gerr, msg)
	require.NotEmpty(t, got, msg)
	require.NotEqual(t, byte('{'), got[0], "%s: JSON where the tape was expected", msg)
	require.Equal(t, string(want), string(tapeJSON(t, got)), msg)
}

// The tape holds the quote op's answer, quote after quote: prompts repeated and alternated,
// locales and explicit complexities changing, errors in between, and the op's own JSON answers
// interleaved (the card keeps the last prompt's signals in one form at a time).
func TestQuoteTapeEqualsQuoteOp(t *testing.T) {
	c := estimator.Default()
	rng := rand.New(rand.NewPCG(20, 12))
	res, cxs, locales := memoResolutions, memoComplexities, memoLocales
	prompts := append([]string{
		"no explosions, no fast cars: a quiet street at dawn",
		"without any crowd, slowly panning over a calm harbour",
		"A gold engagement ring turning on a velvet cushion, its diamond throwing sparks of fire",
		"a jet ski racing across a bay, throwing up a huge spray\nthen waves crash on the pier",
		`a "quoted" <tag> & back\slash prompt`,
		"慢慢地，没有爆炸，一只猫在窗台上睡觉",
	}, memoPrompts...)
	for i := range 3000 {
		s := estimator.Spec{
			Resolution:     res[rng.IntN(len(res))],
			FPS:            []int64{24, 30, 60}[rng.IntN(3)],
			DurationMillis: int64(1+rng.IntN(20)) * 1000,
			Count:          int64(rng.IntN(3)),
			Prompt:         prompts[rng.IntN(len(prompts))],
			Complexity:     cxs[rng.IntN(len(cxs))],
			Locale:         locales[rng.IntN(len(locales))],
		}
		req := s.AppendJSON(nil)
		if rng.IntN(3) == 0 {
			_, _ = c.Do("quote", req) // the card's last signals in JSON form
		}
		requireTapeIsQuote(t, c, req, fmt.Sprintf("case %d: %s", i, req))
	}
}

// Every quote golden vector, error or not, gives the op's answer through the tape.
func TestQuoteTapeGoldenVectors(t *testing.T) {
	vs, err := estimatortest.ReadVectors("testdata/quote.vectors")
	require.NoError(t, err)
	c := estimator.Default()
	for _, v := range vs {
		requireTapeIsQuote(t, c, v.Request, v.Name)
	}
}

// A card whose labels hold the separator (U+0001, which JSON writes \u0001) gets the quote's
// JSON in place of a tape; the shim parses it.
func TestQuoteTapeSeparatorInCard(t *testing.T) {
	fallbacks := 0
	for _, label := range []string{`"label": "Calm"`, `"label": "Water or fluid motion"`, `"label": "10 s of 1080p at 30 fps, calm content"`} {
		raw := estimator.Default().JSON()
		require.Contains(t, string(raw), label)
		bad := bytes.Replace(raw, []byte(label), []byte(label[:len(label)-1]+`\u0001"`), 1)
		c, err := estimator.ParseRateCard(bad)
		require.NoError(t, err)
		for _, prompt := range []string{"gentle ripples on a calm lake", "waves crash on the cliffs"} {
			req := estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10000, Prompt: prompt}.AppendJSON(nil)
			got, err := c.AppendQuoteTape(nil, req)
			require.NoError(t, err)
			want, err := c.Do("quote", req)
			require.NoError(t, err)
			if bytes.Contains(want, []byte(`\u0001`)) {
				fallbacks++
				require.Equal(t, string(want), string(got), "%s, %q", label, prompt)
			} else {
				require.Equal(t, string(want), string(tapeJSON(t, got)), "%s, %q", label, prompt)
			}
		}
	}
	// the calm lake (Calm), the crashing waves (the water signal), both (the reference label)
	require.Equal(t, 4, fallbacks, "the quotes that show a label with the separator")
}

// FuzzQuoteTape: any request gives through the tape exactly the quote op's answer or error.
func FuzzQuoteTape(f *testing.F) {
	vs, _ := estimatortest.ReadVectors("testdata/quote.vectors")
	for _, v := range vs {
		f.Add(v.Request)
	}
	for _, p := range memoPrompts {
		f.Add(estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10000, Prompt: p}.AppendJSON(nil))
	}
	c := estimator.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		got, gerr := c.AppendQuoteTape(nil, data)
		want, werr := c.Do("quote", data)
		if werr != nil {
			if gerr == nil || gerr.Error() != werr.Error() {
				t.Fatalf("%q: error %v, the op's %v", data, gerr, werr)
			}
			return
		}
		if gerr != nil {
			t.Fatalf("%q: %v", data, gerr)
		}
		if len(got) > 0 && got[0] == '{' {
			if !bytes.Equal(got, want) {
				t.Fatalf("%q: JSON %s, the op's %s", data, got, want)
			}
			return
		}
		if j := tapeJSON(t, got); !bytes.Equal(j, want) {
			t.Fatalf("%q: tape %s, the op's %s", data, j, want)
		}
	})
}

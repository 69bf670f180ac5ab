package estimator_test

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/stretchr/testify/require"
)

// memoPrompts are prompts of every level, and prompts that differ by one character or only in
// case, so that an analysis kept from the previous quote would be seen if it were ever reused
// for another prompt.
var memoPrompts = []string{
	"", "gentle ripples on a calm lake", "gentle ripples on a calm lake.", "Gentle ripples on a calm lake",
	"a dog running on a beach", "a dog running on a beach at dusk",
	"thousands of troops fiercely fighting on an ancient battlefield",
	"a house on fire, explosions, a tower collapsing", "一只猫在窗台上睡觉", "数千名士兵在古战场上激烈战斗",
	"slow motion waves crashing on rocks, no explosions",
}

// What the memo's tests vary between quotes: resolutions (one unsupported), explicit
// complexities (one unknown) and locales. The op keeps the signals' JSON of its last prompt in
// its last locale: locales change between quotes of one prompt, including to "" and to ones the
// card may not translate.
var (
	memoResolutions  = []string{"720p", "1080p", "2160p", "8k"}
	memoComplexities = []string{"", "", "auto", "calm", "extreme", "weird"}
	memoLocales      = []string{"", "", "de", "zh-CN", "ar", "fr", "ja", "zh-Hans"}
)

// TestQuoteOpEqualsEstimate: the quote op (which reads the prompt through the card's last
// analysis) answers exactly what Estimate and AppendJSON give, quote after quote, prompts
// repeated and alternated, explicit complexities and errors in between.
func TestQuoteOpEqualsEstimate(t *testing.T) {
	c := estimator.Default()
	rng := rand.New(rand.NewPCG(7, 11))
	res, cxs, locales := memoResolutions, memoComplexities, memoLocales
	for i := range 3000 {
		s := estimator.Spec{
			Resolution:     res[rng.IntN(len(res))],
			FPS:            []int64{24, 30, 60}[rng.IntN(3)],
			DurationMillis: int64(1+rng.IntN(20)) * 1000,
			Prompt:         memoPrompts[rng.IntN(len(memoPrompts))],
			Complexity:     cxs[rng.IntN(len(cxs))],
			Locale:         locales[rng.IntN(len(locales))],
		}
		want, werr := c.Estimate(s)
		got, gerr := c.Do("quote", s.AppendJSON(nil))
		if werr != nil {
			require.Error(t, gerr, "case %d", i)
			require.Equal(t, werr.Error(), gerr.Error(), "case %d", i)
			continue
		}
		require.NoError(t, gerr, "case %d", i)
		require.Equal(t, string(want.AppendJSON(nil)), string(got), "case %d: %+v", i, s)
	}
}

// TestQuoteOpConcurrent: goroutines quoting different prompts at once on one card each get
// their own prompt's answer (run with -race in make test).
func TestQuoteOpConcurrent(t *testing.T) {
	c := estimator.Default()
	want := make([]string, len(memoPrompts))
	for i, p := range memoPrompts {
		q, err := c.Estimate(estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: p})
		require.NoError(t, err)
		want[i] = string(q.AppendJSON(nil))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 300 {
				i := (g*7 + k) % len(memoPrompts)
				req := `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":` + strconv.Quote(memoPrompts[i]) + `}`
				out, err := c.Do("quote", []byte(req))
				if err != nil || string(out) != want[i] {
					errs <- "prompt " + strconv.Quote(memoPrompts[i]) + " answered " + string(out)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestAppendDoEqualsDo: AppendDo appends exactly Do's answer after dst, and fails like Do.
func TestAppendDoEqualsDo(t *testing.T) {
	c := estimator.Default()
	for _, tc := range []struct{ op, req string }{
		{"quote", `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"fire"}`},
		{"topup", `{"need":"120"}`},
		{"quote", `{"resolution":"1080p","fps":25,"durationSeconds":10}`},
		{"nope", `{}`},
	} {
		want, werr := c.Do(tc.op, []byte(tc.req))
		got, gerr := c.AppendDo([]byte("prefix"), tc.op, []byte(tc.req))
		if werr != nil {
			require.Nil(t, got)
			require.Equal(t, werr, gerr)
			continue
		}
		require.NoError(t, gerr)
		require.Equal(t, "prefix"+string(want), string(got))
	}
}

package estimator

import (
	"os"
	"reflect"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestDeferredAnalyzerEqualsEager: the embedded card parsed as trusted (its analyzer built at the
// first prompt) is, once built, field for field the card parsed in full; and a quote of an empty
// prompt does not build it.
func TestDeferredAnalyzerEqualsEager(t *testing.T) {
	eager, err := parseRateCard(defaultCardJSON)
	require.Nil(t, err)
	require.Nil(t, eager.deferredComplexity)
	// Without the digest (native builds) the whole document is parsed and only the analyzer
	// deferred; with it (the module) the complexity section's JSON is parsed at the first prompt.
	_, _, cut := withoutAnalyzerJSON(defaultCardJSON)
	require.True(t, cut, "the embedded card's complexity section is found, so the module skips its JSON at start")
	for _, digest := range []string{"", eager.Digest()} {
		t.Run("digest "+digest, func(t *testing.T) { deferredEqualsEager(t, eager, digest) })
	}
}

func deferredEqualsEager(t *testing.T, eager *RateCard, digest string) {
	lazy, err := parseCard(defaultCardJSON, true, digest, defaultCardSpans)
	require.Nil(t, err)
	require.Equal(t, eager.Digest(), lazy.Digest())
	require.NotNil(t, lazy.deferredComplexity, "a trusted card defers its analyzer")

	_, qerr := lazy.Estimate(Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000})
	require.NoError(t, qerr)
	require.NotNil(t, lazy.deferredComplexity, "a quote without a prompt must not build the analyzer")

	q, qerr := lazy.Estimate(Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: "a house on fire"})
	require.NoError(t, qerr)
	require.Nil(t, lazy.deferredComplexity, "the first prompt builds it")
	want, qerr := eager.Estimate(Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: "a house on fire"})
	require.NoError(t, qerr)
	require.Equal(t, string(want.AppendJSON(nil)), string(q.AppendJSON(nil)))

	// The translations: with the digest (the module), read at the first request in another
	// language, not before; the answers are the eager card's.
	if digest != "" {
		require.NotNil(t, lazy.deferredTranslations, "the module defers the translations' JSON")
	}
	for _, loc := range []string{"", "en", "EN"} {
		_, qerr = lazy.Estimate(Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: "a house on fire", Locale: loc})
		require.NoError(t, qerr)
	}
	if digest != "" {
		require.NotNil(t, lazy.deferredTranslations, "a request in the card's own language does not read them")
	}
	for _, loc := range []string{"de", "zh-CN", "ar", "ja-JP", "es"} {
		spec := Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000, Prompt: "a house on fire, 一座着火的房子", Locale: loc}
		q, qerr := lazy.Estimate(spec)
		require.NoError(t, qerr)
		want, qerr := eager.Estimate(spec)
		require.NoError(t, qerr)
		require.Equal(t, string(want.AppendJSON(nil)), string(q.AppendJSON(nil)), loc)
		lc, _ := lazy.Do("choices", []byte(`{"locale":"`+loc+`"}`))
		ec, _ := eager.Do("choices", []byte(`{"locale":"`+loc+`"}`))
		require.Equal(t, string(ec), string(lc), loc)
	}
	require.Nil(t, lazy.deferredTranslations, "read once asked for")
	require.Equal(t, eager.Languages(), lazy.Languages())

	lv, ev := reflect.ValueOf(lazy).Elem(), reflect.ValueOf(eager).Elem()
	compared := 0
	for i := range lv.NumField() {
		switch name := lv.Type().Field(i).Name; name {
		case "analyzerOnce", "deferredComplexity", "lastAnalysis", "translationsOnce", "deferredTranslations":
		default:
			if !reflect.DeepEqual(fieldValue(lv.Field(i)), fieldValue(ev.Field(i))) {
				t.Errorf("field %s differs between the deferred and the eager parse", name)
			}
			compared++
		}
	}
	require.Greater(t, compared, 20)
}

// TestAnalyzeEmptyPrompt: Analyze's answer for an empty prompt, given without a scan, is what the
// scan gives, on every card the tests have.
func TestAnalyzeEmptyPrompt(t *testing.T) {
	cards := []*RateCard{Default()}
	for _, f := range []string{"../web/test/fixtures/platform-card.json", "testdata/ratecard-2026-11-25.1.json"} {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		c, perr := parseRateCard(data)
		require.Nil(t, perr, f)
		cards = append(cards, c)
	}
	for _, c := range cards {
		require.Equal(t, c.analyzeText(""), c.Analyze(""), c.Version())
	}
}

// fieldValue is the value of a struct field, exported or not (the struct is addressable).
func fieldValue(f reflect.Value) any {
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface()
}

// TestMemberSpan: the trusted-JSON skipper finds a member's value through strings with escaped
// quotes and brackets, nesting, numbers and literals that end at their container, and says when
// a member is not there or the input ends early.
func TestMemberSpan(t *testing.T) {
	doc := []byte(`{"a":"x\"}]{[","b" : [1,{"c":"}"},[2,3]] ,"n":-1.5e3,"t":true,"o":{"levels":[{"x":1}],"z":null},"last":7}`)
	for _, tc := range []struct{ key, want string }{
		{"a", `"x\"}]{["`}, {"b", `[1,{"c":"}"},[2,3]]`}, {"n", `-1.5e3`}, {"t", `true`},
		{"o", `{"levels":[{"x":1}],"z":null}`}, {"last", `7`},
	} {
		s, e, ok := memberSpan(doc, 0, tc.key)
		require.True(t, ok, tc.key)
		require.Equal(t, tc.want, string(doc[s:e]), tc.key)
	}
	os, oe, _ := memberSpan(doc, 0, "o")
	s, e, ok := memberSpan(doc[:oe], os, "levels")
	require.True(t, ok)
	require.Equal(t, `[{"x":1}]`, string(doc[s:e]))
	for _, bad := range []string{`{"a":1}`, `{"a":"unterminated`, `{"a":[1,2`, `[1]`, ``, `{"a" 1}`} {
		_, _, ok := memberSpan([]byte(bad), 0, "missing")
		require.False(t, ok, bad)
	}
}

// FuzzMemberSpan: on any input the skipper stays inside it and does not panic (it only ever reads
// the embedded card, but an index slip would be a panic at start).
func FuzzMemberSpan(f *testing.F) {
	f.Add([]byte(`{"complexity":{"levels":[1],"x":"}"},"y":2}`), "complexity")
	f.Add([]byte(`{"a":"\\`), "a")
	f.Add([]byte(`{"":]`), "")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		s, e, ok := memberSpan(data, 0, key)
		if ok && (s < 0 || e > len(data) || s > e) {
			t.Fatalf("span [%d,%d) of %d bytes", s, e, len(data))
		}
		withoutAnalyzerJSON(data)
	})
}

// TestDeferredBuildsConcurrent: goroutines asking a fresh deferred card (as the module has it)
// for quotes in several languages and with prompts at once each get the eager card's answer; the
// deferred sections are read once (run with -race in make test).
func TestDeferredBuildsConcurrent(t *testing.T) {
	eager, err := parseRateCard(defaultCardJSON)
	require.Nil(t, err)
	lazy, err := parseCard(defaultCardJSON, true, eager.Digest(), defaultCardSpans)
	require.Nil(t, err)
	locales := []string{"de", "zh-Hans", "", "ar", "ja", "es"}
	want := make([]string, len(locales))
	for i, loc := range locales {
		q, qerr := eager.Estimate(Spec{Resolution: "720p", FPS: 24, DurationMillis: 5_000, Prompt: "waves crash on rocks", Locale: loc})
		require.NoError(t, qerr)
		want[i] = string(q.AppendJSON(nil))
	}
	var wg sync.WaitGroup
	got := make([]string, 4*len(locales))
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q, qerr := lazy.Estimate(Spec{Resolution: "720p", FPS: 24, DurationMillis: 5_000, Prompt: "waves crash on rocks", Locale: locales[g%len(locales)]})
			if qerr == nil {
				got[g] = string(q.AppendJSON(nil))
			}
		}()
	}
	wg.Wait()
	for g := range got {
		require.Equal(t, want[g%len(locales)], got[g], locales[g%len(locales)])
	}
}

// BenchmarkDeferredAnalyzerBuild: what the first prompt of the module costs on top of its quote
// (reading the complexity section of the embedded card; the browser's figure is in docs/wasm.md).
func BenchmarkDeferredAnalyzerBuild(b *testing.B) {
	full, err := parseRateCard(defaultCardJSON)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		c, err := parseCard(defaultCardJSON, true, full.Digest(), defaultCardSpans)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c.an()
	}
}

// skipperSpans finds a card's section spans with the start-up skipper (memberSpan).
func skipperSpans(t *testing.T, data []byte) cardSpans {
	t.Helper()
	root := skipSpace(data, 0)
	var sp cardSpans
	var ok bool
	sp.Complexity[0], sp.Complexity[1], ok = memberSpan(data, root, "complexity")
	require.True(t, ok)
	sp.Levels[0], sp.Levels[1], ok = memberSpan(data, sp.Complexity[0], "levels")
	require.True(t, ok)
	if s, e, ok := memberSpan(data, root, "translations"); ok {
		sp.Translations = [2]int{s, e}
	}
	return sp
}

// TestCardSpans: cutting a card at its sections' spans gives the bytes of the skipper's two cuts
// (withoutAnalyzerJSON, then withoutMemberValue), whichever section comes first; spans that do
// not fit are refused. In the build with cardsource's generated file (TestCardSourceBuilds) the
// spans it found at build time, with encoding/json, are the skipper's.
func TestCardSpans(t *testing.T) {
	want := skipperSpans(t, defaultCardJSON)
	if defaultCardSpans != (cardSpans{}) {
		require.Equal(t, want, defaultCardSpans, "the build-time spans")
	}
	docs := [][]byte{
		defaultCardJSON,
		[]byte(`{"translations": {"de": {"a": "b"}}, "x": 1, "complexity": {"signals": [], "levels": [1, 2] }, "y": {}}`),
		[]byte(` {"complexity":{"levels":[{"n":1}]},"translations":{}}`),
		[]byte(`{"a":[1,{"b":"}"}],"complexity":{"levels":{}}}`),
	}
	for _, data := range docs {
		sp := skipperSpans(t, data)
		doc, section, translations, ok := sp.cut(data)
		require.True(t, ok, string(data))
		d1, s1, ok := withoutAnalyzerJSON(data)
		require.True(t, ok)
		d2, t2, ok := withoutMemberValue(d1, "translations")
		if !ok {
			d2, t2 = d1, nil
		}
		require.Equal(t, string(d2), string(doc), string(data))
		require.Equal(t, string(s1), string(section))
		require.Equal(t, string(t2), string(translations))
	}
	n := len(defaultCardJSON)
	c, l, tr := want.Complexity, want.Levels, want.Translations
	for _, bad := range []cardSpans{
		{},
		{Complexity: [2]int{c[1], c[0]}, Levels: l},
		{Complexity: [2]int{c[0], n + 1}, Levels: l},
		{Complexity: c, Levels: [2]int{c[0] - 1, l[1]}},
		{Complexity: c, Levels: l, Translations: [2]int{c[1] - 1, tr[1]}},
		{Complexity: c, Levels: l, Translations: [2]int{tr[0], n + 1}},
	} {
		_, _, _, ok := bad.cut(defaultCardJSON)
		require.False(t, ok, "%+v", bad)
	}
}

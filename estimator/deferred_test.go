package estimator

import (
	"os"
	"reflect"
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
	lazy, err := parseCard(defaultCardJSON, true, "")
	require.Nil(t, err)
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

	lv, ev := reflect.ValueOf(lazy).Elem(), reflect.ValueOf(eager).Elem()
	compared := 0
	for i := range lv.NumField() {
		switch name := lv.Type().Field(i).Name; name {
		case "analyzerOnce", "deferredComplexity", "lastAnalysis":
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

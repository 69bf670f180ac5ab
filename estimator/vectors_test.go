package estimator_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

// Every golden vector gives exactly its bytes through the Go API. The wasm, server and
// browser suites run the same files.
func TestGoldenVectors(t *testing.T) {
	files, err := filepath.Glob("testdata/*.vectors")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	card := estimator.Default()
	total := 0
	for _, file := range files {
		vs, err := estimatortest.ReadVectors(file)
		require.NoError(t, err)
		cases, err := estimatortest.ReadVectors(file[:len(file)-len(".vectors")] + ".cases")
		require.NoError(t, err, "every .vectors file has its .cases source")
		require.Len(t, vs, len(cases), "%s is stale: run make vectors", file)
		for i, v := range vs {
			require.Equal(t, cases[i].Name, v.Name, "%s is stale: run make vectors", file)
			require.Equal(t, string(estimatortest.ExpandCard(cases[i].Request, card)), string(v.Request), "%s is stale: run make vectors", file)
			require.NotNil(t, v.Response, "%s: %s has no response", file, v.Name)
			got, err := card.Do(v.Op, v.Request)
			if v.IsError {
				var e *estimator.Error
				require.ErrorAs(t, err, &e, "%s: %s", file, v.Name)
				assert.Equal(t, string(v.Response), string(e.AppendJSON(nil)), "%s: %s\nrequest: %s", file, v.Name, v.Request)
				continue
			}
			require.NoError(t, err, "%s: %s\nrequest: %s", file, v.Name, v.Request)
			assert.Equal(t, string(v.Response), string(got), "%s: %s\nrequest: %s", file, v.Name, v.Request)
		}
		total += len(vs)
	}
	assert.GreaterOrEqual(t, total, 200)
}

// The quote vectors cover every error code a quote can give and every factor.
func TestGoldenVectorsCoverage(t *testing.T) {
	vs, err := estimatortest.ReadVectors("testdata/quote.vectors")
	require.NoError(t, err)
	codes := map[string]bool{}
	for _, v := range vs {
		if v.IsError {
			var e struct{ Code string }
			require.NoError(t, jsonUnmarshal(v.Response, &e))
			codes[e.Code] = true
		}
	}
	for _, code := range []string{
		estimator.CodeInvalidJSON, estimator.CodeInvalidUTF8, estimator.CodeUnknownField,
		estimator.CodeDuplicateField, estimator.CodeMissingField, estimator.CodeInvalidType,
		estimator.CodeInvalidValue, estimator.CodeOutOfRange, estimator.CodeUnsupportedResolution,
		estimator.CodeUnsupportedFPS, estimator.CodeUnsupportedMode, estimator.CodeUnsupportedComplexity,
		estimator.CodePromptTooLong,
	} {
		assert.True(t, codes[code], "no golden vector for error code %s", code)
	}
}

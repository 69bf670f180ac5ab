package estimator_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

func TestAppendPrivateJSON(t *testing.T) {
	for _, prompt := range []string{"", "a calm lake at dawn", "<b> & \"quotes\"", "湖の夜明け 🌅", "\u2028"} {
		s := estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_500, Prompt: prompt, Count: 2, Locale: "ja"}
		b := s.AppendPrivateJSON([]byte("x"))
		require.Equal(t, "x", string(b[:1]), "appends")
		b = b[1:]
		assert.NotContains(t, string(b), "prompt\"", prompt)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m), string(b))
		withoutPrompt := s
		withoutPrompt.Prompt = ""
		var want map[string]any
		require.NoError(t, json.Unmarshal(withoutPrompt.AppendJSON(nil), &want))
		if prompt != "" {
			sum := sha256.Sum256([]byte(prompt))
			want["promptChars"] = float64(len([]rune(prompt)))
			want["promptSha256"] = hex.EncodeToString(sum[:])
		}
		assert.Equal(t, want, m, prompt)
	}
}

func ExampleSpec_AppendPrivateJSON() {
	s := estimator.Spec{Resolution: "4k", FPS: 60, DurationMillis: 10_000, Prompt: "a calm lake"}
	fmt.Println(string(s.AppendPrivateJSON(nil)))
	// Output:
	// {"resolution":"4k","fps":60,"durationSeconds":10,"complexity":"auto","mode":"generate","count":1,"promptChars":11,"promptSha256":"94c7eaf0efa1c278c4152a46b86ac46c3aacb09e36c59420a1bda21ca78ce33f"}
}

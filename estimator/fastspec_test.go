package estimator

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fastSpecSeeds are requests the fast path takes and requests it must leave to decodeSpec.
var fastSpecSeeds = []string{
	`{"resolution":"1080p","fps":30,"durationSeconds":10}`,
	` { "resolution" : "720p" , "fps" : 24 , "durationSeconds" : 12.5 , "prompt" : "a calm lake" , "complexity" : "extreme" , "mode" : "generate" , "count" : 3 , "locale" : "de" } `,
	`{"durationSeconds":10.125,"fps":60,"resolution":"2160p","prompt":"数千名士兵在古战场上激烈战斗 🎬"}`,
	`{"resolution":"1080p","fps":30.0,"durationSeconds":10.000}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"say \"hi\""}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":null}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10,"fps":30}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10,"seed":1}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":1.2345}`,
	`{"resolution":"1080p","fps":030,"durationSeconds":10}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":1e1}`,
	`{"resolution":"1080p","fps":-30,"durationSeconds":10}`,
	`{"resolution":"1080p","fps":"30","durationSeconds":10}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10,"count":0}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10,"complexity":""}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10,"locale":"not a tag"}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10,}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":10} x`,
	`{"resolution":"1080p","fps":30}`,
	`{}`, `[]`, ``, `{"resolution":"\xff","fps":30,"durationSeconds":10}`,
	`{"resolution":"1080p","fps":99999999999999999999,"durationSeconds":10}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":.5}`,
	`{"resolution":"1080p","fps":30,"durationSeconds":5.}`,
	"{\"resolution\":\"1080p\",\"fps\":30,\"durationSeconds\":10,\"prompt\":\"a\tb\"}",
}

// checkFastSpec: whenever the fast path accepts a request, decodeSpec accepts it too, with the
// same Spec.
func checkFastSpec(t *testing.T, data []byte) bool {
	fast, ok := fastSpec(data)
	if !ok {
		return false
	}
	slow, err := decodeSpec(data)
	require.Nil(t, err, "the fast path accepted %q, which decodeSpec refuses", data)
	require.Equal(t, slow, fast, "%q", data)
	return true
}

func TestFastSpecEqualsDecodeSpec(t *testing.T) {
	taken := 0
	for _, s := range fastSpecSeeds {
		if checkFastSpec(t, []byte(s)) {
			taken++
		}
	}
	require.Equal(t, 4, taken, "the plain requests among the seeds take the fast path")
	// Every quote request of the golden vectors.
	files, _ := filepath.Glob("testdata/quote*.vectors")
	require.NotEmpty(t, files)
	n, fastN := 0, 0
	for _, f := range files {
		fh, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			if req, ok := strings.CutPrefix(sc.Text(), "request: "); ok {
				n++
				if checkFastSpec(t, []byte(req)) {
					fastN++
				}
			}
		}
		fh.Close()
	}
	require.Greater(t, fastN, n/3, "most valid vector requests take the fast path (%d of %d)", fastN, n)
}

func FuzzFastSpec(f *testing.F) {
	for _, s := range fastSpecSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkFastSpec(t, data) })
}

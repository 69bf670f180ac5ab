package estimator

import (
	"strconv"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator/internal/jsonx"
	"github.com/creditestimator/creditestimator/estimator/internal/sha256"
)

// AppendPrivateJSON appends the spec's JSON (AppendJSON) without its prompt's text: the prompt
// is replaced by its length in characters and its SHA-256, as "promptChars" and "promptSha256"
// after the other members. A record of the spec — the ledger's holds keep one — then tells
// which prompt was priced without holding what a person wrote.
func (s Spec) AppendPrivateJSON(dst []byte) []byte {
	prompt := s.Prompt
	s.Prompt = ""
	dst = s.AppendJSON(dst)
	if prompt == "" {
		return dst
	}
	sum := sha256.Sum([]byte(prompt))
	dst = append(dst[:len(dst)-1], `,"promptChars":`...) // AppendJSON always writes members
	dst = strconv.AppendInt(dst, int64(utf8.RuneCountInString(prompt)), 10)
	dst = append(dst, `,"promptSha256":"`...)
	dst = jsonx.AppendHex(dst, sum[:])
	return append(dst, `"}`...)
}

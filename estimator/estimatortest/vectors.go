// Package estimatortest holds what every implementation's tests share: the reader of the golden
// vector files in estimator/testdata and a seeded generator of random requests. It is for
// tests and tools, never for the wasm module or the server's request path.
//
// A vector file is a list of blocks separated by blank lines; lines starting with '#' are
// comments. Each block holds one case:
//
//	name: 2160p-60fps-10s-low
//	op: quote
//	request: {"resolution":"2160p","fps":60,"durationSeconds":10}
//	response: {"credits":"5.00",...}
//
// or "error: {...}" in place of "response:". Requests and responses are single-line JSON and
// compare byte for byte. A .cases file is the same without response/error lines: the input of
// the generator (go run ./estimator/internal/cmd/genvectors).
package estimatortest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/creditestimator/creditestimator/estimator"
)

// Vector is one golden case.
type Vector struct {
	Name     string
	Op       string
	Request  []byte
	Response []byte // the response, or the error object when IsError
	IsError  bool
}

// ReadVectors reads a .vectors (or, with empty responses, a .cases) file.
func ReadVectors(path string) ([]Vector, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseVectors(data, path)
}

// ParseVectors parses vector file contents; name is used in error messages.
func ParseVectors(data []byte, name string) ([]Vector, error) {
	var out []Vector
	var cur *Vector
	seen := map[string]bool{}
	flush := func(line int) error {
		if cur == nil {
			return nil
		}
		if cur.Name == "" || cur.Op == "" || cur.Request == nil {
			return fmt.Errorf("%s:%d: a case needs name, op and request", name, line)
		}
		if seen[cur.Name] {
			return fmt.Errorf("%s:%d: duplicate case name %q", name, line, cur.Name)
		}
		seen[cur.Name] = true
		out = append(out, *cur)
		cur = nil
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.TrimSpace(line) == "" {
			if err := flush(n); err != nil {
				return nil, err
			}
			continue
		}
		key, value, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected \"key: value\"", name, n)
		}
		if cur == nil {
			cur = &Vector{}
		}
		switch key {
		case "name":
			cur.Name = value
		case "op":
			cur.Op = value
		case "request":
			cur.Request = []byte(value)
		case "response":
			cur.Response = []byte(value)
		case "error":
			cur.Response, cur.IsError = []byte(value), true
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", name, n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(n); err != nil {
		return nil, err
	}
	return out, nil
}

// FormatVectors writes vectors in the file format (with a header comment).
func FormatVectors(header string, vs []Vector) []byte {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		b.WriteString("# " + line + "\n")
	}
	for _, v := range vs {
		b.WriteString("\nname: " + v.Name + "\nop: " + v.Op + "\nrequest: ")
		b.Write(v.Request)
		if v.Response != nil {
			if v.IsError {
				b.WriteString("\nerror: ")
			} else {
				b.WriteString("\nresponse: ")
			}
			b.Write(v.Response)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// ExpandCard writes card's version and digest where a case's request names them ($CARD_VERSION,
// $CARD_DIGEST), so that a case holding a quote of the card itself stays true when the card changes.
func ExpandCard(req []byte, card *estimator.RateCard) []byte {
	return []byte(strings.NewReplacer("$CARD_VERSION", card.Version(), "$CARD_DIGEST", card.Digest()).Replace(string(req)))
}

package corpus

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// The real corpus (estimator/testdata/complexity/real, docs/complexity.md): prompts that other
// people wrote for text-to-video models, from public prompt suites, each labelled by the rubric
// by two raters working independently, disagreements settled by a third reading. labels.tsv
// records each prompt's source, licence, the hash of its text, the raters' classes and the
// settled one. The texts of third-party prompts are not in this repository: TextsFile builds them
// from the public suites (cmd corpustexts) and ReadReal checks every text against its hash.
// Chinese prompts this team wrote from English ones, as a Chinese user would write them, are in
// zh-rewrites.tsv.

// RealPrompt is one prompt of the real corpus.
type RealPrompt struct {
	Prompt
	ID, Lang, Split, Group, Source string
	Words                          int
}

// Label columns of labels.tsv, in order.
var labelColumns = []string{"id", "lang", "split", "group", "source", "ref", "licence", "sha256", "words", "a", "b", "third", "class"}

// Label is one row of labels.tsv.
type Label struct {
	ID, Lang, Split, Group, Source, Ref, Licence, SHA256 string
	Words                                                int
	A, B, Third, Class                                   string
}

// ReadLabels reads labels.tsv.
func ReadLabels(r io.Reader, name string) ([]Label, error) {
	var out []Label
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; s.Scan(); line++ {
		f := strings.Split(s.Text(), "\t")
		if line == 1 {
			if !slices.Equal(f, labelColumns) {
				return nil, fmt.Errorf("%s:1: want the header %v", name, labelColumns)
			}
			continue
		}
		if len(f) != len(labelColumns) {
			return nil, fmt.Errorf("%s:%d: want %d columns, have %d", name, line, len(labelColumns), len(f))
		}
		var words int
		if _, err := fmt.Sscan(f[8], &words); err != nil {
			return nil, fmt.Errorf("%s:%d: words: %v", name, line, err)
		}
		l := Label{ID: f[0], Lang: f[1], Split: f[2], Group: f[3], Source: f[4], Ref: f[5], Licence: f[6], SHA256: f[7], Words: words, A: f[9], B: f[10], Third: f[11], Class: f[12]}
		if slices.Index(Classes, l.Class) < 0 {
			return nil, fmt.Errorf("%s:%d: class %q is not one of %v", name, line, l.Class, Classes)
		}
		out = append(out, l)
	}
	return out, s.Err()
}

// ReadTexts reads "id<TAB>text" lines into m.
func ReadTexts(path string, m map[string]string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<16), 1<<20)
	for s.Scan() {
		id, text, ok := strings.Cut(s.Text(), "\t")
		if ok {
			m[id] = text
		}
	}
	return s.Err()
}

// TextHash is the hash labels.tsv records of a prompt's text.
func TextHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:8])
}

// ReadReal reads labels.tsv and the texts files, and checks every text against its hash. It
// fails when a text is missing or differs.
func ReadReal(labelsPath string, textPaths ...string) ([]RealPrompt, error) {
	f, err := os.Open(labelsPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	labels, err := ReadLabels(f, labelsPath)
	if err != nil {
		return nil, err
	}
	texts := map[string]string{}
	for _, p := range textPaths {
		if err := ReadTexts(p, texts); err != nil {
			return nil, err
		}
	}
	var out []RealPrompt
	var missing, wrong int
	for _, l := range labels {
		t, ok := texts[l.ID]
		switch {
		case !ok:
			missing++
			continue
		case TextHash(t) != l.SHA256:
			wrong++
			continue
		}
		out = append(out, RealPrompt{Prompt: Prompt{Class: slices.Index(Classes, l.Class), Text: t}, ID: l.ID, Lang: l.Lang, Split: l.Split, Group: l.Group, Source: l.Source, Words: l.Words})
	}
	if missing > 0 || wrong > 0 {
		return nil, fmt.Errorf("%s: %d texts missing and %d differing from their hash (build them: go run ./estimator/internal/cmd/corpustexts)", labelsPath, missing, wrong)
	}
	return out, nil
}

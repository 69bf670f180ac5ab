// Command corpustexts builds the texts of the real corpus's third-party prompts from the public
// prompt suites they come from: labels.tsv names each prompt's repository, commit, file and line
// (or JSON key), and the hash of its text; the texts are not kept in this repository. Give it a
// folder holding a git clone (or bare git directory) of each suite, named owner+name (as
// "Vchitect+VBench/repo" or "Vchitect+VBench"), and it writes "id<TAB>text" lines, checking each
// text against its hash.
//
//	go run ./estimator/internal/cmd/corpustexts -repos DIR -out texts.tsv
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/creditestimator/creditestimator/estimator/internal/corpus"
)

var (
	labelsPath = flag.String("labels", "estimator/testdata/complexity/real/labels.tsv", "the real corpus's labels")
	reposDir   = flag.String("repos", "", "folder with a git clone of each prompt suite, named owner+name")
	outPath    = flag.String("out", "texts.tsv", "where to write the texts")
)

// ref is "owner/name@commit:path#L12" (line 12 of a text file), "…#L12.prompt" (the "prompt"
// of the JSON object on line 12) or "…#0042.prompt" (the "prompt" of key "0042" of a JSON
// object).
var refRE = regexp.MustCompile(`^([^/@]+)/([^@]+)@([0-9a-f]{40}):([^#]+)#(.+)$`)

func main() {
	log.SetFlags(0)
	flag.Parse()
	f, err := os.Open(*labelsPath)
	check(err)
	labels, err := corpus.ReadLabels(f, *labelsPath)
	check(err)
	files := map[string][]byte{}
	out, err := os.Create(*outPath)
	check(err)
	w := bufio.NewWriter(out)
	n, skipped := 0, 0
	for _, l := range labels {
		if strings.HasPrefix(l.Source, "rewrite-") {
			skipped++ // this team's own text, in zh-rewrites.tsv
			continue
		}
		m := refRE.FindStringSubmatch(l.Ref)
		if m == nil {
			log.Fatalf("%s: bad ref %q", l.ID, l.Ref)
		}
		key := m[1] + "+" + m[2] + "@" + m[3] + ":" + m[4]
		data, ok := files[key]
		if !ok {
			data = show(m[1]+"+"+m[2], m[3], m[4])
			files[key] = data
		}
		text := pick(data, m[5])
		text = strings.Join(strings.Fields(text), " ")
		if corpus.TextHash(text) != l.SHA256 {
			log.Fatalf("%s: the text at %s does not match its hash", l.ID, l.Ref)
		}
		fmt.Fprintf(w, "%s\t%s\n", l.ID, text)
		n++
	}
	check(w.Flush())
	check(out.Close())
	log.Printf("wrote %d texts to %s (%d of this team's own prompts are in zh-rewrites.tsv)", n, *outPath, skipped)
}

func show(repo, commit, path string) []byte {
	for _, dir := range []string{filepath.Join(*reposDir, repo, "repo"), filepath.Join(*reposDir, repo)} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		out, err := exec.Command("git", "-C", dir, "show", commit+":"+path).Output()
		if err != nil {
			log.Fatalf("git show %s:%s in %s: %v", commit, path, dir, err)
		}
		return out
	}
	log.Fatalf("no clone of %s under %s", repo, *reposDir)
	return nil
}

func pick(data []byte, sel string) string {
	if strings.HasPrefix(sel, "L") {
		num, field, _ := strings.Cut(sel[1:], ".")
		n, err := strconv.Atoi(num)
		check(err)
		lines := strings.Split(string(data), "\n")
		if n < 1 || n > len(lines) {
			log.Fatalf("line %d out of range", n)
		}
		line := lines[n-1]
		if field == "" {
			return line
		}
		var obj map[string]any
		check(json.Unmarshal([]byte(line), &obj))
		s, _ := obj[field].(string)
		return s
	}
	k, field, _ := strings.Cut(sel, ".")
	var obj map[string]map[string]any
	check(json.Unmarshal(data, &obj))
	s, _ := obj[k][field].(string)
	return s
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

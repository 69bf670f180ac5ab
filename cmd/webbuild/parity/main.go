// Command parity writes native request → response pairs as JSON lines, for the
// Node suite that replays them through the WebAssembly module and compares
// the bytes (web/test/node/parity.test.mjs):
//
//	go run ./cmd/webbuild/parity -n 10000 -seed 1 -out /tmp/parity.jsonl
//
// Requests: every operation's worst cases (estimatortest.WorstCases; alone with -only-worst),
// -n seeded random quote specs (estimatortest.RandomRequests), every
// golden vector of every op, and -variants seeded mutations of the vector
// requests (plus a few seed requests, seeds.go) of each op that exists
// (estimator.Ops()), so the economics ops are covered as soon as they land. Requests that are not valid UTF-8 are
// skipped (a JS string cannot carry them) and counted on stderr.
//
// Each line: {"op":"quote","request":"<json>","response":"<json>","error":false}, and for a worst
// case with a prompt "fresh":"<json>" (estimatortest.FreshPrompt).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

// Line is one JSONL record.
type Line struct {
	Op       string `json:"op"`
	Request  string `json:"request"`
	Response string `json:"response"`
	Error    bool   `json:"error"`
	// Fresh (worst cases only) is the request with another prompt of the same length
	// (estimatortest.FreshPrompt), for benchmarks that must not time the quote op's memo of the
	// last prompt; absent when the request has no prompt.
	Fresh string `json:"fresh,omitempty"`
}

func main() {
	n := flag.Int("n", 10000, "random quote requests")
	seed := flag.Uint64("seed", 1, "random seed")
	variants := flag.Int("variants", 2000, "mutated vector requests per op")
	vectors := flag.String("vectors", "estimator/testdata", "directory of *.vectors golden files")
	out := flag.String("out", "-", "output file (- for stdout)")
	onlyWorst := flag.Bool("only-worst", false, "write only the worst cases of every operation (estimatortest.WorstCases)")
	flag.Parse()

	w := os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	counts := map[string]int{}
	skipped := 0
	card := estimator.Default()
	emit := func(op string, req, fresh []byte) {
		if !utf8.Valid(req) {
			skipped++
			return
		}
		l := Line{Op: op, Request: string(req)}
		if fresh != nil && !bytes.Equal(fresh, req) {
			l.Fresh = string(fresh)
		}
		resp, err := card.Do(op, req)
		if err != nil {
			e, ok := err.(*estimator.Error)
			if !ok {
				fatal(fmt.Errorf("Do(%s) returned a %T, not *estimator.Error", op, err))
			}
			resp, err = e.MarshalJSON()
			if err != nil {
				fatal(err)
			}
			l.Error = true
		}
		l.Response = string(resp)
		b, err := json.Marshal(l)
		if err != nil {
			fatal(err)
		}
		bw.Write(append(b, '\n'))
		counts[op]++
	}

	// every operation's worst cases (the limits' edges) first
	for _, w := range estimatortest.WorstCases() {
		emit(w.Op, w.Body, estimatortest.FreshPrompt(w.Body))
	}
	if *onlyWorst {
		*n, *variants, *vectors = 0, 0, ""
	}
	for _, req := range estimatortest.RandomRequests(*seed, *n) {
		emit("quote", req, nil)
	}
	byOp := map[string][][]byte{}
	var files []string
	if *vectors != "" {
		files, _ = filepath.Glob(filepath.Join(*vectors, "*.vectors"))
	}
	sort.Strings(files)
	for _, f := range files {
		vs, err := estimatortest.ReadVectors(f)
		if err != nil {
			fatal(err)
		}
		for _, v := range vs {
			emit(v.Op, v.Request, nil)
			byOp[v.Op] = append(byOp[v.Op], v.Request)
		}
	}
	r := rand.New(rand.NewPCG(*seed, 0x5eed))
	for _, op := range estimator.Ops() {
		if *onlyWorst {
			break
		}
		for _, s := range seeds[op] {
			emit(op, []byte(s), nil)
		}
		base := byOp[op]
		for _, s := range seeds[op] {
			base = append(base, []byte(s))
		}
		if len(base) == 0 || *variants == 0 {
			continue
		}
		for range *variants {
			emit(op, mutate(r, base[r.IntN(len(base))]), nil)
		}
	}
	// an op that does not exist, through the same path
	if !*onlyWorst {
		emit("no-such-op", []byte(`{}`), nil)
	}
	if err := bw.Flush(); err != nil {
		fatal(err)
	}
	ops := make([]string, 0, len(counts))
	for op := range counts {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprint(os.Stderr, "parity:")
	for _, op := range ops {
		fmt.Fprintf(os.Stderr, " %s=%d", op, counts[op])
	}
	fmt.Fprintf(os.Stderr, " skipped(invalid UTF-8)=%d\n", skipped)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "parity:", err)
	os.Exit(1)
}

// mutate returns req with one to three random changes to its JSON tree; a
// request that is not JSON is truncated instead.
func mutate(r *rand.Rand, req []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(req))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return req[:r.IntN(len(req)+1)]
	}
	for range 1 + r.IntN(2) {
		v = mutateValue(r, v, 0)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return req
	}
	if r.IntN(20) == 0 { // occasionally break the syntax
		return b[:r.IntN(len(b)+1)]
	}
	return b
}

func mutateValue(r *rand.Rand, v any, depth int) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) > 0 && (depth == 0 || r.IntN(4) != 0) {
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			k := keys[r.IntN(len(keys))]
			switch r.IntN(12) {
			case 0:
				delete(x, k)
			case 1:
				x["unexpected"+strconv.Itoa(r.IntN(3))] = randomLeaf(r)
			default:
				x[k] = mutateValue(r, x[k], depth+1)
			}
			return x
		}
	case []any:
		if len(x) > 0 && r.IntN(4) != 0 {
			i := r.IntN(len(x))
			switch r.IntN(5) {
			case 0:
				return append(x[:i:i], x[i+1:]...)
			case 1:
				return append(x, x[i])
			default:
				x[i] = mutateValue(r, x[i], depth+1)
				return x
			}
		}
	case json.Number:
		if r.IntN(3) != 0 {
			return nearNumber(r, x)
		}
	case string:
		// decimal strings ("30", "0.10") are amounts: perturb them as numbers, keep them strings
		if _, err := strconv.ParseFloat(x, 64); err == nil && r.IntN(3) != 0 {
			return string(nearNumber(r, json.Number(x)))
		}
	}
	return randomLeaf(r)
}

// nearNumber perturbs a number: off by a little, scaled, negated, with more
// decimals, or huge.
func nearNumber(r *rand.Rand, n json.Number) json.Number {
	f, err := n.Float64()
	if err != nil {
		return n
	}
	switch r.IntN(8) {
	case 0, 6, 7:
		return json.Number(strconv.FormatInt(int64(f)+int64(r.IntN(7))-3, 10))
	case 1:
		return json.Number(strconv.FormatFloat(f*float64(r.IntN(40))/10, 'f', r.IntN(5), 64))
	case 2:
		return json.Number(strconv.FormatFloat(-f, 'f', -1, 64))
	case 3:
		return json.Number(strconv.FormatFloat(f, 'f', 1+r.IntN(6), 64) + "1")
	case 4:
		return json.Number("1e" + strconv.Itoa(r.IntN(40)))
	default:
		return json.Number(strconv.Itoa(r.IntN(1000)))
	}
}

func randomLeaf(r *rand.Rand) any {
	switch r.IntN(9) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return json.Number(strconv.Itoa(r.IntN(200) - 20))
	case 3:
		return json.Number(strconv.FormatFloat(r.Float64()*100, 'f', r.IntN(5), 64))
	case 4:
		return []any{}
	case 5:
		return map[string]any{}
	case 6:
		return "2026-0" + strconv.Itoa(1+r.IntN(9)) + "-" + strconv.Itoa(10+r.IntN(25))
	case 7:
		return []string{"", "starter", "pro", "1080p", "x", "é"}[r.IntN(6)]
	default:
		return "99999999999999999999999"
	}
}

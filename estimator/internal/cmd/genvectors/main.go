// Command genvectors turns the golden cases (estimator/testdata/*.cases: name, op and request)
// into golden vectors (*.vectors: the same plus the response or error the native engine gives
// with the embedded default rate card). In a case's request, $CARD_VERSION and $CARD_DIGEST stand
// for that card's version and digest (a quote the card itself gave names them), so a card change
// does not make such cases stale. Review the diff by eye before committing it:
//
//	go run ./estimator/internal/cmd/genvectors -out estimator/testdata
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

func main() {
	dir := flag.String("out", "estimator/testdata", "folder holding the *.cases files; *.vectors are written beside them")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "genvectors:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	cases, err := filepath.Glob(filepath.Join(dir, "*.cases"))
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		return fmt.Errorf("no .cases files in %s", dir)
	}
	card := estimator.Default()
	for _, path := range cases {
		vs, err := estimatortest.ReadVectors(path)
		if err != nil {
			return err
		}
		for i := range vs {
			vs[i].Request = estimatortest.ExpandCard(vs[i].Request, card)
			out, err := card.Do(vs[i].Op, vs[i].Request)
			if err != nil {
				var e *estimator.Error
				if !errors.As(err, &e) {
					return fmt.Errorf("%s: case %s: error of type %T", path, vs[i].Name, err)
				}
				vs[i].Response, vs[i].IsError = e.AppendJSON(nil), true
				continue
			}
			vs[i].Response, vs[i].IsError = out, false
		}
		header := "Golden vectors generated from " + filepath.Base(path) + " by\n" +
			"go run ./estimator/internal/cmd/genvectors (do not edit by hand).\n" +
			"Rate card " + card.Version() + " " + card.Digest() + "\n" +
			"Every implementation (native Go, wasm under Node, the HTTP server, the browser widget)\n" +
			"must give these bytes exactly."
		target := strings.TrimSuffix(path, ".cases") + ".vectors"
		if err := os.WriteFile(target, estimatortest.FormatVectors(header, vs), 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d vectors\n", target, len(vs))
	}
	return nil
}

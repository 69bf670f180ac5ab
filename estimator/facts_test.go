package estimator

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ErrorCodes must list every Code* constant of errors.go: a new code that is not listed would be
// missing from the generated JS facts.
func TestErrorCodesListsEveryCode(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Code") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a string literal", n.Name)
				}
				v, _ := strconv.Unquote(lit.Value)
				declared = append(declared, v)
			}
		}
	}
	if !slices.Equal(declared, ErrorCodes()) {
		t.Fatalf("ErrorCodes() = %v\nerrors.go declares %v", ErrorCodes(), declared)
	}
}

func TestDefaultSpecIsTheReference(t *testing.T) {
	c := Default()
	s := c.DefaultSpec()
	q, err := c.Estimate(s)
	if err != nil {
		t.Fatal(err)
	}
	if q.Credits != c.refCredits {
		t.Fatalf("the default spec costs %s, the reference %s", q.Credits, c.refCredits)
	}
	if got, _ := DecodeSpec(s.AppendJSON(nil)); got != s {
		t.Fatalf("DefaultSpec does not round-trip: %+v", got)
	}
}

package ledger

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ledger is a domain package: nothing of HTTP in its dependencies or its API.
func TestNoHTTPInTheLedger(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, string(out))
	for _, dep := range strings.Fields(string(out)) {
		assert.False(t, dep == "net/http" || strings.HasPrefix(dep, "net/http/"), "the ledger depends on %s", dep)
	}

	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	require.NoError(t, err)
	require.Contains(t, pkgs, "ledger")
	exported := 0
	for _, f := range pkgs["ledger"].Files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !ts.Name.IsExported() {
				return true
			}
			exported++
			assert.NotContains(t, []string{"Response", "Status"}, ts.Name.Name, "an HTTP-shaped type")
			if st, ok := ts.Type.(*ast.StructType); ok {
				for _, fld := range st.Fields.List {
					for _, name := range fld.Names {
						assert.NotContains(t, []string{"Status", "StatusCode", "Body"}, name.Name, "%s.%s: an HTTP answer's member", ts.Name.Name, name.Name)
					}
				}
			}
			return true
		})
	}
	assert.Greater(t, exported, 10)
}

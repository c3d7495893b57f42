package tonegrid

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// notYetReturned lists catalogue errors whose routes have not landed yet;
// each issue that builds a route removes its errors from here.
var notYetReturned = map[string]bool{}

// moduleFiles parses every Go file of the module, tests included when
// tests is true.
func moduleFiles(t *testing.T, tests bool) map[string]*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]*ast.File{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") != tests {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		out[path] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestErrorsComeOnlyFromTheCatalogue fails when code builds an Error by hand
// instead of returning a catalogue entry: only register may.
func TestErrorsComeOnlyFromTheCatalogue(t *testing.T) {
	for path, f := range moduleFiles(t, false) {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			name := ""
			switch typ := lit.Type.(type) {
			case *ast.Ident:
				if f.Name.Name == "tonegrid" {
					name = typ.Name
				}
			case *ast.SelectorExpr:
				if x, ok := typ.X.(*ast.Ident); ok && x.Name == "tonegrid" {
					name = typ.Sel.Name
				}
			}
			if name == "Error" && path != "catalogue.go" {
				t.Errorf("%s: builds a tonegrid.Error by hand; return a catalogue entry instead", path)
			}
			return true
		})
	}
}

// catalogueVars maps each catalogue code to the name of its Err variable.
func catalogueVars(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "catalogue.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok || len(spec.Values) != 1 {
			return true
		}
		call, ok := spec.Values[0].(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
			return true
		}
		if fn, ok := call.Fun.(*ast.Ident); !ok || fn.Name != "register" {
			return true
		}
		lit, ok := call.Args[1].(*ast.BasicLit)
		if !ok {
			return true
		}
		code, _ := strconv.Unquote(lit.Value)
		out[code] = spec.Names[0].Name
		return true
	})
	return out
}

// TestEveryCatalogueErrorIsReturnedAndTested fails when a catalogue error is
// never returned by the code, or never asserted by a test (its code string
// appears in no test outside this package), unless its route has not landed.
func TestEveryCatalogueErrorIsReturnedAndTested(t *testing.T) {
	vars := catalogueVars(t)
	if len(vars) != len(Catalogue()) {
		t.Fatalf("found %d register calls, catalogue has %d entries", len(vars), len(Catalogue()))
	}
	used := map[string]bool{}
	for path, f := range moduleFiles(t, false) {
		if path == "catalogue.go" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && id.Name == "tonegrid" {
					used[x.Sel.Name] = true
				}
			case *ast.Ident:
				if f.Name.Name == "tonegrid" {
					used[x.Name] = true
				}
			}
			return true
		})
	}
	tested := map[string]bool{}
	for path, f := range moduleFiles(t, true) {
		if filepath.Dir(path) == "." {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					tested[s] = true
				}
			}
			return true
		})
	}
	var codes []string
	for code := range vars {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		pending := notYetReturned[code]
		switch {
		case pending && used[vars[code]] && tested[code]:
			t.Errorf("%s is returned and tested now: remove it from notYetReturned", code)
		case pending:
		case !used[vars[code]]:
			t.Errorf("%s (%s) is in the catalogue but no code returns it", code, vars[code])
		case !tested[code]:
			t.Errorf("%s is returned but no test outside the root package asserts its code", code)
		}
	}
	for code := range notYetReturned {
		if _, ok := vars[code]; !ok {
			t.Errorf("notYetReturned lists %s, which is not in the catalogue", code)
		}
	}
}

package httpapi

import (
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"tonegrid"
)

// TestRoutesMatchSpecification keeps the route table and openapi.yaml in
// step: every route is documented and every documented operation is served.
func TestRoutesMatchSpecification(t *testing.T) {
	spec, err := parseSpec(specYAML)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
			if op.OperationID == "" || op.Summary == "" || len(op.Tags) == 0 {
				t.Errorf("%s %s lacks an operationId, summary or tag", method, path)
			}
			if len(op.Responses) == 0 {
				t.Errorf("%s %s documents no response", method, path)
			}
		}
	}
	s := New(Config{}, Deps{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	served := map[string]bool{}
	for _, rt := range s.routes {
		served[rt.pattern()] = true
		if !documented[rt.pattern()] {
			t.Errorf("route %s is not in openapi.yaml", rt.pattern())
		}
	}
	var missing []string
	for op := range documented {
		if !served[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	for _, op := range missing {
		t.Errorf("openapi.yaml documents %s, which no route serves", op)
	}
}

func TestOperationIDsAreUnique(t *testing.T) {
	spec, err := parseSpec(specYAML)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			if prev, ok := seen[op.OperationID]; ok {
				t.Errorf("operationId %s used by %s and %s %s", op.OperationID, prev, method, path)
			}
			seen[op.OperationID] = method + " " + path
		}
	}
}

// TestSpecDocumentsAuthentication keeps each operation's security in step
// with its route: authenticated routes name the bearer scheme (with the
// scope they need, when a scope grants it), public ones say security: [].
func TestSpecDocumentsAuthentication(t *testing.T) {
	spec, err := parseSpec(specYAML)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{}, Deps{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, rt := range s.routes {
		op := spec.Paths[rt.path][strings.ToLower(rt.method)]
		if op.Security == nil {
			t.Errorf("%s has no security block", rt.pattern())
			continue
		}
		if rt.perm == "" {
			if len(op.Security) != 0 {
				t.Errorf("%s is public but documents security %v", rt.pattern(), op.Security)
			}
			continue
		}
		if len(op.Security) != 1 {
			t.Errorf("%s: security %v, want one bearer requirement", rt.pattern(), op.Security)
			continue
		}
		scopes, ok := op.Security[0]["bearer"]
		if !ok {
			t.Errorf("%s: security %v lacks bearer", rt.pattern(), op.Security)
		}
		if tonegrid.ValidScope(string(rt.perm)) && (len(scopes) != 1 || scopes[0] != string(rt.perm)) {
			t.Errorf("%s needs scope %s but documents %v", rt.pattern(), rt.perm, scopes)
		}
	}
}

package httpapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// specYAML is the checked-in OpenAPI 3.1 description of every route.
//
//go:embed openapi.yaml
var specYAML []byte

// specJSON is specYAML converted to JSON, served at /api/openapi.json.
var specJSON = mustSpecJSON(specYAML)

func mustSpecJSON(y []byte) []byte {
	var v any
	if err := yaml.Unmarshal(y, &v); err != nil {
		panic(fmt.Sprintf("openapi.yaml: %v", err))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("openapi.yaml to JSON: %v", err))
	}
	return b
}

// handleOpenAPI serves the specification as JSON.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(specJSON)
	return err
}

// The subset of OpenAPI the reference page renders.
type (
	apiSpec struct {
		OpenAPI string `yaml:"openapi"`
		Info    struct {
			Title       string `yaml:"title"`
			Version     string `yaml:"version"`
			Description string `yaml:"description"`
		} `yaml:"info"`
		Tags []struct {
			Name        string `yaml:"name"`
			Description string `yaml:"description"`
		} `yaml:"tags"`
		Paths      map[string]map[string]apiOperation `yaml:"paths"`
		Components struct {
			Schemas map[string]apiSchema `yaml:"schemas"`
		} `yaml:"components"`
	}
	apiOperation struct {
		OperationID string                 `yaml:"operationId"`
		Summary     string                 `yaml:"summary"`
		Description string                 `yaml:"description"`
		Tags        []string               `yaml:"tags"`
		Parameters  []apiParameter         `yaml:"parameters"`
		RequestBody *apiBody               `yaml:"requestBody"`
		Responses   map[string]apiResponse `yaml:"responses"`
		Security    []map[string][]string  `yaml:"security"`
	}
	apiParameter struct {
		Ref         string    `yaml:"$ref"`
		Name        string    `yaml:"name"`
		In          string    `yaml:"in"`
		Description string    `yaml:"description"`
		Required    bool      `yaml:"required"`
		Schema      apiSchema `yaml:"schema"`
	}
	apiBody struct {
		Ref         string              `yaml:"$ref"`
		Description string              `yaml:"description"`
		Content     map[string]apiMedia `yaml:"content"`
	}
	apiResponse struct {
		Ref         string              `yaml:"$ref"`
		Description string              `yaml:"description"`
		Content     map[string]apiMedia `yaml:"content"`
	}
	apiMedia struct {
		Schema apiSchema `yaml:"schema"`
	}
	apiSchema struct {
		Ref         string               `yaml:"$ref"`
		Type        any                  `yaml:"type"`
		Format      string               `yaml:"format"`
		Description string               `yaml:"description"`
		Enum        []any                `yaml:"enum"`
		Items       *apiSchema           `yaml:"items"`
		Properties  map[string]apiSchema `yaml:"properties"`
		Required    []string             `yaml:"required"`
		AllOf       []apiSchema          `yaml:"allOf"`
		OneOf       []apiSchema          `yaml:"oneOf"`
	}
)

// parseSpec decodes the specification into the subset above.
func parseSpec(y []byte) (*apiSpec, error) {
	var spec apiSpec
	if err := yaml.Unmarshal(y, &spec); err != nil {
		return nil, err
	}
	return &spec, nil
}

// typeName renders a schema's type for humans: "string (uuid)", "Release",
// "array of Track".
func (sc apiSchema) typeName() string {
	switch {
	case sc.Ref != "":
		return sc.refName()
	case sc.Items != nil:
		return "array of " + sc.Items.typeName()
	case len(sc.AllOf) > 0:
		return joinTypes(sc.AllOf, " & ")
	case len(sc.OneOf) > 0:
		return joinTypes(sc.OneOf, " | ")
	}
	t := fmt.Sprint(sc.Type)
	switch v := sc.Type.(type) {
	case nil:
		t = "object"
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = fmt.Sprint(p)
		}
		t = strings.Join(parts, " | ")
	}
	if sc.Format != "" {
		t += " (" + sc.Format + ")"
	}
	if len(sc.Enum) > 0 {
		vals := make([]string, len(sc.Enum))
		for i, e := range sc.Enum {
			vals[i] = fmt.Sprint(e)
		}
		t += ": " + strings.Join(vals, ", ")
	}
	return t
}

// refName is the name of the component schema sc refers to, or "".
func (sc apiSchema) refName() string {
	if sc.Ref == "" {
		return ""
	}
	return sc.Ref[strings.LastIndexByte(sc.Ref, '/')+1:]
}

func joinTypes(list []apiSchema, sep string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = s.typeName()
	}
	return strings.Join(parts, sep)
}

// The reference page's model.
type (
	docsTag struct {
		Name        string
		Description string
		Operations  []docsOperation
	}
	docsOperation struct {
		ID, Method, Path, Summary string
		Description               string
		Security                  string
		Parameters                []docsField
		RequestBody               string
		// RequestSchema names the request body's schema, when it is one.
		RequestSchema string
		Responses     []docsResponse
	}
	docsField struct {
		Name, In, Type, Description string
		Required                    bool
	}
	docsResponse struct {
		Status, Description, Schema string
		// SchemaRef names the response's schema, when it is one.
		SchemaRef string
	}
	docsSchema struct {
		Name, Description string
		Properties        []docsField
	}
)

var methodOrder = map[string]int{"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

// docsModel arranges the specification by tag, operations ordered by path
// then method.
func docsModel(spec *apiSpec) ([]docsTag, []docsSchema) {
	byTag := map[string]*docsTag{}
	var order []string
	for _, t := range spec.Tags {
		byTag[t.Name] = &docsTag{Name: t.Name, Description: t.Description}
		order = append(order, t.Name)
	}
	paths := make([]string, 0, len(spec.Paths))
	for p := range spec.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		methods := make([]string, 0, len(spec.Paths[p]))
		for m := range spec.Paths[p] {
			methods = append(methods, m)
		}
		sort.Slice(methods, func(i, j int) bool { return methodOrder[methods[i]] < methodOrder[methods[j]] })
		for _, m := range methods {
			op := spec.Paths[p][m]
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			dt, ok := byTag[tag]
			if !ok {
				dt = &docsTag{Name: tag}
				byTag[tag] = dt
				order = append(order, tag)
			}
			dt.Operations = append(dt.Operations, docsOp(p, m, op))
		}
	}
	tags := make([]docsTag, 0, len(order))
	for _, name := range order {
		if t := byTag[name]; len(t.Operations) > 0 {
			tags = append(tags, *t)
		}
	}
	names := make([]string, 0, len(spec.Components.Schemas))
	for n := range spec.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	schemas := make([]docsSchema, 0, len(names))
	for _, n := range names {
		sc := spec.Components.Schemas[n]
		ds := docsSchema{Name: n, Description: sc.Description}
		ds.Properties = schemaFields(sc)
		schemas = append(schemas, ds)
	}
	return tags, schemas
}

// schemaFields lists a schema's properties, those of its allOf parts
// included, ordered by name.
func schemaFields(sc apiSchema) []docsField {
	required := map[string]bool{}
	for _, r := range sc.Required {
		required[r] = true
	}
	var out []docsField
	for _, part := range sc.AllOf {
		out = append(out, schemaFields(part)...)
	}
	props := make([]string, 0, len(sc.Properties))
	for p := range sc.Properties {
		props = append(props, p)
	}
	sort.Strings(props)
	for _, p := range props {
		ps := sc.Properties[p]
		out = append(out, docsField{Name: p, Type: ps.typeName(), Description: ps.Description, Required: required[p]})
	}
	return out
}

func docsOp(path, method string, op apiOperation) docsOperation {
	d := docsOperation{ID: op.OperationID, Method: strings.ToUpper(method), Path: path, Summary: op.Summary, Description: op.Description}
	if op.Security != nil {
		var schemes []string
		for _, req := range op.Security {
			for name, scopes := range req {
				if len(scopes) > 0 {
					name += " (" + strings.Join(scopes, ", ") + ")"
				}
				schemes = append(schemes, name)
			}
		}
		if len(schemes) == 0 {
			d.Security = "no authentication"
		} else {
			d.Security = "auth: " + strings.Join(schemes, " or ")
		}
	}
	for _, p := range op.Parameters {
		name := p.Name
		if p.Ref != "" {
			name = p.Ref[strings.LastIndexByte(p.Ref, '/')+1:]
		}
		d.Parameters = append(d.Parameters, docsField{Name: name, In: p.In, Type: p.Schema.typeName(), Description: p.Description, Required: p.Required})
	}
	if op.RequestBody != nil {
		for ct, media := range op.RequestBody.Content {
			d.RequestBody = ct + ": " + media.Schema.typeName()
			d.RequestSchema = media.Schema.refName()
		}
	}
	codes := make([]string, 0, len(op.Responses))
	for c := range op.Responses {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		resp := op.Responses[c]
		dr := docsResponse{Status: c, Description: resp.Description}
		if resp.Ref != "" {
			dr.Description = resp.Ref[strings.LastIndexByte(resp.Ref, '/')+1:]
		}
		for _, media := range resp.Content {
			dr.Schema, dr.SchemaRef = media.Schema.typeName(), media.Schema.refName()
		}
		d.Responses = append(d.Responses, dr)
	}
	return d
}

// handleDocs renders the API reference from the specification, offline.
func (s *Server) handleDocs(w http.ResponseWriter, r *http.Request) error {
	spec, err := parseSpec(specYAML)
	if err != nil {
		return fmt.Errorf("parse openapi.yaml: %w", err)
	}
	tags, schemas := docsModel(spec)
	return writePage(w, http.StatusOK, "docs", struct {
		page
		Spec    *apiSpec
		Tags    []docsTag
		Schemas []docsSchema
	}{page{"API reference", "docs"}, spec, tags, schemas})
}

// OpenAPIYAML returns the checked-in specification, for tools and tests.
func OpenAPIYAML() []byte { return append([]byte(nil), specYAML...) }

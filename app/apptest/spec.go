package apptest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"tonegrid/httpapi"
)

var spec struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// Spec returns the parsed, validated OpenAPI document and its router.
func Spec(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	spec.once.Do(func() {
		loader := openapi3.NewLoader()
		spec.doc, spec.err = loader.LoadFromData(httpapi.OpenAPIYAML())
		if spec.err != nil {
			return
		}
		if spec.err = spec.doc.Validate(context.Background()); spec.err != nil {
			return
		}
		spec.router, spec.err = legacy.NewRouter(spec.doc)
		openapi3filter.RegisterBodyDecoder("text/html", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(body)
			return string(b), err
		})
	})
	if spec.err != nil {
		t.Fatalf("openapi.yaml: %v", spec.err)
	}
	return spec.doc, spec.router
}

// checkAgainstSpec fails t when a response does not match what the
// specification documents for its route: a 2xx status the operation does not
// list, or a JSON body that does not fit the documented schema. Requests to
// paths the specification lacks must answer 404 route_not_found.
func checkAgainstSpec(t testing.TB, req *http.Request, resp *Response) {
	t.Helper()
	_, router := Spec(t)
	if resp.Status == http.StatusNotFound && bytes.Contains(resp.Body, []byte(`"code":"route_not_found"`)) ||
		resp.Status == http.StatusTooManyRequests && bytes.Contains(resp.Body, []byte(`"code":"rate_limited"`)) {
		// No route (the router of the specification is laxer: it ignores
		// trailing slashes, the server's is the one that counts), or a
		// request refused before routing mattered.
		return
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		if resp.Status != http.StatusNotFound && resp.Status != http.StatusMethodNotAllowed {
			t.Errorf("%s %s answered %d but is not in openapi.yaml: %v", req.Method, req.URL.Path, resp.Status, err)
		}
		return
	}
	op := route.Operation
	if resp.Status < 300 && op.Responses.Value(strconv.Itoa(resp.Status)) == nil {
		t.Errorf("%s %s answered %d, which openapi.yaml does not list for %s", req.Method, req.URL.Path, resp.Status, op.OperationID)
		return
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.Status,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(resp.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("%s %s answered %d, which does not match openapi.yaml: %v\nbody: %.2000s", req.Method, req.URL.Path, resp.Status, err, resp.Body)
	}
}

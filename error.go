package tonegrid

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is the one error type whose contents reach API clients. Every value
// comes from the catalogue (see Catalogue): code paths never build one by hand,
// they return a catalogue entry, formatted with its placeholders when it has
// some. Anything else that reaches the HTTP layer is an internal error.
type Error struct {
	// Status is the HTTP status the error is answered with.
	Status int
	// Code is the stable machine-readable code, such as "release_not_found".
	Code string
	// Message is the exact human-readable text of the contract.
	Message string
	// Fields holds per-field violations of a validation failure, keyed by
	// field path ("tracks.0.isrc"). Nil for every other error.
	Fields map[string][]FieldError

	// template is the catalogue message with its <placeholders>.
	template string
}

// FieldError is one violation of one field: a code from the validation
// vocabulary (a translation key such as "required" or "invalid_isrc") and the
// parameters its message needs ({"max": 255}).
type FieldError struct {
	Code   string
	Params map[string]any
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Code + ": " + e.Message
	}
	paths := make([]string, 0, len(e.Fields))
	for p := range e.Fields {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, strings.Join(paths, ", "))
}

// Is reports whether target is the same catalogue error (same code and
// template), so errors.Is(err, tonegrid.ErrReleaseNotFound) works for
// formatted copies too.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.template == e.template
}

// Template returns the catalogue message with its placeholders unfilled.
func (e *Error) Template() string { return e.template }

// Format returns a copy of a catalogue error whose <placeholders> are replaced,
// in order, by args: ErrDSPNotFound.Format("spotify").
func (e *Error) Format(args ...any) *Error {
	c := *e
	c.Fields = nil
	var b strings.Builder
	rest := e.template
	for _, arg := range args {
		i := strings.IndexByte(rest, '<')
		j := strings.IndexByte(rest, '>')
		if i < 0 || j < i {
			break
		}
		b.WriteString(rest[:i])
		fmt.Fprint(&b, arg)
		rest = rest[j+1:]
	}
	b.WriteString(rest)
	c.Message = b.String()
	return &c
}

// ErrorOf returns the catalogue error inside err, if there is one.
func ErrorOf(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Violations collects field errors while a request is validated. The zero
// value is ready to use.
type Violations map[string][]FieldError

// Add records one violation of field path with a vocabulary code and optional
// key/value parameters ("max", 255).
func (v *Violations) Add(path, code string, kv ...any) {
	if *v == nil {
		*v = Violations{}
	}
	fe := FieldError{Code: code}
	if len(kv) > 0 {
		fe.Params = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			fe.Params[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	(*v)[path] = append((*v)[path], fe)
}

// Merge adds every violation of other under prefix ("tracks.0").
func (v *Violations) Merge(prefix string, other Violations) {
	for path, errs := range other {
		full := path
		if prefix != "" {
			full = prefix + "." + path
		}
		for _, fe := range errs {
			if *v == nil {
				*v = Violations{}
			}
			(*v)[full] = append((*v)[full], fe)
		}
	}
}

// Err returns nil when nothing was recorded, else the 422 validation error.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	e := *ErrValidation
	e.Fields = map[string][]FieldError(v)
	return &e
}

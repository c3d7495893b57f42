package httpapi

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/i18n"
)

// checker collects the field violations of one request body.
type checker struct {
	v tonegrid.Violations
	// artistNames lets artist credits name an artist instead of giving its
	// uuid (bulk ingestion creates or matches artists by name).
	artistNames bool
}

// add records a violation.
func (c *checker) add(field, code string, kv ...any) { c.v.Add(field, code, kv...) }

// err is the 422 error, or nil when everything passed.
func (c *checker) err() error { return c.v.Err() }

// text trims s, requires it when required, and bounds its length in
// characters; it returns the trimmed value.
func (c *checker) text(field, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		c.add(field, "required")
	case utf8.RuneCountInString(s) > max:
		c.add(field, "too_long", "max", max)
	case !utf8.ValidString(s) || strings.ContainsAny(s, "\x00"):
		c.add(field, "invalid_type")
	}
	return s
}

// email requires a plain address (no display name), at most 254 bytes, and
// returns it normalized.
func (c *checker) email(field, s string) string {
	s = tonegrid.NormalizeEmail(s)
	if s == "" {
		c.add(field, "required")
		return s
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		c.add(field, "invalid_email")
	}
	return s
}

// oneOf requires s to be one of allowed (when not empty, or always when
// required).
func (c *checker) oneOf(field, s string, required bool, allowed ...string) {
	if s == "" && !required {
		return
	}
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	c.add(field, "not_in_list", "allowed", strings.Join(allowed, ", "))
}

// locale requires a supported locale when s is not empty.
func (c *checker) locale(field, s string) {
	c.oneOf(field, s, false, i18n.Locales()...)
}

// pathUUID returns the path wildcard name when it is a UUID; anything else
// is answered with notFound, as an unknown uuid would be.
func pathUUID(r *http.Request, name string, notFound *tonegrid.Error) (string, error) {
	s := r.PathValue(name)
	if len(s) != 36 {
		return "", notFound
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", notFound
	}
	return u.String(), nil
}

// pageOf reads ?page= (from 1) and ?per_page= (1–100, default 20).
func pageOf(r *http.Request) (tonegrid.Page, error) {
	var c checker
	p := tonegrid.Page{Page: 1, PerPage: 20}
	q := r.URL.Query()
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			c.add("page", "out_of_range", "min", 1, "max", 1_000_000)
		}
		p.Page = n
	}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			c.add("per_page", "out_of_range", "min", 1, "max", 100)
		}
		p.PerPage = n
	}
	return p, c.err()
}

// metaOf is the pagination block of a page of total items.
func metaOf(p tonegrid.Page, total int) listMeta {
	return listMeta{Page: p.Page, PerPage: p.PerPage, Total: total}
}

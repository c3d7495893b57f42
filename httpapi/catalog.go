package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/ident"
	"tonegrid/money"
)

// field is one member of a JSON body that may be absent, null or set: set
// reports presence, null an explicit null. Create and update bodies share
// one struct of fields.
type field[T any] struct {
	set   bool
	null  bool
	value T
}

// UnmarshalJSON implements json.Unmarshaler; it runs only for members that
// are present.
func (f *field[T]) UnmarshalJSON(b []byte) error {
	f.set = true
	if string(b) == "null" {
		f.null = true
		return nil
	}
	return json.Unmarshal(b, &f.value)
}

// given reports whether the member is present and not null.
func (f field[T]) given() bool { return f.set && !f.null }

// decimalText is a decimal given as a JSON string ("33.3333") or number
// (33.3333), kept as written so that no digit is lost to a float.
type decimalText string

// UnmarshalJSON implements json.Unmarshaler.
func (d *decimalText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = decimalText(strings.TrimSpace(s))
		return nil
	}
	if len(b) == 0 || !(b[0] == '-' || '0' <= b[0] && b[0] <= '9') || !json.Valid(b) {
		return errors.New("decimal: want a string or a number")
	}
	*d = decimalText(b)
	return nil
}

// name checks a display name: trimmed, required when required, at most max
// characters, without control characters (credit lists are joined with
// them in storage).
func (c *checker) name(field, s string, required bool, max int) string {
	s = c.text(field, s, required, max)
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		c.add(field, "invalid_characters")
	}
	return s
}

// uuid requires s to be a UUID and returns it in canonical form.
func (c *checker) uuid(field, s string) string {
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		c.add(field, "invalid_uuid")
		return s
	}
	return u.String()
}

// percentage requires a decimal between 0 (exclusive unless zeroOK) and 100
// with at most 4 places, and returns it canonical.
func (c *checker) percentage(field string, s decimalText, zeroOK bool) string {
	d, err := money.ParsePercentage(string(s))
	switch {
	case err != nil:
		c.add(field, "invalid_percentage")
		return string(s)
	case d.Sign() == 0 && !zeroOK:
		c.add(field, "out_of_range", "min", "0.0001", "max", 100)
	}
	return d.String()
}

// date requires a YYYY-MM-DD date.
func (c *checker) date(field, s string) *tonegrid.Date {
	d, err := tonegrid.ParseDate(strings.TrimSpace(s))
	if err != nil {
		c.add(field, "invalid_date")
		return nil
	}
	return &d
}

// language requires an ISO 639-1 code and returns it lowercase.
func (c *checker) language(field, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !ident.ValidLanguage(s) {
		c.add(field, "invalid_language")
	}
	return s
}

// country requires an ISO 3166-1 alpha-2 country and returns it uppercase.
func (c *checker) country(field, s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == tonegrid.Worldwide || !ident.ValidTerritory(s) {
		c.add(field, "invalid_country")
	}
	return s
}

// territories requires a non-empty list of ISO 3166-1 codes, or ["WW"]
// alone, and returns it uppercase, sorted, without duplicates.
func (c *checker) territories(field string, list []string, required bool) []string {
	if len(list) == 0 {
		if required {
			c.add(field, "required")
		}
		return []string{}
	}
	if len(list) > 300 {
		c.add(field, "too_many", "max", 300)
		return list
	}
	out, err := ident.NormalizeTerritories(list)
	var te *ident.TerritoryError
	if errors.As(err, &te) {
		code := "invalid_territory"
		if errors.Is(err, ident.ErrWorldwideNotAlone) {
			code = "worldwide_alone"
		}
		c.add(field+"."+strconv.Itoa(te.Index), code)
		return list
	}
	return out
}

// titles checks localized titles: BCP-47 language tags (normalized) to
// titles.
func (c *checker) titles(field string, in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	if len(in) > 50 {
		c.add(field, "too_many", "max", 50)
		return out
	}
	for tag, title := range in {
		f := field + "." + tag
		canonical, ok := ident.NormalizeLocaleTag(tag)
		if !ok {
			c.add(f, "invalid_locale")
			continue
		}
		if _, dup := out[canonical]; dup {
			c.add(f, "duplicate")
		}
		out[canonical] = c.name(f, title, true, 255)
	}
	return out
}

// creditBody is an artist credit in a request.
type creditBody struct {
	ArtistUUID string `json:"artist_uuid"`
	// Name credits an artist by name instead, where the checker allows it
	// (bulk ingestion).
	Name string `json:"name"`
	Role string `json:"role"`
}

// credits checks artist credits: uuids, roles (primary when omitted), no
// artist twice, at least one primary artist when primary is true.
func (c *checker) credits(field string, in []creditBody, primary bool) []tonegrid.ArtistCredit {
	if len(in) > 20 {
		c.add(field, "too_many", "max", 20)
		return nil
	}
	out := make([]tonegrid.ArtistCredit, len(in))
	seen := map[string]bool{}
	hasPrimary := false
	for i, a := range in {
		f := field + "." + strconv.Itoa(i)
		if c.artistNames && a.ArtistUUID == "" && a.Name != "" {
			name := c.name(f+".name", a.Name, true, 200)
			if seen["name:"+name] {
				c.add(f+".name", "duplicate")
			}
			seen["name:"+name] = true
			if a.Role == "" {
				a.Role = tonegrid.ArtistPrimary
			}
			c.oneOf(f+".role", a.Role, true, tonegrid.ArtistPrimary, tonegrid.ArtistFeatured)
			hasPrimary = hasPrimary || a.Role == tonegrid.ArtistPrimary
			out[i] = tonegrid.ArtistCredit{Name: name, Role: a.Role}
			continue
		}
		id := c.uuid(f+".artist_uuid", a.ArtistUUID)
		if a.Role == "" {
			a.Role = tonegrid.ArtistPrimary
		}
		c.oneOf(f+".role", a.Role, true, tonegrid.ArtistPrimary, tonegrid.ArtistFeatured)
		if seen[id] {
			c.add(f+".artist_uuid", "duplicate")
		}
		seen[id] = true
		hasPrimary = hasPrimary || a.Role == tonegrid.ArtistPrimary
		out[i] = tonegrid.ArtistCredit{ArtistUUID: id, Role: a.Role}
	}
	if primary && !hasPrimary {
		c.add(field, "primary_required")
	}
	return out
}

// upc requires a UPC-A or EAN-13 with a valid check digit; spaces and
// dashes are dropped.
func (c *checker) upc(field, s string) string {
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	if !ident.ValidUPC(s) {
		c.add(field, "invalid_upc")
	}
	return s
}

// isrc requires an ISRC and returns it as stored (no dashes).
func (c *checker) isrc(field, s string) string {
	out, ok := ident.NormalizeISRC(s)
	if !ok {
		c.add(field, "invalid_isrc")
		return s
	}
	return out
}

// sortOf reads ?sort= and checks it against the list's keys, each of which
// may be prefixed with "-".
func (c *checker) sortOf(r *http.Request, keys ...string) string {
	s := r.URL.Query().Get("sort")
	if s == "" {
		return ""
	}
	allowed := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		allowed = append(allowed, k, "-"+k)
	}
	c.oneOf("sort", s, true, allowed...)
	return s
}

// listFilterOf reads ?q=, ?sort= and the page of an artist, writer or payee
// list.
func listFilterOf(r *http.Request) (tonegrid.ListFilter, error) {
	page, err := pageOf(r)
	if err != nil {
		return tonegrid.ListFilter{}, err
	}
	var c checker
	f := tonegrid.ListFilter{Page: page}
	f.Q = c.text("q", r.URL.Query().Get("q"), false, 200)
	f.Sort = c.sortOf(r, "created_at", "updated_at", "name")
	return f, c.err()
}

// versionBody is the optimistic-concurrency part of a PATCH body.
type versionBody struct {
	RowVersion *int64  `json:"row_version"`
	UpdatedAt  *string `json:"updated_at"`
}

// precondition reads the version a write expects: If-Match ("7", W/"7" or
// 7; * means any) and the body's row_version and updated_at. An If-Match
// that names no row version matches none, so the write is stale.
func (c *checker) precondition(r *http.Request, body versionBody) tonegrid.Precondition {
	var pc tonegrid.Precondition
	if h := strings.TrimSpace(r.Header.Get("If-Match")); h != "" && h != "*" {
		tag := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
		v, err := strconv.ParseInt(tag, 10, 64)
		if err != nil {
			v = -1
		}
		pc.RowVersion = &v
	}
	if body.RowVersion != nil {
		if pc.RowVersion != nil && *pc.RowVersion != *body.RowVersion {
			v := int64(-1)
			pc.RowVersion = &v
		} else {
			pc.RowVersion = body.RowVersion
		}
	}
	if body.UpdatedAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *body.UpdatedAt)
		if err != nil {
			c.add("updated_at", "invalid_datetime")
		}
		pc.UpdatedAt = &t
	}
	return pc
}

// ifMatch is the precondition of a request without a body (DELETE).
func ifMatch(r *http.Request) tonegrid.Precondition {
	var c checker
	return c.precondition(r, versionBody{})
}

// setETag sets the entity tag of an object at rowVersion.
func setETag(w http.ResponseWriter, rowVersion int64) {
	w.Header()["Etag"] = []string{tonegrid.ETag(rowVersion)}
}

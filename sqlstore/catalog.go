package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"tonegrid"
)

// Separators of the credit lists aggregated in SQL: fields of one credit are
// joined by unitSep, credits by recordSep. Names may not contain control
// characters (the HTTP layer refuses them), so neither can occur inside one.
const (
	unitSep   = "\x1f"
	recordSep = "\x1e"
)

// creditsOf is the SQL expression aggregating the artist credits of a
// release or track from a join table aliased x (release_artists or
// track_artists) whose owner column is owner: "uuid␟role␟name" records in
// credit order.
func creditsOf(table, owner, ownerID string) string {
	return `(SELECT string_agg(CAST(a.uuid AS TEXT) || '` + unitSep + `' || x.role || '` + unitSep + `' || a.name, '` + recordSep + `' ORDER BY x.position)
		FROM ` + table + ` x JOIN artists a ON a.id = x.artist_id WHERE x.` + owner + ` = ` + ownerID + `)`
}

// parseCredits reads what creditsOf aggregated.
func parseCredits(s sql.NullString) []tonegrid.ArtistCredit {
	if !s.Valid || s.String == "" {
		return []tonegrid.ArtistCredit{}
	}
	records := strings.Split(s.String, recordSep)
	out := make([]tonegrid.ArtistCredit, 0, len(records))
	for _, rec := range records {
		uuid, rest, _ := strings.Cut(rec, unitSep)
		role, name, _ := strings.Cut(rest, unitSep)
		out = append(out, tonegrid.ArtistCredit{ArtistUUID: uuid, Role: role, Name: name})
	}
	return out
}

// isArtistUser reports whether p is a user with role artist, who edits only
// the releases of artists linked to them.
func isArtistUser(p *tonegrid.Principal) bool {
	return p.APIKey == nil && p.Role == tonegrid.RoleArtist
}

// requireCatalogEditor refuses users with role artist the changes of the
// workspace's shared catalog data: artists, writers, payees.
func requireCatalogEditor(p *tonegrid.Principal) error {
	if isArtistUser(p) {
		return tonegrid.ErrForbidden
	}
	return nil
}

// mayEditRelease refuses a user with role artist the change of a release
// that credits none of the artists linked to them.
func mayEditRelease(ctx context.Context, q querier, p *tonegrid.Principal, releaseID int64) error {
	if !isArtistUser(p) || p.User == nil {
		return nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM release_artists ra
		JOIN artist_users au ON au.artist_id = ra.artist_id
		WHERE ra.release_id = $1 AND ra.tenant_id = $2 AND au.user_id = $3`, releaseID, p.Tenant.ID, p.User.ID).Scan(&n)
	if err != nil {
		return translate(fmt.Errorf("check artist link: %w", err))
	}
	if n == 0 {
		return tonegrid.ErrForbidden
	}
	return nil
}

// resolveArtists maps the artist uuids of credits to ids of the tenant's
// artists; an unknown uuid is a field error at prefix.N.artist_uuid.
func resolveArtists(ctx context.Context, q querier, tenantID int64, prefix string, credits []tonegrid.ArtistCredit) ([]int64, error) {
	ids := make([]int64, len(credits))
	var v tonegrid.Violations
	for i, c := range credits {
		err := q.QueryRowContext(ctx, `SELECT id FROM artists WHERE uuid = $1 AND tenant_id = $2`, c.ArtistUUID, tenantID).Scan(&ids[i])
		if errors.Is(err, sql.ErrNoRows) {
			v.Add(fmt.Sprintf("%s.%d.artist_uuid", prefix, i), "not_found")
			continue
		}
		if err != nil {
			return nil, translate(fmt.Errorf("find artist %s: %w", c.ArtistUUID, err))
		}
	}
	return ids, v.Err()
}

// jsonText marshals v for a TEXT column.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json column: %w", err)
	}
	return string(b), nil
}

// decodeStrings reads a JSON array of strings; "[]" and "" give an empty
// slice without decoding.
func decodeStrings(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return []string{}, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeTitles reads a JSON object of localized titles; "{}" gives an empty
// map without decoding.
func decodeTitles(s string) (map[string]string, error) {
	if s == "" || s == "{}" {
		return map[string]string{}, nil
	}
	out := map[string]string{}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// nullDate is a date for a nullable TEXT column.
func nullDate(d *tonegrid.Date) any {
	if d == nil || d.IsZero() {
		return nil
	}
	return d.String()
}

// scanDate reads a nullable YYYY-MM-DD column.
func scanDate(s sql.NullString) (*tonegrid.Date, error) {
	if !s.Valid {
		return nil, nil
	}
	d, err := tonegrid.ParseDate(s.String)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// orderClause maps a validated sort parameter ("title", "-created_at") to
// an ORDER BY clause through columns, which names the SQL of each sort key;
// the empty sort is def. A column may carry "{dir}" where the direction
// goes (to keep NULLs last either way); otherwise the direction follows it.
// Ties break on the id column, in the same direction.
func orderClause(sort string, columns map[string]string, def, id string) string {
	if sort == "" {
		sort = def
	}
	dir := " ASC"
	if strings.HasPrefix(sort, "-") {
		dir, sort = " DESC", sort[1:]
	}
	col, ok := columns[sort]
	switch {
	case !ok || col == id:
		return id + dir
	case strings.Contains(col, "{dir}"):
		return strings.ReplaceAll(col, "{dir}", dir) + ", " + id + dir
	}
	return col + dir + ", " + id + dir
}

// likePattern turns a search text into a LIKE pattern that matches it
// anywhere, with LIKE's wildcards escaped (ESCAPE '\').
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

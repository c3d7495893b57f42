package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"tonegrid"
	"tonegrid/ident"
)

const artistColumns = `a.id, a.uuid, a.tenant_id, a.name, a.slug, a.country, a.spotify_id, a.apple_id, a.isni, a.created_at, a.updated_at,
	(SELECT string_agg(CAST(u.uuid AS TEXT), ',' ORDER BY u.id) FROM artist_users au JOIN users u ON u.id = au.user_id
		WHERE au.artist_id = a.id AND u.deleted_at IS NULL)`

func scanArtist(row interface{ Scan(...any) error }) (*tonegrid.Artist, error) {
	var a tonegrid.Artist
	var users sql.NullString
	if err := row.Scan(&a.ID, &a.UUID, &a.TenantID, &a.Name, &a.Slug, &a.Country, &a.SpotifyID, &a.AppleID, &a.ISNI,
		&a.CreatedAt, &a.UpdatedAt, &users); err != nil {
		return nil, err
	}
	a.UserUUIDs = []string{}
	if users.Valid && users.String != "" {
		a.UserUUIDs = strings.Split(users.String, ",")
	}
	return &a, nil
}

// artistSorts are the sort keys of the artist list.
var artistSorts = map[string]string{"created_at": "a.id", "name": "lower(a.name)", "updated_at": "a.updated_at"}

// ListArtists lists the tenant's artists, newest first unless f.Sort says
// otherwise.
func (db *DB) ListArtists(ctx context.Context, p *tonegrid.Principal, f tonegrid.ListFilter) ([]*tonegrid.Artist, int, error) {
	where, args := `a.tenant_id = $1`, []any{p.Tenant.ID}
	if f.Q != "" {
		args = append(args, likePattern(f.Q))
		where += fmt.Sprintf(` AND a.name %s $%d ESCAPE '\'`, db.dialect.ilike(), len(args))
	}
	return listPage(ctx, db, listQuery{what: "artists", from: "artists a", where: where, args: args, columns: artistColumns,
		order: orderClause(f.Sort, artistSorts, "-created_at", "a.id")}, f.Page, scanArtist)
}

// findArtist reads an artist of the tenant by uuid, or ErrArtistNotFound.
func findArtist(ctx context.Context, q querier, tenantID int64, uuid string) (*tonegrid.Artist, error) {
	return oneRow(q.QueryRowContext(ctx, `SELECT `+artistColumns+` FROM artists a WHERE a.uuid = $1 AND a.tenant_id = $2`, uuid, tenantID), scanArtist, tonegrid.ErrArtistNotFound, "artist")
}

// FindArtist reads an artist of the caller's tenant.
func (db *DB) FindArtist(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Artist, error) {
	return findArtist(ctx, reader{db}, p.Tenant.ID, uuid)
}

// CreateArtist adds an artist; without a slug, the first free one derived
// from the name is taken ("name", "name-2", …).
func (db *DB) CreateArtist(ctx context.Context, p *tonegrid.Principal, in tonegrid.ArtistInput) (*tonegrid.Artist, error) {
	if err := requireCatalogEditor(p); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	id, uuid, err := tx.insertArtist(ctx, p.Tenant.ID, in)
	if err != nil {
		return nil, err
	}
	if err := tx.linkArtistUsers(ctx, p.Tenant.ID, id, in.UserUUIDs); err != nil {
		return nil, err
	}
	a, err := findArtist(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return a, tx.commit()
}

// insertArtist adds an artist and returns its id and uuid; without a
// slug, the first free one derived from the name is taken.
func (tx *Tx) insertArtist(ctx context.Context, tenantID int64, in tonegrid.ArtistInput) (int64, string, error) {
	slug := in.Slug
	if slug == "" {
		var err error
		if slug, err = tx.freeSlug(ctx, tenantID, ident.Slugify(in.Name)); err != nil {
			return 0, "", err
		}
	}
	var id int64
	uuid := newUUID()
	err := tx.QueryRowContext(ctx, `
		INSERT INTO artists (uuid, tenant_id, name, slug, country, spotify_id, apple_id, isni, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		uuid, tenantID, in.Name, slug, in.Country, in.SpotifyID, in.AppleID, in.ISNI, tx.now).Scan(&id)
	if isUniqueViolation(err) {
		return 0, "", tonegrid.ErrSlugTaken
	}
	if err != nil {
		return 0, "", translate(fmt.Errorf("insert artist: %w", err))
	}
	return id, uuid, nil
}

// freeSlug returns base, or base-N with the smallest N ≥ 2 that no artist of
// the tenant uses.
func (tx *Tx) freeSlug(ctx context.Context, tenantID int64, base string) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT slug FROM artists WHERE tenant_id = $1 AND (slug = $2 OR slug LIKE $3 ESCAPE '\')`,
		tenantID, base, strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(base)+"-%")
	if err != nil {
		return "", translate(fmt.Errorf("find free slug: %w", err))
	}
	defer rows.Close()
	used := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", translate(fmt.Errorf("scan slug: %w", err))
		}
		used[s] = true
	}
	if err := rows.Err(); err != nil {
		return "", translate(err)
	}
	slug := base
	for n := 2; used[slug]; n++ {
		slug = base + "-" + strconv.Itoa(n)
	}
	return slug, nil
}

// linkArtistUsers replaces the users linked to an artist; each must be a
// live user of the tenant (a field error at user_uuids.N otherwise).
func (tx *Tx) linkArtistUsers(ctx context.Context, tenantID, artistID int64, userUUIDs []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM artist_users WHERE artist_id = $1 AND tenant_id = $2`, artistID, tenantID); err != nil {
		return translate(fmt.Errorf("clear artist users: %w", err))
	}
	var v tonegrid.Violations
	for i, uuid := range userUUIDs {
		res, err := tx.ExecContext(ctx, `INSERT INTO artist_users (artist_id, user_id, tenant_id)
			SELECT $1, id, tenant_id FROM users WHERE uuid = $2 AND tenant_id = $3 AND deleted_at IS NULL`, artistID, uuid, tenantID)
		if err != nil {
			return translate(fmt.Errorf("link artist user: %w", err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			v.Add("user_uuids."+strconv.Itoa(i), "not_found")
		}
	}
	return v.Err()
}

// UpdateArtist changes an artist of the caller's tenant.
func (db *DB) UpdateArtist(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.ArtistUpdate) (*tonegrid.Artist, error) {
	if err := requireCatalogEditor(p); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := findArtist(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE artists SET name = $1, slug = $2, country = $3, spotify_id = $4, apple_id = $5, isni = $6,
		updated_at = $7 WHERE id = $8 AND tenant_id = $9`,
		valueOr(upd.Name, a.Name), valueOr(upd.Slug, a.Slug), valueOr(upd.Country, a.Country), valueOr(upd.SpotifyID, a.SpotifyID),
		valueOr(upd.AppleID, a.AppleID), valueOr(upd.ISNI, a.ISNI), tx.now, a.ID, p.Tenant.ID)
	if isUniqueViolation(err) {
		return nil, tonegrid.ErrSlugTaken
	}
	if err != nil {
		return nil, translate(fmt.Errorf("update artist: %w", err))
	}
	if upd.UserUUIDs != nil {
		if err := tx.linkArtistUsers(ctx, p.Tenant.ID, a.ID, *upd.UserUUIDs); err != nil {
			return nil, err
		}
	}
	if a, err = findArtist(ctx, tx, p.Tenant.ID, uuid); err != nil {
		return nil, err
	}
	return a, tx.commit()
}

// DeleteArtist removes an artist no release or track credits.
func (db *DB) DeleteArtist(ctx context.Context, p *tonegrid.Principal, uuid string) error {
	if err := requireCatalogEditor(p); err != nil {
		return err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, err := findArtist(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return err
	}
	var credits int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM release_artists WHERE artist_id = $1 AND tenant_id = $2)
		+ (SELECT COUNT(*) FROM track_artists WHERE artist_id = $1 AND tenant_id = $2)`, a.ID, p.Tenant.ID).Scan(&credits); err != nil {
		return translate(fmt.Errorf("count artist credits: %w", err))
	}
	if credits > 0 {
		return tonegrid.ErrArtistInUse
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM artists WHERE id = $1 AND tenant_id = $2`, a.ID, p.Tenant.ID); err != nil {
		return translate(fmt.Errorf("delete artist: %w", err))
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "artist.deleted", "artist", a.UUID, map[string]string{"name": a.Name}); err != nil {
		return err
	}
	return tx.commit()
}

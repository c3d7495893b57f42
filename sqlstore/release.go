package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tonegrid"
)

// releaseColumns are the columns of a release, with its track count and
// artist credits.
var releaseColumns = `r.id, r.uuid, r.tenant_id, r.title, r.localized_titles, r.version, r.type, r.label_name, r.upc,
	r.catalog_number, r.release_date, r.original_release_date, r.genre, r.subgenre, r.language,
	r.p_line_year, r.p_line_holder, r.c_line_year, r.c_line_holder, r.parental_advisory, r.territories, r.price_tier,
	r.status, r.reject_reason, r.row_version, r.doc_version, r.artwork, r.submitted_at, r.approved_at, r.created_at, r.updated_at,
	(SELECT COUNT(*) FROM tracks t WHERE t.release_id = r.id), ` + creditsOf("release_artists", "release_id", "r.id")

// releaseScan holds a release being scanned from releaseColumns.
type releaseScan struct {
	r                                tonegrid.Release
	titles, territories              string
	releaseDate, originalDate        sql.NullString
	pYear, cYear                     sql.NullInt64
	pHolder, cHolder, artwork, creds sql.NullString
	submitted, approved              sql.NullTime
}

func (s *releaseScan) dest() []any {
	r := &s.r
	return []any{&r.ID, &r.UUID, &r.TenantID, &r.Title, &s.titles, &r.Version, &r.Type, &r.LabelName, &r.UPC,
		&r.CatalogNumber, &s.releaseDate, &s.originalDate, &r.Genre, &r.Subgenre, &r.Language,
		&s.pYear, &s.pHolder, &s.cYear, &s.cHolder, &r.ParentalAdvisory, &s.territories, &r.PriceTier,
		&r.Status, &r.RejectReason, &r.RowVersion, &r.DocVersion, &s.artwork, &s.submitted, &s.approved, &r.CreatedAt, &r.UpdatedAt,
		&r.TrackCount, &s.creds}
}

// release finishes what scanning left raw.
func (s *releaseScan) release() (*tonegrid.Release, error) {
	r := &s.r
	var err error
	if r.LocalizedTitles, err = decodeTitles(s.titles); err != nil {
		return nil, fmt.Errorf("release %s localized_titles: %w", r.UUID, err)
	}
	if r.Territories, err = decodeStrings(s.territories); err != nil {
		return nil, fmt.Errorf("release %s territories: %w", r.UUID, err)
	}
	if r.ReleaseDate, err = scanDate(s.releaseDate); err != nil {
		return nil, fmt.Errorf("release %s release_date: %w", r.UUID, err)
	}
	if r.OriginalReleaseDate, err = scanDate(s.originalDate); err != nil {
		return nil, fmt.Errorf("release %s original_release_date: %w", r.UUID, err)
	}
	if s.pYear.Valid {
		r.PLine = &tonegrid.Line{Year: int(s.pYear.Int64), Holder: s.pHolder.String}
	}
	if s.cYear.Valid {
		r.CLine = &tonegrid.Line{Year: int(s.cYear.Int64), Holder: s.cHolder.String}
	}
	if s.artwork.Valid {
		r.Artwork = &tonegrid.Artwork{}
		if err := json.Unmarshal([]byte(s.artwork.String), r.Artwork); err != nil {
			return nil, fmt.Errorf("release %s artwork: %w", r.UUID, err)
		}
	}
	r.Artists = parseCredits(s.creds)
	r.SubmittedAt, r.ApprovedAt = timePtr(s.submitted), timePtr(s.approved)
	return r, nil
}

func scanRelease(row interface{ Scan(...any) error }) (*tonegrid.Release, error) {
	var s releaseScan
	if err := row.Scan(s.dest()...); err != nil {
		return nil, err
	}
	return s.release()
}

// findRelease reads a release of the tenant by uuid, without its tracks, or
// ErrReleaseNotFound.
func findRelease(ctx context.Context, q querier, tenantID int64, uuid string) (*tonegrid.Release, error) {
	return oneRow(q.QueryRowContext(ctx, `SELECT `+releaseColumns+` FROM releases r WHERE r.uuid = $1 AND r.tenant_id = $2`, uuid, tenantID), scanRelease, tonegrid.ErrReleaseNotFound, "release")
}

// findReleaseByID reads a release of the tenant by id.
func findReleaseByID(ctx context.Context, q querier, tenantID, id int64) (*tonegrid.Release, error) {
	r, err := scanRelease(q.QueryRowContext(ctx, `SELECT `+releaseColumns+` FROM releases r WHERE r.id = $1 AND r.tenant_id = $2`, id, tenantID))
	if err != nil {
		return nil, translate(fmt.Errorf("find release %d: %w", id, err))
	}
	return r, nil
}

// FindRelease reads a release of the caller's tenant with its tracks: two
// prepared queries, one for the release and its credits, one for every
// track and its credits.
func (db *DB) FindRelease(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Release, error) {
	r, err := findRelease(ctx, reader{db}, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if r.Tracks, err = releaseTracks(ctx, reader{db}, p.Tenant.ID, r); err != nil {
		return nil, err
	}
	r.TrackCount = len(r.Tracks)
	return r, nil
}

// ReleaseDocVersion reads the document version of a release of the
// caller's tenant: one indexed lookup, so that a cached rendering can be
// checked on every read.
func (db *DB) ReleaseDocVersion(ctx context.Context, p *tonegrid.Principal, uuid string) (int64, error) {
	var v int64
	err := db.queryRow(db.shortRead(ctx), `SELECT doc_version FROM releases WHERE uuid = $1 AND tenant_id = $2`, uuid, p.Tenant.ID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, tonegrid.ErrReleaseNotFound
	}
	if err != nil {
		return 0, translate(fmt.Errorf("read release version: %w", err))
	}
	return v, nil
}

// releaseSorts are the sort keys of the release list.
var releaseSorts = map[string]string{"created_at": "r.id", "updated_at": "r.updated_at", "title": "lower(r.title)",
	"release_date": "r.release_date IS NULL, r.release_date{dir}"}

// releaseWhere is the WHERE clause of a release filter and its arguments;
// $1 is the tenant.
func (db *DB) releaseWhere(p *tonegrid.Principal, f tonegrid.ReleaseFilter) (string, []any) {
	where, args := `r.tenant_id = $1`, []any{p.Tenant.ID}
	if f.Status != "" {
		args = append(args, f.Status)
		where += fmt.Sprintf(` AND r.status = $%d`, len(args))
	}
	if f.Q != "" {
		args = append(args, likePattern(f.Q))
		where += fmt.Sprintf(` AND r.title %s $%d ESCAPE '\'`, db.dialect.ilike(), len(args))
	}
	if f.ArtistUUID != "" {
		args = append(args, f.ArtistUUID)
		where += fmt.Sprintf(` AND r.id IN (SELECT ra.release_id FROM release_artists ra JOIN artists a ON a.id = ra.artist_id
			WHERE a.uuid = $%d AND a.tenant_id = $1)`, len(args))
	}
	return where, args
}

// releaseTotal counts the releases a filter selects: from release_counts
// when the filter is at most a status (a lookup, whatever the catalog's
// size), else by counting the rows where selects.
func (db *DB) releaseTotal(ctx context.Context, p *tonegrid.Principal, f tonegrid.ReleaseFilter, where string, args []any) (int, error) {
	var total int
	var err error
	switch {
	case f.Q != "" || f.ArtistUUID != "":
		err = db.queryRow(ctx, `SELECT COUNT(*) FROM releases r WHERE `+where, args...).Scan(&total)
	case f.Status != "":
		err = db.queryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM release_counts WHERE tenant_id = $1 AND status = $2`, p.Tenant.ID, f.Status).Scan(&total)
	default:
		err = db.queryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM release_counts WHERE tenant_id = $1`, p.Tenant.ID).Scan(&total)
	}
	if err != nil {
		return 0, translate(fmt.Errorf("count releases: %w", err))
	}
	return total, nil
}

// ListReleases lists the tenant's releases, without tracks, newest first
// unless f.Sort says otherwise.
func (db *DB) ListReleases(ctx context.Context, p *tonegrid.Principal, f tonegrid.ReleaseFilter) ([]*tonegrid.Release, int, error) {
	where, args := db.releaseWhere(p, f)
	total, err := db.releaseTotal(ctx, p, f, where, args)
	if err != nil {
		return nil, 0, err
	}
	args = append(args, f.Page.PerPage, f.Page.Offset())
	rows, err := db.query(ctx, fmt.Sprintf(`SELECT %s FROM releases r WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`,
		releaseColumns, where, orderClause(f.Sort, releaseSorts, "-created_at", "r.id"), len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, translate(fmt.Errorf("list releases: %w", err))
	}
	defer rows.Close()
	out := make([]*tonegrid.Release, 0, f.Page.PerPage)
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, 0, translate(fmt.Errorf("scan release: %w", err))
		}
		out = append(out, r)
	}
	return out, total, translate(rows.Err())
}

// ListReleaseVersions is ListReleases reduced to each release's uuid and
// document version: one narrow query (and a counter lookup for the total).
func (db *DB) ListReleaseVersions(ctx context.Context, p *tonegrid.Principal, f tonegrid.ReleaseFilter) ([]tonegrid.ReleaseVersion, int, error) {
	where, args := db.releaseWhere(p, f)
	total, err := db.releaseTotal(ctx, p, f, where, args)
	if err != nil {
		return nil, 0, err
	}
	args = append(args, f.Page.PerPage, f.Page.Offset())
	rows, err := db.query(ctx, fmt.Sprintf(`SELECT r.uuid, r.doc_version FROM releases r WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`,
		where, orderClause(f.Sort, releaseSorts, "-created_at", "r.id"), len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, translate(fmt.Errorf("list release versions: %w", err))
	}
	defer rows.Close()
	out := make([]tonegrid.ReleaseVersion, 0, f.Page.PerPage)
	for rows.Next() {
		var v tonegrid.ReleaseVersion
		if err := rows.Scan(&v.UUID, &v.DocVersion); err != nil {
			return nil, 0, translate(fmt.Errorf("scan release version: %w", err))
		}
		out = append(out, v)
	}
	return out, total, translate(rows.Err())
}

// FindReleases reads releases of the caller's tenant by uuid, without
// tracks, in no particular order; uuids of no release are left out.
func (db *DB) FindReleases(ctx context.Context, p *tonegrid.Principal, uuids []string) ([]*tonegrid.Release, error) {
	if len(uuids) == 0 {
		return nil, nil
	}
	var in strings.Builder
	args := make([]any, 0, len(uuids)+1)
	args = append(args, p.Tenant.ID)
	for i, u := range uuids {
		if i > 0 {
			in.WriteString(", ")
		}
		args = append(args, u)
		fmt.Fprintf(&in, "$%d", len(args))
	}
	rows, err := db.query(ctx, `SELECT `+releaseColumns+` FROM releases r WHERE r.tenant_id = $1 AND r.uuid IN (`+in.String()+`)`, args...)
	if err != nil {
		return nil, translate(fmt.Errorf("find releases: %w", err))
	}
	defer rows.Close()
	out := make([]*tonegrid.Release, 0, len(uuids))
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, translate(fmt.Errorf("scan release: %w", err))
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// lockedRelease is the state of a release a write transaction holds locked.
type lockedRelease struct {
	id         int64
	uuid       string
	tenantID   int64
	status     string
	rowVersion int64
	updatedAt  time.Time
}

// lockRelease locks a release of the tenant for the transaction, or answers
// ErrReleaseNotFound.
func (tx *Tx) lockRelease(ctx context.Context, tenantID int64, uuid string) (*lockedRelease, error) {
	l := lockedRelease{uuid: uuid, tenantID: tenantID}
	err := tx.QueryRowContext(ctx, `SELECT id, status, row_version, updated_at FROM releases WHERE uuid = $1 AND tenant_id = $2`+
		tx.db.dialect.forUpdate(), uuid, tenantID).Scan(&l.id, &l.status, &l.rowVersion, &l.updatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrReleaseNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("lock release: %w", err))
	}
	return &l, nil
}

// editableRelease locks a release for a change of its contents: the caller
// must be allowed to edit it, and it must be a draft or rejected.
func (tx *Tx) editableRelease(ctx context.Context, p *tonegrid.Principal, uuid string) (*lockedRelease, error) {
	return tx.changeableRelease(ctx, p, uuid, tonegrid.Precondition{}, tonegrid.ErrReleaseNotEditable)
}

// changeableRelease locks a release for an edit, a submission or a
// deletion: the caller must be allowed to edit it, its version must be the
// one pre names (if any), and it must be a draft or rejected, else
// notInDraft is the answer.
func (tx *Tx) changeableRelease(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition, notInDraft error) (*lockedRelease, error) {
	l, err := tx.lockRelease(ctx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if err := mayEditRelease(ctx, tx, p, l.id); err != nil {
		return nil, err
	}
	if !pre.Holds(l.rowVersion, l.updatedAt) {
		return nil, tonegrid.ErrReleaseStale
	}
	if !tonegrid.Editable(l.status) {
		return nil, notInDraft
	}
	return l, nil
}

// CreateRelease adds a draft release. A user with role artist must credit
// an artist linked to them.
func (db *DB) CreateRelease(ctx context.Context, p *tonegrid.Principal, in tonegrid.ReleaseInput) (*tonegrid.Release, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	id, err := tx.insertRelease(ctx, p, in)
	if err != nil {
		return nil, err
	}
	r, err := findReleaseByID(ctx, tx, p.Tenant.ID, id)
	if err != nil {
		return nil, err
	}
	if err := tx.emit(ctx, p.Tenant.ID, tonegrid.EventReleaseCreated, r); err != nil {
		return nil, err
	}
	return r, tx.commit()
}

// insertRelease adds a draft release within the plan's yearly limit and
// returns its id; the caller emits release.created once the release is
// complete.
func (tx *Tx) insertRelease(ctx context.Context, p *tonegrid.Principal, in tonegrid.ReleaseInput) (int64, error) {
	startOfYear := time.Date(tx.now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	if err := tx.enforcePlanLimit(ctx, p.Tenant.ID, tonegrid.LimitReleasesPerYear, 1,
		`SELECT COUNT(*) FROM releases WHERE tenant_id = $1 AND created_at >= $2`, p.Tenant.ID, startOfYear); err != nil {
		return 0, err
	}
	ids, err := resolveArtists(ctx, tx, p.Tenant.ID, "artists", in.Artists)
	if err != nil {
		return 0, err
	}
	if in.LabelName == "" {
		in.LabelName = p.Tenant.Name
	}
	cols, err := releaseValues(releaseFields{
		title: in.Title, titles: in.LocalizedTitles, version: in.Version, typ: in.Type, labelName: in.LabelName, upc: in.UPC,
		catalogNumber: in.CatalogNumber, releaseDate: in.ReleaseDate, originalDate: in.OriginalReleaseDate, genre: in.Genre,
		subgenre: in.Subgenre, language: in.Language, pLine: in.PLine, cLine: in.CLine, advisory: in.ParentalAdvisory,
		territories: in.Territories, priceTier: in.PriceTier,
	})
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO releases (uuid, tenant_id, title, localized_titles, version, type, label_name, upc, catalog_number,
			release_date, original_release_date, genre, subgenre, language, p_line_year, p_line_holder, c_line_year, c_line_holder,
			parental_advisory, territories, price_tier, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 'draft', $22, $22)
		RETURNING id`, append(append([]any{newUUID(), p.Tenant.ID}, cols...), tx.now)...).Scan(&id)
	if isUniqueViolation(err) {
		return 0, tonegrid.ErrUPCTaken.Format(in.UPC)
	}
	if err != nil {
		return 0, translate(fmt.Errorf("insert release: %w", err))
	}
	if err := tx.setReleaseArtists(ctx, p.Tenant.ID, id, in.Artists, ids); err != nil {
		return 0, err
	}
	if err := mayEditRelease(ctx, tx, p, id); err != nil {
		return 0, err
	}
	return id, nil
}

// releaseFields are the editable columns of a release, in the order of
// releaseValues.
type releaseFields struct {
	title, version, typ, labelName, upc, catalogNumber string
	genre, subgenre, language, advisory, priceTier     string
	titles                                             map[string]string
	releaseDate, originalDate                          *tonegrid.Date
	pLine, cLine                                       *tonegrid.Line
	territories                                        []string
}

// releaseValues returns the column values of f for title, localized_titles,
// version, type, label_name, upc, catalog_number, release_date,
// original_release_date, genre, subgenre, language, p_line_year,
// p_line_holder, c_line_year, c_line_holder, parental_advisory, territories
// and price_tier, in that order.
func releaseValues(f releaseFields) ([]any, error) {
	if f.titles == nil {
		f.titles = map[string]string{}
	}
	titles, err := jsonText(f.titles)
	if err != nil {
		return nil, err
	}
	if f.territories == nil {
		f.territories = []string{tonegrid.Worldwide}
	}
	territories, err := jsonText(f.territories)
	if err != nil {
		return nil, err
	}
	if f.advisory == "" {
		f.advisory = tonegrid.AdvisoryNone
	}
	line := func(l *tonegrid.Line) (any, any) {
		if l == nil || *l == (tonegrid.Line{}) {
			return nil, nil
		}
		return l.Year, l.Holder
	}
	pYear, pHolder := line(f.pLine)
	cYear, cHolder := line(f.cLine)
	return []any{f.title, titles, f.version, f.typ, f.labelName, f.upc, f.catalogNumber, nullDate(f.releaseDate),
		nullDate(f.originalDate), f.genre, f.subgenre, f.language, pYear, pHolder, cYear, cHolder, f.advisory,
		territories, f.priceTier}, nil
}

// setReleaseArtists replaces the artist credits of a release with credits,
// whose artist ids are ids.
func (tx *Tx) setReleaseArtists(ctx context.Context, tenantID, releaseID int64, credits []tonegrid.ArtistCredit, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM release_artists WHERE release_id = $1 AND tenant_id = $2`, releaseID, tenantID); err != nil {
		return translate(fmt.Errorf("clear release artists: %w", err))
	}
	for i, c := range credits {
		if _, err := tx.ExecContext(ctx, `INSERT INTO release_artists (release_id, artist_id, tenant_id, role, position)
			VALUES ($1, $2, $3, $4, $5)`, releaseID, ids[i], tenantID, c.Role, i); err != nil {
			return translate(fmt.Errorf("insert release artist: %w", err))
		}
	}
	return nil
}

// UpdateRelease changes a draft or rejected release whose version is the
// one the caller read.
func (db *DB) UpdateRelease(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.ReleaseUpdate) (*tonegrid.Release, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.changeableRelease(ctx, p, uuid, upd.If, tonegrid.ErrReleaseNotEditable)
	if err != nil {
		return nil, err
	}
	cur, err := findReleaseByID(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	f := releaseFields{
		title: valueOr(upd.Title, cur.Title), titles: valueOr(upd.LocalizedTitles, cur.LocalizedTitles),
		version: valueOr(upd.Version, cur.Version), typ: valueOr(upd.Type, cur.Type), labelName: valueOr(upd.LabelName, cur.LabelName),
		upc: valueOr(upd.UPC, cur.UPC), catalogNumber: valueOr(upd.CatalogNumber, cur.CatalogNumber),
		releaseDate: cur.ReleaseDate, originalDate: cur.OriginalReleaseDate, genre: valueOr(upd.Genre, cur.Genre),
		subgenre: valueOr(upd.Subgenre, cur.Subgenre), language: valueOr(upd.Language, cur.Language),
		pLine: cur.PLine, cLine: cur.CLine, advisory: valueOr(upd.ParentalAdvisory, cur.ParentalAdvisory),
		territories: valueOr(upd.Territories, cur.Territories), priceTier: valueOr(upd.PriceTier, cur.PriceTier),
	}
	if upd.ReleaseDate != nil {
		f.releaseDate = upd.ReleaseDate
	}
	if upd.OriginalReleaseDate != nil {
		f.originalDate = upd.OriginalReleaseDate
	}
	if upd.PLine != nil {
		f.pLine = upd.PLine
	}
	if upd.CLine != nil {
		f.cLine = upd.CLine
	}
	cols, err := releaseValues(f)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE releases SET title = $1, localized_titles = $2, version = $3, type = $4, label_name = $5,
		upc = $6, catalog_number = $7, release_date = $8, original_release_date = $9, genre = $10, subgenre = $11, language = $12,
		p_line_year = $13, p_line_holder = $14, c_line_year = $15, c_line_holder = $16, parental_advisory = $17, territories = $18,
		price_tier = $19, row_version = row_version + 1, updated_at = $20
		WHERE id = $21 AND tenant_id = $22`, append(cols, tx.now, l.id, p.Tenant.ID)...)
	if isUniqueViolation(err) {
		return nil, tonegrid.ErrUPCTaken.Format(f.upc)
	}
	if err != nil {
		return nil, translate(fmt.Errorf("update release: %w", err))
	}
	if upd.Artists != nil {
		ids, err := resolveArtists(ctx, tx, p.Tenant.ID, "artists", *upd.Artists)
		if err != nil {
			return nil, err
		}
		if err := tx.setReleaseArtists(ctx, p.Tenant.ID, l.id, *upd.Artists, ids); err != nil {
			return nil, err
		}
		// An artist may not take their own artist off a release and so
		// lose it.
		if err := mayEditRelease(ctx, tx, p, l.id); err != nil {
			return nil, err
		}
	}
	r, err := findReleaseByID(ctx, tx, p.Tenant.ID, l.id)
	if err != nil {
		return nil, err
	}
	if r.Tracks, err = releaseTracks(ctx, tx, p.Tenant.ID, r); err != nil {
		return nil, err
	}
	return r, tx.commit()
}

// DeleteRelease deletes a draft or rejected release with its tracks and
// the media rows they hold. Their blobs are left to the orphan-blob sweep:
// callers that can remove blobs use DeleteReleaseWithMedia.
func (db *DB) DeleteRelease(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) error {
	_, err := db.DeleteReleaseWithMedia(ctx, p, uuid, pre)
	return err
}

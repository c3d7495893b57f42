package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tonegrid"
)

// trackColumns are the columns of a track (FROM tracks t JOIN releases r),
// with its artist credits.
var trackColumns = `t.id, t.uuid, t.tenant_id, t.release_id, r.uuid, t.title, t.localized_titles, t.version, t.isrc, t.position,
	t.disc_number, t.explicit, t.language, t.contributors, t.preview_start_s, t.audio, t.row_version, t.created_at, t.updated_at, ` +
	creditsOf("track_artists", "track_id", "t.id")

const trackFrom = ` FROM tracks t JOIN releases r ON r.id = t.release_id `

func scanTrack(row interface{ Scan(...any) error }) (*tonegrid.Track, error) {
	var t tonegrid.Track
	var titles, contributors string
	var preview sql.NullInt64
	var audio, creds sql.NullString
	if err := row.Scan(&t.ID, &t.UUID, &t.TenantID, &t.ReleaseID, &t.ReleaseUUID, &t.Title, &titles, &t.Version, &t.ISRC, &t.Position,
		&t.DiscNumber, &t.Explicit, &t.Language, &contributors, &preview, &audio, &t.RowVersion, &t.CreatedAt, &t.UpdatedAt, &creds); err != nil {
		return nil, err
	}
	var err error
	if t.LocalizedTitles, err = decodeTitles(titles); err != nil {
		return nil, fmt.Errorf("track %s localized_titles: %w", t.UUID, err)
	}
	t.Contributors = []tonegrid.Contributor{}
	if contributors != "" && contributors != "[]" {
		if err := json.Unmarshal([]byte(contributors), &t.Contributors); err != nil {
			return nil, fmt.Errorf("track %s contributors: %w", t.UUID, err)
		}
	}
	if preview.Valid {
		n := int(preview.Int64)
		t.PreviewStartS = &n
	}
	if audio.Valid {
		t.Audio = &tonegrid.Audio{}
		if err := json.Unmarshal([]byte(audio.String), t.Audio); err != nil {
			return nil, fmt.Errorf("track %s audio: %w", t.UUID, err)
		}
	}
	t.Artists = parseCredits(creds)
	return &t, nil
}

// releaseTracks reads every track of a release in order (disc, position),
// with credits, in one query.
func releaseTracks(ctx context.Context, q querier, tenantID int64, r *tonegrid.Release) ([]*tonegrid.Track, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+trackColumns+trackFrom+`WHERE t.release_id = $1 AND t.tenant_id = $2
		ORDER BY t.disc_number, t.position, t.id`, r.ID, tenantID)
	if err != nil {
		return nil, translate(fmt.Errorf("list release tracks: %w", err))
	}
	defer rows.Close()
	out := make([]*tonegrid.Track, 0, r.TrackCount)
	for rows.Next() {
		t, err := scanTrack(rows)
		if err != nil {
			return nil, translate(fmt.Errorf("scan track: %w", err))
		}
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// ListTracks lists a page of a release's tracks in order.
func (db *DB) ListTracks(ctx context.Context, p *tonegrid.Principal, releaseUUID string, page tonegrid.Page) ([]*tonegrid.Track, int, error) {
	var releaseID int64
	var total int
	err := db.queryRow(ctx, `SELECT r.id, (SELECT COUNT(*) FROM tracks t WHERE t.release_id = r.id)
		FROM releases r WHERE r.uuid = $1 AND r.tenant_id = $2`, releaseUUID, p.Tenant.ID).Scan(&releaseID, &total)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, tonegrid.ErrReleaseNotFound
	}
	if err != nil {
		return nil, 0, translate(fmt.Errorf("find release: %w", err))
	}
	rows, err := db.query(ctx, `SELECT `+trackColumns+trackFrom+`WHERE t.release_id = $1 AND t.tenant_id = $2
		ORDER BY t.disc_number, t.position, t.id LIMIT $3 OFFSET $4`, releaseID, p.Tenant.ID, page.PerPage, page.Offset())
	if err != nil {
		return nil, 0, translate(fmt.Errorf("list tracks: %w", err))
	}
	defer rows.Close()
	var out []*tonegrid.Track
	for rows.Next() {
		t, err := scanTrack(rows)
		if err != nil {
			return nil, 0, translate(fmt.Errorf("scan track: %w", err))
		}
		out = append(out, t)
	}
	return out, total, translate(rows.Err())
}

// findTrack reads a track of the tenant by uuid, or ErrTrackNotFound.
func findTrack(ctx context.Context, q querier, tenantID int64, uuid string) (*tonegrid.Track, error) {
	return oneRow(q.QueryRowContext(ctx, `SELECT `+trackColumns+trackFrom+`WHERE t.uuid = $1 AND t.tenant_id = $2`, uuid, tenantID), scanTrack, tonegrid.ErrTrackNotFound, "track")
}

// FindTrack reads a track of the caller's tenant.
func (db *DB) FindTrack(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Track, error) {
	return findTrack(ctx, reader{db}, p.Tenant.ID, uuid)
}

// lockedTrack is a track a write transaction holds locked, with its
// release's state.
type lockedTrack struct {
	id, releaseID   int64
	rowVersion      int64
	updatedAt       time.Time
	releaseStatus   string
	releaseLanguage string
}

// lockTrack locks a track of the tenant and its release for the
// transaction, or answers ErrTrackNotFound.
func (tx *Tx) lockTrack(ctx context.Context, tenantID int64, uuid string) (*lockedTrack, error) {
	var l lockedTrack
	err := tx.QueryRowContext(ctx, `SELECT t.id, t.release_id, t.row_version, t.updated_at, r.status, r.language
		FROM tracks t JOIN releases r ON r.id = t.release_id WHERE t.uuid = $1 AND t.tenant_id = $2`+tx.db.dialect.forUpdate(),
		uuid, tenantID).Scan(&l.id, &l.releaseID, &l.rowVersion, &l.updatedAt, &l.releaseStatus, &l.releaseLanguage)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrTrackNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("lock track: %w", err))
	}
	return &l, nil
}

// editableTrack locks a track for a change of its metadata: the caller must
// be allowed to edit its release, which must be a draft or rejected, and
// the track must still be at the version pre names.
func (tx *Tx) editableTrack(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) (*lockedTrack, error) {
	l, err := tx.lockTrack(ctx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if err := mayEditRelease(ctx, tx, p, l.releaseID); err != nil {
		return nil, err
	}
	if !pre.Holds(l.rowVersion, l.updatedAt) {
		return nil, tonegrid.ErrReleaseStale
	}
	if !tonegrid.Editable(l.releaseStatus) {
		return nil, tonegrid.ErrReleaseNotEditable
	}
	return l, nil
}

// trackFields are the editable columns of a track.
type trackFields struct {
	title, version, isrc, language string
	titles                         map[string]string
	position, discNumber           int
	explicit                       bool
	contributors                   []tonegrid.Contributor
	previewStartS                  *int
}

// values returns the column values for title, localized_titles, version,
// isrc, position, disc_number, explicit, language, contributors and
// preview_start_s, in that order.
func (f trackFields) values() ([]any, error) {
	if f.titles == nil {
		f.titles = map[string]string{}
	}
	titles, err := jsonText(f.titles)
	if err != nil {
		return nil, err
	}
	if f.contributors == nil {
		f.contributors = []tonegrid.Contributor{}
	}
	contributors, err := jsonText(f.contributors)
	if err != nil {
		return nil, err
	}
	var preview any
	if f.previewStartS != nil {
		preview = *f.previewStartS
	}
	return []any{f.title, titles, f.version, f.isrc, f.position, f.discNumber, f.explicit, f.language, contributors, preview}, nil
}

// CreateTrack adds a track to a draft or rejected release.
func (db *DB) CreateTrack(ctx context.Context, p *tonegrid.Principal, releaseUUID string, in tonegrid.TrackInput) (*tonegrid.Track, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.editableRelease(ctx, p, releaseUUID)
	if err != nil {
		return nil, err
	}
	_, uuid, err := tx.insertTrack(ctx, p.Tenant.ID, l.id, in)
	if err != nil {
		return nil, err
	}
	t, err := findTrack(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return t, tx.commit()
}

// insertTrack adds a track to the release releaseID and returns its id
// and uuid: disc 1, the release's language and the next position unless
// in says otherwise.
func (tx *Tx) insertTrack(ctx context.Context, tenantID, releaseID int64, in tonegrid.TrackInput) (int64, string, error) {
	ids, err := resolveArtists(ctx, tx, tenantID, "artists", in.Artists)
	if err != nil {
		return 0, "", err
	}
	f := trackFields{title: in.Title, titles: in.LocalizedTitles, version: in.Version, isrc: in.ISRC, position: in.Position,
		discNumber: in.DiscNumber, explicit: in.Explicit, language: in.Language, contributors: in.Contributors, previewStartS: in.PreviewStartS}
	if f.discNumber == 0 {
		f.discNumber = 1
	}
	if f.language == "" {
		if err := tx.QueryRowContext(ctx, `SELECT language FROM releases WHERE id = $1`, releaseID).Scan(&f.language); err != nil {
			return 0, "", translate(fmt.Errorf("read release language: %w", err))
		}
	}
	if f.position == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM tracks WHERE release_id = $1 AND disc_number = $2`,
			releaseID, f.discNumber).Scan(&f.position); err != nil {
			return 0, "", translate(fmt.Errorf("next track position: %w", err))
		}
	}
	cols, err := f.values()
	if err != nil {
		return 0, "", err
	}
	var id int64
	uuid := newUUID()
	err = tx.QueryRowContext(ctx, `INSERT INTO tracks (uuid, tenant_id, release_id, title, localized_titles, version, isrc, position,
			disc_number, explicit, language, contributors, preview_start_s, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
		append(append([]any{uuid, tenantID, releaseID}, cols...), tx.now)...).Scan(&id)
	if isUniqueViolation(err) {
		return 0, "", tonegrid.ErrISRCTaken.Format(tonegrid.FormatISRC(in.ISRC))
	}
	if err != nil {
		return 0, "", translate(fmt.Errorf("insert track: %w", err))
	}
	if err := tx.setTrackArtists(ctx, tenantID, id, in.Artists, ids); err != nil {
		return 0, "", err
	}
	return id, uuid, nil
}

// setTrackArtists replaces the artist credits of a track.
func (tx *Tx) setTrackArtists(ctx context.Context, tenantID, trackID int64, credits []tonegrid.ArtistCredit, ids []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM track_artists WHERE track_id = $1 AND tenant_id = $2`, trackID, tenantID); err != nil {
		return translate(fmt.Errorf("clear track artists: %w", err))
	}
	for i, c := range credits {
		if _, err := tx.ExecContext(ctx, `INSERT INTO track_artists (track_id, artist_id, tenant_id, role, position)
			VALUES ($1, $2, $3, $4, $5)`, trackID, ids[i], tenantID, c.Role, i); err != nil {
			return translate(fmt.Errorf("insert track artist: %w", err))
		}
	}
	return nil
}

// UpdateTrack changes a track of a draft or rejected release whose version
// is the one the caller read.
func (db *DB) UpdateTrack(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.TrackUpdate) (*tonegrid.Track, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.editableTrack(ctx, p, uuid, upd.If)
	if err != nil {
		return nil, err
	}
	cur, err := findTrack(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	f := trackFields{title: valueOr(upd.Title, cur.Title), titles: valueOr(upd.LocalizedTitles, cur.LocalizedTitles),
		version: valueOr(upd.Version, cur.Version), isrc: valueOr(upd.ISRC, cur.ISRC), position: valueOr(upd.Position, cur.Position),
		discNumber: valueOr(upd.DiscNumber, cur.DiscNumber), explicit: valueOr(upd.Explicit, cur.Explicit),
		language: valueOr(upd.Language, cur.Language), contributors: valueOr(upd.Contributors, cur.Contributors),
		previewStartS: cur.PreviewStartS}
	if upd.PreviewStartS != nil {
		f.previewStartS = upd.PreviewStartS
	}
	if upd.ClearPreviewStart {
		f.previewStartS = nil
	}
	if f.language == "" {
		f.language = l.releaseLanguage
	}
	cols, err := f.values()
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE tracks SET title = $1, localized_titles = $2, version = $3, isrc = $4, position = $5,
		disc_number = $6, explicit = $7, language = $8, contributors = $9, preview_start_s = $10,
		row_version = row_version + 1, updated_at = $11 WHERE id = $12 AND tenant_id = $13`, append(cols, tx.now, l.id, p.Tenant.ID)...)
	if isUniqueViolation(err) {
		return nil, tonegrid.ErrISRCTaken.Format(tonegrid.FormatISRC(f.isrc))
	}
	if err != nil {
		return nil, translate(fmt.Errorf("update track: %w", err))
	}
	if upd.Artists != nil {
		ids, err := resolveArtists(ctx, tx, p.Tenant.ID, "artists", *upd.Artists)
		if err != nil {
			return nil, err
		}
		if err := tx.setTrackArtists(ctx, p.Tenant.ID, l.id, *upd.Artists, ids); err != nil {
			return nil, err
		}
	}
	t, err := findTrack(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	return t, tx.commit()
}

// DeleteTrack removes a track of a draft or rejected release and the
// media row of its audio. Its blob is left to the orphan-blob sweep: callers
// that can remove blobs use DeleteTrackWithMedia.
func (db *DB) DeleteTrack(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) error {
	_, err := db.DeleteTrackWithMedia(ctx, p, uuid, pre)
	return err
}

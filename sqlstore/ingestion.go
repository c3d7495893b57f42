package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"tonegrid"
)

// IngestRelease creates one bulk item (release, artists named by name,
// tracks with their credits, writers and splits, stores) in one
// transaction: all of it or nothing. With an itemKey, the key is recorded in
// the same transaction, and an item whose key is already recorded is not
// created again: its release uuid is returned.
func (db *DB) IngestRelease(ctx context.Context, p *tonegrid.Principal, itemKey string, in tonegrid.BulkRelease) (string, error) {
	if err := requireCatalogEditor(p); err != nil {
		return "", err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if itemKey != "" {
		uuid, done, err := tx.ingestedItem(ctx, p.Tenant.ID, itemKey)
		if err != nil || done {
			return uuid, err
		}
	}
	id, err := tx.ingestRelease(ctx, p, in)
	if err != nil {
		return "", err
	}
	r, err := findReleaseByID(ctx, tx, p.Tenant.ID, id)
	if err != nil {
		return "", err
	}
	if err := tx.emit(ctx, p.Tenant.ID, tonegrid.EventReleaseCreated, r); err != nil {
		return "", err
	}
	if itemKey != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ingestion_items (item_key, tenant_id, release_id, created_at) VALUES ($1, $2, $3, $4)`,
			itemKey, p.Tenant.ID, id, tx.now); err != nil {
			return "", translate(fmt.Errorf("record ingested item: %w", err))
		}
	}
	return r.UUID, tx.commit()
}

// ingestedItem looks an item key up: done is true when the item was created
// already, with the uuid of its release (empty if deleted since).
func (tx *Tx) ingestedItem(ctx context.Context, tenantID int64, itemKey string) (uuid string, done bool, err error) {
	var u sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT CAST(r.uuid AS TEXT) FROM ingestion_items i LEFT JOIN releases r ON r.id = i.release_id
		WHERE i.item_key = $1 AND i.tenant_id = $2`, itemKey, tenantID).Scan(&u)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, translate(fmt.Errorf("find ingested item: %w", err))
	}
	return u.String, true, nil
}

// ingestRelease writes a bulk item in tx with the single-item helpers and
// returns the release's id. Field errors of tracks are reported under
// tracks.N.
func (tx *Tx) ingestRelease(ctx context.Context, p *tonegrid.Principal, in tonegrid.BulkRelease) (int64, error) {
	named := map[string]string{}
	if err := tx.nameArtists(ctx, p.Tenant.ID, in.Release.Artists, named); err != nil {
		return 0, err
	}
	id, err := tx.insertRelease(ctx, p, in.Release)
	if err != nil {
		return 0, err
	}
	for i, t := range in.Tracks {
		prefix := "tracks." + strconv.Itoa(i)
		if err := tx.nameArtists(ctx, p.Tenant.ID, t.Track.Artists, named); err != nil {
			return 0, prefixFields(prefix, err)
		}
		trackID, _, err := tx.insertTrack(ctx, p.Tenant.ID, id, t.Track)
		if err != nil {
			return 0, prefixFields(prefix, err)
		}
		if len(t.Writers) > 0 {
			if err := tx.replaceTrackWriters(ctx, p.Tenant.ID, trackID, t.Writers); err != nil {
				return 0, prefixFields(prefix, err)
			}
		}
		if len(t.Splits) > 0 {
			if err := tx.replaceSplits(ctx, p.Tenant.ID, trackID, t.Splits); err != nil {
				return 0, prefixFields(prefix, err)
			}
		}
	}
	if len(in.DSPs) > 0 {
		if err := tx.attachDSPs(ctx, p.Tenant.ID, id, in.DSPs); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// nameArtists gives each credit that names an artist instead of giving its
// uuid the uuid of the tenant's oldest artist of that name, creating the
// artist when there is none. named caches the names seen in one item.
func (tx *Tx) nameArtists(ctx context.Context, tenantID int64, credits []tonegrid.ArtistCredit, named map[string]string) error {
	for i := range credits {
		c := &credits[i]
		if c.ArtistUUID != "" || c.Name == "" {
			continue
		}
		if u, ok := named[c.Name]; ok {
			c.ArtistUUID = u
			continue
		}
		err := tx.QueryRowContext(ctx, `SELECT CAST(uuid AS TEXT) FROM artists WHERE tenant_id = $1 AND name = $2 ORDER BY id LIMIT 1`,
			tenantID, c.Name).Scan(&c.ArtistUUID)
		if errors.Is(err, sql.ErrNoRows) {
			_, c.ArtistUUID, err = tx.insertArtist(ctx, tenantID, tonegrid.ArtistInput{Name: c.Name})
		}
		if err != nil {
			return translate(fmt.Errorf("artist named %q: %w", c.Name, err))
		}
		named[c.Name] = c.ArtistUUID
	}
	return nil
}

// prefixFields moves the field errors of a validation error under prefix.
func prefixFields(prefix string, err error) error {
	e, ok := tonegrid.ErrorOf(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var v tonegrid.Violations
	v.Merge(prefix, tonegrid.Violations(e.Fields))
	return v.Err()
}

// IngestionArgs is the job that runs an asynchronous bulk ingestion.
type IngestionArgs struct {
	JobID int64 `json:"job_id"`
}

// Kind implements jobs.Args.
func (IngestionArgs) Kind() string { return "ingestion.run" }

// CreateIngestionJob stores an asynchronous bulk job and queues its run in
// the same transaction.
func (db *DB) CreateIngestionJob(ctx context.Context, p *tonegrid.Principal, items []*tonegrid.BulkRelease, failures []tonegrid.BulkResult) (*tonegrid.IngestionJob, error) {
	if err := requireCatalogEditor(p); err != nil {
		return nil, err
	}
	request, err := jsonText(items)
	if err != nil {
		return nil, err
	}
	if failures == nil {
		failures = []tonegrid.BulkResult{}
	}
	resultText, err := jsonText(failures)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	uuid := newUUID()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO ingestion_jobs (uuid, tenant_id, status, total, processed, failed, request, results, created_at, updated_at)
		VALUES ($1, $2, 'queued', $3, $4, $4, $5, $6, $7, $7) RETURNING id`,
		uuid, p.Tenant.ID, len(items), len(failures), request, resultText, tx.now).Scan(&id); err != nil {
		return nil, translate(fmt.Errorf("insert ingestion job: %w", err))
	}
	if err := tx.enqueue(ctx, IngestionArgs{JobID: id}); err != nil {
		return nil, err
	}
	job, err := findIngestionJob(ctx, tx, `id = $1`, id, p.Tenant.ID)
	if err != nil {
		return nil, err
	}
	return job, tx.commit()
}

// findIngestionJob reads a job by the condition on id or uuid.
func findIngestionJob(ctx context.Context, q querier, cond string, key any, tenantID int64) (*tonegrid.IngestionJob, error) {
	var j tonegrid.IngestionJob
	var results string
	var finished sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT CAST(uuid AS TEXT), status, total, processed, succeeded, failed, results, created_at, updated_at, finished_at
		FROM ingestion_jobs WHERE `+cond+` AND tenant_id = $2`, key, tenantID).
		Scan(&j.UUID, &j.Status, &j.Total, &j.Processed, &j.Succeeded, &j.Failed, &results, &j.CreatedAt, &j.UpdatedAt, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrIngestionJobNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find ingestion job: %w", err))
	}
	if finished.Valid {
		t := finished.Time.UTC()
		j.FinishedAt = &t
	}
	if err := json.Unmarshal([]byte(results), &j.Results); err != nil {
		return nil, fmt.Errorf("decode ingestion results: %w", err)
	}
	return &j, nil
}

// FindIngestionJob reads a job of the caller's tenant.
func (db *DB) FindIngestionJob(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.IngestionJob, error) {
	return findIngestionJob(ctx, reader{db}, `uuid = $1`, uuid, p.Tenant.ID)
}

// RunIngestionJob works an asynchronous bulk job: each item not done yet
// is created in its own transaction (idempotent per item, so a run
// interrupted by a crash resumes without duplicates), progress is saved
// after each, and the job ends with ingestion.completed (every item
// created) or ingestion.failed.
func (db *DB) RunIngestionJob(ctx context.Context, jobID int64) error {
	var tenantID int64
	var uuid, request, results, status string
	err := db.write.QueryRowContext(ctx, `SELECT tenant_id, CAST(uuid AS TEXT), request, results, status FROM ingestion_jobs WHERE id = $1`, jobID).
		Scan(&tenantID, &uuid, &request, &results, &status)
	if errors.Is(err, sql.ErrNoRows) || status == tonegrid.IngestionCompleted || status == tonegrid.IngestionFailed {
		return nil
	}
	if err != nil {
		return translate(fmt.Errorf("read ingestion job: %w", err))
	}
	var items []*tonegrid.BulkRelease
	var stored []tonegrid.BulkResult
	if err := json.Unmarshal([]byte(request), &items); err != nil {
		return fmt.Errorf("decode ingestion job: %w", err)
	}
	if err := json.Unmarshal([]byte(results), &stored); err != nil {
		return fmt.Errorf("decode ingestion results: %w", err)
	}
	tenant, err := findTenant(ctx, reader{db}, tenantID)
	if err != nil {
		return err
	}
	// The job acts for the tenant as its catalog staff would.
	p := &tonegrid.Principal{Tenant: tenant, Role: tonegrid.RoleStaff}
	done := map[int]bool{}
	for _, s := range stored {
		done[s.Index] = true
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE ingestion_jobs SET status = 'running', updated_at = $2 WHERE id = $1`, jobID, db.now()); err != nil {
		return translate(fmt.Errorf("start ingestion job: %w", err))
	}
	for i, item := range items {
		if item == nil || done[i] {
			continue
		}
		res := tonegrid.BulkResult{Index: i, Success: true}
		u, err := db.IngestRelease(ctx, p, "job:"+uuid+":"+strconv.Itoa(i), *item)
		if e, ok := tonegrid.ErrorOf(err); ok && e.Status < 500 {
			res = tonegrid.FailedResult(i, e)
		} else if err != nil {
			return err
		}
		res.UUID = u
		stored = append(stored, res)
		sort.Slice(stored, func(a, b int) bool { return stored[a].Index < stored[b].Index })
		if err := db.saveIngestionProgress(ctx, jobID, stored); err != nil {
			return err
		}
	}
	return db.finishIngestionJob(ctx, p, jobID, uuid, stored)
}

// saveIngestionProgress stores the results so far.
func (db *DB) saveIngestionProgress(ctx context.Context, jobID int64, stored []tonegrid.BulkResult) error {
	text, err := jsonText(stored)
	if err != nil {
		return err
	}
	ok := 0
	for _, s := range stored {
		if s.Success {
			ok++
		}
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE ingestion_jobs SET results = $2, processed = $3, succeeded = $4, failed = $5, updated_at = $6 WHERE id = $1`,
		jobID, text, len(stored), ok, len(stored)-ok, db.now()); err != nil {
		return translate(fmt.Errorf("save ingestion progress: %w", err))
	}
	return nil
}

// finishIngestionJob marks the job done and emits its event, once.
func (db *DB) finishIngestionJob(ctx context.Context, p *tonegrid.Principal, jobID int64, uuid string, stored []tonegrid.BulkResult) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	status, event := tonegrid.IngestionCompleted, tonegrid.EventIngestionCompleted
	ok := 0
	for _, s := range stored {
		if s.Success {
			ok++
		}
	}
	if ok < len(stored) {
		status, event = tonegrid.IngestionFailed, tonegrid.EventIngestionFailed
	}
	res, err := tx.ExecContext(ctx, `UPDATE ingestion_jobs SET status = $2, finished_at = $3, updated_at = $3
		WHERE id = $1 AND status NOT IN ('completed', 'failed')`, jobID, status, tx.now)
	if err != nil {
		return translate(fmt.Errorf("finish ingestion job: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	job, err := findIngestionJob(ctx, tx, `id = $1`, jobID, p.Tenant.ID)
	if err != nil {
		return err
	}
	if err := tx.emit(ctx, p.Tenant.ID, event, job); err != nil {
		return err
	}
	return tx.commit()
}

// PurgeIngestionItems forgets the item keys recorded before cutoff: an
// Idempotency-Key is kept 24 hours, so a retry after that creates anew.
func (db *DB) PurgeIngestionItems(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM ingestion_items WHERE created_at < $1`, cutoff.UTC())
	if err != nil {
		return 0, translate(fmt.Errorf("purge ingestion items: %w", err))
	}
	return res.RowsAffected()
}

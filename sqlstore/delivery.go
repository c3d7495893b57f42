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

// sealContext binds a store's sealed delivery settings to its slug.
func sealContext(slug string) string { return "dsp-delivery:" + slug }

// sealDelivery seals a store's delivery settings; protocol dir with nothing
// else set is stored as "".
func (db *DB) sealDelivery(slug string, d tonegrid.DSPDelivery) (string, error) {
	if d == (tonegrid.DSPDelivery{Protocol: "dir"}) {
		return "", nil
	}
	if db.sealer == nil {
		return "", errors.New("seal dsp delivery: no sealer configured")
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode dsp delivery: %w", err)
	}
	return db.sealer.Seal(b, sealContext(slug)), nil
}

// openDelivery unseals a store's delivery settings.
func (db *DB) openDelivery(slug, protocol, sealed string) (tonegrid.DSPDelivery, error) {
	if sealed == "" {
		return tonegrid.DSPDelivery{Protocol: protocol}, nil
	}
	if db.sealer == nil {
		return tonegrid.DSPDelivery{}, errors.New("open dsp delivery: no sealer configured")
	}
	b, err := db.sealer.Open(sealed, sealContext(slug))
	if err != nil {
		return tonegrid.DSPDelivery{}, fmt.Errorf("open dsp %s delivery settings: %w", slug, err)
	}
	var d tonegrid.DSPDelivery
	if err := json.Unmarshal(b, &d); err != nil {
		return tonegrid.DSPDelivery{}, fmt.Errorf("decode dsp %s delivery settings: %w", slug, err)
	}
	return d, nil
}

// CreateDSP adds a store; a slug already used is ErrDSPTaken.
func (db *DB) CreateDSP(ctx context.Context, p *tonegrid.Principal, slug string, in tonegrid.DSPInput) (*tonegrid.DSP, error) {
	sealed, err := db.sealDelivery(slug, in.Delivery)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dsps WHERE slug = $1`, slug).Scan(&exists); err != nil {
		return nil, translate(fmt.Errorf("find dsp %s: %w", slug, err))
	}
	if exists > 0 {
		return nil, tonegrid.ErrDSPTaken.Format(slug)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dsps (slug, name, ddex_party_id, ern_version, delivery_protocol, is_active,
			delivery_sealed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		slug, in.Name, in.DDEXPartyID, in.ERNVersion, in.Delivery.Protocol, in.IsActive, sealed, tx.now); err != nil {
		if isUniqueViolation(err) {
			return nil, tonegrid.ErrDSPTaken.Format(slug)
		}
		return nil, translate(fmt.Errorf("insert dsp %s: %w", slug, err))
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "dsp.created", "dsp", slug, map[string]string{"protocol": in.Delivery.Protocol}); err != nil {
		return nil, err
	}
	d, err := scanDSP(tx.QueryRowContext(ctx, `SELECT `+dspColumns+` FROM dsps WHERE slug = $1`, slug))
	if err != nil {
		return nil, translate(fmt.Errorf("read dsp %s: %w", slug, err))
	}
	return d, tx.commit()
}

// UpdateDSP changes a store, active or not; an unknown slug is
// ErrDSPNotFound. New delivery settings replace the old ones, keeping the
// credentials they leave empty when the protocol stays the same.
func (db *DB) UpdateDSP(ctx context.Context, p *tonegrid.Principal, slug string, upd tonegrid.DSPUpdate) (*tonegrid.DSP, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var protocol, sealed string
	err = tx.QueryRowContext(ctx, `SELECT delivery_protocol, delivery_sealed FROM dsps WHERE slug = $1`+db.dialect.forUpdate(), slug).
		Scan(&protocol, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrDSPNotFound.Format(slug)
	}
	if err != nil {
		return nil, translate(fmt.Errorf("lock dsp %s: %w", slug, err))
	}
	set := func(col string, v any) error {
		if _, err := tx.ExecContext(ctx, `UPDATE dsps SET `+col+` = $1, updated_at = $2 WHERE slug = $3`, v, tx.now, slug); err != nil {
			return translate(fmt.Errorf("update dsp %s %s: %w", slug, col, err))
		}
		return nil
	}
	details := map[string]string{}
	for col, v := range map[string]*string{"name": upd.Name, "ddex_party_id": upd.DDEXPartyID, "ern_version": upd.ERNVersion} {
		if v != nil {
			if err := set(col, *v); err != nil {
				return nil, err
			}
			details[col] = *v
		}
	}
	if upd.IsActive != nil {
		if err := set("is_active", *upd.IsActive); err != nil {
			return nil, err
		}
		details["is_active"] = fmt.Sprint(*upd.IsActive)
	}
	if upd.Delivery != nil {
		old, err := db.openDelivery(slug, protocol, sealed)
		if err != nil {
			return nil, err
		}
		next := *upd.Delivery
		next.KeepSecrets(old)
		s, err := db.sealDelivery(slug, next)
		if err != nil {
			return nil, err
		}
		if err := set("delivery_protocol", next.Protocol); err != nil {
			return nil, err
		}
		if err := set("delivery_sealed", s); err != nil {
			return nil, err
		}
		details["protocol"] = next.Protocol
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "dsp.updated", "dsp", slug, details); err != nil {
		return nil, err
	}
	d, err := scanDSP(tx.QueryRowContext(ctx, `SELECT `+dspColumns+` FROM dsps WHERE slug = $1`, slug))
	if err != nil {
		return nil, translate(fmt.Errorf("read dsp %s: %w", slug, err))
	}
	return d, tx.commit()
}

// dspEndpoint reads a store with its unsealed delivery settings.
func (db *DB) dspEndpoint(ctx context.Context, q querier, dspID int64) (*tonegrid.DSP, tonegrid.DSPDelivery, error) {
	var sealed string
	var d tonegrid.DSP
	err := q.QueryRowContext(ctx, `SELECT `+dspColumns+`, delivery_sealed FROM dsps WHERE id = $1`, dspID).
		Scan(&d.ID, &d.Slug, &d.Name, &d.DDEXPartyID, &d.ERNVersion, &d.DeliveryProtocol, &d.IsActive, &d.CreatedAt, &d.UpdatedAt, &sealed)
	if err != nil {
		return nil, tonegrid.DSPDelivery{}, translate(fmt.Errorf("read dsp %d: %w", dspID, err))
	}
	cfg, err := db.openDelivery(d.Slug, d.DeliveryProtocol, sealed)
	return &d, cfg, err
}

// DSPEndpoint reads a store with its delivery settings, credentials in
// clear, for the delivery workers.
func (db *DB) DSPEndpoint(ctx context.Context, dspID int64) (*tonegrid.DSP, tonegrid.DSPDelivery, error) {
	return db.dspEndpoint(ctx, reader{db}, dspID)
}

const deliveryColumns = `d.id, d.uuid, d.tenant_id, d.release_id, r.uuid, d.dsp_id, s.slug, d.kind, d.status, d.attempts, d.last_error,
	d.reason, d.message_id, d.batch_id, d.message_key, d.message_size, d.delivered_at, d.acked_at, d.created_at, d.updated_at`

const deliveryFrom = `deliveries d JOIN releases r ON r.id = d.release_id JOIN dsps s ON s.id = d.dsp_id`

func scanDelivery(row interface{ Scan(...any) error }) (*tonegrid.Delivery, error) {
	var d tonegrid.Delivery
	var delivered, acked sql.NullTime
	if err := row.Scan(&d.ID, &d.UUID, &d.TenantID, &d.ReleaseID, &d.ReleaseUUID, &d.DSPID, &d.DSP, &d.Kind, &d.Status, &d.Attempts,
		&d.LastError, &d.Reason, &d.MessageID, &d.BatchID, &d.MessageKey, &d.MessageSize, &delivered, &acked, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	if delivered.Valid {
		t := delivered.Time.UTC()
		d.DeliveredAt = &t
	}
	if acked.Valid {
		t := acked.Time.UTC()
		d.AckedAt = &t
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

// deliverableStatuses are the release statuses a delivery may start from.
var deliverableStatuses = map[string]bool{
	tonegrid.ReleaseApproved: true, tonegrid.ReleaseDelivering: true, tonegrid.ReleaseDelivered: true,
	tonegrid.ReleaseLive: true, tonegrid.ReleaseTakenDown: true,
}

// deliveryTargets checks a delivery request against a release in status
// and returns the stores it goes to, in name order: without named stores,
// every active attached store, except blocked ones for new deliveries and
// updates, and only those the release was sent to for takedowns and
// purges (blocked or not).
func deliveryTargets(ctx context.Context, q querier, tenantID, releaseID int64, status string, req tonegrid.DeliveryRequest) ([]*tonegrid.ReleaseDSP, error) {
	withdraw := req.Kind == tonegrid.DeliveryTakedown || req.Kind == tonegrid.DeliveryPurge
	if !deliverableStatuses[status] {
		return nil, tonegrid.ErrReleaseNotDeliverable
	}
	attached, err := releaseDSPs(ctx, q, tenantID, releaseID)
	if err != nil {
		return nil, err
	}
	if len(attached) == 0 {
		return nil, tonegrid.ErrReleaseNoDSPsAttached
	}
	// reached holds the stores a new delivery or update was sent to.
	reached := map[int64]bool{}
	if withdraw {
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT dsp_id FROM deliveries WHERE release_id = $1 AND tenant_id = $2
			AND kind IN ('new', 'update') AND status IN ('sending', 'delivered', 'live', 'rejected')`, releaseID, tenantID)
		if err != nil {
			return nil, translate(fmt.Errorf("list reached stores: %w", err))
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, translate(fmt.Errorf("scan reached store: %w", err))
			}
			reached[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, translate(err)
		}
		if len(reached) == 0 {
			return nil, tonegrid.ErrReleaseNotDelivered
		}
	}
	bySlug := map[string]*tonegrid.ReleaseDSP{}
	for _, rd := range attached {
		bySlug[rd.DSP.Slug] = rd
	}
	var out []*tonegrid.ReleaseDSP
	if len(req.DSPs) == 0 {
		for _, rd := range attached {
			if !rd.DSP.IsActive || (!withdraw && rd.IsBlocked) || (withdraw && !reached[rd.DSP.ID]) {
				continue
			}
			out = append(out, rd)
		}
		if len(out) == 0 && !withdraw {
			// Every attached store is blocked (or inactive): name the first.
			return nil, tonegrid.ErrDSPBlocked.Format(attached[0].DSP.Name)
		}
		if len(out) == 0 {
			return nil, tonegrid.ErrReleaseNoDSPsAttached
		}
		return out, nil
	}
	seen := map[string]bool{}
	for _, slug := range req.DSPs {
		if seen[slug] {
			continue
		}
		seen[slug] = true
		rd, ok := bySlug[slug]
		if !ok {
			if _, err := activeDSPID(ctx, q, slug); err != nil {
				return nil, err
			}
			return nil, tonegrid.ErrReleaseDSPNotAttached.Format(slug)
		}
		if !rd.DSP.IsActive {
			return nil, tonegrid.ErrDSPNotFound.Format(slug)
		}
		if rd.IsBlocked && !withdraw {
			return nil, tonegrid.ErrDSPBlocked.Format(rd.DSP.Name)
		}
		out = append(out, rd)
	}
	return out, nil
}

// releaseContent reads a release with its tracks and rights.
func releaseContent(ctx context.Context, q querier, tenantID, releaseID int64) (*tonegrid.Release, *tonegrid.Rights, error) {
	r, err := findReleaseByID(ctx, q, tenantID, releaseID)
	if err != nil {
		return nil, nil, err
	}
	if r.Tracks, err = releaseTracks(ctx, q, tenantID, r); err != nil {
		return nil, nil, err
	}
	rights, err := releaseRights(ctx, q, tenantID, releaseID)
	if err != nil {
		return nil, nil, err
	}
	return r, rights, nil
}

// DeliveryContent checks a delivery request without queueing anything and
// returns what its messages are made from.
func (db *DB) DeliveryContent(ctx context.Context, p *tonegrid.Principal, releaseUUID string, req tonegrid.DeliveryRequest) (*tonegrid.DeliveryContent, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var id int64
	var status string
	err = tx.QueryRowContext(ctx, `SELECT id, status FROM releases WHERE uuid = $1 AND tenant_id = $2`, releaseUUID, p.Tenant.ID).Scan(&id, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrReleaseNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find release: %w", err))
	}
	targets, err := deliveryTargets(ctx, tx, p.Tenant.ID, id, status, req)
	if err != nil {
		return nil, err
	}
	r, rights, err := releaseContent(ctx, tx, p.Tenant.ID, id)
	if err != nil {
		return nil, err
	}
	return &tonegrid.DeliveryContent{Release: r, Rights: rights, Targets: targets}, nil
}

// PreviewContent reads what a message of a release to one active store is
// made from, in any release status; the store need not be attached.
func (db *DB) PreviewContent(ctx context.Context, p *tonegrid.Principal, releaseUUID, slug string) (*tonegrid.DeliveryContent, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	id, err := releaseID(ctx, tx, p.Tenant.ID, releaseUUID)
	if err != nil {
		return nil, err
	}
	dsp, err := scanDSP(tx.QueryRowContext(ctx, `SELECT `+dspColumns+` FROM dsps WHERE slug = $1 AND is_active`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrDSPNotFound.Format(slug)
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find dsp %s: %w", slug, err))
	}
	target := &tonegrid.ReleaseDSP{DSP: dsp}
	attached, err := releaseDSPs(ctx, tx, p.Tenant.ID, id)
	if err != nil {
		return nil, err
	}
	for _, rd := range attached {
		if rd.DSP.ID == dsp.ID {
			target = rd
		}
	}
	r, rights, err := releaseContent(ctx, tx, p.Tenant.ID, id)
	if err != nil {
		return nil, err
	}
	return &tonegrid.DeliveryContent{Release: r, Rights: rights, Targets: []*tonegrid.ReleaseDSP{target}}, nil
}

// batchID formats a batch id, YYYYMMDDhhmmssnnn (UTC, milliseconds).
func batchID(t time.Time) string {
	return strings.Replace(t.UTC().Format("20060102150405.000"), ".", "", 1)
}

// freeBatchID returns the first batch id at or after now that the store has
// not used yet.
func (tx *Tx) freeBatchID(ctx context.Context, dspID int64) (string, error) {
	for i := range 1000 {
		id := batchID(tx.now.Add(time.Duration(i) * time.Millisecond))
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE dsp_id = $1 AND batch_id = $2`, dspID, id).Scan(&n); err != nil {
			return "", translate(fmt.Errorf("check batch id: %w", err))
		}
		if n == 0 {
			return id, nil
		}
	}
	return "", errors.New("no free batch id within a second")
}

// QueueDeliveries checks a delivery request and queues one delivery (and
// its job) per target store. New deliveries and updates put the release in
// status delivering.
func (db *DB) QueueDeliveries(ctx context.Context, p *tonegrid.Principal, releaseUUID string, req tonegrid.DeliveryRequest) ([]*tonegrid.Delivery, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.lockRelease(ctx, p.Tenant.ID, releaseUUID)
	if err != nil {
		return nil, err
	}
	targets, err := deliveryTargets(ctx, tx, p.Tenant.ID, l.id, l.status, req)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, rd := range targets {
		bid, err := tx.freeBatchID(ctx, rd.DSP.ID)
		if err != nil {
			return nil, err
		}
		uuid := newUUID()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO deliveries (uuid, tenant_id, release_id, dsp_id, kind, reason, message_id, batch_id,
				created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			uuid, p.Tenant.ID, l.id, rd.DSP.ID, req.Kind, req.Reason, "TG-"+strings.ReplaceAll(uuid, "-", ""), bid, tx.now).Scan(&id); err != nil {
			return nil, translate(fmt.Errorf("insert delivery: %w", err))
		}
		if err := tx.enqueue(ctx, tonegrid.DeliveryJob{DeliveryID: id}); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	out := make([]*tonegrid.Delivery, 0, len(ids))
	for _, id := range ids {
		d, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM `+deliveryFrom+` WHERE d.id = $1`, id))
		if err != nil {
			return nil, translate(fmt.Errorf("read delivery: %w", err))
		}
		if err := tx.emit(ctx, p.Tenant.ID, tonegrid.DSPEvent(d.DSP, tonegrid.DeliveryQueued), d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := tx.syncReleaseStatus(ctx, p.Tenant.ID, l.id); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "release.ddex."+req.Kind, "release", releaseUUID, map[string]string{"reason": req.Reason}); err != nil {
		return nil, err
	}
	return out, tx.commit()
}

// syncReleaseStatus moves a delivered (or deliverable) release to the
// status its deliveries say: delivering while a new delivery or update is
// under way; taken_down when every store's latest delivery that did not
// fail is a takedown or purge that arrived (stores that rejected the
// release aside); live when a store made it
// live; delivered when one received it; back to approved when every
// delivery failed.
func (tx *Tx) syncReleaseStatus(ctx context.Context, tenantID, releaseID int64) error {
	var cur string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM releases WHERE id = $1 AND tenant_id = $2`, releaseID, tenantID).Scan(&cur); err != nil {
		return translate(fmt.Errorf("read release status: %w", err))
	}
	if !deliverableStatuses[cur] {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT dsp_id, kind, status FROM deliveries WHERE release_id = $1 AND tenant_id = $2 ORDER BY id`,
		releaseID, tenantID)
	if err != nil {
		return translate(fmt.Errorf("list release deliveries: %w", err))
	}
	type state struct{ kind, status string }
	latest := map[int64]state{}
	pendingSend, pendingAny := false, false
	for rows.Next() {
		var dspID int64
		var s state
		if err := rows.Scan(&dspID, &s.kind, &s.status); err != nil {
			rows.Close()
			return translate(fmt.Errorf("scan release delivery: %w", err))
		}
		pending := s.status == tonegrid.DeliveryQueued || s.status == tonegrid.DeliverySending
		sends := s.kind == tonegrid.DeliveryNew || s.kind == tonegrid.DeliveryUpdate
		pendingAny = pendingAny || pending
		pendingSend = pendingSend || (pending && sends)
		if s.status != tonegrid.DeliveryFailed {
			latest[dspID] = s
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return translate(err)
	}
	// A store that rejected the release does not have it: it neither
	// holds the release up from taken_down nor makes it delivered.
	withdrawn, taken, live, delivered := true, 0, false, false
	for _, s := range latest {
		arrived := s.status == tonegrid.DeliveryDelivered || s.status == tonegrid.DeliveryLive
		switch s.kind {
		case tonegrid.DeliveryTakedown, tonegrid.DeliveryPurge:
			withdrawn = withdrawn && arrived
			if arrived {
				taken++
			}
		default:
			if s.status != tonegrid.DeliveryRejected {
				withdrawn = false
			}
			live = live || s.status == tonegrid.DeliveryLive
			delivered = delivered || arrived
		}
	}
	withdrawn = withdrawn && taken > 0
	next := cur
	switch {
	case pendingSend:
		next = tonegrid.ReleaseDelivering
	case withdrawn:
		next = tonegrid.ReleaseTakenDown
	case live:
		next = tonegrid.ReleaseLive
	case delivered:
		next = tonegrid.ReleaseDelivered
	case pendingAny:
	case cur == tonegrid.ReleaseDelivering:
		next = tonegrid.ReleaseApproved
	}
	if next == cur {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE releases SET status = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3`,
		next, tx.now, releaseID); err != nil {
		return translate(fmt.Errorf("set release status %s: %w", next, err))
	}
	return nil
}

// ListDeliveries lists the deliveries of a release of the caller's tenant,
// newest first.
func (db *DB) ListDeliveries(ctx context.Context, p *tonegrid.Principal, releaseUUID string, page tonegrid.Page) ([]*tonegrid.Delivery, int, error) {
	id, err := releaseID(ctx, reader{db}, p.Tenant.ID, releaseUUID)
	if err != nil {
		return nil, 0, err
	}
	return listPage(ctx, db, listQuery{
		what: "deliveries", from: deliveryFrom, where: `d.tenant_id = $1 AND d.release_id = $2`, args: []any{p.Tenant.ID, id},
		columns: deliveryColumns, order: `d.id DESC`,
	}, page, scanDelivery)
}

// FindDelivery reads a delivery of a release of the caller's tenant, or
// ErrDeliveryNotFound.
func (db *DB) FindDelivery(ctx context.Context, p *tonegrid.Principal, releaseUUID, deliveryUUID string) (*tonegrid.Delivery, error) {
	id, err := releaseID(ctx, reader{db}, p.Tenant.ID, releaseUUID)
	if err != nil {
		return nil, err
	}
	d, err := scanDelivery(db.queryRow(ctx, `SELECT `+deliveryColumns+` FROM `+deliveryFrom+`
		WHERE d.uuid = $1 AND d.tenant_id = $2 AND d.release_id = $3`, deliveryUUID, p.Tenant.ID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrDeliveryNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find delivery: %w", err))
	}
	return d, nil
}

// StartDeliveryAttempt marks a queued (or interrupted) delivery as sending,
// counts the attempt, and returns what the attempt needs; nil when the
// delivery is settled already, ErrDeliveryWaiting while an earlier
// delivery of the release to the store is queued or sending.
func (db *DB) StartDeliveryAttempt(ctx context.Context, deliveryID int64) (*tonegrid.DeliveryWork, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM `+deliveryFrom+` WHERE d.id = $1`+db.dialect.forUpdate(), deliveryID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(fmt.Errorf("lock delivery %d: %w", deliveryID, err))
	}
	if d.Status != tonegrid.DeliveryQueued && d.Status != tonegrid.DeliverySending {
		return nil, nil
	}
	var earlier int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE release_id = $1 AND dsp_id = $2 AND id < $3
		AND status IN ('queued', 'sending')`, d.ReleaseID, d.DSPID, d.ID).Scan(&earlier); err != nil {
		return nil, translate(fmt.Errorf("check earlier deliveries: %w", err))
	}
	if earlier > 0 {
		return nil, tonegrid.ErrDeliveryWaiting
	}
	d.Attempts++
	d.Status = tonegrid.DeliverySending
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sending', attempts = $1, updated_at = $2 WHERE id = $3`,
		d.Attempts, tx.now, d.ID); err != nil {
		return nil, translate(fmt.Errorf("start delivery: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, attempt, started_at) VALUES ($1, $2, $3)
		ON CONFLICT (delivery_id, attempt) DO NOTHING`, d.ID, d.Attempts, tx.now); err != nil {
		return nil, translate(fmt.Errorf("insert delivery attempt: %w", err))
	}
	w := &tonegrid.DeliveryWork{Delivery: d}
	if err := tx.QueryRowContext(ctx, `SELECT CAST(uuid AS TEXT) FROM tenants WHERE id = $1`, d.TenantID).Scan(&w.TenantUUID); err != nil {
		return nil, translate(fmt.Errorf("read tenant: %w", err))
	}
	if w.DSP, w.Endpoint, err = db.dspEndpoint(ctx, tx, d.DSPID); err != nil {
		return nil, err
	}
	if w.Release, w.Rights, err = releaseContent(ctx, tx, d.TenantID, d.ReleaseID); err != nil {
		return nil, err
	}
	attached, err := releaseDSPs(ctx, tx, d.TenantID, d.ReleaseID)
	if err != nil {
		return nil, err
	}
	for _, rd := range attached {
		if rd.DSP.ID == d.DSPID {
			w.Store = rd
		}
	}
	return w, tx.commit()
}

// FinishDeliveryAttempt records how an attempt ended: delivered, queued
// again for a retry, or failed for good; it emits the store's event and
// moves the release's status along.
func (db *DB) FinishDeliveryAttempt(ctx context.Context, deliveryID int64, attempt int, res tonegrid.AttemptResult) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	d, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM `+deliveryFrom+` WHERE d.id = $1`+db.dialect.forUpdate(), deliveryID))
	if err != nil {
		return translate(fmt.Errorf("lock delivery %d: %w", deliveryID, err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE delivery_attempts SET error = $1, bytes_sent = $2, finished_at = $3
		WHERE delivery_id = $4 AND attempt = $5`, res.Err, res.BytesSent, tx.now, d.ID, attempt); err != nil {
		return translate(fmt.Errorf("finish delivery attempt: %w", err))
	}
	if res.MessageKey != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET message_key = $1, message_size = $2 WHERE id = $3`,
			res.MessageKey, res.MessageSize, d.ID); err != nil {
			return translate(fmt.Errorf("record delivery message: %w", err))
		}
	}
	status, event := tonegrid.DeliveryQueued, ""
	switch {
	case res.Err == "":
		status, event = tonegrid.DeliveryDelivered, tonegrid.DeliveryDelivered
		if d.Kind == tonegrid.DeliveryTakedown || d.Kind == tonegrid.DeliveryPurge {
			event = tonegrid.EventDSPTakenDown
		}
	case res.Final:
		status, event = tonegrid.DeliveryFailed, tonegrid.DeliveryFailed
	}
	var delivered any
	if status == tonegrid.DeliveryDelivered {
		delivered = tx.now
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, last_error = $2, delivered_at = COALESCE($3, delivered_at),
		updated_at = $4 WHERE id = $5`, status, res.Err, delivered, tx.now, d.ID); err != nil {
		return translate(fmt.Errorf("finish delivery: %w", err))
	}
	if event != "" {
		if err := tx.emitDelivery(ctx, d.ID, event); err != nil {
			return err
		}
	}
	if err := tx.syncReleaseStatus(ctx, d.TenantID, d.ReleaseID); err != nil {
		return err
	}
	return tx.commit()
}

// emitDelivery emits release.dsp.<slug>.<status> with the delivery as it
// is now.
func (tx *Tx) emitDelivery(ctx context.Context, deliveryID int64, status string) error {
	d, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM `+deliveryFrom+` WHERE d.id = $1`, deliveryID))
	if err != nil {
		return translate(fmt.Errorf("read delivery: %w", err))
	}
	return tx.emit(ctx, d.TenantID, tonegrid.DSPEvent(d.DSP, status), d)
}

// DSPsAwaitingAcks lists the stores with deliveries that arrived and wait
// for the store's acknowledgement.
func (db *DB) DSPsAwaitingAcks(ctx context.Context) ([]int64, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT dsp_id FROM deliveries WHERE status = 'delivered' AND acked_at IS NULL ORDER BY dsp_id`)
	if err != nil {
		return nil, translate(fmt.Errorf("list dsps awaiting acks: %w", err))
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(fmt.Errorf("scan dsp id: %w", err))
		}
		out = append(out, id)
	}
	return out, translate(rows.Err())
}

// AckSeen reports whether the store's acknowledgement file name was read
// already.
func (db *DB) AckSeen(ctx context.Context, dspID int64, name string) (bool, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM dsp_acks WHERE dsp_id = $1 AND name = $2`, dspID, name).Scan(&n); err != nil {
		return false, translate(fmt.Errorf("check ack %s: %w", name, err))
	}
	return n > 0, nil
}

// ApplyAck records an acknowledgement file of a store as read and applies
// its verdicts: each release's delivery (named by message id, else the
// store's latest delivery of the release's UPC that arrived) becomes live
// or rejected, with the store's reason. A takedown or purge stays
// delivered when acknowledged, or becomes rejected. A file read before
// changes nothing.
func (db *DB) ApplyAck(ctx context.Context, dspID int64, name string, results []tonegrid.AckResult) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO dsp_acks (dsp_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (dsp_id, name) DO NOTHING`,
		dspID, name, tx.now)
	if err != nil {
		return translate(fmt.Errorf("record ack %s: %w", name, err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	for _, r := range results {
		d, err := tx.ackedDelivery(ctx, dspID, r)
		if err != nil {
			return err
		}
		if d == nil {
			continue
		}
		status := tonegrid.DeliveryRejected
		if r.Live {
			status = tonegrid.DeliveryLive
			if d.Kind == tonegrid.DeliveryTakedown || d.Kind == tonegrid.DeliveryPurge {
				status = tonegrid.DeliveryDelivered
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, reason = CASE WHEN $2 = '' THEN reason ELSE $2 END,
			acked_at = $3, updated_at = $3 WHERE id = $4`, status, r.Reason, tx.now, d.ID); err != nil {
			return translate(fmt.Errorf("apply ack: %w", err))
		}
		if status != tonegrid.DeliveryDelivered {
			if err := tx.emitDelivery(ctx, d.ID, status); err != nil {
				return err
			}
		}
		if err := tx.syncReleaseStatus(ctx, d.TenantID, d.ReleaseID); err != nil {
			return err
		}
	}
	return tx.commit()
}

// ackedDelivery finds the delivery an acknowledgement speaks of, or nil.
func (tx *Tx) ackedDelivery(ctx context.Context, dspID int64, r tonegrid.AckResult) (*tonegrid.Delivery, error) {
	for _, mid := range r.MessageIDs {
		d, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM `+deliveryFrom+`
			WHERE d.dsp_id = $1 AND d.message_id = $2 AND d.status IN ('delivered', 'live', 'rejected')`, dspID, mid))
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, translate(fmt.Errorf("find acked delivery: %w", err))
		}
	}
	if r.ICPN == "" {
		return nil, nil
	}
	d, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM `+deliveryFrom+`
		WHERE d.dsp_id = $1 AND r.upc = $2 AND d.status = 'delivered' AND d.acked_at IS NULL ORDER BY d.id DESC LIMIT 1`, dspID, r.ICPN))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find acked delivery: %w", err))
	}
	return d, nil
}

// DSPEndpointBySlug reads a store, active or not, with its delivery
// settings; an unknown slug is ErrDSPNotFound.
func (db *DB) DSPEndpointBySlug(ctx context.Context, slug string) (*tonegrid.DSP, tonegrid.DSPDelivery, error) {
	var id int64
	err := db.queryRow(ctx, `SELECT id FROM dsps WHERE slug = $1`, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.DSPDelivery{}, tonegrid.ErrDSPNotFound.Format(slug)
	}
	if err != nil {
		return nil, tonegrid.DSPDelivery{}, translate(fmt.Errorf("find dsp %s: %w", slug, err))
	}
	return db.dspEndpoint(ctx, reader{db}, id)
}

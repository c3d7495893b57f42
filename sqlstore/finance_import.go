package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"tonegrid"
	"tonegrid/money"
)

// ImportJobArgs are the arguments of the job that parses one sales report.
type ImportJobArgs struct {
	ImportID int64 `json:"import_id"`
}

// Kind names the job's worker.
func (ImportJobArgs) Kind() string { return "finance.import" }

const periodColumns = `f.id, f.uuid, f.code, f.starts_on, f.ends_on, f.created_at, f.updated_at`

func scanPeriod(row interface{ Scan(...any) error }) (*tonegrid.Period, error) {
	var f tonegrid.Period
	err := row.Scan(&f.ID, &f.UUID, &f.Code, &f.StartsOn, &f.EndsOn, &f.CreatedAt, &f.UpdatedAt)
	return &f, err
}

func findPeriod(ctx context.Context, q querier, tenantID int64, uuid string) (*tonegrid.Period, error) {
	return oneRow(q.QueryRowContext(ctx, `SELECT `+periodColumns+` FROM finance_periods f WHERE f.uuid = $1 AND f.tenant_id = $2`, uuid, tenantID), scanPeriod, tonegrid.ErrPeriodNotFound, "period")
}

// ListPeriods lists the tenant's accounting periods, newest first.
func (db *DB) ListPeriods(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.Period, int, error) {
	return listPage(ctx, db, listQuery{what: "periods", from: "finance_periods f", where: "f.tenant_id = $1",
		args: []any{p.Tenant.ID}, columns: periodColumns, order: "f.id DESC"}, page, scanPeriod)
}

// FindPeriod reads a period of the caller's tenant.
func (db *DB) FindPeriod(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Period, error) {
	return findPeriod(ctx, reader{db}, p.Tenant.ID, uuid)
}

// FindPeriodByCode reads a period of a tenant by its code (the CLI names
// periods by code).
func (db *DB) FindPeriodByCode(ctx context.Context, tenantID int64, code string) (*tonegrid.Period, error) {
	return oneRow(db.read.QueryRowContext(ctx, `SELECT `+periodColumns+` FROM finance_periods f WHERE f.code = $1 AND f.tenant_id = $2`, code, tenantID), scanPeriod, tonegrid.ErrPeriodNotFound, "period")
}

// CreatePeriod adds an accounting period; its code is unique per tenant.
func (db *DB) CreatePeriod(ctx context.Context, p *tonegrid.Principal, in tonegrid.PeriodInput) (*tonegrid.Period, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	uuid := newUUID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO finance_periods (uuid, tenant_id, code, starts_on, ends_on, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, uuid, p.Tenant.ID, in.Code, in.StartsOn, in.EndsOn, tx.now); err != nil {
		if isUniqueViolation(err) {
			return nil, tonegrid.ErrPeriodCodeTaken
		}
		return nil, translate(fmt.Errorf("insert period: %w", err))
	}
	f, err := findPeriod(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "period.created", "period", uuid, map[string]string{"code": in.Code}); err != nil {
		return nil, err
	}
	return f, tx.commit()
}

const importColumns = `i.id, i.tenant_id, i.period_id, i.blob_key, i.uuid, f.uuid, i.dsp, i.format, i.file_name, i.size, i.sha256, i.status,
	i.lines_total, i.lines_matched, i.lines_unmatched, i.lines_invalid, i.totals, i.reconciliation, i.error, i.completed_at, i.created_at, i.updated_at`

func scanImport(row interface{ Scan(...any) error }) (*tonegrid.SalesImport, error) {
	var m tonegrid.SalesImport
	var totals string
	var recon sql.NullString
	var completed sql.NullTime
	if err := row.Scan(&m.ID, &m.TenantID, &m.PeriodID, &m.BlobKey, &m.UUID, &m.PeriodUUID, &m.DSP, &m.Format, &m.FileName, &m.Size,
		&m.SHA256, &m.Status, &m.LinesTotal, &m.LinesMatched, &m.LinesUnmatched, &m.LinesInvalid, &totals, &recon, &m.Error,
		&completed, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, err
	}
	m.CompletedAt = timePtr(completed)
	m.GrossByCurrency = map[string]string{}
	var order []string
	if err := json.Unmarshal([]byte(totals), &struct {
		Totals *map[string]string `json:"totals"`
		Order  *[]string          `json:"order"`
	}{&m.GrossByCurrency, &order}); err != nil {
		return nil, fmt.Errorf("decode import totals: %w", err)
	}
	if m.GrossByCurrency == nil {
		m.GrossByCurrency = map[string]string{}
	}
	m.Gross = "0"
	if len(order) > 0 {
		m.Currency, m.Gross = order[0], m.GrossByCurrency[order[0]]
	}
	if recon.Valid {
		m.Reconciliation = json.RawMessage(recon.String)
	}
	return &m, nil
}

func findImport(ctx context.Context, q querier, where string, args ...any) (*tonegrid.SalesImport, error) {
	m, err := scanImport(q.QueryRowContext(ctx, `SELECT `+importColumns+` FROM sales_imports i
		JOIN finance_periods f ON f.id = i.period_id WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrImportNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find import: %w", err))
	}
	return m, nil
}

// FindImport reads an import of the caller's tenant.
func (db *DB) FindImport(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.SalesImport, error) {
	return findImport(ctx, reader{db}, `i.uuid = $1 AND i.tenant_id = $2`, uuid, p.Tenant.ID)
}

// ImportByID reads an import by id, for its job.
func (db *DB) ImportByID(ctx context.Context, id int64) (*tonegrid.SalesImport, error) {
	return findImport(ctx, db.write, `i.id = $1`, id)
}

// CreateImport records the import of a stored report into a period of
// tenantID and, when queue is true, queues the job that parses it, in the
// same transaction. The same file for the same period and DSP is refused
// with ErrImportDuplicate unless the earlier import failed.
func (db *DB) CreateImport(ctx context.Context, p *tonegrid.Principal, tenantID int64, in tonegrid.ImportInput, f *tonegrid.StagedFile, queue bool) (*tonegrid.SalesImport, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	period, err := findPeriod(ctx, tx, tenantID, in.PeriodUUID)
	if err != nil {
		return nil, err
	}
	uuid := newUUID()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO sales_imports (uuid, tenant_id, period_id, dsp, format, file_name, blob_key, size, sha256, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		uuid, tenantID, period.ID, in.DSP, in.Format, in.FileName, f.Key, f.Size, f.SHA256, tx.now).Scan(&id); err != nil {
		if isUniqueViolation(err) {
			return nil, tonegrid.ErrImportDuplicate
		}
		return nil, translate(fmt.Errorf("insert import: %w", err))
	}
	if queue {
		if err := tx.enqueue(ctx, ImportJobArgs{ImportID: id}); err != nil {
			return nil, err
		}
	}
	if p != nil {
		if err := tx.audit(ctx, p, tenantID, "import.created", "import", uuid, map[string]string{"dsp": in.DSP, "sha256": f.SHA256}); err != nil {
			return nil, err
		}
	}
	m, err := findImport(ctx, tx, `i.id = $1`, id)
	if err != nil {
		return nil, err
	}
	return m, tx.commit()
}

// StartImport marks an import as processing and deletes whatever an earlier,
// interrupted attempt wrote, so that the attempt that follows counts every
// line exactly once. It returns ok false when the import is already
// completed (a job run twice).
func (db *DB) StartImport(ctx context.Context, id int64) (ok bool, err error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM sales_imports WHERE id = $1`+db.dialect.forUpdate(), id).Scan(&status); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, tonegrid.ErrImportNotFound
		}
		return false, translate(fmt.Errorf("lock import: %w", err))
	}
	if status == tonegrid.ImportCompleted {
		return false, nil
	}
	for _, table := range []string{"sales_matched", "sales_unmatched"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE import_id = $1`, id); err != nil {
			return false, translate(fmt.Errorf("clear %s: %w", table, err))
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sales_imports SET status = 'processing', attempts = attempts + 1, started_at = $1, updated_at = $1,
		error = '', lines_total = 0, lines_matched = 0, lines_unmatched = 0, lines_invalid = 0 WHERE id = $2`, tx.now, id); err != nil {
		return false, translate(fmt.Errorf("start import: %w", err))
	}
	return true, tx.commit()
}

// CatalogMatch is where a sales line belongs: a track (or a release alone,
// for UPC-only lines) and the tenant that owns it.
type CatalogMatch struct {
	TrackID       int64
	ReleaseID     int64
	OwnerTenantID int64
}

// ImportCatalog loads, once per import, every ISRC and UPC of the tracks
// and releases of the tenant and its descendants. When several tenants use
// the same code, the nearest one (the importing tenant first) wins.
func (db *DB) ImportCatalog(ctx context.Context, tenantID int64) (byISRC, byUPC map[string]CatalogMatch, err error) {
	var path string
	if err := db.read.QueryRowContext(ctx, `SELECT path FROM tenants WHERE id = $1`, tenantID).Scan(&path); err != nil {
		return nil, nil, translate(fmt.Errorf("read tenant path: %w", err))
	}
	byISRC, byUPC = map[string]CatalogMatch{}, map[string]CatalogMatch{}
	load := func(query string, into map[string]CatalogMatch) error {
		rows, err := db.read.QueryContext(ctx, query, likePrefix(path))
		if err != nil {
			return translate(fmt.Errorf("load catalog codes: %w", err))
		}
		defer rows.Close()
		for rows.Next() {
			var code string
			var m CatalogMatch
			var track sql.NullInt64
			if err := rows.Scan(&code, &track, &m.ReleaseID, &m.OwnerTenantID); err != nil {
				return translate(fmt.Errorf("scan catalog code: %w", err))
			}
			m.TrackID = track.Int64
			code = strings.ToUpper(code)
			if _, seen := into[code]; !seen {
				into[code] = m
			}
		}
		return translate(rows.Err())
	}
	if err := load(`SELECT t.isrc, t.id, t.release_id, t.tenant_id FROM tracks t JOIN tenants te ON te.id = t.tenant_id
		WHERE te.path LIKE $1 ESCAPE '\' AND t.isrc <> '' ORDER BY length(te.path), t.id`, byISRC); err != nil {
		return nil, nil, err
	}
	if err := load(`SELECT r.upc, NULL, r.id, r.tenant_id FROM releases r JOIN tenants te ON te.id = r.tenant_id
		WHERE te.path LIKE $1 ESCAPE '\' AND r.upc <> '' ORDER BY length(te.path), r.id`, byUPC); err != nil {
		return nil, nil, err
	}
	return byISRC, byUPC, nil
}

// likePrefix is a LIKE pattern matching every string that starts with s.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

// unmatchedBatchRows is how many rows one multi-row INSERT carries: 11
// parameters each stays far below both databases' limits.
const unmatchedBatchRows = 500

// InsertUnmatched stores a batch of unmatched lines of an import in one
// transaction, with multi-row INSERTs.
func (db *DB) InsertUnmatched(ctx context.Context, importID int64, lines []tonegrid.UnmatchedLine) error {
	if len(lines) == 0 {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var sb strings.Builder
	args := make([]any, 0, unmatchedBatchRows*11)
	for start := 0; start < len(lines); start += unmatchedBatchRows {
		chunk := lines[start:min(start+unmatchedBatchRows, len(lines))]
		sb.Reset()
		args = args[:0]
		sb.WriteString(`INSERT INTO sales_unmatched (import_id, line_no, dsp, territory, isrc, upc, usage_type, units, amount, currency) VALUES `)
		for i, l := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			n := len(args)
			tx.db.dialect.rowPlaceholders(&sb, 10, n)
			args = append(args, importID, l.LineNo, l.DSP, l.Territory, l.ISRC, l.UPC, l.UsageType, l.Units, l.Amount, l.Currency)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return translate(fmt.Errorf("insert unmatched lines: %w", err))
		}
	}
	return tx.commit()
}

// MatchedSum is the exact total of an import's matched lines for one track
// (or release), store, territory, usage type and currency.
type MatchedSum struct {
	CatalogMatch
	DSP, Territory, UsageType, Currency string
	Units                               int64
	Amount                              money.Decimal
	Lines                               int64
}

// ImportResult is what parsing a report found.
type ImportResult struct {
	LinesTotal, LinesMatched, LinesUnmatched, LinesInvalid int64
	// Totals is the exact gross of every line read, per currency, and
	// Currencies their codes in the order first seen.
	Totals         map[string]money.Decimal
	Currencies     []string
	Reconciliation any
}

// FinishImport stores the matched sums and the counters of an import and
// marks it completed, in one transaction.
func (db *DB) FinishImport(ctx context.Context, importID int64, sums []MatchedSum, res ImportResult) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var periodID int64
	if err := tx.QueryRowContext(ctx, `SELECT period_id FROM sales_imports WHERE id = $1`, importID).Scan(&periodID); err != nil {
		return translate(fmt.Errorf("read import: %w", err))
	}
	const perRow = 13
	const rows = 400
	var sb strings.Builder
	args := make([]any, 0, rows*perRow)
	for start := 0; start < len(sums); start += rows {
		chunk := sums[start:min(start+rows, len(sums))]
		sb.Reset()
		args = args[:0]
		sb.WriteString(`INSERT INTO sales_matched (import_id, period_id, owner_tenant_id, release_id, track_id, dsp, territory, usage_type, currency, units, amount, line_count) VALUES `)
		for i, s := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			n := len(args)
			tx.db.dialect.rowPlaceholders(&sb, 12, n)
			var track any
			if s.TrackID != 0 {
				track = s.TrackID
			}
			args = append(args, importID, periodID, s.OwnerTenantID, s.ReleaseID, track, s.DSP, s.Territory, s.UsageType, s.Currency, s.Units, s.Amount.String(), s.Lines)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return translate(fmt.Errorf("insert matched sums: %w", err))
		}
	}
	totals := map[string]string{}
	for c, d := range res.Totals {
		totals[c] = d.String()
	}
	order := append([]string{}, res.Currencies...)
	if len(order) == 0 {
		for c := range totals {
			order = append(order, c)
		}
		sort.Strings(order)
	}
	tj, err := json.Marshal(map[string]any{"totals": totals, "order": order})
	if err != nil {
		return fmt.Errorf("encode totals: %w", err)
	}
	var recon any
	if res.Reconciliation != nil {
		b, err := json.Marshal(res.Reconciliation)
		if err != nil {
			return fmt.Errorf("encode reconciliation: %w", err)
		}
		recon = string(b)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sales_imports SET status = 'completed', lines_total = $1, lines_matched = $2, lines_unmatched = $3,
		lines_invalid = $4, totals = $5, reconciliation = $6, completed_at = $7, updated_at = $7 WHERE id = $8`,
		res.LinesTotal, res.LinesMatched, res.LinesUnmatched, res.LinesInvalid, string(tj), recon, tx.now, importID); err != nil {
		return translate(fmt.Errorf("complete import: %w", err))
	}
	return tx.commit()
}

// FailImport marks an import failed with a message for its owner; the lines
// of the failed attempt are removed.
func (db *DB) FailImport(ctx context.Context, importID int64, msg string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, table := range []string{"sales_matched", "sales_unmatched"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE import_id = $1`, importID); err != nil {
			return translate(fmt.Errorf("clear %s: %w", table, err))
		}
	}
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sales_imports SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3`, msg, tx.now, importID); err != nil {
		return translate(fmt.Errorf("fail import: %w", err))
	}
	return tx.commit()
}

// ListUnmatched lists the unmatched lines of an import of the caller's
// tenant, in file order.
func (db *DB) ListUnmatched(ctx context.Context, p *tonegrid.Principal, importUUID string, page tonegrid.Page) ([]tonegrid.UnmatchedLine, int, error) {
	m, err := db.FindImport(ctx, p, importUUID)
	if err != nil {
		return nil, 0, err
	}
	out, total, err := listPage(ctx, db, listQuery{what: "unmatched lines", from: "sales_unmatched u", where: "u.import_id = $1", args: []any{m.ID},
		columns: "u.line_no, u.dsp, u.territory, u.isrc, u.upc, u.usage_type, u.units, u.amount, u.currency", order: "u.line_no, u.id"}, page,
		func(row interface{ Scan(...any) error }) (tonegrid.UnmatchedLine, error) {
			var l tonegrid.UnmatchedLine
			err := row.Scan(&l.LineNo, &l.DSP, &l.Territory, &l.ISRC, &l.UPC, &l.UsageType, &l.Units, &l.Amount, &l.Currency)
			return l, err
		})
	if out == nil {
		out = []tonegrid.UnmatchedLine{}
	}
	return out, total, err
}

// TenantIDByUUID returns the id of a tenant, for command-line tools.
func (db *DB) TenantIDByUUID(ctx context.Context, uuid string) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM tenants WHERE uuid = $1`, uuid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, tonegrid.ErrClientNotFound
	}
	if err != nil {
		return 0, translate(fmt.Errorf("find tenant: %w", err))
	}
	return id, nil
}

// CreatePeriodFor adds an accounting period to a tenant, for command-line
// tools; ErrPeriodCodeTaken when the code exists.
func (db *DB) CreatePeriodFor(ctx context.Context, tenantID int64, in tonegrid.PeriodInput) (*tonegrid.Period, error) {
	uuid := newUUID()
	now := db.now()
	if _, err := db.write.ExecContext(ctx, `INSERT INTO finance_periods (uuid, tenant_id, code, starts_on, ends_on, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, uuid, tenantID, in.Code, in.StartsOn, in.EndsOn, now); err != nil {
		if isUniqueViolation(err) {
			return nil, tonegrid.ErrPeriodCodeTaken
		}
		return nil, translate(fmt.Errorf("insert period: %w", err))
	}
	return findPeriod(ctx, db.write, tenantID, uuid)
}

// rowPlaceholders writes the placeholders of one row of a multi-row INSERT
// with cols columns whose first argument is number n+1: "(?,?,?)" on
// SQLite, whose parser resolves numbered parameters in quadratic time, and
// "($n+1,$n+2,…)" on PostgreSQL.
func (d Dialect) rowPlaceholders(sb *strings.Builder, cols, n int) {
	sb.WriteByte('(')
	for i := 0; i < cols; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		if d == SQLite {
			sb.WriteByte('?')
		} else {
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n + i + 1))
		}
	}
	sb.WriteByte(')')
}

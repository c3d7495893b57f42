package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"tonegrid"
	"tonegrid/money"
)

const payeeStatementColumns = `ps.id, ps.uuid, s.uuid, y.uuid, y.name, ps.amount, ps.currency, ps.status, ps.approved_at, ps.created_at, ps.updated_at`

const payeeStatementFrom = `payee_statements ps JOIN statements s ON s.id = ps.statement_id JOIN payees y ON y.id = ps.payee_id`

func scanPayeeStatement(row interface{ Scan(...any) error }) (*tonegrid.PayeeStatement, error) {
	var ps tonegrid.PayeeStatement
	var approved sql.NullTime
	if err := row.Scan(&ps.ID, &ps.UUID, &ps.StatementUUID, &ps.PayeeUUID, &ps.PayeeName, &ps.Amount, &ps.Currency, &ps.Status,
		&approved, &ps.CreatedAt, &ps.UpdatedAt); err != nil {
		return nil, err
	}
	ps.ApprovedAt = timePtr(approved)
	return &ps, nil
}

func findPayeeStatement(ctx context.Context, q querier, tenantID int64, uuid, lock string) (*tonegrid.PayeeStatement, error) {
	ps, err := scanPayeeStatement(q.QueryRowContext(ctx, `SELECT `+payeeStatementColumns+` FROM `+payeeStatementFrom+`
		WHERE ps.uuid = $1 AND ps.tenant_id = $2`+lock, uuid, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrPayeeStatementNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find payee statement: %w", err))
	}
	return ps, nil
}

func payeeStatementLines(ctx context.Context, q querier, id int64) ([]tonegrid.PayeeStatementLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.uuid, r.title, t.uuid, t.title, t.isrc, l.percentage, l.gross, l.share
		FROM payee_statement_lines l JOIN releases r ON r.id = l.release_id LEFT JOIN tracks t ON t.id = l.track_id
		WHERE l.payee_statement_id = $1 ORDER BY l.id`, id)
	if err != nil {
		return nil, translate(fmt.Errorf("list payee statement lines: %w", err))
	}
	defer rows.Close()
	out := []tonegrid.PayeeStatementLine{}
	for rows.Next() {
		var l tonegrid.PayeeStatementLine
		var rt string
		var tu, tt, isrc sql.NullString
		if err := rows.Scan(&l.ReleaseUUID, &rt, &tu, &tt, &isrc, &l.Percentage, &l.Gross, &l.Share); err != nil {
			return nil, translate(fmt.Errorf("scan payee statement line: %w", err))
		}
		l.TrackUUID, l.ISRC, l.Title = tu.String, isrc.String, rt
		if tt.Valid {
			l.Title = tt.String
		}
		out = append(out, l)
	}
	return out, translate(rows.Err())
}

// ListPayeeStatements lists the tenant's payee statements, of one statement
// when statementUUID is set (an unknown one is ErrStatementNotFound).
func (db *DB) ListPayeeStatements(ctx context.Context, p *tonegrid.Principal, statementUUID string, page tonegrid.Page) ([]*tonegrid.PayeeStatement, int, error) {
	where, args := `ps.tenant_id = $1`, []any{p.Tenant.ID}
	if statementUUID != "" {
		s, err := findStatement(ctx, reader{db}, p.Tenant.ID, statementUUID, "")
		if err != nil {
			return nil, 0, err
		}
		where, args = where+` AND ps.statement_id = $2`, append(args, s.ID)
	}
	return listPage(ctx, db, listQuery{what: "payee statements", from: payeeStatementFrom, where: where, args: args,
		columns: payeeStatementColumns, order: "ps.id DESC"}, page, scanPayeeStatement)
}

// FindPayeeStatement reads a payee statement of the caller's tenant with its lines.
func (db *DB) FindPayeeStatement(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.PayeeStatement, error) {
	ps, err := findPayeeStatement(ctx, reader{db}, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	if ps.Lines, err = payeeStatementLines(ctx, reader{db}, ps.ID); err != nil {
		return nil, err
	}
	return ps, nil
}

// ApprovePayeeStatement approves a draft payee statement
// (ErrPayeeStatementNotDraft otherwise) and emits payee_statement.approved.
func (db *DB) ApprovePayeeStatement(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.PayeeStatement, error) {
	return db.movePayeeStatement(ctx, p, uuid, tonegrid.StatementDraft, tonegrid.StatementApproved, tonegrid.ErrPayeeStatementNotDraft)
}

// LockPayeeStatement locks an approved payee statement
// (ErrPayeeStatementNotApproved otherwise); it can still be paid out.
func (db *DB) LockPayeeStatement(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.PayeeStatement, error) {
	return db.movePayeeStatement(ctx, p, uuid, tonegrid.StatementApproved, tonegrid.StatementLocked, tonegrid.ErrPayeeStatementNotApproved)
}

func (db *DB) movePayeeStatement(ctx context.Context, p *tonegrid.Principal, uuid, from, to string, refused error) (*tonegrid.PayeeStatement, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ps, err := findPayeeStatement(ctx, tx, p.Tenant.ID, uuid, db.dialect.forUpdate())
	if err != nil {
		return nil, err
	}
	if ps.Status != from {
		return nil, refused
	}
	stamp := ""
	if to == tonegrid.StatementApproved {
		stamp = "approved_at = $1, "
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payee_statements SET status = $2, `+stamp+`updated_at = $1 WHERE id = $3`, tx.now, to, ps.ID); err != nil {
		return nil, translate(fmt.Errorf("update payee statement: %w", err))
	}
	if ps, err = findPayeeStatement(ctx, tx, p.Tenant.ID, uuid, ""); err != nil {
		return nil, err
	}
	if ps.Lines, err = payeeStatementLines(ctx, tx, ps.ID); err != nil {
		return nil, err
	}
	if to == tonegrid.StatementApproved {
		if err := tx.emit(ctx, p.Tenant.ID, tonegrid.EventPayeeStatementApproved, map[string]string{"uuid": ps.UUID,
			"statement_uuid": ps.StatementUUID, "payee_uuid": ps.PayeeUUID, "amount": ps.Amount, "currency": ps.Currency}); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "payee_statement."+to, "payee_statement", ps.UUID, nil); err != nil {
		return nil, err
	}
	return ps, tx.commit()
}

const payoutColumns = `o.id, o.uuid, ps.uuid, y.uuid, o.amount, o.currency, o.status, o.reference, o.paid_at, o.created_at, o.updated_at`

const payoutFrom = `payouts o JOIN payee_statements ps ON ps.id = o.payee_statement_id JOIN payees y ON y.id = o.payee_id`

func scanPayout(row interface{ Scan(...any) error }) (*tonegrid.Payout, error) {
	var o tonegrid.Payout
	var paid sql.NullTime
	if err := row.Scan(&o.ID, &o.UUID, &o.PayeeStatementUUID, &o.PayeeUUID, &o.Amount, &o.Currency, &o.Status, &o.Reference, &paid,
		&o.CreatedAt, &o.UpdatedAt); err != nil {
		return nil, err
	}
	o.PaidAt = timePtr(paid)
	return &o, nil
}

func findPayout(ctx context.Context, q querier, tenantID int64, uuid, lock string) (*tonegrid.Payout, error) {
	return oneRow(q.QueryRowContext(ctx, `SELECT `+payoutColumns+` FROM `+payoutFrom+` WHERE o.uuid = $1 AND o.tenant_id = $2`+lock, uuid, tenantID), scanPayout, tonegrid.ErrPayoutNotFound, "payout")
}

// ListPayouts lists the tenant's payouts, newest first.
func (db *DB) ListPayouts(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.Payout, int, error) {
	return listPage(ctx, db, listQuery{what: "payouts", from: payoutFrom, where: "o.tenant_id = $1", args: []any{p.Tenant.ID},
		columns: payoutColumns, order: "o.id DESC"}, page, scanPayout)
}

// FindPayout reads a payout of the caller's tenant.
func (db *DB) FindPayout(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Payout, error) {
	return findPayout(ctx, reader{db}, p.Tenant.ID, uuid, "")
}

// CreatePayout requests the payout of an approved (or locked) payee
// statement; one payout per payee statement.
func (db *DB) CreatePayout(ctx context.Context, p *tonegrid.Principal, payeeStatementUUID string) (*tonegrid.Payout, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ps, err := findPayeeStatement(ctx, tx, p.Tenant.ID, payeeStatementUUID, db.dialect.forUpdate())
	if err != nil {
		return nil, err
	}
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payouts WHERE payee_statement_id = $1`, ps.ID).Scan(&exists); err != nil {
		return nil, translate(fmt.Errorf("count payouts: %w", err))
	}
	if exists > 0 {
		return nil, tonegrid.ErrPayoutExists
	}
	if ps.Status != tonegrid.StatementApproved && ps.Status != tonegrid.StatementLocked {
		return nil, tonegrid.ErrPayeeStatementNotApproved
	}
	uuid := newUUID()
	var payeeID int64
	if err := tx.QueryRowContext(ctx, `SELECT payee_id FROM payee_statements WHERE id = $1`, ps.ID).Scan(&payeeID); err != nil {
		return nil, translate(fmt.Errorf("read payee statement: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO payouts (uuid, tenant_id, payee_statement_id, payee_id, amount, currency, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, uuid, p.Tenant.ID, ps.ID, payeeID, ps.Amount, ps.Currency, tx.now); err != nil {
		if isUniqueViolation(err) {
			return nil, tonegrid.ErrPayoutExists
		}
		return nil, translate(fmt.Errorf("insert payout: %w", err))
	}
	o, err := findPayout(ctx, tx, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "payout.requested", "payout", uuid, map[string]string{"amount": o.Amount, "currency": o.Currency}); err != nil {
		return nil, err
	}
	return o, tx.commit()
}

// MarkPayoutPaid records that a payout was paid (audit-logged, emits
// payout.paid); its payee statement becomes paid, and the statement too once
// all its payee statements are. Marking a paid payout again changes nothing.
func (db *DB) MarkPayoutPaid(ctx context.Context, p *tonegrid.Principal, uuid, reference string) (*tonegrid.Payout, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	o, err := findPayout(ctx, tx, p.Tenant.ID, uuid, db.dialect.forUpdate())
	if err != nil {
		return nil, err
	}
	if o.Status == tonegrid.PayoutPaid {
		return o, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payouts SET status = 'paid', reference = $1, paid_at = $2, updated_at = $2 WHERE id = $3`, reference, tx.now, o.ID); err != nil {
		return nil, translate(fmt.Errorf("mark payout paid: %w", err))
	}
	var psID, statementID int64
	if err := tx.QueryRowContext(ctx, `SELECT ps.id, ps.statement_id FROM payouts o JOIN payee_statements ps ON ps.id = o.payee_statement_id WHERE o.id = $1`, o.ID).
		Scan(&psID, &statementID); err != nil {
		return nil, translate(fmt.Errorf("read payee statement: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payee_statements SET status = 'paid', updated_at = $1 WHERE id = $2`, tx.now, psID); err != nil {
		return nil, translate(fmt.Errorf("mark payee statement paid: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE statements SET status = 'paid', updated_at = $1 WHERE id = $2 AND status IN ('approved', 'locked')
		AND NOT EXISTS (SELECT 1 FROM payee_statements WHERE statement_id = $2 AND status <> 'paid')`, tx.now, statementID); err != nil {
		return nil, translate(fmt.Errorf("mark statement paid: %w", err))
	}
	if o, err = findPayout(ctx, tx, p.Tenant.ID, uuid, ""); err != nil {
		return nil, err
	}
	if err := tx.emit(ctx, p.Tenant.ID, tonegrid.EventPayoutPaid, map[string]string{"uuid": o.UUID, "payee_uuid": o.PayeeUUID,
		"amount": o.Amount, "currency": o.Currency}); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "payout.paid", "payout", o.UUID, map[string]string{"amount": o.Amount, "currency": o.Currency, "reference": reference}); err != nil {
		return nil, err
	}
	return o, tx.commit()
}

// StatementExportData is everything a statement export shows.
type StatementExportData struct {
	TenantName      string
	Period          *tonegrid.Period
	Statement       *tonegrid.Statement
	PayeeStatements []*tonegrid.PayeeStatement
}

// StatementExport reads a statement of the caller's tenant with its lines,
// its period and every payee statement with lines, in one snapshot.
func (db *DB) StatementExport(ctx context.Context, p *tonegrid.Principal, uuid string) (*StatementExportData, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	s, err := findStatement(ctx, tx, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	if s.Lines, err = statementLines(ctx, tx, s.ID); err != nil {
		return nil, err
	}
	period, err := findPeriod(ctx, tx, p.Tenant.ID, s.PeriodUUID)
	if err != nil {
		return nil, err
	}
	out := &StatementExportData{TenantName: p.Tenant.Name, Period: period, Statement: s}
	rows, err := tx.QueryContext(ctx, `SELECT `+payeeStatementColumns+` FROM `+payeeStatementFrom+` WHERE ps.statement_id = $1 ORDER BY y.name, ps.id`, s.ID)
	if err != nil {
		return nil, translate(fmt.Errorf("list payee statements: %w", err))
	}
	for rows.Next() {
		ps, err := scanPayeeStatement(rows)
		if err != nil {
			rows.Close()
			return nil, translate(fmt.Errorf("scan payee statement: %w", err))
		}
		out.PayeeStatements = append(out.PayeeStatements, ps)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	for _, ps := range out.PayeeStatements {
		if ps.Lines, err = payeeStatementLines(ctx, tx, ps.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Analytics sums the matched lines of the tenant's completed imports whose
// periods overlap f.From…f.To, grouped by release, territory or DSP and
// currency; revenue is summed exactly. Rows are ordered by revenue, largest
// first.
func (db *DB) Analytics(ctx context.Context, p *tonegrid.Principal, by string, f tonegrid.AnalyticsFilter) ([]tonegrid.AnalyticsRow, error) {
	var group string
	switch by {
	case tonegrid.ByRelease:
		group = "r.uuid, r.title"
	case tonegrid.ByTerritory:
		group = "m.territory, ''"
	case tonegrid.ByDSP:
		group = "m.dsp, ''"
	default:
		return nil, fmt.Errorf("analytics by %q", by)
	}
	where, args := `i.tenant_id = $1 AND i.status = 'completed'`, []any{p.Tenant.ID}
	if f.From != "" {
		args = append(args, f.From)
		where += ` AND f.ends_on >= $` + strconv.Itoa(len(args))
	}
	if f.To != "" {
		args = append(args, f.To)
		where += ` AND f.starts_on <= $` + strconv.Itoa(len(args))
	}
	if f.ReleaseUUID != "" {
		args = append(args, f.ReleaseUUID)
		where += ` AND r.uuid = $` + strconv.Itoa(len(args))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+group+`, m.currency, m.units, m.amount, m.line_count FROM sales_matched m
		JOIN sales_imports i ON i.id = m.import_id JOIN finance_periods f ON f.id = m.period_id JOIN releases r ON r.id = m.release_id
		WHERE `+where, args...)
	if err != nil {
		return nil, translate(fmt.Errorf("analytics: %w", err))
	}
	defer rows.Close()
	type key struct{ a, b, cur string }
	sums := map[key]*tonegrid.AnalyticsRow{}
	totals := map[key]money.Decimal{}
	for rows.Next() {
		var k key
		var units, lines int64
		var amount money.Decimal
		if err := rows.Scan(&k.a, &k.b, &k.cur, &units, &amount, &lines); err != nil {
			return nil, translate(fmt.Errorf("scan analytics: %w", err))
		}
		r := sums[k]
		if r == nil {
			r = &tonegrid.AnalyticsRow{Currency: k.cur}
			switch by {
			case tonegrid.ByRelease:
				r.ReleaseUUID, r.ReleaseTitle = k.a, k.b
			case tonegrid.ByTerritory:
				r.Territory = k.a
			default:
				r.DSP = k.a
			}
			sums[k] = r
		}
		r.Units += units
		r.Lines += lines
		if totals[k], err = totals[k].Add(amount); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	out := make([]tonegrid.AnalyticsRow, 0, len(sums))
	for k, r := range sums {
		r.Revenue = totals[k].String()
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if c := totals[key{out[i].ReleaseUUID + out[i].Territory + out[i].DSP, out[i].ReleaseTitle, out[i].Currency}].Cmp(
			totals[key{out[j].ReleaseUUID + out[j].Territory + out[j].DSP, out[j].ReleaseTitle, out[j].Currency}]); c != 0 {
			return c > 0
		}
		return out[i].ReleaseUUID+out[i].Territory+out[i].DSP+out[i].Currency < out[j].ReleaseUUID+out[j].Territory+out[j].DSP+out[j].Currency
	})
	return out, nil
}

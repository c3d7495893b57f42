package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"tonegrid"
	"tonegrid/money"
)

const statementColumns = `s.id, s.uuid, f.uuid, s.status, s.currency, s.gross, s.fee, s.net, s.share_percent, s.approved_at, s.locked_at, s.created_at, s.updated_at`

func scanStatement(row interface{ Scan(...any) error }) (*tonegrid.Statement, error) {
	var s tonegrid.Statement
	var approved, locked sql.NullTime
	if err := row.Scan(&s.ID, &s.UUID, &s.PeriodUUID, &s.Status, &s.Currency, &s.Gross, &s.Fee, &s.Net, &s.SharePercent,
		&approved, &locked, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	s.ApprovedAt, s.LockedAt = timePtr(approved), timePtr(locked)
	return &s, nil
}

func findStatement(ctx context.Context, q querier, tenantID int64, uuid, lock string) (*tonegrid.Statement, error) {
	s, err := scanStatement(q.QueryRowContext(ctx, `SELECT `+statementColumns+` FROM statements s JOIN finance_periods f ON f.id = s.period_id
		WHERE s.uuid = $1 AND s.tenant_id = $2`+lock, uuid, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrStatementNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find statement: %w", err))
	}
	return s, nil
}

func statementLines(ctx context.Context, q querier, statementID int64) ([]tonegrid.StatementLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.uuid, r.title, t.uuid, t.title, t.isrc, l.dsp, l.territory, l.units, l.amount
		FROM statement_lines l JOIN releases r ON r.id = l.release_id LEFT JOIN tracks t ON t.id = l.track_id
		WHERE l.statement_id = $1 ORDER BY l.id`, statementID)
	if err != nil {
		return nil, translate(fmt.Errorf("list statement lines: %w", err))
	}
	defer rows.Close()
	out := []tonegrid.StatementLine{}
	for rows.Next() {
		var l tonegrid.StatementLine
		var tu, tt, isrc sql.NullString
		if err := rows.Scan(&l.ReleaseUUID, &l.ReleaseTitle, &tu, &tt, &isrc, &l.DSP, &l.Territory, &l.Units, &l.Amount); err != nil {
			return nil, translate(fmt.Errorf("scan statement line: %w", err))
		}
		l.TrackUUID, l.TrackTitle, l.ISRC = tu.String, tt.String, isrc.String
		out = append(out, l)
	}
	return out, translate(rows.Err())
}

// ListStatements lists the tenant's statements, newest first, without lines.
func (db *DB) ListStatements(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.Statement, int, error) {
	return listPage(ctx, db, listQuery{what: "statements", from: "statements s JOIN finance_periods f ON f.id = s.period_id",
		where: "s.tenant_id = $1", args: []any{p.Tenant.ID}, columns: statementColumns, order: "s.id DESC"}, page, scanStatement)
}

// FindStatement reads a statement of the caller's tenant with its lines.
func (db *DB) FindStatement(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Statement, error) {
	s, err := findStatement(ctx, reader{db}, p.Tenant.ID, uuid, "")
	if err != nil {
		return nil, err
	}
	if s.Lines, err = statementLines(ctx, reader{db}, s.ID); err != nil {
		return nil, err
	}
	return s, nil
}

// lineKey groups matched sums into statement lines.
type lineKey struct {
	releaseID, trackID int64
	dsp, territory     string
}

type lineSum struct {
	units  int64
	amount money.Decimal
}

// currencyWork is the matched revenue of one currency in a period.
type currencyWork struct {
	lines map[lineKey]*lineSum
	// tracks is the exact revenue per track (0 for release-level lines,
	// keyed by release then).
	tracks map[lineKey]money.Decimal
	total  money.Decimal
}

// ComputeStatement (re)computes the caller's draft statements of a period,
// one per currency, from the matched lines of its completed imports that
// belong to the tenant's (and its descendants') tracks, and splits each net
// into payee statements. A statement already approved is never recomputed
// (ErrStatementNotDraft when it is the one asked for). It returns the
// statement of currency, or the first by currency code.
func (db *DB) ComputeStatement(ctx context.Context, p *tonegrid.Principal, periodUUID, currency string) (*tonegrid.Statement, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	period, err := findPeriod(ctx, tx, p.Tenant.ID, periodUUID)
	if err != nil {
		return nil, err
	}
	var path, shareText, tenantName string
	// The tenant's row is locked so that computations of one tenant run one
	// at a time (they share its default payee and the period's statements).
	if err := tx.QueryRowContext(ctx, `SELECT path, CAST(revenue_share_percent AS TEXT), name FROM tenants WHERE id = $1`+db.dialect.forNoKeyUpdate(), p.Tenant.ID).
		Scan(&path, &shareText, &tenantName); err != nil {
		return nil, translate(fmt.Errorf("read tenant: %w", err))
	}
	share, err := money.Parse(canonicalDecimal(shareText))
	if err != nil {
		return nil, fmt.Errorf("tenant revenue share %q: %w", shareText, err)
	}
	work, err := periodRevenue(ctx, tx, period.ID, p.Tenant.ID, path)
	if err != nil {
		return nil, err
	}
	currencies := make([]string, 0, len(work))
	for c := range work {
		currencies = append(currencies, c)
	}
	sort.Strings(currencies)
	if currency == "" {
		if len(currencies) > 0 {
			currency = currencies[0]
		} else {
			currency = "USD"
		}
	}
	if _, ok := work[currency]; !ok {
		// A statement of a currency without sales is a zero statement.
		work[currency] = &currencyWork{lines: map[lineKey]*lineSum{}, tracks: map[lineKey]money.Decimal{}}
		currencies = append(currencies, currency)
	}
	splits, err := tenantTreeSplits(ctx, tx, path)
	if err != nil {
		return nil, err
	}
	var wanted string
	for _, c := range currencies {
		uuid, err := tx.computeCurrency(ctx, p, period.ID, c, share, work[c], splits, tenantName, c == currency)
		if err != nil {
			return nil, err
		}
		if c == currency {
			wanted = uuid
		}
	}
	s, err := findStatement(ctx, tx, p.Tenant.ID, wanted, "")
	if err != nil {
		return nil, err
	}
	if s.Lines, err = statementLines(ctx, tx, s.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "statement.computed", "statement", s.UUID, map[string]string{"period": period.Code, "currency": currency}); err != nil {
		return nil, err
	}
	return s, tx.commit()
}

// periodRevenue sums the matched lines of a period per currency.
func periodRevenue(ctx context.Context, q querier, periodID, tenantID int64, path string) (map[string]*currencyWork, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.release_id, m.track_id, m.dsp, m.territory, m.currency, m.units, m.amount
		FROM sales_matched m JOIN sales_imports i ON i.id = m.import_id JOIN tenants te ON te.id = m.owner_tenant_id
		WHERE m.period_id = $1 AND i.tenant_id = $2 AND i.status = 'completed' AND te.path LIKE $3 ESCAPE '\'`,
		periodID, tenantID, likePrefix(path))
	if err != nil {
		return nil, translate(fmt.Errorf("read matched lines: %w", err))
	}
	defer rows.Close()
	work := map[string]*currencyWork{}
	for rows.Next() {
		var k lineKey
		var track sql.NullInt64
		var cur string
		var units int64
		var amount money.Decimal
		if err := rows.Scan(&k.releaseID, &track, &k.dsp, &k.territory, &cur, &units, &amount); err != nil {
			return nil, translate(fmt.Errorf("scan matched line: %w", err))
		}
		k.trackID = track.Int64
		w := work[cur]
		if w == nil {
			w = &currencyWork{lines: map[lineKey]*lineSum{}, tracks: map[lineKey]money.Decimal{}}
			work[cur] = w
		}
		ls := w.lines[k]
		if ls == nil {
			ls = &lineSum{}
			w.lines[k] = ls
		}
		ls.units += units
		if ls.amount, err = ls.amount.Add(amount); err != nil {
			return nil, err
		}
		tk := lineKey{releaseID: k.releaseID, trackID: k.trackID}
		if w.tracks[tk], err = w.tracks[tk].Add(amount); err != nil {
			return nil, err
		}
		if w.total, err = w.total.Add(amount); err != nil {
			return nil, err
		}
	}
	return work, translate(rows.Err())
}

// split is one payee's percentage of a track.
type split struct {
	payeeID int64
	pct     money.Decimal
}

// tenantTreeSplits reads the splits of every track of the tenant tree.
func tenantTreeSplits(ctx context.Context, q querier, path string) (map[int64][]split, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.track_id, s.payee_id, CAST(s.percentage AS TEXT) FROM splits s JOIN tenants te ON te.id = s.tenant_id
		WHERE te.path LIKE $1 ESCAPE '\' ORDER BY s.track_id, s.position`, likePrefix(path))
	if err != nil {
		return nil, translate(fmt.Errorf("read splits: %w", err))
	}
	defer rows.Close()
	out := map[int64][]split{}
	for rows.Next() {
		var trackID int64
		var s split
		var pct string
		if err := rows.Scan(&trackID, &s.payeeID, &pct); err != nil {
			return nil, translate(fmt.Errorf("scan split: %w", err))
		}
		if s.pct, err = money.Parse(canonicalDecimal(pct)); err != nil {
			return nil, fmt.Errorf("split percentage %q: %w", pct, err)
		}
		out[trackID] = append(out[trackID], s)
	}
	return out, translate(rows.Err())
}

// defaultPayee returns the tenant's default payee, creating it (named after
// the tenant) the first time.
func (tx *Tx) defaultPayee(ctx context.Context, tenantID int64, tenantName, currency string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT payee_id FROM finance_default_payees WHERE tenant_id = $1`, tenantID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, translate(fmt.Errorf("read default payee: %w", err))
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO payees (uuid, tenant_id, name, email, currency, created_at, updated_at)
		VALUES ($1, $2, $3, '', $4, $5, $5) RETURNING id`, newUUID(), tenantID, tenantName, currency, tx.now).Scan(&id); err != nil {
		return 0, translate(fmt.Errorf("create default payee: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO finance_default_payees (tenant_id, payee_id) VALUES ($1, $2)`, tenantID, id); err != nil {
		return 0, translate(fmt.Errorf("link default payee: %w", err))
	}
	return id, nil
}

var (
	one        = money.New(1, 0)
	hundredth  = money.New(1, 2)
	zeroAmount = money.New(0, 0)
)

// payeeShare is one payee's part of a track's exact revenue.
type payeeShare struct {
	PayeeID            int64
	ReleaseID, TrackID int64
	Percentage         money.Decimal
	Gross, Share       money.Decimal
}

// splitNet divides net (already rounded to places) between payees: each
// track's exact revenue is shared by its splits (tracks without splits,
// and release-level revenue, go to defaultPayee), the payees' totals are the
// weights, and largest-remainder allocation makes the parts add up to
// exactly net. Negative weights (returns exceeding sales) count as zero;
// when no weight is left, defaultPayee gets everything. It returns the
// payees in ascending id order with their amounts, and the shares per track.
func splitNet(net money.Decimal, places int, tracks map[[2]int64]money.Decimal, splits map[int64][]split, defaultPayee int64) ([]int64, []money.Decimal, []payeeShare, error) {
	weights := map[int64]money.Decimal{}
	var shares []payeeShare
	keys := make([][2]int64, 0, len(tracks))
	for k := range tracks {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		amount := tracks[k]
		ss := splits[k[1]]
		if k[1] == 0 || len(ss) == 0 {
			ss = []split{{payeeID: defaultPayee, pct: hundred}}
		}
		for _, s := range ss {
			part, err := amount.Mul(s.pct)
			if err != nil {
				return nil, nil, nil, err
			}
			if part, err = part.Mul(hundredth); err != nil {
				return nil, nil, nil, err
			}
			if weights[s.payeeID], err = weights[s.payeeID].Add(part); err != nil {
				return nil, nil, nil, err
			}
			shares = append(shares, payeeShare{PayeeID: s.payeeID, ReleaseID: k[0], TrackID: k[1], Percentage: s.pct, Gross: amount, Share: part})
		}
	}
	payees := make([]int64, 0, len(weights))
	for id := range weights {
		payees = append(payees, id)
	}
	sort.Slice(payees, func(i, j int) bool { return payees[i] < payees[j] })
	ws := make([]money.Decimal, len(payees))
	positive := false
	for i, id := range payees {
		if w := weights[id]; w.Sign() > 0 {
			ws[i], positive = w, true
		} else {
			ws[i] = zeroAmount
		}
	}
	if !positive {
		payees, ws = []int64{defaultPayee}, []money.Decimal{one}
	}
	parts, err := money.Allocate(net, ws, places)
	if err != nil {
		return nil, nil, nil, err
	}
	return payees, parts, shares, nil
}

// computeCurrency writes one currency's statement of a period, replacing a
// draft's lines and payee statements. It returns the statement's uuid.
func (tx *Tx) computeCurrency(ctx context.Context, p *tonegrid.Principal, periodID int64, currency string, share money.Decimal,
	w *currencyWork, splits map[int64][]split, tenantName string, asked bool) (string, error) {
	tenantID := p.Tenant.ID
	var id int64
	var uuid, status string
	err := tx.QueryRowContext(ctx, `SELECT id, uuid, status FROM statements WHERE tenant_id = $1 AND period_id = $2 AND currency = $3`+tx.db.dialect.forUpdate(),
		tenantID, periodID, currency).Scan(&id, &uuid, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", translate(fmt.Errorf("read statement: %w", err))
	default:
		var busy int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payee_statements WHERE statement_id = $1 AND status <> 'draft'`, id).Scan(&busy); err != nil {
			return "", translate(fmt.Errorf("count payee statements: %w", err))
		}
		if status != tonegrid.StatementDraft || busy > 0 {
			if asked {
				return "", tonegrid.ErrStatementNotDraft
			}
			return uuid, nil
		}
	}
	places, ok := money.MinorUnits(currency)
	if !ok {
		return "", fmt.Errorf("currency %q: %w", currency, money.ErrUnknownCurrency)
	}
	gross := money.RoundHalfEven(w.total, places)
	kept := money.RoundHalfEven(share, money.PercentageScale)
	feePct, err := hundred.Sub(kept)
	if err != nil {
		return "", err
	}
	fee := money.RoundHalfEven(zeroAmount, places)
	if !gross.IsZero() {
		if fee, err = money.Prorate(gross, feePct, hundred, places); err != nil {
			return "", err
		}
	}
	net, err := gross.Sub(fee)
	if err != nil {
		return "", err
	}
	if uuid == "" {
		uuid = newUUID()
		if err := tx.QueryRowContext(ctx, `INSERT INTO statements (uuid, tenant_id, period_id, currency, gross, fee, net, share_percent, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`, uuid, tenantID, periodID, currency, gross.String(), fee.String(), net.String(),
			kept.String(), tx.now).Scan(&id); err != nil {
			return "", translate(fmt.Errorf("insert statement: %w", err))
		}
	} else {
		if _, err := tx.ExecContext(ctx, `UPDATE statements SET gross = $1, fee = $2, net = $3, share_percent = $4, updated_at = $5 WHERE id = $6`,
			gross.String(), fee.String(), net.String(), kept.String(), tx.now, id); err != nil {
			return "", translate(fmt.Errorf("update statement: %w", err))
		}
		for _, q := range []string{`DELETE FROM statement_lines WHERE statement_id = $1`, `DELETE FROM payee_statements WHERE statement_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return "", translate(fmt.Errorf("clear statement: %w", err))
			}
		}
	}
	keys := make([]lineKey, 0, len(w.lines))
	for k := range w.lines {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.releaseID != b.releaseID {
			return a.releaseID < b.releaseID
		}
		if a.trackID != b.trackID {
			return a.trackID < b.trackID
		}
		if a.dsp != b.dsp {
			return a.dsp < b.dsp
		}
		return a.territory < b.territory
	})
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*7)
		sb.WriteString(`INSERT INTO statement_lines (statement_id, release_id, track_id, dsp, territory, units, amount) VALUES `)
		for i, k := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			n := len(args)
			tx.db.dialect.rowPlaceholders(&sb, 7, n)
			var track any
			if k.trackID != 0 {
				track = k.trackID
			}
			ls := w.lines[k]
			args = append(args, id, k.releaseID, track, k.dsp, k.territory, ls.units, ls.amount.String())
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return "", translate(fmt.Errorf("insert statement lines: %w", err))
		}
	}
	def, err := tx.defaultPayee(ctx, tenantID, tenantName, currency)
	if err != nil {
		return "", err
	}
	tracks := make(map[[2]int64]money.Decimal, len(w.tracks))
	for k, v := range w.tracks {
		tracks[[2]int64{k.releaseID, k.trackID}] = v
	}
	payees, parts, shares, err := splitNet(net, places, tracks, splits, def)
	if err != nil {
		return "", err
	}
	psIDs := map[int64]int64{}
	for i, payee := range payees {
		var psID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO payee_statements (uuid, tenant_id, statement_id, payee_id, currency, amount, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, newUUID(), tenantID, id, payee, currency, parts[i].String(), tx.now).Scan(&psID); err != nil {
			return "", translate(fmt.Errorf("insert payee statement: %w", err))
		}
		psIDs[payee] = psID
	}
	for _, s := range shares {
		psID, ok := psIDs[s.PayeeID]
		if !ok {
			continue
		}
		var track any
		if s.TrackID != 0 {
			track = s.TrackID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payee_statement_lines (payee_statement_id, release_id, track_id, percentage, gross, share)
			VALUES ($1, $2, $3, $4, $5, $6)`, psID, s.ReleaseID, track, s.Percentage.String(), s.Gross.String(), s.Share.String()); err != nil {
			return "", translate(fmt.Errorf("insert payee statement line: %w", err))
		}
	}
	return uuid, nil
}

// ApproveStatement approves a draft statement (ErrStatementNotDraft
// otherwise) and emits statement.approved.
func (db *DB) ApproveStatement(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Statement, error) {
	return db.moveStatement(ctx, p, uuid, tonegrid.StatementDraft, tonegrid.StatementApproved, "approved_at", tonegrid.ErrStatementNotDraft)
}

// LockStatement locks an approved statement (ErrStatementNotApproved
// otherwise).
func (db *DB) LockStatement(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.Statement, error) {
	return db.moveStatement(ctx, p, uuid, tonegrid.StatementApproved, tonegrid.StatementLocked, "locked_at", tonegrid.ErrStatementNotApproved)
}

func (db *DB) moveStatement(ctx context.Context, p *tonegrid.Principal, uuid, from, to, stamp string, refused error) (*tonegrid.Statement, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	s, err := findStatement(ctx, tx, p.Tenant.ID, uuid, db.dialect.forUpdate())
	if err != nil {
		return nil, err
	}
	if s.Status != from {
		return nil, refused
	}
	if _, err := tx.ExecContext(ctx, `UPDATE statements SET status = $1, `+stamp+` = $2, updated_at = $2 WHERE id = $3`, to, tx.now, s.ID); err != nil {
		return nil, translate(fmt.Errorf("update statement: %w", err))
	}
	if s, err = findStatement(ctx, tx, p.Tenant.ID, uuid, ""); err != nil {
		return nil, err
	}
	if s.Lines, err = statementLines(ctx, tx, s.ID); err != nil {
		return nil, err
	}
	if to == tonegrid.StatementApproved {
		if err := tx.emit(ctx, p.Tenant.ID, tonegrid.EventStatementApproved, map[string]string{"uuid": s.UUID, "period_uuid": s.PeriodUUID,
			"currency": s.Currency, "net": s.Net}); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "statement."+to, "statement", s.UUID, nil); err != nil {
		return nil, err
	}
	return s, tx.commit()
}

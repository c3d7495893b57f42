package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tonegrid"
)

// listQuery is one paginated list of a tenant's objects.
type listQuery struct {
	// what names the objects in error messages ("artists").
	what string
	// from is the table with its alias ("artists a"), joins included.
	from string
	// where filters the rows, with args for its placeholders ($1…).
	where string
	args  []any
	// columns and order are the SELECT list and the ORDER BY clause.
	columns, order string
}

// listPage counts the rows q matches and reads one page of them with scan.
func listPage[T any](ctx context.Context, db *DB, q listQuery, page tonegrid.Page, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, int, error) {
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+q.from+` WHERE `+q.where, q.args...).Scan(&total); err != nil {
		return nil, 0, translate(fmt.Errorf("count %s: %w", q.what, err))
	}
	args := append(append([]any(nil), q.args...), page.PerPage, page.Offset())
	rows, err := db.query(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`,
		q.columns, q.from, q.where, q.order, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, translate(fmt.Errorf("list %s: %w", q.what, err))
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, translate(fmt.Errorf("scan %s: %w", q.what, err))
		}
		out = append(out, v)
	}
	return out, total, translate(rows.Err())
}

// oneRow scans the one row a lookup by key answered with scan: notFound
// when there is none, other errors translated and named after what.
func oneRow[T any](row interface{ Scan(...any) error }, scan func(interface{ Scan(...any) error }) (T, error), notFound error, what string) (T, error) {
	var zero T
	v, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return zero, notFound
	}
	if err != nil {
		return zero, translate(fmt.Errorf("find %s: %w", what, err))
	}
	return v, nil
}

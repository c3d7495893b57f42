package sqlstore

// Dialect names one of the two SQL databases ToneGrid runs on.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// String implements fmt.Stringer.
func (d Dialect) String() string { return string(d) }

// ilike returns the case-insensitive LIKE operator: SQLite's LIKE already
// ignores ASCII case, PostgreSQL needs ILIKE.
func (d Dialect) ilike() string {
	if d == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// forUpdate returns the row-locking suffix of a SELECT that will be updated
// in the same transaction. SQLite has one writer, whose immediate
// transactions already exclude every other writer.
func (d Dialect) forUpdate() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// skipLocked returns the suffix that lets concurrent workers claim different
// rows.
func (d Dialect) skipLocked() string {
	if d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// forNoKeyUpdate returns the suffix that serializes transactions on a row
// without blocking inserts that reference it (PostgreSQL's FOR UPDATE
// would conflict with the key-share locks foreign keys take, and deadlock
// writers that inserted a referencing row first).
func (d Dialect) forNoKeyUpdate() string {
	if d == Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"tonegrid"
)

// translate turns the errors a caller can act on into catalogue errors: a
// database that cannot be reached becomes ErrUnavailable. Other errors pass
// through unchanged (and end as a logged 500).
func translate(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := tonegrid.ErrorOf(err); ok {
		return err
	}
	if isUnavailable(err) {
		return errors.Join(tonegrid.ErrUnavailable, err)
	}
	return err
}

// isUnavailable reports whether err says the database cannot be reached, as
// opposed to a query that failed.
func isUnavailable(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01..03: admin shutdown, crash
		// shutdown, cannot connect now.
		return len(pgErr.Code) == 5 && (pgErr.Code[:2] == "08" || pgErr.Code[:3] == "57P")
	}
	var netErr net.Error
	if errors.As(err, &netErr) && !errors.Is(err, context.Canceled) {
		return true
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() & 0xff {
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return true
		}
	}
	return false
}

// isUniqueViolation reports whether err is a unique-constraint violation,
// judged by the driver's error code.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Package sqlstore implements ToneGrid's services on database/sql, for SQLite
// (modernc.org/sqlite, embedded, the default) and PostgreSQL (pgx). The SQL is
// written once wherever the two dialects agree; the few places they differ sit
// behind the named helpers of dialect.go. Migrations are embedded per dialect.
//
// sqlstore imports the domain package and drivers; it never imports httpapi.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"tonegrid/secret"
)

// DB is a handle on the ToneGrid database. On SQLite it holds one writer
// connection beside a pool of readers; on PostgreSQL both are the same pool.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	jobs    JobInserter

	mailQueue MailQueue
	sealer    *secret.Sealer
	publicURL string
	authHooks []func()
	// ping is "SELECT 1" prepared on the reader pool: health checks run
	// often enough that parsing it each time shows.
	ping *sql.Stmt
	// readStmts caches statements prepared on the reader pool, by query.
	readStmts sync.Map

	// Now returns the current time; tests replace it. Every transaction reads
	// it once.
	Now func() time.Time
}

// JobInserter inserts background jobs inside the caller's transaction, so a
// job exists exactly when the change that caused it committed.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args JobArgs) error
}

// JobArgs are the typed arguments of one background job; Kind names the
// worker that does it.
type JobArgs = interface{ Kind() string }

// Options tune Open.
type Options struct {
	// MaxOpenConns bounds the PostgreSQL pool and the SQLite reader pool.
	// Zero means a default suited to a small server.
	MaxOpenConns int
}

// Open connects to the database named by url: "sqlite:///path/file.db" (or a
// plain file path) or "postgres://…". It does not migrate.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 16
	}
	db := &DB{Now: time.Now}
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		pool, err := sql.Open("pgx", withUTC(rawURL))
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		pool.SetMaxOpenConns(opts.MaxOpenConns)
		pool.SetMaxIdleConns(opts.MaxOpenConns)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.dialect, db.write, db.read = Postgres, pool, pool
	default:
		path, err := sqlitePath(rawURL)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
		write, err := sql.Open("sqlite", sqliteDSN(path, false))
		if err != nil {
			return nil, fmt.Errorf("open sqlite writer: %w", err)
		}
		write.SetMaxOpenConns(1)
		write.SetMaxIdleConns(1)
		write.SetConnMaxIdleTime(0)
		read, err := sql.Open("sqlite", sqliteDSN(path, true))
		if err != nil {
			write.Close()
			return nil, fmt.Errorf("open sqlite readers: %w", err)
		}
		read.SetMaxOpenConns(opts.MaxOpenConns)
		read.SetMaxIdleConns(opts.MaxOpenConns)
		db.dialect, db.write, db.read = SQLite, write, read
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.write.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.dialect, err)
	}
	var err error
	if db.ping, err = db.read.PrepareContext(pctx, "SELECT 1"); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare ping: %w", err)
	}
	return db, nil
}

// withUTC makes PostgreSQL sessions report times in UTC unless the URL says
// otherwise.
func withUTC(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	if q.Get("timezone") == "" {
		q.Set("timezone", "UTC")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// sqlitePath turns "sqlite:///abs/file.db", "sqlite://rel/file.db" or a bare
// path into a file path.
func sqlitePath(rawURL string) (string, error) {
	if !strings.Contains(rawURL, "://") {
		return rawURL, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "sqlite" {
		return "", fmt.Errorf("database url %q: want sqlite:///path/file.db or postgres://…", rawURL)
	}
	path := u.Host + u.Path
	if path == "" {
		return "", fmt.Errorf("database url %q has no file path", rawURL)
	}
	return path, nil
}

// sqliteDSN returns the modernc DSN for path: WAL, a busy timeout, foreign
// keys, and immediate write transactions (so a writer never has to upgrade a
// read lock and fail with SQLITE_BUSY).
func sqliteDSN(path string, readOnly bool) string {
	q := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	if readOnly {
		q += "&_pragma=query_only(1)"
	} else {
		q += "&_txlock=immediate"
	}
	return "file:" + path + "?" + q
}

// Dialect reports which database the handle talks to.
func (db *DB) Dialect() Dialect { return db.dialect }

// SetJobInserter wires the background job queue into the store.
func (db *DB) SetJobInserter(j JobInserter) { db.jobs = j }

// WriteDB returns the pool write transactions use: the job queue shares it
// so that jobs can be inserted in the store's transactions.
func (db *DB) WriteDB() *sql.DB { return db.write }

// Close closes every connection.
func (db *DB) Close() error {
	var errs []error
	if db.ping != nil {
		errs = append(errs, db.ping.Close())
	}
	db.readStmts.Range(func(_, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		return true
	})
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers, on the reader pool so that health
// checks never queue behind SQLite's single writer. A PostgreSQL ping gives
// up after two seconds; an SQLite one is a local call that cannot hang on
// the network, so it runs without a deadline (which spares the driver a
// watcher goroutine per call).
func (db *DB) Ping(ctx context.Context) error {
	if db.dialect == SQLite {
		ctx = context.WithoutCancel(ctx)
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
	}
	if _, err := db.ping.ExecContext(ctx); err != nil {
		return translate(fmt.Errorf("ping: %w", err))
	}
	return nil
}

// queryRow runs a read query on the reader pool through a statement
// prepared once per query text (per connection, by database/sql): the hot
// reads of every request (authentication, lookups by uuid) skip SQLite's
// parser after their first run.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	stmt, err := db.readStmt(ctx, query)
	if err != nil {
		// A failed prepare (database down, bad SQL) reports through the
		// same path as a failed query.
		return db.read.QueryRowContext(ctx, query, args...)
	}
	return stmt.QueryRowContext(ctx, args...)
}

// shortRead returns the context for a one-row indexed lookup on a hot
// path. On SQLite such a read is a local call that cannot hang, so it runs
// without ctx's cancellation, which spares the driver a watcher goroutine
// per call (as Ping does); PostgreSQL keeps ctx.
func (db *DB) shortRead(ctx context.Context) context.Context {
	if db.dialect == SQLite {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// query is queryRow for several rows.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	stmt, err := db.readStmt(ctx, query)
	if err != nil {
		return db.read.QueryContext(ctx, query, args...)
	}
	return stmt.QueryContext(ctx, args...)
}

// reader is the reader pool as a querier, through the statement cache.
type reader struct{ db *DB }

func (r reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.db.query(ctx, query, args...)
}

func (r reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return r.db.queryRow(ctx, query, args...)
}

func (r reader) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, errors.New("sqlstore: write through the reader pool")
}

func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := db.readStmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	stmt, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := db.readStmts.LoadOrStore(query, stmt); loaded {
		stmt.Close()
		return v.(*sql.Stmt), nil
	}
	return stmt, nil
}

// Tx is a transaction with the time it started, which every row it writes
// uses as "now".
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	// authChanged says the transaction changed what authentication
	// depends on; its commit runs the OnAuthChange hooks.
	authChanged bool
}

// OnAuthChange registers f to run after any commit that changes what
// authentication depends on: a user's status, role or token version, a
// deletion, an API key's revocation or expiry, a tenant's status. Caches of
// authentication state drop what they hold.
func (db *DB) OnAuthChange(f func()) { db.authHooks = append(db.authHooks, f) }

// beginWrite starts a read-write transaction.
func (db *DB) beginWrite(ctx context.Context) (*Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(fmt.Errorf("begin: %w", err))
	}
	return &Tx{Tx: tx, db: db, now: db.now()}, nil
}

// beginRead starts a read-only transaction on the reader pool, giving one
// consistent snapshot to a read that runs several queries.
func (db *DB) beginRead(ctx context.Context) (*Tx, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.dialect == Postgres})
	if err != nil {
		return nil, translate(fmt.Errorf("begin read: %w", err))
	}
	return &Tx{Tx: tx, db: db, now: db.now()}, nil
}

// now is the current time, in UTC, at the precision both databases keep.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// enqueue inserts a background job in tx.
func (tx *Tx) enqueue(ctx context.Context, args JobArgs) error {
	if tx.db.jobs == nil {
		return fmt.Errorf("enqueue %s: no job queue configured", args.Kind())
	}
	if err := tx.db.jobs.InsertTx(ctx, tx.Tx, args); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// commit commits tx, translating errors.
func (tx *Tx) commit() error {
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err))
	}
	if tx.authChanged {
		for _, f := range tx.db.authHooks {
			f()
		}
	}
	return nil
}

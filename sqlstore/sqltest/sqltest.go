// Package sqltest gives each test its own migrated and seeded database, on
// SQLite and, when TONEGRID_TEST_POSTGRES_URL is set, on PostgreSQL, so that
// one suite runs unchanged on both dialects.
//
// SQLite databases are copies of a template file migrated once per test
// binary; PostgreSQL databases are schemas of their own, dropped when the
// test ends. Under CI=true a missing or unreachable PostgreSQL fails the
// test instead of skipping it.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tonegrid/jobs"
	"tonegrid/sqlstore"
)

// PostgresURLEnv names the variable holding the PostgreSQL server tests use.
const PostgresURLEnv = "TONEGRID_TEST_POSTGRES_URL"

// Dialects returns the dialects this run tests: SQLite always, PostgreSQL
// when configured. Under CI=true a missing PostgreSQL URL fails t.
func Dialects(t testing.TB) []sqlstore.Dialect {
	t.Helper()
	if os.Getenv(PostgresURLEnv) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not set: PostgreSQL tests cannot run", PostgresURLEnv)
		}
		return []sqlstore.Dialect{sqlstore.SQLite}
	}
	return []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres}
}

// Each runs fn once per dialect, as parallel subtests named after it, each
// with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, d))
		})
	}
}

// Open returns a migrated, seeded database of dialect that only this test
// uses; it is closed and removed when the test ends. Its job inserter is a
// River client without workers: jobs are stored, not run.
func Open(t testing.TB, dialect sqlstore.Dialect) *sqlstore.DB {
	t.Helper()
	url := URL(t, dialect)
	db, err := sqlstore.Open(context.Background(), url, sqlstore.Options{MaxOpenConns: 8})
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	q, err := jobs.New(db.WriteDB(), string(dialect), jobs.Options{InsertOnly: true})
	if err != nil {
		t.Fatalf("job queue: %v", err)
	}
	db.SetJobInserter(q)
	return db
}

// URL returns the URL of a new migrated, seeded database of dialect that only
// this test uses, removed when the test ends. Use it to open the database in
// another process, or with options of your own.
func URL(t testing.TB, dialect sqlstore.Dialect) string {
	t.Helper()
	switch dialect {
	case sqlstore.SQLite:
		return sqliteCopy(t)
	case sqlstore.Postgres:
		return postgresSchema(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

// prepare migrates and seeds the database at url.
func prepare(ctx context.Context, url string) error {
	db, err := sqlstore.Open(ctx, url, sqlstore.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, db.WriteDB(), string(db.Dialect())); err != nil {
		return err
	}
	return db.Seed(ctx)
}

var sqliteTemplate struct {
	once sync.Once
	path string
	err  error
}

// sqliteCopy copies the per-process template database into the test's temp
// directory.
func sqliteCopy(t testing.TB) string {
	t.Helper()
	sqliteTemplate.once.Do(func() {
		dir, err := os.MkdirTemp("", "tonegrid-sqltest-")
		if err != nil {
			sqliteTemplate.err = err
			return
		}
		path := filepath.Join(dir, "template.db")
		sqliteTemplate.path, sqliteTemplate.err = path, prepare(context.Background(), path)
	})
	if sqliteTemplate.err != nil {
		t.Fatalf("sqlite template: %v", sqliteTemplate.err)
	}
	dst := filepath.Join(t.TempDir(), "tonegrid.db")
	if err := copyFile(sqliteTemplate.path, dst); err != nil {
		t.Fatalf("copy sqlite template: %v", err)
	}
	return "sqlite://" + dst
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

var pgAdmin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// postgresSchema creates a schema of its own for the test, migrates and seeds
// it, and returns a URL whose search_path points at it.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not set", PostgresURLEnv)
		}
		t.Skipf("%s not set", PostgresURLEnv)
	}
	pgAdmin.once.Do(func() {
		pgAdmin.db, pgAdmin.err = sql.Open("pgx", base)
		if pgAdmin.err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			pgAdmin.err = pgAdmin.db.PingContext(ctx)
		}
	})
	if pgAdmin.err != nil {
		t.Fatalf("postgres at %s: %v", base, pgAdmin.err)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "tgtest_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := pgAdmin.db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := pgAdmin.db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	if err := prepare(ctx, u.String()); err != nil {
		t.Fatalf("prepare schema %s: %v", schema, err)
	}
	return u.String()
}

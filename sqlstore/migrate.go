package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// migrations holds one folder of goose SQL files per dialect. Files are
// numbered by the issue that introduced them (00200 foundation, 00300
// identity, …) so that parallel work never collides on a version.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrate applies every pending migration of the store's dialect.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return translate(fmt.Errorf("migrate: %w", err))
	}
	return nil
}

// MigrationStatus lists each migration version with whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, translate(fmt.Errorf("migration status: %w", err))
	}
	out := make([]MigrationState, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationState{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Version int64
	Name    string
	Applied bool
}

func (db *DB) migrator() (*goose.Provider, error) {
	dir, gooseDialect := "migrations/sqlite", goose.DialectSQLite3
	if db.dialect == Postgres {
		dir, gooseDialect = "migrations/postgres", goose.DialectPostgres
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations %s: %w", dir, err)
	}
	p, err := goose.NewProvider(gooseDialect, db.write, fsys)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

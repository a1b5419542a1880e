// Package sqlite is Kith's embedded store: SQLite in WAL mode with one
// writer connection and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/mattn/go-sqlite3"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/internal/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a kith.Store on a SQLite file.
type Store struct {
	write *sql.DB // one connection: SQLite has one writer
	read  *sql.DB
}

var _ kith.Store = (*Store)(nil)

// Open opens (creating it when missing) the database at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	params := url.Values{
		"_busy_timeout": {"5000"},
		"_foreign_keys": {"on"},
		"_synchronous":  {"NORMAL"},
		// Prepared statements are kept per connection: parsing SQL was a
		// tenth of an assert's time.
		"_stmt_cache_size": {"128"},
	}
	// WAL is set by the writer, and stays set in the file. A reader that
	// set it too would take a lock that a busy writer keeps taken, and
	// wait up to the busy timeout when it opens.
	writeParams := url.Values{"_txlock": {"immediate"}, "_journal_mode": {"WAL"}}
	for k, v := range params {
		writeParams[k] = v
	}
	write, err := sql.Open("sqlite3", "file:"+path+"?"+writeParams.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite3", "file:"+path+"?"+params.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	s := &Store{write: write, read: read}
	if err := migrate.Up(ctx, migrator{write}, migrations, "migrations"); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

// Read runs fn in a read transaction: one consistent snapshot.
func (s *Store) Read(ctx context.Context, ws string, fn func(kith.Tx) error) error {
	return s.inTx(ctx, s.read, ws, fn)
}

// Write runs fn in an immediate transaction on the writer connection.
func (s *Store) Write(ctx context.Context, wc kith.WriteContext, fn func(kith.Tx) error) error {
	return s.inTx(ctx, s.write, wc.WorkspaceID, fn)
}

func (s *Store) inTx(ctx context.Context, db *sql.DB, ws string, fn func(kith.Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return interpretError(err)
	}
	defer sqlTx.Rollback()
	t := &tx{tx: sqlTx, ws: ws}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.storeSeq(ctx); err != nil {
		return err
	}
	return interpretError(sqlTx.Commit())
}

// interpretError translates driver errors into Kith's vocabulary. It is the
// only place that looks at SQLite error codes.
func interpretError(err error) error {
	var se sqlite3.Error
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		return kith.ErrRetry(err)
	case errors.Is(err, sql.ErrNoRows):
		return &kith.Error{Code: kith.ENotFound, Message: "not found", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &kith.Error{Code: kith.EUnavailable, Message: "The request was cancelled or timed out.", Err: err}
	case errors.As(err, &se):
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrCantOpen, sqlite3.ErrIoErr, sqlite3.ErrFull:
			return &kith.Error{Code: kith.EUnavailable, Message: "The database is unavailable.", Err: err}
		}
	}
	return err
}

// isUniqueViolation reports a unique or primary key constraint failure:
// another transaction holds the key.
func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// migrator records applied migrations in schema_migrations.
type migrator struct{ db *sql.DB }

func (m migrator) Applied(ctx context.Context) (map[int]bool, error) {
	if _, err := m.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return nil, err
	}
	rows, err := m.db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

func (m migrator) Apply(ctx context.Context, version int, script string) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, version); err != nil {
		return err
	}
	return tx.Commit()
}

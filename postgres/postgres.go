// Package postgres is Kith's production store: PostgreSQL through a pgx
// connection pool.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/internal/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Bounds on waiting for the database, so that an outage answers 503 within
// seconds instead of holding requests until the client gives up.
const (
	connectTimeout = 5 * time.Second  // a new connection, unless the URL sets connect_timeout
	pingTimeout    = 2 * time.Second  // the liveness check of a connection idle for over a second
	acquireTimeout = 10 * time.Second // waiting for a pooled connection
)

// errAcquireTimeout is the cause of an acquire that ran out of time while
// the caller still waited: the database is too slow or gone.
var errAcquireTimeout = errors.New("postgres: timed out waiting for a database connection")

// Store is a kith.Store on a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
}

var _ kith.Store = (*Store)(nil)

// Open connects to the database at url (postgres://… or key=value) and
// applies pending migrations. Pool settings such as pool_max_conns and
// runtime parameters such as search_path may be given in url.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open with a parsed configuration, for callers that build it
// in code. cfg must come from pgxpool.ParseConfig; it is not modified.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	cfg = cfg.Copy()
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	cfg.PingTimeout = pingTimeout
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate.Up(ctx, migrator{pool}, migrations, "migrations"); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Close closes every connection once the transactions in flight end.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Read runs fn in a read-only repeatable-read transaction: one consistent
// snapshot, as a page and its total need.
func (s *Store) Read(ctx context.Context, ws string, fn func(kith.Tx) error) error {
	return s.run(ctx, ws, false, fn)
}

// Write runs fn in a read-committed transaction that holds the workspace's
// row lock from its first statement: writers of a workspace, in this
// process or any other, take turns, and each reads what the one before it
// committed, so none decides on a stale read. Should a race still reach
// the database, it surfaces as a unique violation or a deadlock, which
// interpretError turns into kith.ErrRetry.
func (s *Store) Write(ctx context.Context, wc kith.WriteContext, fn func(kith.Tx) error) error {
	return s.run(ctx, wc.WorkspaceID, true, fn)
}

// run runs fn in a transaction on one pooled connection and commits when
// it returns nil. The transaction costs no round trips of its own: BEGIN,
// and the statement that reads the workspace's schema version (and, for a
// write, locks its row and reads its change counter), travel with the
// first query, and COMMIT with the last pending writes. fn's own errors are returned as they
// are: they were translated where they arose.
func (s *Store) run(ctx context.Context, ws string, write bool, fn func(kith.Tx) error) error {
	pc, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer pc.Release()
	t := &tx{conn: pc.Conn(), ws: ws}
	t.begin(write)
	if err := fn(t); err != nil {
		t.rollback(ctx)
		return err
	}
	t.queueSeq()
	t.pending.Queue(`COMMIT`)
	if err := t.flush(ctx); err != nil {
		t.rollback(ctx)
		return err
	}
	return nil
}

// inTx runs fn in a pgx transaction and commits when it returns nil: for
// the workspace and token statements, which run outside any workspace's
// record transaction.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	conn, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	pgTx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return interpretError(err)
	}
	defer pgTx.Rollback(ctx)
	if err := fn(pgTx); err != nil {
		return err
	}
	return interpretError(pgTx.Commit(ctx))
}

// acquire takes a connection from the pool, waiting at most acquireTimeout.
func (s *Store) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeoutCause(ctx, acquireTimeout, errAcquireTimeout)
	defer cancel()
	conn, err := s.pool.Acquire(actx)
	if err != nil && context.Cause(actx) == errAcquireTimeout {
		err = fmt.Errorf("%w: %w", errAcquireTimeout, err)
	}
	return conn, interpretError(err)
}

// SQLSTATE codes that interpretError acts on.
const (
	uniqueViolation      = "23505"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	adminShutdown        = "57P01"
	crashShutdown        = "57P02"
	cannotConnectNow     = "57P03"
)

// interpretError translates driver errors into Kith's vocabulary. It is the
// only place that looks at PostgreSQL error codes.
func interpretError(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pgErr):
		switch code := pgErr.Code; {
		case code == uniqueViolation, code == serializationFailure, code == deadlockDetected:
			return kith.ErrRetry(err)
		case code == adminShutdown, code == crashShutdown, code == cannotConnectNow,
			strings.HasPrefix(code, "08"): // class 08: connection exception
			return unavailable(err)
		}
		return err
	case errors.Is(err, pgx.ErrNoRows):
		return &kith.Error{Code: kith.ENotFound, Message: "not found", Err: err}
	case isConnectFailure(err):
		return unavailable(err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &kith.Error{Code: kith.EUnavailable, Message: "The request was cancelled or timed out.", Err: err}
	case isConnectionLost(err):
		return unavailable(err)
	}
	return err
}

func unavailable(err error) error {
	return &kith.Error{Code: kith.EUnavailable, Message: "The database is unavailable.", Err: err}
}

// isConnectFailure reports that no connection could be had: the dial or
// the handshake failed, or the pool had none to give in time. It is checked
// before the context errors because a connect timeout also reads as one.
func isConnectFailure(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || errors.Is(err, errAcquireTimeout)
}

// isConnectionLost reports an established connection that broke: the
// server went away mid-conversation.
func isConnectionLost(err error) bool {
	var ne net.Error
	return pgconn.SafeToRetry(err) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &ne)
}

// isUniqueViolation reports that another row holds the key.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == uniqueViolation
}

// migrator records applied migrations in schema_migrations. Both methods
// hold a transaction-scoped advisory lock, so processes that start at once
// apply each migration once.
type migrator struct{ pool *pgxpool.Pool }

// lockMigrations takes the migration lock of the current schema until the
// transaction ends.
func lockMigrations(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('kith_migrations:' || current_schema()))`)
	return err
}

func (m migrator) Applied(ctx context.Context) (map[int]bool, error) {
	applied := map[int]bool{}
	err := pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		if err := lockMigrations(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
		for _, v := range versions {
			applied[v] = true
		}
		return err
	})
	return applied, err
}

func (m migrator) Apply(ctx context.Context, version int, script string) error {
	return pgx.BeginFunc(ctx, m.pool, func(tx pgx.Tx) error {
		if err := lockMigrations(ctx, tx); err != nil {
			return err
		}
		// Another process may have applied it while this one waited.
		var done bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&done)
		if err != nil || done {
			return err
		}
		if _, err := tx.Exec(ctx, script); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version)
		return err
	})
}

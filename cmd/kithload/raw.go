package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/mattn/go-sqlite3"
)

// The floor: the simplest possible upsert of the same person data, one
// table keyed by the primary email with the person as one JSON value,
// through the same drivers Kith uses.
const rawUpsert = `INSERT INTO raw_people (email, data) VALUES ($1, $2)
	ON CONFLICT (email) DO UPDATE SET data = excluded.data`

// rawLoad runs the workload against the floor: single rows (at
// concurrency 1 on SQLite, whose writer is single; at the load's
// concurrency on PostgreSQL) or per rows in one transaction.
func rawLoad(ctx context.Context, cfg config, w *workload, per int) (*result, error) {
	if strings.HasPrefix(cfg.raw, "postgres://") || strings.HasPrefix(cfg.raw, "postgresql://") {
		return rawPostgres(ctx, cfg, w, per)
	}
	return rawSQLite(ctx, cfg, w, per)
}

func rawSQLite(ctx context.Context, cfg config, w *workload, per int) (*result, error) {
	params := url.Values{"_journal_mode": {"WAL"}, "_busy_timeout": {"5000"}, "_foreign_keys": {"on"}, "_synchronous": {"NORMAL"}, "_txlock": {"immediate"}}
	db, err := sql.Open("sqlite3", "file:"+cfg.raw+"?"+params.Encode())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{`DROP TABLE IF EXISTS raw_people`, `CREATE TABLE raw_people (email TEXT PRIMARY KEY, data TEXT NOT NULL)`} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("raw sqlite: %w", err)
		}
	}
	upsert, err := db.PrepareContext(ctx, rawUpsert)
	if err != nil {
		return nil, err
	}
	defer upsert.Close()
	jobs := (len(w.items) + per - 1) / per
	return runConcurrently(ctx, 1, jobs, func(ctx context.Context, j int) (int, error) {
		items := w.items[j*per : min((j+1)*per, len(w.items))]
		if per == 1 {
			_, err := upsert.ExecContext(ctx, w.email(items[0]), w.person(items[0]))
			return 1, err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		defer tx.Rollback()
		stmt := tx.StmtContext(ctx, upsert)
		for _, it := range items {
			if _, err := stmt.ExecContext(ctx, w.email(it), w.person(it)); err != nil {
				return 0, err
			}
		}
		return len(items), tx.Commit()
	}), nil
}

func rawPostgres(ctx context.Context, cfg config, w *workload, per int) (*result, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.raw)
	if err != nil {
		return nil, err
	}
	pcfg.MaxConns = int32(cfg.concurrency)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	for _, stmt := range []string{`DROP TABLE IF EXISTS raw_people`, `CREATE TABLE raw_people (email TEXT PRIMARY KEY, data JSONB NOT NULL)`} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			return nil, fmt.Errorf("raw postgres: %w", err)
		}
	}
	jobs := (len(w.items) + per - 1) / per
	return runConcurrently(ctx, cfg.concurrency, jobs, func(ctx context.Context, j int) (int, error) {
		items := w.items[j*per : min((j+1)*per, len(w.items))]
		if per == 1 {
			_, err := pool.Exec(ctx, rawUpsert, w.email(items[0]), w.person(items[0]))
			return 1, err
		}
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var b pgx.Batch
			for _, it := range items {
				b.Queue(rawUpsert, w.email(it), w.person(it))
			}
			return tx.SendBatch(ctx, &b).Close()
		})
		return len(items), err
	}), nil
}

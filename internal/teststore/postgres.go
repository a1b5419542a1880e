package teststore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/postgres"
)

// Postgres opens a store on a schema of its own in the database at
// KITH_TEST_POSTGRES_URL.
func Postgres(t testing.TB) kith.Store {
	t.Helper()
	s, err := postgres.OpenConfig(context.Background(), PostgresConfig(t))
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresConfig creates an empty schema with a random name in the database
// at KITH_TEST_POSTGRES_URL, dropped when the test ends, and returns a pool
// configuration whose search_path is that schema. Each test gets its own,
// so tests run in parallel. Without a URL it skips the test, or fails it
// when KITH_TEST_POSTGRES_REQUIRED=1.
func PostgresConfig(t testing.TB) *pgxpool.Config {
	t.Helper()
	url := os.Getenv("KITH_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("KITH_TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatal("KITH_TEST_POSTGRES_REQUIRED=1 but KITH_TEST_POSTGRES_URL is not set")
		}
		t.Skip("set KITH_TEST_POSTGRES_URL to test against PostgreSQL")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("KITH_TEST_POSTGRES_URL: %v", err)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "kith_test_" + hex.EncodeToString(b[:])
	admin := cfg.ConnConfig.Copy() // creates and drops the schema
	exec := func(sql string) error {
		ctx := context.Background()
		conn, err := pgx.ConnectConfig(ctx, admin)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	// Registered before the caller opens a store, so it runs after the
	// store's cleanup has closed it.
	t.Cleanup(func() {
		if err := exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	return cfg
}

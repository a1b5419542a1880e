// Package teststore opens fresh, empty stores for tests: SQLite always,
// PostgreSQL when KITH_TEST_POSTGRES_URL is set. With
// KITH_TEST_POSTGRES_REQUIRED=1 a missing PostgreSQL fails the test
// instead of skipping it, so CI cannot pass without it.
package teststore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kith-crm/kith"
	"github.com/kith-crm/kith/sqlite"
)

// Opener opens a fresh store that is closed when the test ends.
type Opener struct {
	Name string
	Open func(t testing.TB) kith.Store
}

// All returns an Opener for every store.
func All() []Opener {
	return []Opener{{"sqlite", SQLite}, {"postgres", Postgres}}
}

// SQLite opens a store on a new file in the test's temporary directory.
func SQLite(t testing.TB) kith.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kith.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Package migrate applies numbered SQL migrations (0001_name.sql, …) from an
// embedded directory in order, each once. Each store supplies its dialect's
// way of recording what it applied.
package migrate

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Target is a database that records which migrations it has applied.
type Target interface {
	// Applied returns the versions applied so far, creating the table that
	// records them when it is missing.
	Applied(ctx context.Context) (map[int]bool, error)
	// Apply runs one migration and records its version, in one transaction.
	Apply(ctx context.Context, version int, sql string) error
}

// Up applies the migrations in dir of fsys that t has not applied yet.
func Up(ctx context.Context, t Target, fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	type migration struct {
		version int
		name    string
	}
	var all []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return fmt.Errorf("migrate: %s is not named NNNN_name.sql", e.Name())
		}
		all = append(all, migration{v, e.Name()})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })
	applied, err := t.Applied(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range all {
		if applied[m.version] {
			continue
		}
		sql, err := fs.ReadFile(fsys, path.Join(dir, m.name))
		if err != nil {
			return err
		}
		if err := t.Apply(ctx, m.version, string(sql)); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.name, err)
		}
	}
	return nil
}

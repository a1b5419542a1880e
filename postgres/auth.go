package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kith-crm/kith"
)

func (s *Store) CreateWorkspace(ctx context.Context, ws kith.Workspace, objects []kith.Object) error {
	return s.inTx(ctx, func(t pgx.Tx) error {
		if _, err := t.Exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)`,
			ws.ID, ws.Name, micros(ws.CreatedAt)); err != nil {
			if isUniqueViolation(err) {
				return kith.Errorf(kith.EConflict, "A workspace named %q exists.", ws.Name)
			}
			return interpretError(err)
		}
		var b pgx.Batch
		for _, o := range objects {
			b.Queue(`
				INSERT INTO objects (workspace_id, slug, singular_name, plural_name, is_standard, is_active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				ws.ID, o.Slug, o.SingularName, o.PluralName, o.IsStandard, o.IsActive, micros(o.CreatedAt), micros(o.UpdatedAt))
		}
		return interpretError(t.SendBatch(ctx, &b).Close())
	})
}

// withConn runs one statement on a pooled connection: it needs no
// transaction of its own.
func (s *Store) withConn(ctx context.Context, fn func(*pgxpool.Conn) error) error {
	conn, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	return interpretError(fn(conn))
}

func (s *Store) WorkspaceByName(ctx context.Context, name string) (kith.Workspace, error) {
	ws := kith.Workspace{Name: name}
	var created int64
	err := s.withConn(ctx, func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, `SELECT id, created_at FROM workspaces WHERE name = $1`, name).Scan(&ws.ID, &created)
	})
	ws.CreatedAt = fromMicros(created)
	return ws, err
}

func (s *Store) CountWorkspaces(ctx context.Context) (int, error) {
	var n int
	err := s.withConn(ctx, func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, `SELECT COUNT(*) FROM workspaces`).Scan(&n)
	})
	return n, err
}

func (s *Store) CreateToken(ctx context.Context, t kith.Token, hash []byte) error {
	return s.withConn(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, `
			INSERT INTO api_tokens (id, workspace_id, name, hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			t.ID, t.WorkspaceID, t.Name, hash, kith.FormatScopes(t.Scopes), micros(t.CreatedAt))
		return err
	})
}

func (s *Store) TokenByHash(ctx context.Context, hash []byte) (kith.Token, error) {
	var t kith.Token
	var scopes string
	var created int64
	var used, revoked *int64
	err := s.withConn(ctx, func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, `
			SELECT id, workspace_id, name, scopes, created_at, last_used_at, revoked_at FROM api_tokens WHERE hash = $1`, hash,
		).Scan(&t.ID, &t.WorkspaceID, &t.Name, &scopes, &created, &used, &revoked)
	})
	if err != nil {
		return kith.Token{}, err
	}
	if t.Scopes, err = kith.ParseScopes(scopes); err != nil {
		return kith.Token{}, err
	}
	t.CreatedAt = fromMicros(created)
	t.LastUsedAt, t.RevokedAt = optionalTime(used), optionalTime(revoked)
	return t, nil
}

func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.withConn(ctx, func(c *pgxpool.Conn) error {
		_, err := c.Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, micros(at), id)
		return err
	})
}

func optionalTime(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/kith-crm/kith"
)

func (s *Store) CreateWorkspace(ctx context.Context, ws kith.Workspace, objects []kith.Object) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return interpretError(err)
	}
	defer sqlTx.Rollback()
	if _, err := sqlTx.ExecContext(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`,
		ws.ID, ws.Name, micros(ws.CreatedAt)); err != nil {
		if isUniqueViolation(err) {
			return kith.Errorf(kith.EConflict, "A workspace named %q exists.", ws.Name)
		}
		return interpretError(err)
	}
	for _, o := range objects {
		if _, err := sqlTx.ExecContext(ctx, `
			INSERT INTO objects (workspace_id, slug, singular_name, plural_name, is_standard, is_active, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			ws.ID, o.Slug, o.SingularName, o.PluralName, o.IsStandard, o.IsActive, micros(o.CreatedAt), micros(o.UpdatedAt)); err != nil {
			return interpretError(err)
		}
	}
	return interpretError(sqlTx.Commit())
}

func (s *Store) WorkspaceByName(ctx context.Context, name string) (kith.Workspace, error) {
	ws := kith.Workspace{Name: name}
	var created int64
	err := s.read.QueryRowContext(ctx, `SELECT id, created_at FROM workspaces WHERE name = ?`, name).Scan(&ws.ID, &created)
	ws.CreatedAt = fromMicros(created)
	return ws, interpretError(err)
}

func (s *Store) CountWorkspaces(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM workspaces`).Scan(&n)
	return n, interpretError(err)
}

func (s *Store) CreateToken(ctx context.Context, t kith.Token, hash []byte) error {
	_, err := s.write.ExecContext(ctx, `
		INSERT INTO api_tokens (id, workspace_id, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.WorkspaceID, t.Name, hash, kith.FormatScopes(t.Scopes), micros(t.CreatedAt))
	return interpretError(err)
}

func (s *Store) TokenByHash(ctx context.Context, hash []byte) (kith.Token, error) {
	var t kith.Token
	var scopes string
	var created int64
	var used, revoked sql.NullInt64
	err := s.read.QueryRowContext(ctx, `
		SELECT id, workspace_id, name, scopes, created_at, last_used_at, revoked_at FROM api_tokens WHERE hash = ?`, hash,
	).Scan(&t.ID, &t.WorkspaceID, &t.Name, &scopes, &created, &used, &revoked)
	if err != nil {
		return kith.Token{}, interpretError(err)
	}
	if t.Scopes, err = kith.ParseScopes(scopes); err != nil {
		return kith.Token{}, err
	}
	t.CreatedAt = fromMicros(created)
	t.LastUsedAt, t.RevokedAt = optionalTime(used), optionalTime(revoked)
	return t, nil
}

func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, micros(at), id)
	return interpretError(err)
}

func optionalTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

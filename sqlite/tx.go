package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/kith-crm/kith"
)

// tx is a kith.Tx: every statement is scoped to workspace ws.
type tx struct {
	tx *sql.Tx
	ws string
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func (t *tx) ObjectRow(ctx context.Context, slug string) (kith.Object, error) {
	o := kith.Object{Slug: slug}
	var created, updated int64
	err := t.tx.QueryRowContext(ctx, `
		SELECT singular_name, plural_name, is_standard, is_active, created_at, updated_at
		FROM objects WHERE workspace_id = ? AND slug = ?`, t.ws, slug,
	).Scan(&o.SingularName, &o.PluralName, &o.IsStandard, &o.IsActive, &created, &updated)
	if err != nil {
		return kith.Object{}, interpretError(err)
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return o, nil
}

func (t *tx) CustomAttributes(ctx context.Context, slug string) ([]kith.Attribute, error) {
	rows, err := t.tx.QueryContext(ctx, `
		SELECT key, label, type, is_required, is_unique, is_archived, config, created_at, updated_at
		FROM attributes WHERE workspace_id = ? AND object_slug = ? ORDER BY position`, t.ws, slug)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []kith.Attribute
	for rows.Next() {
		var a kith.Attribute
		var config []byte
		var created, updated int64
		if err := rows.Scan(&a.Key, &a.Label, &a.Type, &a.IsRequired, &a.IsUnique, &a.IsArchived, &config, &created, &updated); err != nil {
			return nil, interpretError(err)
		}
		if err := a.DecodeConfig(config); err != nil {
			return nil, err
		}
		a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, a)
	}
	return out, interpretError(rows.Err())
}

func (t *tx) InsertAttribute(ctx context.Context, slug string, a kith.Attribute) error {
	_, err := t.tx.ExecContext(ctx, `
		INSERT INTO attributes (workspace_id, object_slug, key, position, label, type, is_required, is_unique, is_archived, config, created_at, updated_at)
		VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM attributes WHERE workspace_id = ? AND object_slug = ?), ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ws, slug, a.Key, t.ws, slug, a.Label, a.Type, a.IsRequired, a.IsUnique, a.IsArchived, a.EncodeConfig(),
		micros(a.CreatedAt), micros(a.UpdatedAt))
	return interpretError(err)
}

const recordColumns = `id, object_slug, data, seq, created_at, updated_at`

func scanRecord(row interface{ Scan(...any) error }) (kith.Record, error) {
	var r kith.Record
	var data []byte
	var created, updated int64
	if err := row.Scan(&r.ID, &r.Object, &data, &r.Seq, &created, &updated); err != nil {
		return kith.Record{}, interpretError(err)
	}
	values, err := kith.DecodeValues(data)
	if err != nil {
		return kith.Record{}, err
	}
	r.Values, r.CreatedAt, r.UpdatedAt = values, fromMicros(created), fromMicros(updated)
	return r, nil
}

func (t *tx) Record(ctx context.Context, slug, id string) (kith.Record, error) {
	return scanRecord(t.tx.QueryRowContext(ctx,
		`SELECT `+recordColumns+` FROM records WHERE workspace_id = ? AND id = ? AND object_slug = ?`, t.ws, id, slug))
}

func (t *tx) FindKeys(ctx context.Context, slug string, keys []kith.MatchKey) ([]kith.KeyHit, error) {
	var q strings.Builder
	q.WriteString(`SELECT attribute_key, value, record_id FROM match_keys WHERE workspace_id = ? AND object_slug = ? AND (`)
	args := make([]any, 0, 2+2*len(keys))
	args = append(args, t.ws, slug)
	for i, k := range keys {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString("(attribute_key = ? AND value = ?)")
		args = append(args, k.Attribute, k.Value)
	}
	q.WriteString(")")
	rows, err := t.tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var hits []kith.KeyHit
	for rows.Next() {
		var h kith.KeyHit
		if err := rows.Scan(&h.Attribute, &h.Value, &h.RecordID); err != nil {
			return nil, interpretError(err)
		}
		hits = append(hits, h)
	}
	return hits, interpretError(rows.Err())
}

func (t *tx) ScanRecords(ctx context.Context, slug string, fn func(kith.Record) bool) error {
	rows, err := t.tx.QueryContext(ctx,
		`SELECT `+recordColumns+` FROM records WHERE workspace_id = ? AND object_slug = ? ORDER BY id`, t.ws, slug)
	if err != nil {
		return interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		if !fn(r) {
			break
		}
	}
	return interpretError(rows.Err())
}

func (t *tx) ListRecords(ctx context.Context, slug string, q kith.ListQuery) ([]kith.Record, error) {
	query := `SELECT ` + recordColumns + ` FROM records r WHERE workspace_id = ? AND object_slug = ? AND id > ?`
	args := []any{t.ws, slug, q.After}
	if q.Key != nil {
		query += ` AND id IN (SELECT record_id FROM match_keys WHERE workspace_id = ? AND object_slug = ? AND attribute_key = ? AND value = ?)`
		args = append(args, t.ws, slug, q.Key.Attribute, q.Key.Value)
	}
	query += ` ORDER BY id LIMIT ? OFFSET ?`
	args = append(args, q.Limit, q.Offset)
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []kith.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, interpretError(rows.Err())
}

func (t *tx) CountRecords(ctx context.Context, slug string, key *kith.MatchKey) (int, error) {
	var n int
	var err error
	if key == nil {
		err = t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM records WHERE workspace_id = ? AND object_slug = ?`, t.ws, slug).Scan(&n)
	} else {
		err = t.tx.QueryRowContext(ctx, `
			SELECT COUNT(*) FROM match_keys WHERE workspace_id = ? AND object_slug = ? AND attribute_key = ? AND value = ?`,
			t.ws, slug, key.Attribute, key.Value).Scan(&n)
	}
	return n, interpretError(err)
}

func (t *tx) NextSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := t.tx.QueryRowContext(ctx, `UPDATE workspaces SET seq = seq + 1 WHERE id = ? RETURNING seq`, t.ws).Scan(&seq)
	return seq, interpretError(err)
}

func (t *tx) InsertRecord(ctx context.Context, r kith.Record, keys []kith.MatchKey) error {
	data, err := kith.EncodeValues(r.Values)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO records (workspace_id, `+recordColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ws, r.ID, r.Object, data, r.Seq, micros(r.CreatedAt), micros(r.UpdatedAt)); err != nil {
		return interpretError(err)
	}
	return t.insertKeys(ctx, r, keys)
}

func (t *tx) UpdateRecord(ctx context.Context, r kith.Record, add, remove []kith.MatchKey) error {
	data, err := kith.EncodeValues(r.Values)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE records SET data = ?, seq = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		data, r.Seq, micros(r.UpdatedAt), t.ws, r.ID); err != nil {
		return interpretError(err)
	}
	for _, k := range remove {
		if _, err := t.tx.ExecContext(ctx, `
			DELETE FROM match_keys WHERE workspace_id = ? AND object_slug = ? AND attribute_key = ? AND value = ? AND record_id = ?`,
			t.ws, r.Object, k.Attribute, k.Value, r.ID); err != nil {
			return interpretError(err)
		}
	}
	return t.insertKeys(ctx, r, add)
}

func (t *tx) insertKeys(ctx context.Context, r kith.Record, keys []kith.MatchKey) error {
	for _, k := range keys {
		if _, err := t.tx.ExecContext(ctx, `
			INSERT INTO match_keys (workspace_id, object_slug, attribute_key, value, record_id, is_unique) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ws, r.Object, k.Attribute, k.Value, r.ID, k.Unique); err != nil {
			return interpretError(err)
		}
	}
	return nil
}

func (t *tx) DeleteRecord(ctx context.Context, r kith.Record, seq int64, at time.Time) error {
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM match_keys WHERE workspace_id = ? AND record_id = ?`, []any{t.ws, r.ID}},
		{`DELETE FROM records WHERE workspace_id = ? AND id = ?`, []any{t.ws, r.ID}},
		{`INSERT INTO tombstones (workspace_id, seq, object_slug, record_id, deleted_at) VALUES (?, ?, ?, ?, ?)`,
			[]any{t.ws, seq, r.Object, r.ID, micros(at)}},
	} {
		if _, err := t.tx.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
			return interpretError(err)
		}
	}
	return nil
}

func (t *tx) Tombstones(ctx context.Context, after int64, limit int) ([]kith.Tombstone, error) {
	rows, err := t.tx.QueryContext(ctx, `
		SELECT seq, object_slug, record_id, deleted_at FROM tombstones
		WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?`, t.ws, after, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []kith.Tombstone
	for rows.Next() {
		var ts kith.Tombstone
		var at int64
		if err := rows.Scan(&ts.Seq, &ts.Object, &ts.RecordID, &at); err != nil {
			return nil, interpretError(err)
		}
		ts.DeletedAt = fromMicros(at)
		out = append(out, ts)
	}
	return out, interpretError(rows.Err())
}

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
	// seq is the last change sequence number handed out, 0 before the
	// first: the counter is read once and stored once per transaction.
	seq int64
	// schema is the workspace's schema version once read (schemaRead).
	schema     int64
	schemaRead bool
}

func (t *tx) WorkspaceID() string { return t.ws }

func (t *tx) SchemaVersion(ctx context.Context) (int64, error) {
	if !t.schemaRead {
		err := t.tx.QueryRowContext(quiet(ctx), `SELECT schema_version FROM workspaces WHERE id = ?`, t.ws).Scan(&t.schema)
		if err != nil {
			return 0, interpretError(err)
		}
		t.schemaRead = true
	}
	return t.schema, nil
}

func (t *tx) SetSchemaVersion(ctx context.Context, v int64) error {
	if _, err := t.tx.ExecContext(quiet(ctx), `UPDATE workspaces SET schema_version = ? WHERE id = ?`, v, t.ws); err != nil {
		return interpretError(err)
	}
	t.schema, t.schemaRead = v, true
	return nil
}

// quiet drops ctx's cancellation for one statement. With a cancellable
// context, go-sqlite3 starts a goroutine per statement to interrupt it,
// and their wake-ups were a fifth of a batch's CPU. Cancellation still
// ends the transaction: database/sql rolls it back when the context that
// began it is done, and the next statement fails.
func quiet(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func (t *tx) ObjectRow(ctx context.Context, slug string) (kith.Object, error) {
	o := kith.Object{Slug: slug}
	var created, updated int64
	err := t.tx.QueryRowContext(quiet(ctx), `
		SELECT singular_name, plural_name, is_standard, is_active, created_at, updated_at
		FROM objects WHERE workspace_id = ? AND slug = ?`, t.ws, slug,
	).Scan(&o.SingularName, &o.PluralName, &o.IsStandard, &o.IsActive, &created, &updated)
	if err != nil {
		return kith.Object{}, interpretError(err)
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return o, nil
}

func (t *tx) ObjectRows(ctx context.Context) ([]kith.Object, error) {
	rows, err := t.tx.QueryContext(quiet(ctx), `
		SELECT slug, singular_name, plural_name, is_standard, is_active, created_at, updated_at
		FROM objects WHERE workspace_id = ? ORDER BY created_at, slug`, t.ws)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []kith.Object
	for rows.Next() {
		var o kith.Object
		var created, updated int64
		if err := rows.Scan(&o.Slug, &o.SingularName, &o.PluralName, &o.IsStandard, &o.IsActive, &created, &updated); err != nil {
			return nil, interpretError(err)
		}
		o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, o)
	}
	return out, interpretError(rows.Err())
}

func (t *tx) InsertObject(ctx context.Context, o kith.Object) error {
	_, err := t.tx.ExecContext(quiet(ctx), `
		INSERT INTO objects (workspace_id, slug, singular_name, plural_name, is_standard, is_active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ws, o.Slug, o.SingularName, o.PluralName, o.IsStandard, o.IsActive, micros(o.CreatedAt), micros(o.UpdatedAt))
	return interpretError(err)
}

func (t *tx) UpdateObject(ctx context.Context, o kith.Object) error {
	_, err := t.tx.ExecContext(quiet(ctx), `
		UPDATE objects SET singular_name = ?, plural_name = ?, updated_at = ? WHERE workspace_id = ? AND slug = ?`,
		o.SingularName, o.PluralName, micros(o.UpdatedAt), t.ws, o.Slug)
	return interpretError(err)
}

func (t *tx) DeleteObject(ctx context.Context, slug string) error {
	return t.exec(ctx,
		stmt{`DELETE FROM attributes WHERE workspace_id = ? AND object_slug = ?`, []any{t.ws, slug}},
		stmt{`DELETE FROM objects WHERE workspace_id = ? AND slug = ?`, []any{t.ws, slug}},
	)
}

// stmt is one statement of a sequence that exec runs in order.
type stmt struct {
	sql  string
	args []any
}

func (t *tx) exec(ctx context.Context, stmts ...stmt) error {
	for _, s := range stmts {
		if _, err := t.tx.ExecContext(quiet(ctx), s.sql, s.args...); err != nil {
			return interpretError(err)
		}
	}
	return nil
}

func (t *tx) CustomAttributes(ctx context.Context, slug string) ([]kith.Attribute, error) {
	rows, err := t.tx.QueryContext(quiet(ctx), `
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
	_, err := t.tx.ExecContext(quiet(ctx), `
		INSERT INTO attributes (workspace_id, object_slug, key, position, label, type, is_required, is_unique, is_archived, config, created_at, updated_at)
		VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM attributes WHERE workspace_id = ? AND object_slug = ?), ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ws, slug, a.Key, t.ws, slug, a.Label, a.Type, a.IsRequired, a.IsUnique, a.IsArchived, a.EncodeConfig(),
		micros(a.CreatedAt), micros(a.UpdatedAt))
	return interpretError(err)
}

func (t *tx) UpdateAttribute(ctx context.Context, slug string, a kith.Attribute) error {
	_, err := t.tx.ExecContext(quiet(ctx), `
		UPDATE attributes SET label = ?, is_required = ?, is_unique = ?, is_archived = ?, config = ?, updated_at = ?
		WHERE workspace_id = ? AND object_slug = ? AND key = ?`,
		a.Label, a.IsRequired, a.IsUnique, a.IsArchived, a.EncodeConfig(), micros(a.UpdatedAt), t.ws, slug, a.Key)
	return interpretError(err)
}

func (t *tx) DeleteAttribute(ctx context.Context, slug, key string) error {
	_, err := t.tx.ExecContext(quiet(ctx), `DELETE FROM attributes WHERE workspace_id = ? AND object_slug = ? AND key = ?`, t.ws, slug, key)
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
	return scanRecord(t.tx.QueryRowContext(quiet(ctx),
		`SELECT `+recordColumns+` FROM records WHERE workspace_id = ? AND id = ? AND object_slug = ?`, t.ws, id, slug))
}

func (t *tx) RecordsByID(ctx context.Context, slug string, ids []string) ([]kith.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{t.ws, slug}
	for _, id := range ids {
		args = append(args, id)
	}
	return t.records(ctx, `SELECT `+recordColumns+` FROM records WHERE workspace_id = ? AND object_slug = ? AND id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`, args...)
}

// records runs a query for records.
func (t *tx) records(ctx context.Context, query string, args ...any) ([]kith.Record, error) {
	rows, err := t.tx.QueryContext(quiet(ctx), query, args...)
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

func (t *tx) LinksTo(ctx context.Context, target string) ([]kith.LinkFrom, error) {
	rows, err := t.tx.QueryContext(quiet(ctx), `
		SELECT object_slug, record_id, attribute_key FROM links WHERE workspace_id = ? AND target_id = ?
		ORDER BY record_id, attribute_key`, t.ws, target)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []kith.LinkFrom
	for rows.Next() {
		var l kith.LinkFrom
		if err := rows.Scan(&l.Object, &l.RecordID, &l.Attribute); err != nil {
			return nil, interpretError(err)
		}
		out = append(out, l)
	}
	return out, interpretError(rows.Err())
}

// FindKeys joins the keys, as a VALUES list, to the match-key primary key:
// one index lookup per key, for any number of keys (a chain of ORs would
// hit SQLite's expression depth limit at a batch's thousand keys). Then it
// reads the holders.
func (t *tx) FindKeys(ctx context.Context, slug string, keys []kith.MatchKey) ([]kith.KeyHit, []kith.Record, error) {
	args := make([]any, 0, 2+2*len(keys))
	for _, k := range keys {
		args = append(args, k.Attribute, k.Value)
	}
	args = append(args, t.ws, slug)
	rows, err := t.tx.QueryContext(quiet(ctx), `
		WITH k (attribute_key, value) AS (VALUES (?, ?)`+strings.Repeat(", (?, ?)", len(keys)-1)+`)
		SELECT m.attribute_key, m.value, m.record_id FROM k CROSS JOIN match_keys m
		WHERE m.workspace_id = ? AND m.object_slug = ? AND m.attribute_key = k.attribute_key AND m.value = k.value`, args...)
	if err != nil {
		return nil, nil, interpretError(err)
	}
	defer rows.Close()
	var hits []kith.KeyHit
	var ids []string
	seen := map[string]bool{}
	for rows.Next() {
		var h kith.KeyHit
		if err := rows.Scan(&h.Attribute, &h.Value, &h.RecordID); err != nil {
			return nil, nil, interpretError(err)
		}
		hits = append(hits, h)
		if !seen[h.RecordID] {
			seen[h.RecordID] = true
			ids = append(ids, h.RecordID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, interpretError(err)
	}
	holders, err := t.RecordsByID(ctx, slug, ids)
	return hits, holders, err
}

func (t *tx) ScanRecords(ctx context.Context, slug string, fn func(kith.Record) bool) error {
	rows, err := t.tx.QueryContext(quiet(ctx),
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
	return t.records(ctx, query, args...)
}

func (t *tx) CountRecords(ctx context.Context, slug string, key *kith.MatchKey) (int, error) {
	var n int
	var err error
	if key == nil {
		err = t.tx.QueryRowContext(quiet(ctx), `SELECT COUNT(*) FROM records WHERE workspace_id = ? AND object_slug = ?`, t.ws, slug).Scan(&n)
	} else {
		err = t.tx.QueryRowContext(quiet(ctx), `
			SELECT COUNT(*) FROM match_keys WHERE workspace_id = ? AND object_slug = ? AND attribute_key = ? AND value = ?`,
			t.ws, slug, key.Attribute, key.Value).Scan(&n)
	}
	return n, interpretError(err)
}

func (t *tx) NextSeq(ctx context.Context) (int64, error) {
	if t.seq == 0 {
		if err := t.tx.QueryRowContext(quiet(ctx), `SELECT seq FROM workspaces WHERE id = ?`, t.ws).Scan(&t.seq); err != nil {
			return 0, interpretError(err)
		}
	}
	t.seq++
	return t.seq, nil
}

// storeSeq writes the counter back before the transaction commits.
func (t *tx) storeSeq(ctx context.Context) error {
	if t.seq == 0 {
		return nil
	}
	_, err := t.tx.ExecContext(quiet(ctx), `UPDATE workspaces SET seq = ? WHERE id = ?`, t.seq, t.ws)
	return interpretError(err)
}

func (t *tx) InsertRecord(ctx context.Context, r kith.Record, idx kith.Index) error {
	data, err := kith.EncodeValues(r.Values)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(quiet(ctx), `INSERT INTO records (workspace_id, `+recordColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ws, r.ID, r.Object, data, r.Seq, micros(r.CreatedAt), micros(r.UpdatedAt)); err != nil {
		return interpretError(err)
	}
	return t.index(ctx, r, idx, kith.Index{})
}

func (t *tx) UpdateRecord(ctx context.Context, r kith.Record, add, remove kith.Index) error {
	data, err := kith.EncodeValues(r.Values)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(quiet(ctx), `UPDATE records SET data = ?, seq = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		data, r.Seq, micros(r.UpdatedAt), t.ws, r.ID); err != nil {
		return interpretError(err)
	}
	return t.index(ctx, r, add, remove)
}

// index removes and adds a record's match keys and links.
func (t *tx) index(ctx context.Context, r kith.Record, add, remove kith.Index) error {
	var stmts []stmt
	for _, k := range remove.Keys {
		stmts = append(stmts, stmt{`
			DELETE FROM match_keys WHERE workspace_id = ? AND object_slug = ? AND attribute_key = ? AND value = ? AND record_id = ?`,
			[]any{t.ws, r.Object, k.Attribute, k.Value, r.ID}})
	}
	for _, l := range remove.Links {
		stmts = append(stmts, stmt{`DELETE FROM links WHERE workspace_id = ? AND record_id = ? AND attribute_key = ? AND target_id = ?`,
			[]any{t.ws, r.ID, l.Attribute, l.Target}})
	}
	for _, k := range add.Keys {
		stmts = append(stmts, stmt{`
			INSERT INTO match_keys (workspace_id, object_slug, attribute_key, value, record_id, is_unique) VALUES (?, ?, ?, ?, ?, ?)`,
			[]any{t.ws, r.Object, k.Attribute, k.Value, r.ID, k.Unique}})
	}
	for _, l := range add.Links {
		stmts = append(stmts, stmt{`INSERT INTO links (workspace_id, record_id, attribute_key, target_id, object_slug) VALUES (?, ?, ?, ?, ?)`,
			[]any{t.ws, r.ID, l.Attribute, l.Target, r.Object}})
	}
	return t.exec(ctx, stmts...)
}

func (t *tx) DeleteRecord(ctx context.Context, r kith.Record, seq int64, at time.Time) error {
	return t.exec(ctx,
		stmt{`DELETE FROM match_keys WHERE workspace_id = ? AND record_id = ?`, []any{t.ws, r.ID}},
		stmt{`DELETE FROM links WHERE workspace_id = ? AND record_id = ?`, []any{t.ws, r.ID}},
		stmt{`DELETE FROM records WHERE workspace_id = ? AND id = ?`, []any{t.ws, r.ID}},
		stmt{`INSERT INTO tombstones (workspace_id, seq, object_slug, record_id, deleted_at) VALUES (?, ?, ?, ?, ?)`,
			[]any{t.ws, seq, r.Object, r.ID, micros(at)}},
	)
}

func (t *tx) Tombstones(ctx context.Context, after int64, limit int) ([]kith.Tombstone, error) {
	rows, err := t.tx.QueryContext(quiet(ctx), `
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

package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kith-crm/kith"
)

// tx is a kith.Tx on one connection: every statement is scoped to
// workspace ws.
type tx struct {
	conn *pgx.Conn
	ws   string

	begun    bool  // the statements that begin the transaction have run
	schema   int64 // the workspace's schema version, read as the transaction began
	seq      int64 // the last change sequence number handed out (writes only)
	seqAhead bool  // seq is ahead of workspaces.seq; queueSeq writes it

	// pending holds statements not sent yet: BEGIN, record writes, COMMIT.
	// They go in one round trip before the next statement or as the
	// commit: a batch of a thousand records then costs a few round trips,
	// not a thousand.
	pending pgx.Batch
}

// begin queues the statements that start the transaction and read the
// workspace's schema version; they travel with the transaction's first
// query. A write also locks the workspace's row, which orders the
// workspace's writers, and reads its change counter under that lock.
func (t *tx) begin(write bool) {
	if !write {
		t.pending.Queue(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`)
		t.pending.Queue(`SELECT schema_version FROM workspaces WHERE id = $1`, t.ws).
			QueryRow(func(row pgx.Row) error { t.begun = true; return row.Scan(&t.schema) })
		return
	}
	t.pending.Queue(`BEGIN ISOLATION LEVEL READ COMMITTED`)
	t.pending.Queue(`SELECT schema_version, seq FROM workspaces WHERE id = $1 FOR UPDATE`, t.ws).
		QueryRow(func(row pgx.Row) error { t.begun = true; return row.Scan(&t.schema, &t.seq) })
}

// start runs the statements begin queued, unless they ran: for the
// methods that need what they read.
func (t *tx) start(ctx context.Context) error {
	if t.begun {
		return nil
	}
	return t.flush(ctx)
}

// rollback ends a transaction that failed, within pingTimeout even when
// the request's context is done. When the connection cannot say so, the
// pool discards it: it drops connections released inside a transaction.
func (t *tx) rollback(ctx context.Context) {
	t.pending = pgx.Batch{}
	if t.conn.PgConn().TxStatus() != 'I' {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pingTimeout)
		defer cancel()
		_, _ = t.conn.Exec(ctx, `ROLLBACK`)
	}
}

// flush sends the pending statements. Their errors (a unique key a
// concurrent transaction took) surface here, translated like any other.
func (t *tx) flush(ctx context.Context) error {
	if t.pending.Len() == 0 {
		return nil
	}
	b := t.pending
	t.pending = pgx.Batch{}
	return interpretError(t.conn.SendBatch(ctx, &b).Close())
}

// query queues a statement behind the pending ones and sends them all in
// one round trip; scan reads each row of its result.
func (t *tx) query(ctx context.Context, scan func(pgx.Rows) error, sql string, args ...any) error {
	t.pending.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return t.flush(ctx)
}

// queryRow is query for a statement with one row; none is ENotFound.
func (t *tx) queryRow(ctx context.Context, scan func(pgx.Row) error, sql string, args ...any) error {
	t.pending.Queue(sql, args...).QueryRow(scan)
	return t.flush(ctx)
}

// exec runs a statement behind the pending ones.
func (t *tx) exec(ctx context.Context, sql string, args ...any) error {
	t.pending.Queue(sql, args...)
	return t.flush(ctx)
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func (t *tx) WorkspaceID() string { return t.ws }

func (t *tx) SchemaVersion(ctx context.Context) (int64, error) {
	if err := t.start(ctx); err != nil {
		return 0, err
	}
	return t.schema, nil
}

func (t *tx) SetSchemaVersion(ctx context.Context, v int64) error {
	if err := t.start(ctx); err != nil {
		return err
	}
	t.pending.Queue(`UPDATE workspaces SET schema_version = $1 WHERE id = $2`, v, t.ws)
	t.schema = v
	return nil
}

func (t *tx) ObjectRow(ctx context.Context, slug string) (kith.Object, error) {
	o := kith.Object{Slug: slug}
	var created, updated int64
	err := t.queryRow(ctx, func(row pgx.Row) error {
		return row.Scan(&o.SingularName, &o.PluralName, &o.IsStandard, &o.IsActive, &created, &updated)
	}, `
		SELECT singular_name, plural_name, is_standard, is_active, created_at, updated_at
		FROM objects WHERE workspace_id = $1 AND slug = $2`, t.ws, slug)
	if err != nil {
		return kith.Object{}, err
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return o, nil
}

func (t *tx) ObjectRows(ctx context.Context) ([]kith.Object, error) {
	var out []kith.Object
	err := t.query(ctx, func(rows pgx.Rows) error {
		var o kith.Object
		var created, updated int64
		if err := rows.Scan(&o.Slug, &o.SingularName, &o.PluralName, &o.IsStandard, &o.IsActive, &created, &updated); err != nil {
			return err
		}
		o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, o)
		return nil
	}, `
		SELECT slug, singular_name, plural_name, is_standard, is_active, created_at, updated_at
		FROM objects WHERE workspace_id = $1 ORDER BY created_at, slug`, t.ws)
	return out, err
}

func (t *tx) InsertObject(ctx context.Context, o kith.Object) error {
	return t.exec(ctx, `
		INSERT INTO objects (workspace_id, slug, singular_name, plural_name, is_standard, is_active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.ws, o.Slug, o.SingularName, o.PluralName, o.IsStandard, o.IsActive, micros(o.CreatedAt), micros(o.UpdatedAt))
}

func (t *tx) UpdateObject(ctx context.Context, o kith.Object) error {
	return t.exec(ctx, `
		UPDATE objects SET singular_name = $1, plural_name = $2, updated_at = $3 WHERE workspace_id = $4 AND slug = $5`,
		o.SingularName, o.PluralName, micros(o.UpdatedAt), t.ws, o.Slug)
}

func (t *tx) DeleteObject(ctx context.Context, slug string) error {
	b := &t.pending
	b.Queue(`DELETE FROM attributes WHERE workspace_id = $1 AND object_slug = $2`, t.ws, slug)
	b.Queue(`DELETE FROM objects WHERE workspace_id = $1 AND slug = $2`, t.ws, slug)
	return nil
}

func (t *tx) CustomAttributes(ctx context.Context, slug string) ([]kith.Attribute, error) {
	var out []kith.Attribute
	err := t.query(ctx, func(rows pgx.Rows) error {
		var a kith.Attribute
		var config []byte
		var created, updated int64
		if err := rows.Scan(&a.Key, &a.Label, &a.Type, &a.IsRequired, &a.IsUnique, &a.IsArchived, &config, &created, &updated); err != nil {
			return err
		}
		if err := a.DecodeConfig(config); err != nil {
			return err
		}
		a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, a)
		return nil
	}, `
		SELECT key, label, type, is_required, is_unique, is_archived, config, created_at, updated_at
		FROM attributes WHERE workspace_id = $1 AND object_slug = $2 ORDER BY position`, t.ws, slug)
	return out, err
}

// InsertAttribute places a at the end of the object's attributes. The
// position is read in the same statement, as INSERT … SELECT scoped to the
// workspace, which a workspace-sharded database can route to one shard.
func (t *tx) InsertAttribute(ctx context.Context, slug string, a kith.Attribute) error {
	return t.exec(ctx, `
		INSERT INTO attributes (workspace_id, object_slug, key, position, label, type, is_required, is_unique, is_archived, config, created_at, updated_at)
		SELECT $1, $2, $3, COALESCE(MAX(position), 0) + 1, $4, $5, $6, $7, $8, $9, $10, $11
		FROM attributes WHERE workspace_id = $1 AND object_slug = $2`,
		t.ws, slug, a.Key, a.Label, a.Type, a.IsRequired, a.IsUnique, a.IsArchived, a.EncodeConfig(),
		micros(a.CreatedAt), micros(a.UpdatedAt))
}

func (t *tx) UpdateAttribute(ctx context.Context, slug string, a kith.Attribute) error {
	return t.exec(ctx, `
		UPDATE attributes SET label = $1, is_required = $2, is_unique = $3, is_archived = $4, config = $5, updated_at = $6
		WHERE workspace_id = $7 AND object_slug = $8 AND key = $9`,
		a.Label, a.IsRequired, a.IsUnique, a.IsArchived, a.EncodeConfig(), micros(a.UpdatedAt), t.ws, slug, a.Key)
}

func (t *tx) DeleteAttribute(ctx context.Context, slug, key string) error {
	return t.exec(ctx, `DELETE FROM attributes WHERE workspace_id = $1 AND object_slug = $2 AND key = $3`, t.ws, slug, key)
}

const recordColumns = `id, object_slug, data, seq, created_at, updated_at`

// recordRow receives the recordColumns of a row; record decodes them.
type recordRow struct {
	r                kith.Record
	data             []byte
	created, updated int64
}

func (rr *recordRow) dest() []any {
	return []any{&rr.r.ID, &rr.r.Object, &rr.data, &rr.r.Seq, &rr.created, &rr.updated}
}

func (rr *recordRow) record() (kith.Record, error) {
	values, err := kith.DecodeValues(rr.data)
	if err != nil {
		return kith.Record{}, err
	}
	r := rr.r
	r.Values, r.CreatedAt, r.UpdatedAt = values, fromMicros(rr.created), fromMicros(rr.updated)
	return r, nil
}

func scanRecord(row pgx.Row) (kith.Record, error) {
	var rr recordRow
	if err := row.Scan(rr.dest()...); err != nil {
		return kith.Record{}, err
	}
	return rr.record()
}

func (t *tx) Record(ctx context.Context, slug, id string) (kith.Record, error) {
	var r kith.Record
	err := t.queryRow(ctx, func(row pgx.Row) (err error) {
		r, err = scanRecord(row)
		return err
	}, `SELECT `+recordColumns+` FROM records WHERE workspace_id = $1 AND id = $2 AND object_slug = $3`, t.ws, id, slug)
	return r, err
}

func (t *tx) RecordsByID(ctx context.Context, slug string, ids []string) ([]kith.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// One primary-key lookup per id, pinned as FindKeys pins its plan: as
	// "id = ANY($3)" the generic plan of the cached statement scanned the
	// object's records and tested each against the array, 130 ms for a
	// batch's 750 ids at 25,000 records.
	return t.records(ctx, `
		SELECT r.id, r.object_slug, r.data, r.seq, r.created_at, r.updated_at
		FROM unnest($3::text[]) AS k (id)
		CROSS JOIN LATERAL (
			SELECT `+recordColumns+` FROM records WHERE workspace_id = $1 AND id = k.id AND object_slug = $2 OFFSET 0
		) r`,
		t.ws, slug, ids)
}

// records runs a query for records.
func (t *tx) records(ctx context.Context, query string, args ...any) ([]kith.Record, error) {
	var out []kith.Record
	err := t.query(ctx, func(rows pgx.Rows) error {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, query, args...)
	return out, err
}

func (t *tx) LinksTo(ctx context.Context, target string) ([]kith.LinkFrom, error) {
	var out []kith.LinkFrom
	err := t.query(ctx, func(rows pgx.Rows) error {
		var l kith.LinkFrom
		if err := rows.Scan(&l.Object, &l.RecordID, &l.Attribute); err != nil {
			return err
		}
		out = append(out, l)
		return nil
	}, `
		SELECT object_slug, record_id, attribute_key FROM links WHERE workspace_id = $1 AND target_id = $2
		ORDER BY record_id, attribute_key`, t.ws, target)
	return out, err
}

// keyColumns splits keys into the parallel arrays that unnest reads back.
func keyColumns(keys []kith.MatchKey) (attrs, values []string, unique []bool) {
	attrs, values, unique = make([]string, len(keys)), make([]string, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		attrs[i], values[i], unique[i] = k.Attribute, k.Value, k.Unique
	}
	return attrs, values, unique
}

// FindKeys looks each key up in the match-key primary key, and each hit's
// record up in the records' primary key, in one statement: a row per hit,
// with its record. Each lateral subquery, kept apart by OFFSET 0, pins its
// lookup: joined plainly, a table without statistics yet (the first big
// import, in one transaction) can be planned as a scan of all the
// object's keys or records for every call.
func (t *tx) FindKeys(ctx context.Context, slug string, keys []kith.MatchKey) ([]kith.KeyHit, []kith.Record, error) {
	attrs, values, _ := keyColumns(keys)
	var hits []kith.KeyHit
	var holders []kith.Record
	seen := map[string]bool{}
	var rr recordRow
	err := t.query(ctx, func(rows pgx.Rows) error {
		var h kith.KeyHit
		if err := rows.Scan(append([]any{&h.Attribute, &h.Value}, rr.dest()...)...); err != nil {
			return err
		}
		h.RecordID = rr.r.ID
		hits = append(hits, h)
		if seen[h.RecordID] { // a record holding several of the keys comes once per key
			return nil
		}
		seen[h.RecordID] = true
		r, err := rr.record()
		holders = append(holders, r)
		return err
	}, `
		SELECT k.attribute_key, k.value, r.id, r.object_slug, r.data, r.seq, r.created_at, r.updated_at
		FROM unnest($3::text[], $4::text[]) AS k (attribute_key, value)
		CROSS JOIN LATERAL (
			SELECT record_id FROM match_keys
			WHERE workspace_id = $1 AND object_slug = $2 AND attribute_key = k.attribute_key AND value = k.value
			OFFSET 0
		) m
		CROSS JOIN LATERAL (
			SELECT `+recordColumns+` FROM records
			WHERE workspace_id = $1 AND id = m.record_id AND object_slug = $2
			OFFSET 0
		) r`,
		t.ws, slug, attrs, values)
	if err != nil {
		return nil, nil, err
	}
	return hits, holders, nil
}

// scanBatch is how many records ScanRecords reads per query. Reading in
// keyset pages, not one cursor, lets a scan that stops early skip the rest
// of the object's records instead of draining them from the connection.
const scanBatch = 500

func (t *tx) ScanRecords(ctx context.Context, slug string, fn func(kith.Record) bool) error {
	q := kith.ListQuery{Limit: scanBatch}
	for {
		page, err := t.ListRecords(ctx, slug, q)
		if err != nil {
			return err
		}
		for _, r := range page {
			if !fn(r) {
				return nil
			}
		}
		if len(page) < scanBatch {
			return nil
		}
		q.After = page[len(page)-1].ID
	}
}

func (t *tx) ListRecords(ctx context.Context, slug string, q kith.ListQuery) ([]kith.Record, error) {
	args := []any{t.ws, slug, q.After, q.Limit, q.Offset}
	var byKey string
	if q.Key != nil {
		byKey = ` AND id IN (SELECT record_id FROM match_keys WHERE workspace_id = $1 AND object_slug = $2 AND attribute_key = $6 AND value = $7)`
		args = append(args, q.Key.Attribute, q.Key.Value)
	}
	return t.records(ctx, `SELECT `+recordColumns+` FROM records WHERE workspace_id = $1 AND object_slug = $2 AND id > $3`+
		byKey+` ORDER BY id LIMIT $4 OFFSET $5`, args...)
}

func (t *tx) CountRecords(ctx context.Context, slug string, key *kith.MatchKey) (int, error) {
	var n int
	scan := func(row pgx.Row) error { return row.Scan(&n) }
	if key == nil {
		err := t.queryRow(ctx, scan, `SELECT COUNT(*) FROM records WHERE workspace_id = $1 AND object_slug = $2`, t.ws, slug)
		return n, err
	}
	err := t.queryRow(ctx, scan, `
		SELECT COUNT(*) FROM match_keys WHERE workspace_id = $1 AND object_slug = $2 AND attribute_key = $3 AND value = $4`,
		t.ws, slug, key.Attribute, key.Value)
	return n, err
}

// NextSeq counts on from the change counter that begin read under the
// workspace's row lock; queueSeq writes the last number back once per
// transaction. Updating the row for every record of a large batch would
// make each update walk the chain of row versions the transaction left
// behind.
func (t *tx) NextSeq(ctx context.Context) (int64, error) {
	if err := t.start(ctx); err != nil {
		return 0, err
	}
	t.seq++
	t.seqAhead = true
	return t.seq, nil
}

// queueSeq queues the write of the last sequence number NextSeq handed out.
func (t *tx) queueSeq() {
	if t.seqAhead {
		t.pending.Queue(`UPDATE workspaces SET seq = $1 WHERE id = $2`, t.seq, t.ws)
	}
}

// The record writes queue their statements on pending, which runs them in
// order before the next statement, stopping at the first error.

func (t *tx) InsertRecord(ctx context.Context, r kith.Record, idx kith.Index) error {
	data, err := kith.EncodeValues(r.Values)
	if err != nil {
		return err
	}
	b := &t.pending
	b.Queue(`INSERT INTO records (workspace_id, `+recordColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.ws, r.ID, r.Object, data, r.Seq, micros(r.CreatedAt), micros(r.UpdatedAt))
	t.queueIndex(b, r, idx, kith.Index{})
	return nil
}

func (t *tx) UpdateRecord(ctx context.Context, r kith.Record, add, remove kith.Index) error {
	data, err := kith.EncodeValues(r.Values)
	if err != nil {
		return err
	}
	b := &t.pending
	b.Queue(`UPDATE records SET data = $1, seq = $2, updated_at = $3 WHERE workspace_id = $4 AND id = $5`,
		data, r.Seq, micros(r.UpdatedAt), t.ws, r.ID)
	t.queueIndex(b, r, add, remove)
	return nil
}

// queueIndex queues the removal and addition of r's match keys and links.
// Keys are inserted in the order given: the engine sorts them so that
// concurrent writers lock keys in one order and cannot deadlock.
func (t *tx) queueIndex(b *pgx.Batch, r kith.Record, add, remove kith.Index) {
	if len(remove.Keys) > 0 {
		attrs, values, _ := keyColumns(remove.Keys)
		// By record, as match_keys_by_record serves: a record has few keys.
		b.Queue(`
			DELETE FROM match_keys WHERE workspace_id = $1 AND record_id = $2
			AND (attribute_key, value) IN (SELECT * FROM unnest($3::text[], $4::text[]))`,
			t.ws, r.ID, attrs, values)
	}
	for _, l := range remove.Links {
		b.Queue(`DELETE FROM links WHERE workspace_id = $1 AND record_id = $2 AND attribute_key = $3 AND target_id = $4`,
			t.ws, r.ID, l.Attribute, l.Target)
	}
	for _, l := range add.Links {
		b.Queue(`INSERT INTO links (workspace_id, record_id, attribute_key, target_id, object_slug) VALUES ($1, $2, $3, $4, $5)`,
			t.ws, r.ID, l.Attribute, l.Target, r.Object)
	}
	if len(add.Keys) == 0 {
		return
	}
	attrs, values, unique := keyColumns(add.Keys)
	b.Queue(`
		INSERT INTO match_keys (workspace_id, object_slug, attribute_key, value, record_id, is_unique)
		SELECT $1, $2, k.attribute_key, k.value, $3, k.is_unique
		FROM unnest($4::text[], $5::text[], $6::boolean[]) WITH ORDINALITY AS k (attribute_key, value, is_unique, n)
		ORDER BY k.n`,
		t.ws, r.Object, r.ID, attrs, values, unique)
}

func (t *tx) DeleteRecord(ctx context.Context, r kith.Record, seq int64, at time.Time) error {
	b := &t.pending
	b.Queue(`DELETE FROM match_keys WHERE workspace_id = $1 AND record_id = $2`, t.ws, r.ID)
	b.Queue(`DELETE FROM links WHERE workspace_id = $1 AND record_id = $2`, t.ws, r.ID)
	b.Queue(`DELETE FROM records WHERE workspace_id = $1 AND id = $2`, t.ws, r.ID)
	b.Queue(`INSERT INTO tombstones (workspace_id, seq, object_slug, record_id, deleted_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ws, seq, r.Object, r.ID, micros(at))
	return nil
}

func (t *tx) Tombstones(ctx context.Context, after int64, limit int) ([]kith.Tombstone, error) {
	var out []kith.Tombstone
	err := t.query(ctx, func(rows pgx.Rows) error {
		var ts kith.Tombstone
		var at int64
		if err := rows.Scan(&ts.Seq, &ts.Object, &ts.RecordID, &at); err != nil {
			return err
		}
		ts.DeletedAt = fromMicros(at)
		out = append(out, ts)
		return nil
	}, `
		SELECT seq, object_slug, record_id, deleted_at FROM tombstones
		WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, t.ws, after, limit)
	return out, err
}

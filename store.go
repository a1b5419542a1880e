package kith

import (
	"context"
	"time"
)

// Store is a database Kith runs on. The record engine (Service) holds every
// rule; a store runs transactions and SQL. Its errors are *Error values
// (ENotFound, EConflict, EUnavailable) or ErrRetry-wrapped races, never
// driver errors.
type Store interface {
	// Read runs fn in a read transaction scoped to workspace ws.
	Read(ctx context.Context, ws string, fn func(Tx) error) error
	// Write runs fn in a write transaction scoped to wc.WorkspaceID and
	// commits when fn returns nil.
	Write(ctx context.Context, wc WriteContext, fn func(Tx) error) error

	// CreateWorkspace inserts ws with the rows of its objects. EConflict
	// when the name is taken.
	CreateWorkspace(ctx context.Context, ws Workspace, objects []Object) error
	// WorkspaceByName returns the named workspace or ENotFound.
	WorkspaceByName(ctx context.Context, name string) (Workspace, error)
	// CountWorkspaces counts all workspaces.
	CountWorkspaces(ctx context.Context) (int, error)
	// CreateToken stores t under the hash of its secret.
	CreateToken(ctx context.Context, t Token, hash []byte) error
	// TokenByHash returns the token with that hash or ENotFound.
	TokenByHash(ctx context.Context, hash []byte) (Token, error)
	// TouchToken records that the token was used at t.
	TouchToken(ctx context.Context, id string, t time.Time) error

	Close() error
}

// Tx is one transaction of a Store, bound to one workspace: no method can
// reach another workspace's rows.
type Tx interface {
	// WorkspaceID is the workspace the transaction is bound to.
	WorkspaceID() string
	// SchemaVersion returns the workspace's schema version, which every
	// change of an object or an attribute replaces (SetSchemaVersion), so
	// that schemas can be cached and checked with one cheap read. A
	// transaction reads it once: every object lookup asks for it, and a
	// batch looks its object up once per item.
	SchemaVersion(ctx context.Context) (int64, error)
	SetSchemaVersion(ctx context.Context, v int64) error

	// ObjectRow returns an object's names and timestamps, without its
	// attributes, or ENotFound.
	ObjectRow(ctx context.Context, slug string) (Object, error)
	// ObjectRows returns every object's row, in creation order.
	ObjectRows(ctx context.Context) ([]Object, error)
	// InsertObject adds an object's row; a taken slug is ErrRetry.
	InsertObject(ctx context.Context, o Object) error
	// UpdateObject stores an object's names and updatedAt.
	UpdateObject(ctx context.Context, o Object) error
	// DeleteObject removes an object's row and its attributes; its records
	// must be deleted first.
	DeleteObject(ctx context.Context, slug string) error

	// CustomAttributes returns the attributes added to an object, in the
	// order they were added.
	CustomAttributes(ctx context.Context, slug string) ([]Attribute, error)
	// InsertAttribute adds a custom attribute; a taken key is ErrRetry.
	InsertAttribute(ctx context.Context, slug string, a Attribute) error
	// UpdateAttribute stores a custom attribute's definition.
	UpdateAttribute(ctx context.Context, slug string, a Attribute) error
	// DeleteAttribute removes a custom attribute's definition.
	DeleteAttribute(ctx context.Context, slug, key string) error

	// Record returns one record of the object, or ENotFound.
	Record(ctx context.Context, slug, id string) (Record, error)
	// FindKeys returns which records hold any of keys, and those records.
	FindKeys(ctx context.Context, slug string, keys []MatchKey) ([]KeyHit, []Record, error)
	// ScanRecords calls fn with every record of the object in id order
	// until fn returns false.
	ScanRecords(ctx context.Context, slug string, fn func(Record) bool) error
	// ListRecords returns one page of records in id order.
	ListRecords(ctx context.Context, slug string, q ListQuery) ([]Record, error)
	// CountRecords counts the object's records, or those holding key.
	CountRecords(ctx context.Context, slug string, key *MatchKey) (int, error)
	// RecordsByID returns those of ids that are records of the object.
	RecordsByID(ctx context.Context, slug string, ids []string) ([]Record, error)
	// LinksTo returns the relation links that point at a record.
	LinksTo(ctx context.Context, target string) ([]LinkFrom, error)

	// NextSeq returns the workspace's next change sequence number.
	NextSeq(ctx context.Context) (int64, error)
	// InsertRecord inserts r with its match keys and links. A unique key
	// that a concurrent transaction took is ErrRetry.
	InsertRecord(ctx context.Context, r Record, idx Index) error
	// UpdateRecord stores r's values, seq and updatedAt, adding and
	// removing match keys and links.
	UpdateRecord(ctx context.Context, r Record, add, remove Index) error
	// DeleteRecord removes r, its match keys and its outgoing links, and
	// leaves a tombstone with change sequence seq.
	DeleteRecord(ctx context.Context, r Record, seq int64, at time.Time) error
	// Tombstones returns up to limit tombstones with a sequence number
	// greater than after, in sequence order.
	Tombstones(ctx context.Context, after int64, limit int) ([]Tombstone, error)
}

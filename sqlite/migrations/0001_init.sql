-- Kith's SQLite schema. Every table that holds CRM data has a primary key
-- and unique indexes that begin with workspace_id; times are microseconds
-- since the Unix epoch.

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    seq        INTEGER NOT NULL DEFAULT 0, -- the last change sequence number handed out
    created_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name         TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE objects (
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id),
    slug          TEXT NOT NULL,
    singular_name TEXT NOT NULL,
    plural_name   TEXT NOT NULL,
    is_standard   INTEGER NOT NULL,
    is_active     INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, slug)
);

-- Custom attributes only: standard attributes are defined in code.
CREATE TABLE attributes (
    workspace_id TEXT NOT NULL,
    object_slug  TEXT NOT NULL,
    key          TEXT NOT NULL,
    position     INTEGER NOT NULL,
    label        TEXT NOT NULL,
    type         TEXT NOT NULL,
    is_required  INTEGER NOT NULL,
    is_unique    INTEGER NOT NULL,
    is_archived  INTEGER NOT NULL,
    config       TEXT NOT NULL, -- options, validation, relation and currency settings
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, object_slug, key),
    FOREIGN KEY (workspace_id, object_slug) REFERENCES objects (workspace_id, slug) ON DELETE CASCADE
);

CREATE TABLE records (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    object_slug  TEXT NOT NULL,
    data         TEXT NOT NULL, -- attribute key -> value, set attributes only
    seq          INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX records_by_object ON records (workspace_id, object_slug, id);
CREATE UNIQUE INDEX records_by_seq ON records (workspace_id, seq);

-- The match-key index: one row per normalized value of a keyed attribute
-- (emails, phone_number, domain, every unique attribute). Uniqueness is this
-- table's constraint, never a check in Go.
CREATE TABLE match_keys (
    workspace_id  TEXT NOT NULL,
    object_slug   TEXT NOT NULL,
    attribute_key TEXT NOT NULL,
    value         TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    is_unique     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, object_slug, attribute_key, value, record_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX match_keys_unique ON match_keys (workspace_id, object_slug, attribute_key, value) WHERE is_unique;
CREATE INDEX match_keys_by_record ON match_keys (workspace_id, record_id);

-- A deleted record leaves a tombstone so the changes feed can report it.
CREATE TABLE tombstones (
    workspace_id TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    object_slug  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    deleted_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, seq)
);

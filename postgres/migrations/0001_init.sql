-- Kith's PostgreSQL schema, the twin of sqlite/migrations/0001_init.sql.
-- Every table that holds CRM data has a primary key and unique indexes that
-- begin with workspace_id, so the schema can be distributed by workspace
-- (docs/scaling.md); times are microseconds since the Unix epoch.

CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    seq        BIGINT NOT NULL DEFAULT 0, -- the last change sequence number handed out
    created_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name         TEXT NOT NULL,
    hash         BYTEA NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

CREATE TABLE objects (
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id),
    slug          TEXT NOT NULL,
    singular_name TEXT NOT NULL,
    plural_name   TEXT NOT NULL,
    is_standard   BOOLEAN NOT NULL,
    is_active     BOOLEAN NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
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
    is_required  BOOLEAN NOT NULL,
    is_unique    BOOLEAN NOT NULL,
    is_archived  BOOLEAN NOT NULL,
    config       JSONB NOT NULL, -- options, validation, relation and currency settings
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, object_slug, key),
    FOREIGN KEY (workspace_id, object_slug) REFERENCES objects (workspace_id, slug) ON DELETE CASCADE
);

CREATE TABLE records (
    workspace_id TEXT NOT NULL,
    id           TEXT COLLATE "C" NOT NULL, -- byte order, as in SQLite: lists page by id
    object_slug  TEXT NOT NULL,
    data         JSONB NOT NULL, -- attribute key -> value, set attributes only
    seq          BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
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
    is_unique     BOOLEAN NOT NULL,
    PRIMARY KEY (workspace_id, object_slug, attribute_key, value, record_id)
);
CREATE UNIQUE INDEX match_keys_unique ON match_keys (workspace_id, object_slug, attribute_key, value) WHERE is_unique;
CREATE INDEX match_keys_by_record ON match_keys (workspace_id, record_id);

-- A deleted record leaves a tombstone so the changes feed can report it.
CREATE TABLE tombstones (
    workspace_id TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    object_slug  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    deleted_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, seq)
);

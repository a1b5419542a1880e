-- Relation links, indexed from both ends: from a record (to rewrite or
-- delete its links) and from a target (to unlink a deleted record without
-- scanning documents). The twin of sqlite/migrations/0002_links.sql.
CREATE TABLE links (
    workspace_id  TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    attribute_key TEXT NOT NULL,
    target_id     TEXT NOT NULL,
    object_slug   TEXT NOT NULL, -- the linking record's object
    PRIMARY KEY (workspace_id, record_id, attribute_key, target_id)
);
CREATE INDEX links_by_target ON links (workspace_id, target_id);

-- A workspace's schema version changes with every change of its objects
-- and attributes, so that servers can cache schemas and check them with
-- one read.
ALTER TABLE workspaces ADD COLUMN schema_version BIGINT NOT NULL DEFAULT 0;

-- The workflow ID catalogue. One script for SQLite and PostgreSQL: only portable types (TEXT,
-- BIGINT). Times are Unix seconds (UTC). Flags are BIGINT 0/1, because sqlx's Any driver cannot
-- read SQLite booleans.

CREATE TABLE workflow_groups (
    name       TEXT   PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE workflows (
    workflow_id TEXT    PRIMARY KEY,
    group_name  TEXT    NOT NULL REFERENCES workflow_groups (name),
    description TEXT    NOT NULL,
    direction   TEXT    NOT NULL DEFAULT '',
    -- The workflow this one acknowledges (`X_ACK` answers `X`). Not a foreign key: the two may
    -- arrive in either order, and a retired original keeps its acknowledgement listed.
    ack_of      TEXT,
    status      TEXT    NOT NULL CHECK (status IN ('active', 'retired')),
    hscn_only   BIGINT  NOT NULL DEFAULT 0 CHECK (hscn_only IN (0, 1)),
    test_first  BIGINT  NOT NULL DEFAULT 0 CHECK (test_first IN (0, 1)),
    -- Who owns the row: the seed file, or the service desk (whose edits the seed never overwrites).
    source      TEXT    NOT NULL CHECK (source IN ('seed', 'service_desk')),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE INDEX workflows_by_group ON workflows (group_name);

-- Bumped in the same transaction as every catalogue change, so that each instance knows when
-- its in-memory search index is out of date.
CREATE TABLE catalogue_revision (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);

INSERT INTO catalogue_revision (id, revision) VALUES (1, 0);

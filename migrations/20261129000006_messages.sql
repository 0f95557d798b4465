-- Files sent between mailboxes: through the web pages, and later through the MESH API. A message
-- becomes `accepted` (visible to its recipient) only in the transaction that ends its upload, once
-- its content is whole in the content store; so a recipient never sees half a message.

CREATE TABLE messages (
    message_id         TEXT   PRIMARY KEY,
    sender             TEXT   NOT NULL REFERENCES mailboxes (mailbox_id),
    recipient          TEXT   NOT NULL REFERENCES mailboxes (mailbox_id),
    environment        TEXT   NOT NULL CHECK (environment IN ('live', 'integration', 'deployment')),
    workflow_id        TEXT   NOT NULL,
    message_type       TEXT   NOT NULL CHECK (message_type IN ('data', 'test', 'report')),
    subject            TEXT   NOT NULL DEFAULT '',
    -- The sender's own reference (MESH's LocalID).
    local_id           TEXT   NOT NULL DEFAULT '',
    file_name          TEXT   NOT NULL DEFAULT '',
    content_type       TEXT   NOT NULL DEFAULT 'application/octet-stream',
    size_bytes         BIGINT NOT NULL DEFAULT 0,
    -- SHA-256 of the content as stored, lower-case hex.
    sha256             TEXT   NOT NULL DEFAULT '',
    chunk_count        BIGINT NOT NULL DEFAULT 1,
    -- Where the content is in the content store; NULL for a report, and once it is deleted.
    content_key        TEXT,
    -- `uploading` is for the MESH API's chunked messages, whose chunks arrive one by one.
    status             TEXT   NOT NULL CHECK (status IN ('uploading', 'accepted', 'acknowledged',
                                                         'expired')),
    -- A report (non-delivery) names the message it is about, with MESH's code and words.
    linked_message_id  TEXT   REFERENCES messages (message_id),
    report_code        TEXT,
    report_text        TEXT,
    -- The account that sent it from the web pages (NULL through the API, or for a report).
    sent_by            TEXT   REFERENCES users (user_id),
    created_at         BIGINT NOT NULL,
    acknowledged_at    BIGINT,
    acknowledged_by    TEXT   REFERENCES users (user_id),
    -- When it is removed if not collected, and when its content is deleted if it was.
    expires_at         BIGINT NOT NULL,
    expired_at         BIGINT,
    content_deleted_at BIGINT,
    -- A retention worker's claim on the row, so that several instances never work one at once.
    claimed_until      BIGINT
);

CREATE INDEX messages_inbox ON messages (recipient, created_at);
CREATE INDEX messages_inbox_by_workflow ON messages (recipient, workflow_id, created_at);
CREATE INDEX messages_sent ON messages (sender, created_at);
CREATE INDEX messages_retention ON messages (expires_at);

-- Uploads in progress: the content key an instance is writing. A row outlives its upload only
-- when the instance stopped mid-way; whatever is under its key is then removed.
CREATE TABLE uploads (
    content_key TEXT   PRIMARY KEY,
    instance_id TEXT   NOT NULL,
    started_at  BIGINT NOT NULL
);

-- The running instances, each seen every few seconds while it runs: an upload whose instance has
-- not been seen for a while is an upload that will never finish.
CREATE TABLE instances (
    instance_id TEXT   PRIMARY KEY,
    started_at  BIGINT NOT NULL,
    seen_at     BIGINT NOT NULL
);

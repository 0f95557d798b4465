-- The MESH API (issue 7). A message sent through the API may come in chunks, each stored as it
-- arrives (as sent: gzip when the client compressed it), and carries more of MESH's headers than
-- the web pages ask for.

ALTER TABLE messages ADD COLUMN partner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN content_checksum TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN content_encrypted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN content_compressed BIGINT NOT NULL DEFAULT 0;
-- `gzip` when the sender's chunks are gzip-encoded (every chunk alike), else empty.
ALTER TABLE messages ADD COLUMN content_encoding TEXT NOT NULL DEFAULT '';
-- How many chunks are stored (chunk_count is how many were announced).
ALTER TABLE messages ADD COLUMN chunks_received BIGINT NOT NULL DEFAULT 1;

-- The chunks of a message sent through the API (a message sent from the web pages has none: its
-- content is the one object under messages.content_key).
CREATE TABLE message_chunks (
    message_id   TEXT   NOT NULL REFERENCES messages (message_id),
    chunk_number BIGINT NOT NULL,
    content_key  TEXT   NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT   NOT NULL,
    PRIMARY KEY (message_id, chunk_number)
);

CREATE INDEX messages_api_inbox ON messages (recipient, status, created_at, message_id);

-- Each NHSMESH token (mailbox, nonce and nonce count) is accepted once. A row is kept until the
-- token's timestamp has left the window in which it could be accepted at all.
CREATE TABLE api_nonces (
    mailbox_id  TEXT   NOT NULL,
    nonce       TEXT   NOT NULL,
    nonce_count BIGINT NOT NULL,
    keep_until  BIGINT NOT NULL,
    PRIMARY KEY (mailbox_id, nonce, nonce_count)
);

CREATE INDEX api_nonces_by_age ON api_nonces (keep_until);

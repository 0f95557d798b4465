-- Contents of at most 64 KiB sent through the MESH API are kept here, written in the transaction
-- that records the message: no file to write and sync, no upload to note and forget, nothing a
-- crash could leave behind. Their keys begin `db:`; every other key is in the content store.
-- (`BYTEA` is PostgreSQL's bytes; SQLite keeps the bytes as they are under any type name.)
CREATE TABLE small_contents (
    content_key TEXT  PRIMARY KEY,
    bytes       BYTEA NOT NULL
);

-- The MESH API checks a client's token (an HMAC over the mailbox's password) by computing it
-- again, so the password must be recoverable: it is kept sealed (AES-256-GCM under the service's
-- secret key), never in the clear. A one-way hash cannot serve; mailboxes issued with one get a
-- new password from the service desk.
ALTER TABLE mailboxes ADD COLUMN api_password_sealed TEXT;
ALTER TABLE mailboxes DROP COLUMN api_password_hash;

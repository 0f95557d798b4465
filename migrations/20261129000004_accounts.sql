-- People who sign in (mailbox users and service desk staff), the mailboxes they may use, one-time
-- set-up links, sign-in throttling, and the audit log every part of the service writes to.

CREATE TABLE users (
    -- Random, not guessable (`usr_` + 26 characters); never reused.
    user_id          TEXT    PRIMARY KEY,
    -- Lower-case; one account per address.
    email            TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('mailbox_user', 'service_desk', 'admin')),
    status           TEXT    NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    -- argon2id PHC string; NULL until the user has set a PIN.
    pin_hash         TEXT,
    -- 'totp' or 'email'; NULL until set up.
    second_factor    TEXT    CHECK (second_factor IN ('totp', 'email')),
    -- The authenticator app's key, encrypted (AES-256-GCM, nonce first, base64) with the
    -- service's secret key. Never stored in plain text.
    totp_secret      TEXT,
    -- The last 30-second step whose code was accepted: a code is good once.
    totp_last_step   BIGINT,
    smartcard_number TEXT,
    -- Failed PIN or passcode attempts since the last success or lock.
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    -- Locked until this time (seconds since 1970) after too many failures.
    locked_until     BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);

CREATE TABLE user_mailboxes (
    user_id    TEXT NOT NULL REFERENCES users (user_id),
    mailbox_id TEXT NOT NULL REFERENCES mailboxes (mailbox_id),
    PRIMARY KEY (user_id, mailbox_id)
);

-- One-time links (first-time set-up) and emailed sign-in passcodes: only a SHA-256 hash of the
-- secret is stored, so a copy of the database signs nobody in.
CREATE TABLE one_time_tokens (
    token_hash TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (user_id),
    purpose    TEXT   NOT NULL CHECK (purpose IN ('activation', 'email_passcode')),
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);

CREATE INDEX one_time_tokens_by_user ON one_time_tokens (user_id, purpose);

-- Counters for rate limits shared by every instance: one row per key and fixed window.
CREATE TABLE rate_limits (
    limit_key    TEXT   NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (limit_key, window_start)
);

-- What happened, who did it, from where. Rows are only ever added.
CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    -- A user ID, `anonymous`, or `system`.
    actor        TEXT   NOT NULL,
    action       TEXT   NOT NULL,
    -- What the action was about: `user:usr_…`, `mailbox:X26HC005`, `application:MBX-…`.
    subject      TEXT   NOT NULL,
    access_route TEXT   NOT NULL,
    client_addr  TEXT   NOT NULL,
    outcome      TEXT   NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    detail       TEXT   NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_actor ON audit_log (actor, at);
CREATE INDEX audit_log_by_subject ON audit_log (subject, at);

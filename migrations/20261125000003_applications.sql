-- Browser sessions (the answers of an application in progress live here), applications of every
-- kind with their history, the mailboxes that account applications are checked against, and the
-- outbox of emails still to send.

CREATE TABLE sessions (
    id         TEXT   PRIMARY KEY,
    data       TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Issued mailboxes. The service desk fills this table when it approves mailbox applications.
CREATE TABLE mailboxes (
    mailbox_id  TEXT   PRIMARY KEY,
    ods_code    TEXT   NOT NULL REFERENCES organisations (ods_code),
    environment TEXT   NOT NULL CHECK (environment IN ('live', 'integration', 'deployment')),
    status      TEXT   NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
    created_at  BIGINT NOT NULL
);

CREATE INDEX mailboxes_by_ods_code ON mailboxes (ods_code);

-- What every application has, whatever its kind: the queue and the status page read this.
CREATE TABLE applications (
    reference       TEXT   PRIMARY KEY,
    kind            TEXT   NOT NULL CHECK (kind IN ('mailbox', 'account', 'workflow_request')),
    status          TEXT   NOT NULL CHECK (status IN ('submitted', 'in_review',
                                                      'more_information_needed', 'approved',
                                                      'rejected')),
    ods_code        TEXT,
    applicant_name  TEXT   NOT NULL,
    -- Lower-case; the status page asks for it.
    applicant_email TEXT   NOT NULL,
    -- What makes two applications the same request (kind, ODS code, environments, workflows...);
    -- only one pending application may have a given key.
    duplicate_key   TEXT   NOT NULL,
    submitted_at    BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE UNIQUE INDEX applications_one_pending_per_key ON applications (duplicate_key)
    WHERE status IN ('submitted', 'in_review', 'more_information_needed');
CREATE INDEX applications_by_status ON applications (status, submitted_at);

CREATE TABLE application_events (
    reference TEXT   NOT NULL REFERENCES applications (reference),
    seq       BIGINT NOT NULL,
    status    TEXT   NOT NULL,
    note      TEXT   NOT NULL DEFAULT '',
    at        BIGINT NOT NULL,
    PRIMARY KEY (reference, seq)
);

CREATE TABLE mailbox_applications (
    reference            TEXT   PRIMARY KEY REFERENCES applications (reference),
    organisation_name    TEXT   NOT NULL,
    third_party_ods_code TEXT,
    file_size            TEXT   NOT NULL,
    contact_name         TEXT   NOT NULL,
    contact_email        TEXT   NOT NULL,
    contact_phone        TEXT   NOT NULL
);

CREATE TABLE mailbox_application_environments (
    reference   TEXT NOT NULL REFERENCES applications (reference),
    environment TEXT NOT NULL CHECK (environment IN ('live', 'integration', 'deployment')),
    PRIMARY KEY (reference, environment)
);

CREATE TABLE mailbox_application_workflows (
    reference   TEXT NOT NULL REFERENCES applications (reference),
    workflow_id TEXT NOT NULL REFERENCES workflows (workflow_id),
    direction   TEXT NOT NULL CHECK (direction IN ('send', 'receive', 'both')),
    PRIMARY KEY (reference, workflow_id)
);

CREATE TABLE account_applications (
    reference        TEXT   PRIMARY KEY REFERENCES applications (reference),
    first_name       TEXT   NOT NULL,
    last_name        TEXT   NOT NULL,
    access_route     TEXT   NOT NULL CHECK (access_route IN ('hscn', 'internet')),
    smartcard_number TEXT,
    reason           TEXT   NOT NULL
);

CREATE TABLE account_application_mailboxes (
    reference  TEXT NOT NULL REFERENCES applications (reference),
    mailbox_id TEXT NOT NULL REFERENCES mailboxes (mailbox_id),
    PRIMARY KEY (reference, mailbox_id)
);

CREATE TABLE workflow_requests (
    reference               TEXT   PRIMARY KEY REFERENCES applications (reference),
    proposed_id             TEXT   NOT NULL,
    group_name              TEXT   NOT NULL,
    new_group               BIGINT NOT NULL,
    description             TEXT   NOT NULL,
    sending_organisations   TEXT   NOT NULL,
    receiving_organisations TEXT   NOT NULL
);

-- Emails are written here in the same transaction as what they are about, and sent by a worker
-- that retries; so a crash never loses one and never sends one for something that was not stored.
CREATE TABLE mail_outbox (
    id              TEXT   PRIMARY KEY,
    to_address      TEXT   NOT NULL,
    subject         TEXT   NOT NULL,
    text_body       TEXT   NOT NULL,
    html_body       TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at         BIGINT,
    last_error      TEXT
);

CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

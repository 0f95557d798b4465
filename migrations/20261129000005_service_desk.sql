-- The service desk's work on applications (who has it, the decision and why, the clock paused
-- while the applicant answers a question), the mailboxes approval creates (their workflows, API
-- password and the sequence their IDs come from), and which application each email belongs to.

ALTER TABLE applications ADD COLUMN assigned_to TEXT REFERENCES users (user_id);
ALTER TABLE applications ADD COLUMN decided_by TEXT REFERENCES users (user_id);
ALTER TABLE applications ADD COLUMN decided_at BIGINT;
-- The reason given with a rejection (sent to the applicant).
ALTER TABLE applications ADD COLUMN decision_reason TEXT NOT NULL DEFAULT '';
-- Set while the applicant has a question to answer; the turnaround clock stops meanwhile.
ALTER TABLE applications ADD COLUMN waiting_since BIGINT;
ALTER TABLE applications ADD COLUMN paused_seconds BIGINT NOT NULL DEFAULT 0;

CREATE INDEX applications_by_assignee ON applications (assigned_to);

-- The last sequence number issued per ODS code and kind of mailbox. Numbers are never given
-- again, even when a mailbox is closed or deleted, so a Mailbox ID never means two mailboxes.
CREATE TABLE mailbox_id_sequences (
    ods_code  TEXT   NOT NULL,
    kind_code TEXT   NOT NULL,
    last_seq  BIGINT NOT NULL,
    PRIMARY KEY (ods_code, kind_code)
);

-- The MESH API password's argon2id hash (the password itself is shown once), and the application
-- that created the mailbox.
ALTER TABLE mailboxes ADD COLUMN api_password_hash TEXT;
ALTER TABLE mailboxes ADD COLUMN application_reference TEXT REFERENCES applications (reference);

-- The workflows a mailbox may send and receive.
CREATE TABLE mailbox_workflows (
    mailbox_id  TEXT NOT NULL REFERENCES mailboxes (mailbox_id),
    workflow_id TEXT NOT NULL REFERENCES workflows (workflow_id),
    direction   TEXT NOT NULL CHECK (direction IN ('send', 'receive', 'both')),
    PRIMARY KEY (mailbox_id, workflow_id)
);

-- Which application an email is about (so its page can show the email's state), when the worker
-- gave up on it, and whether it holds a secret (a password, a one-time link or code): such a body
-- is blanked once sent, so the database does not keep the secret.
ALTER TABLE mail_outbox ADD COLUMN reference TEXT;
ALTER TABLE mail_outbox ADD COLUMN failed_at BIGINT;
ALTER TABLE mail_outbox ADD COLUMN sensitive BIGINT NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1));

CREATE INDEX mail_outbox_by_reference ON mail_outbox (reference);

-- Questions the service desk asks applicants, each answered once through its emailed link (the
-- link's token stored only as a hash).
CREATE TABLE application_questions (
    reference   TEXT   NOT NULL REFERENCES applications (reference),
    seq         BIGINT NOT NULL,
    question    TEXT   NOT NULL,
    asked_by    TEXT   NOT NULL REFERENCES users (user_id),
    asked_at    BIGINT NOT NULL,
    token_hash  TEXT   NOT NULL UNIQUE,
    answer      TEXT,
    answered_at BIGINT,
    PRIMARY KEY (reference, seq)
);

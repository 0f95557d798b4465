-- NHS Care Identity (CIS2) sign-in: the identity an account is linked to (its `sub` at the
-- issuer, linked at the first login by email address and smartcard number, by `sub` alone after
-- that), and the accounts the service desk keeps on the portal's own PIN and security code.

ALTER TABLE users ADD COLUMN cis2_sub TEXT;
ALTER TABLE users ADD COLUMN cis2_linked_at BIGINT;
-- 1: this account signs in with PIN and security code even where Care Identity is configured.
ALTER TABLE users ADD COLUMN local_sign_in INTEGER NOT NULL DEFAULT 0;

CREATE UNIQUE INDEX users_cis2_sub ON users (cis2_sub);

-- Back-channel logouts from Care Identity: a person (`sub`) or one session at the issuer (`sid`)
-- logged out at `at`. A portal session from a Care Identity login made before then ends at its
-- next request, on whichever instance it arrives.
CREATE TABLE care_identity_logouts (
    sub TEXT,
    sid TEXT,
    at  BIGINT NOT NULL
);
CREATE INDEX care_identity_logouts_sub ON care_identity_logouts (sub);
CREATE INDEX care_identity_logouts_sid ON care_identity_logouts (sid);

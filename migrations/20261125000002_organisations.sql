-- Organisations and their ODS codes, for the ODS code finder and the checks on applications.

CREATE TABLE organisations (
    ods_code     TEXT   PRIMARY KEY,
    name         TEXT   NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('nhs_trust', 'icb', 'gp_practice', 'pharmacy',
                                                 'local_authority', 'other')),
    postcode     TEXT   NOT NULL DEFAULT '',
    -- The postcode upper-case without spaces, so `ls14 9bf`, `LS149BF` and `LS14 9BF` all match.
    postcode_key TEXT   NOT NULL DEFAULT '',
    town         TEXT   NOT NULL DEFAULT '',
    source       TEXT   NOT NULL CHECK (source IN ('seed', 'service_desk')),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE INDEX organisations_by_postcode ON organisations (postcode_key);

-- Server secrets (the key of restricted-hit references) and the references issued so far, so
-- that the originator of a restricted record can resolve a reference brought to it later.

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created TEXT NOT NULL
);

CREATE TABLE restricted_refs (
    reference TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL,
    originator TEXT NOT NULL,
    first_issued TEXT NOT NULL
);

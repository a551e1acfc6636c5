-- Traveller screening (PAXLST/PNRGOV manifests): each authority's watch rule, and the
-- encounters it recorded. A rule is replaced in place (its changes are in the audit log);
-- encounters are append-only (triggers refuse UPDATE and DELETE).

CREATE TABLE watch_rules (
    authority TEXT PRIMARY KEY REFERENCES authorities(code),
    threshold REAL NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
    alert BIGINT NOT NULL CHECK (alert IN (0, 1)),
    updated TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE encounters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    authority TEXT NOT NULL,
    user_name TEXT NOT NULL,
    recorded TEXT NOT NULL,
    source TEXT NOT NULL,
    message_ref TEXT NOT NULL,
    flight TEXT NOT NULL,
    traveller_name TEXT NOT NULL,
    traveller TEXT NOT NULL,
    subject TEXT NOT NULL,
    originator TEXT NOT NULL,
    score REAL NOT NULL,
    alert_message_id BIGINT
);

CREATE INDEX encounters_by_authority ON encounters (authority, id);

CREATE TRIGGER encounters_no_update BEFORE UPDATE ON encounters
BEGIN SELECT RAISE(ABORT, 'encounters is append-only'); END;
CREATE TRIGGER encounters_no_delete BEFORE DELETE ON encounters
BEGIN SELECT RAISE(ABORT, 'encounters is append-only'); END;

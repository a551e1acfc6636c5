-- Traveller screening (PAXLST/PNRGOV manifests): each authority's watch rule, and the
-- encounters it recorded. A rule is replaced in place (its changes are in the audit log);
-- encounters are append-only (triggers refuse UPDATE, DELETE and TRUNCATE).

CREATE TABLE watch_rules (
    authority TEXT PRIMARY KEY REFERENCES authorities(code),
    threshold DOUBLE PRECISION NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
    alert BIGINT NOT NULL CHECK (alert IN (0, 1)),
    updated TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE encounters (
    id BIGSERIAL PRIMARY KEY,
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
    score DOUBLE PRECISION NOT NULL,
    alert_message_id BIGINT
);

CREATE INDEX encounters_by_authority ON encounters (authority, id);

CREATE TRIGGER encounters_append_only BEFORE UPDATE OR DELETE ON encounters
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER encounters_no_truncate BEFORE TRUNCATE ON encounters
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();

-- The register: authorities, lists, revisions (one per imported list version) and entity
-- versions (one row each time an entity is added, changed, delisted or relisted).
-- revisions and entity_versions are append-only: triggers refuse UPDATE, DELETE and TRUNCATE.

CREATE TABLE authorities (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT,
    parent TEXT
);

CREATE TABLE lists (
    name TEXT PRIMARY KEY,
    authority TEXT NOT NULL REFERENCES authorities(code),
    title TEXT NOT NULL,
    format TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE revisions (
    id BIGSERIAL PRIMARY KEY,
    list TEXT NOT NULL REFERENCES lists(name),
    number BIGINT NOT NULL,
    imported_at TEXT NOT NULL,
    published TEXT,
    effective TEXT NOT NULL,
    format TEXT NOT NULL,
    files TEXT NOT NULL,
    entity_count BIGINT NOT NULL,
    added BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    delisted BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    UNIQUE (list, number)
);

CREATE TABLE entity_versions (
    id BIGSERIAL PRIMARY KEY,
    entity_id TEXT NOT NULL,
    list TEXT NOT NULL REFERENCES lists(name),
    revision_id BIGINT NOT NULL REFERENCES revisions(id),
    change TEXT NOT NULL CHECK (change IN ('added', 'changed', 'delisted', 'relisted')),
    schema TEXT NOT NULL,
    caption TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    -- 1 while any designation of the entity is in force (a list may itself mark one delisted).
    listed BIGINT NOT NULL CHECK (listed IN (0, 1)),
    data TEXT NOT NULL
);

CREATE INDEX entity_versions_by_entity ON entity_versions (entity_id, id);
CREATE INDEX entity_versions_by_list ON entity_versions (list, revision_id);

CREATE FUNCTION vigil_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER revisions_no_truncate BEFORE TRUNCATE ON revisions
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER entity_versions_append_only BEFORE UPDATE OR DELETE ON entity_versions
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER entity_versions_no_truncate BEFORE TRUNCATE ON entity_versions
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();

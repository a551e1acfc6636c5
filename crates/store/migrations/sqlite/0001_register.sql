-- The register: authorities, lists, revisions (one per imported list version) and entity
-- versions (one row each time an entity is added, changed, delisted or relisted).
-- revisions and entity_versions are append-only: triggers refuse UPDATE and DELETE.

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
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list TEXT NOT NULL REFERENCES lists(name),
    number INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    published TEXT,
    effective TEXT NOT NULL,
    format TEXT NOT NULL,
    files TEXT NOT NULL,
    entity_count INTEGER NOT NULL,
    added INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    delisted INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    UNIQUE (list, number)
);

CREATE TABLE entity_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_id TEXT NOT NULL,
    list TEXT NOT NULL REFERENCES lists(name),
    revision_id INTEGER NOT NULL REFERENCES revisions(id),
    change TEXT NOT NULL CHECK (change IN ('added', 'changed', 'delisted', 'relisted')),
    schema TEXT NOT NULL,
    caption TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    -- 1 while any designation of the entity is in force (a list may itself mark one delisted).
    listed INTEGER NOT NULL CHECK (listed IN (0, 1)),
    data TEXT NOT NULL
);

CREATE INDEX entity_versions_by_entity ON entity_versions (entity_id, id);
CREATE INDEX entity_versions_by_list ON entity_versions (list, revision_id);

CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions is append-only'); END;
CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions is append-only'); END;
CREATE TRIGGER entity_versions_no_update BEFORE UPDATE ON entity_versions
BEGIN SELECT RAISE(ABORT, 'entity_versions is append-only'); END;
CREATE TRIGGER entity_versions_no_delete BEFORE DELETE ON entity_versions
BEGIN SELECT RAISE(ABORT, 'entity_versions is append-only'); END;

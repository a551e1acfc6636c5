-- The unified search register: a member state's search notice for a wanted person, and every
-- step of its life. Both tables are append-only (triggers refuse UPDATE and DELETE): a notice's
-- status is the status of its latest step. The person is also a register entity (a
-- `wanted_person` designation on the requesting state's own list), which is what screening sees.

CREATE TABLE search_notices (
    id BIGSERIAL PRIMARY KEY,
    requesting_authority TEXT NOT NULL REFERENCES authorities(code),
    requesting_state TEXT NOT NULL,
    person_key TEXT NOT NULL,
    entity_id TEXT NOT NULL UNIQUE,
    declared_on TEXT NOT NULL,
    created TEXT NOT NULL,
    created_by TEXT NOT NULL,
    notice TEXT NOT NULL
);

CREATE INDEX search_notices_by_person ON search_notices (requesting_state, person_key);

CREATE TABLE search_notice_events (
    id BIGSERIAL PRIMARY KEY,
    notice_id BIGINT NOT NULL REFERENCES search_notices(id),
    step TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('declared', 'circulated', 'located', 'detained', 'handed_over', 'extradited', 'withdrawn')),
    authority TEXT NOT NULL,
    member_state TEXT NOT NULL,
    user_name TEXT NOT NULL,
    recorded TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX search_notice_events_by_notice ON search_notice_events (notice_id, id);

CREATE TRIGGER search_notices_append_only BEFORE UPDATE OR DELETE ON search_notices
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER search_notices_no_truncate BEFORE TRUNCATE ON search_notices
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER search_notice_events_append_only BEFORE UPDATE OR DELETE ON search_notice_events
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER search_notice_events_no_truncate BEFORE TRUNCATE ON search_notice_events
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();

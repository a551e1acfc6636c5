-- The council's business: members, the chair, meetings with delegations and documents,
-- decisions with member states' positions and implementation tasks, the Executive Committee's
-- budget with shares and payments, partners, programmes and plans with their actions.
-- Positions, recorded chair terms, document versions, payments and task reports are
-- append-only; a decision no longer open is frozen (triggers).

CREATE TABLE council_members (
    state TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('member', 'observer', 'dialogue_partner')),
    since TEXT NOT NULL,
    until TEXT
);

-- Dates of accession to the SCO: founders 15 June 2001, India and Pakistan 9 June 2017,
-- Iran 4 July 2023, Belarus 4 July 2024.
INSERT INTO council_members (state, name, status, since) VALUES
    ('CN', 'China', 'member', '2001-06-15'),
    ('KZ', 'Kazakhstan', 'member', '2001-06-15'),
    ('KG', 'Kyrgyzstan', 'member', '2001-06-15'),
    ('RU', 'Russia', 'member', '2001-06-15'),
    ('TJ', 'Tajikistan', 'member', '2001-06-15'),
    ('UZ', 'Uzbekistan', 'member', '2001-06-15'),
    ('IN', 'India', 'member', '2017-06-09'),
    ('PK', 'Pakistan', 'member', '2017-06-09'),
    ('IR', 'Iran', 'member', '2023-07-04'),
    ('BY', 'Belarus', 'member', '2024-07-04');

CREATE TABLE council_representatives (
    id BIGSERIAL PRIMARY KEY,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    person TEXT NOT NULL,
    role TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT
);

CREATE TABLE council_rotation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    order_json TEXT NOT NULL,
    anchor_state TEXT NOT NULL,
    anchor TEXT NOT NULL
);

CREATE TABLE council_chair_terms (
    id BIGSERIAL PRIMARY KEY,
    state TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE council_meetings (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('regular', 'extraordinary', 'expert_group', 'side_event')),
    title TEXT NOT NULL,
    host_state TEXT NOT NULL,
    venue TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    agenda TEXT NOT NULL,
    minutes TEXT NOT NULL,
    parent_id BIGINT REFERENCES council_meetings(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE council_delegates (
    id BIGSERIAL PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES council_meetings(id),
    state TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    arrival TEXT NOT NULL,
    departure TEXT NOT NULL,
    entry_point TEXT NOT NULL,
    visa_status TEXT NOT NULL
);

CREATE INDEX council_delegates_by_meeting ON council_delegates (meeting_id, state);

CREATE TABLE council_documents (
    id BIGSERIAL PRIMARY KEY,
    meeting_id BIGINT REFERENCES council_meetings(id),
    symbol TEXT NOT NULL,
    version BIGINT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('draft', 'revised', 'final')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (symbol, version)
);

CREATE TABLE council_decisions (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    meeting_id BIGINT REFERENCES council_meetings(id),
    procedure TEXT NOT NULL CHECK (procedure IN ('meeting', 'silence')),
    deadline TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'adopted', 'failed')),
    decided_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE council_positions (
    id BIGSERIAL PRIMARY KEY,
    decision_id BIGINT NOT NULL REFERENCES council_decisions(id),
    state TEXT NOT NULL,
    position TEXT NOT NULL CHECK (position IN ('agree', 'object', 'abstain', 'not_yet')),
    in_writing BIGINT NOT NULL CHECK (in_writing IN (0, 1)),
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE INDEX council_positions_by_decision ON council_positions (decision_id, state, id);

CREATE TABLE council_tasks (
    id BIGSERIAL PRIMARY KEY,
    decision_id BIGINT NOT NULL REFERENCES council_decisions(id),
    description TEXT NOT NULL,
    authority TEXT NOT NULL,
    due TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    created_at TEXT NOT NULL
);

CREATE TABLE council_task_reports (
    id BIGSERIAL PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES council_tasks(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE council_budgets (
    year BIGINT PRIMARY KEY,
    total BIGINT NOT NULL CHECK (total >= 0),
    currency TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE council_shares (
    year BIGINT NOT NULL REFERENCES council_budgets(year),
    state TEXT NOT NULL,
    share BIGINT NOT NULL CHECK (share >= 0 AND share <= 10000),
    PRIMARY KEY (year, state)
);

CREATE TABLE council_payments (
    id BIGSERIAL PRIMARY KEY,
    year BIGINT NOT NULL REFERENCES council_budgets(year),
    state TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    received_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE council_partners (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

INSERT INTO council_partners (code, name) VALUES
    ('INTERPOL', 'International Criminal Police Organization'),
    ('UNSC-CTC', 'United Nations Security Council Counter-Terrorism Committee'),
    ('CIS-ATC', 'Anti-Terrorism Centre of the Commonwealth of Independent States'),
    ('CSTO', 'Collective Security Treaty Organization'),
    ('CICA', 'Conference on Interaction and Confidence-Building Measures in Asia');

CREATE TABLE council_plans (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('programme', 'work_plan', 'joint_plan', 'agreement', 'exercise')),
    title TEXT NOT NULL,
    partner TEXT REFERENCES council_partners(code),
    owner TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    details TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE council_actions (
    id BIGSERIAL PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES council_plans(id),
    action TEXT NOT NULL,
    owner TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled'))
);

CREATE FUNCTION vigil_council_decision_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'open' THEN
        RAISE EXCEPTION 'decision % is no longer open and is frozen', OLD.number;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER council_decisions_frozen BEFORE UPDATE ON council_decisions
    FOR EACH ROW EXECUTE FUNCTION vigil_council_decision_frozen();
CREATE TRIGGER council_decisions_no_delete BEFORE DELETE ON council_decisions
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_positions_append_only BEFORE UPDATE OR DELETE ON council_positions
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_positions_no_truncate BEFORE TRUNCATE ON council_positions
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_chair_terms_append_only BEFORE UPDATE OR DELETE ON council_chair_terms
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_chair_terms_no_truncate BEFORE TRUNCATE ON council_chair_terms
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_documents_append_only BEFORE UPDATE OR DELETE ON council_documents
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_documents_no_truncate BEFORE TRUNCATE ON council_documents
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_payments_append_only BEFORE UPDATE OR DELETE ON council_payments
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_payments_no_truncate BEFORE TRUNCATE ON council_payments
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_task_reports_append_only BEFORE UPDATE OR DELETE ON council_task_reports
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_task_reports_no_truncate BEFORE TRUNCATE ON council_task_reports
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER council_decisions_no_truncate BEFORE TRUNCATE ON council_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();

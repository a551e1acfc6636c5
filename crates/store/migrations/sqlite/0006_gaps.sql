-- Gaps of the council and the exchange: the council's bodies as records, representatives
-- linked to them.

CREATE TABLE council_bodies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('council', 'executive_committee', 'heads_of_state', 'expert_group')),
    name TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT
);

-- The SCO's Council of Heads of State from the SCO's founding (15 June 2001); the RATS Council
-- and its Executive Committee from the day the structure began work in Tashkent (17 June 2004).
INSERT INTO council_bodies (code, kind, name, since) VALUES
    ('council', 'council', 'Council of the Regional Anti-Terrorist Structure', '2004-06-17'),
    ('executive_committee', 'executive_committee', 'Executive Committee of the Regional Anti-Terrorist Structure', '2004-06-17'),
    ('heads_of_state', 'heads_of_state', 'Council of Heads of State of the SCO', '2001-06-15');

-- Representatives recorded with a free-text body before: each other name becomes an expert
-- group of that name.
INSERT INTO council_bodies (code, kind, name, since)
    SELECT DISTINCT body, 'expert_group', body, '2001-06-15' FROM council_representatives
    WHERE body NOT IN (SELECT code FROM council_bodies);

ALTER TABLE council_representatives ADD COLUMN body_id BIGINT REFERENCES council_bodies(id);
UPDATE council_representatives
    SET body_id = (SELECT b.id FROM council_bodies b WHERE b.code = council_representatives.body);

-- Exercises and agreements as structured records beside their plan (kind `exercise`,
-- `agreement`): the plan gives the name (title) and dates.
CREATE TABLE council_exercises (
    plan_id BIGINT PRIMARY KEY REFERENCES council_plans(id),
    participants TEXT NOT NULL,
    scenario TEXT NOT NULL,
    evaluation TEXT
);

CREATE TABLE council_agreements (
    plan_id BIGINT PRIMARY KEY REFERENCES council_plans(id),
    form TEXT NOT NULL CHECK (form IN ('agreement', 'memorandum')),
    partner TEXT NOT NULL,
    signed_on TEXT NOT NULL,
    in_force_from TEXT NOT NULL,
    in_force_to TEXT
);

-- Whether an authority's own national designations, added, amended or withdrawn through the
-- API, raise a notification to those the record is distributed to.
ALTER TABLE exchange_policies ADD COLUMN auto_notify BIGINT NOT NULL DEFAULT 0;

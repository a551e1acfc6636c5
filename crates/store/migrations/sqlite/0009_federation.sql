-- Federation (issue 13): this node's signing keys and the peers' pinned public keys, the
-- outbox of signed envelopes per destination node, the inbox's next expected sequence number
-- per origin node (ordered, idempotent apply), and the exporter's watermark.

CREATE TABLE federation_keys (
    authority TEXT PRIMARY KEY,
    -- The member state (node) the authority belongs to.
    node TEXT NOT NULL,
    public_key TEXT NOT NULL,
    -- Only for this node's own authorities; peers' keys are public keys only.
    secret_key TEXT,
    pinned_at TEXT NOT NULL
);

CREATE TABLE federation_outbox (
    dest TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    -- The signed envelope as it travels (JSON).
    wire TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_at TEXT,
    PRIMARY KEY (dest, seq)
);
CREATE INDEX federation_outbox_pending ON federation_outbox (published_at, dest, seq);

CREATE TABLE federation_inbox (
    origin TEXT PRIMARY KEY,
    next_seq BIGINT NOT NULL,
    applied BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    last_applied_at TEXT
);

CREATE TABLE federation_state (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- The exchange between competent authorities: messages, whom they address, their
-- attachments, and what happened to them (delivered, read). All four are append-only
-- (triggers refuse UPDATE, DELETE and TRUNCATE): a message is never edited, its state is derived from
-- its events and replies. Each authority's policy (whether screening raises alerts) is the
-- one mutable table.

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('request', 'alert', 'notification', 'reply')),
    -- NULL: the message starts its own thread.
    thread_id BIGINT REFERENCES messages(id),
    in_reply_to BIGINT REFERENCES messages(id),
    forwarded_from BIGINT REFERENCES messages(id),
    sender_authority TEXT NOT NULL REFERENCES authorities(code),
    sender_user TEXT NOT NULL,
    created TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subjects TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    classification TEXT NOT NULL CHECK (classification IN ('unclassified', 'restricted', 'confidential', 'secret')),
    handling TEXT NOT NULL CHECK (handling IN ('free', 'intelligence_only', 'ask_before_forwarding', 'ask_before_evidence')),
    tlp TEXT NOT NULL CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
    priority TEXT NOT NULL CHECK (priority IN ('routine', 'urgent', 'immediate')),
    due TEXT NOT NULL,
    context TEXT NOT NULL
);

CREATE INDEX messages_by_sender ON messages (sender_authority);
CREATE INDEX messages_by_reply ON messages (in_reply_to);

CREATE TABLE message_recipients (
    message_id BIGINT NOT NULL REFERENCES messages(id),
    recipient TEXT NOT NULL,
    PRIMARY KEY (message_id, recipient)
);

CREATE INDEX message_recipients_by_recipient ON message_recipients (recipient);

CREATE TABLE message_attachments (
    message_id BIGINT NOT NULL REFERENCES messages(id),
    idx BIGINT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size > 0 AND size <= 524288),
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (message_id, idx)
);

CREATE TABLE message_events (
    seq BIGSERIAL PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES messages(id),
    authority TEXT NOT NULL,
    user_name TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('delivered', 'read')),
    at TEXT NOT NULL,
    UNIQUE (message_id, authority, event)
);

CREATE TABLE exchange_policies (
    authority TEXT PRIMARY KEY REFERENCES authorities(code),
    auto_alert BIGINT NOT NULL,
    updated TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TRIGGER messages_append_only BEFORE UPDATE OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER messages_no_truncate BEFORE TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER message_recipients_append_only BEFORE UPDATE OR DELETE ON message_recipients
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER message_recipients_no_truncate BEFORE TRUNCATE ON message_recipients
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER message_attachments_append_only BEFORE UPDATE OR DELETE ON message_attachments
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER message_attachments_no_truncate BEFORE TRUNCATE ON message_attachments
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER message_events_append_only BEFORE UPDATE OR DELETE ON message_events
    FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER message_events_no_truncate BEFORE TRUNCATE ON message_events
    FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();

-- The exchange between competent authorities: messages, whom they address, their
-- attachments, and what happened to them (delivered, read). All four are append-only
-- (triggers refuse UPDATE and DELETE): a message is never edited, its state is derived from
-- its events and replies. Each authority's policy (whether screening raises alerts) is the
-- one mutable table.

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    content BLOB NOT NULL,
    PRIMARY KEY (message_id, idx)
);

CREATE TABLE message_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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

CREATE TRIGGER messages_no_update BEFORE UPDATE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
CREATE TRIGGER message_recipients_no_update BEFORE UPDATE ON message_recipients
BEGIN SELECT RAISE(ABORT, 'message_recipients is append-only'); END;
CREATE TRIGGER message_recipients_no_delete BEFORE DELETE ON message_recipients
BEGIN SELECT RAISE(ABORT, 'message_recipients is append-only'); END;
CREATE TRIGGER message_attachments_no_update BEFORE UPDATE ON message_attachments
BEGIN SELECT RAISE(ABORT, 'message_attachments is append-only'); END;
CREATE TRIGGER message_attachments_no_delete BEFORE DELETE ON message_attachments
BEGIN SELECT RAISE(ABORT, 'message_attachments is append-only'); END;
CREATE TRIGGER message_events_no_update BEFORE UPDATE ON message_events
BEGIN SELECT RAISE(ABORT, 'message_events is append-only'); END;
CREATE TRIGGER message_events_no_delete BEFORE DELETE ON message_events
BEGIN SELECT RAISE(ABORT, 'message_events is append-only'); END;

-- Users, their API tokens, and the audit log. audit_log is append-only (triggers refuse UPDATE
-- and DELETE) and a hash chain: each entry's hash covers the previous entry's hash.

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    authority TEXT NOT NULL REFERENCES authorities(code),
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'officer', 'secretariat', 'auditor')),
    created TEXT NOT NULL
);

CREATE TABLE tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_name TEXT NOT NULL REFERENCES users(name),
    -- SHA-256 of the token: tokens are 32 random bytes, so a slow hash would add nothing.
    token_hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    expires TEXT,
    revoked_at TEXT
);

CREATE INDEX tokens_by_user ON tokens (user_name);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_name TEXT NOT NULL,
    authority TEXT NOT NULL,
    action TEXT NOT NULL,
    records TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_log_by_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

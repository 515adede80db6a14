-- The user accounts (AURORA_AUTH=accounts or proxy) and their API tokens, beside the jobs so
-- every replica agrees. A token is kept only as its SHA-256 hash. A proxy's user has no
-- password hash. No foreign key: SQLite would not enforce it, so removing a user removes
-- their tokens in the same transaction instead, on both engines alike.
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT,
    admin INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE tokens (
    token_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    PRIMARY KEY (owner, token_id)
);

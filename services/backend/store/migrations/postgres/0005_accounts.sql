-- The user accounts (AURORA_AUTH=accounts or proxy) and their API tokens, as in the SQLite
-- engine. Names sort in the "C" collation, byte by byte as SQLite sorts them, and compare
-- exactly. A token is kept only as its SHA-256 hash. A proxy's user has no password hash.
-- No foreign key, as in SQLite: removing a user removes their tokens in the same statement.
-- ``seq`` keeps the order tokens were stored in: the tie-break between equal creation times.
CREATE TABLE users (
    name text COLLATE "C" PRIMARY KEY,
    password_hash text,
    admin boolean NOT NULL DEFAULT false,
    created_at double precision NOT NULL
);
CREATE TABLE tokens (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    token_id text NOT NULL,
    owner text COLLATE "C" NOT NULL,
    label text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at double precision NOT NULL,
    PRIMARY KEY (owner, token_id)
);
